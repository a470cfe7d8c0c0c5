"""A minimal OpenAPI v3: enough for kubectl (create/apply -f) to see that the server validates
fields itself (the `fieldValidation` query parameter on every PATCH), so kubectl sends
`fieldValidation=Strict` instead of downloading schemas. No object schemas are served."""

from __future__ import annotations

import hashlib
from typing import Any

from cockpit.sandbox.resources import RESOURCES, group_versions

Obj = dict[str, Any]
_PARAMS = [
    {"name": name, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
    for name in ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")
]


def _prefix(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def openapi_v3_index() -> Obj:
    paths = {}
    for group, version in group_versions():
        prefix = _prefix(group, version)
        digest = hashlib.sha512(prefix.encode()).hexdigest()[:64].upper()
        paths[prefix] = {"serverRelativeURL": f"/openapi/v3/{prefix}?hash={digest}"}
    return {"paths": paths}


def openapi_v3_document(prefix: str) -> Obj | None:
    """The document for one group/version path ("api/v1", "apis/apps/v1"), or None."""
    paths: Obj = {}
    for rt in RESOURCES:
        if _prefix(rt.group, rt.version) != prefix:
            continue
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        scope = "/namespaces/{namespace}" if rt.namespaced else ""
        item = f"/{prefix}{scope}/{rt.plural}/{{name}}"
        operation = {
            "operationId": f"patch{rt.kind}",
            "parameters": _PARAMS,
            "responses": {"200": {"description": "OK"}},
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": gvk,
        }
        paths[item] = {"patch": operation}
    if not paths:
        return None
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.31.4"},
        "paths": paths,
        "components": {"schemas": {}},
    }
