"""Server-side Table printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).

Columns and cell values follow the Kubernetes printers (pkg/printers/internalversion) for
built-in types, and each CRD's additionalPrinterColumns for custom resources, so `kubectl get`
prints what it prints against a real cluster. Ages and the pod columns come from
`cockpit.kubeprint`, the one port of kubectl's printing rules that the live panes use too (it
imports nothing of cockpit, so the sandbox stays independent of cockpit's layers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cockpit.kubeprint import human_duration, parse_time, pod_columns, since_text
from cockpit.sandbox import resources as r
from cockpit.sandbox.resources import ResourceType

Obj = dict[str, Any]
Column = tuple[str, str, int, str]  # (name, type, priority, description)
RowFn = Callable[[Obj, float], list[Any]]

NAME_COL: Column = ("Name", "string", 0, "Name must be unique within a namespace.")
AGE_COL: Column = (
    "Age",
    "string",
    0,
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
)


def age(obj: Obj, now: float) -> str:
    return since_text(obj["metadata"].get("creationTimestamp"), now)


def _spec(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def _status(obj: Obj) -> Obj:
    return obj.get("status") or {}


def _containers(obj: Obj) -> list[Obj]:
    pod_spec = (_spec(obj).get("template") or {}).get("spec") or {}
    if "jobTemplate" in _spec(obj):
        pod_spec = ((_spec(obj)["jobTemplate"].get("spec") or {}).get("template") or {}).get("spec") or {}
    return list(pod_spec.get("containers") or [])


def _names_images(obj: Obj) -> list[str]:
    cs = _containers(obj)
    return [",".join(str(c.get("name", "")) for c in cs), ",".join(str(c.get("image", "")) for c in cs)]


def _selector_text(selector: Obj | None) -> str:
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for e in selector.get("matchExpressions") or []:
        op = e.get("operator", "")
        if op in ("In", "NotIn"):
            parts.append(f"{e['key']} {op.lower()} ({','.join(e.get('values') or [])})")
        elif op == "Exists":
            parts.append(e["key"])
        else:
            parts.append(f"!{e['key']}")
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        parts = [f"{k}={v}" for k, v in selector.items()]
    return ",".join(parts) or "<none>"


# ---- pods ----------------------------------------------------------------------------------------


def pod_row(pod: Obj, now: float) -> list[Any]:
    """printPod: READY, STATUS (the reason a person needs), RESTARTS with '(Xm ago)', AGE; wide:
    IP, NODE, NOMINATED NODE, READINESS GATES."""
    spec, status = _spec(pod), _status(pod)
    cols = pod_columns(pod)
    ips = status.get("podIPs") or []
    pod_ip = (ips[0].get("ip") if ips else None) or status.get("podIP") or "<none>"
    gates = spec.get("readinessGates") or []
    gate_text = "<none>"
    if gates:
        conds: dict[Any, Any] = {}
        for c in status.get("conditions") or []:
            conds.setdefault(c.get("type"), c.get("status"))
        true = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
        gate_text = f"{true}/{len(gates)}"
    return [
        pod["metadata"]["name"],
        cols.ready,
        cols.status,
        cols.restarts_text(now),
        age(pod, now),
        pod_ip,
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gate_text,
    ]


POD_COLS: list[Column] = [
    NAME_COL,
    ("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
    ("Status", "string", 0, "The aggregate status of the containers in this pod."),
    (
        "Restarts",
        "string",
        0,
        "The number of times the containers in this pod have been restarted and when "
        "the last container in this pod has restarted.",
    ),
    AGE_COL,
    ("IP", "string", 1, "IP address allocated to the pod. Routable at least within the cluster."),
    ("Node", "string", 1, "NodeName is a request to schedule this pod onto a specific node."),
    (
        "Nominated Node",
        "string",
        1,
        "nominatedNodeName is set only when this pod preempts other pods on the node.",
    ),
    (
        "Readiness Gates",
        "string",
        1,
        "If specified, all readiness gates will be evaluated for pod readiness.",
    ),
]

# ---- workloads -----------------------------------------------------------------------------------


def deployment_row(d: Obj, now: float) -> list[Any]:
    st = _status(d)
    desired = _spec(d).get("replicas", 1)
    return [
        d["metadata"]["name"],
        f"{st.get('readyReplicas', 0)}/{desired}",
        st.get("updatedReplicas", 0),
        st.get("availableReplicas", 0),
        age(d, now),
        *_names_images(d),
        _selector_text(_spec(d).get("selector")),
    ]


def replicaset_row(rs: Obj, now: float) -> list[Any]:
    st = _status(rs)
    return [
        rs["metadata"]["name"],
        _spec(rs).get("replicas", 1),
        st.get("replicas", 0),
        st.get("readyReplicas", 0),
        age(rs, now),
        *_names_images(rs),
        _selector_text(_spec(rs).get("selector")),
    ]


def statefulset_row(s: Obj, now: float) -> list[Any]:
    st = _status(s)
    return [
        s["metadata"]["name"],
        f"{st.get('readyReplicas', 0)}/{_spec(s).get('replicas', 1)}",
        age(s, now),
        *_names_images(s),
    ]


def daemonset_row(d: Obj, now: float) -> list[Any]:
    st = _status(d)
    node_sel = ((_spec(d).get("template") or {}).get("spec") or {}).get("nodeSelector") or {}
    return [
        d["metadata"]["name"],
        st.get("desiredNumberScheduled", 0),
        st.get("currentNumberScheduled", 0),
        st.get("numberReady", 0),
        st.get("updatedNumberScheduled", 0),
        st.get("numberAvailable", 0),
        ",".join(f"{k}={v}" for k, v in node_sel.items()) or "<none>",
        age(d, now),
        *_names_images(d),
        _selector_text(_spec(d).get("selector")),
    ]


def _job_status(job: Obj) -> str:
    """printJob's STATUS: Complete, Failed, Terminating, Suspended, FailureTarget,
    SuccessCriteriaMet, else Running (a condition type counts by its first entry)."""
    conds: dict[Any, Any] = {}
    for c in _status(job).get("conditions") or []:
        conds.setdefault(c.get("type"), c.get("status"))
    for kind in ("Complete", "Failed"):
        if conds.get(kind) == "True":
            return kind
    if job["metadata"].get("deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if conds.get(kind) == "True":
            return kind
    return "Running"


def job_row(job: Obj, now: float) -> list[Any]:
    spec, st = _spec(job), _status(job)
    completions = spec.get("completions")
    if completions is not None:
        done = f"{st.get('succeeded', 0)}/{completions}"
    else:
        parallelism = spec.get("parallelism", 1)
        done = (
            f"{st.get('succeeded', 0)}/1 of {parallelism}"
            if parallelism > 1
            else f"{st.get('succeeded', 0)}/1"
        )
    start, end = parse_time(st.get("startTime")), parse_time(st.get("completionTime"))
    duration = "" if start is None else human_duration((end if end is not None else now) - start)
    return [
        job["metadata"]["name"],
        _job_status(job),
        done,
        duration,
        age(job, now),
        *_names_images(job),
        _selector_text(spec.get("selector")),
    ]


def cronjob_row(cj: Obj, now: float) -> list[Any]:
    spec, st = _spec(cj), _status(cj)
    last = st.get("lastScheduleTime")
    return [
        cj["metadata"]["name"],
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        "True" if spec.get("suspend") else "False",
        len(st.get("active") or []),
        since_text(last, now) if last else "<none>",
        age(cj, now),
        *_names_images(cj),
        _selector_text((spec.get("jobTemplate") or {}).get("spec", {}).get("selector")),
    ]


# ---- core ----------------------------------------------------------------------------------------


def namespace_row(ns: Obj, now: float) -> list[Any]:
    return [ns["metadata"]["name"], _status(ns).get("phase", "Active"), age(ns, now)]


def node_row(node: Obj, now: float) -> list[Any]:
    st = _status(node)
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    state = "Ready" if conds.get("Ready") == "True" else "NotReady" if "Ready" in conds else "Unknown"
    if _spec(node).get("unschedulable"):
        state += ",SchedulingDisabled"
    prefix = "node-role.kubernetes.io/"
    roles = sorted(k[len(prefix) :] for k in (node["metadata"].get("labels") or {}) if k.startswith(prefix))
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses") or []}
    info = st.get("nodeInfo") or {}
    return [
        node["metadata"]["name"],
        state,
        ",".join(roles) or "<none>",
        age(node, now),
        info.get("kubeletVersion", ""),
        addrs.get("InternalIP", "<none>"),
        addrs.get("ExternalIP", "<none>"),
        info.get("osImage", "<unknown>"),
        info.get("kernelVersion", "<unknown>"),
        info.get("containerRuntimeVersion", "<unknown>"),
    ]


def event_row(ev: Obj, now: float) -> list[Any]:
    obj = ev.get("involvedObject") or {}
    last = ev.get("lastTimestamp") or ev.get("eventTime") or ev["metadata"].get("creationTimestamp")
    first = ev.get("firstTimestamp") or ev.get("eventTime") or ev["metadata"].get("creationTimestamp")
    count = int(ev.get("count") or 1)
    last_seen = since_text(last, now)
    if count > 1:
        last_seen = f"{last_seen} (x{count} over {since_text(first, now)})"
    source = (ev.get("source") or {}).get("component") or ev.get("reportingComponent") or ""
    host = (ev.get("source") or {}).get("host")
    if host:
        source = f"{source}, {host}"
    return [
        last_seen,
        ev.get("type", ""),
        ev.get("reason", ""),
        f"{obj.get('kind', '').lower()}/{obj.get('name', '')}",
        obj.get("fieldPath", ""),
        source,
        ev.get("message", ""),
        since_text(first, now),
        count,
        ev["metadata"]["name"],
    ]


def service_row(svc: Obj, now: float) -> list[Any]:
    spec = _spec(svc)
    kind = spec.get("type", "ClusterIP")
    ingress = (_status(svc).get("loadBalancer") or {}).get("ingress") or []
    external = ",".join(i.get("ip") or i.get("hostname", "") for i in ingress) or (
        ",".join(spec.get("externalIPs") or []) or ("<pending>" if kind == "LoadBalancer" else "<none>")
    )
    if kind == "ExternalName":
        external = spec.get("externalName", "")
    ports = []
    for p in spec.get("ports") or []:
        text = f"{p.get('port')}"
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        ports.append(f"{text}/{p.get('protocol', 'TCP')}")
    return [
        svc["metadata"]["name"],
        kind,
        spec.get("clusterIP") or "<none>",
        external,
        ",".join(ports) or "<none>",
        age(svc, now),
        _selector_text(spec.get("selector")),
    ]


def endpoints_row(ep: Obj, now: float) -> list[Any]:
    """printEndpoints: up to three ip:port pairs, then '+ N more...'."""
    pairs: list[str] = []
    count = 0
    for subset in ep.get("subsets") or []:
        ports = subset.get("ports") or []
        for addr in subset.get("addresses") or []:
            for port in ports or [{}]:
                count += 1
                if len(pairs) < 3:
                    ip = addr.get("ip", "")
                    pairs.append(f"{ip}:{port['port']}" if "port" in port else ip)
    text = ",".join(pairs) or "<none>"
    if count > 3:
        text += f" + {count - 3} more..."
    return [ep["metadata"]["name"], text, age(ep, now)]


def configmap_row(cm: Obj, now: float) -> list[Any]:
    return [cm["metadata"]["name"], len(cm.get("data") or {}) + len(cm.get("binaryData") or {}), age(cm, now)]


def secret_row(s: Obj, now: float) -> list[Any]:
    return [
        s["metadata"]["name"],
        s.get("type", "Opaque"),
        len(s.get("data") or {}) + len(s.get("stringData") or {}),
        age(s, now),
    ]


def serviceaccount_row(sa: Obj, now: float) -> list[Any]:
    return [sa["metadata"]["name"], len(sa.get("secrets") or []), age(sa, now)]


def pvc_row(pvc: Obj, now: float) -> list[Any]:
    spec, st = _spec(pvc), _status(pvc)
    return [
        pvc["metadata"]["name"],
        st.get("phase", "Pending"),
        spec.get("volumeName", ""),
        (st.get("capacity") or {}).get("storage", ""),
        ",".join(_short_modes(st.get("accessModes") or [])),
        spec.get("storageClassName") or "<unset>",
        "<unset>",
        age(pvc, now),
        spec.get("volumeMode", "Filesystem"),
    ]


def _short_modes(modes: list[str]) -> list[str]:
    short = {
        "ReadWriteOnce": "RWO",
        "ReadOnlyMany": "ROX",
        "ReadWriteMany": "RWX",
        "ReadWriteOncePod": "RWOP",
    }
    return [short.get(m, m) for m in modes]


def ingress_row(ing: Obj, now: float) -> list[Any]:
    spec = _spec(ing)
    hosts = [rule.get("host", "") for rule in spec.get("rules") or [] if rule.get("host")]
    lb = (_status(ing).get("loadBalancer") or {}).get("ingress") or []
    ports = "80, 443" if spec.get("tls") else "80"
    return [
        ing["metadata"]["name"],
        spec.get("ingressClassName") or "<none>",
        ",".join(hosts) or "*",
        ",".join(i.get("ip") or i.get("hostname", "") for i in lb),
        ports,
        age(ing, now),
    ]


def netpol_row(np: Obj, now: float) -> list[Any]:
    sel = _selector_text(_spec(np).get("podSelector"))
    return [np["metadata"]["name"], "<none>" if sel == "<none>" else sel, age(np, now)]


# ---- custom resources (their CRDs' additionalPrinterColumns) -------------------------------------


def _condition(obj: Obj, kind: str, field: str = "status") -> str:
    for c in _status(obj).get("conditions") or []:
        if c.get("type") == kind:
            return str(c.get(field, ""))
    return ""


def _path(obj: Obj, *keys: str) -> Any:
    node: Any = obj
    for key in keys:
        if not isinstance(node, dict):
            return ""
        node = node.get(key)
    return "" if node is None else node


def application_row(app: Obj, now: float) -> list[Any]:
    return [
        app["metadata"]["name"],
        _path(app, "status", "sync", "status"),
        _path(app, "status", "health", "status"),
        _path(app, "status", "sync", "revision"),
    ]


def certificate_row(c: Obj, now: float) -> list[Any]:
    return [
        c["metadata"]["name"],
        _condition(c, "Ready"),
        _path(c, "spec", "secretName"),
        _path(c, "spec", "issuerRef", "name"),
        _condition(c, "Ready", "message"),
        age(c, now),
    ]


def certificaterequest_row(c: Obj, now: float) -> list[Any]:
    return [
        c["metadata"]["name"],
        _condition(c, "Approved"),
        _condition(c, "Denied"),
        _condition(c, "Ready"),
        _path(c, "spec", "issuerRef", "name"),
        _path(c, "spec", "username"),
        _condition(c, "Ready", "message"),
        age(c, now),
    ]


def issuer_row(i: Obj, now: float) -> list[Any]:
    return [i["metadata"]["name"], _condition(i, "Ready"), _condition(i, "Ready", "message"), age(i, now)]


def order_row(o: Obj, now: float) -> list[Any]:
    return [
        o["metadata"]["name"],
        _path(o, "status", "state"),
        _path(o, "spec", "issuerRef", "name"),
        _path(o, "status", "reason"),
        age(o, now),
    ]


def challenge_row(c: Obj, now: float) -> list[Any]:
    return [
        c["metadata"]["name"],
        _path(c, "status", "state"),
        _path(c, "spec", "dnsName"),
        _path(c, "status", "reason"),
        age(c, now),
    ]


def schedule_row(s: Obj, now: float) -> list[Any]:
    last = _path(s, "status", "lastBackup")
    paused = _path(s, "spec", "paused")
    return [
        s["metadata"]["name"],
        _path(s, "status", "phase"),
        _path(s, "spec", "schedule"),
        since_text(last, now) if last else "",
        age(s, now),
        "" if paused == "" else str(paused).lower(),
    ]


def plain_row(o: Obj, now: float) -> list[Any]:
    return [o["metadata"]["name"], age(o, now)]


def _c(name: str, priority: int = 0, kind: str = "string") -> Column:
    return (name, kind, priority, "")


_WORKLOAD_WIDE = [_c("Containers", 1), _c("Images", 1), _c("Selector", 1)]

TABLES: dict[ResourceType, tuple[list[Column], RowFn]] = {
    r.PODS: (POD_COLS, pod_row),
    r.NAMESPACES: ([NAME_COL, _c("Status"), AGE_COL], namespace_row),
    r.NODES: (
        [
            NAME_COL,
            _c("Status"),
            _c("Roles"),
            AGE_COL,
            _c("Version"),
            _c("Internal-IP", 1),
            _c("External-IP", 1),
            _c("OS-Image", 1),
            _c("Kernel-Version", 1),
            _c("Container-Runtime", 1),
        ],
        node_row,
    ),
    r.EVENTS: (
        [
            _c("Last Seen"),
            _c("Type"),
            _c("Reason"),
            _c("Object"),
            _c("Subobject", 1),
            _c("Source", 1),
            _c("Message"),
            _c("First Seen", 1),
            _c("Count", 1, "integer"),
            _c("Name", 1),
        ],
        event_row,
    ),
    r.SERVICES: (
        [
            NAME_COL,
            _c("Type"),
            _c("Cluster-IP"),
            _c("External-IP"),
            _c("Port(s)"),
            AGE_COL,
            _c("Selector", 1),
        ],
        service_row,
    ),
    r.ENDPOINTS: ([NAME_COL, _c("Endpoints"), AGE_COL], endpoints_row),
    r.CONFIGMAPS: ([NAME_COL, _c("Data", 0, "integer"), AGE_COL], configmap_row),
    r.SECRETS: ([NAME_COL, _c("Type"), _c("Data", 0, "integer"), AGE_COL], secret_row),
    r.SERVICEACCOUNTS: ([NAME_COL, _c("Secrets", 0, "integer"), AGE_COL], serviceaccount_row),
    r.PVCS: (
        [
            NAME_COL,
            _c("Status"),
            _c("Volume"),
            _c("Capacity"),
            _c("Access Modes"),
            _c("StorageClass"),
            _c("VolumeAttributesClass"),
            AGE_COL,
            _c("VolumeMode", 1),
        ],
        pvc_row,
    ),
    r.DEPLOYMENTS: (
        [
            NAME_COL,
            _c("Ready"),
            _c("Up-to-date", 0, "integer"),
            _c("Available", 0, "integer"),
            AGE_COL,
            *_WORKLOAD_WIDE,
        ],
        deployment_row,
    ),
    r.REPLICASETS: (
        [
            NAME_COL,
            _c("Desired", 0, "integer"),
            _c("Current", 0, "integer"),
            _c("Ready", 0, "integer"),
            AGE_COL,
            *_WORKLOAD_WIDE,
        ],
        replicaset_row,
    ),
    r.STATEFULSETS: ([NAME_COL, _c("Ready"), AGE_COL, _c("Containers", 1), _c("Images", 1)], statefulset_row),
    r.DAEMONSETS: (
        [
            NAME_COL,
            _c("Desired", 0, "integer"),
            _c("Current", 0, "integer"),
            _c("Ready", 0, "integer"),
            _c("Up-to-date", 0, "integer"),
            _c("Available", 0, "integer"),
            _c("Node Selector"),
            AGE_COL,
            *_WORKLOAD_WIDE,
        ],
        daemonset_row,
    ),
    r.JOBS: ([NAME_COL, _c("Status"), _c("Completions"), _c("Duration"), AGE_COL, *_WORKLOAD_WIDE], job_row),
    r.CRONJOBS: (
        [
            NAME_COL,
            _c("Schedule"),
            _c("Timezone"),
            _c("Suspend", 0, "boolean"),
            _c("Active", 0, "integer"),
            _c("Last Schedule"),
            AGE_COL,
            *_WORKLOAD_WIDE,
        ],
        cronjob_row,
    ),
    r.INGRESSES: ([NAME_COL, _c("Class"), _c("Hosts"), _c("Address"), _c("Ports"), AGE_COL], ingress_row),
    r.NETWORKPOLICIES: ([NAME_COL, _c("Pod-Selector"), AGE_COL], netpol_row),
    r.APPLICATIONS: ([NAME_COL, _c("Sync Status"), _c("Health Status"), _c("Revision", 10)], application_row),
    r.CERTIFICATES: (
        [NAME_COL, _c("Ready"), _c("Secret"), _c("Issuer", 1), _c("Status", 1), _c("Age", 0, "date")],
        certificate_row,
    ),
    r.CERTIFICATEREQUESTS: (
        [
            NAME_COL,
            _c("Approved"),
            _c("Denied"),
            _c("Ready"),
            _c("Issuer"),
            _c("Requestor"),
            _c("Status", 1),
            _c("Age", 0, "date"),
        ],
        certificaterequest_row,
    ),
    r.ISSUERS: ([NAME_COL, _c("Ready"), _c("Status", 1), _c("Age", 0, "date")], issuer_row),
    r.CLUSTERISSUERS: ([NAME_COL, _c("Ready"), _c("Status", 1), _c("Age", 0, "date")], issuer_row),
    r.ORDERS: ([NAME_COL, _c("State"), _c("Issuer", 1), _c("Reason", 1), _c("Age", 0, "date")], order_row),
    r.CHALLENGES: (
        [NAME_COL, _c("State"), _c("Domain"), _c("Reason", 1), _c("Age", 0, "date")],
        challenge_row,
    ),
    r.SCHEDULES: (
        [
            NAME_COL,
            _c("Status"),
            _c("Schedule"),
            _c("LastBackup", 0, "date"),
            _c("Age", 0, "date"),
            _c("Paused", 0, "boolean"),
        ],
        schedule_row,
    ),
}


def columns_for(rt: ResourceType) -> list[Obj]:
    cols, _ = TABLES.get(rt, ([NAME_COL, _c("Age", 0, "date") if rt.custom else AGE_COL], plain_row))
    out = []
    for name, kind, priority, description in cols:
        col: Obj = {
            "name": name,
            "type": kind,
            "format": "name" if (name, priority) == ("Name", 0) else "",
            "description": description,
            "priority": priority,
        }
        out.append(col)
    return out


def row_for(rt: ResourceType, obj: Obj, now: float) -> list[Any]:
    _, fn = TABLES.get(rt, ([], plain_row))
    return fn(obj, now)


def partial_metadata(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}


def table_row(rt: ResourceType, obj: Obj, now: float, include: str = "Metadata") -> Obj:
    row: Obj = {"cells": row_for(rt, obj, now)}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = partial_metadata(obj)
    return row
