"""Clocks for the session: a monotonic source, and the session's active time with pauses excluded.

`Clock` is the injectable source (`SystemClock` in the app, `FakeClock` in tests). `ActiveClock`
turns it into the session's own time line: seconds of *active* session time, frozen while paused,
continuing from a restored offset after a resume (so timers rebuilt from a journal match).
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Where time comes from: a monotonic counter (seconds) and the wall clock (epoch seconds)."""

    def monotonic(self) -> float: ...

    def wall(self) -> float: ...


class SystemClock:
    """The real clocks: `time.monotonic()` and `time.time()`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


class FakeClock:
    """A clock the test drives: `advance(seconds)` moves both the monotonic and the wall clock."""

    def __init__(self, wall: float = 1_761_300_000.0, monotonic: float = 1000.0) -> None:
        self._wall = wall
        self._mono = monotonic

    def monotonic(self) -> float:
        return self._mono

    def wall(self) -> float:
        return self._wall

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._mono += seconds
        self._wall += seconds


class ActiveClock:
    """Active session seconds on a monotonic source; time spent paused does not count.

    `offset` is the active time already accumulated before this clock was created (restored from a
    journal on resume). The clock starts running unless `paused=True`.
    """

    def __init__(self, source: Clock, offset: float = 0.0, paused: bool = False) -> None:
        self.source = source
        self._offset = offset
        self._since: float | None = None if paused else source.monotonic()

    @property
    def paused(self) -> bool:
        return self._since is None

    def now(self) -> float:
        """Active seconds so far (frozen while paused)."""
        if self._since is None:
            return self._offset
        return self._offset + max(0.0, self.source.monotonic() - self._since)

    def pause(self) -> None:
        if self._since is not None:
            self._offset = self.now()
            self._since = None

    def unpause(self) -> None:
        if self._since is None:
            self._since = self.source.monotonic()

    def wall(self) -> float:
        return self.source.wall()
