"""The user's plan (the seed) loads exactly as issue 2 describes it."""

from __future__ import annotations

import json

from cockpit.plan import Plan, load_plan
from cockpit.plan.model import NodeKind
from cockpit.plan.serialize import to_json

from ..conftest import SEED_PLAN
from .conftest import by_title, minutes, seed_line


def test_title_and_mojibake_repaired_everywhere(seed: Plan) -> None:
    assert seed.title == "254Carbon Platform - Next Steps Plan"
    titles = [n.title for n in seed.sections]
    assert "📊 Current State Analysis" in titles
    assert "🎯 Next Steps Plan (Prioritized)" in titles
    dumped = to_json(seed)
    for mojibake in ("‚úÖ", "‚è∞", "üìä", "‚Äô", "‚Üí", "‚Äì"):
        assert mojibake not in dumped
    assert "Let’s Encrypt" in by_title(seed, "⚠️ Issues Remaining").text
    assert seed.metrics[0].status == "⏰ Achievable"
    assert any("mis-decoded" in w for w in seed.warnings)


def test_next_steps_yields_phases_one_to_six_with_their_boxes(seed: Plan) -> None:
    section = by_title(seed, "🎯 Next Steps Plan")
    assert section.kind is NodeKind.SECTION
    phases = section.children
    assert [p.kind for p in phases] == [NodeKind.PHASE] * 6
    assert [p.title.split(":")[0] for p in phases] == [f"Phase {i}" for i in range(1, 7)]
    assert [minutes(p) for p in phases] == [(30, 45), (20, 30), (30, 45), (30, 45), (20, 30), (120, 240)]
    assert phases[0].title == "Phase 1: Unblock External Access & Critical Pods"
    assert phases[0].line == seed_line("### **Phase 1:")


def test_phase_one_and_six_tasks_keep_declared_box_and_children_sum(seed: Plan) -> None:
    phase1 = by_title(seed, "Phase 1:")
    assert [c.title[:3] for c in phase1.children] == ["1.1", "1.2", "1.3", "1.4"]
    assert [minutes(c) for c in phase1.children] == [(10, 10), (15, 15), (10, 10), (10, 10)]
    assert all(c.kind is NodeKind.TASK for c in phase1.children)
    assert phase1.children_minutes() == (45, 45)
    phase6 = by_title(seed, "Phase 6:")
    assert phase6.title == "Phase 6: Advanced Features (Optional)"
    assert [minutes(c) for c in phase6.children] == [(90, 90), (60, 60), (90, 90)]
    assert minutes(phase6) == (120, 240) and phase6.children_minutes() == (240, 240)


def test_phase_two_numbered_items_are_its_tasks(seed: Plan) -> None:
    phase2 = by_title(seed, "Phase 2:")
    assert [c.title for c in phase2.children] == [
        "Commit/push latest manifest changes",
        "ArgoCD refresh (post-cert + pod stability)",
        "Validate",
    ]
    assert all(c.kind is NodeKind.TASK for c in phase2.children)
    refresh = phase2.children[1]
    assert len(refresh.commands) == 3
    assert all("--overwrite" in c.cmd for c in refresh.commands)
    assert len(phase2.children[0].manual_steps) == 4


def test_immediate_action_items_priorities(seed: Plan) -> None:
    items = by_title(seed, "📋 Immediate Action Items")
    assert minutes(items) == (60, 60)
    assert [c.title.split(":")[0] for c in items.children] == [f"Priority {i}" for i in range(1, 5)]
    assert [minutes(c) for c in items.children] == [(20, 20), (15, 15), (15, 15), (10, 10)]
    assert items.children[0].title == "Priority 1: Stabilize Current Services"


def test_detailed_task_breakdown_time_lines_and_success_criteria(seed: Plan) -> None:
    section = by_title(seed, "🔧 Detailed Task Breakdown")
    tasks = section.children
    assert [t.title.split(":")[0] for t in tasks] == ["Task 1", "Task 2", "Task 3", "Task 4"]
    assert [minutes(t) for t in tasks] == [(10, 10), (20, 20), (15, 15), (10, 10)]
    assert tasks[0].success_criteria == ["API returns HTTP 200, UI accessible"]
    assert tasks[1].success_criteria == ["Both dashboards show live data, auto-refresh works"]
    assert tasks[2].success_criteria == ["15/17 applications Synced or Healthy"]
    assert tasks[3].success_criteria == ["All critical URLs return 200/302, monitoring functional"]
    assert (
        "**Time**" not in tasks[0].text and "**Goal**: All DolphinScheduler components ready" in tasks[0].text
    )


def test_briefing_sections_are_not_tasks(seed: Plan) -> None:
    for title in (
        "📊 Current State Analysis",
        "📚 Documentation Status",
        "🚀 Phase 3 Preview",
        "📝 Decision",
    ):
        node = by_title(seed, title)
        assert all(n.kind is NodeKind.SECTION and not n.commands for n in node.walk())
        assert all(n.text for n in node.walk() if not n.children)
    assert "URGENT_REMEDIATION_STATUS.md" in by_title(seed, "✅ Created (Complete)").text


def test_every_heading_is_a_node_in_document_order(seed: Plan) -> None:
    analysis = by_title(seed, "📊 Current State Analysis")
    assert [c.title for c in analysis.children] == [
        "✅ What's Working (Excellent)",
        "⚠️ Issues Remaining (focus)",
        "🔄 ArgoCD Status",
    ]
    preview = by_title(seed, "🚀 Phase 3 Preview")
    assert [c.title for c in preview.children] == [
        "Performance Optimization (Week 2)",
        "Advanced Features (Week 3)",
        "Production Hardening (Week 4)",
    ]
    assert preview.children[0].text.startswith("- Load testing with real data")
    lines = [n.line for n in seed.walk()]
    assert lines == sorted(lines)


def test_success_metrics_table(seed: Plan) -> None:
    metrics = {m.name: (m.current, m.target) for m in seed.metrics}
    assert metrics["Pod Health"] == ("75%", "80%")
    assert metrics["ArgoCD Synced"] == ("7/17", "12/17")
    assert metrics["Running Pods"] == ("104", "110+")
    assert len(seed.metrics) == 6
    assert seed.metrics[0].line == seed_line("| Pod Health |")


def test_shell_fences_become_commands_with_descriptions(seed: Plan) -> None:
    remove = by_title(seed, "4.1 Remove Failed")
    assert [c.description for c in remove.commands] == [
        "Remove old failed jobs",
        "Remove completed jobs (optional)",
    ]
    assert remove.commands[0].line == seed_line("job-name in (dolphinscheduler-full-schema-init")
    grafana = by_title(seed, "Priority 3:")
    forward = grafana.commands[0]
    assert forward.background and forward.cmd == "kubectl port-forward -n monitoring svc/grafana 3000:3000"
    assert forward.description == "Port-forward Grafana"
    sync = by_title(seed, "Priority 2:")
    watch = sync.commands[-1]
    assert watch.watch and watch.cmd == "kubectl get applications -n argocd"
    assert watch.description == "Monitor sync progress"
    assert "1. Go to Explore" in grafana.manual_steps


def test_non_shell_fence_gives_manual_steps(seed: Plan) -> None:
    alerts = by_title(seed, "3.3 Configure Basic Alerts")
    assert alerts.commands == []
    assert "Alerting → Alert rules → New alert rule" in alerts.manual_steps
    assert 'Query: up{kubernetes_namespace="data-platform"} == 0' in alerts.manual_steps


def test_inline_commands_in_steps_are_offered(seed: Plan) -> None:
    trino = by_title(seed, "1.4 Trino")
    assert [(c.cmd, c.inline) for c in trino.commands] == [("kubectl logs trino-worker", True)]
    task1 = by_title(seed, "Task 1:")
    cmds = [c.cmd for c in task1.commands]
    assert "kubectl get pods -n data-platform -l app=dolphinscheduler-api" in cmds
    assert task1.commands[0].description == "Check API readiness"
    assert "If still initializing, wait 5 more minutes" in task1.manual_steps
    # Paths and queries in backticks are not commands.
    assert by_title(seed, "Commit/push").commands == []
    assert by_title(seed, "Task 2:").commands == []


def test_other_timed_sections_load_sensibly(seed: Plan) -> None:
    today = by_title(seed, "Today (Session 1)")
    assert today.kind is NodeKind.PHASE and minutes(today) == (60, 60)
    assert [minutes(t) for t in today.children] == [(5, 5), (10, 10), (20, 20), (5, 5), (20, 20)]
    assert today.children[0].timebox is not None and today.children[0].timebox.auto
    assert today.success_criteria == ["Platform at 80% health, monitoring functional"]
    wins = by_title(seed, "🎯 Quick Wins")
    assert wins.timebox is not None and wins.timebox.each
    assert [minutes(t) for t in wins.children] == [(15, 15)] * 3
    focus = by_title(seed, "Session Focus")
    assert minutes(focus) == (60, 60) and len(focus.children) == 6
    final = by_title(seed, "🎯 Final Recommendation")
    assert minutes(final) == (50, 75) and final.children_minutes() == (60, 60)


def test_ids_are_dotted_paths_stable_across_loads(seed: Plan) -> None:
    again = load_plan(SEED_PLAN)
    assert [n.id for n in again.walk()] == [n.id for n in seed.walk()]
    phase1 = by_title(seed, "Phase 1:")
    assert phase1.id == "2.1" and phase1.children[0].id == "2.1.1"
    assert seed.find("2.1.1") is phase1.children[0]
    assert len({n.id for n in seed.walk()}) == len(list(seed.walk()))


def test_bold_paragraph_heads_the_steps_of_its_list(seed: Plan) -> None:
    steps = by_title(seed, "Task 2:").manual_steps
    first, second = (
        steps.index("Dashboard 1: Platform Overview (10 min)"),
        steps.index("Dashboard 2: DolphinScheduler Metrics (10 min)"),
    )
    assert steps[first + 1] == "  Add panel: Total running pods"
    assert steps[first + 2] == "    Query: `count(up == 1)`"
    assert steps[second + 1] == "  Add panel: API Health"
    assert "Dashboard 1" not in by_title(seed, "Task 2:").text


def test_briefing_keeps_hard_breaks_and_labels(seed: Plan) -> None:
    final = by_title(seed, "🎯 Final Recommendation")
    assert "**Plan Status**: READY FOR EXECUTION\\\n**Estimated Time**: 1-2 hours" in final.text
    assert by_title(seed, "Win 2:").text == "**Impact**: Demonstrates monitoring works"
    assert seed.text.startswith("**Date**: October 24, 2025\\\n**Current Status**")


def test_comment_after_a_command_stays_on_it(seed: Plan) -> None:
    task4 = by_title(seed, "Task 4:")
    count = task4.commands[0]
    assert count.cmd == 'kubectl get pods -A | grep -v "Running\\|Completed" | wc -l'
    assert (count.description, count.notes) == ("Pod health", ["Target: <15 pods"])
    assert count.line == seed_line("# Target: <15 pods") - 1
    shown = json.loads(to_json(seed))
    nodes = [shown_node for section in shown["sections"] for shown_node in _walk(section)]
    (task4_json,) = [n for n in nodes if n["id"] == task4.id]
    assert task4_json["commands"][0]["notes"] == ["Target: <15 pods"]
    assert task4_json["commands"][1]["notes"] == []


def _walk(node: dict) -> list[dict]:
    return [node, *(n for child in node["children"] for n in _walk(child))]
