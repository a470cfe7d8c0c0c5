"""The simulated world: fills the Store from a scenario and keeps it alive like a cluster.

`World.tick()` runs everything that is due (kubelet steps, controller reconciles, ArgoCD,
cert-manager, Velero, churn); `World.run()` calls it on the sandbox's asyncio loop, waking on store
changes and timers. Times are the store's clock; `time_scale` > 1 shortens every simulated delay
(back-offs, run times, reconcile periods) for demos, without touching the timestamps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import (
    APPLICATIONS,
    BACKUPS,
    CERTIFICATEREQUESTS,
    CERTIFICATES,
    CHALLENGES,
    CONFIGMAPS,
    CRONJOBS,
    DAEMONSETS,
    DEPLOYMENTS,
    INGRESSES,
    JOBS,
    NODES,
    PODS,
    REPLICASETS,
    STATEFULSETS,
    ResourceType,
    by_name,
)
from cockpit.sandbox.store import DELETED, Store
from cockpit.sandbox.world import controllers as C
from cockpit.sandbox.world.events import EventRecorder
from cockpit.sandbox.world.fields import ScenarioError
from cockpit.sandbox.world.httpd import HttpReply, PodHttp, Unreachable
from cockpit.sandbox.world.kubelet import Kubelet, PodRun
from cockpit.sandbox.world.metrics import PodMetrics
from cockpit.sandbox.world.names import Ids, rfc3339
from cockpit.sandbox.world.pods import new_pod
from cockpit.sandbox.world.scenario import Behaviour, Scenario, WorkloadSpec, load_scenario
from cockpit.sandbox.world.shell import Shell
from cockpit.sandbox.world.timers import Timers
from cockpit.sandbox.worldapi import ExecResult

Obj = dict[str, Any]
_log = logging.getLogger(__name__)
_RECONCILERS = {
    DEPLOYMENTS: C.reconcile_deployment,
    REPLICASETS: C.reconcile_replicaset,
    STATEFULSETS: C.reconcile_statefulset,
    DAEMONSETS: C.reconcile_daemonset,
    JOBS: C.reconcile_job,
    CRONJOBS: C.reconcile_cronjob_status,
}
HEALTHY = Behaviour()
NODE_STATUS_PERIOD = 300.0
TICK_BUDGET_S = 0.02  # one tick runs at most this long before the API server gets the loop back


class World:
    def __init__(
        self,
        store: Store,
        scenario: Scenario,
        *,
        seed: int = 0,
        time_scale: float = 1.0,
        pods: int | None = None,
        churn: float = 0.0,
    ) -> None:
        from cockpit.sandbox.world.argocd import ArgoCD
        from cockpit.sandbox.world.certs import CertManager
        from cockpit.sandbox.world.churn import Churn
        from cockpit.sandbox.world.logs import WorldLogs
        from cockpit.sandbox.world.velero import Velero

        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.store = store
        self.scenario = scenario
        self.seed = seed
        self.time_scale = time_scale
        self.ids = Ids(seed)
        self.rng = random.Random(seed ^ 0x5EED)
        self.timers = Timers()
        self.events = EventRecorder(store, self.ids)
        self.kubelet = Kubelet(self)
        self.argocd = ArgoCD(self)
        self.certs = CertManager(self)
        self.velero = Velero(self)
        self.churn = Churn(self, churn)
        self.logs = WorldLogs(self)
        self.http = PodHttp(self)
        self.metrics = PodMetrics(self)
        self.shell = Shell(self)
        self.filler_target = pods
        self.specs: dict[tuple[str, str, str], WorkloadSpec] = {}
        self.base_hashes: dict[tuple[str, str, str], str] = {}
        # (kind, ns, name, hash the world computes) -> the hash a snapshot recorded for that template
        self.adopted_hashes: dict[tuple[str, str, str, str], str] = {}
        self.job_specs: dict[tuple[str, str], Any] = {}
        self.cron_specs: dict[tuple[str, str], Any] = {}
        self.nodes: dict[str, Obj] = {}
        self.node_images: dict[str, set[str]] = {}
        self._image_ids: dict[str, str] = {}
        self._image_sizes: dict[str, int] = {}
        self._pending_job_pods: set[tuple[str, str]] = set()
        self._scheduled_crons: set[str] = set()
        self._queue: deque[tuple[str, ResourceType, Obj]] = deque()
        self._dirty: dict[tuple[ResourceType, str, str], None] = {}
        self._wake: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self._lock = threading.RLock()
        self.errors: deque[str] = deque(maxlen=100)
        self.snapshot: Any = None  # the SnapshotScenario served, when the scenario is a snapshot
        self._unsubscribe = store.subscribe(self._on_change)

    # ---- time ------------------------------------------------------------------------------------

    def now(self) -> float:
        return float(self.store.clock())

    def after(self, delay: float, fn: Any, *args: Any) -> None:
        """Run `fn(*args)` after `delay` simulated seconds (shortened by time_scale)."""
        self.timers.at(self.now() + delay / self.time_scale, fn, *args)
        self._poke()

    def at(self, when: float, fn: Any, *args: Any) -> None:
        """Run `fn(*args)` at a wall-clock time (cron schedules do not scale)."""
        self.timers.at(when, fn, *args)
        self._poke()

    # ---- change feed -----------------------------------------------------------------------------

    def _on_change(self, kind: str, rt: ResourceType, obj: Obj) -> None:
        self._queue.append((kind, rt, obj))
        self._poke()

    def _poke(self) -> None:
        wake = self._wake
        if wake is not None:
            loop, event = wake
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    def mark(self, rt: ResourceType, ns: str, name: str) -> None:
        self._dirty[(rt, ns, name)] = None

    def _route(self, kind: str, rt: ResourceType, obj: Obj) -> None:
        meta = obj["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        if rt is PODS:
            if (meta.get("labels") or {}).get("cockpit.sandbox/filler") and (
                ns,
                name,
            ) not in self.kubelet.runs:
                return  # filler pods have no controller to tell
            if kind == DELETED:
                self.kubelet.forget(ns, name, meta.get("uid"))
                if (ns, name) not in self.kubelet.runs:
                    self.logs.forget(ns, name)
            elif (
                (ns, name) not in self.kubelet.runs
                and (obj.get("status") or {}).get("phase") in (None, "", "Pending")
                and not (obj.get("spec") or {}).get("nodeName")
                and not meta.get("deletionTimestamp")
            ):
                self._adopt_foreign_pod(obj)  # nobody runs it yet: the scheduler and a kubelet will
            for ref in meta.get("ownerReferences") or []:
                owner_rt = {
                    "ReplicaSet": REPLICASETS,
                    "StatefulSet": STATEFULSETS,
                    "DaemonSet": DAEMONSETS,
                    "Job": JOBS,
                }.get(ref.get("kind", ""))
                if owner_rt is not None:
                    self.mark(owner_rt, ns, ref["name"])
            return
        if rt is REPLICASETS:
            self.mark(rt, ns, name)
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "Deployment":
                    self.mark(DEPLOYMENTS, ns, ref["name"])
            return
        if rt in _RECONCILERS:
            if kind != DELETED:
                self.mark(rt, ns, name)
            if rt is CRONJOBS and kind == "ADDED":
                self.schedule_cronjob(ns, name)
            if rt is JOBS and kind == DELETED:
                for ref in meta.get("ownerReferences") or []:
                    if ref.get("kind") == "CronJob":
                        self.mark(CRONJOBS, ns, ref["name"])
            return
        if rt is APPLICATIONS and kind != DELETED:
            self.argocd.on_change(obj)
        elif rt in (CERTIFICATES, CERTIFICATEREQUESTS, CHALLENGES, INGRESSES, CONFIGMAPS):
            self.certs.on_change(kind, rt, obj)
        elif rt is BACKUPS and kind != DELETED:
            self.velero.on_change(obj)

    def _adopt_foreign_pod(self, pod: Obj) -> None:
        """A pod someone created directly (kubectl run, a manifest): healthy, scheduled like any other."""
        meta = pod["metadata"]
        image = pod["spec"]["containers"][0]["image"] if pod.get("spec", {}).get("containers") else ""
        restart_policy = pod.get("spec", {}).get("restartPolicy", "Always")
        run = PodRun(
            meta["namespace"],
            meta["name"],
            meta["uid"],
            HEALTHY,
            self.logs.profile_for_image(image),
            run_to_completion=restart_policy != "Always",
            run_for=20.0,
        )
        self.kubelet.launch(run)

    # ---- the loop --------------------------------------------------------------------------------

    def tick(self, budget: float | None = None) -> int:
        """Run what is due at the store clock's now; returns how many steps ran. A step that fails is
        recorded in `errors`
        (and logged) and the world goes on: one odd object must not stop the cluster living.
        With a `budget` (seconds) it stops after that long, leaving the rest for the next call."""
        steps = 0
        deadline = None if budget is None else time.monotonic() + budget
        with self._lock:
            for _ in range(1000):
                if deadline is not None and time.monotonic() > deadline:
                    break  # let the loop serve HTTP; `run` comes back for the rest at once
                progressed = False
                while self._queue:
                    kind, rt, obj = self._queue.popleft()
                    self._guarded(self._route, kind, rt, obj)
                    steps += 1
                    progressed = True
                if self._dirty:
                    dirty, self._dirty = list(self._dirty), {}
                    for rt, ns, name in dirty:
                        self._guarded(_RECONCILERS[rt], self, ns, name)
                        steps += 1
                    progressed = True
                for fn, args in self.timers.pop_due(self.now()):
                    self._guarded(fn, *args)
                    steps += 1
                    progressed = True
                if not progressed:
                    break
        return steps

    def _guarded(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except errors.ApiError:
            pass  # the object changed or vanished under us: the next event brings us back
        except Exception as exc:
            self.errors.append(f"{getattr(fn, '__qualname__', fn)}: {type(exc).__name__}: {exc}")
            _log.exception("sandbox world step failed")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        self._wake = (loop, event)
        try:
            while True:
                self.tick(TICK_BUDGET_S)
                due = self.timers.next_due()
                timeout = 1.0 if due is None else min(max(due - self.now(), 0.01), 1.0)
                event.clear()
                if self._queue or self._dirty or (due is not None and due <= self.now()):
                    await asyncio.sleep(0)  # more is due: first let the API answer what waits
                    continue
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):  # (3.11's wait_for can swallow a cancel)
                        await event.wait()
        finally:
            self._wake = None

    def exec(self, namespace: str, pod: str, container: str, command: list[str]) -> ExecResult | None:
        """What `command` prints in a running container (cockpit.sandbox.worldapi.ExecSource)."""
        with self._lock:
            return self.shell.exec(namespace, pod, container, command)

    def http_request(
        self, pod: Obj, port: int, method: str, path: str, query: str, body: bytes, content_type: str
    ) -> HttpReply | None:
        """What the pod's server on `port` answers (None: connection refused); the API server's
        proxy and port-forward come through here."""
        with self._lock:
            return self.http.request(pod, port, method, path, query, body, content_type)

    def service_backend(self, service: Obj, port: int | str) -> tuple[Obj, int] | Unreachable:
        with self._lock:
            return self.http.service_backend(service, port)

    def close(self) -> None:
        self._unsubscribe()
        self.metrics.close()

    def heartbeat(self) -> None:
        """Kubelets report node status every 5 minutes when nothing changes (nodeStatusReportFrequency)."""
        stamp = rfc3339(self.now())
        for name in self.node_names():

            def change(node: Obj) -> None:
                for cond in node.get("status", {}).get("conditions") or []:
                    cond["lastHeartbeatTime"] = stamp

            with contextlib.suppress(errors.ApiError):
                self.nodes[name] = self.store.mutate(NODES, None, name, change)
        self.at(self.now() + NODE_STATUS_PERIOD, self.heartbeat)

    # ---- helpers for controllers ----------------------------------------------------------------

    def node_names(self) -> list[str]:
        return sorted(self.nodes)

    def node_ip(self, node: str) -> str:
        return self.nodes[node]["status"]["addresses"][0]["address"] if node in self.nodes else ""

    def next_pod_ip(self, node: str) -> str:
        spec = next((n for n in self.scenario.nodes if n.name == node), None)
        return self.ids.pod_ip(spec.pod_subnet if spec else "10.244.9")

    def pick_node(self, pod: Obj) -> str | None:
        selector = pod["spec"].get("nodeSelector") or {}
        candidates = []
        for name, node in sorted(self.nodes.items()):
            labels = node["metadata"].get("labels", {})
            if all(labels.get(k) == v for k, v in selector.items()):
                candidates.append(name)
        if not candidates:
            return None
        load = dict.fromkeys(candidates, 0)
        for run_ns, run_name in self.kubelet.runs:
            entry = self.store.entry(PODS, run_ns, run_name)
            if entry is not None and entry.obj["spec"].get("nodeName") in load:
                load[entry.obj["spec"]["nodeName"]] += 1
        return min(candidates, key=lambda n: (load[n], n))

    def image_on_node(self, image: str, node: str) -> bool:
        return image in self.node_images.get(node, set())

    def note_image(self, image: str, node: str) -> None:
        self.node_images.setdefault(node, set()).add(image)

    def image_size(self, image: str) -> int:
        if image not in self._image_sizes:
            self._image_sizes[image] = self.ids.rng.randrange(12_000_000, 900_000_000)
        return self._image_sizes[image]

    def image_id(self, image: str) -> str:
        if image not in self._image_ids:
            self._image_ids[image] = f"{image.rsplit(':', 1)[0]}@{self.ids.image_digest()}"
        return self._image_ids[image]

    def healed(self, run: PodRun, pod: Obj) -> bool:
        heals = run.behaviour.heals_when
        if not heals:
            return False
        for heal in heals:
            if heal.kind == "absent":
                plural, ns, name = heal.object.split("/")
                rt = by_name(plural)
                if rt is not None and self.store.exists(rt, ns, name):
                    return False
            elif heal.kind == "template_changed":
                labels = pod["metadata"].get("labels", {})
                current = labels.get("pod-template-hash") or labels.get("controller-revision-hash") or ""
                if current == run.base_hash:
                    return False
            elif heal.kind == "field":
                plural, ns, name = heal.object.split("/")
                rt = by_name(plural)
                entry = self.store.entry(rt, ns, name) if rt is not None else None
                value: Any = entry.obj if entry is not None else None
                for part in heal.path:
                    value = value.get(part) if isinstance(value, dict) else None
                if value is None or str(value) != heal.equals:
                    return False
        return True

    def replica_index(self, run: PodRun, pod: Obj) -> int:
        refs = pod["metadata"].get("ownerReferences") or []
        if not refs:
            return 0
        siblings = [o for rt, o in self.store.dependents(refs[0]["uid"]) if rt is PODS]
        siblings.sort(key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))
        names = [p["metadata"]["name"] for p in siblings]
        return names.index(pod["metadata"]["name"]) if pod["metadata"]["name"] in names else 0

    def _workload_of(self, owner: Obj | None) -> tuple[str, str]:
        """(kind, name) of the scenario workload behind a pod's owner."""
        if owner is None:
            return "", ""
        kind, name = owner["kind"], owner["metadata"]["name"]
        if kind == "ReplicaSet":
            for ref in owner["metadata"].get("ownerReferences") or []:
                if ref.get("kind") == "Deployment":
                    return "Deployment", ref["name"]
        return kind, name

    def run_for_pod(self, owner: Obj | None, ns: str, pod_name: str) -> PodRun:
        kind, name = self._workload_of(owner)
        spec = self.specs.get((kind, ns, name))
        if spec is not None:
            return PodRun(
                ns,
                pod_name,
                "",
                spec.behaviour,
                spec.logs,
                image=spec.image,
                requests=self.base_requests(spec),
                owner_key=f"{kind}/{ns}/{name}",
                base_hash=self.base_hashes.get((kind, ns, name), ""),
            )
        if kind == "Job":
            cron = None
            for ref in (owner or {}).get("metadata", {}).get("ownerReferences") or []:
                if ref.get("kind") == "CronJob":
                    cron = self.cron_specs.get((ns, ref["name"]))
            job_spec = self.job_specs.get((ns, name))
            if cron is not None:
                return PodRun(
                    ns,
                    pod_name,
                    "",
                    HEALTHY,
                    cron.logs,
                    run_to_completion=True,
                    flaky_pull=cron.flaky_pull,
                    run_for=cron.run_for,
                )
            profile = (
                job_spec.logs if job_spec is not None else self.logs.profile_for_image(_template_image(owner))
            )
            return PodRun(ns, pod_name, "", HEALTHY, profile, run_to_completion=True, run_for=20.0)
        return PodRun(ns, pod_name, "", HEALTHY, self.logs.profile_for_image(_template_image(owner)))

    @staticmethod
    def base_requests(spec: WorkloadSpec) -> Any:
        from cockpit.sandbox.world.workloads import pod_template

        if spec.requests is not None:
            return spec.requests
        return pod_template(spec)["spec"]["containers"][0]["resources"]

    def revision(self, owner: Obj, computed: str) -> str:
        """The revision hash of a workload's current template: the world's own hash, or the one a
        snapshot recorded for that same template (so controllers adopt recorded ReplicaSets/pods)."""
        meta = owner["metadata"]
        key = (owner["kind"], meta.get("namespace", ""), meta["name"], computed)
        return self.adopted_hashes.get(key, computed)

    def create_pod(
        self,
        template: Obj,
        name: str,
        ns: str,
        owner: Obj,
        *,
        extra_labels: dict[str, str] | None = None,
        node: str | None = None,
        hostname: str | None = None,
    ) -> Obj | None:
        restart_policy = "Never" if owner["kind"] == "Job" else None
        pod = new_pod(
            template,
            name,
            ns,
            owner,
            self.now(),
            extra_labels=extra_labels,
            node=node,
            restart_policy=restart_policy,
        )
        if hostname:
            pod["spec"]["hostname"] = hostname
            pod["spec"]["subdomain"] = f"{owner['metadata']['name']}-headless"
        run = self.run_for_pod(owner, ns, name)
        try:
            created = self.store.create(PODS, pod, ns, copy=False)
        except errors.ApiError:
            return None
        run.uid = created["metadata"]["uid"]
        self.kubelet.launch(run)
        return created

    def delete_pod(self, pod: Obj) -> None:
        meta = pod["metadata"]
        self.kubelet.forget(meta["namespace"], meta["name"])
        try:
            self.store.delete(PODS, meta["namespace"], meta["name"], "Background")
        except errors.ApiError:
            return
        containers = pod.get("spec", {}).get("containers") or []
        if containers and pod.get("spec", {}).get("nodeName"):
            c = containers[0]["name"]
            self.events.record(
                pod, "Killing", f"Stopping container {c}", self.now(), field_path=f"spec.containers{{{c}}}"
            )

    def job_pod_pending(self, job: Obj) -> bool:
        return (job["metadata"]["namespace"], job["metadata"]["name"]) in self._pending_job_pods

    def create_job_pod_later(self, job: Obj, delay: float) -> None:
        key = (job["metadata"]["namespace"], job["metadata"]["name"])
        self._pending_job_pods.add(key)
        uid = job["metadata"]["uid"]
        self.after(delay, self._create_job_pod, key, uid)

    def _create_job_pod(self, key: tuple[str, str], uid: str) -> None:
        self._pending_job_pods.discard(key)
        entry = self.store.entry(JOBS, *key)
        if entry is None or entry.obj["metadata"]["uid"] != uid or C._finished(entry.obj):
            return
        job = entry.obj
        name = f"{key[1]}-{self.ids.suffix()}"
        self.create_pod(job["spec"]["template"], name, key[0], job)
        self.events.record(job, "SuccessfulCreate", f"Created pod: {name}", self.now())

    def schedule_cronjob(self, ns: str, name: str) -> None:
        from cockpit.sandbox.world.cron import Cron

        entry = self.store.entry(CRONJOBS, ns, name)
        if entry is None:
            return
        uid = entry.obj["metadata"]["uid"]
        if uid in self._scheduled_crons:
            return
        try:
            cron = Cron(entry.obj["spec"]["schedule"])
        except (ValueError, KeyError):
            return
        self._scheduled_crons.add(uid)
        self.at(cron.next_after(self.now()), self._fire_cronjob, ns, name, entry.obj["metadata"]["uid"])

    def _fire_cronjob(self, ns: str, name: str, uid: str) -> None:
        from cockpit.sandbox.world.cron import Cron
        from cockpit.sandbox.world.workloads import job as make_job

        entry = self.store.entry(CRONJOBS, ns, name)
        if entry is None or entry.obj["metadata"]["uid"] != uid:
            return
        cj = entry.obj
        now = self.now()
        scheduled = Cron(cj["spec"]["schedule"]).previous_before(now)
        self.at(Cron(cj["spec"]["schedule"]).next_after(now), self._fire_cronjob, ns, name, uid)
        if cj["spec"].get("suspend"):
            return
        active = [o for rt, o in self.store.dependents(uid) if rt is JOBS and not C._finished(o)]
        if active and cj["spec"].get("concurrencyPolicy", "Allow") == "Forbid":
            self.events.record(
                cj,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
                now,
            )
            return
        job_name = f"{name}-{int(scheduled) // 60}"
        template = cj["spec"]["jobTemplate"]
        job = make_job(
            job_name,
            ns,
            template["spec"]["template"],
            now,
            backoff_limit=int(template["spec"].get("backoffLimit", 6)),
            owner=cj,
        )
        job["metadata"].setdefault("annotations", {})["batch.kubernetes.io/cronjob-scheduled-timestamp"] = (
            f"{scheduled:.0f}"
        )
        try:
            self.store.create(JOBS, job, ns)
        except errors.ApiError:
            return
        self.events.record(cj, "SuccessfulCreate", f"Created job {job_name}", now)

        def stamp(o: Obj) -> None:
            from cockpit.sandbox.world.names import rfc3339

            o.setdefault("status", {})["lastScheduleTime"] = rfc3339(scheduled)

        self.store.mutate(CRONJOBS, ns, name, stamp)


def _template_image(owner: Obj | None) -> str:
    """The first container image of an owner's pod template ("" without one)."""
    containers = (owner or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers")
    return str((containers or [{}])[0].get("image", ""))


def build_world(
    store: Store,
    *,
    scenario: Path | None = None,
    seed: int = 0,
    pods: int | None = None,
    churn: float = 0.0,
    time_scale: float = 1.0,
    log_rate: float | None = None,
) -> World:
    """Load the scenario (default: the bundled 254Carbon cluster), fill the store, return the world.
    Raises ScenarioError (file:line) for a bad scenario file, or for a time_scale or log_rate out of
    range. `time_scale` > 1 shortens every simulated delay (10 for demos: back-offs and run times
    ten times shorter); `log_rate` makes every followed log write that many lines per second."""
    from cockpit.sandbox.world.build import populate
    from cockpit.sandbox.world.logs import check_log_rate

    if not time_scale > 0:
        raise ScenarioError(f"time scale must be > 0, not {time_scale:g}")
    if log_rate is not None:
        check_log_rate(log_rate)
    from cockpit.sandbox.world.snapshot import gc_paused, is_snapshot, load_snapshot, populate_snapshot

    if scenario is not None and is_snapshot(Path(scenario)):
        with gc_paused():
            loaded, snap = load_snapshot(Path(scenario), now=store.clock())
            world = World(store, loaded, seed=seed, time_scale=time_scale, pods=pods, churn=churn)
            world.snapshot = snap
            world.logs.follow_rate = log_rate
            populate_snapshot(world, snap)
            world.tick()
        return world
    world = World(store, load_scenario(scenario), seed=seed, time_scale=time_scale, pods=pods, churn=churn)
    world.logs.follow_rate = log_rate
    populate(world)
    world.tick()
    return world


__all__ = ["World", "build_world"]
