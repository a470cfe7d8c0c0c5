"""The pods pane's STATUS/READY/RESTARTS must read exactly like `kubectl get pods`."""

from __future__ import annotations

import pytest

from cockpit.cluster.pods import (
    pod_status,
    selector_matches,
    sort_pods,
    summarize_pod,
    totals,
)
from cockpit.kubeprint import human_duration

from ..printer_cases import DURATION_CASES, NOW, POD_CASES, WIDE_CASES, Case
from .podjson import cs, pod

CASES = [
    ("running", pod(), "Running", "1/1", 0),
    (
        "crashloop",
        pod(containers=[cs(waiting="CrashLoopBackOff", restarts=7, last="Error")]),
        "CrashLoopBackOff",
        "0/1",
        7,
    ),
    (
        "imagepullbackoff",
        pod(phase="Pending", containers=[cs(waiting="ImagePullBackOff")]),
        "ImagePullBackOff",
        "0/1",
        0,
    ),
    ("errimagepull", pod(phase="Pending", containers=[cs(waiting="ErrImagePull")]), "ErrImagePull", "0/1", 0),
    (
        "configerror",
        pod(phase="Pending", containers=[cs(waiting="CreateContainerConfigError")]),
        "CreateContainerConfigError",
        "0/1",
        0,
    ),
    (
        "oomkilled",
        pod(containers=[cs(terminated="OOMKilled", exit_code=137, restarts=3)]),
        "OOMKilled",
        "0/1",
        3,
    ),
    ("error", pod(phase="Failed", containers=[cs(terminated="Error")]), "Error", "0/1", 0),
    (
        "completed",
        pod(phase="Succeeded", containers=[cs(terminated="Completed", exit_code=0)]),
        "Completed",
        "0/1",
        0,
    ),
    ("exitcode", pod(phase="Failed", containers=[cs(terminated="", exit_code=3)]), "ExitCode:3", "0/1", 0),
    ("signal", pod(phase="Failed", containers=[cs(terminated="", signal=9)]), "Signal:9", "0/1", 0),
    (
        "two containers one ready",
        pod(containers=[cs("a", running=True, ready=True), cs("b", running=True, ready=False)]),
        "Running",
        "1/2",
        0,
    ),
    (
        "init waiting",
        pod(
            phase="Pending",
            init=[cs("i1", terminated="Completed", exit_code=0), cs("i2", running=True)],
            containers=[cs(waiting="PodInitializing")],
        ),
        "Init:1/2",
        "0/1",
        0,
    ),
    (
        "init crashloop",
        pod(
            phase="Pending",
            init=[cs("i1", waiting="CrashLoopBackOff", restarts=4)],
            containers=[cs(waiting="PodInitializing")],
        ),
        "Init:CrashLoopBackOff",
        "0/1",
        4,
    ),
    (
        "init failed",
        pod(
            phase="Pending",
            init=[cs("i1", terminated="Error", exit_code=1)],
            containers=[cs(waiting="PodInitializing")],
        ),
        "Init:Error",
        "0/1",
        0,
    ),
    (
        "init exitcode",
        pod(
            phase="Pending",
            init=[cs("i1", terminated="", exit_code=2)],
            containers=[cs(waiting="PodInitializing")],
        ),
        "Init:ExitCode:2",
        "0/1",
        0,
    ),
    (
        "sidecar ready counts",
        pod(
            init=[cs("proxy", running=True, ready=True, started=True, restarts=1)],
            init_specs=[{"name": "proxy", "restartPolicy": "Always"}],
            containers=[cs(running=True, ready=True, restarts=2)],
            conditions=[{"type": "Initialized", "status": "True"}],
        ),
        "Running",
        "2/2",
        3,
    ),
    ("terminating", pod(deleting=True), "Terminating", "1/1", 0),
    (
        "terminated pod being deleted stays",
        pod(phase="Succeeded", deleting=True, containers=[cs(terminated="Completed", exit_code=0)]),
        "Completed",
        "0/1",
        0,
    ),
    ("node lost", pod(deleting=True, reason="NodeLost"), "Unknown", "1/1", 0),
    ("evicted", pod(phase="Failed", reason="Evicted", containers=[]), "Evicted", "0/0", 0),
    (
        "completed but one still running",
        pod(
            containers=[cs("a", terminated="Completed", exit_code=0), cs("b", running=True, ready=True)],
            conditions=[{"type": "Ready", "status": "False"}],
        ),
        "NotReady",
        "1/2",
        0,
    ),
    (
        "pending unschedulable",
        pod(
            phase="Pending",
            containers=[],
            conditions=[
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": "0/3 nodes are available: 3 Insufficient memory.",
                }
            ],
        ),
        "Pending",
        "0/0",
        0,
    ),
    (
        "scheduling gated",
        pod(
            phase="Pending",
            containers=[],
            conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
        ),
        "SchedulingGated",
        "0/0",
        0,
    ),
]


@pytest.mark.parametrize(("label", "obj", "status", "ready", "restarts"), CASES, ids=[c[0] for c in CASES])
def test_status_reads_like_kubectl(label: str, obj: dict, status: str, ready: str, restarts: int) -> None:
    s = summarize_pod(obj)
    assert (s.status, s.ready, s.restarts) == (status, ready, restarts)


def test_pending_shows_the_schedulers_reason() -> None:
    obj = pod(
        phase="Pending",
        containers=[],
        conditions=[
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": "0/3 nodes are available: 3 Insufficient memory.",
            }
        ],
    )
    assert summarize_pod(obj).detail == "Unschedulable: 0/3 nodes are available: 3 Insufficient memory."


def test_last_termination_reason_is_kept_for_crashloops() -> None:
    s = summarize_pod(pod(containers=[cs(waiting="CrashLoopBackOff", restarts=12, last="OOMKilled")]))
    assert s.last_termination == "OOMKilled"
    assert s.problem and not s.healthy


def test_health_is_running_or_completed_over_all() -> None:
    pods = [summarize_pod(pod(f"ok-{i}", uid=f"u{i}")) for i in range(104)]
    pods += [
        summarize_pod(
            pod(
                f"done-{i}",
                uid=f"d{i}",
                phase="Succeeded",
                containers=[cs(terminated="Completed", exit_code=0)],
            )
        )
        for i in range(0)
    ]
    pods += [
        summarize_pod(pod(f"bad-{i}", uid=f"b{i}", containers=[cs(waiting="CrashLoopBackOff")]))
        for i in range(34)
    ]
    t = totals(pods)
    assert t.health_text == "75% (104/138 pods)"
    assert t.not_running == 34
    assert t.by_status == {"Running": 104, "CrashLoopBackOff": 34}


def test_completed_pods_count_as_healthy_but_not_running() -> None:
    pods = [
        summarize_pod(pod("a")),
        summarize_pod(pod("b", phase="Succeeded", containers=[cs(terminated="Completed", exit_code=0)])),
    ]
    t = totals(pods)
    assert (t.healthy, t.running, t.not_running) == (2, 1, 0)


def test_problem_pods_sort_first_worst_first() -> None:
    rows = [
        summarize_pod(pod("zeta", uid="1")),
        summarize_pod(pod("pend", uid="2", phase="Pending", containers=[cs(waiting="ImagePullBackOff")])),
        summarize_pod(pod("crash", uid="3", containers=[cs(waiting="CrashLoopBackOff", restarts=2)])),
        summarize_pod(pod("alpha", uid="4")),
    ]
    assert [p.name for p in sort_pods(rows)] == ["crash", "pend", "alpha", "zeta"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("app in (web,api)", True),
        ("app notin (web)", False),
        ("tier", True),
        ("!tier", False),
        ("app=web,tier=front", True),
        ("app=web,tier=back", False),
        ("job-name in (a,b), app=web", False),
    ],
)
def test_label_selectors(selector: str, expected: bool) -> None:
    assert selector_matches(selector, {"app": "web", "tier": "front"}) is expected


@pytest.mark.parametrize("case", POD_CASES + WIDE_CASES, ids=lambda c: c.test)
def test_kubernetes_printer_cases(case: Case) -> None:
    """Kubernetes' own printPod test table: READY, STATUS and RESTARTS read exactly the same."""
    assert pod_status(case.pod, NOW) == case.columns
    summary = summarize_pod(case.pod)
    assert (summary.ready, summary.status, summary.restarts_text(NOW)) == case.columns
    assert summary.age(NOW) == case.cells[4]


@pytest.mark.parametrize(("seconds", "text"), DURATION_CASES)
def test_age_like_kubectl(seconds: float, text: str) -> None:
    """apimachinery's HumanDuration table: 5m30s, 90m, 3d2h, 2y1d, <invalid>."""
    assert human_duration(seconds) == text


def test_restarts_show_when_the_last_one_was() -> None:
    """'4 (20s ago)' moves with the clock: the summary keeps the time, not the text."""
    obj = pod(containers=[cs(running=True, ready=True, restarts=4)])
    obj["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-01-01T00:00:00Z"}
    }
    summary = summarize_pod(obj)
    start = summary.last_restart
    assert start is not None
    assert summary.restarts_text(start + 20) == "4 (20s ago)"
    assert summary.restarts_text(start + 330) == "4 (5m30s ago)"
    assert pod_status(obj, start + 3 * 86400 + 7200) == ("1/1", "Running", "4 (3d2h ago)")


def test_a_rendered_age_is_kept_only_while_its_text_stays() -> None:
    """A cached AGE/RESTARTS cell is reused only until kubectl's text would change: every second
    below 10 minutes (5m30s -> 5m31s), then at the next minute."""
    from cockpit.kubeprint import text_stable_until

    created = 1000.0
    for seconds in (5.2, 330.5, 599.0, 700.25, 5 * 86400 + 13.0):
        now = created + seconds
        until = text_stable_until(created, now)
        assert until > now
        assert human_duration(until - 0.001 - created) == human_duration(seconds)
    assert text_stable_until(created, created + 330.5) == created + 331.0
    assert text_stable_until(None, created) == float("inf")


def test_an_age_keeps_its_width_until_the_time_given() -> None:
    """Rows off screen are redrawn when their AGE / RESTARTS width changes, not every second: the
    width never changes before `width_stable_until`, and does change there (below 10 minutes)."""
    from cockpit.kubeprint import width_stable_until

    created = 1000.0
    for tenths in range(0, 7000, 3):
        now = created + tenths / 10
        until = width_stable_until(created, now)
        assert until > now
        width = len(human_duration(now - created))
        checks = [now + k * 0.5 for k in range(int((until - now) / 0.5))] + [until - 0.001]
        assert all(len(human_duration(t - created)) == width for t in checks), now
        if now - created < 600:
            assert len(human_duration(until - created)) != width
    assert width_stable_until(None, created) == float("inf")


def test_a_snapshot_of_pods_is_counted_once() -> None:
    from cockpit.cluster.pods import totals

    snapshot = tuple(summarize_pod(pod(f"p-{i}")) for i in range(3))
    first = totals(snapshot)
    assert totals(snapshot) is first and first.health_text == "100% (3/3 pods)"
    crashed = (*snapshot[:2], summarize_pod(pod("p-2", containers=[cs(waiting="CrashLoopBackOff")])))
    assert totals(crashed).health_text == "67% (2/3 pods)"
    assert totals(list(snapshot)).health_text == "100% (3/3 pods)"
