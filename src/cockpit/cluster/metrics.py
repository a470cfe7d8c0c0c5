"""The plan's success metrics bound to live figures, with targets, baselines and met/not met.

A metric is bound by its name (general phrases, not the seed's rows only): pod/platform health,
running pods, pods not running, ArgoCD synced / healthy applications, ready certificates. Targets
read "80%", "85%+", "110+", "12/17", "<15", "<= 3", ">90%". The first live value seen in a session
is its baseline; the transcript records baseline and final values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cockpit.cluster.argocd import counts
from cockpit.cluster.certs import ready_counts
from cockpit.cluster.pods import totals
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.plan.model import Metric


class LiveFigure(StrEnum):
    POD_HEALTH = "pod-health"
    RUNNING_PODS = "running-pods"
    PODS_NOT_RUNNING = "pods-not-running"
    ARGO_SYNCED = "argocd-synced"
    ARGO_HEALTHY = "argocd-healthy"
    CERTS_READY = "certificates-ready"


BINDINGS: tuple[tuple[re.Pattern[str], LiveFigure], ...] = (
    (
        re.compile(r"\bnot (?:running|ready)\b|\bunhealthy pods\b|\bproblem pods\b|\bfailing pods\b"),
        LiveFigure.PODS_NOT_RUNNING,
    ),
    (re.compile(r"\b(?:pod|platform|cluster) health\b|\bhealthy pods\b"), LiveFigure.POD_HEALTH),
    (re.compile(r"\brunning pods\b|\bpods running\b"), LiveFigure.RUNNING_PODS),
    (
        re.compile(
            r"\b(?:argo ?cd|argo|apps?|applications?)\b.*\bsync(?:ed)?\b|\bsynced (?:apps|applications)\b"
        ),
        LiveFigure.ARGO_SYNCED,
    ),
    (
        re.compile(r"\b(?:argo ?cd|argo)\b.*\bhealth(?:y)?\b|\bhealthy (?:apps|applications)\b"),
        LiveFigure.ARGO_HEALTHY,
    ),
    (re.compile(r"\bcert(?:ificate)?s?\b.*\bready\b|\bready cert|\btls cert"), LiveFigure.CERTS_READY),
)


def bind(name: str) -> LiveFigure | None:
    """The live figure a metric's name asks for, or None when the cockpit cannot compute it."""
    low = " ".join(name.lower().split())
    for pattern, figure in BINDINGS:
        if pattern.search(low):
            return figure
    return None


@dataclass(frozen=True, slots=True)
class Target:
    op: str  # ">=", ">", "<", "<=", "=="
    value: float
    unit: str  # "%", "count", "ratio"
    denominator: int | None = None
    text: str = ""

    def met_by(self, value: float, denominator: int | None = None) -> bool:
        goal = self.value
        if self.unit == "ratio" and self.denominator and denominator and denominator != self.denominator:
            value, goal = 100.0 * value / denominator, 100.0 * goal / self.denominator
        return {
            ">=": value >= goal,
            ">": value > goal,
            "<": value < goal,
            "<=": value <= goal,
            "==": value == goal,
        }[self.op]


_TARGET = re.compile(
    r"^\s*(?P<op><=|>=|<|>|=|≤|≥)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?:(?P<pct>%)|/\s*(?P<den>\d+))?\s*(?P<plus>\+)?"
    r"\s*(?P<rest>.*)$"
)


def parse_target(text: str) -> Target | None:
    """'80%' -> >= 80 %, '110+' -> >= 110, '12/17' -> >= 12 of 17, '<15' -> < 15; None if not a figure."""
    m = _TARGET.match(text.replace("**", ""))
    if m is None or m["rest"].strip(" .()") not in (
        "",
        "pods",
        "apps",
        "applications",
        "or more",
        "or better",
    ):
        return None
    op = {"≤": "<=", "≥": ">=", "=": "==", None: ">="}.get(m["op"], m["op"])
    unit = "%" if m["pct"] else "ratio" if m["den"] else "count"
    return Target(op, float(m["num"]), unit, int(m["den"]) if m["den"] else None, text.strip())


@dataclass(frozen=True, slots=True)
class Figure:
    value: float
    text: str
    denominator: int | None = None


def compute(figure: LiveFigure, snap: ClusterSnapshot) -> Figure | None:
    """The live value of a figure, or None when the data it needs is not available."""
    if figure in (LiveFigure.POD_HEALTH, LiveFigure.RUNNING_PODS, LiveFigure.PODS_NOT_RUNNING):
        if snap.pods is None:
            return None
        t = totals(snap.pods)
        if figure is LiveFigure.POD_HEALTH:
            return Figure(round(t.health_percent, 1), t.health_text, t.total)
        if figure is LiveFigure.RUNNING_PODS:
            return Figure(t.running, str(t.running))
        return Figure(t.not_running, str(t.not_running))
    if figure in (LiveFigure.ARGO_SYNCED, LiveFigure.ARGO_HEALTHY):
        if snap.apps is None:
            return None
        c = counts(snap.apps)
        n = c.synced if figure is LiveFigure.ARGO_SYNCED else c.healthy
        return Figure(n, f"{n}/{c.total}", c.total)
    if snap.certs is None:
        return None
    ready, total = ready_counts(snap.certs)
    return Figure(ready, f"{ready}/{total}", total)


@dataclass(slots=True)
class MetricRow:
    metric: Metric
    figure: LiveFigure | None
    target: Target | None
    baseline: Figure | None = None
    current: Figure | None = None

    @property
    def met(self) -> bool | None:
        if self.current is None or self.target is None:
            return None
        return self.target.met_by(self.current.value, self.current.denominator)

    @property
    def note(self) -> str:
        """Why there is no live value, or ''."""
        if self.figure is None:
            return "not computable from the cluster"
        if self.target is None:
            return f"target '{self.metric.target}' is not a figure"
        if self.current is None:
            return "waiting for live data"
        return ""

    def record(self) -> dict[str, Any]:
        return {
            "name": self.metric.name,
            "plan_current": self.metric.current,
            "target": self.metric.target,
            "figure": self.figure.value if self.figure else None,
            "baseline": self.baseline.text if self.baseline else None,
            "current": self.current.text if self.current else None,
            "met": self.met,
        }


@dataclass(slots=True)
class MetricsBoard:
    """The metrics table of a session: bind once, update from snapshots, keep the first value."""

    rows: list[MetricRow] = field(default_factory=list)
    # the snapshot's rows the figures were last computed from (a hub hands back the same tuples
    # while nothing changed: the headline asks every second, and 10k pods are not counted again)
    _computed_from: tuple[object, object, object] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def for_plan(cls, metrics: list[Metric]) -> MetricsBoard:
        return cls([MetricRow(m, bind(m.name), parse_target(m.target)) for m in metrics])

    def update(self, snap: ClusterSnapshot) -> list[MetricRow]:
        data = (snap.pods, snap.apps, snap.certs)
        last = self._computed_from
        if last is not None and all(a is b for a, b in zip(data, last, strict=True)):
            return self.rows
        self._computed_from = data
        for row in self.rows:
            if row.figure is None:
                continue
            value = compute(row.figure, snap)
            if value is None:
                continue
            row.current = value
            if row.baseline is None:
                row.baseline = value
        return self.rows

    def record(self) -> list[dict[str, Any]]:
        """Start and end values for the transcript."""
        return [row.record() for row in self.rows]
