"""Every informer of one cluster, one per (group, version, plural, namespace), kept alive.

`InformerRegistry.get` starts an informer on first use and never hands out a dead one; a watchdog
thread restarts an informer whose thread ended (for any reason) and turns a CONNECTED informer
STALE once nothing arrived within its deadline (its own thread is blocked in a read then).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, TypeVar

from cockpit.cluster.health import Health
from cockpit.cluster.informer import Dispatcher, Informer, InformerKey, Summarize
from cockpit.cluster.kubeapi import KubeApi, ResourceKind

log = logging.getLogger(__name__)
T = TypeVar("T")


class InformerRegistry:
    """Every informer of one cluster, keyed by (group, version, plural, namespace): one watch each.

    A watchdog thread (every `watchdog_interval` seconds) restarts an informer whose thread ended
    and marks informers STALE when no data arrived in time; `get` never hands out a dead one."""

    def __init__(
        self,
        api: KubeApi,
        dispatcher: Dispatcher | None = None,
        watchdog_interval: float = 1.0,
        **informer_options: Any,
    ) -> None:
        self.api = api
        self.dispatcher = dispatcher or Dispatcher()
        self.options = informer_options
        self.watchdog_interval = watchdog_interval
        self._lock = threading.Lock()
        self._informers: dict[InformerKey, Informer[Any]] = {}
        self._stopped = threading.Event()
        self._watchdog: threading.Thread | None = None

    def get(
        self,
        kind: ResourceKind,
        namespace: str | None,
        summarize: Summarize[T],
        fallback_namespace: str | None = None,
    ) -> Informer[T]:
        """The running informer for this kind and namespace, started on first use.

        `fallback_namespace`: for a cluster-wide informer, the namespace to watch instead when
        RBAC forbids listing all namespaces (kubectl's default namespace)."""
        key = (kind.group, kind.version, kind.plural, namespace or "")
        with self._lock:
            informer = self._informers.get(key)
            if informer is None:
                options = dict(self.options)
                if fallback_namespace and not namespace:
                    options["fallback_namespace"] = fallback_namespace
                informer = Informer(self.api, kind, namespace, summarize, self.dispatcher, **options)
                self._informers[key] = informer
                informer.start()
            else:
                informer.ensure_running()
            if self._watchdog is None and not self._stopped.is_set():
                self._watchdog = threading.Thread(
                    target=self._watch_over, name="informer-watchdog", daemon=True
                )
                self._watchdog.start()
            return informer

    def all(self) -> list[Informer[Any]]:
        with self._lock:
            return list(self._informers.values())

    def health(self) -> dict[str, Health]:
        """Each informer's health by the resource it watches ("pods", "applications.argoproj.io")."""
        return {i.kind.resource + (f" in {i.namespace}" if i.namespace else ""): i.health for i in self.all()}

    def _watch_over(self) -> None:
        while not self._stopped.wait(self.watchdog_interval):
            for informer in self.all():
                try:
                    informer.ensure_running()
                    informer.check()
                except Exception:  # the watchdog must outlive any one informer's trouble
                    log.exception("informer watchdog failed for %s", informer.kind.resource)

    def stop(self) -> None:
        self._stopped.set()
        for informer in self.all():
            informer.stop()
        self.dispatcher.stop()
