"""The sandbox VictoriaMetrics' PromQL subset: right numbers for what it supports, an error for
everything else; its series follow the world's pods, with history; the platform pane's in-cluster
discovery reads them through the service proxy."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from cockpit.sandbox.resources import JOBS
from cockpit.sandbox.server import Sandbox
from cockpit.sandbox.world.promql import Matcher, PromQLError, Sample, Unsupported, evaluate, parse

from .world_helpers import advance, make_world


def _series(name: str, value: float, **labels: str) -> Sample:
    return tuple(sorted({"__name__": name, **labels}.items())), value


DATA = [
    _series("up", 1, job="a", ns="x"),
    _series("up", 0, job="b", ns="x"),
    _series("up", 1, job="c", ns="y"),
    _series("temp", 21.5, ns="y"),
]


def _select(matchers: Sequence[Matcher], at: float) -> list[Sample]:
    return [(labels, v) for labels, v in DATA if all(m.matches(dict(labels)) for m in matchers)]


def run(query: str) -> float | list[Sample]:
    return evaluate(parse(query), 0.0, _select)


def values(query: str) -> dict[tuple[tuple[str, str], ...], float]:
    result = run(query)
    assert isinstance(result, list)
    return dict(result)


def test_selectors_and_matchers() -> None:
    assert len(values("up")) == 3
    assert list(values('up{job="a"}').values()) == [1]
    assert len(values('up{job!="a"}')) == 2
    assert len(values('up{job=~"a|c"}')) == 2
    assert len(values('{__name__=~"up|temp", ns="y"}')) == 2
    assert len(values('up{job!~"a.*"}')) == 2
    assert values('up{job="nope"}') == {}


def test_comparisons_filter_and_bool() -> None:
    assert len(values("up == 1")) == 2
    assert len(values("up != 1")) == 1
    assert len(values("1 < up")) == 0
    assert list(values("temp > 20").values()) == [21.5]
    assert list(values("temp >= 21.5").values()) == [21.5]
    assert values("temp <= 21") == {}
    flagged = values("up == bool 1")
    assert sorted(flagged.values()) == [0, 1, 1] and all("__name__" not in dict(k) for k in flagged)
    assert run("2 > bool 1") == 1.0
    assert run("(3)") == 3.0


def test_aggregations() -> None:
    assert values("count(up == 1)") == {(): 2}
    assert values("sum(up)") == {(): 2}
    assert values("min(up)") == {(): 0}
    assert values("max(up)") == {(): 1}
    assert values("avg(up)") == {(): pytest.approx(2 / 3)}
    assert values("count by (ns) (up)") == {(("ns", "x"),): 2, (("ns", "y"),): 1}
    assert values("sum(up) by (ns)") == {(("ns", "x"),): 1, (("ns", "y"),): 1}
    assert values("count(up == 5)") == {}  # nothing to count: an empty vector, as Prometheus


@pytest.mark.parametrize(
    ("query", "what"),
    [
        ("rate(up[5m])", "the function rate()"),
        ("up[5m]", "a range vector selector"),
        ("up + 1", "the arithmetic operator '+'"),
        ("up and up", "the set operator 'and'"),
        ("count without (job) (up)", "grouping with without(...)"),
        ("topk(3, up)", "the aggregation topk()"),
        ("up == on(job) up", "vector matching (on)"),
        ("up == up", "a comparison between two vectors"),
        ("up offset 5m", "the 'offset' modifier"),
    ],
)
def test_everything_else_is_refused(query: str, what: str) -> None:
    with pytest.raises(Unsupported) as err:
        run(query)
    assert str(err.value) == f"{what} is not supported by the cockpit sandbox"


@pytest.mark.parametrize("query", ["", "up{", 'up{job="a"', "count(up", "1 == 1", "{}", 'up{job=~"("}'])
def test_malformed_queries_are_bad_data(query: str) -> None:
    with pytest.raises(PromQLError):
        run(query)


def test_world_series_follow_the_schema_fix_with_history() -> None:
    world, store, clock = make_world(time_scale=10)
    api = world.metrics.api
    dp = 'count(up{kubernetes_namespace="data-platform"} == 1)'

    def now_value(query: str) -> float:
        status, doc = api("/api/v1/query", {"query": [query]})
        assert status == 200, doc
        return float(doc["data"]["result"][0]["value"][1])

    start = clock.t
    assert now_value("count(up == 1)") == 104
    before = now_value(dp)
    down = now_value('count(up{kubernetes_namespace="data-platform"} == 0)')
    assert down > 0
    store.delete(JOBS, "data-platform", "dolphinscheduler-full-schema-init", "Background")
    advance(world, clock, 120, step=1.0)
    after = now_value(dp)
    assert after > before  # dolphinscheduler-api and -master came up
    assert now_value("count(up == 1)") == 104 + (after - before)
    status, doc = api(
        "/api/v1/query_range", {"query": [dp], "start": [str(start)], "end": [str(clock.t)], "step": ["10s"]}
    )
    points = [float(v) for _, v in doc["data"]["result"][0]["values"]]
    assert status == 200 and points[0] == before and points[-1] == after
    assert len(points) == 13
    at_start = api("/api/v1/query", {"query": [dp], "time": [str(start)]})[1]
    assert float(at_start["data"]["result"][0]["value"][1]) == before  # the past is remembered
    running = now_value('count(kube_pod_status_phase{namespace="data-platform", phase="Running"} == 1)')
    assert running >= after
    too_many = api("/api/v1/query_range", {"query": ["up"], "start": ["0"], "end": ["1e6"], "step": ["1"]})
    assert too_many[0] == 400 and "11,000 points" in too_many[1]["error"]


async def test_platform_discovery_reads_the_live_up_count() -> None:
    from cockpit.cluster.hub import ClusterHub
    from cockpit.cluster.platform.promql import PromClient, QueryPlan, discover_in_cluster, read_metric

    async with Sandbox(seed=0) as box:
        with tempfile.TemporaryDirectory() as tmp:
            hub = ClusterHub.connect(kubeconfig=box.write_kubeconfig(Path(tmp) / "kc"), env={})
            try:
                source = await discover_in_cluster(hub.api)
                assert source is not None
                assert source.service.name == "victoria-metrics-single-server"
                client = PromClient(source)
                samples = await client.instant("count(up == 1)")
                assert [s.value for s in samples] == [104.0]
                reading = await read_metric(client, 'up{kubernetes_namespace="data-platform"}', QueryPlan())
                assert reading.error is None and reading.history
                assert reading.text.endswith("series = 1") and reading.value is not None
            finally:
                hub.stop()
