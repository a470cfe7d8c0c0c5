"""Workload objects (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob) from a scenario."""

from __future__ import annotations

import copy
from typing import Any

from cockpit.sandbox.world.names import rfc3339, template_hash
from cockpit.sandbox.world.pods import owner_ref
from cockpit.sandbox.world.scenario import CronJobSpec, JobSpec, WorkloadSpec

Obj = dict[str, Any]


def _memory_limit(request: str) -> str:
    for unit in ("Gi", "Mi"):
        if request.endswith(unit):
            return f"{int(float(request[: -len(unit)]) * 2)}{unit}"
    return request


def container(
    name: str,
    image: str,
    *,
    port: int | None,
    cpu: str = "100m",
    memory: str = "256Mi",
    env: dict[str, str] | None = None,
    pull_policy: str = "IfNotPresent",
    probes: bool = True,
) -> Obj:
    c: Obj = {"name": name, "image": image, "imagePullPolicy": pull_policy}
    c["env"] = [{"name": k, "value": v} for k, v in (env or {}).items()]
    c["env"].append(
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}
    )
    if port:
        c["ports"] = [
            {
                "containerPort": port,
                "name": "http" if port not in (53, 5432, 6379, 2181) else "tcp",
                "protocol": "UDP" if port == 53 else "TCP",
            }
        ]
        if probes and port not in (53,):
            probe = {
                "tcpSocket": {"port": port},
                "initialDelaySeconds": 10,
                "periodSeconds": 10,
                "timeoutSeconds": 1,
                "successThreshold": 1,
                "failureThreshold": 3,
            }
            c["readinessProbe"] = probe
            c["livenessProbe"] = {**probe, "initialDelaySeconds": 30}
    c["resources"] = {"limits": {"memory": _memory_limit(memory)}, "requests": {"cpu": cpu, "memory": memory}}
    c["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    c["volumeMounts"] = [{"mountPath": "/tmp", "name": "tmp"}]
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "File"
    return c


def _env_for(w: WorkloadSpec) -> dict[str, str]:
    env = {"TZ": "UTC"}
    if w.name.startswith("dolphinscheduler"):
        env.update(
            {
                "DATABASE": "postgresql",
                "SPRING_DATASOURCE_URL": "jdbc:postgresql://postgres-shared:5432/dolphinscheduler",
                "REGISTRY_ZOOKEEPER_CONNECT_STRING": "dolphinscheduler-zookeeper:2181",
                "JAVA_OPTS": "-Xms1g -Xmx2g",
            }
        )
    elif w.name.startswith("datahub"):
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVER": "datahub-kafka:9092",
                "ELASTICSEARCH_HOST": "elasticsearch-master",
                "ELASTICSEARCH_PORT": "9200",
                "EBEAN_DATASOURCE_HOST": "postgres-shared:5432",
            }
        )
    elif w.name.startswith("trino"):
        env.update({"TRINO_NODE_ENVIRONMENT": "production", "JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=80"})
    elif w.name.startswith("spark-history"):
        env.update({"SPARK_HISTORY_OPTS": "-Dspark.history.fs.logDirectory=s3a://spark-logs/events"})
    return env


def pod_template(w: WorkloadSpec) -> Obj:
    labels = {w.label: w.name, "app.kubernetes.io/name": w.name}
    if w.app:
        labels["app.kubernetes.io/instance"] = w.app
    spec: Obj = {
        "containers": [
            container(
                w.name,
                w.image,
                port=w.port,
                cpu=w.cpu,
                memory=w.memory,
                env=_env_for(w),
                pull_policy=w.pull_policy,
            )
        ],
        "serviceAccountName": w.name if w.kind != "Static" else "default",
        "volumes": [{"emptyDir": {}, "name": "tmp"}],
    }
    if w.node and w.kind != "Static":
        spec["nodeSelector"] = {"kubernetes.io/hostname": w.node}
    if w.kind == "DaemonSet":
        spec["tolerations"] = [{"operator": "Exists"}]
    return {"metadata": {"labels": labels}, "spec": spec}


def _meta(w: WorkloadSpec, created: float) -> Obj:
    labels = {w.label: w.name}
    if w.app:
        labels["app.kubernetes.io/instance"] = w.app
    annotations = {}
    if w.app:
        annotations["argocd.argoproj.io/tracking-id"] = f"{w.app}:apps/{w.kind}:{w.namespace}/{w.name}"
    return {
        "name": w.name,
        "namespace": w.namespace,
        "labels": labels,
        "annotations": annotations,
        "creationTimestamp": rfc3339(created),
    }


def deployment(w: WorkloadSpec, created: float) -> Obj:
    meta = _meta(w, created)
    meta["annotations"]["deployment.kubernetes.io/revision"] = "1"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": w.replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {w.label: w.name}},
            "strategy": {
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                "type": "RollingUpdate",
            },
            "template": pod_template(w),
        },
        "status": {},
    }


def replicaset(deploy: Obj, replicas: int, created: float, revision: int = 1) -> Obj:
    template = copy.deepcopy(deploy["spec"]["template"])
    hash_ = template_hash(template)
    template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = hash_
    selector = copy.deepcopy(deploy["spec"]["selector"])
    selector.setdefault("matchLabels", {})["pod-template-hash"] = hash_
    labels = dict(template["metadata"]["labels"])
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{deploy['metadata']['name']}-{hash_}",
            "namespace": deploy["metadata"]["namespace"],
            "labels": labels,
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(deploy["spec"].get("replicas", 1)),
                "deployment.kubernetes.io/max-replicas": str(int(deploy["spec"].get("replicas", 1)) + 1),
                "deployment.kubernetes.io/revision": str(revision),
            },
            "ownerReferences": [owner_ref(deploy)],
            "creationTimestamp": rfc3339(created),
        },
        "spec": {"replicas": replicas, "selector": selector, "template": template},
        "status": {"replicas": 0, "observedGeneration": 1},
    }


def statefulset(w: WorkloadSpec, created: float) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _meta(w, created),
        "spec": {
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "podManagementPolicy": "OrderedReady",
            "replicas": w.replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {w.label: w.name}},
            "serviceName": f"{w.name}-headless",
            "template": pod_template(w),
            "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
        },
        "status": {},
    }


def daemonset(w: WorkloadSpec, created: float) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": _meta(w, created),
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {w.label: w.name}},
            "template": pod_template(w),
            "updateStrategy": {
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
                "type": "RollingUpdate",
            },
        },
        "status": {},
    }


def revision_hash(owner: Obj) -> str:
    """controller-revision-hash of a StatefulSet/DaemonSet's current template."""
    return f"{owner['metadata']['name']}-{template_hash(owner['spec']['template'])}"


def job_template(name: str, image: str, app: str, command: list[str] | None = None) -> Obj:
    labels = {"app": name}
    if app:
        labels["app.kubernetes.io/instance"] = app
    c = container(name, image, port=None, cpu="250m", memory="512Mi", probes=False)
    if command:
        c["command"] = command
    return {
        "metadata": {"labels": labels},
        "spec": {"containers": [c], "restartPolicy": "Never", "volumes": [{"emptyDir": {}, "name": "tmp"}]},
    }


def job(
    name: str,
    namespace: str,
    template: Obj,
    created: float,
    *,
    backoff_limit: int = 6,
    owner: Obj | None = None,
    app: str = "",
) -> Obj:
    labels = dict(template.get("metadata", {}).get("labels") or {})
    meta: Obj = {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "creationTimestamp": rfc3339(created),
    }
    if app:
        meta["annotations"] = {"argocd.argoproj.io/tracking-id": f"{app}:batch/Job:{namespace}/{name}"}
    if owner is not None:
        meta["ownerReferences"] = [owner_ref(owner)]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {
            "backoffLimit": backoff_limit,
            "completionMode": "NonIndexed",
            "completions": 1,
            "manualSelector": False,
            "parallelism": 1,
            "podReplacementPolicy": "TerminatingOrFailed",
            "suspend": False,
            "template": copy.deepcopy(template),
        },
        "status": {},
    }


def with_job_selector(job_obj: Obj) -> Obj:
    """After creation: the controller-uid selector and labels a real API server adds to a Job."""
    uid = job_obj["metadata"]["uid"]
    name = job_obj["metadata"]["name"]
    extra = {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": name,
        "controller-uid": uid,
        "job-name": name,
    }
    job_obj["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = job_obj["spec"]["template"].setdefault("metadata", {}).setdefault("labels", {})
    labels.update(extra)
    job_obj["metadata"].setdefault("labels", {}).update(
        {
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": name,
            "controller-uid": uid,
            "job-name": name,
        }
    )
    return job_obj


def job_from_spec(j: JobSpec, created: float) -> Obj:
    command = ["/opt/dolphinscheduler/tools/bin/upgrade-schema.sh"] if "dolphinscheduler" in j.name else None
    return job(
        j.name,
        j.namespace,
        job_template(j.name, j.image, j.app, command),
        created,
        backoff_limit=j.backoff_limit,
        app=j.app,
    )


def cronjob(c: CronJobSpec, created: float) -> Obj:
    template = job_template(c.name, c.image, c.app, ["/app/bin/maintenance", c.name.removeprefix("iceberg-")])
    meta: Obj = {
        "name": c.name,
        "namespace": c.namespace,
        "labels": {"app": c.name},
        "creationTimestamp": rfc3339(created),
    }
    if c.app:
        meta["labels"]["app.kubernetes.io/instance"] = c.app
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta,
        "spec": {
            "concurrencyPolicy": "Forbid",
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {
                "metadata": {"labels": {"app": c.name}},
                "spec": {"backoffLimit": 3, "template": template},
            },
            "schedule": c.schedule,
            "successfulJobsHistoryLimit": 3,
            "suspend": False,
        },
        "status": {},
    }
