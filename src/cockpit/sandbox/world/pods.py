"""Pod objects and the container states a kubelet reports for them.

`new_pod` makes a Pending pod from a pod template; the `set_*` functions move it through the states
`kubectl get pods` shows: Pending, ContainerCreating, Running, Error, CrashLoopBackOff,
ErrImagePull, ImagePullBackOff, Completed.
"""

from __future__ import annotations

import copy
from typing import Any

from cockpit.kubeprint import pod_columns
from cockpit.sandbox.world.names import rfc3339

Obj = dict[str, Any]
KUBELET_MAX_BACKOFF = 300.0


def backoff_delay(consecutive_failures: int) -> float:
    """Kubelet's restart (and image pull) back-off: 10s, 20s, 40s ... capped at 5 minutes."""
    if consecutive_failures <= 0:
        return 0.0
    return min(10.0 * 2 ** min(consecutive_failures - 1, 10), KUBELET_MAX_BACKOFF)


def backoff_text(seconds: float) -> str:
    seconds = int(seconds)
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def owner_ref(owner: Obj, *, controller: bool = True) -> Obj:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def default_tolerations() -> list[Obj]:
    """The tolerations the DefaultTolerationSeconds admission plugin adds to every pod."""
    return [
        {
            "effect": "NoExecute",
            "key": f"node.kubernetes.io/{taint}",
            "operator": "Exists",
            "tolerationSeconds": 300,
        }
        for taint in ("not-ready", "unreachable")
    ]


def service_account_volume(name: str) -> Obj:
    """The projected service-account token volume the ServiceAccount admission plugin adds."""
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {
                    "downwardAPI": {
                        "items": [
                            {
                                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                "path": "namespace",
                            }
                        ]
                    }
                },
            ],
        },
    }


def service_account_mount(volume: str) -> Obj:
    return {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": volume, "readOnly": True}


def ready_conditions(scheduled: str, started: str) -> list[Obj]:
    """The conditions of a pod whose containers all run and are ready (RFC 3339 stamps)."""
    return [
        {"lastProbeTime": None, "lastTransitionTime": at, "status": "True", "type": kind}
        for kind, at in (
            ("PodReadyToStartContainers", started),
            ("Initialized", scheduled),
            ("Ready", started),
            ("ContainersReady", started),
            ("PodScheduled", scheduled),
        )
    ]


def new_pod(
    template: Obj,
    name: str,
    namespace: str,
    owner: Obj | None,
    created: float,
    *,
    extra_labels: dict[str, str] | None = None,
    node: str | None = None,
    restart_policy: str | None = None,
) -> Obj:
    """A Pending pod (not scheduled unless `node`) built from a pod template."""
    meta = copy.deepcopy(template.get("metadata") or {})
    spec = copy.deepcopy(template.get("spec") or {})
    labels = dict(meta.get("labels") or {})
    labels.update(extra_labels or {})
    metadata: Obj = {"name": name, "namespace": namespace, "labels": labels}
    if meta.get("annotations"):
        metadata["annotations"] = dict(meta["annotations"])
    if owner is not None:
        metadata["generateName"] = name.rsplit("-", 1)[0] + "-"
        metadata["ownerReferences"] = [owner_ref(owner)]
    metadata["creationTimestamp"] = rfc3339(created)
    for c in spec.get("containers", []):
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("imagePullPolicy", "IfNotPresent")
    spec.setdefault("restartPolicy", restart_policy or "Always")
    if restart_policy:
        spec["restartPolicy"] = restart_policy
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    spec.setdefault("tolerations", default_tolerations())
    volumes = spec.setdefault("volumes", [])
    token_volume = f"kube-api-access-{name[-5:]}"
    volumes.append(service_account_volume(token_volume))
    for c in spec.get("containers", []):
        c.setdefault("volumeMounts", []).append(service_account_mount(token_volume))
    if node:
        spec["nodeName"] = node
    pod: Obj = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
    pod["status"] = {"phase": "Pending", "qosClass": _qos(spec)}
    return pod


def _qos(spec: Obj) -> str:
    containers = spec.get("containers", [])
    if not any(
        (c.get("resources") or {}).get("requests") or (c.get("resources") or {}).get("limits")
        for c in containers
    ):
        return "BestEffort"
    for c in containers:
        res = c.get("resources") or {}
        if res.get("requests") != res.get("limits") or not res.get("limits"):
            return "Burstable"
    return "Guaranteed"


def _condition(
    kind: str, status: bool, at: float, reason: str | None = None, message: str | None = None
) -> Obj:
    cond: Obj = {
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(at),
        "status": "True" if status else "False",
        "type": kind,
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def set_unschedulable(pod: Obj, at: float, message: str) -> None:
    pod["status"] = {
        "conditions": [_condition("PodScheduled", False, at, "Unschedulable", message)],
        "phase": "Pending",
        "qosClass": pod["status"].get("qosClass", "Burstable"),
    }


def bind(pod: Obj, node: str, host_ip: str, pod_ip: str, at: float) -> None:
    """Scheduled on a node, containers being created."""
    pod["spec"]["nodeName"] = node
    status = pod.setdefault("status", {})
    status.update(
        {
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "startTime": rfc3339(at),
            "phase": "Pending",
        }
    )
    _set_conditions(pod, at, ready=False, initialized=True, sandbox=True)
    status["containerStatuses"] = [
        {
            "image": c["image"],
            "imageID": "",
            "lastState": {},
            "name": c["name"],
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {"waiting": {"reason": "ContainerCreating"}},
        }
        for c in pod["spec"].get("containers", [])
    ]


def _set_conditions(
    pod: Obj, at: float, *, ready: bool, initialized: bool = True, sandbox: bool = True
) -> None:
    status = pod["status"]
    old = {c["type"]: c for c in status.get("conditions", [])}

    def cond(kind: str, value: bool, reason: str | None = None) -> Obj:
        prev = old.get(kind)
        if prev is not None and prev.get("status") == ("True" if value else "False"):
            return prev
        return _condition(kind, value, at, reason)

    not_ready = None if ready else "ContainersNotReady"
    status["conditions"] = [
        cond("PodReadyToStartContainers", sandbox),
        cond("Initialized", initialized),
        cond("Ready", ready, not_ready),
        cond("ContainersReady", ready, not_ready),
        cond("PodScheduled", True),
    ]
    if not ready:
        names = ",".join(c["name"] for c in pod["spec"].get("containers", []))
        for c in status["conditions"]:
            if c["type"] in ("Ready", "ContainersReady") and c["status"] == "False":
                c["message"] = f"containers with unready status: [{names}]"


def _container(pod: Obj) -> Obj:
    return pod["status"]["containerStatuses"][0]


def set_running(pod: Obj, at: float, *, ready: bool, container_id: str, image_id: str) -> None:
    cs = _container(pod)
    cs.update(
        {
            "containerID": container_id,
            "imageID": image_id,
            "ready": ready,
            "started": True,
            "state": {"running": {"startedAt": rfc3339(at)}},
        }
    )
    pod["status"]["phase"] = "Running"
    _set_conditions(pod, at, ready=ready)


def set_ready(pod: Obj, at: float) -> None:
    _container(pod)["ready"] = True
    _set_conditions(pod, at, ready=True)


def set_crashed(pod: Obj, at: float, exit_code: int, reason: str = "Error") -> None:
    """The container exited; a kubelet with restartPolicy Always will restart it after a back-off."""
    cs = _container(pod)
    running = cs.get("state", {}).get("running", {})
    cs["state"] = {
        "terminated": {
            "containerID": cs.get("containerID", ""),
            "exitCode": exit_code,
            "finishedAt": rfc3339(at),
            "reason": reason,
            "startedAt": running.get("startedAt", rfc3339(at)),
        }
    }
    cs["ready"] = False
    cs["started"] = False
    _set_conditions(pod, at, ready=False)


def set_crash_backoff(pod: Obj, delay: float) -> None:
    cs = _container(pod)
    terminated = cs.get("state", {}).get("terminated")
    if terminated:
        cs["lastState"] = {"terminated": terminated}
    cs["state"] = {
        "waiting": {
            "message": f"back-off {backoff_text(delay)} restarting failed container={cs['name']} "
            f"pod={pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata'].get('uid', '')})",
            "reason": "CrashLoopBackOff",
        }
    }


def restart(pod: Obj, at: float, *, container_id: str, image_id: str) -> None:
    cs = _container(pod)
    terminated = cs.get("state", {}).get("terminated") or cs.get("lastState", {}).get("terminated")
    if terminated:
        cs["lastState"] = {"terminated": terminated}
    cs["restartCount"] = int(cs.get("restartCount", 0)) + 1
    set_running(pod, at, ready=False, container_id=container_id, image_id=image_id)


def set_pull_failed(pod: Obj, reason: str, message: str) -> None:
    cs = _container(pod)
    cs["state"] = {"waiting": {"message": message, "reason": reason}}
    cs["ready"] = False
    cs["started"] = False


def set_finished(
    pod: Obj, at: float, *, exit_code: int, started: float, container_id: str, image_id: str
) -> None:
    """A run-to-completion container ended: phase Succeeded (exit 0) or Failed."""
    cs = _container(pod)
    reason = "Completed" if exit_code == 0 else "Error"
    cs.update(
        {
            "containerID": container_id,
            "imageID": image_id,
            "ready": False,
            "started": False,
            "state": {
                "terminated": {
                    "containerID": container_id,
                    "exitCode": exit_code,
                    "finishedAt": rfc3339(at),
                    "reason": reason,
                    "startedAt": rfc3339(started),
                }
            },
        }
    )
    pod["status"]["phase"] = "Succeeded" if exit_code == 0 else "Failed"
    _set_conditions(pod, at, ready=False, sandbox=False)
    for c in pod["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c["reason"] = "PodCompleted"
            c.pop("message", None)


def display_status(pod: Obj) -> str:
    """The STATUS column of `kubectl get pods` (what the operator sees): kubectl's own rule."""
    return pod_columns(pod).status


def is_ready(pod: Obj) -> bool:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False
