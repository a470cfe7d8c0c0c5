"""Velero Backup/Schedule objects (velero.io/v1 JSON) reduced to the rows the Platform pane shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.cluster.platform.velero import backup_report, summarize_backup, summarize_schedule

NOW = datetime(2025, 10, 24, 12, 0, tzinfo=UTC)


def _ts(ago: timedelta) -> str:
    return (NOW - ago).strftime("%Y-%m-%dT%H:%M:%SZ")


def backup(name: str, ago: timedelta, phase: str | None, schedule: str | None = None, **status: Any) -> dict:
    labels = {"velero.io/schedule-name": schedule} if schedule else {}
    obj: dict[str, Any] = {
        "apiVersion": "velero.io/v1",
        "kind": "Backup",
        "metadata": {"namespace": "velero", "name": name, "creationTimestamp": _ts(ago), "labels": labels},
        "spec": {"includedNamespaces": ["data-platform"], "ttl": "720h0m0s"},
        "status": {"startTimestamp": _ts(ago), **status},
    }
    if phase:
        obj["status"]["phase"] = phase
    return obj


def schedule(name: str, cron: str, last: timedelta | None, phase: str = "Enabled") -> dict:
    status: dict[str, Any] = {"phase": phase}
    if last is not None:
        status["lastBackup"] = _ts(last)
    return {
        "apiVersion": "velero.io/v1",
        "kind": "Schedule",
        "metadata": {"namespace": "velero", "name": name},
        "spec": {"schedule": cron, "template": {"includedNamespaces": ["*"]}},
        "status": status,
    }


def test_last_backup_per_schedule_and_recent_failure() -> None:
    h = timedelta(hours=1)
    backups = [
        backup(
            "hourly-20251024110000",
            1 * h,
            "Completed",
            "hourly",
            progress={"totalItems": 611, "itemsBackedUp": 611},
        ),
        backup(
            "hourly-20251024100000", 2 * h, "Failed", "hourly", failureReason="connect: connection refused"
        ),
        backup("daily-20251024020000", 10 * h, "PartiallyFailed", "daily", errors=3, warnings=7),
    ]
    schedules = [schedule("hourly", "0 * * * *", 1 * h), schedule("daily", "0 2 * * *", 10 * h)]
    report = backup_report(map(summarize_backup, backups), map(summarize_schedule, schedules))
    labels = [label for label, _, _ in report.rows]
    assert labels == ["schedule/daily", "schedule/hourly", "  ↳ hourly-20251024100000"]
    daily = report.schedules[0]
    assert daily.last is not None and not daily.healthy
    assert daily.reason == "Backup daily-20251024020000 partially failed: 3 error(s)."
    hourly = report.schedules[1]
    assert hourly.healthy and hourly.last is not None and hourly.last.progress == "611/611 items"
    assert hourly.last.age_seconds(NOW) == 3600
    assert [b.name for b in report.failing] == ["daily-20251024020000"]
    assert [b.reason for b in report.recent_failures] == [
        "Backup daily-20251024020000 partially failed: 3 error(s).",
        "Backup hourly-20251024100000 failed: connect: connection refused.",
    ]


def test_manual_test_backup_progresses_to_completed() -> None:
    """The seed's "Test Backup": `velero backup create manual-test-...` seen at three moments."""
    name = "manual-test-1761307200"
    new = summarize_backup(backup(name, timedelta(seconds=5), None))
    running = summarize_backup(
        backup(name, timedelta(seconds=20), "InProgress", progress={"totalItems": 400, "itemsBackedUp": 120})
    )
    done = summarize_backup(
        backup(name, timedelta(seconds=60), "Completed", warnings=1, completionTimestamp=_ts(timedelta(0)))
    )
    assert new.phase == "New" and new.reason == f"Backup {name} is New."
    assert running.reason == f"Backup {name} is InProgress (120/400 items)." and not running.finished
    assert done.ok and done.finished and done.reason == f"Backup {name} completed with 1 warning(s)."
    report = backup_report([done], [])
    assert report.rows == [(f"backup/{name}", done, None)]


def test_failed_validation_and_schedule_without_backups() -> None:
    bad = summarize_backup(
        backup(
            "manual-x",
            timedelta(minutes=1),
            "FailedValidation",
            validationErrors=[
                "an existing backup storage location wasn't specified at backup creation time "
                "and the default 'default' wasn't found"
            ],
        )
    )
    assert bad.finished and not bad.ok
    assert bad.reason.startswith("Backup manual-x failed validation: an existing backup storage location")
    report = backup_report([bad], [summarize_schedule(schedule("weekly", "0 3 * * 0", None))])
    assert report.schedules[0].reason == "Schedule weekly (0 3 * * 0) has not produced a backup yet."
    assert report.failing == [bad]
