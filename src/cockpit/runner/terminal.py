"""Commands that need the real terminal (an editor, a pager, `kubectl exec -it`, a password prompt).

The UI suspends itself (Textual's `App.suspend()`), calls `run_in_terminal`, and resumes after: the
command owns the operator's terminal meanwhile, so its output is not captured (the journal keeps
the command, its exit and its duration). Blocking by design: nothing else draws while it runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from cockpit.runner.result import RunResult, describe_exit


def run_in_terminal(
    cmd: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    banner: str | None = None,
    pause_after: bool = False,
) -> RunResult:
    """Run `cmd` with `/bin/bash -c` on the inherited stdin/stdout/stderr and wait for it.

    `banner` is printed first (e.g. "kube context: prod / data-platform"); with `pause_after` the
    operator presses Enter before the UI comes back, to read the last lines. Ctrl-C goes to the
    command (the caller's process ignores SIGINT meanwhile). Errors come back in the result.
    """
    merged = {**os.environ, **(env or {})}
    if banner:
        print(banner, flush=True)
    started_at, started = time.time(), time.monotonic()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
    try:
        if cwd is not None and not Path(cwd).is_dir():
            returncode, error = None, f"working directory not found: {cwd}"
        else:
            proc = subprocess.run(["/bin/bash", "-c", cmd], env=merged, cwd=cwd, check=False)
            returncode, error = proc.returncode, None
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    duration = time.monotonic() - started
    signum = -returncode if returncode is not None and returncode < 0 else None
    exit_code = returncode if returncode is not None and returncode >= 0 else None
    if error is None:
        error = describe_exit(cmd, exit_code, signum, "")
    if pause_after:
        with contextlib.suppress(EOFError):
            input(f"\n[{error or 'exit 0'}] press Enter to return to cockpit ")
    return RunResult(
        cmd=cmd,
        exit_code=exit_code,
        signal=signum,
        duration=duration,
        started_at=started_at,
        ended_at=started_at + duration,
        error=error,
    )
