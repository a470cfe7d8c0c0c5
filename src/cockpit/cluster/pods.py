"""Pods as the operator reads them: kubectl's READY, STATUS and RESTARTS, and the health figure.

`pod_status(pod, now)` returns the three columns exactly as `kubectl get pods` prints them; the rule
itself (Kubernetes' printPod) lives in `cockpit.kubeprint`, which the sandbox's Table rows print
through as well, so the live pane and `kubectl get pods` against the sandbox cannot disagree.

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

from cockpit.kubeprint import human_duration, parse_time, pod_columns, restarts_text

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
    stamp = parse_time(text)
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC)


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
    last_restart: float | None = None  # when the latest termination counted in `restarts` finished

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
        """AGE as kubectl prints it (<unknown> without a creation time)."""
        if self.created is None:
            return human_duration(None)
        return human_duration((now or datetime.now(UTC).timestamp()) - self.created)

    def restarts_text(self, now: float) -> str:
        """RESTARTS as kubectl prints it: '4 (20s ago)', '4' or '0'."""
        return restarts_text(self.restarts, self.last_restart, now)

    def matches(self, text: str) -> bool:
        """Case-insensitive text filter over name, namespace, status, node, detail and labels."""
        needle = text.lower()
        hay = " ".join(
            [self.namespace, self.name, self.status, self.node, self.detail, self.last_termination]
            + [f"{k}={v}" for k, v in self.labels]
        ).lower()
        return needle in hay


def _terminated_reason(term: Mapping[str, Any]) -> str:
    if term.get("reason"):
        return str(term["reason"])
    if term.get("signal"):
        return f"Signal:{term['signal']}"
    return f"ExitCode:{term.get('exitCode') or 0}"


def pod_status(pod: Mapping[str, Any], now: float) -> tuple[str, str, str]:
    """(READY, STATUS, RESTARTS) exactly as `kubectl get pods` prints them at `now` (epoch seconds):
    ("1/2", "CrashLoopBackOff", "4 (20s ago)")."""
    cols = pod_columns(pod)
    return cols.ready, cols.status, cols.restarts_text(now)


def _detail(pod: Mapping[str, Any], status_text: str) -> str:
    """Why the pod is in that state, in the cluster's words: the message of the container state
    whose reason is the STATUS (init containers first, then containers in order, the one kubectl's
    reading lands on), or the scheduler's reason for a Pending pod."""
    status = pod.get("status") or {}
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        state = cs.get("state") or {}
        waiting, term = state.get("waiting"), state.get("terminated")
        if waiting and waiting.get("message") and status_text.endswith(str(waiting.get("reason"))):
            return str(waiting["message"])
        if term and term.get("message") and status_text.endswith(_terminated_reason(term)):
            return str(term["message"])
    if status_text == "Pending":
        for cond in status.get("conditions") or []:
            if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
                return ": ".join(str(x) for x in (cond.get("reason"), cond.get("message")) if x)
    return ""


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
    cols = pod_columns(pod)
    owners = meta.get("ownerReferences") or []
    owner = f"{owners[0].get('kind')}/{owners[0].get('name')}" if owners else ""
    return PodSummary(
        uid=str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"),
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name") or ""),
        phase=str(status.get("phase") or "Unknown"),
        status=cols.status,
        ready=cols.ready,
        restarts=cols.restarts,
        last_termination=_last_termination(status),
        created=parse_time(meta.get("creationTimestamp")),
        node=str((pod.get("spec") or {}).get("nodeName") or ""),
        labels=tuple(sorted((meta.get("labels") or {}).items())),
        detail=_detail(pod, cols.status),
        owner=owner,
        last_restart=cols.last_restart,
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


_last_counted: tuple[tuple[PodSummary, ...], PodTotals] | None = None


def totals(pods: Iterable[PodSummary]) -> PodTotals:
    """Counts by STATUS and health over `pods`. A snapshot's tuple is counted once: the metrics and
    the plan's checks each ask about the same 10k pods (a tuple never changes)."""
    global _last_counted
    last = _last_counted
    if last is not None and last[0] is pods:
        return last[1]
    counted = totals_of(Counter(pod.status for pod in pods))
    if isinstance(pods, tuple):
        _last_counted = (pods, counted)
    return counted


def totals_of(counts: Mapping[str, int]) -> PodTotals:
    """The totals of pods counted by STATUS (a live view keeps the counts as pods change)."""
    counts = Counter({s: n for s, n in counts.items() if n > 0})
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
