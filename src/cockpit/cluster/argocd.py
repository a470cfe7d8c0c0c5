"""ArgoCD Applications (argoproj.io/v1alpha1): status rows, counts, and the two actions.

Hard refresh sets the `argocd.argoproj.io/refresh: hard` annotation (the controller removes it once
it has refreshed); sync sets `.operation.sync` (the controller runs it and records
`.status.operationState`). Both are merge patches, as `kubectl annotate` / `kubectl patch` send.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cockpit.cluster.kubeapi import APPLICATIONS, KubeApi
from cockpit.cluster.pods import parse_time

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
HEALTH_ORDER = ("Degraded", "Missing", "Unknown", "Progressing", "Suspended", "Healthy")


@dataclass(frozen=True, slots=True)
class AppStatus:
    uid: str
    namespace: str
    name: str
    project: str
    sync: str  # Synced / OutOfSync / Unknown
    health: str  # Healthy / Progressing / Degraded / Suspended / Missing / Unknown
    operation: str  # Running / Succeeded / Failed / Error / Terminating, "" when none recorded
    operation_message: str
    target_revision: str
    synced_revision: str
    last_sync: float | None  # operationState.finishedAt (or startedAt), epoch seconds
    refreshing: bool  # the hard-refresh annotation is still on the object
    sync_requested: bool  # `.operation` is set and not yet picked up
    conditions: tuple[str, ...] = ()  # "ComparisonError: ..." messages

    @property
    def failed_message(self) -> str:
        """The message of a failed operation (or of an error condition), else ""."""
        if self.operation in ("Failed", "Error") and self.operation_message:
            return self.operation_message
        return self.conditions[0] if self.conditions else ""

    @property
    def ok(self) -> bool:
        return self.sync == "Synced" and self.health == "Healthy"


def summarize_app(app: Mapping[str, Any]) -> AppStatus:
    meta = app.get("metadata") or {}
    spec = app.get("spec") or {}
    status = app.get("status") or {}
    op = status.get("operationState") or {}
    source = spec.get("source") or {}
    if not source and spec.get("sources"):
        source = spec["sources"][0]
    finished = parse_time(op.get("finishedAt")) or parse_time(op.get("startedAt"))
    reconciled = parse_time(status.get("reconciledAt"))
    conditions = tuple(
        f"{c.get('type')}: {c.get('message', '')}".strip()
        for c in status.get("conditions") or []
        if "Error" in str(c.get("type", "")) or "Warning" in str(c.get("type", ""))
    )
    return AppStatus(
        uid=str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"),
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name") or ""),
        project=str(spec.get("project") or "default"),
        sync=str((status.get("sync") or {}).get("status") or "Unknown"),
        health=str((status.get("health") or {}).get("status") or "Unknown"),
        operation=str(op.get("phase") or ""),
        operation_message=str(op.get("message") or ""),
        target_revision=str(source.get("targetRevision") or "HEAD"),
        synced_revision=str((status.get("sync") or {}).get("revision") or "")[:12],
        last_sync=finished if finished is not None else reconciled,
        refreshing=REFRESH_ANNOTATION in (meta.get("annotations") or {}),
        sync_requested=bool(app.get("operation")),
        conditions=conditions,
    )


@dataclass(frozen=True, slots=True)
class AppCounts:
    total: int
    synced: int
    healthy: int
    synced_or_healthy: int
    synced_and_healthy: int

    @property
    def synced_text(self) -> str:
        return f"Synced {self.synced}/{self.total}"

    @property
    def healthy_text(self) -> str:
        return f"Healthy {self.healthy}/{self.total}"


def counts(apps: Iterable[AppStatus]) -> AppCounts:
    rows = list(apps)
    return AppCounts(
        total=len(rows),
        synced=sum(a.sync == "Synced" for a in rows),
        healthy=sum(a.health == "Healthy" for a in rows),
        synced_or_healthy=sum(a.sync == "Synced" or a.health == "Healthy" for a in rows),
        synced_and_healthy=sum(a.ok for a in rows),
    )


def sort_apps(apps: Iterable[AppStatus]) -> list[AppStatus]:
    """Failing and out-of-sync applications first."""

    def rank(a: AppStatus) -> tuple[int, int, str]:
        health = HEALTH_ORDER.index(a.health) if a.health in HEALTH_ORDER else 2
        return (0 if a.operation in ("Failed", "Error") else 1, health * 2 + (a.sync == "Synced"), a.name)

    return sorted(apps, key=rank)


def hard_refresh(api: KubeApi, namespace: str, name: str) -> None:
    """`kubectl annotate application NAME -n NS argocd.argoproj.io/refresh=hard --overwrite`."""
    api.merge_patch(
        APPLICATIONS.path(namespace, name),
        {"metadata": {"annotations": {REFRESH_ANNOTATION: "hard"}}},
        what=f"application {namespace}/{name}",
    )


def sync(api: KubeApi, namespace: str, name: str, revision: str | None = None, prune: bool = False) -> None:
    """Request a sync the way the argocd CLI does: set `.operation.sync`."""
    sync_spec: dict[str, Any] = {"prune": prune}
    if revision:
        sync_spec["revision"] = revision
    api.merge_patch(
        APPLICATIONS.path(namespace, name),
        {"operation": {"sync": sync_spec, "initiatedBy": {"username": "cockpit"}}},
        what=f"application {namespace}/{name}",
    )
