"""Background jobs: `cmd &` and port-forwards, listed with a live tail and stopped with the session.

A `JobManager` belongs to one session. `start()` launches a `CommandRun` in the background and
returns at once; `jobs()` lists them (oldest first) with their state and a bounded tail of output;
`stop(job_id)` cancels one (SIGINT, SIGTERM, SIGKILL to its process group); `stop_all()` (also
`async with JobManager(...)`) stops every job and leaves no process behind.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cockpit.runner.process import CommandRun
from cockpit.runner.procgroup import session_members
from cockpit.runner.result import RunResult, RunState

_TRAILING_AMP = re.compile(r"\s*(?<![&|])&\s*$")


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

    @property
    def state(self) -> JobState:
        state = self.run.state
        if state in (RunState.PENDING, RunState.RUNNING):
            return JobState.RUNNING
        if state is RunState.CANCELLED:
            return JobState.STOPPED
        return JobState.EXITED if state is RunState.SUCCEEDED else JobState.FAILED

    @property
    def result(self) -> RunResult | None:
        return self.run.result

    @property
    def pid(self) -> int | None:
        return self.run.pid

    @property
    def elapsed(self) -> float:
        return self.run.elapsed

    def tail(self, max_chars: int = 4096) -> str:
        """The newest output of the job (ANSI kept), at most `max_chars`."""
        return self.run.tail(max_chars)


JobCallback = Callable[[Job], None]
JobOutputCallback = Callable[[Job, str], None]


def strip_background(cmd: str) -> str:
    """`cmd &` -> `cmd` (a trailing `&&` or `|&` is not a background marker)."""
    return _TRAILING_AMP.sub("", cmd.rstrip())


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
        ready: Callable[[], bool] | None = None,
        columns: int = 120,
        rows: int = 40,
    ) -> None:
        self.env = dict(env or {})
        self.cwd = cwd
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.on_change = on_change
        self.on_output = on_output
        self.ready = ready  # as CommandRun's: the consumer of on_output is behind, output waits
        self.columns = columns
        self.rows = rows
        self._jobs: dict[int, Job] = {}
        self._next_id = 1

    async def start(self, cmd: str, *, label: str = "", env: Mapping[str, str] | None = None) -> Job:
        """Start `cmd` in the background (a trailing `&` is removed) and return its Job at once.
        A job that cannot start is returned already FAILED (its result says why)."""
        job_id = self._next_id
        self._next_id += 1
        command = strip_background(cmd)
        side = self.output_dir / f"job-{job_id}.out" if self.output_dir is not None else None
        run = CommandRun(
            command,
            env={**self.env, **(env or {})},
            cwd=self.cwd,
            columns=self.columns,
            rows=self.rows,
            output_path=side,
            flush_interval=0.1,
            ready=self.ready,
        )
        job = Job(id=job_id, cmd=command, run=run, label=label or command)
        if self.on_output is not None:
            on_output = self.on_output
            run.on_output = lambda text: on_output(job, text)
        run.on_exit = lambda _result: self._changed(job)
        self._jobs[job_id] = job
        await run.start()
        if run.running:
            self._changed(job)
        return job

    def _changed(self, job: Job) -> None:
        if self.on_change is not None:
            self.on_change(job)

    def jobs(self) -> list[Job]:
        """Every job of the session, oldest first, running or not."""
        return list(self._jobs.values())

    def running(self) -> list[Job]:
        return [job for job in self._jobs.values() if job.state is JobState.RUNNING]

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    async def stop(
        self, job_id: int, *, interrupt_grace: float = 1.0, terminate_grace: float = 2.0
    ) -> RunResult | None:
        """Stop one job (returns its result; no-op if it already ended). KeyError for an unknown id."""
        job = self._jobs.get(job_id)
        if job is None:
            raise KeyError(f"no background job {job_id}")
        return await job.run.cancel(interrupt_grace=interrupt_grace, terminate_grace=terminate_grace)

    async def stop_all(self, *, interrupt_grace: float = 0.5, terminate_grace: float = 1.0) -> None:
        """Stop every running job, concurrently, and wait until each process is gone."""
        running = self.running()
        await asyncio.gather(
            *(j.run.cancel(interrupt_grace=interrupt_grace, terminate_grace=terminate_grace) for j in running)
        )
        for job in running:  # a job's own children that left its process group
            job.run.kill()
        for _ in range(50):  # SIGKILL is asynchronous: wait (briefly) until they are really gone
            if not any(job.pid and session_members(job.pid) for job in running):
                break
            await asyncio.sleep(0.02)

    async def __aenter__(self) -> JobManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_all()
