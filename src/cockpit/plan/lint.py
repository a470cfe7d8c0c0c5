"""`cockpit plan check`: what in a plan will hurt during the session.

Errors (exit 1): a plan with no tasks, a time box whose minimum exceeds its maximum, a `verify`
command that changes the cluster. Warnings: tasks without a time box, children whose boxes add up
to more than their parent's, commands that change the cluster (delete, scale, patch, annotate
--overwrite, apply, ...) with no read-only check (`kubectl get`, `describe`, `logs`, `curl`, ...)
before them in the same task or phase, and what the loader had to repair or could not read.
Whether a command changes the cluster is decided by a classifier the caller hands in (the
runner's `cockpit.runner.classify`; plan sits below runner and never imports it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from cockpit.plan.model import Command, Node, NodeKind, Plan
from cockpit.plan.timebox import format_minutes
from cockpit.shell import CLUSTER, NETWORK, first_program, kind_of

Severity = Literal["error", "warning"]

# Programs that look at the cluster or its services: a read-only call of one counts as a check
# (the cluster and network tools of the program table, and a few local probes).
_PROBES = frozenset({"dig", "nslookup", "host", "ping", "docker"})


class Classified(Protocol):
    """What a classifier says about a command (`cockpit.runner.Safety` is one)."""

    @property
    def changes_cluster(self) -> bool: ...

    @property
    def reason(self) -> str: ...


Classifier = Callable[[str], Classified]


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    line: int | None
    message: str
    node_id: str | None = None

    def format(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity}: {self.message}"


def _minutes(low: float, high: float) -> str:
    return f"{low:g} min" if low == high else f"{low:g}-{high:g} min"


def _runs_check_tool(cmd: str) -> bool:
    found = first_program(cmd)
    return found is not None and (kind_of(found[0]) in (CLUSTER, NETWORK) or found[0] in _PROBES)


def _scopes(plan: Plan) -> list[tuple[Node, list[Command]]]:
    """Commands grouped by the phase they run in (or by task when a task stands alone)."""
    scopes: list[tuple[Node, list[Command]]] = []
    stack: list[tuple[Node, list[Command] | None]] = [(s, None) for s in reversed(plan.sections)]
    while stack:
        node, scope = stack.pop()
        if scope is None and node.kind in {NodeKind.PHASE, NodeKind.TASK}:
            scope = []
            scopes.append((node, scope))
        if scope is not None:
            scope.extend(node.commands)
        stack.extend((child, scope) for child in reversed(node.children))
    return scopes


def check(plan: Plan, classify: Classifier) -> list[Finding]:
    """Every finding for the plan, errors first, then in plan order. `classify` says whether a
    command changes the cluster (the caller passes `cockpit.runner.classify`)."""
    findings: list[Finding] = []
    tasks = plan.tasks()
    if not tasks:
        findings.append(
            Finding(
                "error", None, "the plan has no tasks (no time-boxed headings, checklists or commands found)"
            )
        )
    for node in plan.walk():
        box = node.timebox
        if box is not None and box.min_minutes > box.max_minutes:
            findings.append(
                Finding(
                    "error",
                    node.line,
                    f"'{node.title}': time box '{box.text}' ends before it starts",
                    node.id,
                )
            )
        if node.verify is not None:
            verify = classify(node.verify.cmd)
            if verify.changes_cluster:
                findings.append(
                    Finding(
                        "error",
                        node.verify.line,
                        f"'{node.title}': verify must not change the cluster ({verify.reason})",
                    )
                )
        if node.kind is NodeKind.TASK and box is None:
            findings.append(Finding("warning", node.line, f"task '{node.title}' has no time box", node.id))
        summed = node.children_minutes()
        if box is not None and not box.each and summed is not None and summed[1] > box.max_minutes:
            findings.append(
                Finding(
                    "warning",
                    node.line,
                    f"'{node.title}': its parts add up to {_minutes(*summed)}, "
                    f"over its {format_minutes(box)} box",
                    node.id,
                )
            )
    for scope, commands in _scopes(plan):
        checked = False
        for command in sorted(commands, key=lambda c: c.line):
            safety = classify(command.cmd)
            if safety.changes_cluster and not checked:
                findings.append(
                    Finding(
                        "warning",
                        command.line,
                        f"'{_short(command.cmd)}' has no read-only check before it in "
                        f"'{scope.title}' ({safety.reason})",
                        scope.id,
                    )
                )
            elif not safety.changes_cluster and _runs_check_tool(command.cmd):
                checked = True
    for warning in plan.warnings:
        match = re.match(r"line (\d+): (.*)", warning)
        if match:
            findings.append(Finding("warning", int(match.group(1)), match.group(2)))
        else:
            findings.append(Finding("warning", None, warning))
    findings.sort(key=lambda f: (f.severity != "error", f.line or 0))
    return findings


def _short(cmd: str, width: int = 70) -> str:
    first = cmd.splitlines()[0] if cmd else ""
    return first if len(first) <= width and "\n" not in cmd else first[: width - 1] + "…"
