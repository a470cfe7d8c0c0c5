"""Command output side files: one per run under `output/` in the session folder (mode 0600).

Output is redacted as it arrives and written at once, so it survives the cockpit being killed:
complete lines for good, and the incomplete last line (a prompt, `kubectl wait` progress)
redacted as far as it can be, replaced when the rest of the line arrives. The file is fsynced
when the command ends. The journal only gets an excerpt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cockpit.paths import private_dir
from cockpit.session.asciicast import CastWriter
from cockpit.session.redact import StreamRedactor

OUTPUT_DIR = "output"
EXCERPT_LINES = 20
EXCERPT_CHARS = 2000


def new_output_file(session_dir: Path, name: str) -> Path:
    """A new, empty side file `output/<name>.log` (or `<name>-2.log`...), created 0600 in a 0700
    folder before anything is written to it."""
    out_dir = private_dir(session_dir / OUTPUT_DIR)
    path, n = out_dir / f"{name}.log", 1
    while True:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            return path
        except FileExistsError:
            n += 1
            path = out_dir / f"{name}-{n}.log"


def ends_cut(path: Path) -> bool:
    """True when the side file's last line has no newline: the command (or the cockpit) stopped
    in the middle of it."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except OSError:
        return False


def safe_name(run_id: str) -> str:
    """A file name made from a run id."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in run_id).strip(".")[:80] or "run"


def read_excerpt(path: Path, lines: int = EXCERPT_LINES, chars: int = EXCERPT_CHARS) -> str:
    """The last `lines` lines (at most `chars` characters) of an output side file."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - chars * 4))
            tail = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    kept = tail.rstrip("\n").split("\n")[-lines:]
    while len(kept) > 1 and sum(len(line) + 1 for line in kept) - 1 > chars:
        kept.pop(0)  # whole lines only: an excerpt that starts mid-line reads as garbage
    text = "\n".join(kept)
    return text if len(text) <= chars else "…" + text[-(chars - 1) :]


@dataclass(frozen=True, slots=True)
class Written:
    """What one `OutputFile.feed` wrote: complete lines (for good) and the incomplete last line
    (shown until the next feed replaces it), both redacted: what a screen may show."""

    lines: str
    partial: str


class OutputFile:
    """The side file of one running command."""

    def __init__(self, path: Path, redactor: StreamRedactor, command: str | None = None) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._redactor = redactor
        self.bytes = os.fstat(self._fd).st_size
        self._partial = b""  # the end of the file: the incomplete last line as written so far
        # complete lines with their timing, for `asciinema play` (only when the command is known)
        self._cast = CastWriter(path.with_suffix(".cast"), command) if command is not None else None

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def feed(self, text: str) -> Written:
        """Redact and append output. The incomplete last line is written too (redacted as if it
        ended there) and taken back when the next feed brings the rest of it."""
        lines = self._redactor.feed(text)
        partial = self._redactor.pending_preview()
        if not lines and not partial:
            return Written("", "")
        data = (lines + partial).encode("utf-8", errors="replace")
        if self._partial:
            if data.startswith(self._partial):  # the open line grew as it was: add what is new
                data = data[len(self._partial) :]
            else:  # it reads differently now (a mask): take it back, write it again
                self._take_back_partial()
        self._write(data)
        self._partial = partial.encode("utf-8", errors="replace")
        if self._cast is not None:
            self._cast.write(lines)
        return Written(lines, partial)

    def _take_back_partial(self) -> None:
        os.ftruncate(self._fd, self.bytes - len(self._partial))
        self.bytes -= len(self._partial)
        self._partial = b""

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        self.bytes += len(data)

    def close(self) -> str:
        """Write what the redactor held back, fsync and close (a second call does nothing).
        Returns the redacted text written (the last line, when it had no newline)."""
        if self._fd < 0:
            return ""
        if self._partial:
            self._take_back_partial()
        rest = self._redactor.flush()
        self._write(rest.encode("utf-8", errors="replace"))
        if self._cast is not None:
            self._cast.write(rest)
            self._cast.close()
        fd, self._fd = self._fd, -1
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return rest
