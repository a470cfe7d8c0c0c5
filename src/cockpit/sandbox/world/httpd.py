"""The world's simulated HTTP servers: what "an HTTP request to pod P, port N, path X" gets back.

One place answers it for every client: `curl` inside `kubectl exec` (world/shell.py), the API
server's service and pod proxy (sandbox/proxy.py) and `kubectl port-forward`. A container serves
its component's health endpoints as its state allows (Ready: UP; running but crashing: DOWN after
its port opens; otherwise nothing listens); VictoriaMetrics answers the Prometheus query API from
the world's own pods (world/metrics.py); Grafana redirects / to its login page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

from cockpit.sandbox.resources import PODS, SERVICES
from cockpit.sandbox.world.pods import is_ready

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
PORT_OPENS_AFTER = 5.0  # seconds after a container starts before its server listens
VICTORIA_METRICS_PORT = 8428

_GRAFANA_LOGIN = (
    '<!DOCTYPE html>\n<html lang="en-US">\n<head><meta charset="utf-8"><title>Grafana</title></head>\n'
    '<body class="theme-dark"><div id="reactRoot"></div>'
    "<script>window.grafanaBootData = {settings: {appSubUrl: ''}};</script></body>\n</html>\n"
)


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Unreachable:
    """Why a connection goes nowhere: curl's exit code and message (`{host}`/`{port}` filled in by
    the caller), and the reason the API server's proxy gives."""

    curl_code: int
    curl_message: str
    proxy_message: str


# What a web UI answers on "/" while it is up: a redirect to its login page or UI (so the plan's
# `curl -I https://superset.254carbon.com` checks see what the real services send).
_ROOT_REDIRECTS: dict[str, tuple[int, str]] = {
    "grafana": (302, "/login"),
    "superset": (302, "/login/"),
    "trino-coordinator": (302, "/ui/"),
    "dolphinscheduler-api": (302, "/dolphinscheduler/ui/"),
}


def _health_json(status: str) -> str:
    return orjson.dumps({"status": status}).decode()


def endpoints(profile: str, status: str) -> dict[str, tuple[int, str]]:
    """HTTP paths a component answers, as (code, body), while its health is `status` (UP/DOWN)."""
    code = 200 if status == "UP" else 503
    spring = (code, _health_json(status))
    table: dict[str, tuple[int, str]] = {
        "/healthz": (code, "ok" if code == 200 else "unhealthy"),
        "/livez": (200, "ok"),
        "/readyz": (code, "ok" if code == 200 else "not ready"),
        "/health": (code, '{"status":"ok"}' if code == 200 else '{"status":"unavailable"}'),
        "/ready": (code, "ready" if code == 200 else "not ready"),
        "/-/healthy": (code, "OK"),
        "/-/ready": (code, "OK"),
        "/metrics": (200, "# HELP process_start_time_seconds Start time of the process.\n"),
        "/actuator/health": spring,
        "/actuator/health/liveness": (200, _health_json("UP")),
        "/actuator/health/readiness": spring,
    }
    if profile == "dolphinscheduler-api":
        for path in ("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"):
            table["/dolphinscheduler" + path] = table[path]
    if profile == "grafana":
        table["/api/health"] = (
            code,
            '{\n  "database": "%s",\n  "version": "11.2.0"\n}' % ("ok" if code == 200 else "failing"),
        )
        table["/login"] = (code, _GRAFANA_LOGIN if code == 200 else "Service Unavailable")
    if profile == "victoriametrics":
        table["/health"] = (code, "OK" if code == 200 else "unhealthy")
    if profile == "minio":
        table["/minio/health/live"] = (code, "")
        table["/minio/health/ready"] = (code, "")
    if profile.startswith("trino"):
        table["/v1/info"] = (
            code,
            orjson.dumps(
                {
                    "nodeVersion": {"version": "463"},
                    "environment": "production",
                    "coordinator": profile == "trino-coordinator",
                    "starting": code != 200,
                }
            ).decode(),
        )
    return table


def _content_type(body: str) -> str:
    stripped = body.lstrip()
    if stripped.startswith(("{", "[")):
        return "application/json"
    if stripped.startswith("<!DOCTYPE html"):
        return "text/html; charset=utf-8"
    return "text/plain; charset=utf-8"


def container_ports(pod: Obj) -> dict[int, str]:
    """containerPort -> its container's name."""
    return {
        int(p["containerPort"]): str(c.get("name", ""))
        for c in pod["spec"].get("containers") or []
        for p in c.get("ports") or []
        if "containerPort" in p
    }


class PodHttp:
    def __init__(self, world: World) -> None:
        self.world = world

    # ---- state -----------------------------------------------------------------------------------

    def health(self, pod: Obj, container: str) -> str:
        """UP (serving, healthy), DOWN (listening, unhealthy) or CLOSED (nothing listens yet)."""
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        status: Obj = next((c for c in statuses if c.get("name") == container), {})
        if status.get("ready"):
            return "UP"
        started = ((status.get("state") or {}).get("running") or {}).get("startedAt")
        meta = pod["metadata"]
        run = self.world.kubelet.runs.get((meta["namespace"], meta["name"]))
        if (
            run is None
            or not started
            or self.world.now() - run.started < PORT_OPENS_AFTER / self.world.time_scale
        ):
            return "CLOSED"
        return "DOWN" if self.world.kubelet.crashes(run, pod) else "CLOSED"

    # ---- requests --------------------------------------------------------------------------------

    def request(
        self,
        pod: Obj,
        port: int,
        method: str,
        path: str,
        query: str = "",
        body: bytes = b"",
        content_type: str = "",
    ) -> HttpReply | None:
        """The reply of pod `pod`'s server on `port`, or None when nothing listens there
        (connection refused)."""
        ports = container_ports(pod)
        if port not in ports:
            return None
        container = ports[port] or pod["spec"]["containers"][0]["name"]
        state = self.health(pod, container)
        if state == "CLOSED":
            return None
        profile = self.world.logs.profile_name(pod["metadata"]["namespace"], pod)
        path = path or "/"
        prom_api = path.startswith(("/api/v1/", "/prometheus/api/v1/"))
        if profile == "victoriametrics" and port == VICTORIA_METRICS_PORT and state == "UP" and prom_api:
            params = parse_qs(query, keep_blank_values=True)
            if method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
                for key, values in parse_qs(body.decode("utf-8", "replace")).items():
                    params.setdefault(key, []).extend(values)
            status, doc = self.world.metrics.api(path.removeprefix("/prometheus"), params)
            return HttpReply(status, orjson.dumps(doc), "application/json")
        if path == "/" and state == "UP" and profile in _ROOT_REDIRECTS:
            code, location = _ROOT_REDIRECTS[profile]
            page = f'<a href="{location}">Found</a>.\n\n'.encode()
            return HttpReply(code, page, "text/html; charset=utf-8", {"Location": location})
        code, text = endpoints(profile, state).get(path, (404, '{"error":"Not Found"}'))
        return HttpReply(code, text.encode(), _content_type(text))

    # ---- Services --------------------------------------------------------------------------------

    def service_backend(self, service: Obj, port: int | str) -> tuple[Obj, int] | Unreachable:
        """The ready pod and container port a Service's `port` (number or port name) sends a
        connection to, as kube-proxy would, or why it goes nowhere."""
        name = service["metadata"]["name"]
        served = next(
            (
                p
                for p in service["spec"].get("ports") or []
                if p.get("port") == port or (isinstance(port, str) and p.get("name") == port)
            ),
            None,
        )
        if served is None:  # nothing listens on that port of the cluster IP: the SYN goes nowhere
            return Unreachable(
                28,
                "Failed to connect to {host} port {port} after 130000 ms: Couldn't connect to server",
                f'no endpoints available for service "{name}"',
            )
        selector = ",".join(f"{k}={v}" for k, v in sorted((service["spec"].get("selector") or {}).items()))
        ready = [
            p
            for p in self.world.store.list(
                PODS, service["metadata"]["namespace"], label_selector=selector or None
            )
            if selector and is_ready(p) and not p["metadata"].get("deletionTimestamp")
        ]
        if not ready:  # no endpoints: kube-proxy rejects the connection
            return Unreachable(
                7,
                "Failed to connect to {host} port {port} after 0 ms: Connection refused",
                f'no endpoints available for service "{name}"',
            )
        backend = min(ready, key=lambda p: p["metadata"]["name"])
        target = served.get("targetPort", served.get("port"))
        if isinstance(target, str):
            target = next((n for n, _ in _named_ports(backend) if _ == target), 0)
        return backend, int(target)

    def resolve_host(self, namespace: str, host: str) -> Obj | None:
        """The Service a host name (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`) or cluster IP names."""
        labels = host.split(".")
        if host.count(".") == 3 and all(part.isdigit() for part in labels):
            return next(
                (o for o in self.world.store.list(SERVICES) if o["spec"].get("clusterIP") == host), None
            )
        if len(labels) <= 2 or ".".join(labels[2:]) in ("svc", "svc.cluster.local"):
            ns = labels[1] if len(labels) > 1 else namespace
            entry = self.world.store.entry(SERVICES, ns, labels[0])
            return entry.obj if entry is not None else None
        return None


def _named_ports(pod: Obj) -> list[tuple[int, str]]:
    return [
        (int(cp["containerPort"]), str(cp.get("name", "")))
        for c in pod["spec"].get("containers") or []
        for cp in c.get("ports") or []
        if "containerPort" in cp
    ]
