"""A small hand-made plan for UI tests: two phases, tasks with every kind of command."""

from __future__ import annotations

from pathlib import Path

from cockpit.plan.model import Command, Node, NodeKind, Plan, TimeBox


def box(lo: float, hi: float | None = None) -> TimeBox:
    hi = lo if hi is None else hi
    return TimeBox(lo, hi, text=f"{lo:g} min" if lo == hi else f"{lo:g}-{hi:g} min")


def make_plan(source: Path | None = None) -> Plan:
    """Phase 1 has the commands the flows exercise; phase 2 has manual steps and criteria."""
    t11 = Node(
        "1.1",
        NodeKind.TASK,
        "Look at the pods",
        5,
        timebox=box(10),
        text="**Issue**: pods restart.",
        commands=[
            Command("echo hello-from-cockpit", 7, description="say hello"),
            Command("kubectl -n data-platform delete pod web-1", 8),
            Command("sh -c 'exit 3'", 9),
            Command("no-such-command-xyz --flag", 10),
            Command("sleep 30", 11),
            Command("echo pod=<pod>", 12),
        ],
        success_criteria=["pods Running"],
    )
    t12 = Node(
        "1.2", NodeKind.TASK, "Restart the scheduler", 14, timebox=box(15), commands=[Command("true", 15)]
    )
    t13 = Node("1.3", NodeKind.TASK, "Check images", 17, timebox=box(5))
    phase1 = Node("1", NodeKind.PHASE, "Phase 1: Unblock", 3, timebox=box(30, 45), children=[t11, t12, t13])
    t21 = Node(
        "2.1",
        NodeKind.TASK,
        "Verify Grafana datasources",
        21,
        timebox=box(5),
        manual_steps=["Login to Grafana", "Click Test on VictoriaMetrics"],
        success_criteria=["Both show green"],
    )
    phase2 = Node("2", NodeKind.PHASE, "Phase 2: Dashboards", 19, timebox=box(20), children=[t21])
    return Plan(
        title="Test plan", source=str(source) if source else "test-plan.md", sections=[phase1, phase2]
    )


def plan_with_commands(*commands: Command) -> Plan:
    """The test plan with task 1.1 offering exactly `commands`."""
    plan = make_plan()
    plan.sections[0].children[0].commands = list(commands)
    return plan
