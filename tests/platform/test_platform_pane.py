"""The Platform pane in a running Textual app (Pilot), fed by real servers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from cockpit.cluster.health import Health, InformerState
from cockpit.cluster.platform.config import EndpointConfig, PlatformConfig
from cockpit.cluster.platform.spec import ServiceCheck
from cockpit.ui.panes.platform import PlatformPane, build_platform_pane
from tests.pane_app import PaneApp

from .conftest import VictoriaMetrics
from .recorded import TOKEN, RecordedServer
from .servers import Server


@pytest.fixture
def recorded() -> Iterator[RecordedServer]:
    server = RecordedServer()
    yield server
    server.close()


def cell_text(table: DataTable, row: str, col: str) -> str:
    value = table.get_cell(row, col)
    return value.plain if hasattr(value, "plain") else str(value)


async def test_pane_shows_checks_metrics_and_endpoints(
    http_server: Server, victoria_metrics: VictoriaMetrics, recorded: RecordedServer
) -> None:
    now = time.time()
    samples = "".join(
        f'pane_up{{app="x{i}"}} {1 if i < 3 else 0} {int((now - 60 * k - 5) * 1000)}\n'
        for i in range(4)
        for k in range(10)
    )
    victoria_metrics.import_prometheus(samples)
    config = PlatformConfig(
        checks=[
            ServiceCheck(http_server.url("/ok"), name="ok"),
            ServiceCheck(http_server.url("/cf"), name="grafana (cf)"),
            ServiceCheck(http_server.url("/slow"), name="slow", max_latency_s=0.1),
        ],
        interval_s=60,
        prometheus_url=victoria_metrics.url,
        queries=["sum(pane_up)", "pane_up", "sum(rate(pane_up[5m]"],
        grafana=EndpointConfig(recorded.url, token=TOKEN),
        loki=EndpointConfig(recorded.url, selector='{namespace="data-platform"}'),
    )
    pane = build_platform_pane(None, config=config)
    app = PaneApp(pane)
    async with app.run_test(size=(160, 60)) as pilot:
        checks = app.query_one("#platform-checks", DataTable)
        metrics = app.query_one("#platform-metrics", DataTable)
        deadline = time.monotonic() + 10
        while (checks.row_count < 3 or metrics.row_count < 3 or pane.snapshot.loki is None) and (
            time.monotonic() < deadline
        ):
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        ok_key, cf_key, slow_key = (c.key for c in config.checks)
        assert cell_text(checks, ok_key, "status") == "200"
        assert cell_text(checks, ok_key, "latency").endswith(" ms")
        assert cell_text(checks, cf_key, "status") == "302"
        assert cell_text(checks, slow_key, "status") == "200"
        failures = str(app.query_one("#platform-checks-failures", Static).render()).splitlines()
        assert len(failures) == 2  # the healthy one is not listed
        assert failures[0].startswith("● grafana (cf): Redirects to the Cloudflare Access login")
        assert failures[1].startswith("● slow: Answered 200 in ")
        assert failures[1].endswith("slower than the 100 ms limit.")
        assert cell_text(metrics, "sum(pane_up)", "value") == "3"
        assert cell_text(metrics, "pane_up", "value") == "3/4 series = 1"
        assert set(cell_text(metrics, "sum(pane_up)", "spark")) <= set("▁▂▃▄▅▆▇█ ")
        broken = "sum(rate(pane_up[5m]"
        assert cell_text(metrics, broken, "value") == "error"
        errors = str(app.query_one("#platform-metrics-errors", Static).render())
        assert errors.startswith(f"● {broken}: {victoria_metrics.url} answered 422")
        summary = str(app.query_one("#platform-summary", Static).render())
        assert "Checks 1/3 ok" in summary and "Grafana failing" in summary and "Loki ok" in summary
        endpoints = str(app.query_one("#platform-endpoints", Static).render())
        assert "Data source Loki (loki) fails" in endpoints
        assert "ERROR Query exceeded per-node memory limit" in endpoints
        backups_note = str(app.query_one("#platform-backups-note", Static).render())
        assert backups_note == "No cluster connected: Velero backups are read from the cluster."


async def test_broken_config_file_is_one_sentence_in_the_pane() -> None:
    from cockpit.paths import config_file

    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("platform: {interval: soon}\n")
    app = PaneApp(build_platform_pane(None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        problems = str(app.query_one("#platform-problems", Static).render())
        assert problems == f"⚠ {path}:1:22: expected a number; the config file is not used (defaults in use)"
        note = str(app.query_one("#platform-checks-note", Static).render())
        assert note.startswith("No URLs to check")


class TabbedApp(App[None]):
    def __init__(self, pane: PlatformPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        with TabbedContent(id="tabs"):
            with TabPane("Other", id="other"):
                yield Static("something else")
            with TabPane("Platform", id="platform-tab"):
                yield self.pane


async def until(pilot: Pilot[None], predicate: Callable[[], bool], why: str) -> None:
    deadline = time.monotonic() + 15  # generous: a loaded machine delays the 1 s visibility tick
    while not predicate():
        assert time.monotonic() < deadline, why
        await pilot.pause(0.05)


async def test_polls_pause_while_the_tab_is_hidden(http_server: Server) -> None:
    state = http_server.httpd.state  # type: ignore[attr-defined]
    state["count"] = 0
    config = PlatformConfig(checks=[ServiceCheck(http_server.url("/count"))], interval_s=0.2)
    pane = build_platform_pane(None, config=config)
    app = TabbedApp(pane)

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(1.6)  # first rounds, then the 1 s visibility tick pauses the hidden pane
        await until(pilot, lambda: not pane.monitor.active, "the hidden pane never paused its polls")
        hidden_start = state["count"]
        assert hidden_start >= 1
        await pilot.pause(0.8)
        assert state["count"] - hidden_start <= 1, "kept polling while hidden"
        app.query_one(TabbedContent).active = "platform-tab"
        # ~5 rounds at 0.2 s within a second when idle
        await until(pilot, lambda: state["count"] - hidden_start >= 3, "did not resume when shown")


class ListingPods:
    """A pods informer whose first list is still coming (`synced` flips when told)."""

    def __init__(self) -> None:
        self.health = Health(InformerState.STARTING)

    def listed(self) -> None:
        self.health = Health(InformerState.CONNECTED, synced=True)


class ListingHub:
    def __init__(self) -> None:
        self.api = object()
        self.registry = None
        self.informer = ListingPods()

    def pods(self) -> ListingPods:
        return self.informer


async def test_a_hidden_pane_waits_for_the_pods_list_before_its_first_round(http_server: Server) -> None:
    """At start the operator waits for the pods: a hidden Platform pane's first round (checks,
    PromQL over every pod's series) comes after the pods list, not during it."""
    state = http_server.httpd.state  # type: ignore[attr-defined]
    state["count"] = 0
    config = PlatformConfig(checks=[ServiceCheck(http_server.url("/count"))], interval_s=60)
    hub = ListingHub()
    app = TabbedApp(build_platform_pane(None, config=config, hub=hub))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        assert state["count"] == 0  # the pods are still listing: no round yet
        hub.informer.listed()
        await until(pilot, lambda: state["count"] > 0, "no first round after the pods list came in")
