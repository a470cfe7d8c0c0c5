"""The selected task's live check: is what its success criteria state true right now?

`cockpit.cluster.checks` recognises the checks a task states and evaluates them against a cluster
snapshot and the session's command results. This module keeps them per task and says, in one
line for the task view, whether the task can be ticked. It never ticks: the operator does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cockpit.cluster.checks import LiveCheck, checks_for_task, evaluate
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.plan.model import Node
from cockpit.session.engine import Session


@dataclass(frozen=True, slots=True)
class CheckLine:
    """What the task view shows: `passed` True (all checks true), False (one is false) or None
    (cannot tell yet); `detail` names the checks and their results."""

    passed: bool | None
    detail: str


def command_results(session: Session) -> dict[str, int]:
    """The last exit code of every command the session finished, by command text (runs() is in
    start order, so the latest run of a command wins)."""
    return {r.cmd: r.exit_code for r in session.runs() if r.finished and r.exit_code is not None}


class TaskChecks:
    """Checks per task, recognised once; evaluated on demand against the hub's snapshot."""

    def __init__(self, hub: Any = None) -> None:
        self.hub = hub
        self._checks: dict[str, list[LiveCheck]] = {}

    def checks_of(self, node: Node) -> list[LiveCheck]:
        if node.id not in self._checks:
            self._checks[node.id] = checks_for_task(node)
        return self._checks[node.id]

    def snapshot(self) -> ClusterSnapshot:
        snap = getattr(self.hub, "snapshot", None)
        return snap() if callable(snap) else ClusterSnapshot()

    def line_for(self, node: Node, session: Session) -> CheckLine | None:
        """None when the task states no check the cockpit can evaluate (then the session's runs
        are not gathered: this is asked every second)."""
        checks = self.checks_of(node)
        if not checks:
            return None
        results = command_results(session)
        snap = self.snapshot()
        outcomes = [(check, evaluate(check, snap, results)) for check in checks]
        verdicts = [result.ok for _, result in outcomes]
        passed: bool | None = (
            True if all(v is True for v in verdicts) else False if False in verdicts else None
        )
        detail = "; ".join(f"{check.description}: {result.detail}" for check, result in outcomes)
        return CheckLine(passed, detail)
