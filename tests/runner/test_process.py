"""CommandRun: real processes in a real PTY."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import time
from collections.abc import Coroutine
from pathlib import Path

import pytest

from cockpit.runner import process
from cockpit.runner.process import CommandRun, RunState
from cockpit.runner.procgroup import kill_session
from cockpit.runner.result import RunResult


async def run_collect(cmd: str, **kwargs: object) -> tuple[str, CommandRun]:
    chunks: list[str] = []
    run = CommandRun(cmd, on_output=chunks.append, **kwargs)  # type: ignore[arg-type]
    await run.run()
    return "".join(chunks), run


async def test_output_streams_in_order_with_pipes_and_substitutions() -> None:
    out, run = await run_collect("for i in 1 2 3; do echo line$i; done | cat; echo today=$(date +%Y)")
    assert out.replace("\r\n", "\n") == f"line1\nline2\nline3\ntoday={time.strftime('%Y')}\n"
    assert run.result is not None and run.result.ok
    assert run.result.summary.startswith("exit 0 in ")
    assert run.state is RunState.SUCCEEDED


async def test_output_arrives_while_the_command_runs() -> None:
    seen: list[tuple[float, str]] = []
    run = CommandRun(
        "echo first; sleep 0.5; echo second", on_output=lambda t: seen.append((time.monotonic(), t))
    )
    start = time.monotonic()
    await run.run()
    first = next(ts for ts, text in seen if "first" in text)
    assert first - start < 0.4, "the first line must not wait for the command to finish"
    assert "second" in "".join(t for _, t in seen)


async def test_ansi_colours_are_kept_and_it_is_a_terminal() -> None:
    out, _ = await run_collect("printf '\\033[31mred\\033[0m\\n'; test -t 1 && echo tty-yes")
    assert "\x1b[31mred\x1b[0m" in out
    assert "tty-yes" in out


async def test_env_cwd_and_terminal_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the cockpit's own terminal: must not leak into commands
    out, _ = await run_collect(
        "echo $COCKPIT_TEST_VAR; pwd; stty size; echo cols=${COLUMNS:-unset}",
        env={"COCKPIT_TEST_VAR": "pinned"},
        cwd=tmp_path,
        columns=91,
        rows=27,
    )
    lines = out.replace("\r\n", "\n").split("\n")
    assert lines[0] == "pinned"
    assert lines[1] == str(tmp_path)
    assert lines[2] == "27 91"
    assert lines[3] in ("cols=unset", "cols=91"), "bash may set it from the PTY, never from ours"


async def test_resize_reaches_the_running_command() -> None:
    chunks: list[str] = []
    run = CommandRun("trap 'stty size' WINCH; echo ready; sleep 2 & wait; sleep 0.1", on_output=chunks.append)
    await run.start()
    for _ in range(100):
        if "ready" in "".join(chunks):
            break
        await asyncio.sleep(0.02)
    run.resize(100, 30)
    await asyncio.sleep(0.3)
    await run.cancel(interrupt_grace=0.2, terminate_grace=0.2)
    assert "30 100" in "".join(chunks)


async def test_utf8_split_across_reads_is_decoded_whole() -> None:
    out, _ = await run_collect("printf '\\xe2\\x9c'; sleep 0.1; printf '\\x93 done\\n'")
    assert "✓ done" in out


async def test_exit_code_and_failure_message() -> None:
    _, run = await run_collect("echo boom >&2; exit 3")
    assert run.result is not None
    assert run.result.exit_code == 3 and not run.result.ok
    assert run.result.error == "exited with code 3"
    assert run.state is RunState.FAILED


async def test_command_not_found_is_named() -> None:
    _, run = await run_collect("kubectl-that-does-not-exist get pods")
    assert run.result is not None and run.result.exit_code == 127
    assert run.result.error == "command not found: kubectl-that-does-not-exist"
    assert "command not found: kubectl-that-does-not-exist" in run.result.summary


async def test_missing_working_directory_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    exits = []
    run = CommandRun("pwd", cwd=tmp_path / "nope", on_exit=exits.append)
    result = await run.run()
    assert result.error == f"working directory not found: {tmp_path / 'nope'}"
    assert run.state is RunState.FAILED and exits == [result]


async def test_child_setup_failure_is_an_error_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure between fork and exec reaches the parent as a SubprocessError (no strerror)."""

    def fail_in_child() -> None:
        raise OSError(errno.EPERM, "no controlling terminal")

    monkeypatch.setattr(process, "_take_controlling_terminal", fail_in_child)
    exits = []
    run = CommandRun("echo never", on_exit=exits.append)
    result = await run.run()
    assert result.error is not None and result.error.startswith("could not start command: ")
    assert run.state is RunState.FAILED and exits == [result]


async def test_full_raw_output_goes_to_the_side_file(tmp_path: Path) -> None:
    side = tmp_path / "out" / "run-1.out"
    _, run = await run_collect("printf '\\033[32mok\\033[0m\\n'; seq 1 20000", output_path=side)
    data = side.read_bytes()
    assert data.startswith(b"\x1b[32mok\x1b[0m\r\n")
    assert data.endswith(b"20000\r\n")
    assert run.result is not None and run.result.bytes_out == len(data)


async def test_stdin_reaches_a_prompt() -> None:
    chunks: list[str] = []
    run = CommandRun("read -s -p 'Password: ' pw; echo; echo got=$pw", on_output=chunks.append)
    await run.start()
    for _ in range(100):
        if "Password:" in "".join(chunks):
            break
        await asyncio.sleep(0.02)
    run.write("s3cret\n")
    result = await run.wait()
    assert result.ok
    assert "got=s3cret" in "".join(chunks)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_cancel_interrupts_a_normal_command_with_sigint() -> None:
    run = CommandRun("sleep 30")
    await run.start()
    await asyncio.sleep(0.1)
    result = await run.cancel(interrupt_grace=2, terminate_grace=2)
    assert result is not None and result.cancelled and result.signal == signal.SIGINT  # never escalated
    assert run.state is RunState.CANCELLED
    assert result.summary.startswith("cancelled (SIGINT)")


async def test_cancel_escalates_to_sigkill_when_int_and_term_are_trapped() -> None:
    chunks: list[str] = []
    run = CommandRun(
        "trap 'echo got-int' INT; trap 'echo got-term' TERM; echo armed; sleep 30 & child=$!; "
        "echo child=$child; while true; do wait $child; done",
        on_output=chunks.append,
    )
    await run.start()
    for _ in range(100):
        if "child=" in "".join(chunks):
            break
        await asyncio.sleep(0.02)
    child = int("".join(chunks).split("child=")[1].split()[0])
    start = time.monotonic()
    result = await run.cancel(interrupt_grace=0.2, terminate_grace=0.2)
    took = time.monotonic() - start
    assert result is not None and result.signal == signal.SIGKILL and result.cancelled
    assert took > 0.35  # both graces were given before SIGKILL
    text = "".join(chunks)
    assert "got-int" in text and "got-term" in text
    await asyncio.sleep(0.05)
    assert not _alive(child), "the whole process group must be gone"


async def test_huge_output_never_stalls_the_event_loop(tmp_path: Path) -> None:
    """50 MB through the PTY while a task that yields at every turn of the loop records when it ran:
    the reader hands the loop back between chunks (counted, not timed)."""
    order: list[str] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            order.append("t")
            await asyncio.sleep(0)

    callbacks: list[int] = []

    def output(text: str) -> None:
        callbacks.append(len(text))
        order.append("c")

    run = CommandRun(
        "yes 'the quick brown fox jumps over the lazy dog' | head -c 50000000",
        on_output=output,
        output_path=tmp_path / "big.out",
    )
    tick = asyncio.create_task(ticker())
    result = await run.run()
    stop.set()
    await tick
    assert result.ok and result.bytes_out >= 50_000_000
    assert (tmp_path / "big.out").stat().st_size == result.bytes_out
    longest = max(len(run_) for run_ in "".join(order).split("t"))
    assert longest <= 2, f"{longest} output chunks were handled without the loop running anything else"
    assert sum(callbacks) == result.bytes_out, "every character reaches the callback (the session saves it)"
    assert max(callbacks) <= 2 * 64 * 1024, "no callback is handed megabytes at once"
    assert len(callbacks) < result.bytes_out / 32_000, "callbacks are batched, not one per line"


async def test_display_only_consumer_can_cap_batches() -> None:
    batches: list[str] = []
    run = CommandRun("seq 1 300000", on_output=batches.append, max_pending_chars=4096, flush_interval=0.05)
    result = await run.run()
    assert result.ok
    assert max(len(b) for b in batches) < 4096 + 200
    assert any("characters skipped here (full output in the side file)" in b for b in batches)
    assert batches[-1].endswith("300000\r\n"), "the newest output is what is kept"


async def test_runs_run_concurrently(tmp_path: Path) -> None:
    # a barrier: each run marks that it started, then waits (bounded) until all three have; run one
    # after the other, the first would give up waiting and say so
    barrier = (
        "touch {dir}/started.{i}; n=0; "
        "while [ $(ls {dir} | wc -l) -lt 3 ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done; "
        "[ $(ls {dir} | wc -l) -ge 3 ] && echo together-{i}"
    )
    runs = [CommandRun(barrier.format(dir=tmp_path, i=i)) for i in range(3)]
    results = await asyncio.gather(*(r.run() for r in runs))
    assert all(r.ok for r in results), [r.summary for r in results]


async def test_many_small_lines_arrive_in_few_batches() -> None:
    batches: list[str] = []
    result = await CommandRun("seq 1 5000", on_output=batches.append).run()
    assert result.ok
    assert "".join(batches).replace("\r\n", "\n") == "".join(f"{i}\n" for i in range(1, 5001))
    assert len(batches) <= 5


async def test_cancel_before_start_never_spawns() -> None:
    exits = []
    run = CommandRun("echo should-not-run", on_exit=exits.append)
    result = await run.cancel()
    assert result is not None and result.cancelled and run.state is RunState.CANCELLED
    assert await run.wait() is result and run.pid is None and exits == [result]


async def test_unwritable_output_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = await CommandRun("echo hi", output_path=blocker / "run.out").run()
    assert result.error is not None and result.error.startswith(
        f"cannot write output file {blocker / 'run.out'}"
    )


async def test_a_full_disk_stops_the_side_file_not_the_run(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    chunks: list[str] = []
    result = await CommandRun("echo still-streaming", output_path="/dev/full", on_output=chunks.append).run()
    assert result.ok and "still-streaming" in "".join(chunks)
    assert result.output_error == "output file /dev/full: No space left on device"


async def ended(run: CommandRun, end: Coroutine[object, object, RunResult]) -> RunResult:
    """The run's result, with a hang guard (not a measurement); then whatever the command left
    behind in its session (a background child holding the terminal) is killed."""
    try:
        return await asyncio.wait_for(end, 120)
    finally:
        if run.pid is not None:
            kill_session(run.pid)


async def test_a_busy_consumer_gets_full_batches_and_the_reader_waits_for_it() -> None:
    """While the loop is busy with a batch, the reader collects the next one and then waits (the
    command blocks on its terminal): every character arrives, in order, in few bounded batches."""
    batches: list[str] = []

    def busy(text: str) -> None:
        batches.append(text)
        time.sleep(0.2)  # the loop is busy (a slow screen): nothing is read into the void meanwhile

    run = CommandRun("seq 1 100000", on_output=busy)
    result = await run.run()
    out = "".join(batches)
    assert result.ok and len(out) == result.bytes_out
    assert out.replace("\r\n", "\n") == "".join(f"{i}\n" for i in range(1, 100001))
    assert max(len(b) for b in batches) <= 2 * 64 * 1024, "the reader waits instead of piling up"
    assert len(batches) <= len(out) / (64 * 1024) + 3, "a busy loop is handed full batches"


async def test_a_background_child_keeping_the_terminal_open_does_not_hold_the_run() -> None:
    """The shell's exit ends the run with all it printed, though a child it left behind still holds
    the terminal (and the relay reading it) open."""
    chunks: list[str] = []
    run = CommandRun("seq 1 20000; (trap '' HUP; exec sleep 1000) & echo shell-done", on_output=chunks.append)
    result = await ended(run, run.run())
    out = "".join(chunks).replace("\r\n", "\n")
    assert result.ok
    assert out == "".join(f"{i}\n" for i in range(1, 20001)) + "shell-done\n"


async def test_a_consumer_that_is_behind_holds_the_command_back_and_loses_nothing() -> None:
    """`ready` says the next stage is behind: batches wait, the reader waits, the command blocks on
    its terminal; once ready, every character arrives in order."""
    batches: list[str] = []
    ready = [False]
    run = CommandRun("seq 1 300000", on_output=batches.append, ready=lambda: ready[0])
    await run.start()
    seen = -1
    while seen != run.bytes_out:  # until the reader stopped reading: everything on the way is full
        seen = run.bytes_out
        await asyncio.sleep(0.2)
    assert batches == [] and run.running
    assert 0 < run.bytes_out < 1_000_000, "the command is held back, not read into memory"
    ready[0] = True
    result = await run.wait()
    out = "".join(batches).replace("\r\n", "\n")
    assert result.ok and out == "".join(f"{i}\n" for i in range(1, 300001))


@pytest.mark.parametrize(
    "cmd",
    [
        pytest.param("read go; seq 1 500", id="alone"),
        # a child left holding the terminal: the run ends without waiting for it
        pytest.param("read go; (trap '' HUP; exec sleep 1000) & seq 1 500", id="beside-a-background-child"),
    ],
)
async def test_the_last_output_waits_for_a_relay_the_machine_ran_late(cmd: str) -> None:
    """The shell exited while the relay had not moved its last lines yet (a busy machine): the run
    still ends with every line the terminal holds."""
    chunks: list[str] = []
    run = CommandRun(cmd, on_output=chunks.append)
    await run.start()
    relay = run._relay
    if relay is None:
        pytest.skip("no relay here (not Linux, or no cat)")
    os.kill(relay.pid, signal.SIGSTOP)
    try:
        run.write("go\n")
        await asyncio.sleep(0.5)  # the shell prints into the terminal and exits; nothing moves it
    finally:
        os.kill(relay.pid, signal.SIGCONT)
    result = await ended(run, run.wait())
    out = "".join(chunks).replace("\r\n", "\n")
    assert result.ok and out.endswith("".join(f"{i}\n" for i in range(1, 501)))
