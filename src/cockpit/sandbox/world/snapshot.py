"""Snapshot scenarios: a live cluster's objects (written by `cockpit sandbox snapshot`) served as
they were, and kept behaving as they were recorded.

The file has a `snapshot:` header (context, server, when, what was skipped) and `objects:`, each a
Kubernetes object as the API served it. Loading stores every object with its names, labels,
statuses and ages (timestamps are moved forward by the time since the snapshot, so a pod that was
`5m30s` old is `5m30s` old when served); owner references follow the new uids.

Then the world adopts what it finds, reading each pod's recorded state:
- waiting in CrashLoopBackOff, or exited with an error: it keeps crash-looping, with the recorded
  exit code and reason (OOMKilled stays OOMKilled), run time and restart count, restarting when its
  recorded back-off runs out;
- ErrImagePull / ImagePullBackOff: pulling keeps failing with the recorded message;
- Pending and Unschedulable: it stays pending with the scheduler's recorded message while its
  resource requests are the recorded ones;
- running (or finished): it stays so; a running job pod finishes.
A failing workload heals when its pod template changes (`kubectl set image/env/resources`,
`rollout restart`), or, when the workload carries the annotation `cockpit.sandbox/heals-when`
(a JSON list of the scenario's `heals_when` conditions; the sandbox's own world writes it, and an
operator may add it by hand), when those conditions hold. Controllers adopt the recorded
ReplicaSets and revisions (the recorded hashes stand for the recorded templates), ArgoCD keeps each
application's recorded sync and health until a hard refresh, and a pending ACME challenge keeps its
recorded reason until its host's challenge can be reached.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import yaml

from cockpit.kubeprint import parse_time
from cockpit.sandbox import errors
from cockpit.sandbox.resources import (
    APPLICATIONS,
    CERTIFICATES,
    CHALLENGES,
    DAEMONSETS,
    DEPLOYMENTS,
    EVENTS,
    NAMESPACES,
    NODES,
    PODS,
    REPLICASETS,
    STATEFULSETS,
    ResourceType,
    by_kind,
)
from cockpit.sandbox.world.fields import Fields, ScenarioError
from cockpit.sandbox.world.names import rfc3339, template_hash
from cockpit.sandbox.world.scenario import Behaviour, Heal, NodeSpec, Scenario, WorkloadSpec

if TYPE_CHECKING:
    from cockpit.sandbox.world.kubelet import PodRun
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
HEALS_ANNOTATION = "cockpit.sandbox/heals-when"
_STAMP_JSON = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"')
_BACKOFF = re.compile(r"back-off (?:(\d+)m)?(?:(\d+)s)?")
# The order objects are stored in: owners before what they own.
_ORDER = (
    "Namespace",
    "Node",
    "ClusterIssuer",
    "Issuer",
    "CronJob",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "ReplicaSet",
    "Pod",
    "Certificate",
    "CertificateRequest",
    "Order",
    "Challenge",
    "Schedule",
    "Backup",
)
_RANK = {kind: i for i, kind in enumerate(_ORDER)}
_WORKLOADS = {"Deployment": DEPLOYMENTS, "StatefulSet": STATEFULSETS, "DaemonSet": DAEMONSETS}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The collector off while thousands of objects are made at once (3x faster loading; the same
    measure as the cluster layer's big parses, which the sandbox may not import)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def is_snapshot(path: Path) -> bool:
    """Does this scenario file hold a snapshot (a `snapshot:` header) rather than the scenario DSL?"""
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(65536)
    except OSError:
        return False
    return re.search(r"^snapshot:", head, re.M) is not None


@dataclass
class SnapshotScenario:
    path: Path
    taken: float
    context: str
    objects: list[Obj]
    skipped: list[str] = field(default_factory=list)
    unserved: list[str] = field(default_factory=list)  # kinds in the file the sandbox does not serve
    shifted: float = 0.0  # seconds the objects' timestamps were already moved forward while reading


def heals_annotation(heals: list[Heal]) -> str:
    """The `heals_when` conditions as the JSON the annotation carries."""
    out: list[Obj] = []
    for h in heals:
        if h.kind == "absent":
            out.append({"absent": h.object})
        elif h.kind == "template_changed":
            out.append({"template_changed": True})
        else:
            out.append({"field": {"object": h.object, "path": list(h.path), "equals": h.equals}})
    return json.dumps(out, separators=(",", ":"))


def heals_from_annotation(text: str, where: str) -> list[Heal]:
    try:
        items = json.loads(text)
        if not isinstance(items, list):
            raise ValueError("not a list")
        heals = []
        for item in items:
            if "absent" in item:
                heals.append(Heal("absent", object=str(item["absent"])))
            elif "template_changed" in item:
                heals.append(Heal("template_changed"))
            else:
                f = item["field"]
                path = tuple(str(p) for p in f["path"])
                heals.append(Heal("field", object=str(f["object"]), path=path, equals=str(f["equals"])))
        return heals
    except (ValueError, KeyError, TypeError) as exc:
        why = f"annotation {HEALS_ANNOTATION} is not a list of conditions: {exc}"
        raise ScenarioError(f"{where}: {why}") from None


def _read(path: Path, now: float | None) -> tuple[Any, float]:
    """(document, seconds its timestamps were moved forward). The file as `cockpit sandbox snapshot`
    writes it (a YAML header, then one object per line in flow style) is read fast, its stamps moved
    to `now` on the text before it is parsed; anything else (an edited file) is read as plain YAML."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\nobjects:\n")
    if sep:
        lines = rest.splitlines()
        if all(line.startswith("- {") for line in lines if line.strip()):
            try:
                doc = yaml.load(head, Loader=loader) or {}
                taken = parse_time(str((doc.get("snapshot") or {}).get("taken") or ""))
                delta = float(int(now - taken)) if now is not None and taken is not None else 0.0
                if delta:
                    lines = _shift_text(rest, delta).splitlines()
                doc["objects"] = [orjson.loads(line[2:]) for line in lines if line.strip()]
                return doc, delta
            except (orjson.JSONDecodeError, yaml.YAMLError, TypeError, AttributeError):
                pass  # not in that shape after all: read it as YAML
    return yaml.load(text, Loader=loader), 0.0


def load_snapshot(path: Path, now: float | None = None) -> tuple[Scenario, SnapshotScenario]:
    """Read a snapshot file (with `now`, its timestamps already moved to it); a broken one raises
    ScenarioError naming the file and the object."""
    try:
        doc, shifted = _read(path, now)
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read the snapshot: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("objects"), list):
        raise ScenarioError(f"{path}: a snapshot needs 'objects:', a list of Kubernetes objects")
    header = doc.get("snapshot") or {}
    taken = parse_time(str(header.get("taken") or ""))
    if taken is None:
        raise ScenarioError(f"{path}: snapshot.taken must be an RFC 3339 time, got {header.get('taken')!r}")
    objects: list[Obj] = []
    unserved: dict[str, int] = {}
    for i, obj in enumerate(doc["objects"]):
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
            raise ScenarioError(f"{path}: objects[{i}] is not a Kubernetes object")
        if not obj["metadata"].get("name") or not obj.get("kind") or not obj.get("apiVersion"):
            raise ScenarioError(f"{path}: objects[{i}] needs apiVersion, kind and metadata.name")
        if by_kind(str(obj["apiVersion"]), str(obj["kind"])) is None:
            key = f"{obj['kind']} ({obj['apiVersion']})"
            unserved[key] = unserved.get(key, 0) + 1
            continue
        objects.append(obj)
    snap = SnapshotScenario(
        path,
        taken,
        str(header.get("context") or ""),
        objects,
        [str(s) for s in header.get("skipped") or []],
        [f"{k}: {n}" for k, n in sorted(unserved.items())],
        shifted,
    )
    return _scenario(path, doc, snap), snap


def _scenario(path: Path, doc: Obj, snap: SnapshotScenario) -> Scenario:
    then = snap.taken + snap.shifted  # the moment the objects' stamps are relative to
    nodes = [_node_spec(o, then) for o in snap.objects if o["kind"] == "Node"]
    if not nodes:
        raise ScenarioError(f"{path}: the snapshot has no Node: pods need somewhere to run")
    namespaces = []
    for o in snap.objects:
        if o["kind"] == "Namespace":
            created = parse_time(o["metadata"].get("creationTimestamp"))
            namespaces.append((str(o["metadata"]["name"]), then - (created or then)))
    hosts = [
        r.get("host", "")
        for o in snap.objects
        if o["kind"] == "Ingress"
        for r in (o.get("spec") or {}).get("rules") or []
        if r.get("host")
    ]
    domain = ".".join(hosts[0].split(".")[-2:]) if hosts else "example.com"
    return Scenario(
        path=path,
        name=str(doc.get("name") or path.stem),
        description=str(doc.get("description") or ""),
        version="v1.31.4",
        domain=domain,
        ingress_ip=nodes[0].address,
        nodes=nodes,
        namespaces=namespaces,
        workloads=[],
        jobs=[],
        cronjobs=[],
        apps=[],
        certs=[],
        repo="",
        target_revision="HEAD",
        issuer="",
        access_login="https://example.cloudflareaccess.com/cdn-cgi/access/login",
        raw=Fields(path, {}, "scenario", 1),
    )


def _node_spec(node: Obj, taken: float) -> NodeSpec:
    meta, status = node["metadata"], node.get("status") or {}
    prefix = "node-role.kubernetes.io/"
    roles = sorted(k[len(prefix) :] for k in meta.get("labels") or {} if k.startswith(prefix))
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    cidr = str((node.get("spec") or {}).get("podCIDR") or "10.244.9.0/24")
    capacity = status.get("capacity") or {}
    created = parse_time(meta.get("creationTimestamp")) or taken
    return NodeSpec(
        name=meta["name"],
        roles=roles or ["worker"],
        address=str(addresses.get("InternalIP") or "10.0.0.1"),
        pod_subnet=".".join(cidr.split("/")[0].split(".")[:3]),
        cpu=str(capacity.get("cpu", "8")),
        memory=str(capacity.get("memory", "32Gi")),
        age=taken - created,
        images=[n for img in status.get("images") or [] for n in (img.get("names") or [])[:1]],
    )


# ---- storing -------------------------------------------------------------------------------------


def _shift_text(text: str, delta: float) -> str:
    """JSON text with every RFC 3339 stamp moved forward by `delta` seconds (whole seconds, as the
    API prints them): on the text, ten times faster than walking the objects."""
    moved: dict[str, str] = {}

    def move(m: re.Match[str]) -> str:
        found = m.group(0)
        out = moved.get(found)
        if out is None:
            stamp = parse_time(found[1:-1])
            out = found if stamp is None else f'"{rfc3339(stamp + delta)}"'
            moved[found] = out
        return out

    return _STAMP_JSON.sub(move, text)


def _shifted(objects: list[Obj], delta: float) -> list[Obj]:
    """New copies of the objects with their stamps moved forward by `delta` seconds."""
    return list(orjson.loads(_shift_text(orjson.dumps(objects).decode(), delta)))


def populate_snapshot(world: World, snap: SnapshotScenario) -> None:
    now = world.now()
    store = world.store
    delta = float(int(now - snap.taken - snap.shifted))  # what is left to move (none when read with now)
    uids: dict[str, str] = {}
    batches: dict[tuple[int, str], list[Obj]] = {}
    objects, snap.objects = (_shifted(snap.objects, delta) if delta else snap.objects), []
    for obj in objects:
        key = (_RANK.get(str(obj["kind"]), len(_ORDER)), f"{obj['apiVersion']}/{obj['kind']}")
        batches.setdefault(key, []).append(obj)
    stored: list[tuple[ResourceType, Obj, str]] = []
    terminating: list[tuple[str, str, float]] = []
    for key in sorted(batches):  # owners first, so their new uids are known to what they own
        objs = batches[key]
        rt = by_kind(str(objs[0]["apiVersion"]), str(objs[0]["kind"]))
        assert rt is not None  # load_snapshot kept only served kinds
        old_uids = []
        for obj in objs:
            meta = obj["metadata"]
            deleting = parse_time(meta.get("deletionTimestamp"))
            if rt is PODS and deleting is not None:  # the store keeps no deletion on a create: redo it
                terminating.append((meta.get("namespace", "default"), meta["name"], deleting - now))
            if rt.namespaced:
                meta.setdefault("namespace", "default")
            old_uids.append(str(meta.pop("uid", "") or ""))
            for ref in meta.get("ownerReferences") or []:
                ref["uid"] = uids.get(str(ref.get("uid")), ref.get("uid"))
            involved = obj.get("involvedObject")
            if rt is EVENTS and isinstance(involved, dict) and involved.get("uid") in uids:
                involved["uid"] = uids[involved["uid"]]
        try:
            created = store.create_many(rt, objs)
        except errors.ApiError as exc:
            raise ScenarioError(f"{snap.path}: {objs[0]['kind']}: {exc.message}") from None
        for old_uid, obj in zip(old_uids, created, strict=True):
            if old_uid:
                uids[old_uid] = obj["metadata"]["uid"]
            stored.append((rt, obj, old_uid))
    for i, (rt, obj, old_uid) in enumerate(stored):
        if rt is PODS and old_uid:  # "back-off ... pod=NAME_NS(UID)": the pod's uid is a new one here
            stored[i] = (rt, _renamed_uid(store, obj, old_uid), old_uid)
    for ns, name, left in terminating:  # a pod that was Terminating goes on terminating, then goes
        grace = min(max(left, 1.0), 30.0)
        store.terminate(PODS, ns, name, grace, grace)
    for rt, obj, _ in stored:
        if rt is NODES:
            world.nodes[obj["metadata"]["name"]] = obj
    for spec in world.scenario.nodes:
        world.node_images[spec.name] = set(spec.images)
    for rt, obj, _ in stored:
        if rt is PODS and (obj.get("spec") or {}).get("nodeName"):
            for c in obj["spec"].get("containers") or []:
                world.node_images.setdefault(obj["spec"]["nodeName"], set()).add(str(c.get("image", "")))
    _adopt_workloads(world, [o for rt, o, _ in stored if rt in _WORKLOADS.values()])
    for rt, obj, _ in stored:
        if rt is PODS:
            _adopt_pod(world, obj)
    world.argocd.adopt([o for rt, o, _ in stored if rt is APPLICATIONS])
    world.certs.adopt(
        [o for rt, o, _ in stored if rt is CERTIFICATES], [o for rt, o, _ in stored if rt is CHALLENGES]
    )
    world.velero.populate(now)
    world.churn.start()
    world.at(now + 300.0 - 17.0, world.heartbeat)
    if not any(rt is NAMESPACES for rt, _, _ in stored):
        raise ScenarioError(f"{snap.path}: the snapshot has no Namespace")


def _renamed_uid(store: Any, pod: Obj, old_uid: str) -> Obj:
    """The pod with its old uid replaced by its new one in its container states' messages."""
    new_uid = pod["metadata"]["uid"]
    if old_uid.encode() not in orjson.dumps(pod.get("status") or {}):
        return pod

    def change(p: Obj) -> None:
        p["status"] = orjson.loads(orjson.dumps(p["status"]).replace(old_uid.encode(), new_uid.encode()))

    meta = pod["metadata"]
    return dict(store.mutate(PODS, meta.get("namespace"), meta["name"], change))


# ---- what each workload and pod keeps doing ------------------------------------------------------


def _first_status(pod: Obj) -> Obj:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return statuses[0] if statuses else {}


def _failure(pod: Obj) -> str:
    """healthy | crashloop | image_pull | pending | frozen (a state the world does not simulate)."""
    status = pod.get("status") or {}
    phase = status.get("phase") or ""
    if phase in ("Succeeded", "Failed"):
        return "healthy"
    if phase == "Pending" and not (pod.get("spec") or {}).get("nodeName"):
        scheduled = [c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"]
        cond = scheduled[0] if scheduled else {}
        if cond.get("status") == "False" and cond.get("reason") == "Unschedulable":
            return "pending"
        return "healthy"
    cs = _first_status(pod)
    state = cs.get("state") or {}
    waiting = (state.get("waiting") or {}).get("reason") or ""
    last = (cs.get("lastState") or {}).get("terminated") or {}
    if waiting == "CrashLoopBackOff":
        return "crashloop"
    if waiting in ("ImagePullBackOff", "ErrImagePull"):
        return "image_pull"
    if waiting and waiting not in ("ContainerCreating", "PodInitializing"):
        return "frozen"
    term = state.get("terminated")
    if term is not None and int(term.get("exitCode") or 0) != 0:
        return "crashloop"
    restarted = int(cs.get("restartCount") or 0) > 0 and int(last.get("exitCode") or 0) != 0
    if state.get("running") is not None and not cs.get("ready") and restarted:
        return "crashloop"
    return "healthy"


def _behaviour(pod: Obj, mode: str, heals: list[Heal]) -> Behaviour:
    cs = _first_status(pod)
    state = cs.get("state") or {}
    last = (cs.get("lastState") or {}).get("terminated") or state.get("terminated") or {}
    b = Behaviour(mode=mode if mode != "frozen" else "healthy", heals_when=list(heals))
    if mode == "crashloop":
        b.exit_code = int(last.get("exitCode") or 1)
        b.crash_reason = str(last.get("reason") or "Error")
        started, finished = parse_time(last.get("startedAt")), parse_time(last.get("finishedAt"))
        if started is not None and finished is not None and finished > started:
            b.run_for = min(max(finished - started, 5.0), 3600.0)
        b.restarts = int(cs.get("restartCount") or 0)
    elif mode == "image_pull":
        waiting = state.get("waiting") or {}
        b.image_nodes = []
        b.pull_state = "ErrImagePull" if waiting.get("reason") == "ErrImagePull" else "ImagePullBackOff"
        if waiting.get("reason") == "ErrImagePull" and waiting.get("message"):
            b.pull_message = str(waiting["message"])
    elif mode == "pending":
        for c in (pod.get("status") or {}).get("conditions") or []:
            if c.get("type") == "PodScheduled" and c.get("message"):
                b.pending_message = str(c["message"])
    return b


def _heals(obj: Obj) -> list[Heal]:
    text = (obj["metadata"].get("annotations") or {}).get(HEALS_ANNOTATION)
    if text is None:
        return [Heal("template_changed")]
    where = f"{obj['kind']} {obj['metadata'].get('namespace')}/{obj['metadata']['name']}"
    return heals_from_annotation(str(text), where)


def _owner_workload(world: World, pod: Obj) -> tuple[str, str, str] | None:
    ns = pod["metadata"].get("namespace", "")
    for ref in pod["metadata"].get("ownerReferences") or []:
        kind, name = ref.get("kind", ""), ref.get("name", "")
        if kind == "ReplicaSet":
            rs = world.store.entry(REPLICASETS, ns, name)
            for up in (rs.obj["metadata"].get("ownerReferences") or []) if rs is not None else []:
                if up.get("kind") == "Deployment":
                    return ("Deployment", ns, up["name"])
            return None
        if kind in _WORKLOADS:
            return (kind, ns, name)
    return None


def _recorded_hash(world: World, kind: str, obj: Obj, pods: list[Obj]) -> str:
    """The revision the recorded objects carry for the recorded template."""
    ns = obj["metadata"]["namespace"]
    if kind == "Deployment":
        revision = (obj["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")
        best: Obj | None = None
        for rt, rs in world.store.dependents(obj["metadata"]["uid"]):
            if rt is not REPLICASETS or rs["metadata"].get("namespace") != ns:
                continue
            rs_rev = (rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")
            if best is None or rs_rev == revision:
                best = rs
        return str(((best or {}).get("metadata", {}).get("labels") or {}).get("pod-template-hash", ""))
    if kind == "StatefulSet":
        return str((obj.get("status") or {}).get("updateRevision") or "")
    hashes = [(p["metadata"].get("labels") or {}).get("controller-revision-hash", "") for p in pods]
    return max(set(hashes), key=hashes.count) if hashes else ""


def _adopt_workloads(world: World, workloads: list[Obj]) -> None:
    pods_by_owner: dict[tuple[str, str, str], list[Obj]] = {}
    for entry in world.store.select(PODS).entries:
        key = _owner_workload(world, entry.obj)
        if key is not None:
            pods_by_owner.setdefault(key, []).append(entry.obj)
    for obj in workloads:
        kind, meta = obj["kind"], obj["metadata"]
        key = (kind, meta["namespace"], meta["name"])
        pods = sorted(
            pods_by_owner.get(key, []),
            key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]),
        )
        modes = [_failure(p) for p in pods]
        failing = [
            (p, m) for p, m in zip(pods, modes, strict=True) if m in ("crashloop", "image_pull", "pending")
        ]
        heals = _heals(obj)
        behaviour = _behaviour(failing[0][0], failing[0][1], heals) if failing else Behaviour()
        if behaviour.mode == "crashloop":
            healthy_first = 0
            for m in modes:
                if m != "healthy":
                    break
                healthy_first += 1
            behaviour.healthy_replicas = healthy_first
        template = (obj.get("spec") or {}).get("template") or {}
        containers = (template.get("spec") or {}).get("containers") or [{}]
        labels = meta.get("labels") or {}
        requests = containers[0].get("resources")
        if failing and behaviour.mode == "pending":
            requests = (failing[0][0]["spec"].get("containers") or [{}])[0].get("resources")
        image = str(containers[0].get("image", ""))
        world.specs[key] = WorkloadSpec(
            kind=kind,
            namespace=meta["namespace"],
            name=meta["name"],
            app=str(labels.get("app.kubernetes.io/instance", "")),
            replicas=int((obj.get("spec") or {}).get("replicas", 1) or 0),
            image=image,
            logs=world.logs.profile_for_image(image),
            age=0.0,
            port=None,
            node=None,
            placement=[],
            label="app",
            cpu="",
            memory="",
            pull_policy=str(containers[0].get("imagePullPolicy", "IfNotPresent")),
            behaviour=behaviour,
            line=0,
            requests=requests,
        )
        recorded = _recorded_hash(world, kind, obj, pods)
        computed = template_hash(template)
        if kind != "Deployment":
            computed = f"{meta['name']}-{computed}"
        world.base_hashes[key] = recorded or computed
        if recorded and recorded != computed:
            world.adopted_hashes[(kind, meta["namespace"], meta["name"], computed)] = recorded


def _backoff_left(cs: Obj, now: float) -> float:
    """What is left of the recorded restart back-off ("back-off 5m0s restarting ...")."""
    waiting = (cs.get("state") or {}).get("waiting") or {}
    m = _BACKOFF.search(str(waiting.get("message") or ""))
    delay = (int(m.group(1) or 0) * 60 + int(m.group(2) or 0)) if m and (m.group(1) or m.group(2)) else 300.0
    finished = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
    since = now - finished if finished is not None else 0.0
    return max(delay - since, 1.0)


def _adopt_pod(world: World, pod: Obj) -> None:
    meta, status = pod["metadata"], pod.get("status") or {}
    phase = status.get("phase") or ""
    owner_key = _owner_workload(world, pod)
    spec = world.specs.get(owner_key) if owner_key is not None else None
    owner_kind = next((r.get("kind") for r in meta.get("ownerReferences") or []), "")
    image = str(((pod.get("spec") or {}).get("containers") or [{}])[0].get("image", ""))
    mode = _failure(pod)
    if phase in ("Succeeded", "Failed") or mode == "frozen":
        return  # as recorded; nothing runs
    heals = spec.behaviour.heals_when if spec is not None else [Heal("template_changed")]
    run = _new_run(world, pod, owner_key, image)
    run.behaviour = _behaviour(pod, mode, heals) if mode != "healthy" else Behaviour()
    if spec is not None and mode == "healthy":
        run.behaviour = Behaviour(heals_when=list(heals))
    cs = _first_status(pod)
    now = world.now()
    if owner_kind == "Job":
        run.run_to_completion = True
    if owner_kind == "Job" and mode == "healthy":
        started = parse_time(status.get("startTime"))
        left = run.run_for - (now - started) if started is not None else run.run_for
        if status.get("phase") == "Running":
            world.kubelet.resume(run, pod, next_in=max(left, 1.0), step="finish")
        else:
            step = "pull" if pod["spec"].get("nodeName") else "schedule"
            world.kubelet.resume(run, pod, next_in=1.0, step=step)
        return
    if mode == "pending":
        world.kubelet.resume(run, pod, next_in=60.0, step="schedule")
        return
    if mode == "image_pull":
        run.pull_failures = 8
        waiting = (cs.get("state") or {}).get("waiting") or {}
        quick = waiting.get("reason") == "ErrImagePull"  # shown as recorded for a while, then retried
        world.kubelet.resume(run, pod, next_in=20.0 if quick else 120.0, step="pull")
        return
    if mode == "crashloop":
        run.failures = int(cs.get("restartCount") or 0) + 1
        state = cs.get("state") or {}
        if state.get("running") is not None:
            started = parse_time(state["running"].get("startedAt"))
            run.started = started or now
            left = run.behaviour.run_for - (now - run.started)
            world.kubelet.resume(run, pod, next_in=max(left, 1.0), step="crash")
        elif state.get("terminated") is not None:
            world.kubelet.resume(run, pod, next_in=1.0, step="restart")
        else:
            world.kubelet.resume(run, pod, next_in=_backoff_left(cs, now), step="restart")
        return
    if not pod["spec"].get("nodeName"):
        world.kubelet.resume(run, pod, next_in=0.3, step="schedule")
    elif not cs or (cs.get("state") or {}).get("waiting") is not None:
        world.kubelet.resume(run, pod, next_in=0.5, step="pull")
    elif not cs.get("ready"):
        run.started = parse_time(((cs.get("state") or {}).get("running") or {}).get("startedAt")) or now
        world.kubelet.resume(run, pod, next_in=3.0, step="ready")
    else:
        run.started = parse_time(((cs.get("state") or {}).get("running") or {}).get("startedAt")) or now
        world.kubelet.adopt(run)


def _new_run(world: World, pod: Obj, owner_key: tuple[str, str, str] | None, image: str) -> PodRun:
    from cockpit.sandbox.world.kubelet import PodRun

    meta = pod["metadata"]
    containers = (pod.get("spec") or {}).get("containers") or [{}]
    return PodRun(
        meta.get("namespace", ""),
        meta["name"],
        meta["uid"],
        Behaviour(),
        world.logs.profile_for_image(image),
        image=image,
        requests=containers[0].get("resources"),
        owner_key="/".join(owner_key) if owner_key else "",
        base_hash=world.base_hashes.get(owner_key, "") if owner_key else "",
        run_for=20.0,
    )


def describe(snap: SnapshotScenario) -> str:
    """One line for the sandbox's banner and the transcript."""
    taken = datetime.fromtimestamp(snap.taken, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"snapshot of {snap.context or 'a cluster'} taken {taken}"


__all__ = [
    "HEALS_ANNOTATION",
    "SnapshotScenario",
    "describe",
    "heals_annotation",
    "is_snapshot",
    "load_snapshot",
    "populate_snapshot",
]
