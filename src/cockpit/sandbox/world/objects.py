"""Plain cluster objects: namespaces, nodes, services, config maps, secrets, ingresses, policies."""

from __future__ import annotations

import base64
from typing import Any

from cockpit.sandbox.world.fields import Fields
from cockpit.sandbox.world.names import rfc3339
from cockpit.sandbox.world.scenario import NodeSpec, Scenario

Obj = dict[str, Any]


def namespace(name: str, created: float) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/metadata.name": name},
            "creationTimestamp": rfc3339(created),
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def node(n: NodeSpec, scenario: Scenario, created: float, now: float, image_sizes: dict[str, int]) -> Obj:
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
    }
    for role in n.roles:
        labels[f"node-role.kubernetes.io/{role}"] = ""
    memory_ki = _ki(n.memory)
    heartbeat = rfc3339(now - 17)
    since = rfc3339(created + 40)
    spec: Obj = {"podCIDR": f"{n.pod_subnet}.0/24", "podCIDRs": [f"{n.pod_subnet}.0/24"]}
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": n.name,
            "labels": labels,
            "annotations": {
                "flannel.alpha.coreos.com/public-ip": n.address,
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": rfc3339(created),
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"address": n.address, "type": "InternalIP"},
                {"address": n.name, "type": "Hostname"},
            ],
            "allocatable": {
                "cpu": n.cpu,
                "ephemeral-storage": "452695013856",
                "hugepages-2Mi": "0",
                "memory": f"{memory_ki - 102400}Ki",
                "pods": "110",
            },
            "capacity": {
                "cpu": n.cpu,
                "ephemeral-storage": "491203072Ki",
                "hugepages-2Mi": "0",
                "memory": f"{memory_ki}Ki",
                "pods": "110",
            },
            "conditions": [
                {
                    "lastHeartbeatTime": heartbeat,
                    "lastTransitionTime": since,
                    "message": msg,
                    "reason": reason,
                    "status": status,
                    "type": kind,
                }
                for kind, status, reason, msg in conditions
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [{"names": [image], "sizeBytes": size} for image, size in image_sizes.items()],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": "",
                "containerRuntimeVersion": "containerd://1.7.22",
                "kernelVersion": "6.8.0-47-generic",
                "kubeProxyVersion": scenario.version,
                "kubeletVersion": scenario.version,
                "machineID": "",
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.1 LTS",
                "systemUUID": "",
            },
        },
    }


def _ki(quantity: str) -> int:
    units = {"Ki": 1, "Mi": 1024, "Gi": 1024 * 1024, "Ti": 1024**3}
    for unit, factor in units.items():
        if quantity.endswith(unit):
            return int(float(quantity[: -len(unit)]) * factor)
    return int(quantity) // 1024


def service(
    name: str,
    ns: str,
    port: int,
    selector: dict[str, str] | None,
    cluster_ip: str,
    created: float,
    target: int | None = None,
    app: str = "",
) -> Obj:
    meta: Obj = {"name": name, "namespace": ns, "creationTimestamp": rfc3339(created)}
    if selector:
        meta["labels"] = dict(selector)
    if app:
        meta.setdefault("labels", {})["app.kubernetes.io/instance"] = app
    spec: Obj = {
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": [
            {
                "name": "dns" if port == 53 else ("https" if port == 443 else "http"),
                "port": port,
                "protocol": "UDP" if port == 53 else "TCP",
                "targetPort": target or port,
            }
        ],
        "sessionAffinity": "None",
        "type": "ClusterIP",
    }
    if selector:
        spec["selector"] = dict(selector)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


def configmap(ns: str, name: str, data: dict[str, str], created: float) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(created)},
        "data": data,
    }


def secret(ns: str, name: str, data: dict[str, str], created: float, kind: str = "Opaque") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(created)},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
        "type": kind,
    }


def tls_secret(ns: str, name: str, host: str, created: float, issuer: str) -> Obj:
    obj = secret(
        ns,
        name,
        {
            "tls.crt": f"-----BEGIN CERTIFICATE-----\n{host}\n-----END CERTIFICATE-----\n",
            "tls.key": "-----BEGIN PRIVATE KEY-----\nsandbox\n-----END PRIVATE KEY-----\n",
        },
        created,
        "kubernetes.io/tls",
    )
    obj["metadata"]["annotations"] = {
        "cert-manager.io/alt-names": host,
        "cert-manager.io/certificate-name": name.removesuffix("-secret"),
        "cert-manager.io/common-name": host,
        "cert-manager.io/issuer-kind": "ClusterIssuer",
        "cert-manager.io/issuer-name": issuer,
    }
    return obj


def ingress(f: Fields, scenario: Scenario, created: float) -> Obj:
    ns, name = f.req("namespace", str), f.req("name", str)
    host = f.req("host", str)
    port = f.req("port", int)
    annotations = {
        "cert-manager.io/cluster-issuer": scenario.issuer,
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
    }
    spec: Obj = {
        "ingressClassName": "nginx",
        "rules": [
            {
                "host": host,
                "http": {
                    "paths": [
                        {
                            "backend": {"service": {"name": f.req("service", str), "port": {"number": port}}},
                            "path": "/",
                            "pathType": "Prefix",
                        }
                    ]
                },
            }
        ],
    }
    if f.has("tls"):
        spec["tls"] = [{"hosts": [host], "secretName": f.req("tls", str)}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": ns,
            "annotations": annotations,
            "creationTimestamp": rfc3339(created),
        },
        "spec": spec,
        "status": {"loadBalancer": {"ingress": [{"ip": scenario.ingress_ip}]}},
    }


def network_policy(f: Fields, created: float) -> Obj:
    ns, name = f.req("namespace", str), f.req("name", str)
    selector = f.str_map("pod_selector")
    spec: Obj = {
        "podSelector": {"matchLabels": selector} if selector else {},
        "policyTypes": f.strings("policy_types") or ["Ingress"],
    }
    peers: list[Obj] = [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": n}}}
        for n in f.strings("from_namespaces")
    ]
    if f.has("from_pods"):
        peers.append({"podSelector": {"matchLabels": f.str_map("from_pods")}})
    ports = f.data.get("ingress_ports") or []
    if peers or ports:
        rule: Obj = {}
        if peers:
            rule["from"] = peers
        if ports:
            rule["ports"] = [{"port": int(p), "protocol": "TCP"} for p in ports]
        spec["ingress"] = [rule]
    egress_ports = f.data.get("egress_ports") or []
    to = [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": n}}}
        for n in f.strings("to_namespaces")
    ]
    if egress_ports or to:
        rule = {}
        if to:
            rule["to"] = to
        if egress_ports:
            proto = ["UDP", "TCP"] if egress_ports == [53] else ["TCP"]
            rule["ports"] = [{"port": int(p), "protocol": pr} for p in egress_ports for pr in proto]
        spec["egress"] = [rule]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(created)},
        "spec": spec,
    }
