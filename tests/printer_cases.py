"""Kubernetes' own printPod test cases, ported from pkg/printers/internalversion/printers_test.go
(TestPrintPod, TestPrintPodWithRestartableInitContainer, TestPrintPodwide, TestPrintPodConditions,
TestPrintPodList, TestPrintNonTerminatedPod) as API JSON, with the cells kubectl expects.

The Go tests build pods with `time.Now().Add(-10 * time.Second)`; here every stamp is relative to
NOW, and an absent creationTimestamp prints <unknown> exactly as in the Go expectations. Both the live
pane (`cockpit.cluster.pods.pod_status`) and the sandbox's Table rows (`cockpit.sandbox.tables`) are
tested against these same cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z

Obj = dict[str, Any]


def stamp(seconds_ago: float) -> str:
    return datetime.fromtimestamp(NOW - seconds_ago, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def running() -> Obj:
    return {"running": {}}


def waiting(reason: str = "") -> Obj:
    return {"waiting": {"reason": reason} if reason else {}}


def terminated(reason: str = "", exit_code: int = 0) -> Obj:
    term: Obj = {"exitCode": exit_code}
    if reason:
        term["reason"] = reason
    return {"terminated": term}


def status(
    *,
    name: str = "",
    ready: bool = False,
    restarts: int = 0,
    state: Obj | None = None,
    finished_ago: float | None = None,
    started: bool | None = None,
) -> Obj:
    """A ContainerStatus; `finished_ago` is the lastState.terminated.finishedAt, seconds before NOW."""
    out: Obj = {"name": name, "ready": ready, "restartCount": restarts, "image": "", "imageID": ""}
    out["state"] = state or {}
    if finished_ago is not None:
        out["lastState"] = {"terminated": {"exitCode": 0, "finishedAt": stamp(finished_ago)}}
    if started is not None:
        out["started"] = started
    return out


def containers(n: int) -> list[Obj]:
    return [{"name": "", "image": ""} for _ in range(n)]


SIDECARS = [
    {"name": "restartable-init-1", "image": "", "restartPolicy": "Always"},
    {"name": "restartable-init-2", "image": "", "restartPolicy": "Always"},
]


def pod(
    name: str,
    *,
    spec: Obj,
    phase: str = "",
    reason: str = "",
    cstatuses: list[Obj] | None = None,
    istatuses: list[Obj] | None = None,
    conditions: list[Obj] | None = None,
    deleted_ago: float | None = None,
    extra_status: Obj | None = None,
) -> Obj:
    meta: Obj = {"name": name, "namespace": "default", "uid": f"uid-{name}"}
    if deleted_ago is not None:
        meta["deletionTimestamp"] = stamp(deleted_ago)
    st: Obj = {}
    if phase:
        st["phase"] = phase
    if reason:
        st["reason"] = reason
    if conditions:
        st["conditions"] = conditions
    if istatuses is not None:
        st["initContainerStatuses"] = istatuses
    if cstatuses is not None:
        st["containerStatuses"] = cstatuses
    st.update(extra_status or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": st}


@dataclass(frozen=True)
class Case:
    test: str  # the Go test and row it comes from
    pod: Obj
    cells: tuple[str, ...]  # NAME, READY, STATUS, RESTARTS, AGE (+ IP, NODE, NOMINATED, GATES when wide)

    @property
    def columns(self) -> tuple[str, str, str]:
        """(READY, STATUS, RESTARTS)."""
        return self.cells[1], self.cells[2], self.cells[3]


def _two_running_three_restarts(second: Obj | None = None) -> list[Obj]:
    return [
        status(ready=True, restarts=3, state=running()),
        second if second is not None else status(restarts=3),
    ]


_TEST_PRINT_POD = [
    Case(
        "TestPrintPod/test1 name, containers, restarts, ready",
        pod(
            "test1",
            spec={"containers": containers(2)},
            phase="podPhase",
            cstatuses=_two_running_three_restarts(),
        ),
        ("test1", "1/2", "podPhase", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test2 container error overwrites pod phase",
        pod(
            "test2",
            spec={"containers": containers(2)},
            phase="podPhase",
            cstatuses=_two_running_three_restarts(
                status(restarts=3, state=waiting("ContainerWaitingReason"))
            ),
        ),
        ("test2", "1/2", "ContainerWaitingReason", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test3 the first container overwrites the rest",
        pod(
            "test3",
            spec={"containers": containers(2)},
            phase="podPhase",
            cstatuses=[
                status(restarts=3, state=waiting("ContainerWaitingReason")),
                status(restarts=3, state=terminated("ContainerTerminatedReason")),
            ],
        ),
        ("test3", "0/2", "ContainerWaitingReason", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test4 ready is not enough for reporting running",
        pod(
            "test4",
            spec={"containers": containers(2)},
            phase="podPhase",
            cstatuses=_two_running_three_restarts(status(ready=True, restarts=3)),
        ),
        ("test4", "1/2", "podPhase", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test5 pod reason wins over phase",
        pod(
            "test5",
            spec={"containers": containers(2)},
            phase="podPhase",
            reason="podReason",
            cstatuses=_two_running_three_restarts(status(ready=True, restarts=3)),
        ),
        ("test5", "1/2", "podReason", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test6 running + completed without Ready condition",
        pod(
            "test6",
            spec={"containers": containers(2)},
            phase="Running",
            cstatuses=[
                status(ready=True, restarts=3, state=terminated("Completed", 0)),
                status(ready=True, restarts=3, state=running()),
            ],
        ),
        ("test6", "1/2", "NotReady", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test6 running + completed with Ready condition",
        pod(
            "test6",
            spec={"containers": containers(2)},
            phase="Running",
            cstatuses=[
                status(ready=True, restarts=3, state=terminated("Completed", 0)),
                status(ready=True, restarts=3, state=running()),
            ],
            conditions=[{"type": "Ready", "status": "True", "lastProbeTime": stamp(0)}],
        ),
        ("test6", "1/2", "Running", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test7 one init container restarting",
        pod(
            "test7",
            spec={"initContainers": containers(1), "containers": containers(1)},
            phase="podPhase",
            istatuses=[status(restarts=3, state=running(), finished_ago=10)],
            cstatuses=[status(state=waiting())],
        ),
        ("test7", "0/1", "Init:0/1", "3 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test8 two init containers, one restarting",
        pod(
            "test8",
            spec={"initContainers": containers(2), "containers": containers(1)},
            phase="podPhase",
            istatuses=[
                status(restarts=3, state=running(), finished_ago=10),
                status(state=waiting()),
            ],
            cstatuses=[status(state=waiting())],
        ),
        ("test8", "0/1", "Init:0/2", "3 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test9 init completed without restarts, second restarting",
        pod(
            "test9",
            spec={"initContainers": containers(2), "containers": containers(1)},
            phase="podPhase",
            istatuses=[
                status(state=terminated()),
                status(restarts=3, state=running(), finished_ago=10),
            ],
            cstatuses=[status(state=waiting())],
        ),
        ("test9", "0/1", "Init:1/2", "3 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test10 init completed with restarts, second restarting",
        pod(
            "test10",
            spec={"initContainers": containers(2), "containers": containers(1)},
            phase="podPhase",
            istatuses=[
                status(restarts=2, state=terminated(), finished_ago=120),
                status(restarts=3, state=running(), finished_ago=10),
            ],
            cstatuses=[status(state=waiting())],
        ),
        ("test10", "0/1", "Init:1/2", "5 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test11 init completed with restarts, container restarting",
        pod(
            "test11",
            spec={"initContainers": containers(1), "containers": containers(1)},
            phase="Running",
            istatuses=[status(restarts=2, state=terminated(), finished_ago=120)],
            cstatuses=[status(restarts=4, state=running(), finished_ago=20)],
        ),
        ("test11", "0/1", "Running", "4 (20s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test12 restarted 5d ago",
        pod(
            "test12",
            spec={"containers": containers(1)},
            phase="Running",
            cstatuses=[status(ready=True, restarts=3, state=running(), finished_ago=5 * 86400)],
        ),
        ("test12", "1/1", "Running", "3 (5d ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test13 one never restarted, one 10d ago",
        pod(
            "test13",
            spec={"containers": containers(2)},
            phase="Running",
            cstatuses=[
                status(ready=True, state=running()),
                status(ready=True, restarts=3, state=running(), finished_ago=10 * 86400),
            ],
        ),
        ("test13", "2/2", "Running", "3 (10d ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test14 5d and 20d ago: the latest counts",
        pod(
            "test14",
            spec={"containers": containers(2)},
            phase="Running",
            cstatuses=[
                status(ready=True, restarts=6, state=running(), finished_ago=5 * 86400),
                status(ready=True, restarts=3, state=running(), finished_ago=20 * 86400),
            ],
        ),
        ("test14", "2/2", "Running", "9 (5d ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test15 SchedulingGated",
        pod(
            "test15",
            spec={"containers": containers(2)},
            phase="podPhase",
            conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
        ),
        ("test15", "0/2", "SchedulingGated", "0", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test16 succeeded",
        pod(
            "test16",
            spec={"containers": containers(1)},
            phase="Succeeded",
            cstatuses=[status(state=terminated("Completed", 0))],
        ),
        ("test16", "0/1", "Completed", "0", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test17 failed",
        pod(
            "test17",
            spec={"containers": containers(1)},
            phase="Failed",
            cstatuses=[status(state=terminated("Error", 1))],
        ),
        ("test17", "0/1", "Error", "0", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test18 succeeded pod being deleted is not Terminating",
        pod(
            "test18",
            spec={"containers": containers(1)},
            phase="Succeeded",
            deleted_ago=10,
            cstatuses=[status(state=terminated("Completed", 0))],
        ),
        ("test18", "0/1", "Completed", "0", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test19 running pod being deleted",
        pod(
            "test19",
            spec={"containers": containers(1)},
            phase="Running",
            deleted_ago=10,
            cstatuses=[status(state=running())],
        ),
        ("test19", "0/1", "Terminating", "0", "<unknown>"),
    ),
    Case(
        "TestPrintPod/test20 pending pod being deleted",
        pod("test20", spec={"containers": containers(1)}, phase="Pending", deleted_ago=10),
        ("test20", "0/1", "Terminating", "0", "<unknown>"),
    ),
]

_SIDECAR_SPEC = {"initContainers": SIDECARS, "containers": containers(1)}

_TEST_RESTARTABLE_INIT = [
    Case(
        "TestPrintPodWithRestartableInitContainer/first running but not started",
        pod(
            "test1",
            spec=_SIDECAR_SPEC,
            phase="Pending",
            istatuses=[
                status(
                    name="restartable-init-1", restarts=3, state=running(), started=False, finished_ago=10
                ),
                status(name="restartable-init-2", state=waiting(), started=False),
            ],
            cstatuses=[status(state=waiting())],
            conditions=[{"type": "Initialized", "status": "False"}],
        ),
        ("test1", "0/3", "Init:0/2", "3 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPodWithRestartableInitContainer/first started, second running but not started",
        pod(
            "test1",
            spec=_SIDECAR_SPEC,
            phase="Pending",
            istatuses=[
                status(name="restartable-init-1", restarts=3, state=running(), started=True, finished_ago=10),
                status(name="restartable-init-2", state=running(), started=False),
            ],
            cstatuses=[status(state=waiting())],
            conditions=[{"type": "Initialized", "status": "False"}],
        ),
        ("test1", "0/3", "Init:1/2", "3 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPodWithRestartableInitContainer/two sidecars started, container running",
        pod(
            "test2",
            spec=_SIDECAR_SPEC,
            phase="Running",
            istatuses=[
                status(name="restartable-init-1", restarts=3, state=running(), started=True, finished_ago=10),
                status(name="restartable-init-2", state=running(), started=True),
            ],
            cstatuses=[status(ready=True, restarts=4, state=running(), finished_ago=20)],
            conditions=[{"type": "Initialized", "status": "True"}],
        ),
        ("test2", "1/3", "Running", "7 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPodWithRestartableInitContainer/sidecars exited non-zero, container completed",
        pod(
            "test3",
            spec=_SIDECAR_SPEC,
            phase="Succeeded",
            istatuses=[
                status(
                    name="restartable-init-1",
                    restarts=3,
                    state=terminated("Error", 137),
                    started=False,
                    finished_ago=10,
                ),
                status(name="restartable-init-2", state=terminated("Error", 137), started=False),
            ],
            cstatuses=[status(restarts=4, state=terminated("Completed", 0), finished_ago=20)],
            conditions=[{"type": "Initialized", "status": "True"}],
        ),
        ("test3", "0/3", "Completed", "7 (10s ago)", "<unknown>"),
    ),
    Case(
        "TestPrintPodWithRestartableInitContainer/statuses of containers not in the spec",
        pod(
            "test4",
            spec={
                "initContainers": [
                    {"name": "init1", "image": "initimage"},
                    {"name": "sidecar1", "image": "sidecarimage", "restartPolicy": "Always"},
                ],
                "containers": [{"name": "container1", "image": "containerimage"}],
            },
            phase="Running",
            istatuses=[status(name="initinvalid"), status(name="init1"), status(name="sidecar1")],
            cstatuses=[status(name="containerinvalid"), status(name="container1")],
        ),
        ("test4", "0/2", "Init:0/2", "0", "<unknown>"),
    ),
]

_GATES = [{"conditionType": "condition1"}, {"conditionType": "condition2"}, {"conditionType": "condition3"}]
_GATE_CONDITIONS = [
    {"type": "condition1", "status": "False"},
    {"type": "condition2", "status": "True"},
]

WIDE_CASES = [
    Case(
        "TestPrintPodwide/node and pod IP set",
        pod(
            "test1",
            spec={"containers": containers(2), "nodeName": "test1", "readinessGates": _GATES},
            phase="podPhase",
            conditions=_GATE_CONDITIONS,
            cstatuses=_two_running_three_restarts(),
            extra_status={"podIPs": [{"ip": "1.1.1.1"}], "nominatedNodeName": "node1"},
        ),
        ("test1", "1/2", "podPhase", "6", "<unknown>", "1.1.1.1", "test1", "node1", "1/3"),
    ),
    Case(
        "TestPrintPodwide/dual stack shows the first IP",
        pod(
            "test1",
            spec={"containers": containers(2), "nodeName": "test1", "readinessGates": _GATES},
            phase="podPhase",
            conditions=_GATE_CONDITIONS,
            cstatuses=_two_running_three_restarts(),
            extra_status={"podIPs": [{"ip": "1.1.1.1"}, {"ip": "2001:db8::"}], "nominatedNodeName": "node1"},
        ),
        ("test1", "1/2", "podPhase", "6", "<unknown>", "1.1.1.1", "test1", "node1", "1/3"),
    ),
    Case(
        "TestPrintPodwide/node and pod IP none",
        pod(
            "test2",
            spec={"containers": containers(2)},
            phase="podPhase",
            cstatuses=_two_running_three_restarts(
                status(restarts=3, state=waiting("ContainerWaitingReason"))
            ),
        ),
        ("test2", "1/2", "ContainerWaitingReason", "6", "<unknown>", "<none>", "<none>", "<none>", "<none>"),
    ),
]

_TEST_CONDITIONS = [
    Case(
        f"TestPrintPodConditions/{phase}",
        pod(name, spec={"containers": containers(2)}, phase=phase, cstatuses=_two_running_three_restarts()),
        (name, "1/2", phase, "6", "<unknown>"),
    )
    for name, phase in (("test1", "Running"), ("test1", "Succeeded"), ("test2", "Failed"))
]

_TEST_LIST = [
    Case(
        "TestPrintPodList/test1",
        pod(
            "test1",
            spec={"containers": containers(2)},
            phase="podPhase",
            cstatuses=_two_running_three_restarts(status(ready=True, restarts=3, state=running())),
        ),
        ("test1", "2/2", "podPhase", "6", "<unknown>"),
    ),
    Case(
        "TestPrintPodList/test2",
        pod(
            "test2",
            spec={"containers": containers(1)},
            phase="podPhase",
            cstatuses=[status(ready=True, restarts=1, state=running())],
        ),
        ("test2", "1/1", "podPhase", "1", "<unknown>"),
    ),
]

_TEST_NON_TERMINATED = [
    Case(
        f"TestPrintNonTerminatedPod/{phase}",
        pod(
            name,
            spec={"containers": containers(2)},
            phase=phase,
            cstatuses=_two_running_three_restarts(
                status(ready=True, restarts=3) if phase == "Failed" else None
            ),
        ),
        (name, "1/2", phase, "6", "<unknown>"),
    )
    for name, phase in (
        ("test1", "Running"),
        ("test2", "Pending"),
        ("test3", "Unknown"),
        ("test4", "Succeeded"),
        ("test5", "Failed"),
    )
]

POD_CASES = _TEST_PRINT_POD + _TEST_RESTARTABLE_INIT + _TEST_CONDITIONS + _TEST_LIST + _TEST_NON_TERMINATED

# apimachinery's duration_test.go: TestHumanDuration and TestHumanDurationBoundaries, seconds -> text.
_MS = 0.001
_H = 3600
_D = 24 * _H
_Y = 365 * _D
DURATION_CASES = [
    (1, "1s"),
    (70, "70s"),
    (190, "3m10s"),
    (70 * 60, "70m"),
    (47 * _H, "47h"),
    (49 * _H, "2d1h"),
    ((8 * 24 + 2) * _H, "8d"),
    (367 * _D, "367d"),
    ((365 * 2 * 24 + 25) * _H, "2y1d"),
    ((365 * 8 * 24 + 2) * _H, "8y"),
    (-2, "<invalid>"),
    (-2 + 1e-9, "0s"),
    (0, "0s"),
    (1 - _MS, "0s"),
    (120 - _MS, "119s"),
    (120, "2m"),
    (121, "2m1s"),
    (600 - _MS, "9m59s"),
    (600, "10m"),
    (601, "10m"),
    (3 * _H - _MS, "179m"),
    (3 * _H, "3h"),
    (3 * _H + 60, "3h1m"),
    (8 * _H - _MS, "7h59m"),
    (8 * _H, "8h"),
    (8 * _H + 59 * 60, "8h"),
    (2 * _D - _MS, "47h"),
    (2 * _D, "2d"),
    (2 * _D + _H, "2d1h"),
    (8 * _D - _MS, "7d23h"),
    (8 * _D, "8d"),
    (8 * _D + 23 * _H, "8d"),
    (2 * _Y - _MS, "729d"),
    (2 * _Y, "2y"),
    (2 * _Y + 23 * _H, "2y"),
    (2 * _Y + 23 * _H + 59 * 60, "2y"),
    (2 * _Y + _D - _MS, "2y"),
    (2 * _Y + _D, "2y1d"),
    (3 * _Y, "3y"),
    (7 * _Y, "7y"),
    (8 * _Y - _MS, "7y364d"),
    (8 * _Y, "8y"),
    (8 * _Y + 364 * _D, "8y"),
    (9 * _Y, "9y"),
]
