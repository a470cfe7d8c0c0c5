"""`watch CMD`: re-run CMD every N seconds in place, each complete run replacing the previous one.

Like procps `watch`, the interval is counted from the end of one run to the start of the next, so a
slow command is never run twice at once. Use it as an async iterator, or with a callback::

    w = Watch("kubectl get applications -n argocd", env=kube.env, on_run=pane.replace)
    w.start()            # a task; w.stop() cancels it (and the run in flight)

    async for snapshot in Watch(cmd, interval=2):
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cockpit.runner.process import RunResult


@dataclass(frozen=True, slots=True)
class WatchRun:
    """One complete run: `index` counts from 1, `output` is its whole (bounded) output."""

    index: int
    cmd: str
    output: str
    result: RunResult


def parse_watch(cmd: str) -> tuple[str, float] | None:
    """`watch [-n N] [-d] [-t] CMD...` -> (CMD, N); None when `cmd` is not a watch command."""
    ...


class Watch:
    """Re-runs `cmd` every `interval` seconds until stopped. Output per run is capped at
    `max_output_chars` (the newest kept)."""

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
    ) -> None: ...

    def __aiter__(self) -> AsyncIterator[WatchRun]: ...

    async def run(self) -> None:
        """Run until stopped (or `max_runs`), calling `on_run` after each complete run."""
        ...

    def start(self) -> object:
        """Start `run()` as a task on the running loop and return the task."""
        ...

    async def stop(self) -> None:
        """Stop re-running; a run in flight is cancelled (SIGINT, SIGTERM, SIGKILL)."""
        ...
