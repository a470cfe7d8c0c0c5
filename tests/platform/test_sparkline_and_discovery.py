"""Pure pieces: sparklines and finding the metrics service among a cluster's services."""

from __future__ import annotations

import math

from cockpit.cluster.platform.promql import ServiceRef, find_metrics_service
from cockpit.cluster.platform.sparkline import sparkline


def test_sparkline_scales_min_to_max() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([10, 20]) == "▁█"


def test_sparkline_flat_gap_and_empty() -> None:
    assert sparkline([5, 5, 5]) == "▄▄▄"
    assert sparkline([1, math.nan, 3]) == "▁ █"
    assert sparkline([]) == ""


def test_sparkline_shrinks_to_width_by_averaging() -> None:
    line = sparkline([0] * 50 + [10] * 50, width=10)
    assert line == "▁▁▁▁▁█████"


def _svc(ns: str, name: str, *ports: int) -> dict:
    return {"metadata": {"namespace": ns, "name": name}, "spec": {"ports": [{"port": p} for p in ports]}}


def test_finds_victoriametrics_before_prometheus() -> None:
    services = [
        _svc("monitoring", "grafana", 80),
        _svc("monitoring", "prometheus-operated", 9090),
        _svc("monitoring", "vmsingle-victoria-metrics", 8428),
        _svc("monitoring", "alertmanager-prometheus", 9093),
    ]
    ref = find_metrics_service(services)
    assert ref == ServiceRef("monitoring", "vmsingle-victoria-metrics", 8428)
    assert (
        ref.proxy_path == "/api/v1/namespaces/monitoring/services/http:vmsingle-victoria-metrics:8428/proxy"
    )


def test_vmselect_gets_its_path_prefix_and_nothing_matches_is_none() -> None:
    ref = find_metrics_service([_svc("obs", "vmselect-main", 8481)])
    assert ref is not None and ref.proxy_path.endswith("http:vmselect-main:8481/proxy/select/0/prometheus")
    assert find_metrics_service([_svc("monitoring", "grafana", 80)]) is None
