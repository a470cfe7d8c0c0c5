"""Velero: Schedules that make Backups on their cron, and Backups that progress
New -> InProgress -> Completed (or the scenario's `velero.new_backup_phase`)."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import BACKUPS, NAMESPACES, RESOURCES, SCHEDULES
from cockpit.sandbox.world.cron import Cron
from cockpit.sandbox.world.names import parse_duration, rfc3339

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
NAMESPACE = "velero"
BACKUP_SECONDS = 8.0


def _ttl_text(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes}m{secs}s"


def _stamp_name(at: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(at))


class Velero:
    def __init__(self, world: World) -> None:
        self.world = world
        self._seen: set[str] = set()
        self.outcome = "Completed"

    def populate(self, now: float) -> None:
        velero = self.world.scenario.raw.sub("velero")
        self.outcome = velero.opt("new_backup_phase", str, "Completed") or "Completed"
        if not self.world.store.exists(NAMESPACES, None, NAMESPACE):
            return
        schedules: dict[str, Obj] = {}
        for f in velero.items("schedules", "velero schedule"):
            name = f.req("name", str)
            cron = Cron(f.req("schedule", str))
            ttl = f.duration("ttl", 720 * 3600.0)
            obj: dict[str, Any] = {
                "apiVersion": "velero.io/v1",
                "kind": "Schedule",
                "metadata": {
                    "name": name,
                    "namespace": NAMESPACE,
                    "creationTimestamp": rfc3339(now - f.duration("age", 30 * 86400.0)),
                },
                "spec": {
                    "schedule": f.req("schedule", str),
                    "useOwnerReferencesInBackup": False,
                    "template": {
                        "includedNamespaces": f.strings("include") or ["*"],
                        "ttl": _ttl_text(ttl),
                        "storageLocation": "default",
                        "defaultVolumesToFsBackup": True,
                        "snapshotMoveData": False,
                    },
                },
                "status": {
                    "phase": "Enabled",
                    "lastBackup": rfc3339(cron.previous_before(now)),
                    "validationErrors": None,
                },
            }
            obj["status"].pop("validationErrors")
            schedules[name] = self.world.store.create(SCHEDULES, obj)
            self.world.at(cron.next_after(now), self._fire, name)
        for f in velero.items("backups", "velero backup"):
            schedule = schedules[f.req("schedule", str)]
            cron = Cron(schedule["spec"]["schedule"])
            started = cron.previous_before(now - f.duration("age"))
            phase = f.opt("phase", str, "Completed") or "Completed"
            items = f.opt("items", int, 0) or 0
            backup = self._backup(
                f"{schedule['metadata']['name']}-{_stamp_name(started)}",
                schedule["spec"]["template"],
                started,
                schedule["metadata"]["name"],
            )
            status = backup["status"]
            status.update(
                {
                    "phase": phase,
                    "startTimestamp": rfc3339(started),
                    "version": 1,
                    "formatVersion": "1.1.0",
                    "expiration": rfc3339(started + parse_duration(schedule["spec"]["template"]["ttl"])),
                    "progress": {"totalItems": items, "itemsBackedUp": items},
                }
            )
            if phase != "InProgress":
                status["completionTimestamp"] = rfc3339(started + 60 + items / 40)
            if f.has("errors"):
                status["errors"] = f.opt("errors", int, 0)
            if f.has("warnings"):
                status["warnings"] = f.opt("warnings", int, 0)
            if phase == "Failed":
                status["failureReason"] = f.opt("failure", str, "") or "backup failed"
                status["progress"] = {}
            created = self.world.store.create(BACKUPS, backup)
            self._seen.add(created["metadata"]["uid"])

    def _backup(self, name: str, template: Obj, at: float, schedule: str | None) -> Obj:
        labels = {"velero.io/storage-location": "default"}
        if schedule:
            labels["velero.io/schedule-name"] = schedule
        return {
            "apiVersion": "velero.io/v1",
            "kind": "Backup",
            "metadata": {
                "name": name,
                "namespace": NAMESPACE,
                "labels": labels,
                "creationTimestamp": rfc3339(at),
            },
            "spec": dict(template),
            "status": {},
        }

    def _fire(self, schedule_name: str) -> None:
        store = self.world.store
        entry = store.entry(SCHEDULES, NAMESPACE, schedule_name)
        if entry is None:
            return
        schedule = entry.obj
        now = self.world.now()
        cron = Cron(schedule["spec"]["schedule"])
        self.world.at(cron.next_after(now), self._fire, schedule_name)
        if schedule["spec"].get("paused"):
            return
        name = f"{schedule_name}-{_stamp_name(now)}"
        try:
            store.create(BACKUPS, self._backup(name, schedule["spec"]["template"], now, schedule_name))
        except errors.ApiError:
            return
        store.mutate(
            SCHEDULES,
            NAMESPACE,
            schedule_name,
            lambda s: s.setdefault("status", {}).update({"lastBackup": rfc3339(now)}),
        )

    def on_change(self, backup: Obj) -> None:
        uid = backup["metadata"]["uid"]
        if uid in self._seen or (backup.get("status") or {}).get("phase") not in (None, "", "New"):
            return
        self._seen.add(uid)
        ns, name = backup["metadata"]["namespace"], backup["metadata"]["name"]
        self.world.after(0.3, self._phase, ns, name, uid, "New")
        self.world.after(1.0, self._phase, ns, name, uid, "InProgress")
        self.world.after(BACKUP_SECONDS, self._phase, ns, name, uid, self.outcome)

    def _items(self, backup: Obj) -> int:
        included = (backup.get("spec") or {}).get("includedNamespaces") or ["*"]
        total = 0
        for rt in RESOURCES:
            if not rt.namespaced:
                continue
            for ns in self.world.store.namespaces_of(rt):
                if "*" in included or ns in included:
                    total += self.world.store.count(rt, ns)
        return total

    def _phase(self, ns: str, name: str, uid: str, phase: str) -> None:
        store = self.world.store
        entry = store.entry(BACKUPS, ns, name)
        if entry is None or entry.obj["metadata"]["uid"] != uid:
            return
        now = self.world.now()
        total = self._items(entry.obj)

        def change(b: Obj) -> None:
            status = b.setdefault("status", {})
            status["phase"] = phase
            if phase == "New":
                return
            status.setdefault("startTimestamp", rfc3339(now))
            status.setdefault("version", 1)
            status.setdefault("formatVersion", "1.1.0")
            ttl = (b.get("spec") or {}).get("ttl") or "720h0m0s"
            status.setdefault("expiration", rfc3339(now + parse_duration(ttl)))
            if phase == "InProgress":
                status["progress"] = {"totalItems": total, "itemsBackedUp": total // 3}
                return
            status["completionTimestamp"] = rfc3339(now)
            status["progress"] = {
                "totalItems": total,
                "itemsBackedUp": total if phase != "Failed" else total // 3,
            }
            if phase == "PartiallyFailed":
                status["errors"] = 2
                status["warnings"] = 4
            elif phase == "Failed":
                status["failureReason"] = (
                    "error getting backup store: rpc error: code = Unknown desc = "
                    "AccessDenied: Access Denied status code: 403"
                )

        with contextlib.suppress(errors.ApiError):
            store.mutate(BACKUPS, ns, name, change)
