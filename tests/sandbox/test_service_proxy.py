"""The API server's service and pod proxy: the sandbox's VictoriaMetrics, Grafana and health
endpoints reached as on a real cluster (kubectl get --raw, httpx, the platform's discovery)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cockpit.sandbox.resources import PODS
from cockpit.sandbox.server import Sandbox

from .conftest import Kubectl, kubectl_path

VM = "/api/v1/namespaces/monitoring/services/http:victoria-metrics-single-server:8428/proxy"
GRAFANA = "/api/v1/namespaces/monitoring/services/grafana:http/proxy"


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(seed=0).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def _count_up(box: Sandbox, query: str = "count(up == 1)") -> float:
    r = httpx.get(box.url + VM + "/api/v1/query", params={"query": query}, timeout=10)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["status"] == "success" and doc["data"]["resultType"] == "vector"
    return float(doc["data"]["result"][0]["value"][1])


def test_victoria_metrics_answers_the_seed_queries_through_the_proxy(box: Sandbox) -> None:
    ready = [p for p in box.store.list(PODS) if p["status"].get("phase") == "Running"]
    ready = [p for p in ready if all(c.get("ready") for c in p["status"].get("containerStatuses") or [])]
    assert _count_up(box) == len(ready) == 104  # the scenario's 104 healthy pods
    r = httpx.get(
        box.url + VM + "/api/v1/query",
        params={"query": 'up{kubernetes_namespace="data-platform"}'},
        timeout=10,
    )
    series = r.json()["data"]["result"]
    names = {s["metric"]["kubernetes_pod_name"]: s["value"][1] for s in series}
    api = next(n for n in names if n.startswith("dolphinscheduler-api-"))
    assert names[api] == "0"  # crash-looping after the rerun schema job
    assert all(s["metric"]["kubernetes_namespace"] == "data-platform" for s in series)
    assert {"job", "instance", "kubernetes_pod_name", "__name__"} <= set(series[0]["metric"])
    api_up = httpx.get(
        box.url + VM + "/api/v1/query", params={"query": 'up{app="dolphinscheduler-api"}'}, timeout=10
    ).json()["data"]["result"]
    assert len(api_up) == 6 and {s["value"][1] for s in api_up} == {"0"}  # the seed's own query
    assert httpx.get(box.url + VM + "/health", timeout=10).text == "OK"
    post = httpx.post(box.url + VM + "/api/v1/query", data={"query": "count(up)"}, timeout=10)
    assert post.status_code == 200
    assert float(post.json()["data"]["result"][0]["value"][1]) == _count_up(box, "count(up)") > 104


def test_unsupported_promql_is_an_error_never_a_number(box: Sandbox) -> None:
    r = httpx.get(box.url + VM + "/api/v1/query", params={"query": "rate(up[5m])"}, timeout=10)
    assert r.status_code == 400
    assert r.json() == {
        "status": "error",
        "errorType": "bad_data",
        "error": "the function rate() is not supported by the cockpit sandbox",
    }


def test_grafana_redirects_to_its_login_page_behind_the_proxy(box: Sandbox) -> None:
    root = httpx.get(box.url + GRAFANA + "/", timeout=10)
    assert root.status_code == 302
    assert root.headers["location"] == GRAFANA + "/login"  # rewritten to stay behind the proxy
    login = httpx.get(box.url + GRAFANA + "/login", timeout=10)
    assert login.status_code == 200 and "<title>Grafana</title>" in login.text
    health = httpx.get(box.url + GRAFANA + "/api/health", timeout=10)
    assert health.json()["database"] == "ok"
    head = httpx.head(box.url + GRAFANA + "/api/health", timeout=10)
    assert head.status_code == 200 and head.content == b""


def test_proxy_failures_are_worded_as_a_real_server(box: Sandbox, tmp_path: Path) -> None:
    k = Kubectl(box, box.write_kubeconfig(tmp_path / "kc"), tmp_path / "cache", kubectl_path())
    nobody = k("get", "--raw", "/api/v1/namespaces/data-platform/services/dolphinscheduler-api:12345/proxy/")
    assert nobody.returncode == 1
    assert (
        'Error from server (ServiceUnavailable): no endpoints available for service "dolphinscheduler-api"'
        in (nobody.stderr)
    )
    missing = k("get", "--raw", "/api/v1/namespaces/monitoring/services/nope/proxy/")
    assert 'Error from server (NotFound): services "nope" not found' in missing.stderr
    health = k.ok("get", "--raw", VM + "/health")
    assert health == "OK"
    pod = next(p for p in box.store.list(PODS, "monitoring") if p["metadata"]["name"].startswith("grafana-"))
    name = pod["metadata"]["name"]
    via_pod = k.ok("get", "--raw", f"/api/v1/namespaces/monitoring/pods/{name}:3000/proxy/api/health")
    assert '"database": "ok"' in via_pod
    closed = k("get", "--raw", f"/api/v1/namespaces/monitoring/pods/{name}:9999/proxy/")
    assert (
        "error trying to reach service: dial tcp" in closed.stderr and "connection refused" in closed.stderr
    )


def test_up_count_rises_as_the_schema_fix_lands() -> None:
    box = Sandbox(seed=0, time_scale=30).start()
    try:
        before = _count_up(box)
        dp = 'count(up{kubernetes_namespace="data-platform"} == 1)'
        dp_before = _count_up(box, dp)
        k = httpx.delete(
            box.url + "/apis/batch/v1/namespaces/data-platform/jobs/dolphinscheduler-full-schema-init",
            params={"propagationPolicy": "Background"},
            timeout=10,
        )
        assert k.status_code == 200
        deadline = time.monotonic() + 20
        while _count_up(box, dp) <= dp_before and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _count_up(box, dp) > dp_before
        assert _count_up(box) > before
        now = time.time()
        r = httpx.get(
            box.url + VM + "/api/v1/query_range",
            params={"query": dp, "start": f"{now - 60:.3f}", "end": f"{now:.3f}", "step": "2s"},
            timeout=10,
        )
        values = [float(v) for _, v in r.json()["data"]["result"][0]["values"]]
        assert values[0] == dp_before and values[-1] > dp_before  # the history shows the change
    finally:
        box.stop()
