"""The API's writes: create, replace, patch (merge, JSON, strategic, apply), delete (single and
collection, with propagation), eviction, and the /scale and /status subresources; each answered as
a real server does.

Every write honours `dryRun=All` (the query parameter, or DeleteOptions' `dryRun: ["All"]`) as a
real API server does: the same checks and errors, the would-be object in the answer, and nothing
changed: no stored object, no resourceVersion, no watch event, so no controller of the world reacts
(`kubectl ... --dry-run=server`, `kubectl diff`). Any other dryRun value is refused with 422.
"""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from cockpit.sandbox import errors, tables
from cockpit.sandbox.errors import ApiError
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.patch import json_patch, merge_patch, strategic_merge
from cockpit.sandbox.query import parse_bool
from cockpit.sandbox.reply import Route, json_response, selectors_of
from cockpit.sandbox.resources import NAMESPACES, PODS, SERVICES, ResourceType
from cockpit.sandbox.store import Store, clone, timestamp

Obj = dict[str, Any]
RETURNS_DELETED_OBJECT = {PODS, SERVICES, NAMESPACES}


def _dry_run(values: list[str], options: str) -> bool:
    """dryRun as the server validates it: empty (a real write), ["All"], or refused."""
    values = [v for v in values if v != ""]
    if not values:
        return False
    if all(v == "All" for v in values):
        return True
    shown = ", ".join(f'"{v}"' for v in values)
    why = f'Unsupported value: []string{{{shown}}}: supported values: "All"'
    raise ApiError(
        422,
        "Invalid",
        f'{options}.meta.k8s.io "" is invalid: dryRun: {why}',
        {
            "group": "meta.k8s.io",
            "kind": options,
            "causes": [{"reason": "FieldValueNotSupported", "message": why, "field": "dryRun"}],
        },
    )


def dry_run_param(req: Request, options: str) -> bool:
    return _dry_run(req.query.get("dryRun") or [], options)


class Writes:
    def __init__(self, store: Store, pod_shutdown: float = 1.0) -> None:
        """pod_shutdown: how long a pod deleted with a grace period stays Terminating."""
        self.store = store
        self.pod_shutdown = pod_shutdown

    def _ensure_namespace(self, namespace: str | None) -> None:
        if namespace and not self.store.exists(NAMESPACES, None, namespace):
            raise errors.namespace_not_found(namespace)

    def body(self, req: Request) -> Any:
        if not req.body:
            raise errors.bad_request("the body of the request was empty")
        try:
            if "yaml" in req.header("content-type"):
                return yaml.safe_load(req.body)
            return orjson.loads(req.body)
        except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
            raise errors.bad_request(f"the body of the request could not be decoded: {exc}") from None

    def check_kind(self, rt: ResourceType, obj: Any) -> Obj:
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request must be a JSON object")
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if api_version and api_version != rt.api_version:
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match the expected "
                f"API version ({rt.api_version})"
            )
        if kind and kind != rt.kind:
            raise errors.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
            )
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        return obj

    def _check_namespace(self, route: Route, obj: Obj) -> None:
        body_ns = obj["metadata"].get("namespace")
        if route.rt.namespaced and body_ns and route.namespace and body_ns != route.namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )

    def create(self, req: Request, route: Route) -> Response:
        rt = route.rt
        if route.rt.namespaced and route.namespace is None:
            raise errors.method_not_allowed()
        obj = self.check_kind(rt, self.body(req))
        self._check_namespace(route, obj)
        self._ensure_namespace(route.namespace)
        for server_owned in (
            "creationTimestamp",
            "uid",
            "resourceVersion",
            "generation",
            "deletionTimestamp",
        ):
            obj["metadata"].pop(server_owned, None)  # a real server sets these itself
        dry = dry_run_param(req, "CreateOptions")
        created = self.store.create(rt, obj, route.namespace, copy=False, dry_run=dry)
        return json_response(created, 201)

    def _keep_parts(self, route: Route, old: Obj, new: Obj) -> Obj:
        """A write to the main resource leaves status alone (when status is a subresource);
        a write to /status changes only status."""
        if route.subresource == "status":
            result = clone(old)
            if "status" in new:
                result["status"] = new["status"]
            else:
                result.pop("status", None)
            result["metadata"] = new.get("metadata", result["metadata"])
            return result
        if "status" in route.rt.subresources:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        return new

    def update(self, req: Request, route: Route) -> Response:
        rt, name = route.rt, route.name or ""
        obj = self.check_kind(rt, self.body(req))
        self._check_namespace(route, obj)
        if obj["metadata"].get("name") and obj["metadata"]["name"] != name:
            raise errors.bad_request(
                "the name of the object ({}) does not match the name on the URL ({})".format(
                    obj["metadata"]["name"], name
                )
            )
        dry = dry_run_param(req, "UpdateOptions")
        if not self.store.exists(rt, route.namespace, name):
            raise errors.not_found(rt, name)
        obj["metadata"]["name"] = name
        if rt.namespaced:
            obj["metadata"]["namespace"] = route.namespace
        rv = obj["metadata"].get("resourceVersion")

        def change(current: Obj) -> Obj:
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise errors.conflict(rt, name)
            return self._keep_parts(route, current, obj)

        return json_response(self.store.mutate(rt, route.namespace, name, change, dry_run=dry))

    def _apply_patch(self, rt: ResourceType, content_type: str, current: Obj, patch: Any) -> Obj:
        kind = content_type.split(";")[0].strip().lower()
        if kind == "application/merge-patch+json":
            result = merge_patch(current, patch)
        elif kind == "application/json-patch+json":
            result = json_patch(current, patch)
        elif kind == "application/strategic-merge-patch+json":
            if rt.custom:
                raise errors.unsupported_media_type(kind)
            result = strategic_merge(current, patch)
        elif kind == "application/apply-patch+yaml":
            result = merge_patch(current, patch) if rt.custom else strategic_merge(current, patch)
        else:
            raise errors.unsupported_media_type(kind or "<none>")
        if not isinstance(result, dict):
            raise errors.bad_request("the patch did not produce an object")
        return result

    def patch(self, req: Request, route: Route) -> Response:
        rt, name = route.rt, route.name or ""
        content_type = req.header("content-type")
        patch = self.body(req)
        dry = dry_run_param(req, "PatchOptions")
        is_apply = content_type.startswith("application/apply-patch")
        if is_apply and not req.param("fieldManager"):
            raise ApiError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                "is required for apply patch",
                {"group": "meta.k8s.io", "kind": "PatchOptions"},
            )
        if is_apply and not self.store.exists(rt, route.namespace, name):
            obj = self.check_kind(rt, patch)
            obj["metadata"]["name"] = name
            self._ensure_namespace(route.namespace)
            created = self.store.create(rt, obj, route.namespace, copy=False, dry_run=dry)
            return json_response(created, 201)

        def change(current: Obj) -> Obj:
            rv = current["metadata"]["resourceVersion"]
            result = self._apply_patch(rt, content_type, clone(current), patch)
            patched_rv = (result.get("metadata") or {}).get("resourceVersion")
            if patched_rv and patched_rv != rv:
                raise errors.conflict(rt, name)
            return self._keep_parts(route, current, result)

        return json_response(self.store.mutate(rt, route.namespace, name, change, dry_run=dry))

    @staticmethod
    def _grace(req: Request) -> float | None:
        """gracePeriodSeconds from DeleteOptions (body or query); None when not given."""
        value: Any = None
        if req.body:
            try:
                value = (orjson.loads(req.body) or {}).get("gracePeriodSeconds")
            except (orjson.JSONDecodeError, AttributeError):
                value = None
        if value is None:
            value = req.param("gracePeriodSeconds")
        try:
            return None if value is None else max(0.0, float(value))
        except (TypeError, ValueError):
            raise errors.bad_request(f"invalid gracePeriodSeconds: {value}") from None

    def _delete_pod(
        self, namespace: str | None, name: str, grace: float | None, uid: str | None, dry: bool = False
    ) -> Obj:
        """A pod goes Terminating for its (simulated, short) shutdown; grace 0 removes it at once.
        A dry run answers the same and changes nothing."""
        pod = self.store.get(PODS, namespace, name)
        if uid and uid != pod["metadata"]["uid"]:
            raise errors.conflict(
                PODS,
                name,
                f"Precondition failed: UID in precondition: {uid}, "
                f"UID in object meta: {pod['metadata']['uid']}",
            )
        if grace is None:
            grace = float((pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
        if dry:
            if grace > 0 and "deletionTimestamp" not in pod["metadata"]:
                pod["metadata"]["deletionTimestamp"] = timestamp(self.store.clock() + grace)
                pod["metadata"]["deletionGracePeriodSeconds"] = int(grace)
            return pod
        if grace == 0:
            return self.store.delete(PODS, namespace, name)[0]
        return self.store.terminate(PODS, namespace, name, grace, min(grace, self.pod_shutdown))

    def _delete_options(self, req: Request) -> tuple[str | None, str | None, str | None, bool]:
        options: Obj = {}
        if req.body:
            try:
                options = orjson.loads(req.body) or {}
            except orjson.JSONDecodeError:
                raise errors.bad_request(
                    "the body of the request could not be decoded as DeleteOptions"
                ) from None
        policy = options.get("propagationPolicy") or req.param("propagationPolicy")
        orphan = options.get("orphanDependents")
        if orphan is None and req.param("orphanDependents") is not None:
            orphan = parse_bool("orphanDependents", req.param("orphanDependents"))
        if policy is None and orphan is not None:
            policy = "Orphan" if orphan else "Background"
        pre = options.get("preconditions") or {}
        dry = _dry_run(list(options.get("dryRun") or []) + (req.query.get("dryRun") or []), "DeleteOptions")
        return policy, pre.get("uid"), pre.get("resourceVersion"), dry

    def delete(self, req: Request, route: Route) -> Response:
        rt, name = route.rt, route.name or ""
        policy, uid, rv, dry = self._delete_options(req)
        if rt is PODS:
            return json_response(self._delete_pod(route.namespace, name, self._grace(req), uid, dry))
        delete = self.store.would_delete if dry else self.store.delete
        obj, gone = delete(rt, route.namespace, name, policy, uid=uid, resource_version=rv)
        if not gone or rt in RETURNS_DELETED_OBJECT:
            return json_response(obj)
        details: Obj = {"name": name}
        if rt.group:
            details["group"] = rt.group
        details["kind"] = rt.plural
        details["uid"] = obj["metadata"]["uid"]
        return json_response(
            {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
        )

    def delete_collection(self, req: Request, route: Route) -> Response:
        rt = route.rt
        labels, fields = selectors_of(req, rt)
        policy, _, _, dry = self._delete_options(req)
        matches = self.store.select(rt, route.namespace, labels, fields).entries
        if rt is PODS:
            grace = self._grace(req)
            items = [self._delete_pod(e.namespace, e.name, grace, None, dry) for e in matches]
        elif dry:
            items = [self.store.would_delete(rt, e.namespace, e.name, policy)[0] for e in matches]
        else:
            items = self.store.delete_collection(rt, route.namespace, labels, fields, policy)
        return json_response(
            {
                "kind": rt.list_kind,
                "apiVersion": rt.api_version,
                "metadata": {"resourceVersion": str(self.store.resource_version)},
                "items": items,
            }
        )

    @staticmethod
    def _scale_of(obj: Obj) -> Obj:
        meta = obj["metadata"]
        selector = (obj.get("spec") or {}).get("selector") or {}
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: meta[k]
                for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if k in meta
            },
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
            "status": {
                "replicas": (obj.get("status") or {}).get("replicas", 0),
                "selector": tables._selector_text(selector).replace("<none>", ""),
            },
        }

    def scale(self, req: Request, route: Route, method: str) -> Response:
        rt, name = route.rt, route.name or ""
        if method == "GET":
            return json_response(self._scale_of(self.store.get(rt, route.namespace, name)))
        if method not in ("PUT", "PATCH"):
            raise errors.method_not_allowed()
        body = self.body(req)
        content_type = req.header("content-type")
        dry = dry_run_param(req, "UpdateOptions" if method == "PUT" else "PatchOptions")

        def change(current: Obj) -> Obj:
            scale = self._scale_of(current)
            if method == "PUT":
                new_scale = body
                rv = (body.get("metadata") or {}).get("resourceVersion")
            else:
                new_scale = self._apply_patch(rt, content_type, scale, body)
                rv = (new_scale.get("metadata") or {}).get("resourceVersion")
                rv = rv if rv != scale["metadata"].get("resourceVersion") else None
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise errors.conflict(rt, name)
            replicas = (new_scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(
                    422,
                    "Invalid",
                    f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid '
                    f"value: {replicas}: must be greater than or equal to 0",
                    {"name": name, "group": "autoscaling", "kind": "Scale"},
                )
            current.setdefault("spec", {})["replicas"] = replicas
            return current

        changed = self.store.mutate(rt, route.namespace, name, change, dry_run=dry)
        return json_response(self._scale_of(changed))

    def evict(self, req: Request, route: Route) -> Response:
        """POST pods/NAME/eviction (kubectl drain): the pod is deleted; no disruption budgets here."""
        name = route.name or ""
        eviction = self.body(req)
        if not isinstance(eviction, dict) or eviction.get("kind") not in (None, "Eviction"):
            raise errors.bad_request("the body of an eviction must be an Eviction (policy/v1)")
        options = eviction.get("deleteOptions") or {}
        grace = options.get("gracePeriodSeconds")
        dry = _dry_run(list(options.get("dryRun") or []) + (req.query.get("dryRun") or []), "DeleteOptions")
        self._delete_pod(route.namespace, name, None if grace is None else float(grace), None, dry)
        return json_response(
            {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, 201
        )
