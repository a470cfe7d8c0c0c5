"""Velero through the real stack: the sandbox API server, the shared informers, the PlatformMonitor.

The test creates Backup and Schedule objects in the sandbox's store and moves the plan's
"Test Backup" from InProgress to Completed; the monitor sees each step through the watch.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.platform.config import PlatformConfig
from cockpit.cluster.platform.monitor import PlatformMonitor
from cockpit.cluster.platform.snapshot import PlatformSnapshot
from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox


def _backup(name: str, phase: str, schedule: str | None = None, **status: Any) -> dict:
    labels = {"velero.io/schedule-name": schedule} if schedule else {}
    return {
        "apiVersion": "velero.io/v1",
        "kind": "Backup",
        "metadata": {"name": name, "namespace": "velero", "labels": labels},
        "spec": {"includedNamespaces": ["data-platform"]},
        "status": {"phase": phase, **status},
    }


async def wait_for(latest: list[PlatformSnapshot], ready: Any, timeout: float = 20) -> PlatformSnapshot:
    deadline = time.monotonic() + timeout
    while not (latest and latest[-1].backups is not None and ready(latest[-1])):
        assert time.monotonic() < deadline, f"not seen: {latest[-1].backups if latest else None}"
        await asyncio.sleep(0.02)
    return latest[-1]


async def test_test_backup_progresses_through_the_watch(sandbox: tuple[Sandbox, Path]) -> None:
    box, kubeconfig = sandbox
    store = box.store
    store.create(r.NAMESPACES, {"metadata": {"name": "velero"}})
    store.create(
        r.SCHEDULES,
        {
            "apiVersion": "velero.io/v1",
            "kind": "Schedule",
            "metadata": {"name": "hourly-data-platform", "namespace": "velero"},
            "spec": {"schedule": "0 * * * *", "template": {"includedNamespaces": ["data-platform"]}},
            "status": {"phase": "Enabled"},
        },
    )
    store.create(
        r.BACKUPS,
        _backup(
            "hourly-data-platform-20251024100000",
            "Failed",
            "hourly-data-platform",
            failureReason="connect: connection refused",
        ),
    )
    hub = ClusterHub.connect(kubeconfig=kubeconfig, env={})
    assert hub.registry is not None, hub.problem
    monitor = PlatformMonitor(PlatformConfig(interval_s=60), informers=hub.registry)
    latest: list[PlatformSnapshot] = []
    runner = asyncio.create_task(monitor.run(latest.append))
    try:
        snap = await wait_for(latest, lambda s: bool(s.backups.schedules) and s.backups.schedules[0].last)
        assert snap.backups.schedules[0].reason == (
            "Backup hourly-data-platform-20251024100000 failed: connect: connection refused."
        )
        assert [b.name for b in snap.backups.failing] == ["hourly-data-platform-20251024100000"]

        name = "manual-test-1761307200"
        store.create(r.BACKUPS, _backup(name, "InProgress", progress={"totalItems": 40, "itemsBackedUp": 12}))
        snap = await wait_for(latest, lambda s: bool(s.backups.manual))
        assert snap.backups.manual[0].reason == f"Backup {name} is InProgress (12/40 items)."

        obj = store.get(r.BACKUPS, "velero", name)
        obj["status"] = {"phase": "Completed", "progress": {"totalItems": 40, "itemsBackedUp": 40}}
        store.update(r.BACKUPS, obj)
        snap = await wait_for(latest, lambda s: s.backups.manual and s.backups.manual[0].phase == "Completed")
        assert snap.backups.manual[0].ok and snap.backups.manual[0].progress == "40/40 items"
        assert f"Velero backup/{name}: Backup {name} completed." in snap.summary_lines()
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
        hub.stop()


async def test_metrics_service_is_found_in_the_cluster(sandbox: tuple[Sandbox, Path]) -> None:
    """Discovery lists the cluster's services; the query goes through the API server's service proxy."""
    from cockpit.cluster.platform.promql import PromClient, PromError, discover_in_cluster

    box, kubeconfig = sandbox
    box.store.create(r.NAMESPACES, {"metadata": {"name": "monitoring"}})
    for name, port in (("grafana", 80), ("vmsingle-victoria-metrics-single", 8428)):
        box.store.create(
            r.SERVICES,
            {
                "metadata": {"name": name, "namespace": "monitoring"},
                "spec": {"ports": [{"port": port, "protocol": "TCP"}], "selector": {"app": name}},
            },
        )
    hub = ClusterHub.connect(kubeconfig=kubeconfig, env={})
    try:
        source = await discover_in_cluster(hub.api)
        assert source is not None
        assert source.service.proxy_path == (
            "/api/v1/namespaces/monitoring/services/http:vmsingle-victoria-metrics-single:8428/proxy"
        )
        assert source.label == "svc/vmsingle-victoria-metrics-single in monitoring (via API server proxy)"
        with pytest.raises(PromError) as err:  # the sandbox runs no VictoriaMetrics behind the service
            await PromClient(source).instant("up")
        assert str(err.value).startswith(source.label + ": ")
        assert "\n" not in str(err.value)
    finally:
        hub.stop()
