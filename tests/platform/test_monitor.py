"""PlatformMonitor end to end: real HTTP servers, a real VictoriaMetrics, recorded Grafana/Loki,
Velero rows pushed from another thread the way the shared informers deliver them."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from cockpit.cluster.informer import ChangeSet, Health, InformerState
from cockpit.cluster.platform import live_metric_value
from cockpit.cluster.platform.config import EndpointConfig, PlatformConfig
from cockpit.cluster.platform.monitor import PlatformMonitor
from cockpit.cluster.platform.snapshot import PlatformSnapshot
from cockpit.cluster.platform.spec import ServiceCheck
from cockpit.plan.model import Command, Metric, Node, NodeKind, Plan

from .conftest import VictoriaMetrics
from .recorded import TOKEN, RecordedServer
from .servers import Server
from .test_velero import backup, schedule


class ThreadedInformer:
    """Delivers ChangeSets from its own thread, like cockpit.cluster.informer's dispatcher."""

    def __init__(self, kind: Any, summarize: Callable[[dict], Any], objects: list[dict]) -> None:
        self.kind, self.summarize, self.objects = kind, summarize, objects
        self.subscribers: list[Callable[[ChangeSet[Any]], None]] = []

    def subscribe(self, callback: Callable[[ChangeSet[Any]], None]) -> Callable[[], None]:
        self.subscribers.append(callback)
        rows = {o["metadata"]["name"]: self.summarize(o) for o in self.objects}
        batch = ChangeSet(
            (self.kind.group, self.kind.version, self.kind.plural, ""),
            rows,
            set(),
            True,
            Health(InformerState.CONNECTED, "", time.time(), True),
        )
        threading.Thread(target=callback, args=(batch,)).start()
        return lambda: self.subscribers.remove(callback)

    def push(self, obj: dict) -> None:
        batch = ChangeSet(
            (self.kind.group, self.kind.version, self.kind.plural, ""),
            {obj["metadata"]["name"]: self.summarize(obj)},
            set(),
            False,
            Health(InformerState.CONNECTED, "", time.time(), True),
        )
        for cb in list(self.subscribers):
            threading.Thread(target=cb, args=(batch,)).start()


class Registry:
    def __init__(self, objects: dict[str, list[dict]]) -> None:
        self.objects = objects
        self.informers: dict[str, ThreadedInformer] = {}

    def get(self, kind: Any, namespace: str | None, summarize: Callable[[dict], Any]) -> ThreadedInformer:
        inf = self.informers.get(kind.plural)
        if inf is None:
            inf = self.informers[kind.plural] = ThreadedInformer(kind, summarize, self.objects[kind.plural])
        return inf


@pytest.fixture
def recorded() -> Iterator[RecordedServer]:
    server = RecordedServer()
    yield server
    server.close()


async def wait_for(
    latest: list[PlatformSnapshot], ready: Callable[[PlatformSnapshot], bool], timeout: float = 20
) -> PlatformSnapshot:
    deadline = time.monotonic() + timeout
    while not (latest and ready(latest[-1])):
        assert time.monotonic() < deadline, f"monitor did not get there: {latest[-1] if latest else None}"
        await asyncio.sleep(0.02)
    return latest[-1]


async def test_monitor_brings_every_part_together(
    http_server: Server, victoria_metrics: VictoriaMetrics, recorded: RecordedServer
) -> None:
    now = time.time()
    victoria_metrics.import_prometheus(
        "".join(
            f'monitor_up{{app="a{i}",kubernetes_namespace="data-platform"}} 1 {int((now - 5) * 1000)}\n'
            for i in range(6)
        )
    )
    task = Node(
        "1",
        NodeKind.TASK,
        "Task 4: Platform Health Verification",
        10,
        text="- Add panel: Total running pods\n  - Query: `count(monitor_up == 1)`",
        commands=[Command(f"curl -I {http_server.url('/error')}", 12)],
        success_criteria=["All critical URLs return 200/302"],
    )
    plan = Plan(
        "p",
        "plan.md",
        [Node("0", NodeKind.SECTION, "S", 1, children=[task])],
        metrics=[Metric("Running Pods", "104", "110+", 30)],
    )
    config = PlatformConfig(
        checks=[
            ServiceCheck(http_server.url("/ok"), name="ok"),
            ServiceCheck(http_server.url("/cf"), name="cf"),
        ],
        interval_s=60,
        prometheus_url=victoria_metrics.url,
        grafana=EndpointConfig(recorded.url, token=TOKEN),
        loki=EndpointConfig(recorded.url, selector='{namespace="data-platform"}'),
    )
    h = timedelta(hours=1)
    registry = Registry(
        {
            "backups": [
                backup("hourly-1", h, "Completed", "hourly"),
                backup("hourly-2", 2 * h, "Failed", "hourly"),
            ],
            "schedules": [schedule("hourly", "0 * * * *", h)],
        }
    )
    monitor = PlatformMonitor(config, plan, informers=registry)
    assert monitor.query_plan.queries == ["count(monitor_up == 1)"]
    latest: list[PlatformSnapshot] = []
    runner = asyncio.create_task(monitor.run(latest.append))
    try:
        snap = await wait_for(
            latest, lambda s: bool(s.checks and s.metrics and s.grafana and s.loki and s.backups)
        )
        labels = {s.check.label: s.result for s in snap.checks}
        assert labels["ok"].healthy
        assert labels["cf"].login == "Cloudflare Access"
        plan_check = labels[http_server.url("/error").split("://")[1]]
        assert plan_check.reason == "Returned 503 Service Unavailable; expected 200 or 302."
        assert snap.metric_value("Running Pods") == 6.0
        assert snap.plan_metric_values() == {"Running Pods": 6.0}
        assert live_metric_value(snap, "Running Pods") == 6.0
        assert live_metric_value(snap, "Pod Health") is None  # not bound to a query
        assert snap.grafana is not None and [d.ok for d in snap.grafana.datasources] == [True, False]
        assert snap.loki is not None and snap.loki.healthy and len(snap.loki.lines) == 3
        assert snap.backups is not None and [b.name for b in snap.backups.recent_failures] == ["hourly-2"]

        # the plan's "Test Backup" appears and completes, pushed from the informer's thread
        backups = registry.informers["backups"]
        backups.push(
            backup(
                "manual-test-1",
                timedelta(seconds=3),
                "InProgress",
                progress={"totalItems": 10, "itemsBackedUp": 4},
            )
        )
        snap = await wait_for(latest, lambda s: any("manual-test-1" in lb for lb, _, _ in s.backups.rows))
        assert snap.backups.manual[0].reason == "Backup manual-test-1 is InProgress (4/10 items)."
        backups.push(backup("manual-test-1", timedelta(seconds=9), "Completed"))
        snap = await wait_for(latest, lambda s: s.backups.manual[0].phase == "Completed")
        lines = snap.summary_lines()
        assert "Service checks: 1/3 healthy" in lines
        assert "Metric Running Pods: 6 (live, count(monitor_up == 1))" in lines
        assert "Velero backup/manual-test-1: Backup manual-test-1 completed." in lines
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
    assert registry.informers["backups"].subscribers == []  # unsubscribed on the way out


async def test_without_any_metrics_api_the_pane_is_told_why(http_server: Server) -> None:
    monitor = PlatformMonitor(PlatformConfig(queries=["up"], interval_s=60))
    latest: list[PlatformSnapshot] = []
    runner = asyncio.create_task(monitor.run(latest.append))
    try:
        snap = await wait_for(latest, lambda s: bool(s.metrics_note))
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
    assert snap.metrics_note.startswith("No Prometheus-compatible API: pass --prometheus-url")
