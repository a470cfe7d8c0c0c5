"""Recording core/v1 Events the way kubelet and the controllers do (repeats counted, not duplicated)."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import EVENTS
from cockpit.sandbox.store import Store
from cockpit.sandbox.world.names import Ids, rfc3339

Obj = dict[str, Any]

COMPONENTS = {
    "Pod": "kubelet",
    "ReplicaSet": "replicaset-controller",
    "Deployment": "deployment-controller",
    "StatefulSet": "statefulset-controller",
    "DaemonSet": "daemonset-controller",
    "Job": "job-controller",
    "CronJob": "cronjob-controller",
    "Certificate": "cert-manager-certificates-issuing",
    "CertificateRequest": "cert-manager-certificaterequests-issuer-acme",
    "Order": "cert-manager-orders",
    "Challenge": "cert-manager-challenges",
    "Application": "argocd-application-controller",
}


EVENT_TTL = 3600.0  # kube-apiserver --event-ttl default


class EventRecorder:
    """Writes Events into the store. As on a real cluster, an event last seen more than an hour ago
    is gone (so a scenario's old history is not recorded), and `limit` caps how many are kept."""

    def __init__(self, store: Store, ids: Ids, limit: int = 3000) -> None:
        self.store = store
        self.ids = ids
        self.limit = limit
        self._seen: OrderedDict[tuple[str, str, str], tuple[str, str]] = OrderedDict()

    def record(
        self,
        obj: Obj,
        reason: str,
        message: str,
        at: float,
        *,
        warning: bool = False,
        count: int = 1,
        first: float | None = None,
        field_path: str | None = None,
    ) -> None:
        if at < self.store.clock() - EVENT_TTL:
            return
        meta = obj["metadata"]
        ns = meta.get("namespace") or "default"
        uid = meta.get("uid", "")
        key = (uid, reason, message)
        kind = obj.get("kind", "")
        known = self._seen.get(key)
        if known is not None:
            try:
                self.store.mutate(EVENTS, known[0], known[1], lambda e: _bump(e, at, count))
                self._seen.move_to_end(key)
                return
            except errors.ApiError:
                del self._seen[key]
        name = f"{meta['name']}.{self.ids.hex(16)}"
        involved: Obj = {
            "apiVersion": obj.get("apiVersion", "v1"),
            "kind": kind,
            "name": meta["name"],
            "namespace": ns,
            "uid": uid,
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if field_path:
            involved["fieldPath"] = field_path
        component = COMPONENTS.get(kind, "sandbox-controller")
        source: Obj = {"component": component}
        host = (obj.get("spec") or {}).get("nodeName") if kind == "Pod" else None
        if host:
            source["host"] = host
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(first or at)},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": rfc3339(first or at),
            "lastTimestamp": rfc3339(at),
            "count": count,
            "type": "Warning" if warning else "Normal",
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host or "",
        }
        self.store.create(EVENTS, event, ns, copy=False)
        self._seen[key] = (ns, name)
        while len(self._seen) > self.limit:
            (_, (old_ns, old_name)) = self._seen.popitem(last=False)
            with contextlib.suppress(errors.ApiError):
                self.store.delete(EVENTS, old_ns, old_name)


def _bump(event: Obj, at: float, count: int) -> None:
    event["count"] = int(event.get("count", 1)) + count
    event["lastTimestamp"] = rfc3339(at)
