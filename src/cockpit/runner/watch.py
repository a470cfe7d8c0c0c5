"""`watch CMD`: re-run CMD every N seconds in place, each complete run replacing the previous one.

Like procps `watch`, the interval is counted from the end of one run to the start of the next, so a
slow command is never run twice at once. Use it as an async iterator, or with a callback::

    w = Watch("kubectl get applications -n argocd", env=kube.env, on_run=pane.replace)
    w.start()            # a task; `await w.stop()` cancels it (and the run in flight)

    async for snapshot in Watch(cmd, interval=2):
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cockpit.runner.process import CommandRun
from cockpit.runner.result import RunResult
from cockpit.shell import parse

_FLAGS_NO_VALUE = {
    "-d",
    "--differences",
    "-t",
    "--no-title",
    "-b",
    "--beep",
    "-e",
    "--errexit",
    "-c",
    "--color",
    "-x",
    "--exec",
    "-p",
    "--precise",
    "-g",
    "--chgexit",
    "-w",
    "--no-wrap",
    "--no-linewrap",
}


@dataclass(frozen=True, slots=True)
class WatchRun:
    """One complete run: `index` counts from 1, `output` is its whole (bounded) output."""

    index: int
    cmd: str
    output: str
    result: RunResult


def parse_watch(cmd: str) -> tuple[str, float] | None:
    """`watch [-n N] [-d] [-t] CMD...` -> (CMD, N); None when `cmd` is not a watch command."""
    script = parse(cmd)
    first = script.commands[0] if script.commands else None
    if script.problems or first is None or first.kind != "simple" or not first.words:
        return None
    if first.words[0].value != "watch" or first.assignments:
        return None
    # a word that expands is passed on as written: `sh -c` expands it the same way
    words = [w.value if w.value is not None else w.text for w in first.words]
    interval = 2.0
    i = 1
    while i < len(words) and words[i].startswith("-"):
        word = words[i]
        value: str | None = None
        if word in ("-n", "--interval") and i + 1 < len(words):
            value, i = words[i + 1], i + 2
        elif word.startswith("--interval="):
            value, i = word.split("=", 1)[1], i + 1
        elif word.startswith("-n") and len(word) > 2:
            value, i = word[2:], i + 1
        elif word in _FLAGS_NO_VALUE:
            i += 1
            continue
        elif word == "--":
            i += 1
            break
        else:
            return None
        try:
            interval = max(0.1, float(value))
        except ValueError:
            return None
    rest = words[i:]
    if not rest:
        return None
    # watch joins its arguments with spaces and hands them to `sh -c`: do the same (and keep a
    # pipeline written after it, `watch kubectl get pods | grep x`, as part of what is watched)
    inner = " ".join(rest) if len(rest) > 1 else rest[0]
    after = cmd[first.end :].strip()
    return (f"{inner} {after}" if after else inner), interval


class Watch:
    """Re-runs `cmd` every `interval` seconds until stopped. Output per run is capped at
    `max_output_chars` (the newest kept). `max_runs` stops after that many runs."""

    def __init__(
        self,
        cmd: str,
        *,
        interval: float = 2.0,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        columns: int = 120,
        rows: int = 40,
        on_run: Callable[[WatchRun], None] | None = None,
        max_output_chars: int = 256 * 1024,
        max_runs: int | None = None,
    ) -> None:
        self.cmd = cmd
        self.interval = interval
        self.env = dict(env or {})
        self.cwd = cwd
        self.columns = columns
        self.rows = rows
        self.on_run = on_run
        self.max_output_chars = max_output_chars
        self.max_runs = max_runs
        self.runs = 0
        self.last: WatchRun | None = None
        self._current: CommandRun | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    async def _run_once(self) -> WatchRun:
        parts: list[str] = []
        size = 0

        def collect(text: str) -> None:
            nonlocal size
            parts.append(text)
            size += len(text)
            if size > self.max_output_chars * 2:
                joined = "".join(parts)[-self.max_output_chars :]
                parts[:] = [joined]
                size = len(joined)

        run = CommandRun(
            self.cmd,
            env=self.env,
            cwd=self.cwd,
            columns=self.columns,
            rows=self.rows,
            on_output=collect,
            max_pending_chars=self.max_output_chars,
        )
        self._current = run
        try:
            result = await run.run()
        except asyncio.CancelledError:
            await run.cancel(interrupt_grace=0.3, terminate_grace=0.5)
            raise
        finally:
            self._current = None
        self.runs += 1
        self.last = WatchRun(self.runs, self.cmd, "".join(parts)[-self.max_output_chars :], result)
        return self.last

    async def __aiter__(self) -> AsyncIterator[WatchRun]:
        while not self._stopped and (self.max_runs is None or self.runs < self.max_runs):
            snapshot = await self._run_once()
            yield snapshot
            if self._stopped or (self.max_runs is not None and self.runs >= self.max_runs):
                break
            await asyncio.sleep(self.interval)

    async def run(self) -> None:
        """Run until stopped (or `max_runs`), calling `on_run` after each complete run."""
        async for snapshot in self:
            if self.on_run is not None:
                self.on_run(snapshot)

    def start(self) -> asyncio.Task[None]:
        """Start `run()` as a task on the running loop and return the task."""
        self._task = asyncio.get_running_loop().create_task(self.run())
        return self._task

    async def stop(self) -> None:
        """Stop re-running; a run in flight is cancelled (SIGINT, SIGTERM, SIGKILL)."""
        self._stopped = True
        current = self._current
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if current is not None:
            await current.cancel(interrupt_grace=0.3, terminate_grace=0.5)
