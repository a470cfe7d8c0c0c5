"""Everything the Platform pane shows at one moment, as plain immutable data.

Also what other parts read: `metric_value(name)` feeds the plan's success metrics with live
values, and `summary_lines()` is what the transcript records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cockpit.cluster.platform.grafana import GrafanaStatus
from cockpit.cluster.platform.promql import MetricReading, format_value
from cockpit.cluster.platform.scheduler import CheckState
from cockpit.cluster.platform.velero import BackupReport
from cockpit.kubeprint import human_duration

if TYPE_CHECKING:  # the Loki client (and the kube HTTP stack under it) loads only once Loki is configured
    from cockpit.cluster.loki import LokiStatus


@dataclass(frozen=True, slots=True)
class PlatformSnapshot:
    checks: tuple[CheckState, ...] = ()
    checks_at: datetime | None = None
    metrics: tuple[MetricReading, ...] = ()
    metrics_source: str = ""
    metrics_note: str = ""  # why there are no metrics (no API configured or found)
    metrics_at: datetime | None = None
    grafana: GrafanaStatus | None = None
    loki: LokiStatus | None = None
    endpoints_at: datetime | None = None
    backups: BackupReport | None = None
    backups_note: str = ""  # the Velero watch's trouble (CRD absent, forbidden, reconnecting)
    backups_at: datetime | None = None
    bindings: Mapping[str, str] = field(default_factory=dict)  # plan metric name -> query
    problems: tuple[str, ...] = ()  # configuration mistakes, one sentence each

    def reading(self, query: str) -> MetricReading | None:
        for r in self.metrics:
            if r.query == query:
                return r
        return None

    def metric_value(self, name: str) -> float | None:
        """The live value of a plan success metric bound to a query (None: unbound or no data)."""
        query = self.bindings.get(name)
        reading = self.reading(query) if query else None
        return reading.value if reading else None

    def plan_metric_values(self) -> dict[str, float]:
        values = {name: self.metric_value(name) for name in self.bindings}
        return {k: v for k, v in values.items() if v is not None}

    @property
    def failing_checks(self) -> list[CheckState]:
        return [s for s in self.checks if s.result.checked and not s.result.healthy]

    @property
    def checked_checks(self) -> list[CheckState]:
        """The checks that ran (a rehearsal does not run those the sandbox cannot answer)."""
        return [s for s in self.checks if s.result.checked]

    @property
    def complete(self) -> bool:
        """Every configured part has answered at least once (what a baseline needs)."""
        return self.checks_at is not None or self.metrics_at is not None or self.endpoints_at is not None

    def record(self) -> dict[str, str | float | None]:
        """Flat name -> value pairs for the session's metrics (baseline and end in the transcript)."""
        out: dict[str, str | float | None] = {}
        if self.checks:
            checked = self.checked_checks
            ok = sum(1 for s in checked if s.result.healthy)
            if checked:
                out["Service checks healthy"] = f"{ok}/{len(checked)}"
            failing = [s.check.label for s in self.failing_checks]
            if failing:
                out["Service checks failing"] = ", ".join(failing)
            if len(checked) < len(self.checks):
                out["Service checks not checked in a rehearsal"] = str(len(self.checks) - len(checked))
        for r in self.metrics:
            out[f"PromQL {r.query}"] = r.text  # as the pane shows it: "104", not 104.0
        for name, value in self.plan_metric_values().items():
            out[f"{name} (PromQL)"] = format_value(value)
        if self.grafana is not None:
            out["Grafana"] = "ok" if self.grafana.healthy else self.grafana.reason
        if self.loki is not None:
            out["Loki"] = "ok" if self.loki.healthy else self.loki.reason
        if self.backups is not None:
            failing_b = [b.name for b in self.backups.failing]
            out["Velero backups failing"] = ", ".join(failing_b) if failing_b else "none"
        return out

    def summary_lines(self, now: datetime | None = None) -> list[str]:
        """Plain-text lines for the session transcript."""
        now = now or datetime.now(UTC)
        out: list[str] = []
        if self.checks:
            checked = self.checked_checks
            ok = sum(1 for s in checked if s.result.healthy)
            skipped = len(self.checks) - len(checked)
            note = f", {skipped} not checked in a rehearsal" if skipped else ""
            out.append(f"Service checks: {ok}/{len(checked)} healthy{note}")
            for s in self.checks:
                mark = "ok  " if s.result.healthy else "FAIL" if s.result.checked else "----"
                since = human_duration(s.unchanged_for(now))
                out.append(f"  {mark} {s.check.label}: {s.result.reason} (for {since})")
        for r in self.metrics:
            out.append(f"PromQL {r.query} = {r.text}")
        for name, value in self.plan_metric_values().items():
            out.append(f"Metric {name}: {format_value(value)} (live, {self.bindings[name]})")
        if self.grafana is not None:
            out.append(f"Grafana: {self.grafana.reason}")
        if self.loki is not None:
            out.append(f"Loki: {self.loki.reason}")
        if self.backups is not None:
            for label, backup, schedule in self.backups.rows:
                text = backup.reason if backup else f"{label}: no backup yet"
                if schedule is not None and backup is None:
                    text = f"Schedule {schedule.name} ({schedule.cron}) has not produced a backup yet."
                out.append(f"Velero {label}: {text}")
        if self.backups_note:
            out.append(f"Velero: {self.backups_note}")
        out.extend(f"Problem: {p}" for p in self.problems)
        return out
