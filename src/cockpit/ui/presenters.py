"""What the screen shows, computed from the session: plain functions, no widgets, easy to test."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from cockpit.cluster.health import Freshness
from cockpit.kubeprint import human_duration
from cockpit.plan.model import Command, Node, NodeKind
from cockpit.runner import classify_template
from cockpit.session.engine import Session
from cockpit.session.state import TaskState
from cockpit.session.target import KubeTarget
from cockpit.ui.rows import RowState
from cockpit.ui.widgets.status_bar import StatusInfo


def row_state(session: Session, node: Node) -> RowState:
    """A task's own state; a phase or section is active/done from its tasks, timed as their sum."""
    if node.kind is NodeKind.TASK:
        status = session.state_of(node.id).value
    else:
        tasks = [n for n in node.walk() if n.kind is NodeKind.TASK]
        states = {session.state_of(t.id) for t in tasks}
        status = "done" if tasks and states <= {TaskState.DONE, TaskState.SKIPPED} else "todo"
        if TaskState.ACTIVE in states:
            status = "active"
        elif TaskState.PAUSED in states and status != "done":
            status = "paused"
    return RowState(status=status, elapsed=session.elapsed(node.id), timebox=node.timebox)


def command_tags(command: Command, read_only: bool) -> str:
    """`changes cluster, terminal`: what the operator should know before pressing enter."""
    tags = []
    safety = classify_template(command.cmd)  # placeholders are filled (and classified again) at run
    if safety.changes_cluster:
        tags.append("read-only: refused" if read_only else "changes cluster")
    if safety.needs_terminal:
        tags.append("terminal")
    if command.background:
        tags.append("background")
    if command.watch:
        tags.append(f"watch {command.watch_interval:g}s")
    return ", ".join(tags)


def group_label(title: str) -> str:
    """`Phase 1` for "Phase 1: Unblock External Access", else the title cut short."""
    head = title.split(":", 1)[0].strip() if ":" in title else title.strip()
    return head if len(head) <= 24 else head[:23] + "…"


def group_remaining(session: Session, group: str) -> tuple[float, float]:
    """Seconds (min, max) still needed for the group: its tasks' boxes, or its own box less the time
    spent when its tasks carry none (the seed's Phase 2 is boxed only as a whole)."""
    lo, hi = session.remaining(group)
    if hi > 0 or session.outline.timed_units(group):
        return lo, hi
    box = session.estimate(group)
    if box is None:
        return 0.0, 0.0
    spent = session.elapsed(group)
    return max(0.0, box[0] * 60 - spent), max(0.0, box[1] * 60 - spent)


def projected_finish(session: Session) -> tuple[str | None, str | None]:
    """When the phase at hand should be done: ("Phase 1", "05:40–05:55"); ("Phase 1", None) when
    it is over its estimate; (None, None) when there is nothing to forecast.

    The phase at hand is the one being worked on (`session.focus()`); once it is finished, or
    before any task was touched, the phase of the next open task, so the operator always sees the
    figure for the work in front of them. Not the whole plan: a plan like the seed holds several
    alternative sessions, whose sum (~13 hours) means nothing."""
    group = session.focus()
    if group is None or not _open_under(session, group):
        nxt = session.next_open_task()
        group = session.group_of(nxt.id) if nxt is not None else None
    if group is None or session.estimate(group) is None:
        return None, None
    node = session.plan.find(group)
    label = group_label(node.title if node is not None else group)
    lo, hi = group_remaining(session, group)
    if hi <= 0:
        return label, None
    wall = session.clock.wall()
    early = datetime.fromtimestamp(wall + lo).astimezone().strftime("%H:%M")
    late = datetime.fromtimestamp(wall + hi).astimezone().strftime("%H:%M")
    return label, early + (f"–{late}" if late != early else "")


def _open_under(session: Session, group: str) -> bool:
    node = session.plan.find(group)
    if node is None:
        return False
    return any(n.kind is NodeKind.TASK and session.state_of(n.id).is_open for n in node.walk())


def connection_banner(hub: Any, now: float | None = None) -> str | None:
    """`DISCONNECTED 1m5s` when the cluster's watches are down, `STALE 20s` when they are silent:
    the age is the time since data last arrived at the freshest of them (`never connected` when
    none had any). None when live, still loading, or without a cluster at all (the status line
    names that). A kind that is denied or not installed (no ArgoCD) does not count."""
    if hub is None or getattr(hub, "api", None) is None:
        return None
    informers = [getter() for getter in (hub.pods, hub.apps, hub.certs)]
    healths = [i.health for i in informers if i is not None]
    counted = [h for h in healths if h.freshness is not Freshness.UNAVAILABLE]
    if not counted:
        return None
    worst = max(counted, key=lambda h: h.freshness.rank).freshness
    if worst not in (Freshness.DISCONNECTED, Freshness.STALE):
        return None
    times = [h.last_good for h in counted if h.last_good is not None]
    if not times:
        return f"{worst.value.upper()}: never connected"
    return f"{worst.value.upper()} {human_duration(max(0.0, (now or time.time()) - max(times)))}"


def status_info(
    session: Session, target: KubeTarget, running: int, hub: Any = None, zoomed: bool = False
) -> StatusInfo:
    active = session.active_task
    group, at = projected_finish(session)
    box_minutes = active.timebox.max_minutes if active is not None and active.timebox is not None else None
    return StatusInfo(
        session_seconds=session.now(),
        paused=session.paused,
        active_title=active.title if active is not None else None,
        active_seconds=session.elapsed(active.id) if active is not None else 0.0,
        active_box_minutes=box_minutes,
        finish_group=group,
        finish_at=at,
        context=target.context,
        namespace=target.namespace,
        sandbox=target.sandbox,
        read_only=target.read_only,
        running=running,
        disconnected=connection_banner(hub),
        zoomed=zoomed,
    )
