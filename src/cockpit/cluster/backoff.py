"""Reconnect delays: about 1 s doubling to 30 s, with jitter so many clients do not retry in step."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    initial: float = 1.0
    cap: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2  # each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
    _next: float = field(default=0.0, init=False)
    rng: random.Random = field(default_factory=random.Random)

    def next(self) -> float:
        base = self._next or self.initial
        self._next = min(self.cap, base * self.factor)
        return min(self.cap, base * (1.0 + self.rng.uniform(-self.jitter, self.jitter)))

    def reset(self) -> None:
        self._next = 0.0
