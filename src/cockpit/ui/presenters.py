"""What the screen shows, computed from the session: plain functions, no widgets, easy to test."""

from __future__ import annotations

from cockpit.plan.model import Command, Node, NodeKind
from cockpit.runner import classify
from cockpit.session.engine import Session
from cockpit.session.state import TaskState
from cockpit.ui.rows import RowState
from cockpit.ui.run_control import KubeTarget
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
    return RowState(status=status, elapsed=session.elapsed(node.id), timebox=node.timebox)


def command_tags(command: Command, read_only: bool) -> str:
    """`changes cluster, terminal`: what the operator should know before pressing enter."""
    tags = []
    safety = classify(command.cmd)
    if safety.changes_cluster:
        tags.append("read-only: refused" if read_only else "changes cluster")
    if safety.needs_terminal:
        tags.append("terminal")
    if command.background:
        tags.append("background")
    if command.watch:
        tags.append(f"watch {command.watch_interval:g}s")
    return ", ".join(tags)


def status_info(session: Session, target: KubeTarget, running: int) -> StatusInfo:
    active = session.active_task
    finish: str | None = None
    if session.remaining()[1] > 0:
        early, late = session.projected_finish()
        finish = early.strftime("%H:%M")
        if late.strftime("%H:%M") != finish:
            finish += "–" + late.strftime("%H:%M")
    box_minutes = active.timebox.max_minutes if active is not None and active.timebox is not None else None
    return StatusInfo(
        session_seconds=session.now(),
        paused=session.paused,
        active_title=active.title if active is not None else None,
        active_seconds=session.elapsed(active.id) if active is not None else 0.0,
        active_box_minutes=box_minutes,
        projected_finish=finish,
        context=target.context,
        namespace=target.namespace,
        sandbox=target.sandbox,
        read_only=target.read_only,
        running=running,
    )
