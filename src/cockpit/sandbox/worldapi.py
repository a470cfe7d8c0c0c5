"""What the API server asks of the simulated world (src/cockpit/sandbox/world/).

The server owns the `Store`; the world fills it, runs controllers on its tick loop and produces
pod logs. The server finds the world through `build_world` in `cockpit.sandbox.world` (or its
`world` module):

    build_world(store: Store, *, scenario: Path | None, seed: int, pods: int | None,
                churn: float) -> Simulation

`Simulation.run()` is started as a task on the server's own asyncio loop (a background thread,
never the UI's) and cancelled when the sandbox stops. Until a world is present, the server serves
an empty cluster and `StoredLogs` answers log requests from what tests put into it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from cockpit.sandbox.store import Store

LogLine = tuple[float, str]  # (unix time, text without newline)


@runtime_checkable
class LogSource(Protocol):
    def read(
        self,
        namespace: str,
        pod: str,
        container: str,
        previous: bool,
        since: float | None,
        tail: int | None,
    ) -> list[LogLine]:
        """Lines already written (of the previous container instance when `previous`), oldest first,
        only those at or after `since`, only the last `tail` when given."""
        ...

    def follow(self, namespace: str, pod: str, container: str, after: float) -> AsyncIterator[LogLine]:
        """Lines written after time `after`, as they come; ends when the container stops."""
        ...


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    stdout: str = ""
    stderr: str = ""


@runtime_checkable
class ExecSource(Protocol):
    def exec(self, namespace: str, pod: str, container: str, command: list[str]) -> ExecResult | None:
        """What `command` prints and returns in a running container, or None when the world does not
        simulate it (the server then answers the few commands it knows itself)."""
        ...


class Simulation(Protocol):
    logs: LogSource  # an `exec` method (ExecSource) is optional

    async def run(self) -> None:
        """Tick controllers until cancelled."""
        ...


class BuildWorld(Protocol):
    def __call__(
        self, store: Store, *, scenario: Path | None, seed: int, pods: int | None, churn: float
    ) -> Simulation: ...


class StoredLogs:
    """A LogSource that holds lines appended to it (thread-safe); `follow` wakes on new lines."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: dict[tuple[str, str, str, bool], list[LogLine]] = {}
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def append(
        self, namespace: str, pod: str, container: str, ts: float, text: str, previous: bool = False
    ) -> None:
        with self._lock:
            lines = self._lines.setdefault((namespace, pod, container, previous), [])
            bisect.insort(lines, (ts, text), key=lambda line: line[0])
            waiters, self._waiters = self._waiters, []
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # a follower whose loop has closed
                loop.call_soon_threadsafe(event.set)

    def read(
        self, namespace: str, pod: str, container: str, previous: bool, since: float | None, tail: int | None
    ) -> list[LogLine]:
        with self._lock:
            lines = list(self._lines.get((namespace, pod, container, previous), ()))
        if since is not None:
            lines = [line for line in lines if line[0] >= since]
        if tail is not None:
            lines = lines[-tail:] if tail > 0 else []
        return lines

    async def follow(self, namespace: str, pod: str, container: str, after: float) -> AsyncIterator[LogLine]:
        key = (namespace, pod, container, False)
        with self._lock:
            position = bisect.bisect_right(self._lines.get(key, []), after, key=lambda line: line[0])
        while True:
            event = asyncio.Event()
            with self._lock:
                lines = self._lines.get(key, [])[position:]
                if not lines:
                    self._waiters.append((asyncio.get_running_loop(), event))
            if lines:
                position += len(lines)
                for line in lines:
                    yield line
                continue
            await event.wait()
