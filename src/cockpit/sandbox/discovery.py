"""Discovery documents: legacy (/api, /apis, /api/v1, /apis/G/V) and aggregated
(apidiscovery.k8s.io v2 / v2beta1), built from the resource registry."""

from __future__ import annotations

from typing import Any

from cockpit.sandbox.resources import RESOURCES, ResourceType, group_versions

Obj = dict[str, Any]
SUB_VERBS = ["get", "patch", "update"]
AGGREGATED_VERSIONS = ("v2", "v2beta1")


def _sub_kind(rt: ResourceType, sub: str) -> tuple[str, str, str]:
    if sub == "scale":
        return "autoscaling", "v1", "Scale"
    if sub == "log":
        return "", "v1", rt.kind
    if sub == "exec":
        return "", "v1", "PodExecOptions"
    if sub == "eviction":
        return "policy", "v1", "Eviction"
    return rt.group, rt.version, rt.kind


def _sub_verbs(sub: str) -> list[str]:
    if sub == "log":
        return ["get"]
    if sub == "exec":
        return ["create", "get"]
    if sub == "eviction":
        return ["create"]
    if sub == "finalize":
        return ["update"]
    return list(SUB_VERBS)


def resource_list(group: str, version: str) -> Obj | None:
    """APIResourceList for one group/version, or None if not served."""
    items: list[Obj] = []
    for rt in RESOURCES:
        if (rt.group, rt.version) != (group, version):
            continue
        entry: Obj = {
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": list(rt.verbs),
        }
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        items.append(entry)
        for sub in rt.subresources:
            sub_group, sub_version, sub_kind = _sub_kind(rt, sub)
            item: Obj = {
                "name": f"{rt.plural}/{sub}",
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": sub_kind,
                "verbs": _sub_verbs(sub),
            }
            if sub in ("scale", "eviction"):
                item["group"], item["version"] = sub_group, sub_version
            items.append(item)
    if not items:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": items,
    }


def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(group: str) -> Obj:
    versions = [{"groupVersion": f"{g}/{v}", "version": v} for g, v in group_versions() if g == group]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group(group: str) -> Obj | None:
    if not any(g == group for g, _ in group_versions()) or not group:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(group)}


def api_group_list() -> Obj:
    groups: list[str] = []
    for g, _ in group_versions():
        if g and g not in groups:
            groups.append(g)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(g) for g in groups]}


def _aggregated_resource(rt: ResourceType) -> Obj:
    entry: Obj = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    subs = []
    for sub in rt.subresources:
        g, v, k = _sub_kind(rt, sub)
        subs.append(
            {
                "subresource": sub,
                "responseKind": {"group": g, "version": v, "kind": k},
                "verbs": _sub_verbs(sub),
            }
        )
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(core: bool, version: str) -> Obj:
    """APIGroupDiscoveryList for /api (core) or /apis (every named group)."""
    items: list[Obj] = []
    for g, v in group_versions():
        if bool(g) == core:
            continue
        resources = [_aggregated_resource(rt) for rt in RESOURCES if (rt.group, rt.version) == (g, v)]
        existing = next((i for i in items if i["metadata"]["name"] == g), None)
        version_doc = {"version": v, "resources": resources, "freshness": "Current"}
        if existing:
            existing["versions"].append(version_doc)
        else:
            items.append({"metadata": {"name": g, "creationTimestamp": None}, "versions": [version_doc]})
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }


def aggregated_version(accept: str) -> str | None:
    """Which aggregated discovery version the Accept header asks for first, if any."""
    for part in accept.split(","):
        params = dict(p.strip().split("=", 1) for p in part.split(";")[1:] if "=" in p)
        if (
            params.get("g") == "apidiscovery.k8s.io"
            and params.get("as") == "APIGroupDiscoveryList"
            and params.get("v") in AGGREGATED_VERSIONS
        ):
            return params["v"]
    return None


def aggregated_content_type(version: str) -> str:
    return f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
