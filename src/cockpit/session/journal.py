"""The session journal: append-only JSONL, one event per line, fsynced before an append returns.

The first line is the header (plan path and sha256, kube context, namespace, operator, start time,
cockpit version, the plan outline). Reading tolerates exactly one kind of damage: a torn last line
(the process was killed mid-write), which is skipped and reported as a warning. Any other damage
is a `JournalError` naming file:line.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cockpit.session.redact import SecretBook, redact_value

JOURNAL_NAME = "journal.jsonl"
FORMAT = 1


class JournalError(Exception):
    """A journal that cannot be read: the message names the file (and line) and what is wrong."""


@dataclass(slots=True)
class JournalContents:
    """A journal as read: header, events after it, warnings (torn tail), bytes that were good."""

    path: Path
    header: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    good_bytes: int = 0


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_journal(path: Path) -> JournalContents:
    """Read a journal. Raises `JournalError` for a missing, empty or corrupt journal."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"{path}: no such journal") from None
    except IsADirectoryError:
        raise JournalError(f"{path}: is a folder, not a journal file") from None
    except OSError as exc:
        raise JournalError(f"{path}: cannot read journal ({exc.strerror})") from None
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline, else a torn last line
    warnings: list[str] = []
    records: list[dict[str, Any]] = []
    good = 0
    for index, raw in enumerate(lines, start=1):
        try:
            record = orjson.loads(raw)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except (orjson.JSONDecodeError, ValueError):
            if index == 1:
                raise JournalError(f"{path}:1: not a cockpit journal (the first line is not JSON)") from None
            if index == len(lines) and not tail:
                warnings.append(f"{path}:{index}: torn last line skipped ({len(raw)} bytes)")
                break
            raise JournalError(f"{path}:{index}: corrupt journal line (not a JSON event)") from None
        records.append(record)
        good += len(raw) + 1
    if tail:
        warnings.append(f"{path}:{len(lines) + 1}: torn last line skipped ({len(tail)} bytes, no newline)")
    if not records or records[0].get("type") != "header":
        if not records and warnings:
            raise JournalError(f"{path}: journal has no complete header line (killed while starting?)")
        raise JournalError(f"{path}: not a cockpit journal (the first line is not a header)")
    header = records[0]
    if int(header.get("format", 0)) > FORMAT:
        raise JournalError(f"{path}: journal format {header.get('format')} is newer than this cockpit")
    return JournalContents(path=path, header=header, events=records[1:], warnings=warnings, good_bytes=good)


def _lock(path: Path, fd: int) -> None:
    """One writer per journal: a second cockpit on the same session is refused (the lock goes
    away with the process, so a killed cockpit never leaves a stale one)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalError(f"{path}: this session is open in another cockpit") from None


class Journal:
    """An open journal, appending events durably (write, flush, fsync) before `append` returns.

    Every string in an event passes through redaction before it is written.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self.book: SecretBook | None = None  # learned Secret values, masked too (set by the session)

    @classmethod
    def create(cls, path: Path, header: dict[str, Any]) -> Journal:
        """A new journal at `path` (which must not exist) whose first line is `header`."""
        path = Path(path)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except FileExistsError:
            raise JournalError(f"{path}: a journal already exists here") from None
        _lock(path, fd)
        journal = cls(path, fd)
        journal.append({"type": "header", "format": FORMAT, **header})
        _fsync_dir(path.parent)
        return journal

    @classmethod
    def reopen(cls, contents: JournalContents) -> Journal:
        """Reopen a read journal for appending; a torn last line is cut off first."""
        path = contents.path
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise JournalError(f"{path}: cannot open journal for writing ({exc.strerror})") from None
        _lock(path, fd)
        if os.fstat(fd).st_size > contents.good_bytes:
            os.ftruncate(fd, contents.good_bytes)
            os.fsync(fd)
        return cls(path, fd)

    def append(self, event: dict[str, Any]) -> None:
        """Write one event durably; on failure (disk full...) nothing of it stays in the file and
        `JournalError` says why."""
        line = orjson.dumps(redact_value(event, self.book), option=orjson.OPT_NON_STR_KEYS) + b"\n"
        if self._fd < 0:
            raise JournalError(f"{self.path}: journal is closed")
        size = os.fstat(self._fd).st_size
        try:
            view = memoryview(line)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
        except OSError as exc:
            # the event does not count: take back whatever part of it reached the file
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)
            raise JournalError(f"{self.path}: cannot write the journal ({exc.strerror})") from None

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
