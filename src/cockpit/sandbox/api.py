"""The Kubernetes REST API over the store: routing, verbs, content negotiation, errors.

One `Api` object answers every request of the sandbox's HTTP server. Behaviour follows what real
kubectl (1.27-1.33) and the kubernetes Python client need (see KUBE-API-NOTES.md): Tables for
`kubectl get`, chunked watches, patches in every format, Status errors worded as a real server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import yaml

from cockpit.sandbox import discovery, errors, tables
from cockpit.sandbox.errors import ApiError
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.openapi import openapi_v3_document, openapi_v3_index
from cockpit.sandbox.patch import PatchError, json_patch, merge_patch, strategic_merge
from cockpit.sandbox.podlogs import serve_logs
from cockpit.sandbox.query import parse_bool
from cockpit.sandbox.resources import (
    NAMESPACES,
    PODS,
    SELFSUBJECTACCESSREVIEWS,
    SERVICES,
    ResourceType,
    lookup,
)
from cockpit.sandbox.selectors import SelectorError, parse_field_selector, parse_label_selector
from cockpit.sandbox.store import Store, clone
from cockpit.sandbox.watchstream import WatchOptions, watch_stream
from cockpit.sandbox.worldapi import LogSource

Obj = dict[str, Any]
log = logging.getLogger(__name__)
KUBE_VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.4",
    "gitCommit": "a78aa47129b8539636eb86a9d00e31b2720fe06b",
    "gitTreeState": "clean",
    "buildDate": "2024-12-10T11:37:27Z",
    "goVersion": "go1.22.9",
    "compiler": "gc",
    "platform": "linux/amd64",
}
BIG_LIST = 2000  # objects; larger lists are encoded off the event loop
TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
READ_VERBS = {"get", "list", "watch"}
RETURNS_DELETED_OBJECT = {PODS, SERVICES, NAMESPACES}


def json_response(body: Obj | bytes, status: int = 200, content_type: str = "application/json") -> Response:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(status=status, body=raw, content_type=content_type)


def error_response(err: ApiError) -> Response:
    return json_response(err.status(), err.code)


@dataclass
class Route:
    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None


def wants_table(accept: str) -> bool:
    return any(
        "as=Table" in part and "g=meta.k8s.io" in part and "v=v1" in part.replace("v=v1beta1", "")
        for part in accept.split(",")
    )


class Api:
    def __init__(
        self,
        store: Store,
        logs: LogSource,
        *,
        tokens: dict[str, str] | None = None,
        read_only_users: frozenset[str] = frozenset(),
        bookmark_interval: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.logs = logs
        self.tokens = tokens or {}
        self.read_only_users = read_only_users
        self.bookmark_interval = bookmark_interval
        self.clock = clock
        self.server_address = "127.0.0.1"

    # ---- entry ---------------------------------------------------------------------------------

    async def handle(self, req: Request) -> Response:
        try:
            user = self._authenticate(req)
            return await self._dispatch(req, user)
        except ApiError as err:
            return error_response(err)
        except (SelectorError, PatchError) as err:
            return error_response(errors.bad_request(str(err)))
        except (
            Exception
        ) as exc:  # a bug or an object the printers cannot read: a 500, never a dropped connection
            log.exception("sandbox: %s %s failed", req.method, req.path)
            return error_response(ApiError(500, "InternalError", f"Internal error occurred: {exc}", {}))

    def _authenticate(self, req: Request) -> str:
        if not self.tokens:
            return "admin"
        auth = req.header("authorization")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        user = self.tokens.get(token)
        if user is None:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        return user

    def _authorize(self, user: str, verb: str, route: Route) -> None:
        if user not in self.read_only_users or verb in READ_VERBS:
            return
        rt = route.rt
        resource = f"{rt.plural}/{route.subresource}" if route.subresource else rt.plural
        subject = f'{rt.qualified} "{route.name}"' if route.name else rt.qualified
        where = f'in the namespace "{route.namespace}"' if route.namespace else "at the cluster scope"
        raise ApiError(
            403,
            "Forbidden",
            f'{subject} is forbidden: User "{user}" cannot {verb} resource '
            f'"{resource}" in API group "{rt.group}" {where}',
            {"name": route.name or "", "group": rt.group, "kind": rt.plural},
        )

    async def _dispatch(self, req: Request, user: str) -> Response:
        path = req.path.rstrip("/") or "/"
        if path in ("/healthz", "/readyz", "/livez"):
            return Response(body=b"ok", content_type="text/plain; charset=utf-8")
        if path == "/version":
            return json_response(KUBE_VERSION)
        if path == "/openapi/v3":
            return json_response(openapi_v3_index())
        if path.startswith("/openapi/v3/"):
            document = openapi_v3_document(path[len("/openapi/v3/") :])
            if document is None:
                raise errors.page_not_found()
            return json_response(document)
        if path in ("/api", "/apis"):
            version = discovery.aggregated_version(req.header("accept"))
            if version:
                return json_response(
                    discovery.aggregated(path == "/api", version),
                    content_type=discovery.aggregated_content_type(version),
                )
            return json_response(
                discovery.api_versions(self.server_address) if path == "/api" else discovery.api_group_list()
            )
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            doc = discovery.resource_list("", parts[1])
            if doc is None:
                raise errors.page_not_found()
            return json_response(doc)
        if parts[0] == "apis" and len(parts) == 2:
            group_doc = discovery.api_group(parts[1])
            if group_doc is None:
                raise errors.page_not_found()
            return json_response(group_doc)
        if parts[0] == "apis" and len(parts) == 3:
            doc = discovery.resource_list(parts[1], parts[2])
            if doc is None:
                raise errors.page_not_found()
            return json_response(doc)
        route = self._route(parts)
        return await self._resource(req, route, user)

    def _route(self, parts: list[str]) -> Route:
        if parts[0] == "api" and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise errors.page_not_found()
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in NAMESPACES.subresources:
            namespace, rest = rest[1], rest[2:]
        rt = lookup(group, version, rest[0])
        if rt is None or len(rest) > 3:
            raise errors.page_not_found()
        if namespace is not None and not rt.namespaced:
            raise errors.page_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub is not None and sub not in rt.subresources:
            raise errors.page_not_found()
        if rt.namespaced and name is not None and namespace is None:
            raise errors.page_not_found()
        return Route(rt, namespace, name, sub)

    async def _resource(self, req: Request, route: Route, user: str) -> Response:
        method = req.method
        if route.name is None:
            if method == "GET":
                watching = parse_bool("watch", req.param("watch"))
                self._authorize(user, "watch" if watching else "list", route)
                if watching:
                    return self._watch(req, route)
                if self.store.count(route.rt, route.namespace) > BIG_LIST:
                    # Encoding thousands of objects takes a while: keep the loop (watches, the world) going.
                    return await asyncio.to_thread(self._list, req, route)
                return self._list(req, route)
            if method == "POST" and route.rt is SELFSUBJECTACCESSREVIEWS:
                return self._access_review(req, user)
            if method == "POST":
                self._authorize(user, "create", route)
                return self._create(req, route)
            if method == "DELETE":
                self._authorize(user, "deletecollection", route)
                return self._delete_collection(req, route)
            raise errors.method_not_allowed()
        verb = {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete", "POST": "create"}.get(
            method
        )
        if verb is None:
            raise errors.method_not_allowed()
        self._authorize(user, verb, route)
        if route.subresource == "log":
            if method != "GET":
                raise errors.method_not_allowed()
            return await serve_logs(req, self.store, self.logs, route.namespace or "", route.name, self.clock)
        if route.subresource == "scale":
            return self._scale(req, route, method)
        if method == "GET":
            return self._get(req, route)
        if method == "PUT":
            return self._update(req, route)
        if method == "PATCH":
            return self._patch(req, route)
        if method == "DELETE" and route.subresource is None:
            return self._delete(req, route)
        raise errors.method_not_allowed()

    def _access_review(self, req: Request, user: str) -> Response:
        """`kubectl auth can-i`: allowed unless a read-only user asks to change something."""
        review = self._check_kind(SELFSUBJECTACCESSREVIEWS, self._body(req))
        attrs = (review.get("spec") or {}).get("resourceAttributes") or {}
        verb = attrs.get("verb", "")
        allowed = user not in self.read_only_users or verb in READ_VERBS
        review["status"] = {"allowed": allowed}  # RBAC gives no reason for a plain "no"
        review.update(apiVersion=SELFSUBJECTACCESSREVIEWS.api_version, kind=SELFSUBJECTACCESSREVIEWS.kind)
        return json_response(review, 201)

    # ---- reading -------------------------------------------------------------------------------

    def _ensure_namespace(self, namespace: str | None) -> None:
        if namespace and not self.store.exists(NAMESPACES, None, namespace):
            raise errors.namespace_not_found(namespace)

    def _get(self, req: Request, route: Route) -> Response:
        entry = self.store.entry(route.rt, route.namespace, route.name or "")
        if entry is None:
            raise errors.not_found(route.rt, route.name or "")
        if wants_table(req.header("accept")) and route.subresource is None:
            return self._table(
                req, route.rt, [entry.obj], entry.obj["metadata"]["resourceVersion"], None, None
            )
        return json_response(entry.raw)

    def _selectors(self, req: Request, rt: ResourceType) -> tuple[Any, Any]:
        label_text = req.param("labelSelector") or ""
        labels = parse_label_selector(label_text)
        fields = parse_field_selector(req.param("fieldSelector"), rt)
        return labels, fields

    def _list(self, req: Request, route: Route) -> Response:
        rt = route.rt
        labels, fields = self._selectors(req, rt)
        try:
            limit = int(req.param("limit") or 0)
        except ValueError:
            raise errors.bad_request(f"invalid limit: {req.param('limit')}") from None
        page = self.store.select(
            rt, route.namespace, labels, fields, max(limit, 0), req.param("continue") or None
        )
        if wants_table(req.header("accept")):
            return self._table(
                req,
                rt,
                [e.obj for e in page.entries],
                str(page.resource_version),
                page.continue_token,
                page.remaining,
            )
        meta = b'"resourceVersion":"%d"' % page.resource_version
        if page.continue_token:
            meta += b',"continue":"%s"' % page.continue_token.encode()
            if page.remaining is not None:
                meta += b',"remainingItemCount":%d' % page.remaining
        body = b"".join(
            [
                b'{"kind":"',
                rt.list_kind.encode(),
                b'","apiVersion":"',
                rt.api_version.encode(),
                b'","metadata":{',
                meta,
                b'},"items":[',
                b",".join(e.raw for e in page.entries),
                b"]}",
            ]
        )
        return json_response(body)

    def _table(
        self,
        req: Request,
        rt: ResourceType,
        objs: list[Obj],
        rv: str,
        token: str | None,
        remaining: int | None,
    ) -> Response:
        include = req.param("includeObject") or "Metadata"
        now = self.clock()
        meta: Obj = {"resourceVersion": rv}
        if token:
            meta["continue"] = token
            if remaining is not None:
                meta["remainingItemCount"] = remaining
        table = {
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": meta,
            "columnDefinitions": tables.columns_for(rt),
            "rows": [tables.table_row(rt, o, now, include) for o in objs],
        }
        return json_response(table, content_type=TABLE_CONTENT_TYPE)

    def _watch(self, req: Request, route: Route) -> Response:
        labels, fields = self._selectors(req, route.rt)
        try:
            timeout = float(req.param("timeoutSeconds") or 1800)
        except ValueError:
            raise errors.bad_request(f"invalid timeoutSeconds: {req.param('timeoutSeconds')}") from None
        options = WatchOptions(
            rt=route.rt,
            namespace=route.namespace,
            resource_version=req.param("resourceVersion"),
            labels=labels,
            fields=fields,
            timeout=timeout,
            bookmarks=parse_bool("allowWatchBookmarks", req.param("allowWatchBookmarks")),
            bookmark_interval=self.bookmark_interval,
            as_table=wants_table(req.header("accept")),
            include=req.param("includeObject") or "Metadata",
        )
        content_type = TABLE_CONTENT_TYPE if options.as_table else "application/json"
        return Response(content_type=content_type, stream=watch_stream(self.store, options, req, self.clock))

    # ---- writing -------------------------------------------------------------------------------

    def _body(self, req: Request) -> Any:
        if not req.body:
            raise errors.bad_request("the body of the request was empty")
        try:
            if "yaml" in req.header("content-type"):
                return yaml.safe_load(req.body)
            return orjson.loads(req.body)
        except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
            raise errors.bad_request(f"the body of the request could not be decoded: {exc}") from None

    def _check_kind(self, rt: ResourceType, obj: Any) -> Obj:
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

    def _create(self, req: Request, route: Route) -> Response:
        rt = route.rt
        if route.rt.namespaced and route.namespace is None:
            raise errors.method_not_allowed()
        obj = self._check_kind(rt, self._body(req))
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
        if req.param("dryRun") == "All":
            if self.store.exists(rt, route.namespace, obj["metadata"].get("name", "")):
                raise errors.already_exists(rt, obj["metadata"]["name"])
            obj.update(apiVersion=rt.api_version, kind=rt.kind)
            obj["metadata"].setdefault("creationTimestamp", self.store.now())
            if rt.namespaced:
                obj["metadata"]["namespace"] = route.namespace
            return json_response(obj, 201)
        created = self.store.create(rt, obj, route.namespace, copy=False)
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

    def _update(self, req: Request, route: Route) -> Response:
        rt, name = route.rt, route.name or ""
        obj = self._check_kind(rt, self._body(req))
        self._check_namespace(route, obj)
        if obj["metadata"].get("name") and obj["metadata"]["name"] != name:
            raise errors.bad_request(
                "the name of the object ({}) does not match the name on the URL ({})".format(
                    obj["metadata"]["name"], name
                )
            )
        old = self.store.entry(rt, route.namespace, name)
        if old is None:
            raise errors.not_found(rt, name)
        obj["metadata"]["name"] = name
        if rt.namespaced:
            obj["metadata"]["namespace"] = route.namespace
        rv = obj["metadata"].get("resourceVersion")

        def change(current: Obj) -> Obj:
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise errors.conflict(rt, name)
            return self._keep_parts(route, current, obj)

        if req.param("dryRun") == "All":
            return json_response(change(clone(old.obj)))
        return json_response(self.store.mutate(rt, route.namespace, name, change))

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

    def _patch(self, req: Request, route: Route) -> Response:
        rt, name = route.rt, route.name or ""
        content_type = req.header("content-type")
        patch = self._body(req)
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
            obj = self._check_kind(rt, patch)
            obj["metadata"]["name"] = name
            self._ensure_namespace(route.namespace)
            return json_response(self.store.create(rt, obj, route.namespace, copy=False), 201)

        def change(current: Obj) -> Obj:
            rv = current["metadata"]["resourceVersion"]
            result = self._apply_patch(rt, content_type, clone(current), patch)
            patched_rv = (result.get("metadata") or {}).get("resourceVersion")
            if patched_rv and patched_rv != rv:
                raise errors.conflict(rt, name)
            return self._keep_parts(route, current, result)

        if req.param("dryRun") == "All":
            entry = self.store.entry(rt, route.namespace, name)
            if entry is None:
                raise errors.not_found(rt, name)
            return json_response(change(clone(entry.obj)))
        return json_response(self.store.mutate(rt, route.namespace, name, change))

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
        dry = "All" in (options.get("dryRun") or []) or req.param("dryRun") == "All"
        return policy, pre.get("uid"), pre.get("resourceVersion"), dry

    def _delete(self, req: Request, route: Route) -> Response:
        rt, name = route.rt, route.name or ""
        policy, uid, rv, dry = self._delete_options(req)
        if dry:
            return json_response(self.store.get(rt, route.namespace, name))
        obj, gone = self.store.delete(rt, route.namespace, name, policy, uid=uid, resource_version=rv)
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

    def _delete_collection(self, req: Request, route: Route) -> Response:
        rt = route.rt
        labels, fields = self._selectors(req, rt)
        policy, _, _, dry = self._delete_options(req)
        if dry:
            items = [e.obj for e in self.store.select(rt, route.namespace, labels, fields).entries]
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

    # ---- scale ---------------------------------------------------------------------------------

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

    def _scale(self, req: Request, route: Route, method: str) -> Response:
        rt, name = route.rt, route.name or ""
        if method == "GET":
            return json_response(self._scale_of(self.store.get(rt, route.namespace, name)))
        if method not in ("PUT", "PATCH"):
            raise errors.method_not_allowed()
        body = self._body(req)
        content_type = req.header("content-type")

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

        return json_response(self._scale_of(self.store.mutate(rt, route.namespace, name, change)))
