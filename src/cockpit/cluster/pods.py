"""Pods as the operator reads them: kubectl's STATUS, ready n/m, restarts, and the health figure.

`pod_status()` mirrors kubectl's pod printer (k8s.io/kubernetes/pkg/printers/internalversion
printPod): init containers first (Init:N/M, Init:<Reason>, Init:ExitCode:N), then containers from
last to first (waiting reason, terminated reason, ExitCode:N, Signal:N), Completed turned back to
Running/NotReady when a container still runs, Terminating when a deletion timestamp is set.

Health, as the plan states it ("75% (104/138 pods)"), is defined exactly as:
    healthy pods / all pods, where a pod is healthy when its STATUS is Running or Completed
    (phase Running with no container waiting or failed, or phase Succeeded).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

HEALTHY = frozenset({"Running", "Completed"})
HEALTH_FORMULA = "health = pods Running or Completed ÷ all pods (kubectl STATUS)"
PROBLEM_ORDER = (
    "CrashLoopBackOff",
    "Init:CrashLoopBackOff",
    "OOMKilled",
    "ImagePullBackOff",
    "ErrImagePull",
    "Init:ImagePullBackOff",
    "Init:ErrImagePull",
    "CreateContainerConfigError",
    "Error",
    "Pending",
)


def parse_datetime(text: object) -> datetime | None:
    """An RFC 3339 timestamp of the API ("2025-10-24T09:00:00Z") -> aware datetime; None when
    absent, not a string or malformed."""
    if not text or not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_time(text: str | None) -> float | None:
    """RFC 3339 timestamp -> epoch seconds (None when absent or malformed)."""
    when = parse_datetime(text)
    return None if when is None else when.timestamp()


def human_age(seconds: float | None) -> str:
    """kubectl-style age: 45s, 12m, 3h4m, 5d, 2y."""
    if seconds is None:
        return "?"
    s = int(max(0, seconds))
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 60:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    d = h // 24
    if d < 730:
        return f"{d}d"
    return f"{d // 365}y"


@dataclass(frozen=True, slots=True)
class PodSummary:
    """The fields the pods pane shows; equal summaries mean no visible change."""

    uid: str
    namespace: str
    name: str
    phase: str
    status: str  # kubectl's STATUS column
    ready: str  # "1/2"
    restarts: int
    last_termination: str  # reason of the last terminated container state (OOMKilled, Error, ...)
    created: float | None
    node: str
    labels: tuple[tuple[str, str], ...] = ()
    detail: str = ""  # scheduler's reason for Pending, or the waiting/terminated message
    owner: str = ""  # "Job/x", "ReplicaSet/y"

    @property
    def healthy(self) -> bool:
        return self.status in HEALTHY

    @property
    def running(self) -> bool:
        return self.status == "Running"

    @property
    def problem(self) -> bool:
        return not self.healthy

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def age(self, now: float | None = None) -> str:
        if self.created is None:
            return "?"
        return human_age((now or datetime.now(UTC).timestamp()) - self.created)

    def matches(self, text: str) -> bool:
        """Case-insensitive text filter over name, namespace, status, node, detail and labels."""
        needle = text.lower()
        hay = " ".join(
            [self.namespace, self.name, self.status, self.node, self.detail, self.last_termination]
            + [f"{k}={v}" for k, v in self.labels]
        ).lower()
        return needle in hay


def _terminated_reason(term: Mapping[str, Any], prefix: str = "") -> str:
    reason = term.get("reason") or ""
    if reason:
        return prefix + reason
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


def _is_restartable(spec_init: Mapping[str, Any] | None) -> bool:
    return bool(spec_init) and (spec_init or {}).get("restartPolicy") == "Always"


def _condition(status: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    for cond in status.get("conditions") or []:
        if cond.get("type") == kind:
            return cond
    return None


def pod_status(pod: Mapping[str, Any]) -> tuple[str, str, int, str]:
    """(STATUS, READY, RESTARTS, detail) exactly as `kubectl get pods` computes the first three."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    init_specs = spec.get("initContainers") or []
    init_by_name = {c.get("name"): c for c in init_specs}
    total = len(spec.get("containers") or []) + sum(1 for c in init_specs if _is_restartable(c))
    ready = 0
    restarts = 0
    detail = ""
    reason = status.get("phase") or "Unknown"
    if status.get("reason"):
        reason = status["reason"]
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    initializing = False
    sidecar_restarts = 0
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += int(cs.get("restartCount") or 0)
        state = cs.get("state") or {}
        term = state.get("terminated")
        waiting = state.get("waiting")
        restartable = _is_restartable(init_by_name.get(cs.get("name")))
        if restartable:
            sidecar_restarts += int(cs.get("restartCount") or 0)
        if term is not None and int(term.get("exitCode") or 0) == 0:
            continue
        if restartable and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term is not None:
            reason = _terminated_reason(term, "Init:")
            detail = term.get("message") or ""
        elif waiting is not None and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + waiting["reason"]
            detail = waiting.get("message") or ""
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    init_cond = _condition(status, "Initialized")
    if not initializing or (init_cond is not None and init_cond.get("status") == "True"):
        restarts = sidecar_restarts
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            state = cs.get("state") or {}
            waiting = state.get("waiting")
            term = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
                detail = waiting.get("message") or ""
            elif term is not None:
                reason = _terminated_reason(term)
                detail = term.get("message") or ""
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_cond = _condition(status, "Ready")
            is_ready = ready_cond is not None and ready_cond.get("status") == "True"
            reason = "Running" if is_ready else "NotReady"

    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and status.get("phase") not in ("Succeeded", "Failed"):
        reason = "Terminating"

    if reason == "Pending" and not detail:
        sched = _condition(status, "PodScheduled")
        if sched is not None and sched.get("status") == "False":
            detail = ": ".join(x for x in (sched.get("reason"), sched.get("message")) if x)
    return reason, f"{ready}/{total}", restarts, detail


def _last_termination(status: Mapping[str, Any]) -> str:
    reasons = []
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        last = (cs.get("lastState") or {}).get("terminated")
        if last:
            reasons.append(_terminated_reason(last))
    return reasons[-1] if reasons else ""


def summarize_pod(pod: Mapping[str, Any]) -> PodSummary:
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    text, ready, restarts, detail = pod_status(pod)
    owners = meta.get("ownerReferences") or []
    owner = f"{owners[0].get('kind')}/{owners[0].get('name')}" if owners else ""
    return PodSummary(
        uid=str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"),
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name") or ""),
        phase=str(status.get("phase") or "Unknown"),
        status=text,
        ready=ready,
        restarts=restarts,
        last_termination=_last_termination(status),
        created=parse_time(meta.get("creationTimestamp")),
        node=str((pod.get("spec") or {}).get("nodeName") or ""),
        labels=tuple(sorted((meta.get("labels") or {}).items())),
        detail=detail,
        owner=owner,
    )


@dataclass(frozen=True, slots=True)
class PodTotals:
    """Counts by STATUS and the health figure over a set of pods."""

    total: int
    healthy: int
    running: int
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def not_running(self) -> int:
        """Pods whose STATUS is neither Running nor Completed (the plan's grep -v count)."""
        return self.total - self.healthy

    @property
    def health_percent(self) -> float:
        return 100.0 * self.healthy / self.total if self.total else 0.0

    @property
    def health_text(self) -> str:
        """'75% (104/138 pods)'."""
        return f"{round(self.health_percent)}% ({self.healthy}/{self.total} pods)"


def totals(pods: Iterable[PodSummary]) -> PodTotals:
    counts: Counter[str] = Counter()
    for pod in pods:
        counts[pod.status] += 1
    total = sum(counts.values())
    healthy = sum(n for s, n in counts.items() if s in HEALTHY)
    return PodTotals(total, healthy, counts.get("Running", 0), dict(counts.most_common()))


def problem_rank(status: str) -> int:
    """Sort key: the worst statuses first, healthy ones last."""
    if status in HEALTHY:
        return 100 if status == "Running" else 101
    if status in PROBLEM_ORDER:
        return PROBLEM_ORDER.index(status)
    if status.startswith("Init:"):
        return len(PROBLEM_ORDER)
    return len(PROBLEM_ORDER) + 1


def pod_sort_key(pod: PodSummary) -> tuple[int, int, str, str]:
    """Problem pods first (worst first, most restarts first), then by namespace and name."""
    return (problem_rank(pod.status), -pod.restarts, pod.namespace, pod.name)


def sort_pods(pods: Iterable[PodSummary]) -> list[PodSummary]:
    """The pods in `pod_sort_key` order."""
    return sorted(pods, key=pod_sort_key)


_SELECTOR_TERM = re.compile(
    r"^\s*(?P<key>[\w./-]+)\s*(?:(?P<op>==|=|!=)\s*(?P<value>[\w./-]*)|"
    r"\s+(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?\s*$"
)


def split_selector(selector: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def selector_matches(selector: str, labels: Mapping[str, str]) -> bool:
    """Does a kubectl label selector (a=b, a!=b, a in (x,y), a notin (x), a, !a) match these labels?"""
    for term in split_selector(selector):
        term = term.strip()
        if not term:
            continue
        if term.startswith("!"):
            if term[1:].strip() in labels:
                return False
            continue
        m = _SELECTOR_TERM.match(term)
        if m is None:
            raise ValueError(f"Label selector term '{term}' is not understood.")
        key = m["key"]
        if m["op"] in ("=", "=="):
            if labels.get(key) != m["value"]:
                return False
        elif m["op"] == "!=":
            if labels.get(key) == m["value"]:
                return False
        elif m["setop"]:
            values = {v.strip() for v in m["values"].split(",") if v.strip()}
            if m["setop"] == "in" and labels.get(key) not in values:
                return False
            if m["setop"] == "notin" and labels.get(key) in values:
                return False
        elif key not in labels:
            return False
    return True
