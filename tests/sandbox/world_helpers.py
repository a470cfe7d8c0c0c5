"""A world on a fake clock, for the world tests (no HTTP: the Store directly)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cockpit.sandbox.resources import PODS
from cockpit.sandbox.store import Store
from cockpit.sandbox.world import World, build_world
from cockpit.sandbox.world.pods import display_status

START = 1_761_316_200.0  # 2025-10-24T14:30:00Z, the seed plan's date


class FakeClock:
    def __init__(self, start: float = START) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def make_world(seed: int = 0, **kw: Any) -> tuple[World, Store, FakeClock]:
    clock = FakeClock()
    store = Store(seed=seed, clock=clock)
    world = build_world(store, seed=seed, **kw)
    return world, store, clock


def advance(world: World, clock: FakeClock, seconds: float, step: float = 1.0) -> None:
    """Move the fake clock forward in small steps, running what falls due at each."""
    end = clock.t + seconds
    while clock.t < end:
        clock.t = min(clock.t + step, end)
        world.tick()
    assert not world.errors, list(world.errors)


def statuses(store: Store, namespace: str | None = None, **selector: str) -> Counter[str]:
    labels = ",".join(f"{k}={v}" for k, v in selector.items()) or None
    return Counter(display_status(p) for p in store.list(PODS, namespace, label_selector=labels))
