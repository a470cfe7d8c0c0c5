"""Plans built by hand for the session tests (shaped like the seed's Phases 1 and 2)."""

from __future__ import annotations

from pathlib import Path

from cockpit.plan.model import Command, Metric, Node, NodeKind, Plan, TimeBox


def box(lo: float, hi: float | None = None) -> TimeBox:
    return TimeBox(lo, hi if hi is not None else lo, text=f"{lo} min")


def task(node_id: str, title: str, minutes: float | None, line: int, **kw: object) -> Node:
    return Node(node_id, NodeKind.TASK, title, line, box(minutes) if minutes is not None else None, **kw)  # type: ignore[arg-type]


def seed_like_plan(source: Path | str = "<string>") -> Plan:
    """Phase 1 (30-45 min): 1.1-1.4 of 10, 15, 10, 10 min; Phase 2 (20-30 min): two tasks, one unboxed."""
    phase1 = Node(
        "1.1",
        NodeKind.PHASE,
        "Phase 1: Unblock External Access & Critical Pods",
        40,
        box(30, 45),
        children=[
            task(
                "1.1.1",
                "1.1 Cloudflare Access bypass for ACME",
                10,
                42,
                commands=[Command("kubectl -n data-platform get certificate spark-history-tls", 55)],
                manual_steps=["Add Access policy exemption", "Re-trigger challenges"],
            ),
            task("1.1.2", "1.2 Stabilize DolphinScheduler control plane", 15, 60),
            task("1.1.3", "1.3 Portal-Services image distribution", 10, 71),
            task("1.1.4", "1.4 Trino worker + Spark History replica cleanup", 10, 82),
        ],
    )
    phase2 = Node(
        "1.2",
        NodeKind.PHASE,
        "Phase 2: GitOps Alignment & TLS Verification",
        89,
        box(20, 30),
        children=[task("1.2.1", "ArgoCD refresh", 20, 98), task("1.2.2", "Validate", None, 105)],
    )
    section = Node("1", NodeKind.SECTION, "Next Steps Plan (Prioritized)", 38, children=[phase1, phase2])
    briefing = Node("0", NodeKind.SECTION, "Current State Analysis", 10, text="What's working")
    return Plan(
        "254Carbon Platform - Next Steps Plan",
        str(source),
        sections=[briefing, section],
        metrics=[Metric("Pod Health", "75%", "80%", 400), Metric("ArgoCD Synced", "7/17", "12/17", 402)],
    )
