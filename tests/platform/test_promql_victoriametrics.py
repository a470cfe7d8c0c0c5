"""PromQL client against a real VictoriaMetrics single-node server (samples imported by the test)."""

from __future__ import annotations

import time

import pytest

from cockpit.cluster.platform.promql import (
    HttpPromSource,
    PromClient,
    PromError,
    QueryPlan,
    read_metrics,
)
from cockpit.cluster.platform.sparkline import BARS

from .conftest import VictoriaMetrics
from .servers import free_port

SEED_QUERIES = ["count(up == 1)", 'up{kubernetes_namespace="data-platform"}']


@pytest.fixture(scope="module")
def seeded(victoria_metrics: VictoriaMetrics) -> tuple[VictoriaMetrics, float]:
    """30 minutes of `up` for 5 targets: trino-worker comes up halfway, minio is down throughout."""
    now = time.time()
    lines = []
    targets = {
        ("data-platform", "trino-coordinator"): lambda i: 1,
        ("data-platform", "trino-worker"): lambda i: 1 if i >= 15 else 0,
        ("data-platform", "minio"): lambda i: 0,
        ("data-platform", "superset"): lambda i: 1,
        ("monitoring", "grafana"): lambda i: 1,
    }
    for i in range(31):  # one sample a minute, the last 10 s ago
        ts_ms = int((now - 10 - (30 - i) * 60) * 1000)
        for (ns, app), value in targets.items():
            lines.append(
                f'up{{kubernetes_namespace="{ns}",app="{app}",job="kubernetes-pods"}} {value(i)} {ts_ms}'
            )
    victoria_metrics.import_prometheus("\n".join(lines) + "\n")
    return victoria_metrics, now


async def test_seed_queries_give_live_values_and_sparklines(seeded: tuple[VictoriaMetrics, float]) -> None:
    vm, now = seeded
    client = PromClient(HttpPromSource(vm.url))
    try:
        readings = await read_metrics(client, QueryPlan(SEED_QUERIES, range_minutes=30, points=30), now)
    finally:
        await client.aclose()
    count, dp = readings
    assert count.error is None, count.error
    assert count.value == 4.0 and count.text == "4"
    assert dp.text == "3/4 series = 1"  # minio is down
    assert dp.value == 3.0
    spark = count.spark(width=30)
    assert len(spark) >= 20 and set(spark) <= set(BARS)
    assert spark[0] == BARS[0] and spark[-1] == BARS[-1], spark  # 3 up, then 4 up: rises halfway
    assert len(set(spark)) == 2


async def test_bad_query_is_one_sentence_from_the_server(seeded: tuple[VictoriaMetrics, float]) -> None:
    vm, now = seeded
    client = PromClient(HttpPromSource(vm.url))
    try:
        with pytest.raises(PromError) as err:
            await client.instant("count(up ==", now)
        readings = await read_metrics(client, QueryPlan(["sum(rate(up[5m]"]), now)
    finally:
        await client.aclose()
    assert "422" in str(err.value) or "400" in str(err.value)
    assert "\n" not in readings[0].text and readings[0].value is None
    assert readings[0].error and readings[0].spark() == ""


async def test_unreachable_server_is_explained() -> None:
    port = free_port()
    client = PromClient(HttpPromSource(f"http://127.0.0.1:{port}"))
    try:
        with pytest.raises(PromError, match=f"127.0.0.1:{port} was refused"):
            await client.instant("up")
    finally:
        await client.aclose()


async def test_filter_counts_series_and_many_series_are_summed(
    seeded: tuple[VictoriaMetrics, float],
) -> None:
    vm, now = seeded
    down = 'up{kubernetes_namespace="data-platform"} == 0'
    client = PromClient(HttpPromSource(vm.url))
    try:
        filt, bare = await read_metrics(client, QueryPlan([down, "up"], range_minutes=30, points=30), now)
    finally:
        await client.aclose()
    assert filt.text == "1 series" and filt.value == 1.0  # minio; trino-worker came up halfway
    spark = filt.spark(30)
    assert spark[0] == BARS[-1] and spark[-1] == BARS[0], spark  # 2 down, then 1 down
    assert bare.text == "4/5 series = 1" and bare.value == 4.0
    assert bare.history[0] == 3.0 and bare.history[-1] == 4.0  # the sum over the five series
