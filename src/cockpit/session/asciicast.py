"""asciicast v2 recordings of command output (https://docs.asciinema.org/manual/asciicast/v2/):
a JSON header line, then one `[seconds, "o", text]` line per chunk of output, as the side file
received it (redacted). `asciinema play FILE` and the asciinema web player replay it.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import IO

import msgspec

WIDTH, HEIGHT = 120, 40  # the pseudo-terminal size commands run in (runner.process)


def _crlf(text: str) -> str:
    """Every lone LF as CR LF (a terminal needs CR LF; a PTY already sends it). Two str.replace
    calls, not a regex: this runs on every chunk of every command's output; and none when every LF
    has its CR already (what a PTY sends: two counts, no copy of the chunk)."""
    if text.count("\n") == text.count("\r\n"):
        return text
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def header(command: str, started_wall: float, width: int = WIDTH, height: int = HEIGHT) -> str:
    return json.dumps(
        {
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": int(started_wall),
            "title": command.strip().splitlines()[0][:200] if command.strip() else "command",
            "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"},
        },
        ensure_ascii=False,
    )


_EVENT = msgspec.json.Encoder()  # ~8x faster than json.dumps on a megabyte of output


def event(seconds: float, text: str) -> bytes:
    """One output event line (without its newline), UTF-8 JSON."""
    return _EVENT.encode([round(seconds, 6), "o", text])


class CastWriter:
    """The live recording of one run, written beside its side file and flushed with it."""

    def __init__(self, path: Path, command: str) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._fh: IO[bytes] = os.fdopen(fd, "wb", buffering=0)  # each write reaches the file at once
        self._start = time.monotonic()
        self._fh.write((header(command, time.time()) + "\n").encode("utf-8"))

    def write(self, text: str) -> None:
        if text and not self._fh.closed:
            self._fh.write(event(time.monotonic() - self._start, _crlf(text)) + b"\n")

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def cast_from_side_file(side: Path, command: str, duration: float | None, started_iso: str | None) -> str:
    """A recording for a run that has none: the whole (redacted) output at the run's end."""
    try:
        text = side.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    started = datetime.fromisoformat(started_iso.replace("Z", "+00:00")).timestamp() if started_iso else 0.0
    lines = [header(command, started)]
    if text:
        lines.append(event(duration or 0.0, _crlf(text)).decode("utf-8"))
    return "\n".join(lines) + "\n"
