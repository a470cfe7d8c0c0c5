"""Service checks in a sandbox session (and so in every rehearsal) are answered by the sandbox.

The plan's service URLs name the real cluster's hosts (`https://spark-history.254carbon.com`).
Against the sandbox, checking them on the internet would measure the real cluster (or fail on DNS)
and say nothing of the rehearsal. Instead a host that an Ingress of the sandbox serves is checked
through the API server's service proxy (`/api/v1/namespaces/NS/services/NAME:PORT/proxy/PATH`),
which the sandbox's simulated pods answer; a host no Ingress serves is reported as not checked in
a rehearsal rather than as a failure of the cluster.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cockpit.cluster.errors import ClusterError
from cockpit.cluster.kubeapi import KubeApi

INGRESS_PATH = "/apis/networking.k8s.io/v1/ingresses"
REFRESH_S = 30.0


@dataclass(frozen=True, slots=True)
class Routed:
    """Where a check's URL goes instead: the proxy URL, the headers it needs, TLS verification."""

    url: str
    headers: dict[str, str]
    verify: bool
    via: str  # "service data-platform/spark-history-server:18080", for the reason sentence


def _backend(rule_path: dict[str, Any]) -> tuple[str, str] | None:
    service = ((rule_path.get("backend") or {}).get("service")) or {}
    port = service.get("port") or {}
    name, number = service.get("name"), port.get("number") or port.get("name")
    return (str(name), str(number)) if name and number else None


class SandboxRoutes:
    """Maps a check URL to the sandbox's service proxy, from the sandbox's Ingresses (re-read every
    30 s, in a thread: the API client blocks)."""

    def __init__(self, api: KubeApi, clock: Any = time.monotonic) -> None:
        self.api = api
        self.clock = clock
        self._hosts: dict[str, list[tuple[str, str, str, str]]] = {}  # host -> [(path, ns, svc, port)]
        self._read_at: float | None = None
        cfg = api.client.configuration
        auth = (getattr(cfg, "api_key", None) or {}).get("authorization") or ""
        self._headers = {"Authorization": auth} if auth else {}
        self._verify = bool(getattr(cfg, "verify_ssl", True)) and str(cfg.host).startswith("https")

    def _read(self) -> dict[str, list[tuple[str, str, str, str]]]:
        hosts: dict[str, list[tuple[str, str, str, str]]] = {}
        for ing in self.api.get_json(INGRESS_PATH, what="list ingresses").get("items") or []:
            ns = str(ing["metadata"].get("namespace", ""))
            for rule in (ing.get("spec") or {}).get("rules") or []:
                host = rule.get("host")
                for p in (rule.get("http") or {}).get("paths") or []:
                    backend = _backend(p)
                    if host and backend:
                        hosts.setdefault(str(host), []).append((str(p.get("path") or "/"), ns, *backend))
        for routes in hosts.values():
            routes.sort(key=lambda r: -len(r[0]))  # the longest matching path wins, as ingress-nginx
        return hosts

    async def route(self, url: str) -> Routed | None:
        if self._read_at is None or self.clock() - self._read_at > REFRESH_S:
            try:
                self._hosts = await asyncio.to_thread(self._read)
            except ClusterError:
                self._hosts = {}
            self._read_at = self.clock()
        parts = urlsplit(url)
        path = parts.path or "/"
        for prefix, ns, svc, port in self._hosts.get(parts.hostname or "", []):
            if path.startswith(prefix):
                proxied = f"/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy{path}"
                if parts.query:
                    proxied += f"?{parts.query}"
                return Routed(
                    str(self.api.server).rstrip("/") + proxied,
                    dict(self._headers),
                    self._verify,
                    f"service {ns}/{svc}:{port}",
                )
        return None
