"""Command output side files: one per run under `output/` in the session folder.

Output is redacted line by line as it arrives, written and flushed at once (so it survives the
cockpit being killed), and fsynced when the command ends. The journal only gets an excerpt.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from cockpit.session.redact import StreamRedactor

OUTPUT_DIR = "output"
EXCERPT_LINES = 20
EXCERPT_CHARS = 2000


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


class OutputFile:
    """The side file of one running command."""

    def __init__(self, path: Path, redactor: StreamRedactor) -> None:
        self.path = path
        self._fh: IO[bytes] = path.open("ab")
        self._redactor = redactor
        self.bytes = path.stat().st_size

    def feed(self, text: str) -> None:
        """Redact and append output (an incomplete last line waits for the rest of it)."""
        self._write(self._redactor.feed(text))

    def _write(self, text: str) -> None:
        if text:
            data = text.encode("utf-8", errors="replace")
            self._fh.write(data)
            self._fh.flush()
            self.bytes += len(data)

    def close(self) -> None:
        """Write what the redactor held back, fsync and close (a second call does nothing)."""
        if self._fh.closed:
            return
        self._write(self._redactor.flush())
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
