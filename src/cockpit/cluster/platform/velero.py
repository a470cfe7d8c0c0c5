"""Velero backups and schedules (velero.io/v1) reduced to what the Platform pane shows.

`summarize_backup` / `summarize_schedule` turn raw JSON objects into small frozen rows (usable as
an informer's `summarize`, so one shared watch per kind feeds every pane); `backup_report` puts
them together: the last backup of each schedule, manual backups (such as the plan's
`velero backup create manual-test-...`), phases, errors and warnings, age and progress.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cockpit.cluster.kubeapi import ResourceKind
from cockpit.cluster.pods import parse_datetime

BACKUPS = ResourceKind("velero.io", "v1", "backups", "Backup")
SCHEDULES = ResourceKind("velero.io", "v1", "schedules", "Schedule")
SCHEDULE_LABEL = "velero.io/schedule-name"

DONE_OK = {"Completed"}
DONE_BAD = {"Failed", "PartiallyFailed", "FailedValidation"}
RUNNING = {"New", "InProgress", "WaitingForPluginOperations", "WaitingForPluginOperationsPartiallyFailed",
           "Finalizing", "FinalizingPartiallyFailed"}  # fmt: skip


def _int(raw: Any) -> int:
    try:
        return int(raw or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class BackupSummary:
    namespace: str
    name: str
    phase: str
    schedule: str | None
    created: datetime | None
    started: datetime | None
    completed: datetime | None
    expires: datetime | None
    errors: int
    warnings: int
    items_done: int
    items_total: int
    failure_reason: str
    included_namespaces: tuple[str, ...]
    validation_errors: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.phase in DONE_OK or self.phase in DONE_BAD

    @property
    def ok(self) -> bool:
        return self.phase in DONE_OK and self.errors == 0

    @property
    def progress(self) -> str:
        """ "120/340 items" while running (or when known), "" when Velero has not said."""
        if self.items_total:
            return f"{self.items_done}/{self.items_total} items"
        return ""

    def age_seconds(self, now: datetime | None = None) -> float | None:
        ref = self.created or self.started
        return None if ref is None else ((now or datetime.now(UTC)) - ref).total_seconds()

    @property
    def reason(self) -> str:
        """One sentence for the operator."""
        if self.phase in DONE_OK:
            tail = f" with {self.warnings} warning(s)" if self.warnings else ""
            return f"Backup {self.name} completed{tail}."
        if self.phase == "FailedValidation":
            why = "; ".join(self.validation_errors) or "no reason given"
            return f"Backup {self.name} failed validation: {why}."
        if self.phase in DONE_BAD:
            why = self.failure_reason or (f"{self.errors} error(s)" if self.errors else "no reason given")
            word = "partially failed" if self.phase == "PartiallyFailed" else "failed"
            return f"Backup {self.name} {word}: {why.rstrip('.')}."
        if self.phase in RUNNING:
            prog = f" ({self.progress})" if self.progress else ""
            return f"Backup {self.name} is {self.phase or 'New'}{prog}."
        return f"Backup {self.name} is in phase {self.phase or 'unknown'}."


def summarize_backup(obj: Mapping[str, Any]) -> BackupSummary:
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    progress = status.get("progress") or {}
    labels = meta.get("labels") or {}
    return BackupSummary(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        phase=str(status.get("phase") or "New"),
        schedule=labels.get(SCHEDULE_LABEL) or None,
        created=parse_datetime(meta.get("creationTimestamp")),
        started=parse_datetime(status.get("startTimestamp")),
        completed=parse_datetime(status.get("completionTimestamp")),
        expires=parse_datetime(status.get("expiration")),
        errors=_int(status.get("errors")),
        warnings=_int(status.get("warnings")),
        items_done=_int(progress.get("itemsBackedUp")),
        items_total=_int(progress.get("totalItems")),
        failure_reason=str(status.get("failureReason") or ""),
        included_namespaces=tuple(str(n) for n in spec.get("includedNamespaces") or []),
        validation_errors=tuple(str(e) for e in status.get("validationErrors") or []),
    )


@dataclass(frozen=True, slots=True)
class ScheduleSummary:
    namespace: str
    name: str
    cron: str
    phase: str
    paused: bool
    last_backup: datetime | None
    validation_errors: tuple[str, ...] = ()


def summarize_schedule(obj: Mapping[str, Any]) -> ScheduleSummary:
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    return ScheduleSummary(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        cron=str(spec.get("schedule", "")),
        phase=str(status.get("phase") or "New"),
        paused=bool(spec.get("paused", False)),
        last_backup=parse_datetime(status.get("lastBackup")),
        validation_errors=tuple(str(e) for e in status.get("validationErrors") or []),
    )


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """A schedule, its newest backup, and the failures among its recent backups (newest first)."""

    schedule: ScheduleSummary
    last: BackupSummary | None
    recent_failures: tuple[BackupSummary, ...] = ()
    recent_count: int = 0

    @property
    def healthy(self) -> bool:
        return self.schedule.phase == "Enabled" and self.last is not None and self.last.ok

    @property
    def reason(self) -> str:
        s = self.schedule
        if s.phase == "FailedValidation":
            return (
                f"Schedule {s.name} failed validation: {'; '.join(s.validation_errors) or 'no reason given'}."
            )
        if s.paused:
            return f"Schedule {s.name} is paused."
        if self.last is None:
            return f"Schedule {s.name} ({s.cron}) has not produced a backup yet."
        return self.last.reason


BackupRow = tuple[str, "BackupSummary | None", "ScheduleSummary | None"]


@dataclass(frozen=True, slots=True)
class BackupReport:
    schedules: list[ScheduleStatus] = field(default_factory=list)
    manual: list[BackupSummary] = field(default_factory=list)  # newest first

    @property
    def failing(self) -> list[BackupSummary]:
        """Backups whose failure is the current state: a schedule's newest, or a recent manual one."""
        out = [st.last for st in self.schedules if st.last is not None and st.last.phase in DONE_BAD]
        out.extend(b for b in self.manual if b.phase in DONE_BAD)
        return out

    @property
    def recent_failures(self) -> list[BackupSummary]:
        """Every failed backup among each schedule's recent ones and the manual ones."""
        out = [b for st in self.schedules for b in st.recent_failures]
        out.extend(b for b in self.manual if b.phase in DONE_BAD)
        return out

    @property
    def rows(self) -> list[BackupRow]:
        """(label, backup, schedule) for a table: each schedule's newest backup and, under it, its
        recent failures; then the manual backups (e.g. the plan's `velero backup create ...`)."""
        out: list[BackupRow] = []
        for st in self.schedules:
            out.append((f"schedule/{st.schedule.name}", st.last, st.schedule))
            out.extend((f"  ↳ {b.name}", b, None) for b in st.recent_failures if b is not st.last)
        out.extend((f"backup/{b.name}", b, None) for b in self.manual)
        return out


def _newest(b: BackupSummary) -> datetime:
    return b.created or b.started or datetime.min.replace(tzinfo=UTC)


def backup_report(
    backups: Iterable[BackupSummary],
    schedules: Iterable[ScheduleSummary],
    manual_limit: int = 5,
    recent: int = 5,
) -> BackupReport:
    """Newest backup and recent failures per schedule, and the newest manual backups."""
    by_schedule: dict[str, list[BackupSummary]] = {}
    manual: list[BackupSummary] = []
    for b in backups:
        if b.schedule:
            by_schedule.setdefault(b.schedule, []).append(b)
        else:
            manual.append(b)
    statuses = []
    for s in sorted(schedules, key=lambda s: (s.namespace, s.name)):
        mine = sorted(by_schedule.get(s.name, []), key=_newest, reverse=True)[:recent]
        failures = tuple(b for b in mine if b.phase in DONE_BAD)
        statuses.append(ScheduleStatus(s, mine[0] if mine else None, failures, len(mine)))
    manual.sort(key=_newest, reverse=True)
    return BackupReport(statuses, manual[:manual_limit])
