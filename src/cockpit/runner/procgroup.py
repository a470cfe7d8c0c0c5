"""Processes of a command's session: find what is left of it and kill it (Linux /proc)."""

from __future__ import annotations

import contextlib
import os
import signal


def session_members(sid: int) -> list[int]:
    """Live (non-zombie) pids whose session id is `sid` (Linux /proc; empty elsewhere)."""
    pids: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return pids
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 3 and int(fields[3]) == sid and fields[0] != b"Z":  # state ppid pgrp session
            pids.append(int(entry))
    return pids


def kill_session(sid: int) -> None:
    """SIGKILL every process left in session `sid` (children that changed process group)."""
    for pid in session_members(sid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
