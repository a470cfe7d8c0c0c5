"""Estimates stated as fields of a step, every heading a node, front matter as metadata,
fences under list items: read from the Markdown structure."""

from __future__ import annotations

import pytest

from cockpit.plan import load_plan_text
from cockpit.plan.model import NodeKind

from .conftest import by_title, minutes

FIELD_FORMS = [
    ("**Estimated Time**: 3 minutes", (3, 3)),
    ("**Duration:** 15 min", (15, 15)),
    ("Estimated time: ~10m", (10, 10)),
    ("*ETA*: 1-2 hours", (60, 120)),
    ("Time: 5 min", (5, 5)),
    ("⏱️ 20 minutes", (20, 20)),
    ("| Duration | 30 min |\n|---|---|", (30, 30)),
    ("| Field | Value |\n|---|---|\n| Owner | sre |\n| Duration | 30 min |", (30, 30)),
    ("- Time: 10m\n- Drain the node", (10, 10)),
    ("> **Time estimate:** 45 minutes", (45, 45)),
]


@pytest.mark.parametrize(("field", "box"), FIELD_FORMS)
@pytest.mark.parametrize("where", ["before", "after"])
def test_an_estimate_field_belongs_to_its_step(field: str, box: tuple[int, int], where: str) -> None:
    command = "```bash\nkubectl drain node-1\n```"
    body = f"{field}\n\n{command}" if where == "before" else f"{command}\n\n{field}"
    text = f"# Runbook\n\n## Drain\n\n{body}\n\n## Uncordon\n\n```bash\nkubectl uncordon node-1\n```\n"
    plan = load_plan_text(text, "r.md")
    drain = by_title(plan, "Drain")
    assert minutes(drain) == box
    assert by_title(plan, "Uncordon").timebox is None
    assert "Drain the node" not in drain.text
    assert [c.cmd for c in drain.commands] == ["kubectl drain node-1"]


@pytest.mark.parametrize(
    "line",
    [
        "T+20m: DNS switched",
        "Page if replication lag > 10 minutes",
        "retention: 7d",
        "Run every 5 minutes",
        "timeout: 300s",
        "Time: 14:32 UTC",
        "Window: 30 min",
        "Alert fires after 10 minutes",
    ],
)
def test_windows_and_schedules_are_not_estimates(line: str) -> None:
    plan = load_plan_text(f"# R\n\n## Check\n\n{line}\n\n```bash\nkubectl get pods\n```\n", "r.md")
    assert by_title(plan, "Check").timebox is None
    assert plan.warnings == []


@pytest.mark.parametrize(
    ("heading", "box"),
    [
        ("Post-change checks (within 30 min)", None),
        ("Watch the rollout (after 10 min)", None),
        ("Poll (every 5 min)", None),
        ("Restart (10 min)", (10, 10)),
        ("Restart (~15 minutes)", (15, 15)),
        ("Restart (10-20 min)", (10, 20)),
        ("Restart (optional, 5 min)", (5, 5)),
        ("Restart (P1 - 10 min)", (10, 10)),
        ("Restart (within 30 min, optional)", None),
        ("Restart (5 min, then 10 min)", None),
    ],
)
def test_heading_window_or_box(heading: str, box: tuple[int, int] | None) -> None:
    plan = load_plan_text(f"# R\n\n## {heading}\n\n```bash\nkubectl get pods\n```\n", "r.md")
    (task,) = plan.tasks()
    assert minutes(task) == box
    if "optional" in heading and box is not None:
        assert task.title == "Restart (optional)"


def test_an_unreadable_estimate_is_reported_with_its_line() -> None:
    plan = load_plan_text("# R\n\n## Fix\n\n**Duration**: TBD\n\n```bash\nkubectl get pods\n```\n", "r.md")
    assert by_title(plan, "Fix").timebox is None
    assert plan.warnings and plan.warnings[0].startswith("line 5: could not read the time estimate")


def test_every_heading_is_a_node_with_skipped_levels_and_alert_runs() -> None:
    text = (
        "# Alerts\n\n## Group A\n\n- only a list\n- of notes\n\n#### Skipped level\n\nProse.\n\n"
        "##### AlertOne\n\nMeaning.\n\n##### AlertTwo\n\nMeaning too.\n\n## Group B\n\nText.\n"
    )
    plan = load_plan_text(text, "a.md")
    assert [(n.title, n.id) for n in plan.walk()] == [
        ("Group A", "1"),
        ("Skipped level", "1.1"),
        ("AlertOne", "1.1.1"),
        ("AlertTwo", "1.1.2"),
        ("Group B", "2"),
    ]
    group = by_title(plan, "Group A")
    assert group.kind is NodeKind.SECTION and "only a list" in group.text
    assert by_title(plan, "AlertTwo").text == "Meaning too."


def test_a_task_keeps_its_prose_sub_headings_as_nodes() -> None:
    text = (
        "# R\n\n## Restart (5 min)\n\n```bash\nkubectl rollout restart deploy/web\n```\n\n"
        "### Why\n\nBecause.\n"
    )
    plan = load_plan_text(text, "r.md")
    restart = by_title(plan, "Restart")
    assert restart.kind is NodeKind.TASK and len(restart.commands) == 1
    assert [c.title for c in restart.children] == ["Why"]
    assert "Because" not in restart.text


def test_front_matter_is_metadata_not_a_section() -> None:
    text = (
        "---\ntitle: Payments cut-over\nowner: team-payments\nseverity: SEV2\ntags: [db, cutover]\n---\n\n"
        "## Step (5 min)\n\n```bash\nkubectl get pods\n```\n"
    )
    plan = load_plan_text(text, "c.md")
    assert plan.title == "Payments cut-over"
    assert plan.metadata == {
        "title": "Payments cut-over",
        "owner": "team-payments",
        "severity": "SEV2",
        "tags": ["db", "cutover"],
    }
    assert [n.title for n in plan.walk()] == ["Step"]
    assert plan.tasks()[0].line == 8


def test_front_matter_alias_bomb_is_not_expanded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    plan = load_plan_text(f"---\n{bomb}---\n\n## Step (5 min)\n\nDo it.\n", "b.md")
    assert plan.metadata == {}
    assert any("front matter not read" in w for w in plan.warnings)


def test_fence_indented_under_a_numbered_item_is_read_as_that_fence() -> None:
    text = (
        "# R\n\n## Fix (5 min)\n\n1. Check the nodes:\n\n        ```bash\n        kubectl get nodes\n"
        "        ```\n\n2. Then the services:\n\n        kubectl get svc\n        NAME   TYPE\n"
        "        web    ClusterIP\n"
    )
    plan = load_plan_text(text, "r.md")
    fix = by_title(plan, "Fix")
    assert [(c.cmd, c.line) for c in fix.commands] == [("kubectl get nodes", 8), ("kubectl get svc", 13)]
    assert "```" not in " ".join(fix.manual_steps)
    assert "ClusterIP" in fix.commands[1].output
