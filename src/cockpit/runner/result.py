"""How a command run ends: its state, its result, and the one-line reason for a failure."""

from __future__ import annotations

import re
import shlex
import signal
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class RunnerError(Exception):
    """A problem the operator can fix (bad working directory, run started twice); one-line message."""


class RunState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a run ended.

    `exit_code` is the process's exit status, or None when it died from a signal (then `signal`
    holds the signal number). `error` is a one-line message for anything but success, e.g.
    "command not found: kubectl", "exited with code 2", "killed by SIGKILL", or a spawn failure.
    `duration` is in seconds (monotonic), `started_at` / `ended_at` are epoch seconds.
    `bytes_out` counts every raw byte read; `output_path` is the side file holding them all
    (`output_error` says why it stopped being written, e.g. a full disk; the run went on).
    """

    cmd: str
    exit_code: int | None
    signal: int | None
    duration: float
    started_at: float
    ended_at: float
    cancelled: bool = False
    error: str | None = None
    bytes_out: int = 0
    output_path: Path | None = None
    output_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.cancelled

    @property
    def summary(self) -> str:
        """One line for the Output pane header: "exit 0 in 1.2s", "command not found: kubectl (0.0s)"."""
        took = f"{self.duration:.1f}s"
        if self.ok:
            return f"exit 0 in {took}"
        if self.cancelled:
            how = f" ({signal_name(self.signal)})" if self.signal else ""
            return f"cancelled{how} after {took}"
        return f"{self.error or 'failed'} ({took})"


def signal_name(signum: int | None) -> str:
    if signum is None:
        return "no signal"
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


_NOT_FOUND = re.compile(r"(?:^|\n)(?:[^\n:]*: )?(?:line \d+: )?([^\n:]+): command not found")
_NOT_EXEC = re.compile(
    r"(?:^|\n)(?:[^\n:]*: )?(?:line \d+: )?([^\n:]+): (Permission denied|cannot execute[^\n]*)"
)


def describe_exit(cmd: str, exit_code: int | None, signum: int | None, tail: str) -> str | None:
    """The one-line error for an exit, or None for success. `tail` is the run's last output."""
    if signum is not None:
        return f"killed by {signal_name(signum)}"
    if exit_code == 0:
        return None
    if exit_code == 127:
        found = _NOT_FOUND.findall(tail)
        name = found[-1].strip() if found else _first_word(cmd)
        return f"command not found: {name}"
    if exit_code == 126:
        found = _NOT_EXEC.findall(tail)
        if found:
            return f"cannot execute {found[-1][0].strip()}: {found[-1][1]}"
        return f"cannot execute: {_first_word(cmd)}"
    return f"exited with code {exit_code}"


def _first_word(cmd: str) -> str:
    try:
        words = shlex.split(cmd)
    except ValueError:
        words = cmd.split()
    for word in words:
        if "=" in word and not word.startswith("="):
            continue  # FOO=bar cmd
        return word
    return cmd.strip()
