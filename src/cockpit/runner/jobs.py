"""Background jobs: `cmd &` and port-forwards, listed with a live tail and stopped with the session.

A `JobManager` belongs to one session. `start()` launches a `CommandRun` in the background and
returns at once; `jobs()` lists them (newest last) with their state and a bounded tail of output;
`stop(job_id)` cancels one (SIGINT, SIGTERM, SIGKILL to its process group); `stop_all()` (also
`async with JobManager(...)`) stops every job and leaves no process behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cockpit.runner.process import CommandRun, RunResult


class JobState(StrEnum):
    RUNNING = "running"
    EXITED = "exited"  # ended on its own with exit 0
    FAILED = "failed"  # ended on its own with an error
    STOPPED = "stopped"  # stopped by the operator or at session end


@dataclass(slots=True, eq=False)
class Job:
    """One background job. `id` is small and stable for the session (1, 2, 3...)."""

    id: int
    cmd: str
    run: CommandRun
    label: str = ""
    stopping: bool = field(default=False, repr=False)

    @property
    def state(self) -> JobState: ...

    @property
    def result(self) -> RunResult | None:
        return self.run.result

    @property
    def pid(self) -> int | None:
        return self.run.pid

    def tail(self, max_chars: int = 4096) -> str:
        """The newest output of the job (ANSI kept), at most `max_chars`."""
        return self.run.tail(max_chars)


JobCallback = Callable[[Job], None]
JobOutputCallback = Callable[[Job, str], None]


class JobManager:
    """Starts, lists and stops the session's background jobs.

    `env`/`cwd` apply to every job (per-job `env` is laid over). `output_dir`, when given, gets one
    side file per job (`job-<id>.out`) with its full raw output. `on_change(job)` is called when a
    job starts or ends; `on_output(job, text)` with each batch of output (see CommandRun).
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        output_dir: str | Path | None = None,
        on_change: JobCallback | None = None,
        on_output: JobOutputCallback | None = None,
        columns: int = 120,
        rows: int = 40,
    ) -> None: ...

    async def start(self, cmd: str, *, label: str = "", env: Mapping[str, str] | None = None) -> Job:
        """Start `cmd` in the background (a trailing `&` is removed) and return its Job at once."""
        ...

    def jobs(self) -> list[Job]:
        """Every job of the session, oldest first, running or not."""
        ...

    def running(self) -> list[Job]: ...

    def get(self, job_id: int) -> Job | None: ...

    async def stop(
        self, job_id: int, *, interrupt_grace: float = 1.0, terminate_grace: float = 2.0
    ) -> RunResult | None:
        """Stop one job (no-op if already ended). Raises KeyError for an unknown id."""
        ...

    async def stop_all(self, *, interrupt_grace: float = 0.5, terminate_grace: float = 1.0) -> None:
        """Stop every running job, concurrently, and wait until each process is gone."""
        ...

    async def __aenter__(self) -> JobManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_all()
