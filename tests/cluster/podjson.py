"""Hand-written pod JSON builders shaped like what the API server returns."""

from __future__ import annotations

from typing import Any


def cs(
    name: str = "app",
    *,
    running: bool = False,
    ready: bool = False,
    waiting: str | None = None,
    terminated: str | None = None,
    exit_code: int = 1,
    signal: int = 0,
    restarts: int = 0,
    last: str | None = None,
    started: bool | None = None,
    message: str = "",
) -> dict[str, Any]:
    state: dict[str, Any] = {}
    if running:
        state["running"] = {"startedAt": "2025-10-24T10:00:00Z"}
    if waiting is not None:
        state["waiting"] = {"reason": waiting, "message": message}
    if terminated is not None:
        term: dict[str, Any] = {"exitCode": exit_code}
        if terminated:
            term["reason"] = terminated
        if signal:
            term["signal"] = signal
        state["terminated"] = term
    out: dict[str, Any] = {"name": name, "ready": ready, "restartCount": restarts, "state": state}
    if last is not None:
        out["lastState"] = {"terminated": {"reason": last, "exitCode": 137 if last == "OOMKilled" else 1}}
    if started is not None:
        out["started"] = started
    return out


def pod(
    name: str = "p",
    *,
    namespace: str = "data-platform",
    phase: str = "Running",
    containers: list[dict[str, Any]] | None = None,
    init: list[dict[str, Any]] | None = None,
    init_specs: list[dict[str, Any]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    deleting: bool = False,
    reason: str | None = None,
    labels: dict[str, str] | None = None,
    uid: str | None = None,
    node: str = "k8s-worker",
) -> dict[str, Any]:
    containers = containers if containers is not None else [cs(running=True, ready=True)]
    meta: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "uid": uid or f"uid-{name}",
        "creationTimestamp": "2025-10-24T09:00:00Z",
        "labels": labels or {"app": name.rsplit("-", 2)[0]},
        "resourceVersion": "1",
    }
    if deleting:
        meta["deletionTimestamp"] = "2025-10-24T10:00:00Z"
    status: dict[str, Any] = {"phase": phase, "containerStatuses": containers}
    if init is not None:
        status["initContainerStatuses"] = init
    if conditions is not None:
        status["conditions"] = conditions
    if reason:
        status["reason"] = reason
    spec: dict[str, Any] = {"containers": [{"name": c["name"]} for c in containers], "nodeName": node}
    if init is not None:
        spec["initContainers"] = init_specs or [{"name": c["name"]} for c in init]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}
