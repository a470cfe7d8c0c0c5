"""What `kubectl get` prints, as pure functions: ages, and a pod's READY, STATUS and RESTARTS.

A port of Kubernetes' own rules: `duration.HumanDuration` (k8s.io/apimachinery/pkg/util/duration)
for every age, and `printPod` (k8s.io/kubernetes/pkg/printers/internalversion/printers.go) for the
pod columns: restartable init containers (sidecars) count in READY's total and in RESTARTS,
`SchedulingGated`, `Init:N/M`, `Init:<reason>`, `Init:Signal:N`, `Init:ExitCode:N`, containers read
from last to first, `Completed` turned back to `Running`/`NotReady` while a container still runs,
`Terminating` for a deleted pod that has not finished (a Succeeded or Failed one keeps its status),
and `N (Xs ago)` from the latest termination counted.

This module imports nothing of cockpit. The live panes (`cockpit.cluster.pods`) and the sandbox's
server-side Table rows (`cockpit.sandbox.tables`) both print pods through it, so they agree by
construction; the sandbox stays independent of cockpit's layers because this is not one of them,
it sits below all of them like a library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

UNKNOWN = "<unknown>"


def parse_time(text: object) -> float | None:
    """An RFC 3339 timestamp of the API ("2025-10-24T09:00:00Z", fractions allowed) -> epoch
    seconds; None when absent, not a string or malformed. A stamp without a zone is UTC."""
    if not text or not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def human_duration(seconds: float | None) -> str:
    """Go's duration.HumanDuration, as kubectl prints every age: 45s, 119s, 5m30s, 90m, 3h4m, 20h,
    3d2h, 40d, 2y70d, 9y. A clock up to 2 s behind reads 0s; further behind, <invalid>.
    None (no timestamp) is kubectl's <unknown>."""
    if seconds is None:
        return UNKNOWN
    secs = int(seconds)  # Go's int(d.Seconds()) truncates toward zero
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 60 * 2:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def text_stable_until(stamp: float | None, now: float) -> float:
    """Until when `since(stamp, ...)` keeps printing the same text (for caches of rendered rows):
    seconds are shown below 10 minutes, then minutes or coarser (recomputing a coarser text each
    minute is cheap and never wrong). Forever without a stamp."""
    if stamp is None:
        return float("inf")
    seconds = max(0.0, now - stamp)
    if seconds < 600:
        return now + 1.0 - seconds % 1.0
    return now + 60.0 - seconds % 60.0


def width_stable_until(stamp: float | None, now: float) -> float:
    """Until when `since(stamp, ...)` keeps the same *width* (for a table's column widths over rows
    not on screen, whose text need not tick every second): 0-9s, 10-99s, 100-119s, then below 10
    minutes 2m / 2m1s-2m9s / 2m10s-2m59s, then as `text_stable_until`. Never later than the width
    changes; forever without a stamp."""
    if stamp is None:
        return float("inf")
    seconds = now - stamp
    if seconds < 0 or seconds >= 600:
        return text_stable_until(stamp, now)
    secs = int(seconds)
    if secs < 120:
        return stamp + (10 if secs < 10 else 100 if secs < 100 else 120)
    minute, s = divmod(secs, 60)
    return stamp + minute * 60 + (1 if s == 0 else 10 if s < 10 else 60)


def since(stamp: float | None, now: float) -> str:
    """kubectl's translateTimestampSince: the age of an epoch stamp, <unknown> without one."""
    return UNKNOWN if stamp is None else human_duration(now - stamp)


def since_text(text: object, now: float) -> str:
    """The age of an RFC 3339 stamp as kubectl prints it."""
    return since(parse_time(text), now)


@dataclass(frozen=True, slots=True)
class PodColumns:
    """A pod's READY, STATUS and RESTARTS as printPod computes them."""

    ready: str  # "1/2"
    status: str  # "Running", "Init:1/2", "CrashLoopBackOff", ...
    restarts: int
    last_restart: float | None  # epoch of the latest termination counted in `restarts`

    def restarts_text(self, now: float) -> str:
        return restarts_text(self.restarts, self.last_restart, now)


def restarts_text(restarts: int, last_restart: float | None, now: float) -> str:
    """RESTARTS as kubectl prints it: '4 (20s ago)', or '4' when no termination time is known, or '0'."""
    if restarts and last_restart is not None:
        return f"{restarts} ({human_duration(now - last_restart)} ago)"
    return str(restarts)


def _restartable(spec: Mapping[str, Any] | None) -> bool:
    return spec is not None and spec.get("restartPolicy") == "Always"


def _finished(status: Mapping[str, Any]) -> float | None:
    last = (status.get("lastState") or {}).get("terminated")
    return None if last is None else parse_time(last.get("finishedAt"))


def _later(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _terminated_reason(term: Mapping[str, Any], prefix: str = "") -> str:
    if term.get("reason"):
        return prefix + str(term["reason"])
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode') or 0}"


def _condition_true(status: Mapping[str, Any], kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in status.get("conditions") or [])


def pod_columns(pod: Mapping[str, Any]) -> PodColumns:
    """READY, STATUS and RESTARTS of a pod (API JSON) exactly as `kubectl get pods` prints them."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    restarts = 0
    sidecar_restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    last_restart: float | None = None
    sidecar_last_restart: float | None = None

    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_specs = spec.get("initContainers") or []
    init_by_name: dict[Any, Mapping[str, Any]] = {}
    for c in init_specs:
        init_by_name[c.get("name")] = c
        if _restartable(c):
            total += 1

    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        count = int(cs.get("restartCount") or 0)
        finished = _finished(cs)
        restarts += count
        last_restart = _later(last_restart, finished)
        restartable = _restartable(init_by_name.get(cs.get("name")))
        if restartable:
            sidecar_restarts += count
            sidecar_last_restart = _later(sidecar_last_restart, finished)
        state = cs.get("state") or {}
        term = state.get("terminated")
        waiting = state.get("waiting")
        if term is not None and int(term.get("exitCode") or 0) == 0:
            continue
        if restartable and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term is not None:
            reason = _terminated_reason(term, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + str(waiting["reason"])
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(status, "Initialized"):
        restarts = sidecar_restarts
        last_restart = sidecar_last_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            last_restart = _later(last_restart, _finished(cs))
            state = cs.get("state") or {}
            waiting = state.get("waiting")
            term = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif term is not None:
                reason = _terminated_reason(term)
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(status, "Ready") else "NotReady"

    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    return PodColumns(f"{ready}/{total}", reason, restarts, last_restart)
