"""An object as the operator reads it: its YAML (like `kubectl get -o yaml`, without
managedFields) and a short description (like `kubectl describe`: identity, status conditions,
recent events). Pure functions of the object's JSON."""

from __future__ import annotations

import time
from typing import Any

import yaml

from cockpit.kubeprint import human_duration


def object_yaml(obj: dict[str, Any]) -> str:
    shown = dict(obj)
    meta = dict(shown.get("metadata") or {})
    meta.pop("managedFields", None)
    shown["metadata"] = meta
    return yaml.safe_dump(shown, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)


def describe_text(obj: dict[str, Any], events: list[Any], now: float | None = None) -> str:
    """Name, namespace, labels, owner, status (phase and conditions), then the events, oldest first."""
    now = now or time.time()
    meta = obj.get("metadata") or {}
    status = obj.get("status") or {}
    lines = [
        f"Name:         {meta.get('name', '?')}",
        f"Namespace:    {meta.get('namespace', '-')}",
        f"Kind:         {obj.get('kind', '?')} ({obj.get('apiVersion', '?')})",
        f"Created:      {meta.get('creationTimestamp', '?')}",
    ]
    labels = meta.get("labels") or {}
    lines.append("Labels:       " + (", ".join(f"{k}={v}" for k, v in labels.items()) or "<none>"))
    owners = meta.get("ownerReferences") or []
    if owners:
        lines.append("Controlled By: " + ", ".join(f"{o.get('kind')}/{o.get('name')}" for o in owners))
    for key in ("phase", "reason", "message", "podIP", "hostIP"):
        if status.get(key):
            lines.append(f"{key[0].upper() + key[1:] + ':':<14}{status[key]}")
    spec = obj.get("spec") or {}
    if spec.get("nodeName"):
        lines.append(f"Node:         {spec['nodeName']}")
    conditions = status.get("conditions") or []
    if conditions:
        lines.append("Conditions:")
        for c in conditions:
            why = " ".join(str(x) for x in (c.get("reason"), c.get("message")) if x)
            lines.append(f"  {c.get('type', '?'):<22} {c.get('status', '?'):<6} {why}")
    containers = status.get("containerStatuses") or []
    if containers:
        lines.append("Containers:")
        for c in containers:
            state = next(iter((c.get("state") or {}).keys()), "?")
            detail = (c.get("state") or {}).get(state) or {}
            why = detail.get("reason") or ""
            counts = f"ready={c.get('ready')} restarts={c.get('restartCount', 0)}"
            lines.append(f"  {c.get('name', '?')}: {state} {why}  {counts}")
            last = (c.get("lastState") or {}).get("terminated")
            if last:
                lines.append(
                    f"    last terminated: {last.get('reason', '?')} exit {last.get('exitCode', '?')}"
                    f" at {last.get('finishedAt', '?')}"
                )
    lines.append("Events:")
    if not events:
        lines.append("  <none> (events expire after an hour)")
    for ev in events[-30:]:
        age = human_duration(now - ev.last_seen) if ev.last_seen else "?"
        count = f" (x{ev.count})" if ev.count > 1 else ""
        lines.append(f"  {age:>6} {ev.type:<8} {ev.reason:<20} {ev.message}{count}")
    return "\n".join(lines) + "\n"
