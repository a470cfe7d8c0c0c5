"""A clock-driven timer queue: callbacks due at a time, run in order by `World.tick`."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any


class Timers:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = itertools.count()

    def at(self, due: float, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), fn, args))

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> list[tuple[Callable[..., None], tuple[Any, ...]]]:
        out = []
        while self._heap and self._heap[0][0] <= now:
            _, _, fn, args = heapq.heappop(self._heap)
            out.append((fn, args))
        return out

    def __len__(self) -> int:
        return len(self._heap)
