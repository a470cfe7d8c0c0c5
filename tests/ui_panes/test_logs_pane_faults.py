"""The real Logs pane behind the fault-injecting proxy, following three pods of the sandbox: it says
in one sentence what went wrong (with the data's age while nothing arrives), its footer never says
"following" while a stream is stale or reconnecting, and after each fault heals every pod's lines go
on in the view with nothing doubled, reordered or missing."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from cockpit.cluster.health import Deadlines
from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.logs import LogRequest
from cockpit.sandbox import Sandbox
from cockpit.sandbox.resources import NAMESPACES, PODS
from cockpit.sandbox.store import Store
from cockpit.sandbox.worldapi import StoredLogs
from cockpit.ui.panes import LogsPane
from cockpit.ui.widgets.nav import NavLog
from tests.cluster.faultproxy import FaultProxy, write_kubeconfig
from tests.cluster.test_log_faults import NS, Writer, pod
from tests.pane_app import PaneApp

PODS_FOLLOWED = ["web-0", "web-1", "web-2"]
SHOWN = re.compile(r"^(web-\d) │ (web-\d) n=(\d+)$")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[Writer, FaultProxy, ClusterHub]]:
    store = Store(seed=4)
    store.create(NAMESPACES, {"metadata": {"name": NS}})
    for name in PODS_FOLLOWED:
        store.create(PODS, pod(name))
    logs = StoredLogs()
    box = Sandbox(world=False, store=store, logs=logs).start()
    proxy = FaultProxy(box.port, on_restart=store.compact).start()
    writer = Writer(logs, PODS_FOLLOWED).start()
    while min(writer.count.values()) == 0:
        time.sleep(0.01)
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", proxy.url)

    def pause(seconds: float, stop: threading.Event) -> bool:
        return stop.wait(min(seconds, 0.5))  # long enough for the pane to show the reason

    options = {
        "deadlines": Deadlines(
            connect=2.0, read=0.4, silence=0.4, probe=0.4, stale_after=0.5, short_watch=0.05
        ),
        "pause": pause,
    }
    hub = ClusterHub.connect(kubeconfig=kubeconfig, env={}, informer_options=options)
    assert hub.connected, hub.problem
    yield writer, proxy, hub
    writer.stop()
    hub.stop()
    proxy.stop()
    box.stop()


async def wait_until(pilot: Any, predicate: Any, why: Any = lambda: "", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout  # a guard against hanging, not a measure
    while time.monotonic() < deadline:
        await pilot.pause(0.02)
        if predicate():
            return
    assert predicate(), why()


def shown(view: NavLog, last: int | None = None) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    lines = view.lines
    for text in lines if last is None else lines[-last:]:
        m = SHOWN.match(text)
        assert m is not None and m.group(1) == m.group(2), f"a line no container wrote: {text!r}"
        out.setdefault(m.group(1), []).append(int(m.group(3)))
    return out


async def test_logs_pane_says_what_broke_shows_stale_and_goes_on_whole(
    rig: tuple[Writer, FaultProxy, ClusterHub],
) -> None:
    writer, proxy, hub = rig
    pane = LogsPane(hub)
    app = PaneApp(pane)
    async with app.run_test(size=(160, 40)) as pilot:
        pane.follow(LogRequest(NS, selector="app=web", tail=None))
        view = app.query_one("#logs-view", NavLog)
        status = app.query_one(".pane-status", Static)
        footer = app.query_one("#logs-footer", Static)

        def caught_up() -> bool:
            with writer.lock:
                target = dict(writer.count)
            got = shown(view, 300)  # (the view holds the newest 10,000 lines: compare the newest)
            return not status.display and all(got.get(p, [-1])[-1] >= target[p] - 1 for p in PODS_FOLLOWED)

        def why() -> str:
            return f"{pane.follower.health() if pane.follower else None} {str(status.render())!r}"

        await wait_until(pilot, caught_up, why)
        cases = [
            ("html-502", "502 Bad Gateway (an HTML page: from a proxy or load balancer?)"),
            ("throttle", "it asked to wait 3 s before trying again"),
            ("garbage-stream", "The API server sent"),
            ("reset", "Cannot reach the API server"),
            ("hung", "(stale)"),
        ]
        for fault, words in cases * 2:
            if fault == "hung":  # the stream and its reopenings hang: nothing arrives
                for _ in range(4):
                    proxy.inject("hung-list", on="log")
                proxy.inject("hung-watch", on="log")
            elif fault == "garbage-stream":
                for _ in range(3):
                    proxy.inject("garbage", on="log")
            else:
                for _ in range(3):  # a few in a row, so the reason stays on screen a moment
                    proxy.inject(fault, on="log")
            footers: list[str] = []

            def said(words: str = words, footers: list[str] = footers) -> bool:
                footers.append(str(footer.render()))
                return words in str(status.render())

            await wait_until(pilot, said, lambda f=fault: f"{f}: {why()} {dict(proxy.applied)}")
            text = str(status.render())
            assert re.match(r"^web-\d: ", text), text  # which pod, then the one sentence
            if fault == "hung":
                assert any("· stale" in f or "· reconnecting" in f for f in footers), footers[-3:]
            await wait_until(pilot, caught_up, why)
            assert "following" in str(footer.render())
            for name, got in shown(view).items():  # consecutive: nothing doubled, reordered, missing
                assert got == list(range(got[0], got[0] + len(got))), f"{name} after {fault}: {got[-20:]}"
        assert pane.follower is not None and pane.follower.alive and pane.follower.restarts == 0
