"""One shell command run in a real pseudo-terminal, streamed to a callback, cancellable.

`CommandRun` starts `/bin/bash -c CMD` (so pipes, `&&` and `$(date)` work) with the slave end of a
fresh PTY as its stdin/stdout/stderr and controlling terminal, in its own session and process group.
The master end is drained by `cat` into a pipe of 1 MiB (the relay): a PTY hands out at most
~4 KiB a read, and a Python thread needs the GIL after every read, so while the screen or the
session held it for a few milliseconds the command stalled on its full terminal (a thread reading
the PTY itself moved 100 MB in 26 s beside one busy thread, 1.6 s through the relay). The run's own
reader thread reads the pipe in batch-sized reads (up to `flush_chars`), writes the side file,
decodes the bytes with an incremental UTF-8 decoder (`errors="replace"`, ANSI sequences kept) and
collects the text; the event loop does no work per read. Without `cat` the thread reads the master
itself. Typing into the command writes the master directly, a piece at a time when it can take it.

Output reaches `on_output` on the loop in batches: whatever arrived within `flush_interval`
seconds (default 40 ms), or sooner once `flush_chars` (64 Ki) characters are waiting, so a flood
costs the loop a few hand-offs a second, never one per read. Every character is delivered by
default (the session's side file is written from these batches); a batch never holds more than
2 x `flush_chars` characters: the reader waits until the loop took the batch, and a command
printing faster than the callbacks consume simply blocks on its full terminal (natural
back-pressure, bounded memory).
A consumer that hands batches on to a slower stage (the session's thread) passes `ready`: while
it says no, batches wait on the loop, so the back-pressure reaches the command through every stage.
A display-only consumer can set `max_pending_chars`: each batch then keeps only its newest
characters and starts with a line saying how many were skipped (the raw bytes are still all in
`output_path` when given); the reader then never waits.

Every callback runs on the loop thread that called `start()`.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from cockpit.runner.procgroup import kill_session, session_members
from cockpit.runner.result import RunnerError, RunResult, RunState, describe_exit

READ_CHUNK = 64 * 1024  # the least a read asks for (a PTY gives ~4 KiB, the relay's pipe up to all)
RELAY_PIPE = 1024 * 1024  # the relay's pipe (F_SETPIPE_SZ; the kernel's default is 64 KiB)
RELAY_SETTLE = 0.02  # after the shell exited: how long a quiet relay may still be moving output
RELAY_PACE = 0.005  # the reader's pause after a read that did not fill a batch (see _read_available)
RELAY_END_WAIT = 5.0  # the most the relay's end is waited for once no process holds the terminal
STDIN_PIECE = 512  # typed input is written in pieces a terminal that said "writable" takes at once
TAIL_CHARS = 64 * 1024
DRAIN_READS = 64  # after the shell exited: what is still waiting, bounded (background children)
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux
PR_SET_PDEATHSIG = 1  # Linux prctl(2)

OutputCallback = Callable[[str], None]
ExitCallback = Callable[["RunResult"], None]


class CommandRun:
    """Runs one shell command in a pseudo-terminal.

    Usage from async code (the UI keeps a reference to cancel or type into it)::

        run = CommandRun("kubectl get pods", env=kube.env, on_output=pane.write, output_path=side)
        result = await run.run()          # or: await run.start(); ...; await run.wait()

    `env` entries are laid over the current environment (or replace it with `inherit_env=False`);
    `TERM` defaults to xterm-256color. `columns`/`rows` set the terminal size (`resize` changes it
    while running; the command gets SIGWINCH). `output_path` receives every raw byte (created,
    truncated). A spawn failure (missing working directory, ...) does not raise from `run()`: the
    result carries the error, state is FAILED, and `on_exit` is still called.
    """

    def __init__(
        self,
        cmd: str,
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        columns: int = 120,
        rows: int = 40,
        output_path: str | Path | None = None,
        on_output: OutputCallback | None = None,
        on_exit: ExitCallback | None = None,
        flush_interval: float = 0.04,
        flush_chars: int = 64 * 1024,
        max_pending_chars: int | None = None,
        ready: Callable[[], bool] | None = None,
        inherit_env: bool = True,
        shell: str = "/bin/bash",
    ) -> None:
        self.cmd = cmd
        self.env = dict(env or {})
        self.cwd = Path(cwd) if cwd is not None else None
        self.columns = columns
        self.rows = rows
        self.output_path = Path(output_path) if output_path is not None else None
        self.on_output = on_output
        self.on_exit = on_exit
        self.flush_interval = flush_interval
        self.flush_chars = flush_chars
        self.max_pending_chars = max_pending_chars
        self.ready = ready
        self.inherit_env = inherit_env
        self.shell = shell

        self.state = RunState.PENDING
        self.result: RunResult | None = None
        self.bytes_out = 0
        self.output_error: str | None = None  # the side file could not be written (run went on)
        self._proc: asyncio.subprocess.Process | None = None
        self._master: int | None = None
        self._source = -1  # what the reader thread reads: the relay's pipe, or the master itself
        self._relay: subprocess.Popen[bytes] | None = None
        self._last_read = 0  # bytes the last read gave
        self._loop: asyncio.AbstractEventLoop | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []
        self._pending_len = 0
        self._skipped_chars = 0
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = 0.0
        # shared with the reader thread: _pending, _pending_len, _skipped_chars, _closed
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)  # the loop took a batch (or the run closed)
        self._reader: threading.Thread | None = None
        self._reader_done: asyncio.Future[None] | None = None
        self._wake_r = self._wake_w = -1  # tells the reader the shell exited: drain and stop
        self._closed = False
        self._tail: list[str] = []  # newest output, trimmed to about TAIL_CHARS lazily
        self._tail_len = 0
        self._side: BinaryIO | None = None
        self._started_mono = 0.0
        self._started_at = 0.0
        self._cancelled = False
        self._done: asyncio.Future[RunResult] | None = None
        self._writing = False
        self._stdin = bytearray()

    # -- public -------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The shell's pid, which is also the process group and session id of everything it runs."""
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self.state is RunState.RUNNING

    @property
    def elapsed(self) -> float:
        """Seconds since start (final duration once finished)."""
        if self.result is not None:
            return self.result.duration
        if self.state is RunState.PENDING:
            return 0.0
        return time.monotonic() - self._started_mono

    def tail(self, max_chars: int = TAIL_CHARS) -> str:
        """The last output (decoded, at most `max_chars`, never more than 64 KiB kept)."""
        kept = "".join(self._tail)[-TAIL_CHARS:]
        self._tail, self._tail_len = [kept], len(kept)
        return kept[-max_chars:] if max_chars > 0 else ""

    async def start(self) -> None:
        """Spawn the process and begin streaming. Returns once it runs (or failed to spawn)."""
        if self.state is not RunState.PENDING:
            raise RunnerError(f"command already started: {self.cmd}")
        self._loop = asyncio.get_running_loop()
        self._done = self._loop.create_future()
        self._started_mono = time.monotonic()
        self._started_at = time.time()
        self.state = RunState.RUNNING
        try:
            await self._spawn()
        except (OSError, RunnerError, subprocess.SubprocessError) as exc:
            self._close_fds()
            self._finish(None, None, error=_spawn_error(exc, self))
            return
        self._loop.create_task(self._wait_exit())

    async def wait(self) -> RunResult:
        """Wait for the end of the run (starting it if needed) and return its result."""
        if self.state is RunState.PENDING:
            await self.start()
        if self.result is not None:
            return self.result
        assert self._done is not None
        return await asyncio.shield(self._done)

    async def run(self) -> RunResult:
        """start() + wait()."""
        return await self.wait()

    def write(self, data: str | bytes) -> None:
        """Type into the command's terminal (a password prompt, `y` to confirm). Ignored once done.

        Never blocks: what the terminal cannot take now is queued and written when it can."""
        if self._master is None or not self.running:
            return
        self._stdin.extend(data.encode() if isinstance(data, str) else data)
        self._write_stdin()

    def _write_stdin(self) -> None:
        if self._master is None:
            return
        while self._stdin:
            try:
                # the master blocks (the relay shares it): write only what it said it can take now
                if not select.select([], [self._master], [], 0)[1]:
                    raise BlockingIOError
                n = os.write(self._master, self._stdin[:STDIN_PIECE])
            except BlockingIOError:
                if not self._writing and self._loop is not None:
                    self._loop.add_writer(self._master, self._write_stdin)
                    self._writing = True
                return
            except OSError:
                self._stdin.clear()
                break
            del self._stdin[:n]
        self._stop_writing()

    def _stop_writing(self) -> None:
        if self._writing and self._loop is not None and self._master is not None:
            self._loop.remove_writer(self._master)
        self._writing = False

    def resize(self, columns: int, rows: int) -> None:
        """Set the terminal size; a running command receives SIGWINCH."""
        self.columns, self.rows = max(1, columns), max(1, rows)
        if self._master is not None:
            with contextlib.suppress(OSError):
                _set_winsize(self._master, self.columns, self.rows)

    def send_signal(self, signum: int) -> None:
        """Send `signum` to the command's whole process group."""
        if self._proc is None or not self.running:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signum)

    async def cancel(self, *, interrupt_grace: float = 1.0, terminate_grace: float = 2.0) -> RunResult | None:
        """Stop the command: SIGINT, then SIGTERM after `interrupt_grace` s, then SIGKILL after
        `terminate_grace` s more, each to the whole process group. Returns the result (a run
        cancelled before it started ends at once, never spawned)."""
        if self.state is RunState.PENDING:  # never started: nothing to signal
            self._cancelled = True
            self._started_mono, self._started_at = time.monotonic(), time.time()
            self._set_result(None, None, "cancelled before it started")
            return self.result
        if not self.running:
            return self.result
        self._cancelled = True
        assert self._done is not None
        for signum, grace in ((signal.SIGINT, interrupt_grace), (signal.SIGTERM, terminate_grace)):
            self.send_signal(signum)
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(asyncio.shield(self._done), grace)
        self.kill()
        return await asyncio.shield(self._done)

    def kill(self) -> None:
        """SIGKILL the process group and anything else left in the command's session."""
        if self._proc is None:
            return
        self.send_signal(signal.SIGKILL)
        kill_session(self._proc.pid)

    # -- internals ------------------------------------------------------------------------------

    async def _spawn(self) -> None:
        if self.cwd is not None and not self.cwd.is_dir():
            raise RunnerError(f"working directory not found: {self.cwd}")
        env = dict(os.environ) if self.inherit_env else {}
        # The cockpit's own terminal size must not leak in: the PTY's size is the truth.
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        env.setdefault("TERM", "xterm-256color")
        env.update(self.env)
        if self.output_path is not None:
            try:
                self.output_path.parent.mkdir(parents=True, exist_ok=True)
                # unbuffered: the file is complete at every moment, and a full disk shows at once
                self._side = open(self.output_path, "wb", buffering=0)  # noqa: SIM115 - closed in _finish
            except OSError as exc:
                raise RunnerError(f"cannot write output file {self.output_path}: {exc.strerror}") from None
        master, slave = os.openpty()
        self._master = master
        try:
            _set_winsize(master, self.columns, self.rows)
            self._source, self._relay = _start_relay(master)
            self._proc = await asyncio.create_subprocess_exec(
                self.shell,
                "-c",
                self.cmd,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=str(self.cwd) if self.cwd else None,
                env=env,
                start_new_session=True,
                preexec_fn=_take_controlling_terminal,
            )
        finally:
            os.close(slave)
        assert self._loop is not None
        self._reader_done = self._loop.create_future()
        self._wake_r, self._wake_w = os.pipe()
        self._reader = threading.Thread(target=self._read_loop, name=f"cockpit-pty-{self.pid}", daemon=True)
        self._reader.start()

    # -- the reader thread -------------------------------------------------------------------------

    def _read_loop(self) -> None:
        source, loop = self._source, self._loop
        assert source >= 0 and loop is not None
        try:
            while True:
                ready, _, _ = select.select([source, self._wake_r], [], [])
                if self._wake_r in ready:  # the shell exited: what is waiting, then stop
                    self._drain(source)
                    return
                if not self._read_available(source):
                    return
        except (OSError, ValueError):  # the run was torn down under the thread
            return
        finally:
            with contextlib.suppress(RuntimeError):  # the loop closed: the cockpit is quitting
                loop.call_soon_threadsafe(self._reader_ended)

    def _drain(self, source: int) -> None:
        """After the shell exited: what it wrote is still in the terminal or on its way through the
        relay; read it, never waiting for background children that keep the terminal open. With
        nothing left in the command's session, the relay reaches the terminal's end and closes the
        pipe once it moved everything (however late a busy machine runs it): read to that end.
        Else at most DRAIN_READS reads, the relay counting as done once quiet for RELAY_SETTLE."""
        if self._relay is not None and self._proc is not None and not session_members(self._proc.pid):
            deadline = time.monotonic() + RELAY_END_WAIT
            while (left := deadline - time.monotonic()) > 0:
                got = self._read_once(source)
                if got is False:
                    return
                if got is None:
                    select.select([source], [], [], left)
            return
        for _ in range(DRAIN_READS):
            got = self._read_once(source)
            if got is False:
                return
            if got is None:
                settle = RELAY_SETTLE if self._relay is not None else 0
                if not select.select([source], [], [], settle)[0] and not self._terminal_holds_output():
                    return

    def _terminal_holds_output(self) -> bool:
        """The relay has not read all the terminal holds yet (it runs late on a busy machine)."""
        if self._relay is None or self._master is None:
            return False
        try:
            waiting = fcntl.ioctl(self._master, termios.FIONREAD, b"\0\0\0\0")
        except OSError:
            return False
        count: int = struct.unpack("i", waiting)[0]
        return count > 0

    def _read_available(self, source: int) -> bool:
        """Read until nothing is waiting (True) or the stream ended (False). Through the relay,
        a read that did not fill the batch is followed by a pause of RELAY_PACE: `cat` hands the
        pipe ~4 KiB at a time, and taking each at once cost a GIL hand-off per 4 KiB (thousands a
        second, each one pulling the GIL from the screen); after the pause the pipe holds the
        next few hundred KiB. The first bytes after a quiet spell are read at once."""
        while True:
            got = self._read_once(source)
            if got is not True:
                return got is None
            if self._relay is not None and self._last_read < self._read_size:
                time.sleep(RELAY_PACE)

    @property
    def _read_size(self) -> int:
        """What one read asks for: a batch (a read that gave less did not fill one)."""
        return max(READ_CHUNK, self.flush_chars)

    def _read_once(self, source: int) -> bool | None:
        """One read: True if data came, None if nothing is waiting, False at end of stream (EIO:
        every slave end closed, the normal end; the relay's EOF; any other error ends it too)."""
        try:
            data = os.read(source, self._read_size)
        except BlockingIOError:
            return None
        except OSError:
            return False
        if not data:
            return False
        self._last_read = len(data)
        self._consume(data)
        return True

    def _consume(self, data: bytes) -> None:
        self.bytes_out += len(data)
        if self._side is not None:
            try:
                self._side.write(data)
            except OSError as exc:  # disk full...: keep running and streaming, say so at the end
                self.output_error = f"output file {self.output_path}: {exc.strerror}"
                with contextlib.suppress(OSError):
                    self._side.close()
                self._side = None
        text = self._decoder.decode(data)
        if text:
            self._add_text(text)

    def _add_text(self, text: str) -> None:
        """Queue text for the loop (reader thread, or the loop once the reader ended)."""
        limit = 2 * self.flush_chars
        reader = threading.current_thread() is self._reader
        with self._room:
            if reader and self.max_pending_chars is None:  # back-pressure: wait for the loop to take a batch
                while self._pending_len and self._pending_len + len(text) > limit and not self._closed:
                    self._room.wait(0.5)
            was = self._pending_len
            self._pending.append(text)
            self._pending_len += len(text)
            if self.max_pending_chars is not None and self._pending_len > self.max_pending_chars * 2:
                self._trim_pending()
            now = self._pending_len
        if self._loop is None or self._closed:
            return
        if not reader:
            self._schedule_flush()
        elif was == 0 or (was < self.flush_chars <= now and self.max_pending_chars is None):
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._schedule_flush)

    def _reader_ended(self) -> None:
        if self._reader_done is not None and not self._reader_done.done():
            self._reader_done.set_result(None)

    # -- batches, on the loop ----------------------------------------------------------------------

    def _trim_pending(self) -> None:
        assert self.max_pending_chars is not None
        joined = "".join(self._pending)
        keep = joined[-self.max_pending_chars :]
        newline = keep.find("\n")
        if 0 <= newline < len(keep) // 2:
            keep = keep[newline + 1 :]
        self._skipped_chars += len(joined) - len(keep)
        self._pending = [keep]
        self._pending_len = len(keep)

    def _schedule_flush(self) -> None:
        if self._loop is None or self._closed:
            return
        if self.max_pending_chars is None and self._pending_len >= self.flush_chars:
            if self._flush_handle is not None:
                self._flush_handle.cancel()
            self._flush()  # a full batch goes now: the reader may be waiting for room
            return
        if self._flush_handle is not None:
            return
        delay = max(0.0, self._last_flush + self.flush_interval - time.monotonic())
        self._flush_handle = self._loop.call_later(delay, self._flush)

    def _flush(self, final: bool = False) -> None:
        self._flush_handle = None
        if not final and self.ready is not None and self._loop is not None and not self.ready():
            # the consumer is behind: the batch waits (and with it the reader and the command)
            self._flush_handle = self._loop.call_later(self.flush_interval / 4, self._flush)
            return
        self._last_flush = time.monotonic()
        with self._room:
            if not self._pending:
                return
            if self.max_pending_chars is not None and self._pending_len > self.max_pending_chars:
                self._trim_pending()
            text = "".join(self._pending)
            self._pending.clear()
            self._pending_len = 0
            skipped, self._skipped_chars = self._skipped_chars, 0
            self._room.notify_all()
        newest = text[-TAIL_CHARS:]  # a megabyte batch: only its end can be in the tail
        self._tail.append(newest)
        self._tail_len += len(newest)
        if self._tail_len > 2 * TAIL_CHARS:
            kept = "".join(self._tail)[-TAIL_CHARS:]
            self._tail, self._tail_len = [kept], len(kept)
        if self.on_output is None:
            return
        if skipped:
            note = f"… {skipped:,} characters skipped here (full output in the side file) …"
            text = f"\r\n{note}\r\n{text}"
        self.on_output(text)

    def _stop_reader(self) -> None:
        """Tell the reader thread the shell exited: it reads what is waiting, then ends."""
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")

    async def _wait_exit(self) -> None:
        assert self._proc is not None
        returncode = await self._proc.wait()
        # Drain what the command wrote before exiting, but never wait on background children
        # that keep the terminal open: the run is over when the shell is.
        self._stop_reader()
        if self._reader_done is not None:
            await asyncio.shield(self._reader_done)
        tail = self._decoder.decode(b"", final=True)
        if tail:
            self._add_text(tail)
        signum = -returncode if returncode < 0 else None
        exit_code = returncode if returncode >= 0 else None
        self._finish(exit_code, signum, error=describe_exit(self.cmd, exit_code, signum, self.tail()))

    def _finish(self, exit_code: int | None, signum: int | None, *, error: str | None) -> None:
        self._stop_writing()
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        try:
            self._flush(final=True)  # the last batch; a failing callback must not lose the result
        finally:
            with self._room:
                self._closed = True
                self._room.notify_all()
            self._close_fds()
            self._set_result(exit_code, signum, error)

    def _set_result(self, exit_code: int | None, signum: int | None, error: str | None) -> None:
        ended = time.monotonic()
        self.result = RunResult(
            cmd=self.cmd,
            exit_code=exit_code,
            signal=signum,
            duration=ended - self._started_mono,
            started_at=self._started_at,
            ended_at=self._started_at + (ended - self._started_mono),
            cancelled=self._cancelled,
            error=error,
            bytes_out=self.bytes_out,
            output_path=self.output_path,
            output_error=self.output_error,
        )
        if self._cancelled:
            self.state = RunState.CANCELLED
        elif exit_code == 0:
            self.state = RunState.SUCCEEDED
        else:
            self.state = RunState.FAILED
        if self._done is not None and not self._done.done():
            self._done.set_result(self.result)
        if self.on_exit is not None:
            self.on_exit(self.result)

    def _close_fds(self) -> None:
        if self._relay is not None:  # still relaying background children's output: no one reads it
            with contextlib.suppress(OSError):
                self._relay.kill()
            self._relay.wait()
            self._relay = None
        fds = (self._wake_r, self._wake_w, self._source if self._source != self._master else -1)
        for fd in fds:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._wake_r = self._wake_w = self._source = -1
        if self._master is not None:
            with contextlib.suppress(OSError):
                os.close(self._master)
            self._master = None
        if self._side is not None:
            with contextlib.suppress(OSError):
                self._side.close()
            self._side = None


def _spawn_error(exc: OSError | RunnerError | subprocess.SubprocessError, run: CommandRun) -> str:
    if isinstance(exc, RunnerError):
        return str(exc)
    if isinstance(exc, FileNotFoundError) and exc.filename == run.shell:
        return f"shell not found: {run.shell}"
    # a failure between fork and exec arrives as a SubprocessError, which has no strerror
    detail = exc.strerror if isinstance(exc, OSError) else None
    return f"could not start command: {detail or exc}"


def _start_relay(master: int) -> tuple[int, subprocess.Popen[bytes] | None]:
    """`cat` copying the PTY's output into a pipe of RELAY_PIPE bytes, in a session of its own
    (no terminal's signal reaches it; it ends at the terminal's end, EIO, when killed, or with the
    cockpit: it holds the master, and a cockpit that died must still hang its commands up).
    Returns (the pipe's read end, non-blocking, and the relay), or (the master, made non-blocking,
    and None) where `cat` cannot run or cannot be tied to the cockpit's life (not Linux): then the
    reader thread reads the terminal itself."""
    guard = _dies_with_us()
    if guard is None:
        os.set_blocking(master, False)
        return master, None
    read_end, write_end = os.pipe()
    try:
        with contextlib.suppress(OSError):  # larger than the system allows: the default size
            fcntl.fcntl(write_end, F_SETPIPE_SZ, RELAY_PIPE)
        relay = subprocess.Popen(
            ["cat"],
            stdin=master,
            stdout=write_end,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=guard,
        )
    except (OSError, subprocess.SubprocessError):
        os.close(read_end)
        os.set_blocking(master, False)
        return master, None
    finally:
        os.close(write_end)
    os.set_blocking(read_end, False)
    return read_end, relay


def _dies_with_us() -> Callable[[], None] | None:
    """A child's pre-exec step that has the kernel SIGKILL it when this thread ends (Linux's
    PR_SET_PDEATHSIG; runs are started on the event loop's thread, which lives as long as the
    cockpit), or None where there is no such thing."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # only here: ~5 ms of import, and only Linux has the call

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def guard() -> None:  # in the child, between fork and exec
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the cockpit died before the call: so does the relay
            os._exit(1)

    return guard


def _take_controlling_terminal() -> None:  # runs in the child between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_winsize(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
