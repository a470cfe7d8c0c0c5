"""`cockpit sandbox snapshot`: copy a live cluster into a scenario file the sandbox serves.

    cockpit sandbox snapshot [--kubeconfig F] [--context C] [-n NS ... | -A] -o scenario.yaml

Reads, with list requests only (GET, paginated), the objects the panes and a plan's commands use:
namespaces, nodes, pods, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs,
services, endpoints, ingresses, network policies, configmaps, secrets, PVCs, events, ArgoCD
applications, cert-manager certificates, requests, orders, challenges, issuers and cluster issuers,
Velero backups and schedules. Each object is kept as the API served it, less its managed fields,
resourceVersion, selfLink and last-applied annotation. A Secret's values never leave the cluster:
each becomes a placeholder under the same key. A list the credentials may not read (403) or a
kind whose CRD is not installed (404) is skipped with a line saying so; the rest is written.

The file is the sandbox's snapshot scenario (`cockpit.sandbox.world.snapshot` reads it): a header
saying where and when it was taken and what was skipped, then `objects:`.
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml

from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.kubeapi import KubeApi, ResourceKind

Obj = dict[str, Any]
PAGE = 500
PROGRESS_EVERY = 2000  # objects of one kind between progress lines
PLACEHOLDER = "cockpit-snapshot-placeholder"
PLACEHOLDER_B64 = base64.b64encode(PLACEHOLDER.encode()).decode()
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_NOISE = ("managedFields", "resourceVersion", "selfLink")


def _kind(group: str, version: str, plural: str, kind: str, namespaced: bool = True) -> ResourceKind:
    return ResourceKind(group, version, plural, kind, namespaced)


# Owners before what they own, so a reader can map owner uids in one pass.
KINDS: tuple[ResourceKind, ...] = (
    _kind("", "v1", "namespaces", "Namespace", False),
    _kind("", "v1", "nodes", "Node", False),
    _kind("cert-manager.io", "v1", "clusterissuers", "ClusterIssuer", False),
    _kind("cert-manager.io", "v1", "issuers", "Issuer"),
    _kind("batch", "v1", "cronjobs", "CronJob"),
    _kind("apps", "v1", "deployments", "Deployment"),
    _kind("apps", "v1", "statefulsets", "StatefulSet"),
    _kind("apps", "v1", "daemonsets", "DaemonSet"),
    _kind("batch", "v1", "jobs", "Job"),
    _kind("apps", "v1", "replicasets", "ReplicaSet"),
    _kind("", "v1", "pods", "Pod"),
    _kind("", "v1", "services", "Service"),
    _kind("", "v1", "endpoints", "Endpoints"),
    _kind("", "v1", "configmaps", "ConfigMap"),
    _kind("", "v1", "secrets", "Secret"),
    _kind("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"),
    _kind("networking.k8s.io", "v1", "ingresses", "Ingress"),
    _kind("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy"),
    _kind("argoproj.io", "v1alpha1", "applications", "Application"),
    _kind("cert-manager.io", "v1", "certificates", "Certificate"),
    _kind("cert-manager.io", "v1", "certificaterequests", "CertificateRequest"),
    _kind("acme.cert-manager.io", "v1", "orders", "Order"),
    _kind("acme.cert-manager.io", "v1", "challenges", "Challenge"),
    _kind("velero.io", "v1", "schedules", "Schedule"),
    _kind("velero.io", "v1", "backups", "Backup"),
    _kind("", "v1", "events", "Event"),
)


@dataclass
class Snapshot:
    """What was read: the objects in KINDS order, counts per kind, and what could not be read."""

    context: str
    server: str
    namespaces: list[str] | None  # None: all namespaces
    taken: float
    objects: list[Obj] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def document(self) -> Obj:
        taken = datetime.fromtimestamp(self.taken, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        scope = "all namespaces" if self.namespaces is None else ", ".join(self.namespaces)
        return {
            "name": f"snapshot-{self.context}",
            "description": f"Snapshot of context {self.context} ({self.server}), {scope}, taken {taken}",
            "snapshot": {
                "context": self.context,
                "server": self.server,
                "taken": taken,
                "namespaces": "all" if self.namespaces is None else list(self.namespaces),
                "counts": dict(self.counts),
                "skipped": list(self.skipped),
            },
            "objects": self.objects,
        }


def clean(obj: Obj, kind: ResourceKind) -> Obj:
    """The object as a scenario keeps it: apiVersion and kind set (lists omit them), no managed
    fields, resourceVersion, selfLink or last-applied annotation, and a Secret's values replaced by
    placeholders under the same keys."""
    out: Obj = {"apiVersion": kind.api_version, "kind": kind.kind}
    out.update({k: v for k, v in obj.items() if k not in ("apiVersion", "kind")})
    meta = dict(out.get("metadata") or {})
    for key in _NOISE:
        meta.pop(key, None)
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    out["metadata"] = meta
    if kind.kind == "Secret":
        keys = sorted(set(out.get("data") or {}) | set(out.get("stringData") or {}))
        out.pop("stringData", None)
        if keys:
            out["data"] = dict.fromkeys(keys, PLACEHOLDER_B64)
        else:
            out.pop("data", None)
    return out


def _pages(api: KubeApi, path: str, what: str) -> Iterator[list[Obj]]:
    token = ""
    while True:
        query: list[tuple[str, str | int | bool]] = [("limit", PAGE)]
        if token:
            query.append(("continue", token))
        body = api.get_json(path, query, timeout=(5.0, 60.0), what=what)
        yield list(body.get("items") or [])
        token = str((body.get("metadata") or {}).get("continue") or "")
        if not token:
            return


BUILT_IN_GROUPS = frozenset({"", "apps", "batch", "networking.k8s.io"})


def _skip_line(kind: ResourceKind, where: str, err: ClusterError) -> str:
    if err.problem is Problem.FORBIDDEN:
        return f"{kind.resource}{where}: forbidden (403), skipped"
    if err.problem is Problem.NOT_FOUND and kind.group not in BUILT_IN_GROUPS:
        return f"{kind.group}: not installed (no {kind.resource} API), skipped"
    return f"{kind.resource}{where}: {err.sentence} Skipped."


def take(
    api: KubeApi,
    *,
    context: str,
    namespaces: Sequence[str] | None,
    progress: Callable[[str], None] = lambda line: None,
    clock: Callable[[], float] = time.time,
) -> Snapshot:
    """Read every kind of KINDS (in `namespaces`, or all); a 403 or a missing CRD skips that list."""
    snap = Snapshot(context, api.server, list(namespaces) if namespaces is not None else None, clock())
    missing_groups: set[str] = set()
    for kind in KINDS:
        if kind.group in missing_groups:
            continue
        whole = not kind.namespaced or namespaces is None
        scopes: list[str | None] = [None] if whole else list(namespaces or [])
        count = 0
        for ns in scopes:
            where = f" in namespace {ns}" if ns else ""
            try:
                if kind.kind == "Namespace" and namespaces is not None:
                    items = [api.get_json(kind.path(name=n), what=f"namespace {n}") for n in namespaces]
                    pages: Iterator[list[Obj]] = iter([items])
                else:
                    pages = _pages(api, kind.path(ns), f"list {kind.resource}{where}")
                for page in pages:
                    snap.objects.extend(clean(o, kind) for o in page)
                    count += len(page)
                    if count // PROGRESS_EVERY > (count - len(page)) // PROGRESS_EVERY:
                        progress(f"{kind.plural}: {count:,}…")  # a big cluster: say it is moving
            except ClusterError as err:
                if err.problem in (Problem.UNREACHABLE, Problem.UNAUTHORIZED, Problem.TIMEOUT):
                    raise
                line = _skip_line(kind, where, err)
                snap.skipped.append(line)
                progress(line)
                if err.problem is Problem.NOT_FOUND and kind.group not in BUILT_IN_GROUPS:
                    missing_groups.add(kind.group)  # the CRDs of the group are not there: one line
                    break
        if kind.group in missing_groups:
            continue
        snap.counts[kind.plural] = count
        progress(f"{kind.plural}: {count:,}")
    return snap


def write(snap: Snapshot, path: Path) -> None:
    """YAML: the header in block style, then each object on one line in flow style (JSON, which
    YAML reads as it is), so the sandbox loads thousands of objects in a second, not a minute."""
    header = (
        "# A cockpit sandbox scenario: a snapshot of a live cluster (`cockpit sandbox snapshot`).\n"
        "# Serve it with `cockpit sandbox serve --scenario FILE` or rehearse a plan on it with\n"
        "# `cockpit --sandbox --scenario FILE PLAN`. Secret values are placeholders.\n"
    )
    doc = snap.document()
    objects = doc.pop("objects")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write((header + text + "objects:\n").encode())
        for obj in objects:
            out.write(b"- " + orjson.dumps(obj) + b"\n")
    tmp.replace(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit sandbox snapshot",
        description="Copy a live cluster (read-only) into a scenario file the sandbox serves.",
    )
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument(
        "-n", "--namespace", action="append", dest="namespaces", metavar="NS", help="namespace (repeatable)"
    )
    scope.add_argument("-A", "--all-namespaces", action="store_true", help="every namespace (the default)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="scenario file to write")
    return parser


def main(argv: Sequence[str]) -> int:
    from cockpit.cluster.connect import connect

    args = build_parser().parse_args(list(argv))
    began = time.monotonic()

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        target, client = connect(args.kubeconfig, args.context, all_namespaces=True)
        api = KubeApi(client)
        say(f"snapshot of {target.context} ({target.server}), read-only")
        snap = take(api, context=target.context, namespaces=args.namespaces, progress=say)
    except ClusterError as err:
        say(f"cockpit sandbox snapshot: {err.sentence}")
        return 1
    try:
        write(snap, args.output)
    except OSError as exc:
        say(f"cockpit sandbox snapshot: cannot write {args.output}: {exc.strerror or exc}")
        return 1
    total = len(snap.objects)
    skipped = f", {len(snap.skipped)} list(s) skipped" if snap.skipped else ""
    say(
        f"wrote {args.output}: {total:,} objects ({snap.counts.get('pods', 0):,} pods){skipped} "
        f"in {time.monotonic() - began:.1f} s"
    )
    for line in snap.skipped:
        say(f"  skipped: {line}")
    return 0
