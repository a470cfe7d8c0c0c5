"""A display order that stays put: a row moves only when its rank changes, not on every update.

A live table re-sorted on every change jumps under the operator's cursor: in the pods pane a
restart count going up would move the pod. `StableOrder` places each row once by its full sort
key and keeps it there until its *rank* (the coarse part of the key, e.g. the pod's problem rank)
changes or it is deleted; new rows and re-ranked rows are inserted where the full key puts them.
The list stays sorted by the keys the rows had when they were placed, so placing costs a bisect.
After `reset` the order is exactly `sorted(rows, key=sort_key)`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class StableOrder(Generic[T]):
    """Row keys in display order; see the module docstring."""

    def __init__(self, sort_key: Callable[[T], Any], rank: Callable[[T], Hashable]) -> None:
        self.sort_key = sort_key
        self.rank = rank
        self.keys: list[str] = []
        self._placed: list[tuple[Any, str]] = []  # (sort key when placed, row key), sorted
        self._where: dict[str, tuple[Any, Hashable]] = {}  # row key -> (sort key when placed, rank)

    def __len__(self) -> int:
        return len(self.keys)

    def reset(self, rows: Mapping[str, T]) -> None:
        """Order every row afresh by its full sort key."""
        placed = sorted(((self.sort_key(row), key), key, self.rank(row)) for key, row in rows.items())
        self._placed = [p for p, _k, _r in placed]
        self.keys = [k for _p, k, _r in placed]
        self._where = {k: (p[0], r) for p, k, r in placed}

    def apply(self, upserts: Mapping[str, T], deletes: Iterable[str] = ()) -> bool:
        """Take a batch of changes; True when the order changed."""
        moved = False
        for key in deletes:
            moved |= self._remove(key)
        for key, row in upserts.items():
            rank = self.rank(row)
            where = self._where.get(key)
            if where is not None and where[1] == rank:
                continue  # same rank: the row keeps its place whatever else changed
            self._remove(key)
            sort_key = self.sort_key(row)
            at = bisect_left(self._placed, (sort_key, key))
            self._placed.insert(at, (sort_key, key))
            self.keys.insert(at, key)
            self._where[key] = (sort_key, rank)
            moved = True
        return moved

    def _remove(self, key: str) -> bool:
        where = self._where.pop(key, None)
        if where is None:
            return False
        at = bisect_left(self._placed, (where[0], key))
        del self._placed[at]
        del self.keys[at]
        return True
