"""The workload controllers of kube-controller-manager, reduced to what an operator can observe.

Deployment -> ReplicaSet (one per pod template, old ones scaled to 0) -> pods; StatefulSet -> pods
`name-N`; DaemonSet -> one pod per node; Job -> pods until one succeeds or the backoff limit is
reached; CronJob -> Jobs on its schedule unless suspended. Each reconcile is idempotent: the world
calls it whenever the object or one of its pods changed.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import CRONJOBS, DAEMONSETS, DEPLOYMENTS, JOBS, PODS, REPLICASETS, STATEFULSETS
from cockpit.sandbox.world import pods as P
from cockpit.sandbox.world.names import rfc3339, template_hash
from cockpit.sandbox.world.workloads import replicaset, revision_hash, with_job_selector

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
FAILING = {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "Error", "CreateContainerConfigError"}


def _owned(world: World, owner: Obj, rt: Any) -> list[Obj]:
    return [o for t, o in world.store.dependents(owner["metadata"]["uid"]) if t is rt]


def _live(pods: list[Obj]) -> list[Obj]:
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def _cond(old: list[Obj], kind: str, status: str, reason: str, message: str, now: float) -> Obj:
    for c in old:
        if c.get("type") == kind and c.get("status") == status and c.get("reason") == reason:
            return {**c, "message": message}
    stamp = rfc3339(now)
    return {
        "lastTransitionTime": stamp,
        "lastUpdateTime": stamp,
        "message": message,
        "reason": reason,
        "status": status,
        "type": kind,
    }


def _set_status(world: World, rt: Any, obj: Obj, status: Obj) -> None:
    if obj.get("status") == status:
        return

    def change(o: Obj) -> None:
        o["status"] = status

    with contextlib.suppress(errors.ApiError):
        world.store.mutate(rt, obj["metadata"]["namespace"], obj["metadata"]["name"], change)


# ---- Deployments --------------------------------------------------------------------------------


def reconcile_deployment(world: World, ns: str, name: str) -> None:
    entry = world.store.entry(DEPLOYMENTS, ns, name)
    if entry is None or entry.obj["metadata"].get("deletionTimestamp"):
        return
    d = entry.obj
    now = world.now()
    want = int(d["spec"].get("replicas", 1))
    hash_ = world.revision(d, template_hash(d["spec"]["template"]))
    rss = _owned(world, d, REPLICASETS)
    current = next(
        (rs for rs in rss if rs["metadata"].get("labels", {}).get("pod-template-hash") == hash_), None
    )
    if current is None:
        revision = 1 + max(
            (
                int(rs["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "0"))
                for rs in rss
            ),
            default=0,
        )
        current = world.store.create(REPLICASETS, replicaset(d, want, now, revision), ns)
        world.events.record(
            d, "ScalingReplicaSet", f"Scaled up replica set {current['metadata']['name']} to {want}", now
        )
        if rss:
            world.store.mutate(
                DEPLOYMENTS,
                ns,
                name,
                lambda o: (
                    o["metadata"]
                    .setdefault("annotations", {})
                    .update({"deployment.kubernetes.io/revision": str(revision)})
                ),
            )
    elif int(current["spec"].get("replicas", 0)) != want:
        before = int(current["spec"].get("replicas", 0))
        _scale_rs(world, current, want)
        verb = "up" if want > before else "down"
        world.events.record(
            d,
            "ScalingReplicaSet",
            f"Scaled {verb} replica set {current['metadata']['name']} to {want} from {before}",
            now,
        )
    for rs in rss:
        if rs["metadata"]["name"] == current["metadata"]["name"]:
            continue
        before = int(rs["spec"].get("replicas", 0))
        if before:
            _scale_rs(world, rs, 0)
            world.events.record(
                d,
                "ScalingReplicaSet",
                f"Scaled down replica set {rs['metadata']['name']} to 0 from {before}",
                now,
            )
    _deployment_status(world, d, current["metadata"]["name"], want, now)


def _scale_rs(world: World, rs: Obj, replicas: int) -> None:
    def change(o: Obj) -> None:
        o["spec"]["replicas"] = replicas
        o["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/desired-replicas"] = str(
            replicas
        )

    world.store.mutate(REPLICASETS, rs["metadata"]["namespace"], rs["metadata"]["name"], change)
    world.mark(REPLICASETS, rs["metadata"]["namespace"], rs["metadata"]["name"])


def _deployment_status(world: World, d: Obj, current_rs: str, want: int, now: float) -> None:
    rss = _owned(world, d, REPLICASETS)
    pods_all: list[Obj] = []
    updated = 0
    for rs in rss:
        pods = _live(_owned(world, rs, PODS))
        pods_all += pods
        if rs["metadata"]["name"] == current_rs:
            updated = len(pods)
    ready = sum(1 for p in pods_all if P.is_ready(p))
    old = (d.get("status") or {}).get("conditions", [])
    max_unavailable = want // 4
    available_ok = ready >= want - max_unavailable
    conditions = [
        _cond(
            old,
            "Available",
            "True" if available_ok else "False",
            "MinimumReplicasAvailable" if available_ok else "MinimumReplicasUnavailable",
            "Deployment has minimum availability."
            if available_ok
            else "Deployment does not have minimum availability.",
            now,
        ),
    ]
    failing = any(P.display_status(p) in FAILING for p in pods_all)
    if ready >= want and updated == want and len(pods_all) == want:
        progressing = ("True", "NewReplicaSetAvailable", "has successfully progressed")
    elif failing:
        progressing = ("False", "ProgressDeadlineExceeded", "has timed out progressing")
    else:
        progressing = ("True", "ReplicaSetUpdated", "is progressing")
    state, reason, phrase = progressing
    conditions.append(_cond(old, "Progressing", state, reason, f'ReplicaSet "{current_rs}" {phrase}.', now))
    status: Obj = {"observedGeneration": d["metadata"].get("generation", 1)}
    if pods_all:
        status["replicas"] = len(pods_all)
    if updated:
        status["updatedReplicas"] = updated
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    if want - ready > 0:
        status["unavailableReplicas"] = want - ready
    status["conditions"] = conditions
    _set_status(world, DEPLOYMENTS, d, status)


# ---- ReplicaSets --------------------------------------------------------------------------------


def _deletion_rank(pod: Obj) -> tuple[int, int, str]:
    """Which pods a ReplicaSet removes first: unscheduled, then not ready, then the newest."""
    scheduled = 1 if pod["spec"].get("nodeName") else 0
    ready = 1 if P.is_ready(pod) else 0
    return (scheduled, ready, _neg(pod["metadata"].get("creationTimestamp", "")))


def _neg(stamp: str) -> str:
    return "".join(chr(255 - ord(ch)) for ch in stamp)


def reconcile_replicaset(world: World, ns: str, name: str) -> None:
    entry = world.store.entry(REPLICASETS, ns, name)
    if entry is None or entry.obj["metadata"].get("deletionTimestamp"):
        return
    rs = entry.obj
    now = world.now()
    want = int(rs["spec"].get("replicas", 1))
    pods = _live(_owned(world, rs, PODS))
    if len(pods) < want:
        for _ in range(want - len(pods)):
            pod_name = f"{name}-{world.ids.suffix()}"
            world.create_pod(rs["spec"]["template"], pod_name, ns, rs)
            world.events.record(rs, "SuccessfulCreate", f"Created pod: {pod_name}", now)
    elif len(pods) > want:
        for pod in sorted(pods, key=_deletion_rank)[: len(pods) - want]:
            world.delete_pod(pod)
            world.events.record(rs, "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}", now)
    pods = _live(_owned(world, rs, PODS))
    ready = sum(1 for p in pods if P.is_ready(p))
    status: Obj = {"replicas": len(pods), "observedGeneration": rs["metadata"].get("generation", 1)}
    if pods:
        status["fullyLabeledReplicas"] = len(pods)
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    _set_status(world, REPLICASETS, rs, status)


# ---- StatefulSets and DaemonSets ----------------------------------------------------------------


def reconcile_statefulset(world: World, ns: str, name: str) -> None:
    entry = world.store.entry(STATEFULSETS, ns, name)
    if entry is None or entry.obj["metadata"].get("deletionTimestamp"):
        return
    sts = entry.obj
    now = world.now()
    want = int(sts["spec"].get("replicas", 1))
    revision = world.revision(sts, revision_hash(sts))
    pods = {p["metadata"]["name"]: p for p in _live(_owned(world, sts, PODS))}
    for pod_name, pod in sorted(pods.items(), reverse=True):
        ordinal = int(pod_name.rsplit("-", 1)[1])
        outdated = pod["metadata"].get("labels", {}).get("controller-revision-hash") != revision
        if ordinal >= want or outdated:
            world.delete_pod(pod)
            world.events.record(
                sts, "SuccessfulDelete", f"delete Pod {pod_name} in StatefulSet {name} successful", now
            )
            del pods[pod_name]
    for ordinal in range(want):
        pod_name = f"{name}-{ordinal}"
        if pod_name in pods or world.store.exists(PODS, ns, pod_name):
            continue
        labels = {
            "controller-revision-hash": revision,
            "statefulset.kubernetes.io/pod-name": pod_name,
            "apps.kubernetes.io/pod-index": str(ordinal),
        }
        world.create_pod(sts["spec"]["template"], pod_name, ns, sts, extra_labels=labels, hostname=pod_name)
        world.events.record(
            sts, "SuccessfulCreate", f"create Pod {pod_name} in StatefulSet {name} successful", now
        )
    live = _live(_owned(world, sts, PODS))
    ready = sum(1 for p in live if P.is_ready(p))
    status: Obj = {
        "availableReplicas": ready,
        "collisionCount": 0,
        "currentReplicas": len(live),
        "currentRevision": revision,
        "observedGeneration": sts["metadata"].get("generation", 1),
        "replicas": len(live),
        "updateRevision": revision,
        "updatedReplicas": len(live),
    }
    if ready:
        status["readyReplicas"] = ready
    _set_status(world, STATEFULSETS, sts, status)


def reconcile_daemonset(world: World, ns: str, name: str) -> None:
    entry = world.store.entry(DAEMONSETS, ns, name)
    if entry is None or entry.obj["metadata"].get("deletionTimestamp"):
        return
    ds = entry.obj
    now = world.now()
    revision = world.revision(ds, revision_hash(ds))
    pods = _live(_owned(world, ds, PODS))
    by_node: dict[str, Obj] = {}
    for pod in pods:
        node = pod["spec"].get("nodeName", "")
        outdated = pod["metadata"].get("labels", {}).get("controller-revision-hash") != revision
        if node in by_node or outdated or node not in world.node_names():
            world.delete_pod(pod)
            world.events.record(ds, "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}", now)
            continue
        by_node[node] = pod
    for node in world.node_names():
        if node in by_node:
            continue
        pod_name = f"{name}-{world.ids.suffix()}"
        labels = {"controller-revision-hash": revision, "pod-template-generation": "1"}
        world.create_pod(ds["spec"]["template"], pod_name, ns, ds, extra_labels=labels, node=node)
        world.events.record(ds, "SuccessfulCreate", f"Created pod: {pod_name}", now)
    live = _live(_owned(world, ds, PODS))
    ready = sum(1 for p in live if P.is_ready(p))
    n = len(world.node_names())
    status: Obj = {
        "currentNumberScheduled": len(live),
        "desiredNumberScheduled": n,
        "numberAvailable": ready,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "observedGeneration": ds["metadata"].get("generation", 1),
        "updatedNumberScheduled": len(live),
    }
    if n - ready > 0:
        status["numberUnavailable"] = n - ready
    _set_status(world, DAEMONSETS, ds, status)


# ---- Jobs and CronJobs --------------------------------------------------------------------------


JOB_FAILED_MESSAGE = "Job has reached the specified backoff limit"
# The two conditions the job controller sets when a Job ends: (reason, message, interim type).
_JOB_END = {
    "Complete": ("CompletionsReached", "Reached expected number of succeeded pods", "SuccessCriteriaMet"),
    "Failed": ("BackoffLimitExceeded", JOB_FAILED_MESSAGE, "FailureTarget"),
}


def job_end_conditions(outcome: str, stamp: str) -> list[Obj]:
    """The conditions of a Job that ended as `outcome` ("Complete" or "Failed") at `stamp`."""
    reason, message, interim = _JOB_END[outcome]
    return [
        {
            "lastProbeTime": stamp,
            "lastTransitionTime": stamp,
            "message": message,
            "reason": reason,
            "status": "True",
            "type": kind,
        }
        for kind in (interim, outcome)
    ]


def _finished(job: Obj) -> str | None:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return str(c["type"])
    return None


def reconcile_job(world: World, ns: str, name: str) -> None:
    entry = world.store.entry(JOBS, ns, name)
    if entry is None or entry.obj["metadata"].get("deletionTimestamp"):
        return
    job = entry.obj
    if "selector" not in job["spec"] or "controller-uid" not in (
        job["spec"].get("template", {}).get("metadata", {}).get("labels", {})
    ):
        world.store.mutate(JOBS, ns, name, with_job_selector)
        return
    now = world.now()
    pods = _live(_owned(world, job, PODS))
    succeeded = sum(1 for p in pods if p["status"].get("phase") == "Succeeded")
    failed = sum(1 for p in pods if p["status"].get("phase") == "Failed")
    active = [p for p in pods if p["status"].get("phase") not in ("Succeeded", "Failed")]
    old = dict(job.get("status") or {})
    # Counters only grow: pods deleted by hand stay counted, as the real controller's tracking does.
    succeeded = max(succeeded, int(old.get("succeeded", 0)))
    failed = max(failed, int(old.get("failed", 0)))
    status: Obj = {k: v for k, v in old.items() if k in ("startTime", "completionTime", "conditions")}
    status.setdefault("startTime", rfc3339(now))
    done = _finished(job)
    limit = int(job["spec"].get("backoffLimit", 6))
    completions = int(job["spec"].get("completions", 1) or 1)
    if done is None and not job["spec"].get("suspend"):
        if succeeded >= completions:
            stamp = rfc3339(now)
            status["conditions"] = job_end_conditions("Complete", stamp)
            status["completionTime"] = stamp
            world.events.record(job, "Completed", "Job completed", now)
            done = "Complete"
        elif failed > limit:
            status["conditions"] = job_end_conditions("Failed", rfc3339(now))
            world.events.record(job, "BackoffLimitExceeded", JOB_FAILED_MESSAGE, now, warning=True)
            done = "Failed"
        elif not active and not world.job_pod_pending(job):
            delay = 0.0 if failed == 0 else min(10.0 * 2 ** (failed - 1), 360.0)
            world.create_job_pod_later(job, delay)
    if succeeded:
        status["succeeded"] = succeeded
    if failed:
        status["failed"] = failed
    if active and done is None:
        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if P.is_ready(p))
    else:
        status["ready"] = 0
    status["terminating"] = 0
    status["uncountedTerminatedPods"] = {}
    _set_status(world, JOBS, job, status)
    for ref in job["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == "CronJob":
            world.mark(CRONJOBS, ns, ref["name"])


def reconcile_cronjob_status(world: World, ns: str, name: str) -> None:
    entry = world.store.entry(CRONJOBS, ns, name)
    if entry is None:
        return
    cj = entry.obj
    jobs = sorted(_owned(world, cj, JOBS), key=lambda j: j["metadata"].get("creationTimestamp", ""))
    status = dict(cj.get("status") or {})
    active = []
    for j in jobs:
        state = _finished(j)
        if state is None:
            active.append(
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": j["metadata"]["name"],
                    "namespace": ns,
                    "resourceVersion": j["metadata"]["resourceVersion"],
                    "uid": j["metadata"]["uid"],
                }
            )
        elif state == "Complete":
            completed = (j.get("status") or {}).get("completionTime")
            if completed and completed > status.get("lastSuccessfulTime", ""):
                status["lastSuccessfulTime"] = completed
                world.events.record(
                    cj,
                    "SawCompletedJob",
                    f"Saw completed job: {j['metadata']['name']}, status: Complete",
                    world.now(),
                )
    if active:
        status["active"] = active
    else:
        status.pop("active", None)
    _set_status(world, CRONJOBS, cj, status)
    _prune_history(world, cj, jobs)


def _prune_history(world: World, cj: Obj, jobs: list[Obj]) -> None:
    spec = cj["spec"]
    for state, limit in (
        ("Complete", spec.get("successfulJobsHistoryLimit", 3)),
        ("Failed", spec.get("failedJobsHistoryLimit", 1)),
    ):
        finished = [j for j in jobs if _finished(j) == state]
        for j in finished[: max(0, len(finished) - int(limit))]:
            try:
                world.store.delete(JOBS, j["metadata"]["namespace"], j["metadata"]["name"], "Background")
                world.events.record(
                    cj, "SuccessfulDelete", f"Deleted job {j['metadata']['name']}", world.now()
                )
            except errors.ApiError:
                pass
