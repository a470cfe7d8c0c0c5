"""What the platform layer reads out of a plan: curl checks, PromQL, LogQL, metric bindings."""

from __future__ import annotations

import pytest

from cockpit.cluster.platform.plan_scan import (
    bind_metrics_by_text,
    check_from_curl,
    checks_from_plan,
    logql_selectors,
    looks_like_promql,
    promql_in_text,
    promql_queries,
    statuses_in_criteria,
)
from cockpit.cluster.platform.spec import CheckSpecError
from cockpit.plan import load_plan, load_plan_text
from cockpit.plan.model import Command, Metric, Node, NodeKind, Plan

from ..conftest import SEED_PLAN

TASK2_TEXT = """\
- Add panel: Total running pods
  - Query: `count(up == 1)`
  - Visualization: Stat
- Add panel: Service health
  - Query: `up{kubernetes_namespace="data-platform"}`
- Add panel: Logs
  - Datasource: Loki
  - Query: `{namespace="data-platform"}`
"""
IN_POD = "kubectl exec -n data-platform deploy/dolphinscheduler-api -- curl -sf http://localhost:12345/health"


def seed_like_plan(source: str = "plans/254carbon-next-steps.md") -> Plan:
    """The seed's Task 1/2/4 and Priority 3 as a loader would hand them over."""
    task1 = Node(
        "9.1",
        NodeKind.TASK,
        "Task 1: DolphinScheduler Finalization",
        330,
        manual_steps=[
            "Test API: `curl https://dolphin.254carbon.com/dolphinscheduler/actuator/health`",
            "Access UI: https://dolphin.254carbon.com (admin / dolphinscheduler123)",
        ],
        success_criteria=["API returns HTTP 200, UI accessible"],
    )
    task2 = Node("9.2", NodeKind.TASK, "Task 2: Grafana Dashboard Creation", 341, text=TASK2_TEXT)
    task4 = Node(
        "9.4",
        NodeKind.TASK,
        "Task 4: Platform Health Verification",
        383,
        commands=[
            Command('kubectl get pods -A | grep -v "Running\\|Completed" | wc -l', 390),
            Command("curl -I https://dolphin.254carbon.com", 394, description="Service URLs"),
            Command("curl -I https://grafana.254carbon.com", 395),
            Command("curl -I https://grafana.254carbon.com", 395),
        ],
        success_criteria=["All critical URLs return 200/302, monitoring functional"],
    )
    prio = Node(
        "8.1", NodeKind.TASK, "Priority 1: Stabilize Current Services", 250, commands=[Command(IN_POD, 262)]
    )
    section = Node("9", NodeKind.SECTION, "Detailed Task Breakdown", 325, children=[task1, task2, task4])
    return Plan(
        "254Carbon",
        source,
        [Node("8", NodeKind.SECTION, "Immediate", 240, children=[prio]), section],
        metrics=[Metric("Running Pods", "104", "110+", 452), Metric("Pod Health", "75%", "80%", 451)],
    )


def test_seed_text_yields_its_promql_and_logql() -> None:
    text = SEED_PLAN.read_text(encoding="utf-8")
    queries = promql_in_text(text)
    assert "count(up == 1)" in queries
    assert 'up{kubernetes_namespace="data-platform"}' in queries
    assert 'up{app="dolphinscheduler-api"}' in queries
    assert "up" in queries  # "Explore → Query `up`"
    assert not any(q.startswith(("{", "kubectl", "curl")) for q in queries)
    assert all(
        not looks_like_promql(q)
        for q in ["status.successful==0", "replicas: 1", "ctr -n k8s.io images import"]
    )


def test_plan_nodes_give_queries_selectors_and_bound_metric() -> None:
    plan = seed_like_plan()
    assert promql_queries(plan) == ["count(up == 1)", 'up{kubernetes_namespace="data-platform"}']
    assert logql_selectors(plan) == ['{namespace="data-platform"}']
    assert bind_metrics_by_text(plan) == {"Running Pods": "count(up == 1)"}


def test_curl_commands_become_checks_with_the_tasks_status_codes() -> None:
    checks = checks_from_plan(seed_like_plan())
    by_url = {c.url: c for c in checks}
    assert list(by_url) == [
        "https://dolphin.254carbon.com/dolphinscheduler/actuator/health",
        "https://dolphin.254carbon.com",
        "https://grafana.254carbon.com",
    ]
    health = by_url["https://dolphin.254carbon.com/dolphinscheduler/actuator/health"]
    assert health.method == "GET" and health.expect_status == {200}
    assert health.origin == "254carbon-next-steps.md:330"
    grafana = by_url["https://grafana.254carbon.com"]
    assert grafana.method == "HEAD" and grafana.expect_status == {200, 302}
    assert grafana.origin == "254carbon-next-steps.md:395" and grafana.label == "grafana.254carbon.com"


def test_curl_flags() -> None:
    c = check_from_curl("curl -skL -m 3 https://superset.254carbon.com/health", "p.md:1")
    assert c is not None and c.verify is False and c.follow_redirects and c.timeout_s == 3.0
    assert check_from_curl("curl -X POST https://api/x", "p.md:1") is None
    assert check_from_curl("curl -d @body.json https://api/x", "p.md:1") is None
    assert check_from_curl("echo https://x", "p.md:1") is None
    assert statuses_in_criteria(["responds with 204 or 200"]) == {200, 204}


YAML_PLAN = """\
title: Verify platform
checks:
  - https://trino.254carbon.com
  - url: https://grafana.254carbon.com/api/health
    expect_status: [200]
    body_contains: ok
    max_latency_ms: 500
sections:
  - title: Verify
    tasks:
      - title: Check Grafana
        commands: ["curl -sf https://grafana.254carbon.com/api/health"]
"""


def test_yaml_plan_checks_come_from_the_loader() -> None:
    plan = load_plan_text(YAML_PLAN, "verify.yaml")
    checks = checks_from_plan(plan)
    assert [c.url for c in checks] == [
        "https://trino.254carbon.com",
        "https://grafana.254carbon.com/api/health",
    ]
    grafana = checks[1]
    assert grafana.contains == "ok" and grafana.max_latency_s == 0.5 and grafana.expect_status == {200}
    assert grafana.origin == "verify.yaml:4"  # the declared check wins over the curl command for the same URL


def test_check_entries_accept_both_spellings_and_name_mistakes() -> None:
    from cockpit.cluster.platform.spec import check_from_entry

    spec = check_from_entry({"url": "https://x/", "expect_status": [204], "body_contains": "up"}, "c.yaml")
    assert spec.expect_status == {204} and spec.contains == "up"
    with pytest.raises(CheckSpecError, match=r"c.yaml: checks\[0\]: expect: expected a whole number"):
        check_from_entry({"url": "https://x", "expect": [200, "nope"]}, "c.yaml: checks[0]")


def test_the_seed_through_the_real_loader() -> None:
    plan = load_plan(SEED_PLAN)
    queries = promql_queries(plan)
    assert {"count(up == 1)", 'up{kubernetes_namespace="data-platform"}'} <= set(queries)
    assert all(not q.startswith(("Query", "3.")) for q in queries)
    assert logql_selectors(plan)[0] == '{namespace="data-platform"}'
    assert bind_metrics_by_text(plan) == {"Running Pods": "count(up == 1)"}
    checks = {c.url: c for c in checks_from_plan(plan)}
    assert list(checks) == [
        "https://dolphin.254carbon.com/dolphinscheduler/actuator/health",
        "https://dolphin.254carbon.com",
        "https://grafana.254carbon.com",
        "https://superset.254carbon.com",
        "https://trino.254carbon.com",
    ]
    assert checks["https://grafana.254carbon.com"].expect_status == {200, 302}
    assert checks["https://grafana.254carbon.com"].method == "HEAD"
    assert checks["https://dolphin.254carbon.com/dolphinscheduler/actuator/health"].expect_status == {200}
    assert "localhost" not in " ".join(checks)  # the in-pod `kubectl exec ... curl` is not checked from here


def test_a_query_noted_on_a_command_is_found() -> None:
    plan = load_plan_text(
        "title: t\n"
        "tasks:\n"
        "  - title: Watch the API\n"
        "    minutes: 5\n"
        "    commands:\n"
        "      - cmd: kubectl rollout status deploy/api -n data-platform\n"
        "        notes: ['Query: up{job=\"api\"} == 1']\n",
        "watch.yaml",
    )
    assert plan.tasks()[0].manual_steps == []
    assert promql_queries(plan) == ['up{job="api"} == 1']
