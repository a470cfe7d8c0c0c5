"""Grafana and Loki clients against recorded responses in the documented API formats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cockpit.cluster.loki import LokiClient, LokiError
from cockpit.cluster.platform.grafana import GrafanaClient

from .recorded import LOKI_DS_ERROR, SELECTOR, TOKEN, RecordedServer
from .servers import free_port


@pytest.fixture
def recorded() -> Iterator[RecordedServer]:
    server = RecordedServer()
    yield server
    server.close()


async def test_grafana_datasource_health_names_the_failing_one(recorded: RecordedServer) -> None:
    client = GrafanaClient(recorded.url, token=TOKEN)
    try:
        status = await client.status()
    finally:
        await client.aclose()
    assert status.version == "10.4.2"
    assert not status.healthy
    assert [(d.name, d.ok) for d in status.datasources] == [("VictoriaMetrics", True), ("Loki", False)]
    assert status.reason == f"Data source Loki (loki) fails: {LOKI_DS_ERROR}"
    assert ("/api/datasources", f"Bearer {TOKEN}") in recorded.httpd.requests


async def test_grafana_without_token_checks_health_only_and_bad_token_is_explained(
    recorded: RecordedServer,
) -> None:
    anon = GrafanaClient(recorded.url)
    wrong = GrafanaClient(recorded.url, token="nope")
    only_vm = GrafanaClient(recorded.url, token=TOKEN, only=["VictoriaMetrics"])
    try:
        up = await anon.status()
        denied = await wrong.status()
        vm = await only_vm.status()
    finally:
        for c in (anon, wrong, only_vm):
            await c.aclose()
    assert up.healthy and "data sources not tested (no token configured)" in up.reason
    assert not denied.healthy and "refused the token (401)" in denied.reason
    assert vm.healthy and vm.reason == "Grafana 10.4.2 is up; 1 data source(s) working."


async def test_grafana_with_basic_auth(recorded: RecordedServer) -> None:
    client = GrafanaClient(recorded.url, basic=("admin", "datahub_admin_password"), only=["VictoriaMetrics"])
    try:
        status = await client.status()
    finally:
        await client.aclose()
    assert status.healthy and [d.name for d in status.datasources] == ["VictoriaMetrics"]


async def test_grafana_database_down_and_unreachable() -> None:
    server = RecordedServer("grafana-db-down")
    client = GrafanaClient(server.url)
    port = free_port()
    gone = GrafanaClient(f"http://127.0.0.1:{port}")
    try:
        down = await client.status()
        refused = await gone.status()
    finally:
        await client.aclose()
        await gone.aclose()
        server.close()
    assert not down.healthy and down.reason.endswith("is unhealthy: database is failing.")
    assert not refused.healthy and "was refused" in refused.reason


async def test_loki_ready_and_selector_lines(recorded: RecordedServer) -> None:
    client = LokiClient(recorded.url, tenant="team-a")
    try:
        status = await client.status(SELECTOR)
        empty = await client.status('{namespace="nothing-here"}')
        with pytest.raises(LokiError, match="parse error at line 1"):
            await client.aquery_range("namespace=data-platform", 0, 10**18)
    finally:
        await client.aclose()
    assert status.ready and status.healthy
    assert [ln.line.split()[0] for ln in status.lines] == [
        "WARN",
        "ERROR",
        "INFO",
    ]  # oldest first, all streams
    assert status.lines[-1].label_map["app"] == "dolphinscheduler-api"
    assert status.reason.startswith(f"{SELECTOR}: 3 line(s), newest ")
    assert empty.ready and not empty.healthy and "has no lines in the last 60 min" in empty.reason


async def test_loki_not_ready_says_why() -> None:
    server = RecordedServer("loki-starting")
    client = LokiClient(server.url)
    try:
        status = await client.status(SELECTOR)
    finally:
        await client.aclose()
        server.close()
    assert not status.healthy
    assert status.reason.endswith(
        "is not ready (503): Ingester not ready: waiting for 15s after being ready."
    )
