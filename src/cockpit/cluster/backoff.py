"""Reconnect delays like client-go's reflector: about 1 s doubling to 30 s, with jitter so many
clients do not retry in step, back to 1 s once a connection has been healthy for a while, and never
shorter than a server's `Retry-After`.

Time is injected (`clock`), so tests can count retries and check delays without sleeping.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRY_AFTER_CAP = 60.0  # a Retry-After longer than this is shortened: the pane must not freeze for an hour


@dataclass(slots=True)
class Backoff:
    initial: float = 1.0
    cap: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2  # each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
    reset_after: float = 60.0  # healthy this long (see `healthy`): the next failure starts at `initial`
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic
    _next: float = field(default=0.0, init=False)
    _healthy_since: float | None = field(default=None, init=False)

    def next(self, retry_after: float | None = None) -> float:
        """The delay before the next attempt (and the one after grows). `retry_after`: what the
        server asked for (429/503); the delay is at least that, up to RETRY_AFTER_CAP."""
        if self._healthy_since is not None and self.clock() - self._healthy_since >= self.reset_after:
            self._next = 0.0
        self._healthy_since = None
        base = self._next or self.initial
        self._next = min(self.cap, base * self.factor)
        delay = min(self.cap, base * (1.0 + self.rng.uniform(-self.jitter, self.jitter)))
        if retry_after is not None and retry_after > 0:
            delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
        return delay

    def healthy(self) -> None:
        """The connection works (data arrived); the first call starts the healthy period."""
        if self._healthy_since is None:
            self._healthy_since = self.clock()

    def reset(self) -> None:
        self._next = 0.0
        self._healthy_since = None

    @property
    def current(self) -> float:
        """The base of the next delay (0.0 right after a reset)."""
        return self._next
