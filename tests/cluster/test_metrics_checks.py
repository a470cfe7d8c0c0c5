"""Success metrics bound to live figures, and tasks whose criteria the cockpit evaluates itself."""

from __future__ import annotations

import pytest

from cockpit.cluster.argocd import summarize_app
from cockpit.cluster.certs import summarize_certificate
from cockpit.cluster.checks import CheckKind, checks_for_task, evaluate
from cockpit.cluster.metrics import LiveFigure, MetricsBoard, bind, parse_target
from cockpit.cluster.pods import summarize_pod
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.plan.model import Command, Metric, Node, NodeKind

from .podjson import cs, pod
from .test_argocd_certs import app


def pods(
    running: int, crashing: int, completed: int = 0, ns: str = "data-platform", app_label: str = "x"
) -> tuple:
    rows = [
        summarize_pod(pod(f"r{i}", uid=f"r{i}", namespace=ns, labels={"app": app_label}))
        for i in range(running)
    ]
    rows += [
        summarize_pod(
            pod(
                f"c{i}",
                uid=f"c{i}",
                namespace=ns,
                labels={"app": app_label},
                containers=[cs(waiting="CrashLoopBackOff")],
            )
        )
        for i in range(crashing)
    ]
    rows += [
        summarize_pod(
            pod(f"d{i}", uid=f"d{i}", phase="Succeeded", containers=[cs(terminated="Completed", exit_code=0)])
        )
        for i in range(completed)
    ]
    return tuple(rows)


def cert(name: str, ready: bool) -> object:
    return summarize_certificate(
        {
            "metadata": {"name": name, "namespace": "data-platform", "uid": name},
            "status": {
                "conditions": [{"type": "Ready", "status": "True" if ready else "False", "reason": "Pending"}]
            },
        }
    )


SEED_METRICS = [
    Metric("Pod Health", "75%", "80%", 1),
    Metric("Running Pods", "104", "110+", 2),
    Metric("ArgoCD Synced", "7/17", "12/17", 3),
    Metric("Grafana Dashboards", "2", "2 with data", 4),
    Metric("Critical Services", "83%", "90%", 5),
    Metric("Platform Readiness", "85/100", "88/100", 6),
]


def test_seed_metrics_bind_where_computable() -> None:
    assert [bind(m.name) for m in SEED_METRICS] == [
        LiveFigure.POD_HEALTH,
        LiveFigure.RUNNING_PODS,
        LiveFigure.ARGO_SYNCED,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("text", "op", "value", "den"),
    [
        ("80%", ">=", 80, None),
        ("110+", ">=", 110, None),
        ("12/17", ">=", 12, 17),
        ("<15", "<", 15, None),
        ("≤ 3", "<=", 3, None),
    ],
)
def test_targets(text: str, op: str, value: float, den: int | None) -> None:
    t = parse_target(text)
    assert t is not None and (t.op, t.value, t.denominator) == (op, value, den)


def test_board_keeps_baseline_and_reports_met() -> None:
    board = MetricsBoard.for_plan(SEED_METRICS)
    apps = tuple(
        summarize_app(app(f"a{i}", "Synced" if i < 7 else "OutOfSync", "Healthy")) for i in range(17)
    )
    board.update(ClusterSnapshot(pods=pods(104, 34), apps=apps))
    health, running, synced = board.rows[:3]
    assert (health.current.text, health.met) == ("75% (104/138 pods)", False)  # type: ignore[union-attr]
    assert (running.current.text, running.met) == ("104", False)  # type: ignore[union-attr]
    assert (synced.current.text, synced.met) == ("7/17", False)  # type: ignore[union-attr]
    apps2 = tuple(
        summarize_app(app(f"a{i}", "Synced" if i < 12 else "OutOfSync", "Healthy")) for i in range(17)
    )
    board.update(ClusterSnapshot(pods=pods(111, 20), apps=apps2))
    assert health.baseline.text == "75% (104/138 pods)"  # type: ignore[union-attr]
    assert (health.current.text, health.met) == ("85% (111/131 pods)", True)  # type: ignore[union-attr]
    assert running.met and synced.met
    assert board.rows[3].note == "not computable from the cluster"
    record = board.record()
    assert record[0]["baseline"] == "75% (104/138 pods)" and record[0]["current"] == "85% (111/131 pods)"


def node(**kw: object) -> Node:
    return Node(id="1", kind=NodeKind.TASK, title=str(kw.pop("title", "t")), line=1, **kw)  # type: ignore[arg-type]


def test_seed_criteria_are_recognised() -> None:
    task3 = node(success_criteria=["15/17 applications Synced or Healthy"])
    (check,) = checks_for_task(task3)
    assert check.kind is CheckKind.APPS_COUNT and check.threshold == 15 and not check.all_of
    apps = [
        summarize_app(app(f"a{i}", "Synced" if i < 7 else "OutOfSync", "Healthy" if i < 14 else "Degraded"))
        for i in range(17)
    ]
    assert evaluate(check, ClusterSnapshot(apps=tuple(apps))).ok is False  # 14/17
    apps[15] = summarize_app(app("a15", "Synced", "Degraded"))
    result = evaluate(check, ClusterSnapshot(apps=tuple(apps)))
    assert (result.ok, result.detail) == (True, "15/17")

    task4 = node(
        commands=[
            Command(
                'kubectl get pods -A | grep -v "Running\\|Completed" | wc -l',
                1,
                description="Pod health",
                notes=["Target: <15 pods"],
            )
        ]
    )
    (fewer,) = [c for c in checks_for_task(task4) if c.kind is CheckKind.PODS_NOT_RUNNING_BELOW]
    assert fewer.threshold == 15
    assert evaluate(fewer, ClusterSnapshot(pods=pods(104, 34))).ok is False
    assert evaluate(fewer, ClusterSnapshot(pods=pods(120, 14, completed=3))).ok is True

    verify_cert = node(commands=[Command("kubectl -n data-platform get certificate spark-history-tls", 1)])
    (c,) = checks_for_task(verify_cert)
    assert (c.kind, c.name, c.namespace) == (CheckKind.CERT_READY, "spark-history-tls", "data-platform")
    assert evaluate(c, ClusterSnapshot(certs=(cert("spark-history-tls", False),))).ok is False  # type: ignore[arg-type]
    assert evaluate(c, ClusterSnapshot(certs=(cert("spark-history-tls", True),))).ok is True  # type: ignore[arg-type]
    assert evaluate(c, ClusterSnapshot()).ok is None

    wait = node(
        commands=[
            Command(
                "kubectl wait --for=condition=ready pod -l app=dolphinscheduler-api -n data-platform "
                "--timeout=300s",
                1,
            )
        ]
    )
    (w,) = checks_for_task(wait)
    assert (w.kind, w.selector, w.namespace) == (
        CheckKind.PODS_READY,
        "app=dolphinscheduler-api",
        "data-platform",
    )
    assert (
        evaluate(w, ClusterSnapshot(pods=pods(2, 1, app_label="dolphinscheduler-api"))).detail == "2/3 Ready"
    )

    health = node(text="**Expected Result**: Platform at 80% health, monitoring functional")
    (h,) = checks_for_task(health)
    assert h.kind is CheckKind.POD_HEALTH_AT_LEAST and h.threshold == 80


def test_general_shapes_beyond_the_seed() -> None:
    t = node(
        success_criteria=[
            "Application api-gateway is Synced and Healthy",
            "No app=trino-worker pods in CrashLoopBackOff",
            "Certificate graphql-gateway-tls is Ready in data-platform",
            "`curl -sf http://x/health` exits 0",
            "All ArgoCD applications Synced",
        ]
    )
    kinds = [c.kind for c in checks_for_task(t)]
    assert kinds == [
        CheckKind.APP_OK,
        CheckKind.NO_CRASHLOOP,
        CheckKind.CERT_READY,
        CheckKind.COMMAND_EXIT_ZERO,
        CheckKind.APPS_COUNT,
    ]
    checks = {c.kind: c for c in checks_for_task(t)}
    snap = ClusterSnapshot(pods=pods(1, 1, app_label="trino-worker"))
    assert evaluate(checks[CheckKind.NO_CRASHLOOP], snap).ok is False
    assert evaluate(checks[CheckKind.COMMAND_EXIT_ZERO], snap, {"curl -sf http://x/health": 0}).ok is True
    assert checks[CheckKind.CERT_READY].namespace == "data-platform"


def test_prose_without_a_criterion_gives_no_check() -> None:
    assert (
        checks_for_task(node(success_criteria=["Both dashboards show live data, auto-refresh works"])) == []
    )


def test_seed_plan_checks_with_the_real_loader(seed_plan_path: object) -> None:
    from cockpit.cluster.checks import PlanChecks
    from cockpit.plan import load_plan  # type: ignore[attr-defined]

    plan = load_plan(seed_plan_path)
    checks = PlanChecks(plan.walk())
    described = {
        plan.find(nid).title: [c.description for c in cs] for nid, (_n, cs) in checks.by_node.items()
    }  # type: ignore[union-attr]
    assert described["Task 3: ArgoCD Application Sync"] == ["≥ 15/17 applications Synced or Healthy"]
    assert described["Task 4: Platform Health Verification"] == ["fewer than 15 pods not Running"]
    assert described["1.1 Cloudflare Access bypass for ACME"] == [
        "certificate data-platform/spark-history-tls Ready"
    ]
    apps = tuple(
        summarize_app(app(f"a{i}", "Synced", "Healthy") if i < 7 else app(f"a{i}", "OutOfSync", "Degraded"))
        for i in range(17)
    )
    assert checks.turned_true(checks.evaluate(ClusterSnapshot(pods=pods(104, 34), apps=apps))) == []
    apps2 = tuple(
        summarize_app(app(f"a{i}", "Synced" if i < 15 else "OutOfSync", "Degraded")) for i in range(17)
    )
    turned = checks.turned_true(checks.evaluate(ClusterSnapshot(pods=pods(126, 14), apps=apps2)))
    assert sorted(plan.find(n).title for n in turned) == [  # type: ignore[union-attr]
        "Task 3: ArgoCD Application Sync",
        "Task 4: Platform Health Verification",
        "This Week (Session 3)",
        "Today (Session 1)",
        "Tomorrow (Session 2)",
    ]
    assert checks.turned_true(checks.evaluate(ClusterSnapshot(pods=pods(126, 14), apps=apps2))) == []  # once
