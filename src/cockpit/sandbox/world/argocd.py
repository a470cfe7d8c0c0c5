"""ArgoCD Applications and the application controller's reactions.

- `argocd.argoproj.io/refresh: hard` (or `normal`) on an app: the controller removes the annotation,
  updates `status.reconciledAt` and re-compares. A hard refresh clears the app's scenario cause
  (`drift`: the manual edits are treated as committed; `path_missing`: the staged charts are now
  pushed), so it becomes Synced (and auto-sync records a Succeeded operation); a pinned health
  (platform-policies' quota) is re-evaluated too. A normal refresh changes nothing but reconciledAt.
- `.operation.sync` set on an app: operationState Running, then Succeeded (Synced) or Failed when
  the source cannot be generated (`path_missing` not yet fixed).
- Health is computed from the app's workloads (label app.kubernetes.io/instance=APP) as ArgoCD's
  health checks do: a Deployment past its progress deadline is Degraded, unready pods Progressing.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import APPLICATIONS, DAEMONSETS, DEPLOYMENTS, JOBS, STATEFULSETS
from cockpit.sandbox.selectors import parse_label_selector
from cockpit.sandbox.world.names import rfc3339
from cockpit.sandbox.world.scenario import AppSpec

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
NAMESPACE = "argocd"
REFRESH = "argocd.argoproj.io/refresh"
RECONCILE_PERIOD = 180.0
_ORDER = {"Healthy": 0, "Suspended": 1, "Progressing": 2, "Missing": 3, "Degraded": 4, "Unknown": 5}


class ArgoCD:
    def __init__(self, world: World) -> None:
        self.world = world
        self.specs: dict[str, AppSpec] = {}
        self.fixed: set[str] = set()
        self.head: dict[str, str] = {}
        self._busy: set[tuple[str, str]] = set()

    # ---- building --------------------------------------------------------------------------------

    def populate(self, now: float) -> None:
        s = self.world.scenario
        for spec in s.apps:
            self.specs[spec.name] = spec
            head = self.world.ids.hex(40)
            self.head[spec.name] = head
            deployed = head if spec.sync == "Synced" else self.world.ids.hex(40)
            app = self._app(spec, now, head, deployed)
            self.world.store.create(APPLICATIONS, app, NAMESPACE)
        self.world.after(5.0, self._periodic_health)
        self.world.after(RECONCILE_PERIOD, self._periodic_reconcile)

    def adopt(self, apps: list[Obj]) -> None:
        """Applications a snapshot recorded: each keeps its recorded sync status (OutOfSync as
        drift, Unknown as a path the repo lacks) and, unless Healthy, its recorded health, until a
        hard refresh, as the scenario's applications do."""
        for app in apps:
            name = app["metadata"]["name"]
            status = app.get("status") or {}
            sync = str((status.get("sync") or {}).get("status") or "Synced")
            health = status.get("health") or {}
            recorded = str(health.get("status") or "")
            self.specs[name] = AppSpec(
                name=name,
                path=str(((app.get("spec") or {}).get("source") or {}).get("path", "")),
                namespace=str(((app.get("spec") or {}).get("destination") or {}).get("namespace", "")),
                sync=sync,
                cause={"OutOfSync": "drift", "Unknown": "path_missing"}.get(sync, "none"),
                revision_age=0.0,
                health=recorded if recorded and recorded != "Healthy" else None,
                health_message=str(health.get("message") or ""),
                line=0,
            )
            self.head[name] = str((status.get("sync") or {}).get("revision") or self.world.ids.hex(40))
        self.world.after(5.0, self._periodic_health)
        self.world.after(RECONCILE_PERIOD, self._periodic_reconcile)

    def _source(self, spec: AppSpec) -> Obj:
        s = self.world.scenario
        return {
            "repoURL": s.repo,
            "path": spec.path,
            "targetRevision": s.target_revision,
            "helm": {"valueFiles": ["values.yaml"]},
        }

    def _app(self, spec: AppSpec, now: float, head: str, deployed: str) -> Obj:
        s = self.world.scenario
        source = self._source(spec)
        destination = {"namespace": spec.namespace, "server": "https://kubernetes.default.svc"}
        finished = now - spec.revision_age
        status: Obj = {
            "sync": {"status": spec.sync, "comparedTo": {"source": source, "destination": destination}},
            "health": {"status": "Healthy"},
            "reconciledAt": rfc3339(now - self.world.ids.rng.uniform(10, 170)),
            "sourceType": "Helm",
            "history": [
                {
                    "id": 1,
                    "revision": deployed,
                    "deployedAt": rfc3339(finished),
                    "deployStartedAt": rfc3339(finished - 14),
                    "source": source,
                }
            ],
            "operationState": {
                "operation": {
                    "sync": {"revision": deployed},
                    "initiatedBy": {"automated": True},
                    "retry": {"limit": 5},
                },
                "phase": "Succeeded",
                "message": "successfully synced (all tasks run)",
                "startedAt": rfc3339(finished - 14),
                "finishedAt": rfc3339(finished),
                "syncResult": {"revision": deployed, "source": source},
            },
        }
        status["sync"]["revision"] = deployed if spec.sync == "Unknown" else head
        status["health"] = self.health(spec.name)
        status["resources"] = self._resources(spec.name, spec.sync)
        status["summary"] = {
            "images": sorted({c["image"] for _, o in self._workloads(spec.name) for c in _containers(o)})
        }
        if spec.cause == "path_missing":
            status["conditions"] = [
                {
                    "type": "ComparisonError",
                    "message": self._path_error(spec),
                    "lastTransitionTime": rfc3339(now - spec.revision_age + 600),
                }
            ]
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {
                "name": spec.name,
                "namespace": NAMESPACE,
                "labels": {"app.kubernetes.io/part-of": s.name},
                "creationTimestamp": rfc3339(now - max(spec.revision_age, 30 * 86400)),
            },
            "spec": {
                "destination": destination,
                "project": "default",
                "source": source,
                "syncPolicy": {
                    "automated": {"prune": True, "selfHeal": False},
                    "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                },
            },
            "status": status,
        }

    def _path_error(self, spec: AppSpec) -> str:
        return (
            "Failed to load target state: failed to generate manifest for source 1 of 1: rpc "
            "error: code = Unknown "
            f"desc = Manifest generation error (cached): {spec.path}: app path does not exist"
        )

    # ---- reacting --------------------------------------------------------------------------------

    def on_change(self, app: Obj) -> None:
        name = app["metadata"]["name"]
        if app["metadata"].get("namespace") != NAMESPACE:
            return
        annotations = app["metadata"].get("annotations") or {}
        if REFRESH in annotations and ("refresh", name) not in self._busy:
            self._busy.add(("refresh", name))
            self.world.after(1.5, self._refresh, name)
        operation = app.get("operation")
        if operation and operation.get("sync") is not None and ("sync", name) not in self._busy:
            self._busy.add(("sync", name))
            self.world.after(0.5, self._start_sync, name)

    def _refresh(self, name: str) -> None:
        self._busy.discard(("refresh", name))
        entry = self.world.store.entry(APPLICATIONS, NAMESPACE, name)
        if entry is None:
            return
        kind = (entry.obj["metadata"].get("annotations") or {}).get(REFRESH, "")
        now = self.world.now()
        if kind == "hard":
            self.fixed.add(name)
        before = (entry.obj.get("status") or {}).get("sync", {}).get("status")

        def change(app: Obj) -> None:
            annotations = app["metadata"].get("annotations") or {}
            annotations.pop(REFRESH, None)
            if not annotations:
                app["metadata"].pop("annotations", None)
            status = app.setdefault("status", {})
            status["reconciledAt"] = rfc3339(now)
            self._compare(app, now)

        try:
            updated = self.world.store.mutate(APPLICATIONS, NAMESPACE, name, change)
        except errors.ApiError:
            return
        after = updated["status"]["sync"]["status"]
        auto = (updated["spec"].get("syncPolicy") or {}).get("automated")
        if before != "Synced" and after == "Synced" and auto:
            self._operation_running(name, now, automated=True)
            self.world.after(3.0, self._finish_sync, name, True)

    def _compare(self, app: Obj, now: float) -> None:
        name = app["metadata"]["name"]
        spec = self.specs.get(name)
        status = app.setdefault("status", {})
        sync = status.setdefault("sync", {})
        head = self.head.get(name) or self.world.ids.hex(40)
        if spec is None or spec.cause == "none" or name in self.fixed:
            sync["status"] = "Synced"
            sync["revision"] = head
            status.pop("conditions", None)
        elif spec.cause == "drift":
            sync["status"] = "OutOfSync"
            sync["revision"] = head
        else:
            sync["status"] = "Unknown"  # the revision stays the last one compared
        status["health"] = self.health(name, app)
        status["resources"] = self._resources(name, sync["status"])

    def health(self, name: str, app: Obj | None = None) -> Obj:
        spec = self.specs.get(name)
        if spec is not None and spec.health and name not in self.fixed:
            return (
                {"status": spec.health, "message": spec.health_message}
                if spec.health_message
                else {"status": spec.health}
            )
        worst, message = "Healthy", ""
        for rt, obj in self._workloads(name):
            state, why = _workload_health(rt, obj)
            if _ORDER[state] > _ORDER[worst]:
                worst, message = state, why
        return {"status": worst, "message": message} if message else {"status": worst}

    def _workloads(self, name: str) -> list[tuple[Any, Obj]]:
        selector = parse_label_selector(f"app.kubernetes.io/instance={name}")
        out: list[tuple[Any, Obj]] = []
        for rt in (DEPLOYMENTS, STATEFULSETS, DAEMONSETS, JOBS):
            out += [
                (rt, e.obj)
                for e in self.world.store.select(rt, None, selector).entries
                if not e.obj["metadata"].get("ownerReferences")
            ]
        return out

    def _resources(self, name: str, sync: str) -> list[Obj]:
        out = []
        for rt, obj in self._workloads(name):
            state, _ = _workload_health(rt, obj)
            out.append(
                {
                    "group": rt.group,
                    "version": rt.version,
                    "kind": rt.kind,
                    "namespace": obj["metadata"]["namespace"],
                    "name": obj["metadata"]["name"],
                    "status": "Synced"
                    if sync == "Synced"
                    else "OutOfSync"
                    if sync == "OutOfSync"
                    else "Unknown",
                    "health": {"status": state},
                }
            )
        return out

    def _operation_running(
        self, name: str, now: float, *, automated: bool, revision: str | None = None
    ) -> None:
        head = revision or self.head.get(name, "")
        source = self._source(self.specs[name]) if name in self.specs else None

        def change(app: Obj) -> None:
            status = app.setdefault("status", {})
            initiated: Obj = {"automated": True} if automated else {"username": "admin"}
            status["operationState"] = {
                "operation": {"sync": {"revision": head}, "initiatedBy": initiated, "retry": {"limit": 5}},
                "phase": "Running",
                "message": "one or more tasks are running",
                "startedAt": rfc3339(now),
            }
            if source:
                status["operationState"]["syncResult"] = {"revision": head, "source": source}

        with contextlib.suppress(errors.ApiError):
            self.world.store.mutate(APPLICATIONS, NAMESPACE, name, change)

    def _start_sync(self, name: str) -> None:
        entry = self.world.store.entry(APPLICATIONS, NAMESPACE, name)
        if entry is None:
            self._busy.discard(("sync", name))
            return
        operation = entry.obj.get("operation") or {}
        revision = (operation.get("sync") or {}).get("revision")
        self._operation_running(name, self.world.now(), automated=False, revision=revision)
        spec = self.specs.get(name)
        ok = spec is None or spec.cause != "path_missing" or name in self.fixed
        self.world.after(3.0, self._finish_sync, name, ok)

    def _finish_sync(self, name: str, ok: bool) -> None:
        self._busy.discard(("sync", name))
        now = self.world.now()
        spec = self.specs.get(name)

        def change(app: Obj) -> None:
            app.pop("operation", None)
            status = app.setdefault("status", {})
            state = status.setdefault("operationState", {})
            state["finishedAt"] = rfc3339(now)
            if ok:
                state["phase"] = "Succeeded"
                state["message"] = "successfully synced (all tasks run)"
                if spec is not None and spec.cause == "drift":
                    self.fixed.add(name)
                revision = (state.get("operation") or {}).get("sync", {}).get("revision") or self.head.get(
                    name, ""
                )
                history = status.setdefault("history", [])
                history.append(
                    {
                        "id": len(history) + 1,
                        "revision": revision,
                        "deployedAt": rfc3339(now),
                        "deployStartedAt": state.get("startedAt", rfc3339(now)),
                        "source": app["spec"].get("source", {}),
                    }
                )
            else:
                state["phase"] = "Failed"
                state["message"] = (
                    "ComparisonError: " + self._path_error(spec)
                    if spec is not None
                    else "one or more objects failed"
                )
            status["reconciledAt"] = rfc3339(now)
            self._compare(app, now)

        with contextlib.suppress(errors.ApiError):
            self.world.store.mutate(APPLICATIONS, NAMESPACE, name, change)

    # ---- periodic --------------------------------------------------------------------------------

    def _periodic_health(self) -> None:
        for e in self.world.store.select(APPLICATIONS, NAMESPACE).entries:
            name = e.obj["metadata"]["name"]
            current = (e.obj.get("status") or {}).get("health")
            health = self.health(name)
            if current != health:

                def change(app: Obj, health: Obj = health) -> None:
                    app.setdefault("status", {})["health"] = health

                with contextlib.suppress(errors.ApiError):
                    self.world.store.mutate(APPLICATIONS, NAMESPACE, name, change)
        self.world.after(5.0, self._periodic_health)

    def _periodic_reconcile(self) -> None:
        now = self.world.now()
        for e in self.world.store.select(APPLICATIONS, NAMESPACE).entries:

            def change(app: Obj) -> None:
                app.setdefault("status", {})["reconciledAt"] = rfc3339(now)

            with contextlib.suppress(errors.ApiError):
                self.world.store.mutate(APPLICATIONS, NAMESPACE, e.obj["metadata"]["name"], change)
        self.world.after(RECONCILE_PERIOD, self._periodic_reconcile)


def _workload_health(rt: Any, obj: Obj) -> tuple[str, str]:
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    name = obj["metadata"]["name"]
    if rt is DEPLOYMENTS:
        for c in status.get("conditions") or []:
            if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                return "Degraded", f'Deployment "{name}" exceeded its progress deadline'
        want = int(spec.get("replicas", 1))
        if int(status.get("availableReplicas", 0)) < want:
            return "Progressing", (
                f"Waiting for rollout to finish: {status.get('availableReplicas', 0)} of {want} "
                "updated replicas are available..."
            )
        return "Healthy", ""
    if rt is STATEFULSETS:
        want = int(spec.get("replicas", 1))
        if int(status.get("readyReplicas", 0)) < want:
            return (
                "Progressing",
                f"Waiting for {want - int(status.get('readyReplicas', 0))} pods to be ready...",
            )
        return "Healthy", ""
    if rt is DAEMONSETS:
        if int(status.get("numberReady", 0)) < int(status.get("desiredNumberScheduled", 0)):
            return "Progressing", "Waiting for daemon set rollout to finish"
        return "Healthy", ""
    for c in status.get("conditions") or []:
        if c.get("type") == "Failed" and c.get("status") == "True":
            return "Degraded", c.get("message", "Job failed")
    if status.get("active"):
        return "Progressing", "Job is running"
    return "Healthy", ""


def _containers(obj: Obj) -> list[Obj]:
    spec = obj.get("spec") or {}
    template = spec.get("template") or (spec.get("jobTemplate") or {}).get("spec", {}).get("template") or {}
    return list((template.get("spec") or {}).get("containers") or [])
