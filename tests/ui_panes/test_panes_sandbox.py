"""The panes against the sandbox: the seed scenario as the operator sees it, and actions through Pilot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Log, Static, TabbedContent, TabPane

from cockpit.cluster.hub import ClusterHub
from cockpit.sandbox import Sandbox
from cockpit.ui.panes import build_live_panes
from cockpit.ui.widgets.virtual_table import VirtualTable
from tests.cluster.sandboxfix import hub_for, start_sandbox
from tests.ui_panes.test_panes import wait_until


class LiveApp(App[None]):
    """Tabs like the cockpit's live area."""

    def __init__(self, hub: ClusterHub) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        with TabbedContent():
            for i, (title, widget) in enumerate(build_live_panes(self.hub)[:5]):
                with TabPane(title, id=f"tab-{i}"):
                    yield widget


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Sandbox, ClusterHub]]:
    box, kubeconfig = start_sandbox(tmp_path)
    hub = hub_for(kubeconfig)
    yield box, hub
    hub.stop()
    box.stop()


async def test_seed_scenario_in_every_pane(live: tuple[Sandbox, ClusterHub]) -> None:
    _box, hub = live
    app = LiveApp(hub)
    async with app.run_test(size=(200, 50)) as pilot:
        pods = app.query_one("#pods-table", VirtualTable)
        await wait_until(pilot, lambda: pods.row_count == 138, timeout=10)
        assert "Pod health 75% (104/138 pods)" in str(app.query_one("#pods-summary", Static).render())
        status = pods.get_column_index("status")
        first = [str(pods.get_row_at(i)[status]) for i in range(34)]
        assert "Running" not in first  # the 34 problem pods come first
        argo = app.query_one("#argo-table", VirtualTable)
        assert argo.row_count == 0  # a hidden tab does not render...
        app.query_one(TabbedContent).active = "tab-1"
        await wait_until(pilot, lambda: argo.row_count == 17)  # ...until it is shown
        assert str(app.query_one("#argo-summary", Static).render()).startswith("Synced 7/17")
        certs = app.query_one("#certs-table", VirtualTable)
        app.query_one(TabbedContent).active = "tab-2"
        await wait_until(pilot, lambda: certs.row_count == 9)
        assert [str(certs.get_row_at(i)[0]) for i in range(2)] == ["graphql-gateway-tls", "spark-history-tls"]
        metrics = app.query_one("#metrics-table", DataTable)
        assert metrics.row_count == 0  # no plan in this app: nothing to show
        assert "no success-metrics table" in str(app.query_one("#metrics-note", Static).render())


async def test_pod_logs_key_follows_the_pod_in_the_logs_tab(live: tuple[Sandbox, ClusterHub]) -> None:
    _box, hub = live
    app = LiveApp(hub)
    async with app.run_test(size=(200, 50)) as pilot:
        pods = app.query_one("#pods-table", VirtualTable)
        await wait_until(pilot, lambda: pods.row_count == 138, timeout=10)
        app.query_one("#pods-filter").disabled = False
        pods.focus()
        await pilot.press("slash", *"dolphinscheduler-worker", "enter")
        await wait_until(pilot, lambda: pods.row_count == 4)
        await pilot.press("l")
        log = app.query_one("#logs-view", Log)
        await wait_until(pilot, lambda: log.line_count > 0, timeout=10)
        assert app.query_one(TabbedContent).active == "tab-3"
        footer = str(app.query_one("#logs-footer", Static).render())
        assert footer.startswith("data-platform/pod/dolphinscheduler-worker-")


async def test_write_keys_are_off_without_a_session_gate(live: tuple[Sandbox, ClusterHub]) -> None:
    """Outside the cockpit app no gate records a write: the keys show disabled and change nothing
    (the confirmed, journaled flow is in test_pane_actions.py)."""
    _box, hub = live
    app = LiveApp(hub)
    async with app.run_test(size=(200, 50)) as pilot:
        app.query_one(TabbedContent).active = "tab-1"
        argo = app.query_one("#argo-table", VirtualTable)
        await wait_until(pilot, lambda: argo.row_count == 17)
        argo.focus()
        argo.move_cursor(row=names_index(argo, "data-platform"))
        await pilot.pause()
        assert not app.screen.active_bindings["R"].enabled
        await pilot.press("R")
        await pilot.pause(0.2)
        assert not app.screen.query("#dialog-body")
        apps = hub.apps()
        assert apps is not None
        assert not any(a.refreshing for a in apps.values())


def names_index(table: VirtualTable, name: str) -> int:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)].index(name)


async def test_certificate_drill_down_in_the_pane(live: tuple[Sandbox, ClusterHub]) -> None:
    _box, hub = live
    app = LiveApp(hub)
    async with app.run_test(size=(200, 50)) as pilot:
        app.query_one(TabbedContent).active = "tab-2"
        certs = app.query_one("#certs-table", VirtualTable)
        await wait_until(pilot, lambda: certs.row_count == 9)
        certs.focus()
        certs.move_cursor(row=1)  # spark-history-tls (not Ready ones first)
        await pilot.press("enter")
        detail = app.query_one("#certs-detail", Static)
        await wait_until(pilot, lambda: "Why:" in str(detail.render()), timeout=10)
        text = str(detail.render())
        assert "CertificateRequest spark-history-tls-1" in text and "Challenge " in text
        assert "Cloudflare Access" in text


async def test_panes_stay_correct_across_a_sandbox_restart(tmp_path: Path) -> None:
    box, kubeconfig = start_sandbox(tmp_path)
    hub = hub_for(kubeconfig, watch_timeout=(1, 1))
    app = LiveApp(hub)
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            pods = app.query_one("#pods-table", VirtualTable)
            await wait_until(pilot, lambda: pods.row_count == 138, timeout=10)
            port = box.port
            box.stop()
            status = app.query_one("#pods-pane .pane-status", Static)
            await wait_until(pilot, lambda: "Cannot reach the API server" in str(status.render()))
            box = Sandbox(port=port, seed=0).start()
            box.run_in_loop(box.store.compact)
            await wait_until(pilot, lambda: not status.display, timeout=40)
            truth = {p.uid for p in hub.pods().values()}  # type: ignore[union-attr]
            await wait_until(pilot, lambda: pods.row_count == 138)
            keys = pods.row_keys
            assert len(keys) == len(set(keys)) and set(keys) == truth
            assert "Pod health 75% (104/138 pods)" in str(app.query_one("#pods-summary", Static).render())
    finally:
        hub.stop()
        box.stop()


async def test_pod_events_key_shows_the_pods_events(live: tuple[Sandbox, ClusterHub]) -> None:
    _box, hub = live
    app = LiveApp(hub)
    async with app.run_test(size=(200, 50)) as pilot:
        pods = app.query_one("#pods-table", VirtualTable)
        await wait_until(pilot, lambda: pods.row_count == 138, timeout=10)
        pods.focus()
        await pilot.press("slash", *"trino-worker", "enter")
        await wait_until(pilot, lambda: pods.row_count == 3)
        await pilot.press("e")
        panel = app.query_one("#pods-events", Static)
        await wait_until(pilot, lambda: "BackOff" in str(panel.render()), timeout=10)
        text = str(panel.render())
        assert text.startswith("Events of data-platform/trino-worker-") and "Warning" in text
