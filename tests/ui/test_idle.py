"""An idle cockpit paints nothing: when nothing changes (frozen session clock, a still cluster),
the one-second timers find nothing to show and the screen gets no update at all, and nothing wakes
up faster than once a second (the output and Platform repaint timers sleep until there is news);
the live panes tick with the session clock, so a live screen changes in one frame a second."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from textual import messages
from textual.timer import Timer

from cockpit.cluster.hub import ClusterHub
from cockpit.launch import LaunchOptions
from cockpit.sandbox import Sandbox
from cockpit.session.clock import FakeClock
from cockpit.ui.app import CockpitApp
from cockpit.ui.launch import build_app
from cockpit.ui.panes import PodsPane
from cockpit.ui.panes.base import LivePane
from cockpit.ui.widgets.virtual_table import VirtualTable

from .conftest import wait_for
from .plans import make_plan

REPAINTS = (messages.Update, messages.Layout, messages.UpdateScroll)


async def test_an_idle_app_repaints_nothing_for_five_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = Sandbox(seed=0, time_scale=1e-6).start()  # the seed world, standing still
    frozen = time.time()  # and the pods' ages too (they tick like kubectl's on a live clock)
    monkeypatch.setattr(PodsPane, "clock", staticmethod(lambda: frozen))
    kubeconfig = box.write_kubeconfig(tmp_path / "kubeconfig", context_name="cockpit-sandbox")
    hub = ClusterHub.connect(kubeconfig=kubeconfig, env={})
    repaints: list[object] = []
    counting = [False]
    fast_ticks: list[str] = []  # timers faster than once a second that ticked while idle
    tick = Timer._tick

    async def counted_tick(self: Timer, *, next_timer: float, count: int) -> None:
        if counting[0] and self._interval < 1.0:
            fast_ticks.append(self.name)
        await tick(self, next_timer=next_timer, count=count)

    monkeypatch.setattr(Timer, "_tick", counted_tick)
    pane_ticks: Counter[str] = Counter()  # each live pane's one-second tick, by pane
    pane_tick = LivePane._tick

    def counted_pane_tick(self: LivePane) -> None:
        if counting[0]:
            pane_ticks[type(self).__name__] += 1
        pane_tick(self)

    monkeypatch.setattr(LivePane, "_tick", counted_pane_tick)
    clock_stopped = [False]  # the panes tick with the session clock: one paint a second, not one each
    tick_clock = CockpitApp.tick_clock

    def stoppable_tick_clock(self: CockpitApp) -> None:
        if not clock_stopped[0]:
            tick_clock(self)

    monkeypatch.setattr(CockpitApp, "tick_clock", stoppable_tick_clock)

    def hook(message: object) -> None:
        if counting[0] and isinstance(message, REPAINTS):
            repaints.append(message)

    app = build_app(
        LaunchOptions(),
        plan=make_plan(),
        clock=FakeClock(),
        environ={"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)},
        cluster_hub=hub,
    )
    try:
        async with app.run_test(size=(200, 50), message_hook=hook) as pilot:
            table = app.query_one(PodsPane).query_one("#pods-table", VirtualTable)
            await wait_for(lambda: table.row_count == 138, pilot)
            await pilot.pause(2.0)  # let the first renders and timers settle
            counting[0] = True
            await asyncio.sleep(5.0)
            counting[0] = False
            assert [(type(m).__name__, getattr(m, "widget", None)) for m in repaints] == []
            assert sorted(set(fast_ticks)) == []
            # one tick a second per pane (each had two timers: its on_mount ran the base's twice)
            assert pane_ticks and max(pane_ticks.values()) <= 6, pane_ticks
            clock_stopped[0] = True  # no session clock tick: no pane ticks either
            await pilot.pause(0.1)
            ticked = sum(pane_ticks.values())
            counting[0] = True
            await asyncio.sleep(2.5)
            counting[0] = False
            assert sum(pane_ticks.values()) == ticked
    finally:
        hub.stop()
        box.stop()
