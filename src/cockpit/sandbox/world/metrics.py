"""The sandbox VictoriaMetrics' data: series derived live from the world's pods, with history.

Every pod change the store makes is recorded (a bounded history: RETENTION seconds), so a query
at any time in that window sees the pods as they were then: `up` (1 while the pod is Running and
Ready, else 0; Succeeded and Failed pods are not scraped) and kube-state-metrics'
`kube_pod_status_phase` and `kube_pod_status_ready`. A pod the world started with counts as having
been in its first state since its creationTimestamp, so a range reaching back before the sandbox
started shows the scenario's past rather than nothing.

`api(path, params)` answers the Prometheus HTTP API's /api/v1/query and /api/v1/query_range
with the PromQL subset of world/promql.py.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cockpit.sandbox.resources import PODS, ResourceType
from cockpit.sandbox.world.pods import is_ready
from cockpit.sandbox.world.promql import (
    Labels,
    Matcher,
    PromQLError,
    Sample,
    evaluate,
    format_value,
    parse,
)

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
RETENTION = 3600.0  # seconds of history kept
MAX_POINTS = 11_000  # per series, as Prometheus
PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")
_KINDS = {"up": "up", "phase": "kube_pod_status_phase", "ready": "kube_pod_status_ready"}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


@dataclass
class _Track:
    labels: dict[str, str]
    born: float
    gone: float | None = None
    times: list[float] = field(default_factory=list)
    states: list[tuple[bool, str]] = field(default_factory=list)  # (ready, phase)
    _series: list[tuple[str, Labels, str]] | None = None

    def state_at(self, t: float) -> tuple[bool, str] | None:
        if t < self.born or (self.gone is not None and t >= self.gone) or not self.times:
            return None
        if len(self.times) == 1:
            return self.states[0]
        i = bisect.bisect_right(self.times, t) - 1
        return self.states[max(i, 0)]

    def relabel(self, labels: dict[str, str]) -> None:
        if labels != self.labels:
            self.labels, self._series = labels, None

    def series(self) -> list[tuple[str, Labels, str]]:
        """(kind, labels, phase/condition) of every series this pod gives: `up`,
        kube_pod_status_phase per phase and kube_pod_status_ready per condition."""
        if self._series is None:
            base = {
                "job": "kube-state-metrics",
                "namespace": self.labels["kubernetes_namespace"],
                "pod": self.labels["kubernetes_pod_name"],
            }
            out: list[tuple[str, Labels, str]] = [("up", _sorted({"__name__": "up", **self.labels}), "")]
            for p in PHASES:
                out.append(("phase", _sorted({"__name__": "kube_pod_status_phase", **base, "phase": p}), p))
            for cond in ("true", "false"):
                labels = {"__name__": "kube_pod_status_ready", **base, "condition": cond}
                out.append(("ready", _sorted(labels), cond))
            self._series = out
        return self._series


def _sorted(labels: dict[str, str]) -> Labels:
    return tuple(sorted(labels.items()))


def _parse_time(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise PromQLError(f'cannot parse "{raw}" to a valid timestamp for {name}') from None


def _parse_step(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        pass
    parts = _DURATION.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise PromQLError(f'cannot parse "{raw}" to a valid duration')
    return sum(float(n) * _UNIT[u] for n, u in parts)


def _error(message: str, kind: str = "bad_data") -> tuple[int, Obj]:
    return 400 if kind == "bad_data" else 422, {"status": "error", "errorType": kind, "error": message}


class PodMetrics:
    def __init__(self, world: World) -> None:
        self.world = world
        self.tracks: dict[tuple[str, str, str], _Track] = {}
        self._started = world.now()
        self._changes = 0
        self._candidates: dict[tuple[Matcher, ...], list[tuple[_Track, str, Labels, str]]] = {}
        self._unsubscribe = world.store.subscribe(self._on_change)

    def close(self) -> None:
        self._unsubscribe()

    # ---- recording -----------------------------------------------------------------------------

    def _on_change(self, kind: str, rt: ResourceType, obj: Obj) -> None:
        if rt is not PODS:
            return
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"], str(meta.get("uid", "")))
        now = self.world.now()
        track = self.tracks.get(key)
        if kind == "DELETED":
            if track is not None:
                track.gone = now
            return
        status = obj.get("status") or {}
        phase = str(status.get("phase") or "Pending")
        ready = phase == "Running" and is_ready(obj) and not meta.get("deletionTimestamp")
        labels = self._labels(obj)
        if track is None:
            born = now
            if now - self._started < 1.0:  # the scenario's pods: this state is their past too
                created = meta.get("creationTimestamp")
                if created:
                    try:
                        born = min(now, datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp())
                    except ValueError:
                        born = now
            track = self.tracks[key] = _Track(labels, born)
            track.times.append(born)
            track.states.append((ready, phase))
        else:
            track.relabel(labels)
            if track.states[-1] != (ready, phase):
                track.times.append(max(now, track.times[-1]))
                track.states.append((ready, phase))
        self._changes += 1
        if self._changes % 2000 == 0:
            self.prune(now)

    @staticmethod
    def _labels(pod: Obj) -> dict[str, str]:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        labels = meta.get("labels") or {}
        job = (
            labels.get("app.kubernetes.io/name")
            or labels.get("app")
            or labels.get("job-name")
            or meta["name"].rsplit("-", 1)[0]
        )
        ip = (pod.get("status") or {}).get("podIP", "")
        ports = [p["containerPort"] for c in spec.get("containers") or [] for p in c.get("ports") or []]
        instance = f"{ip}:{ports[0]}" if ip and ports else ip or meta["name"]
        return {
            "job": str(job),
            # the pod's own `app` label, as kubernetes_sd relabelling keeps it: the seed queries
            # up{app="dolphinscheduler-api"}; app.kubernetes.io/instance names the ArgoCD app instead
            "app": str(labels.get("app") or labels.get("app.kubernetes.io/instance") or job),
            "instance": instance,
            "kubernetes_namespace": meta.get("namespace", ""),
            "kubernetes_pod_name": meta["name"],
        }

    def prune(self, now: float) -> None:
        """Forget what is older than RETENTION (keeping each series' state at the cut)."""
        cut = now - RETENTION
        for key in [k for k, t in self.tracks.items() if t.gone is not None and t.gone < cut]:
            del self.tracks[key]
        for track in self.tracks.values():
            i = bisect.bisect_right(track.times, cut) - 1
            if i > 0:
                del track.times[:i], track.states[:i]
                track.times[0] = max(track.times[0], track.born)

    # ---- series ----------------------------------------------------------------------------------

    def select(self, matchers: Sequence[Matcher], at: float) -> list[Sample]:
        """The series matching `matchers` at time `at` (the matching is done once per request:
        a range query asks again for every step)."""
        key = tuple(matchers)
        candidates = self._candidates.get(key)
        if candidates is None:
            kinds = {k for k, name in _KINDS.items() if all(
                m.matches({"__name__": name}) for m in matchers if m.name == "__name__"
            )}  # fmt: skip
            candidates = self._candidates[key] = [
                (track, kind, labels, extra)
                for track in self.tracks.values()
                for kind, labels, extra in track.series()
                if kind in kinds and all(m.matches(dict(labels)) for m in matchers)
            ]
        out: list[Sample] = []
        for track, kind, labels, extra in candidates:
            state = track.state_at(at)
            if state is None:
                continue
            ready, phase = state
            if kind == "up":
                if phase not in ("Succeeded", "Failed"):
                    out.append((labels, 1.0 if ready else 0.0))
            elif kind == "phase":
                out.append((labels, float(extra == phase)))
            else:
                out.append((labels, float(ready == (extra == "true"))))
        return out

    # ---- the HTTP API ----------------------------------------------------------------------------

    def api(self, path: str, params: dict[str, list[str]]) -> tuple[int, Obj]:
        """(HTTP status, JSON document) for a Prometheus API request."""

        self._candidates = {}

        def param(name: str) -> str | None:
            values = params.get(name)
            return values[-1] if values else None

        try:
            if path == "/api/v1/query":
                return 200, self.query(param("query") or "", param("time"))
            if path == "/api/v1/query_range":
                return 200, self.query_range(
                    param("query") or "", param("start"), param("end"), param("step")
                )
        except PromQLError as exc:
            return _error(str(exc))
        if path in ("/api/v1/labels", "/api/v1/series") or path.startswith("/api/v1/label/"):
            return _error(f"{path} is not supported by the cockpit sandbox")
        return 400, {
            "status": "error",
            "errorType": "bad_data",
            "error": f"unsupported path requested: {path!r}",
        }

    def query(self, query: str, time: str | None) -> Obj:
        if not query:
            raise PromQLError("missing `query` arg")
        node = parse(query)
        at = _parse_time(time, "time") if time else self.world.now()
        result = evaluate(node, at, self.select)
        if isinstance(result, list):
            vector = [
                {"metric": dict(labels), "value": [at, format_value(v)]} for labels, v in sorted(result)
            ]
            return {"status": "success", "data": {"resultType": "vector", "result": vector}}
        return {"status": "success", "data": {"resultType": "scalar", "result": [at, format_value(result)]}}

    def query_range(self, query: str, start: str | None, end: str | None, step: str | None) -> Obj:
        if not query:
            raise PromQLError("missing `query` arg")
        if not start or not end or not step:
            raise PromQLError(f"missing `{'start' if not start else 'end' if not end else 'step'}` arg")
        node = parse(query)
        t0, t1, dt = _parse_time(start, "start"), _parse_time(end, "end"), _parse_step(step)
        if dt <= 0 or math.isnan(dt):
            raise PromQLError("zero or negative query resolution step widths are not accepted. "
                              "Try a positive integer")  # fmt: skip
        if t1 < t0:
            raise PromQLError("end timestamp must not be before start time")
        if (t1 - t0) / dt > MAX_POINTS:
            raise PromQLError(
                "exceeded maximum resolution of 11,000 points per timeseries. "
                "Try decreasing the query resolution (?step=XX)"
            )
        series: dict[Labels, list[list[Any]]] = {}
        steps = int((t1 - t0) // dt) + 1
        for n in range(steps):
            t = t0 + n * dt
            result = evaluate(node, t, self.select)
            samples = result if isinstance(result, list) else [((), result)]
            for labels, value in samples:
                series.setdefault(labels, []).append([t, format_value(value)])
        matrix = [{"metric": dict(labels), "values": values} for labels, values in sorted(series.items())]
        return {"status": "success", "data": {"resultType": "matrix", "result": matrix}}
