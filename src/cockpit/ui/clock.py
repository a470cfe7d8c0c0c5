"""One tick a second for the whole screen.

The cockpit app publishes its session clock's tick (`CockpitApp.clock_signal`); the live panes
tick with it, so the status line's clock and every pane's ages change in the same frame: one
paint a second when nothing else happens, not one per timer. Outside the cockpit app (a pane in
a test app) a widget gets a timer of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.signal import Signal


def every_second(node: DOMNode, tick: Callable[[], Any]) -> None:
    """Call `tick` once a second while `node` is mounted (call it from the node's on_mount)."""
    clock = getattr(node.app, "clock_signal", None)
    if isinstance(clock, Signal):
        clock.subscribe(node, lambda _now: tick())
    else:
        node.set_interval(1.0, tick)
