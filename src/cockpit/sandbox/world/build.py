"""Filling the store with the scenario's cluster as it is at the start: workloads mid-life, pods in
their failure states (with the restarts, last states and events they would have), jobs finished."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cockpit.sandbox.resources import (
    CONFIGMAPS,
    CRONJOBS,
    DAEMONSETS,
    DEPLOYMENTS,
    INGRESSES,
    JOBS,
    NAMESPACES,
    NETWORKPOLICIES,
    NODES,
    PODS,
    REPLICASETS,
    SECRETS,
    SERVICES,
    STATEFULSETS,
)
from cockpit.sandbox.world import controllers as C
from cockpit.sandbox.world import objects as O
from cockpit.sandbox.world import pods as P
from cockpit.sandbox.world import workloads as W
from cockpit.sandbox.world.cron import Cron
from cockpit.sandbox.world.kubelet import PodRun, _pull_message
from cockpit.sandbox.world.names import rfc3339, template_hash
from cockpit.sandbox.world.scenario import WorkloadSpec
from cockpit.sandbox.world.snapshot import HEALS_ANNOTATION, heals_annotation

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
# For the first QUIET seconds no pod changes between Running and not Running: the cluster shows the
# seed's figures (104/138) long enough to be read; failures only retry after that.
QUIET = 90.0


def populate(world: World) -> None:
    s = world.scenario
    now = world.now()
    store = world.store
    for name, age in s.namespaces:
        store.create(NAMESPACES, O.namespace(name, now - age))
        store.create(
            CONFIGMAPS,
            O.configmap(
                name,
                "kube-root-ca.crt",
                {
                    "ca.crt": "-----BEGIN CERTIFICATE-----\n"
                    "MIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n"
                    "-----END CERTIFICATE-----\n"
                },
                now - age,
            ),
            name,
        )
    images: dict[str, set[str]] = {n.name: set(n.images) for n in s.nodes}
    for w in s.workloads:
        for node in _nodes_for(world, w):
            if w.behaviour.mode != "image_pull" or (
                w.behaviour.image_nodes and node in w.behaviour.image_nodes
            ):
                images.setdefault(node, set()).add(w.image)
    for n in s.nodes:
        world.node_images[n.name] = set(images.get(n.name, set()))
        sizes = {img: world.image_size(img) for img in sorted(images.get(n.name, set()))}
        world.nodes[n.name] = store.create(NODES, O.node(n, s, now - n.age, now, sizes))
    for w in s.workloads:
        _workload(world, w, now)
    for j in s.jobs:
        _job(world, j, now)
    for c in s.cronjobs:
        _cronjob(world, c, now)
    _services(world, now)
    raw = s.raw
    for f in raw.items("configmaps", "configmap"):
        store.create(
            CONFIGMAPS,
            O.configmap(f.req("namespace", str), f.req("name", str), f.str_map("data"), now - 20 * 86400),
        )
    for f in raw.items("secrets", "secret"):
        store.create(
            SECRETS,
            O.secret(f.req("namespace", str), f.req("name", str), f.str_map("data"), now - 20 * 86400),
        )
    for f in raw.items("ingresses", "ingress"):
        store.create(INGRESSES, O.ingress(f, s, now - 30 * 86400))
    for f in raw.items("networkpolicies", "networkpolicy"):
        store.create(NETWORKPOLICIES, O.network_policy(f, now - 2 * 86400))
    world.certs.populate(now)
    world.velero.populate(now)
    world.argocd.populate(now)
    if world.filler_target:
        from cockpit.sandbox.world.filler import add_filler_pods

        add_filler_pods(world, world.filler_target)
    world.churn.start()
    world.at(now + 300.0 - 17.0, world.heartbeat)


def _nodes_for(world: World, w: WorkloadSpec) -> list[str]:
    names = [n.name for n in world.scenario.nodes]
    if w.kind == "DaemonSet":
        return names
    count = 1 if w.kind == "Static" else w.replicas
    if w.placement:
        return [w.placement[i % len(w.placement)] for i in range(count)]
    if w.node:
        return [w.node] * count
    start = sum(ord(ch) for ch in w.name) % len(names)
    return [names[(start + i) % len(names)] for i in range(count)]


def _workload(world: World, w: WorkloadSpec, now: float) -> None:
    store = world.store
    created = now - w.age
    key = (w.kind, w.namespace, w.name)
    world.specs[key] = w
    nodes = _nodes_for(world, w)
    if w.kind == "Deployment":
        d = store.create(DEPLOYMENTS, _with_heals(W.deployment(w, created), w))
        world.base_hashes[key] = template_hash(d["spec"]["template"])
        rs = store.create(REPLICASETS, W.replicaset(d, w.replicas, created))
        for i, node in enumerate(nodes):
            name = f"{rs['metadata']['name']}-{world.ids.suffix()}"
            _pod(world, w, rs["spec"]["template"], name, rs, node, created + 5 + i, i)
        C.reconcile_replicaset(world, w.namespace, rs["metadata"]["name"])
        C.reconcile_deployment(world, w.namespace, w.name)
    elif w.kind == "StatefulSet":
        sts = store.create(STATEFULSETS, _with_heals(W.statefulset(w, created), w))
        revision = W.revision_hash(sts)
        world.base_hashes[key] = revision
        for i, node in enumerate(nodes):
            name = f"{w.name}-{i}"
            labels = {
                "controller-revision-hash": revision,
                "statefulset.kubernetes.io/pod-name": name,
                "apps.kubernetes.io/pod-index": str(i),
            }
            _pod(
                world,
                w,
                sts["spec"]["template"],
                name,
                sts,
                node,
                created + 5 + 30 * i,
                i,
                labels,
                hostname=name,
            )
        C.reconcile_statefulset(world, w.namespace, w.name)
    elif w.kind == "DaemonSet":
        ds = store.create(DAEMONSETS, _with_heals(W.daemonset(w, created), w))
        revision = W.revision_hash(ds)
        world.base_hashes[key] = revision
        for i, node in enumerate(nodes):
            labels = {"controller-revision-hash": revision, "pod-template-generation": "1"}
            _pod(
                world,
                w,
                ds["spec"]["template"],
                f"{w.name}-{world.ids.suffix()}",
                ds,
                node,
                created + 5,
                i,
                labels,
            )
        C.reconcile_daemonset(world, w.namespace, w.name)
    else:  # Static: a mirror pod owned by its Node
        owner = world.nodes[nodes[0]]
        template = W.pod_template(w)
        template["spec"]["hostNetwork"] = True
        template["spec"]["priorityClassName"] = "system-node-critical"
        template["spec"]["priority"] = 2000001000
        template["metadata"]["labels"] = {"component": w.name, "tier": "control-plane"}
        template["metadata"]["annotations"] = {
            "kubernetes.io/config.source": "file",
            "kubernetes.io/config.hash": world.ids.hex(32),
        }
        _pod(world, w, template, f"{w.name}-{nodes[0]}", owner, nodes[0], created + 5, 0, host_network=True)


def _with_heals(obj: Obj, w: WorkloadSpec) -> Obj:
    """A failing workload says when it heals (annotation cockpit.sandbox/heals-when, [] for never), so
    a snapshot of this world keeps the same causes (cockpit.sandbox.world.snapshot)."""
    if w.behaviour.mode != "healthy":
        annotations = obj["metadata"].setdefault("annotations", {})
        annotations[HEALS_ANNOTATION] = heals_annotation(w.behaviour.heals_when)
    return obj


def _pod(
    world: World,
    w: WorkloadSpec,
    template: Obj,
    name: str,
    owner: Obj,
    node: str,
    created: float,
    index: int,
    labels: dict[str, str] | None = None,
    *,
    hostname: str | None = None,
    host_network: bool = False,
) -> None:
    now = world.now()
    b = w.behaviour
    pod = P.new_pod(template, name, w.namespace, owner, created, extra_labels=labels)
    if owner["kind"] == "Node":
        pod["metadata"]["ownerReferences"][0]["controller"] = True
        pod["metadata"].pop("generateName", None)
    if hostname:
        pod["spec"]["hostname"] = hostname
        pod["spec"]["subdomain"] = f"{w.name}-headless"
    host_ip = world.node_ip(node)
    rng = world.ids.rng
    cid, image_id = world.ids.container_id(), world.image_id(w.image)
    run = world.run_for_pod(owner if owner["kind"] != "Node" else None, w.namespace, name)
    run.behaviour, run.profile, run.image = b, w.logs, w.image
    run.requests = template["spec"]["containers"][0].get("resources")
    run.base_hash = world.base_hashes.get((w.kind, w.namespace, w.name), "")
    failing = b.mode != "healthy" and not (b.mode == "crashloop" and index < b.healthy_replicas)
    if b.mode == "image_pull" and b.image_nodes and node in b.image_nodes:
        failing = False
    if b.mode == "pending" and failing:
        P.set_unschedulable(pod, created + 1, b.pending_message)
        created_pod = world.store.create(PODS, pod, w.namespace, copy=False)
        run.uid = created_pod["metadata"]["uid"]
        world.events.record(
            created_pod,
            "FailedScheduling",
            b.pending_message,
            now - rng.uniform(5, 55),
            warning=True,
            count=int((now - created) // 300) + 1,
            first=created + 1,
        )
        world.kubelet.resume(run, created_pod, next_in=60.0, step="schedule")
        return
    pod_ip = host_ip if host_network else world.next_pod_ip(node)
    P.bind(pod, node, host_ip, pod_ip, created + 1)
    cname = pod["spec"]["containers"][0]["name"]
    field_path = f"spec.containers{{{cname}}}"
    if not failing:
        started = created + 8 + rng.uniform(0, 20)
        restarts = b.restarts if b.mode == "healthy" else 0
        if restarts:
            started = now - rng.uniform(0.2, 0.8) * (now - created)
        P.set_running(pod, started, ready=True, container_id=cid, image_id=image_id)
        if restarts:
            cs = pod["status"]["containerStatuses"][0]
            cs["restartCount"] = restarts
            cs["lastState"] = {
                "terminated": {
                    "containerID": world.ids.container_id(),
                    "exitCode": 255,
                    "finishedAt": rfc3339(started - 12),
                    "reason": "Unknown",
                    "startedAt": rfc3339(created + 9),
                }
            }
        created_pod = world.store.create(PODS, pod, w.namespace, copy=False)
        run.uid = created_pod["metadata"]["uid"]
        run.started = started
        world.kubelet.adopt(run)
        return
    if b.mode == "image_pull":
        run.pull_failures = 8
        message = _pull_message(w.image, b.pull_error)
        if b.pull_state == "ImagePullBackOff":
            P.set_pull_failed(pod, "ImagePullBackOff", f'Back-off pulling image "{w.image}"')
        else:
            P.set_pull_failed(pod, "ErrImagePull", message)
        created_pod = world.store.create(PODS, pod, w.namespace, copy=False)
        run.uid = created_pod["metadata"]["uid"]
        pulls = int((now - created) // 300) + 1
        first = created + 2
        rec = world.events.record
        rec(
            created_pod,
            "Pulling",
            f'Pulling image "{w.image}"',
            now - 40,
            count=pulls,
            first=first,
            field_path=field_path,
        )
        rec(
            created_pod,
            "Failed",
            message,
            now - 39,
            warning=True,
            count=pulls,
            first=first,
            field_path=field_path,
        )
        rec(
            created_pod,
            "Failed",
            "Error: ErrImagePull",
            now - 39,
            warning=True,
            count=pulls,
            first=first,
            field_path=field_path,
        )
        rec(
            created_pod,
            "BackOff",
            f'Back-off pulling image "{w.image}"',
            now - rng.uniform(1, 30),
            count=pulls * 20,
            first=first + 2,
            field_path=field_path,
        )
        rec(
            created_pod,
            "Failed",
            "Error: ImagePullBackOff",
            now - rng.uniform(1, 30),
            warning=True,
            count=pulls * 20,
            first=first + 2,
            field_path=field_path,
        )
        if b.pull_state == "ImagePullBackOff":
            world.kubelet.resume(run, created_pod, next_in=rng.uniform(QUIET, 280), step="pull")
        else:
            world.kubelet.resume(run, created_pod, next_in=rng.uniform(1, 3), step="pull")
        return
    # crash loop: waiting in a 5-minute back-off after the last failed run
    restarts = max(b.restarts + rng.randint(-3, 3), 6) if b.restarts else 6
    since_crash = rng.uniform(5, P.KUBELET_MAX_BACKOFF - QUIET)
    finished = now - since_crash
    started = finished - b.run_for
    P.set_running(pod, started, ready=False, container_id=cid, image_id=image_id)
    P.set_crashed(pod, finished, b.exit_code)
    cs = pod["status"]["containerStatuses"][0]
    cs["restartCount"] = restarts
    P.set_crash_backoff(pod, P.KUBELET_MAX_BACKOFF)
    created_pod = world.store.create(PODS, pod, w.namespace, copy=False)
    uid = created_pod["metadata"]["uid"]
    run.uid = uid
    run.failures = restarts + 1
    run.started = started
    # the waiting message names the pod's uid, known only now
    world.store.mutate(PODS, w.namespace, name, lambda p: P.set_crash_backoff(p, P.KUBELET_MAX_BACKOFF))
    world.events.record(
        created_pod,
        "BackOff",
        f"Back-off restarting failed container {cname} in pod {name}_{w.namespace}({uid})",
        finished + 1,
        warning=True,
        count=restarts * 3,
        first=created + 60,
        field_path=field_path,
    )
    world.kubelet.resume(run, created_pod, next_in=P.KUBELET_MAX_BACKOFF - since_crash, step="restart")


def _job(world: World, j: Any, now: float) -> None:
    store = world.store
    created = now - j.age
    world.job_specs[(j.namespace, j.name)] = j
    job = store.create(JOBS, W.job_from_spec(j, created))
    job = W.with_job_selector(job)
    job["status"] = {
        "startTime": rfc3339(created),
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }
    if j.outcome == "failed":
        attempts = j.backoff_limit + 1
        t = created + 2
        for attempt in range(attempts):
            name = f"{j.name}-{world.ids.suffix()}"
            node = world.node_names()[world.ids.rng.randrange(len(world.node_names()))]
            pod = P.new_pod(job["spec"]["template"], name, j.namespace, job, t, restart_policy="Never")
            P.bind(pod, node, world.node_ip(node), world.next_pod_ip(node), t + 1)
            P.set_running(
                pod,
                t + 4,
                ready=False,
                container_id=world.ids.container_id(),
                image_id=world.image_id(j.image),
            )
            P.set_finished(
                pod,
                t + 40,
                exit_code=1,
                started=t + 4,
                container_id=world.ids.container_id(),
                image_id=world.image_id(j.image),
            )
            created_pod = store.create(PODS, pod, j.namespace, copy=False)
            run = PodRun(
                j.namespace,
                name,
                created_pod["metadata"]["uid"],
                world.run_for_pod(job, j.namespace, name).behaviour,
                j.logs,
                run_to_completion=True,
            )
            run.started = t + 4
            run.extra["exit_code"] = 1
            world.logs.remember(run)
            world.events.record(job, "SuccessfulCreate", f"Created pod: {name}", t, first=t)
            t += 40 + 10 * 2 ** min(attempt, 5)
        job["status"].update({"failed": attempts, "conditions": C.job_end_conditions("Failed", rfc3339(t))})
        store.update(JOBS, job)
        world.events.record(job, "BackoffLimitExceeded", C.JOB_FAILED_MESSAGE, t, warning=True, first=t)
    else:
        stamp = rfc3339(created + 95)
        job["status"].update(
            {"succeeded": 1, "completionTime": stamp, "conditions": C.job_end_conditions("Complete", stamp)}
        )
        store.update(JOBS, job)


def _cronjob(world: World, c: Any, now: float) -> None:
    store = world.store
    world.cron_specs[(c.namespace, c.name)] = c
    cj = store.create(CRONJOBS, W.cronjob(c, now - c.age))
    cron = Cron(c.schedule)
    last = cron.previous_before(now)
    status: Obj = {"lastScheduleTime": rfc3339(last)}
    if c.active_state:
        scheduled = now - c.active_age
        job_name = f"{c.name}-{int(scheduled) // 60}"
        template = cj["spec"]["jobTemplate"]
        job = W.job(job_name, c.namespace, template["spec"]["template"], scheduled, backoff_limit=3, owner=cj)
        job = store.create(JOBS, job)
        job = W.with_job_selector(job)
        job["status"] = {
            "active": 1,
            "ready": 0,
            "startTime": rfc3339(scheduled),
            "terminating": 0,
            "uncountedTerminatedPods": {},
        }
        job = store.update(JOBS, job)
        name = f"{job_name}-{world.ids.suffix()}"
        node = "k8s-worker" if "k8s-worker" in world.nodes else world.node_names()[0]
        pod = P.new_pod(
            job["spec"]["template"], name, c.namespace, job, scheduled + 1, restart_policy="Never"
        )
        P.bind(pod, node, world.node_ip(node), world.next_pod_ip(node), scheduled + 1)
        message = _pull_message(c.image, "flaky")
        if c.active_state == "ImagePullBackOff":
            P.set_pull_failed(pod, "ImagePullBackOff", f'Back-off pulling image "{c.image}"')
        else:
            P.set_pull_failed(pod, "ErrImagePull", message)
        created_pod = store.create(PODS, pod, c.namespace, copy=False)
        run = world.run_for_pod(job, c.namespace, name)
        run.uid = created_pod["metadata"]["uid"]
        run.pull_failures = 3
        field_path = f"spec.containers{{{c.name}}}"
        world.events.record(job, "SuccessfulCreate", f"Created pod: {name}", scheduled + 1)
        world.events.record(cj, "SuccessfulCreate", f"Created job {job_name}", scheduled)
        world.events.record(
            created_pod,
            "Failed",
            message,
            now - 30,
            warning=True,
            count=3,
            first=scheduled + 3,
            field_path=field_path,
        )
        world.events.record(
            created_pod,
            "BackOff",
            f'Back-off pulling image "{c.image}"',
            now - 10,
            count=5,
            first=scheduled + 5,
            field_path=field_path,
        )
        world.kubelet.resume(
            run,
            created_pod,
            next_in=QUIET + 10 if c.active_state == "ErrImagePull" else QUIET + 60,
            step="pull",
        )
        status["active"] = [
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": job_name,
                "namespace": c.namespace,
                "resourceVersion": job["metadata"]["resourceVersion"],
                "uid": job["metadata"]["uid"],
            }
        ]
        status["lastScheduleTime"] = rfc3339(scheduled)
    else:
        status["lastSuccessfulTime"] = rfc3339(last + c.run_for + 20)
    cj["status"] = status
    store.update(CRONJOBS, cj)


def _services(world: World, now: float) -> None:
    store = world.store
    for w in world.scenario.workloads:
        if not w.port or w.kind == "Static":
            continue
        store.create(
            SERVICES,
            O.service(
                w.name, w.namespace, w.port, {w.label: w.name}, world.ids.cluster_ip(), now - w.age, app=w.app
            ),
        )
    for f in world.scenario.raw.items("services", "service"):
        selector = f.str_map("selector") or None
        store.create(
            SERVICES,
            O.service(
                f.req("name", str),
                f.req("namespace", str),
                f.req("port", int),
                selector,
                f.opt("cluster_ip", str, None) or world.ids.cluster_ip(),
                now - 94 * 86400,
                target=f.opt("target", int, None),
            ),
        )
