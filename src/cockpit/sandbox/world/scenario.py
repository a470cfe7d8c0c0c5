"""A scenario: the cluster to simulate, as data (see scenarios/254carbon.yaml for the format).

`load_scenario(path)` checks the whole file and returns a `Scenario`; a mistake raises
`ScenarioError` naming file:line. `default_scenario_path()` is the bundled 254Carbon cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.sandbox.world.fields import Fields, ScenarioError, load_yaml

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Static")
MODES = ("healthy", "crashloop", "image_pull", "pending")
PULL_ERRORS = ("not_found", "denied")


def default_scenario_path() -> Path:
    return SCENARIOS / "254carbon.yaml"


@dataclass(frozen=True)
class Heal:
    """One condition of `heals_when`."""

    kind: str  # "absent" | "template_changed" | "field"
    object: str = ""  # PLURAL/NAMESPACE/NAME
    path: tuple[str, ...] = ()
    equals: str = ""


@dataclass
class NodeSpec:
    name: str
    roles: list[str]
    address: str
    pod_subnet: str
    cpu: str
    memory: str
    age: float
    images: list[str]


@dataclass
class Behaviour:
    """How the pods of a workload or job behave."""

    mode: str = "healthy"
    restarts: int = 0
    exit_code: int = 1
    run_for: float = 30.0
    healthy_replicas: int = 0
    image_nodes: list[str] | None = None
    pull_error: str = "not_found"
    pull_state: str = "ImagePullBackOff"
    pending_message: str = ""
    heals_when: list[Heal] = field(default_factory=list)
    crash_reason: str = "Error"  # the terminated reason a crash shows (a snapshot may record OOMKilled)
    pull_message: str = ""  # the pull error to show ("" : the kubelet's message for pull_error)


@dataclass
class WorkloadSpec:
    kind: str
    namespace: str
    name: str
    app: str
    replicas: int
    image: str
    logs: str
    age: float
    port: int | None
    node: str | None
    placement: list[str]
    label: str
    cpu: str
    memory: str
    pull_policy: str
    behaviour: Behaviour
    line: int
    requests: Any = None  # the pod template's resources, when recorded (a snapshot) rather than built


@dataclass
class JobSpec:
    namespace: str
    name: str
    app: str
    image: str
    logs: str
    outcome: str  # failed | complete
    backoff_limit: int
    age: float
    line: int


@dataclass
class CronJobSpec:
    namespace: str
    name: str
    app: str
    schedule: str
    image: str
    logs: str
    run_for: float
    flaky_pull: float
    age: float
    active_state: str | None  # pull state of the job running now, if any
    active_age: float
    line: int


@dataclass
class AppSpec:
    name: str
    path: str
    namespace: str
    sync: str
    cause: str
    revision_age: float
    health: str | None
    health_message: str
    line: int


@dataclass
class CertSpec:
    namespace: str
    name: str
    host: str
    state: str  # pending | invalid | ready
    age: float
    issued_age: float
    line: int


@dataclass
class Scenario:
    path: Path
    name: str
    description: str
    version: str
    domain: str
    ingress_ip: str
    nodes: list[NodeSpec]
    namespaces: list[tuple[str, float]]
    workloads: list[WorkloadSpec]
    jobs: list[JobSpec]
    cronjobs: list[CronJobSpec]
    apps: list[AppSpec]
    certs: list[CertSpec]
    repo: str
    target_revision: str
    issuer: str
    access_login: str
    raw: Fields  # services, configmaps, secrets, ingresses, networkpolicies, velero

    def workload(self, namespace: str, name: str) -> WorkloadSpec | None:
        for w in self.workloads:
            if w.namespace == namespace and w.name == name:
                return w
        return None


def _heals(f: Fields) -> list[Heal]:
    out: list[Heal] = []
    for item in f.items("heals_when", "heals_when condition"):
        if item.has("absent"):
            target = item.req("absent", str)
            if target.count("/") != 2:
                raise item.error(f"'absent' is PLURAL/NAMESPACE/NAME, got {target!r}")
            out.append(Heal("absent", object=target))
        elif item.has("template_changed"):
            out.append(Heal("template_changed"))
        elif item.has("field"):
            sub = item.sub("field")
            target = sub.req("object", str)
            if target.count("/") != 2:
                raise sub.error(f"'object' is PLURAL/NAMESPACE/NAME, got {target!r}")
            out.append(
                Heal("field", object=target, path=tuple(sub.strings("path")), equals=sub.req("equals", str))
            )
        else:
            raise item.error("expected one of 'absent', 'template_changed', 'field'")
    return out


def _behaviour(f: Fields) -> Behaviour:
    mode = f.choice("mode", MODES, "healthy")
    nodes = f.data.get("image_nodes")
    if nodes is not None and (not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes)):
        raise f.error("'image_nodes' must be a list of node names")
    return Behaviour(
        mode=mode,
        restarts=f.opt("restarts", int, 0) or 0,
        exit_code=f.opt("exit_code", int, 1) or 0,
        run_for=f.duration("run_for", 30.0),
        healthy_replicas=f.opt("healthy_replicas", int, 0) or 0,
        image_nodes=list(nodes) if nodes is not None else None,
        pull_error=f.choice("pull_error", PULL_ERRORS, "not_found"),
        pull_state=f.choice("pull_state", ("ImagePullBackOff", "ErrImagePull"), "ImagePullBackOff"),
        pending_message=f.opt("pending_message", str, "") or "0/2 nodes are available: 2 Insufficient cpu.",
        heals_when=_heals(f),
    )


def _workload(f: Fields, nodes: set[str], namespaces: set[str]) -> WorkloadSpec:
    kind = f.choice("kind", KINDS, "Deployment")
    ns = f.req("namespace", str)
    if ns not in namespaces:
        raise f.error(f"namespace {ns!r} is not declared under 'namespaces'")
    node = f.opt("node", str, None)
    placement = f.strings("placement")
    for n in [*placement, *([node] if node else [])]:
        if n not in nodes:
            raise f.error(f"unknown node {n!r} (nodes: {', '.join(sorted(nodes))})")
    replicas = f.opt("replicas", int, 1) or 0
    if kind == "Static" and not node:
        raise f.error("a Static pod needs 'node'")
    port = f.opt("port", int, None)
    return WorkloadSpec(
        kind=kind,
        namespace=ns,
        name=f.req("name", str),
        app=f.opt("app", str, "") or "",
        replicas=replicas if kind in ("Deployment", "StatefulSet") else 0,
        image=f.req("image", str),
        logs=f.opt("logs", str, "generic") or "generic",
        age=f.duration("age", 86400.0),
        port=port,
        node=node,
        placement=placement,
        label=f.opt("label", str, "app") or "app",
        cpu=f.opt("cpu", str, "100m") or "100m",
        memory=f.opt("memory", str, "256Mi") or "256Mi",
        pull_policy=f.opt("image_pull_policy", str, "IfNotPresent") or "IfNotPresent",
        behaviour=_behaviour(f),
        line=f.line,
    )


def load_scenario(path: Path | None = None) -> Scenario:
    path = Path(path) if path else default_scenario_path()
    root = Fields(path, load_yaml(path), "scenario", 1)
    cluster = root.sub("cluster")
    node_specs = [
        NodeSpec(
            name=n.req("name", str),
            roles=n.strings("roles") or ["worker"],
            address=n.req("address", str),
            pod_subnet=n.req("pod_subnet", str),
            cpu=n.opt("cpu", str, "8") or "8",
            memory=n.opt("memory", str, "32Gi") or "32Gi",
            age=n.duration("age", 86400.0 * 30),
            images=n.strings("images"),
        )
        for n in root.items("nodes", "node")
    ]
    if not node_specs:
        raise root.error("at least one node is needed under 'nodes'")
    node_names = {n.name for n in node_specs}
    namespaces = [
        (n.req("name", str), n.duration("age", 86400.0)) for n in root.items("namespaces", "namespace")
    ]
    ns_names = {n for n, _ in namespaces}
    workloads = [_workload(w, node_names, ns_names) for w in root.items("workloads", "workload")]
    seen: set[tuple[str, str, str]] = set()
    for w, f in zip(workloads, root.items("workloads", "workload"), strict=True):
        key = (w.kind, w.namespace, w.name)
        if key in seen:
            raise f.error(f"{w.kind} {w.namespace}/{w.name} is declared twice")
        seen.add(key)
    jobs = []
    for j in root.items("jobs", "job"):
        ns = j.req("namespace", str)
        if ns not in ns_names:
            raise j.error(f"namespace {ns!r} is not declared under 'namespaces'")
        jobs.append(
            JobSpec(
                namespace=ns,
                name=j.req("name", str),
                app=j.opt("app", str, "") or "",
                image=j.req("image", str),
                logs=j.opt("logs", str, "generic") or "generic",
                outcome=j.choice("outcome", ("failed", "complete"), "complete"),
                backoff_limit=j.opt("backoff_limit", int, 6) or 0,
                age=j.duration("age", 3600.0),
                line=j.line,
            )
        )
    cronjobs = []
    for c in root.items("cronjobs", "cronjob"):
        active = c.sub("active")
        schedule = c.req("schedule", str)
        if len(schedule.split()) != 5:
            raise c.error(f"'schedule' must have 5 fields (minute hour day month weekday), got {schedule!r}")
        flaky = c.opt("flaky_pull", float, 0.0) or 0.0
        if not 0.0 <= flaky <= 1.0:
            raise c.error(f"'flaky_pull' is a probability between 0 and 1, got {flaky}")
        cronjobs.append(
            CronJobSpec(
                namespace=c.req("namespace", str),
                name=c.req("name", str),
                app=c.opt("app", str, "") or "",
                schedule=schedule,
                image=c.req("image", str),
                logs=c.opt("logs", str, "generic") or "generic",
                run_for=c.duration("run_for", 60.0),
                flaky_pull=flaky,
                age=c.duration("age", 86400.0),
                active_state=active.choice(
                    "pull_state", ("ImagePullBackOff", "ErrImagePull", "Running"), "Running"
                )
                if c.has("active")
                else None,
                active_age=active.duration("age", 60.0) if c.has("active") else 0.0,
                line=c.line,
            )
        )
    apps = [
        AppSpec(
            name=a.req("name", str),
            path=a.req("path", str),
            namespace=a.req("namespace", str),
            sync=a.choice("sync", ("Synced", "OutOfSync", "Unknown"), "Synced"),
            cause=a.choice("cause", ("none", "drift", "path_missing"), "none"),
            revision_age=a.duration("revision_age", 86400.0),
            health=a.opt("health", str, None),
            health_message=a.opt("health_message", str, "") or "",
            line=a.line,
        )
        for a in root.items("applications", "application")
    ]
    for a, f in zip(apps, root.items("applications", "application"), strict=True):
        if a.sync != "Synced" and a.cause == "none":
            raise f.error(f"application {a.name} is {a.sync}: give it a 'cause' (drift or path_missing)")
    argocd = root.sub("argocd")
    cm = root.sub("cert_manager")
    certs = [
        CertSpec(
            namespace=c.req("namespace", str),
            name=c.req("name", str),
            host=c.req("host", str),
            state=c.choice("state", ("pending", "invalid", "ready"), "ready"),
            age=c.duration("age", 86400.0 * 30),
            issued_age=c.duration("issued_age", 86400.0 * 10),
            line=c.line,
        )
        for c in cm.items("certificates", "certificate")
    ]
    for cert, f in zip(certs, cm.items("certificates", "certificate"), strict=True):
        if cert.state == "ready" and cert.issued_age >= 90 * 86400:
            days = cert.issued_age / 86400
            raise f.error(f"certificate {cert.name}: issued_age {days:.0f}d is past the 90-day validity")
    _check_velero(root)
    return Scenario(
        path=path,
        name=root.opt("name", str, path.stem) or path.stem,
        description=root.opt("description", str, "") or "",
        version=cluster.opt("version", str, "v1.31.4") or "v1.31.4",
        domain=cluster.opt("domain", str, "example.com") or "example.com",
        ingress_ip=cluster.opt("ingress_ip", str, node_specs[0].address) or node_specs[0].address,
        nodes=node_specs,
        namespaces=namespaces,
        workloads=workloads,
        jobs=jobs,
        cronjobs=cronjobs,
        apps=apps,
        certs=certs,
        repo=argocd.opt("repo", str, "https://github.com/example/gitops.git") or "",
        target_revision=argocd.opt("target_revision", str, "main") or "main",
        issuer=cm.opt("issuer", str, "letsencrypt-prod") or "letsencrypt-prod",
        access_login=cm.opt("access_login", str, "https://example.cloudflareaccess.com/cdn-cgi/access/login")
        or "",
        raw=root,
    )


def _check_velero(root: Fields) -> None:
    velero = root.sub("velero")
    velero.choice("new_backup_phase", ("Completed", "PartiallyFailed", "Failed"), "Completed")
    names = set()
    for s in velero.items("schedules", "velero schedule"):
        names.add(s.req("name", str))
        s.req("schedule", str)
        s.duration("ttl", 720 * 3600.0)
    for b in velero.items("backups", "velero backup"):
        schedule = b.req("schedule", str)
        if schedule not in names:
            raise b.error(f"unknown schedule {schedule!r}")
        b.duration("age")
        b.choice("phase", ("Completed", "PartiallyFailed", "Failed", "InProgress"), "Completed")


def scenario_pod_count(scenario: Scenario) -> int:
    """How many pods the scenario starts with (before filler pods)."""
    total = 0
    for w in scenario.workloads:
        if w.kind == "DaemonSet":
            total += len(scenario.nodes)
        elif w.kind == "Static":
            total += 1
        else:
            total += w.replicas
    total += sum(j.backoff_limit + 1 for j in scenario.jobs if j.outcome == "failed")
    total += sum(1 for c in scenario.cronjobs if c.active_state)
    return total


__all__ = ["Scenario", "ScenarioError", "default_scenario_path", "load_scenario", "scenario_pod_count"]
