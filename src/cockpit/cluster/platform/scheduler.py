"""Check every URL concurrently, round after round, and remember when each one last changed.

The next round is scheduled only after the previous one has finished (a slow URL never piles up
overlapping rounds). Results are handed to a callback after each round; nothing here blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cockpit.cluster.platform.http_checks import CheckResult, CheckRunner
from cockpit.cluster.platform.spec import ServiceCheck

DEFAULT_INTERVAL_S = 30.0
MAX_CONCURRENCY = 16


@dataclass(frozen=True, slots=True)
class CheckState:
    """The latest result of a check and since when its outcome has been what it is."""

    result: CheckResult
    changed_at: datetime
    previous: CheckResult | None = None

    @property
    def check(self) -> ServiceCheck:
        return self.result.check

    def unchanged_for(self, now: datetime | None = None) -> float:
        return ((now or datetime.now(UTC)) - self.changed_at).total_seconds()


RoundCallback = Callable[[list[CheckState]], Awaitable[None] | None]


class CheckMonitor:
    """Runs `checks` every `interval_s` seconds (measured from the end of the previous round)."""

    def __init__(
        self,
        checks: Sequence[ServiceCheck],
        interval_s: float = DEFAULT_INTERVAL_S,
        runner: CheckRunner | None = None,
        max_concurrency: int = MAX_CONCURRENCY,
    ) -> None:
        self.checks = list(checks)
        self.interval_s = interval_s
        self.runner = runner or CheckRunner()
        self._states: dict[str, CheckState] = {}
        self._sem = asyncio.Semaphore(max_concurrency)
        self._wake = asyncio.Event()
        self.rounds = 0

    @property
    def states(self) -> list[CheckState]:
        """Latest state per check, in the order the checks were given."""
        return [self._states[c.key] for c in self.checks if c.key in self._states]

    async def _one(self, check: ServiceCheck) -> CheckResult:
        async with self._sem:
            return await self.runner.run(check)

    async def run_round(self) -> list[CheckState]:
        """Run every check once, concurrently; update change tracking; return the states."""
        await self.runner.prepare(self.checks)
        results = await asyncio.gather(*(self._one(c) for c in self.checks))
        for result in results:
            key = result.check.key
            old = self._states.get(key)
            if old is None or old.result.outcome != result.outcome:
                self._states[key] = CheckState(result, result.checked_at, old.result if old else None)
            else:
                self._states[key] = CheckState(result, old.changed_at, old.previous)
        self.rounds += 1
        return self.states

    def refresh_now(self) -> None:
        """Cut the current wait short: the next round starts at once."""
        self._wake.set()

    async def run_forever(self, on_round: RoundCallback) -> None:
        """Round, callback, wait, repeat, until cancelled. Closes the HTTP clients on the way out."""
        try:
            while True:
                states = await self.run_round()
                outcome = on_round(states)
                if outcome is not None:
                    await outcome
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)
        finally:
            await self.runner.aclose()
