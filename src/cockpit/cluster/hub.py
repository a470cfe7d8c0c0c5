"""ClusterHub: the one object the app creates to reach the cluster; the live panes are built from it.

It owns the connection (ClusterTarget + KubeApi) and the informer registry, so every pane that
shows pods shares the same single watch. It never raises on creation: without a cluster,
`problem` holds the sentence the panes show. Blocking actions (hard refresh, sync, drill-downs,
events) are plain methods for the UI to call from thread workers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.cluster.argocd import AppStatus, summarize_app
from cockpit.cluster.certs import CertChain, CertStatus, certificate_chain, summarize_certificate
from cockpit.cluster.connect import ClusterTarget, connect
from cockpit.cluster.errors import ClusterError
from cockpit.cluster.health import ConnectionHealth, Freshness, Health, overall
from cockpit.cluster.informer import Informer
from cockpit.cluster.kubeapi import APPLICATIONS, CERTIFICATES, EVENTS, PODS, KubeApi
from cockpit.cluster.logs import LogBuffer, LogFollower, LogRequest
from cockpit.cluster.podlist import POD_ROWS
from cockpit.cluster.pods import PodSummary, parse_time
from cockpit.cluster.registry import InformerRegistry
from cockpit.cluster.snapshot import ClusterSnapshot

if TYPE_CHECKING:  # httpx loads with the first Loki query, not at start
    from cockpit.cluster.loki import LokiFollower


@dataclass(frozen=True, slots=True)
class EventRow:
    """One line of `kubectl describe`'s Events for an object."""

    type: str
    reason: str
    message: str
    count: int
    last_seen: float | None
    source: str


def summarize_event(ev: Mapping[str, Any]) -> EventRow:
    source = ev.get("source") or {}
    return EventRow(
        type=str(ev.get("type") or "Normal"),
        reason=str(ev.get("reason") or ""),
        message=str(ev.get("message") or ev.get("note") or "").strip(),
        count=int(ev.get("count") or 1),
        last_seen=parse_time(ev.get("lastTimestamp") or ev.get("eventTime") or ev.get("firstTimestamp")),
        source=str(source.get("component") or ev.get("reportingComponent") or ""),
    )


class ClusterHub:
    """The cluster connection and its shared informers (pods, ArgoCD applications, certificates)."""

    def __init__(
        self,
        target: ClusterTarget | None,
        api: KubeApi | None,
        problem: str = "",
        loki_url: str | None = None,
        informer_options: Mapping[str, Any] | None = None,
        watch_namespace: str | None = None,
    ) -> None:
        self.target = target
        self.watch_namespace = watch_namespace  # None: pods and certificates cluster-wide
        self.api = api
        self.problem = problem if api is None else ""
        self.loki_url = loki_url
        self.registry = InformerRegistry(api, **dict(informer_options or {})) if api is not None else None
        self._rows_cache: dict[Any, tuple[str, tuple[Any, ...]]] = {}  # informer key -> (rv, rows)
        self.options: Any = None  # the LaunchOptions it was built from, when it was

    @classmethod
    def connect(
        cls,
        kubeconfig: str | Path | None = None,
        context: str | None = None,
        namespace: str | None = None,
        all_namespaces: bool = False,
        env: Mapping[str, str] | None = None,
        loki_url: str | None = None,
        informer_options: Mapping[str, Any] | None = None,
    ) -> ClusterHub:
        """Like kubectl's selection; a hub with `problem` set when there is no usable cluster."""
        try:
            target, client = connect(kubeconfig, context, namespace, all_namespaces, env=env)
        except ClusterError as err:
            return cls(None, None, err.sentence, loki_url)
        watch = namespace if namespace and not all_namespaces else None
        return cls(target, KubeApi(client), "", loki_url, informer_options, watch)

    @classmethod
    def from_options(
        cls, options: Any, kubeconfig: str | Path | None = None, env: Mapping[str, str] | None = None
    ) -> ClusterHub:
        """From LaunchOptions; `kubeconfig` overrides (the session's pinned file, or the sandbox's)."""
        hub = cls.connect(
            kubeconfig=kubeconfig or options.kubeconfig,
            context=None if kubeconfig else options.context,
            namespace=options.namespace,
            all_namespaces=options.all_namespaces,
            env=os.environ if env is None else env,
            loki_url=options.loki_url,
        )
        hub.options = options
        return hub

    @property
    def label(self) -> str:
        """The context line shown on screen, or the reason there is none."""
        return self.target.label if self.target is not None else self.problem

    @property
    def connected(self) -> bool:
        return self.api is not None

    def pods(self) -> Informer[PodSummary] | None:
        if self.registry is None:
            return None
        return self.registry.get(PODS, self.watch_namespace, POD_ROWS, self._fallback)

    def apps(self) -> Informer[AppStatus] | None:
        if self.registry is None:
            return None
        return self.registry.get(APPLICATIONS, None, summarize_app)

    def certs(self) -> Informer[CertStatus] | None:
        if self.registry is None:
            return None
        return self.registry.get(CERTIFICATES, self.watch_namespace, summarize_certificate, self._fallback)

    @property
    def _fallback(self) -> str | None:
        """Cluster-wide by default; if RBAC forbids that, the context's namespace (like kubectl)."""
        return self.target.namespace if self.target is not None else None

    def informer_health(self) -> dict[str, Health]:
        """Each running informer's health by resource ("pods", "certificates.cert-manager.io")."""
        return self.registry.health() if self.registry is not None else {}

    def connection(self) -> ConnectionHealth:
        """The worst of the informers, for a status bar: CONNECTED, STALE, DISCONNECTED, ... with the
        reason and the newest data and event times (`since_data(now)`, `since_event(now)`)."""
        if self.registry is None:
            return ConnectionHealth(Freshness.DISCONNECTED, self.problem or "No cluster connected.")
        return overall(self.registry.health())

    def snapshot(self) -> ClusterSnapshot:
        """What metrics and checks are computed from; a kind is None until its informer has synced."""
        if self.registry is None:
            return ClusterSnapshot()

        def rows(informer: Informer[Any] | None) -> tuple[Any, ...] | None:
            if informer is None or not informer.health.synced:
                return None
            version = informer.resource_version  # read before the rows: a change meanwhile only misses
            cached = self._rows_cache.get(informer.key)
            if version and cached is not None and cached[0] == version:
                return cached[1]  # nothing changed: asked every second, no copy of 10k rows
            values = tuple(informer.values())
            self._rows_cache[informer.key] = (version, values)
            return values

        return ClusterSnapshot(pods=rows(self.pods()), apps=rows(self.apps()), certs=rows(self.certs()))

    def _api(self) -> KubeApi:
        if self.api is None:
            raise ClusterError(self.problem or "No cluster connected.")
        return self.api

    # -- blocking reads: call from a thread worker (writes go through cockpit.session.gate) -------
    def cert_chain(self, cert: CertStatus) -> CertChain:
        return certificate_chain(self._api(), cert)

    def pod_events(self, namespace: str, name: str) -> list[EventRow]:
        return self.events_of("Pod", namespace, name)

    def events_of(self, kind: str, namespace: str, name: str) -> list[EventRow]:
        """The events about one object (`kubectl describe`'s Events), oldest first."""
        query = [("fieldSelector", f"involvedObject.kind={kind},involvedObject.name={name}")]
        doc = self._api().get_json(EVENTS.path(namespace), query)
        rows = [summarize_event(e) for e in doc.get("items") or []]
        return sorted(rows, key=lambda e: e.last_seen or 0.0)

    def get_object(self, plural: str, namespace: str, name: str) -> dict[str, Any]:
        """One object of a kind the panes show (pods, applications, certificates), as JSON."""
        kinds = {k.plural: k for k in (PODS, APPLICATIONS, CERTIFICATES)}
        kind = kinds.get(plural)
        if kind is None:
            raise ClusterError(f"no {plural} in the live panes")
        doc = self._api().get_json(kind.path(namespace, name))
        return dict(doc) if isinstance(doc, dict) else {}

    def follow_logs(self, request: LogRequest, buffer: LogBuffer | None = None) -> LogFollower:
        """Follow pod logs with the informers' deadlines and waits (one set per connection)."""
        options = self.registry.options if self.registry is not None else {}
        shared = {k: options[k] for k in ("deadlines", "pause") if k in options}
        return LogFollower(self._api(), request, buffer, **shared).start()

    def follow_loki(self, query: str, buffer: LogBuffer | None = None) -> LokiFollower:
        if not self.loki_url:
            raise ClusterError("No Loki URL is configured: start cockpit with --loki-url URL.")
        from cockpit.cluster.loki import LokiClient, LokiFollower

        return LokiFollower(LokiClient(self.loki_url), query, buffer).start()

    def stop(self) -> None:
        if self.registry is not None:
            self.registry.stop()
