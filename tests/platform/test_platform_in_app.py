"""The Platform tab in the real cockpit app (built by the CLI's factory) on the seed plan,
against the sandbox API server: the seed's `curl -I` lines become checks, Velero rows arrive."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from textual.widgets import DataTable, TabbedContent, TabPane

from cockpit.cluster.hub import ClusterHub
from cockpit.launch import LaunchOptions
from cockpit.plan import load_plan
from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox
from cockpit.session.clock import FakeClock
from cockpit.ui.launch import build_app
from cockpit.ui.panes.platform import PlatformPane

from ..conftest import SEED_PLAN


async def test_platform_tab_on_the_seed_plan(sandbox: tuple[Sandbox, Path], tmp_path: Path) -> None:
    box, kubeconfig = sandbox
    box.store.create(r.NAMESPACES, {"metadata": {"name": "velero"}})
    box.store.create(
        r.BACKUPS,
        {
            "apiVersion": "velero.io/v1",
            "kind": "Backup",
            "metadata": {"name": "manual-test-1761307200", "namespace": "velero"},
            "spec": {},
            "status": {"phase": "InProgress", "progress": {"totalItems": 9, "itemsBackedUp": 3}},
        },
    )
    hub = ClusterHub.connect(kubeconfig=kubeconfig, env={})
    app = build_app(
        LaunchOptions(),
        plan=load_plan(SEED_PLAN),
        clock=FakeClock(),
        environ={"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)},
        cluster_hub=hub,
    )
    try:
        async with asyncio.timeout(60), app.run_test(size=(200, 60)) as pilot:
            pane = app.query_one(PlatformPane)
            tab = next(p for p in pane.ancestors if isinstance(p, TabPane))
            app.query_one(TabbedContent).active = str(tab.id)
            checks = pane.query_one("#platform-checks", DataTable)
            backups = pane.query_one("#platform-backups", DataTable)
            deadline = time.monotonic() + 15
            while (checks.row_count < 5 or backups.row_count < 1) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert checks.row_count == 5
            failures = str(pane.query_one("#platform-checks-failures").render()).splitlines()
            assert len(failures) == 5
            assert all("DNS lookup for" in line and "254carbon.com" in line for line in failures), failures
            assert "backup/manual-test-1761307200" in [str(k.value) for k in backups.rows]
            queries = [str(k.value) for k in pane.query_one("#platform-metrics", DataTable).rows]
            assert queries == []  # the sandbox serves no metrics service: the pane says why instead
            note = str(pane.query_one("#platform-metrics-note").render())
            assert note.startswith("No Prometheus-compatible API") or note.startswith("Querying")
            await pilot.pause(0.3)
            events = [json.loads(line) for line in app.session.journal_path.read_text().splitlines()]
            baseline = [
                e["values"]
                for e in events
                if e.get("type") == "metrics"
                and e.get("which") == "baseline"
                and "Service checks healthy" in e["values"]
            ]
            assert baseline, "the platform baseline was not recorded for the transcript"
            assert baseline[0]["Service checks healthy"] == "0/5"
            assert baseline[0]["Velero backups failing"] == "none"  # waited for the backups too
            await pilot.press("q")
            await pilot.pause(0.2)
            await pilot.press("d")  # quit without the transcript: the end values are journaled first
            await pilot.pause(0.5)
        events = [json.loads(line) for line in app.session.journal_path.read_text().splitlines()]
        kinds = [(e.get("type"), e.get("which")) for e in events]
        ends = [i for i, e in enumerate(events) if e.get("type") == "metrics" and e.get("which") == "end"]
        platform_end = [i for i in ends if "Service checks healthy" in events[i]["values"]]
        assert platform_end, f"the platform's end values were not recorded at quit: {kinds}"
        session_end = kinds.index(("ended", None))
        assert platform_end[0] < session_end and platform_end[-1] < session_end  # nothing after the end
    finally:
        hub.stop()
