"""The live panes inside the real cockpit app (`build_app`, as the CLI builds it) on the sandbox."""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

from textual.widgets import DataTable, TabbedContent, TabPane

from cockpit.launch import LaunchOptions
from cockpit.ui.launch import build_app
from cockpit.ui.panes import MetricsPane, PodsPane
from cockpit.ui.widgets.headline import Headline


async def wait_until(pilot: Any, predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.1)
        if predicate():
            return
    assert predicate()


def row(table: DataTable[Any], name: str) -> list[str]:
    for i in range(table.row_count):
        cells = [str(c) for c in table.get_row_at(i)]
        if cells[0] == name:
            return cells
    raise AssertionError(f"no row {name}")


async def test_seed_metrics_live_and_a_plan_command_moves_them(seed_plan_path: Any) -> None:
    app = build_app(LaunchOptions(plan=seed_plan_path, sandbox=True))
    try:
        async with app.run_test(size=(220, 60)) as pilot:
            pane = app.query_one(MetricsPane)
            tab = next(a for a in pane.ancestors if isinstance(a, TabPane))
            app.query_one("#live-tabs", TabbedContent).active = str(tab.id)  # a hidden pane draws no table
            metrics = pane.query_one("#metrics-table", DataTable)
            await wait_until(pilot, lambda: metrics.row_count == 6 and row(metrics, "Pod Health")[1] != "-")
            assert row(metrics, "Pod Health")[1:5] == [
                "75% (104/138 pods)",
                "80%",
                "✗ not met",
                "75% (104/138 pods)",
            ]
            assert row(metrics, "Running Pods")[1:3] == ["104", "110+"]
            await wait_until(pilot, lambda: row(metrics, "ArgoCD Synced")[1] == "7/17")
            # the headline strip shows the same figures against their targets, whatever pane is shown
            app.refresh_headline()
            strip = app.query_one("#headline", Headline)
            shown = {item.name: (item.value, item.target, item.met) for item in strip.items}
            assert shown["Pod Health"] == ("75% (104/138 pods)", "80%", False)
            assert shown["ArgoCD Synced"] == ("7/17", "12/17", False)
            assert "Certificates Ready" in shown
            assert row(metrics, "Grafana Dashboards")[3] == "not computable from the cluster"
            pods = app.query_one(PodsPane)
            assert app.cluster_hub.target.context == "cockpit-sandbox"
            # the plan's Quick Win 1, run with the environment the cockpit pins for its commands
            env = dict(os.environ, **app.target.env)
            cmd = "kubectl delete jobs -n data-platform --field-selector status.successful==0"
            done = subprocess.run(cmd, shell=True, env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            await wait_until(
                pilot,
                lambda: (
                    not [p for p in pods.rows.values() if p.owner.startswith("Job/") and p.status == "Error"]
                ),
            )
            await wait_until(pilot, lambda: row(metrics, "Pod Health")[1] != "75% (104/138 pods)")
            assert row(metrics, "Pod Health")[4] == "75% (104/138 pods)"  # the baseline stays
            app.query_one(MetricsPane).record_end()
            journaled = app.session.state.metrics
            assert journaled["baseline"]["Pod Health"] == "75% (104/138 pods)"
            assert journaled["baseline"]["ArgoCD Synced"] == "7/17"
            assert journaled["end"]["Pod Health"] == row(metrics, "Pod Health")[1]
    finally:
        for thing in getattr(app, "owned", []):
            thing.stop()
