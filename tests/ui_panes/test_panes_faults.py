"""The real Pods pane behind the fault-injecting proxy: it says in one sentence what went wrong,
shows its data as stale with its age while nothing arrives, and after each fault heals its rows
equal a fresh list of the sandbox's pods (no duplicate, no gap, no phantom)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from cockpit.cluster.health import Deadlines
from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.pods import summarize_pod
from cockpit.sandbox import Sandbox
from cockpit.sandbox.resources import NAMESPACES, PODS
from cockpit.sandbox.store import Store
from cockpit.ui.panes import PodsPane
from cockpit.ui.widgets.virtual_table import VirtualTable
from tests.cluster.faultproxy import FaultProxy, write_kubeconfig
from tests.pane_app import PaneApp


def _pod(name: str, ns: str = "team-a", phase: str = "Running") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": ns},
        "spec": {"containers": [{"name": "app", "image": "busybox"}]},
        "status": {"phase": phase},
    }


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[Store, FaultProxy, ClusterHub]]:
    store = Store(seed=2)
    store.create(NAMESPACES, {"metadata": {"name": "team-a"}})
    for i in range(12):
        store.create(PODS, _pod(f"web-{i:02d}"))
    box = Sandbox(world=False, store=store, bookmark_interval=0.1).start()
    proxy = FaultProxy(box.port, on_restart=store.compact).start()
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", proxy.url)

    def pause(seconds: float, stop: threading.Event) -> bool:
        return stop.wait(min(seconds, 0.3))  # long enough for the pane to show the reason

    options = {
        "deadlines": Deadlines(connect=2.0, read=0.4, silence=0.4, probe=0.4, stale_after=0.5),
        "pause": pause,
        "page_size": 5,
        "watchdog_interval": 0.05,
    }
    hub = ClusterHub.connect(kubeconfig=kubeconfig, env={}, informer_options=options)
    assert hub.connected, hub.problem
    yield store, proxy, hub
    hub.stop()
    proxy.stop()
    box.stop()


async def wait_until(pilot: Any, predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.02)
        if predicate():
            return
    assert predicate()


async def test_pods_pane_says_what_broke_shows_stale_data_and_heals_to_a_fresh_list(
    rig: tuple[Store, FaultProxy, ClusterHub],
) -> None:
    store, proxy, hub = rig
    pane = PodsPane(hub)
    app = PaneApp(pane)

    def fresh() -> dict[str, Any]:
        return {o["metadata"]["uid"]: summarize_pod(o) for o in store.list(PODS)}

    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one("#pods-table", VirtualTable)
        status = app.query_one(".pane-status", Static)

        def healed() -> bool:
            return pane.rows == fresh() and table.row_count == len(pane.rows) and not status.display

        await wait_until(pilot, healed)
        cases = [
            (("html-502", "watch"), "502 Bad Gateway (an HTML page: from a proxy or load balancer?)"),
            (("non-object-line", "watch"), "that is not a Kubernetes object"),
            (("truncated-line", "watch"), "— re-listing"),
            (("throttle", "watch"), "it asked to wait 3 s before trying again"),
            (("hung-list", "probe"), "has sent nothing (not even a bookmark)"),
        ]
        for serial, ((fault, on), words) in enumerate(cases * 2, start=1):
            if fault == "hung-list":  # the server stops answering: the watch and its probe hang
                proxy.inject("hung-list", on="probe")
                proxy.inject("hung-watch")
            else:
                for _ in range(3):  # a few in a row, so the reason stays on screen a moment
                    proxy.inject(fault, on=on)
            store.create(PODS, _pod(f"new-{serial:02d}"))  # changes while the fault is on
            store.delete(PODS, "team-a", f"web-{serial:02d}")
            await wait_until(pilot, lambda w=words: w in str(status.render()))
            text = str(status.render())
            assert text.startswith(("The API server", "The watch of pods")), text
            if fault == "hung-list":
                await wait_until(pilot, lambda: "s ago (stale)" in str(status.render()))
            await wait_until(pilot, healed)
            assert "phantom-uid" not in pane.rows
        names = sorted(p.name for p in pane.rows.values())
        assert len(names) == len(set(names)) == 12  # 10 created, 10 deleted, nothing doubled
