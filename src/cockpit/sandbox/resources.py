"""The resource types the sandbox serves: one `ResourceType` per REST resource, in `RESOURCES`.

Everything the API server needs to know about a type lives here: where it is served (group,
version, plural), how kubectl names it (kind, singular, short names, categories), what may be done
to it (verbs, subresources) and which field selectors a real server accepts for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict, Unpack

STANDARD_VERBS: tuple[str, ...] = (
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
)
BASE_FIELD_LABELS: tuple[str, ...] = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    categories: tuple[str, ...] = ()
    has_status: bool = True
    subresources: tuple[str, ...] = ()
    field_labels: tuple[str, ...] = ()  # beyond metadata.name / metadata.namespace
    custom: bool = False  # a CustomResourceDefinition: no strategic merge patch

    @property
    def api_version(self) -> str:
        """The apiVersion objects of this type carry: "v1" or "group/version"."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def qualified(self) -> str:
        """How a real server names the resource in messages: `jobs.batch`, `pods`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """How a real server names the kind in Invalid messages: `Job.batch`, `Pod`."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def supports_field(self, label: str) -> bool:
        return label in BASE_FIELD_LABELS or label in self.field_labels

    def __str__(self) -> str:
        return self.qualified


class _Options(TypedDict, total=False):
    """ResourceType's fields that have defaults, as keywords of `_core`."""

    short_names: tuple[str, ...]
    verbs: tuple[str, ...]
    categories: tuple[str, ...]
    has_status: bool
    subresources: tuple[str, ...]
    field_labels: tuple[str, ...]
    custom: bool


def _core(kind: str, plural: str, namespaced: bool = True, **kw: Unpack[_Options]) -> ResourceType:
    return ResourceType("", "v1", kind, plural, kind.lower(), namespaced, **kw)


_ALL = ("all",)
_POD_FIELDS = (
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
)
_EVENT_FIELDS = (
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
)

NAMESPACES = _core(
    "Namespace",
    "namespaces",
    False,
    short_names=("ns",),
    subresources=("status", "finalize"),
    field_labels=("status.phase",),
)
NODES = _core(
    "Node",
    "nodes",
    False,
    short_names=("no",),
    subresources=("status",),
    field_labels=("spec.unschedulable",),
)
PODS = _core(
    "Pod",
    "pods",
    short_names=("po",),
    categories=_ALL,
    subresources=("eviction", "exec", "log", "status"),
    field_labels=_POD_FIELDS,
)
EVENTS = _core("Event", "events", short_names=("ev",), has_status=False, field_labels=_EVENT_FIELDS)
SERVICES = _core("Service", "services", short_names=("svc",), categories=_ALL, subresources=("status",))
ENDPOINTS = _core("Endpoints", "endpoints", short_names=("ep",), has_status=False)
CONFIGMAPS = _core("ConfigMap", "configmaps", short_names=("cm",), has_status=False)
SECRETS = _core("Secret", "secrets", has_status=False, field_labels=("type",))
SERVICEACCOUNTS = _core("ServiceAccount", "serviceaccounts", short_names=("sa",), has_status=False)
PVCS = _core(
    "PersistentVolumeClaim", "persistentvolumeclaims", short_names=("pvc",), subresources=("status",)
)

DEPLOYMENTS = ResourceType(
    "apps",
    "v1",
    "Deployment",
    "deployments",
    "deployment",
    True,
    ("deploy",),
    categories=_ALL,
    subresources=("scale", "status"),
)
REPLICASETS = ResourceType(
    "apps",
    "v1",
    "ReplicaSet",
    "replicasets",
    "replicaset",
    True,
    ("rs",),
    categories=_ALL,
    subresources=("scale", "status"),
    field_labels=("status.replicas",),
)
STATEFULSETS = ResourceType(
    "apps",
    "v1",
    "StatefulSet",
    "statefulsets",
    "statefulset",
    True,
    ("sts",),
    categories=_ALL,
    subresources=("scale", "status"),
)
DAEMONSETS = ResourceType(
    "apps",
    "v1",
    "DaemonSet",
    "daemonsets",
    "daemonset",
    True,
    ("ds",),
    categories=_ALL,
    subresources=("status",),
)
JOBS = ResourceType(
    "batch",
    "v1",
    "Job",
    "jobs",
    "job",
    True,
    categories=_ALL,
    subresources=("status",),
    field_labels=("status.successful",),
)
CRONJOBS = ResourceType(
    "batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), categories=_ALL, subresources=("status",)
)
INGRESSES = ResourceType(
    "networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", True, ("ing",), subresources=("status",)
)
NETWORKPOLICIES = ResourceType(
    "networking.k8s.io",
    "v1",
    "NetworkPolicy",
    "networkpolicies",
    "networkpolicy",
    True,
    ("netpol",),
    has_status=False,
)

APPLICATIONS = ResourceType(
    "argoproj.io",
    "v1alpha1",
    "Application",
    "applications",
    "application",
    True,
    ("app", "apps"),
    custom=True,
)
CERTIFICATES = ResourceType(
    "cert-manager.io",
    "v1",
    "Certificate",
    "certificates",
    "certificate",
    True,
    ("cert", "certs"),
    categories=("cert-manager",),
    subresources=("status",),
    custom=True,
)
CERTIFICATEREQUESTS = ResourceType(
    "cert-manager.io",
    "v1",
    "CertificateRequest",
    "certificaterequests",
    "certificaterequest",
    True,
    ("cr", "crs"),
    categories=("cert-manager",),
    subresources=("status",),
    custom=True,
)
ISSUERS = ResourceType(
    "cert-manager.io",
    "v1",
    "Issuer",
    "issuers",
    "issuer",
    True,
    categories=("cert-manager",),
    subresources=("status",),
    custom=True,
)
CLUSTERISSUERS = ResourceType(
    "cert-manager.io",
    "v1",
    "ClusterIssuer",
    "clusterissuers",
    "clusterissuer",
    False,
    categories=("cert-manager",),
    subresources=("status",),
    custom=True,
)
ORDERS = ResourceType(
    "acme.cert-manager.io",
    "v1",
    "Order",
    "orders",
    "order",
    True,
    categories=("cert-manager", "cert-manager-acme"),
    subresources=("status",),
    custom=True,
)
CHALLENGES = ResourceType(
    "acme.cert-manager.io",
    "v1",
    "Challenge",
    "challenges",
    "challenge",
    True,
    categories=("cert-manager", "cert-manager-acme"),
    subresources=("status",),
    custom=True,
)
BACKUPS = ResourceType(
    "velero.io",
    "v1",
    "Backup",
    "backups",
    "backup",
    True,
    categories=("velero",),
    subresources=("status",),
    custom=True,
)
SCHEDULES = ResourceType(
    "velero.io",
    "v1",
    "Schedule",
    "schedules",
    "schedule",
    True,
    categories=("velero",),
    subresources=("status",),
    custom=True,
)
RESTORES = ResourceType(
    "velero.io",
    "v1",
    "Restore",
    "restores",
    "restore",
    True,
    categories=("velero",),
    subresources=("status",),
    custom=True,
)

SELFSUBJECTACCESSREVIEWS = ResourceType(
    "authorization.k8s.io",
    "v1",
    "SelfSubjectAccessReview",
    "selfsubjectaccessreviews",
    "selfsubjectaccessreview",
    False,
    verbs=("create",),
    has_status=False,
)

RESOURCES: tuple[ResourceType, ...] = (
    NAMESPACES,
    NODES,
    PODS,
    EVENTS,
    SERVICES,
    ENDPOINTS,
    CONFIGMAPS,
    SECRETS,
    SERVICEACCOUNTS,
    PVCS,
    DEPLOYMENTS,
    REPLICASETS,
    STATEFULSETS,
    DAEMONSETS,
    JOBS,
    CRONJOBS,
    INGRESSES,
    NETWORKPOLICIES,
    APPLICATIONS,
    CERTIFICATES,
    CERTIFICATEREQUESTS,
    ISSUERS,
    CLUSTERISSUERS,
    ORDERS,
    CHALLENGES,
    BACKUPS,
    SCHEDULES,
    RESTORES,
    SELFSUBJECTACCESSREVIEWS,
)

_BY_PATH: dict[tuple[str, str, str], ResourceType] = {(r.group, r.version, r.plural): r for r in RESOURCES}
_BY_KIND: dict[tuple[str, str], ResourceType] = {(r.api_version, r.kind): r for r in RESOURCES}


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    """The type served at /api(s)/group/version/plural, or None."""
    return _BY_PATH.get((group, version, plural))


def by_kind(api_version: str, kind: str) -> ResourceType | None:
    """The type of an object with this apiVersion and kind (as written in a manifest), or None."""
    return _BY_KIND.get((api_version, kind))


def by_name(name: str) -> ResourceType | None:
    """Resolve a name as kubectl would: plural, singular, short name or Kind, optionally `.group`."""
    lowered = name.lower()
    base, _, group = lowered.partition(".")
    for rt in RESOURCES:
        if group and rt.group != group:
            continue
        if base in (rt.plural, rt.singular, rt.kind.lower()) or base in rt.short_names:
            return rt
    return None


def group_versions() -> list[tuple[str, str]]:
    """(group, version) pairs in discovery order, core first."""
    seen: list[tuple[str, str]] = []
    for rt in RESOURCES:
        if (rt.group, rt.version) not in seen:
            seen.append((rt.group, rt.version))
    return seen
