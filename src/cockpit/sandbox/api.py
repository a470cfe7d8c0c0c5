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
from typing import Any

from cockpit.sandbox import discovery, errors, tables
from cockpit.sandbox.errors import ApiError
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.openapi import openapi_v3_document, openapi_v3_index
from cockpit.sandbox.patch import PatchError
from cockpit.sandbox.podexec import serve_exec
from cockpit.sandbox.podlogs import serve_logs
from cockpit.sandbox.portforward import portforward_target, serve_portforward
from cockpit.sandbox.proxy import proxy_target, serve_proxy
from cockpit.sandbox.query import parse_bool
from cockpit.sandbox.reply import Route, error_response, json_response, selectors_of, wants_table
from cockpit.sandbox.resources import (
    NAMESPACES,
    PODS,
    SELFSUBJECTACCESSREVIEWS,
    SERVICES,
    ResourceType,
    lookup,
)
from cockpit.sandbox.selectors import SelectorError
from cockpit.sandbox.store import Store
from cockpit.sandbox.watchstream import WatchOptions, watch_stream
from cockpit.sandbox.worldapi import ExecSource, LogSource
from cockpit.sandbox.writes import Writes

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
        exec_source: ExecSource | None = None,
        pod_shutdown: float = 1.0,
        world: Any = None,
    ) -> None:
        self.store = store
        self.logs = logs
        self.exec_source = exec_source
        self.world = world  # the simulation: its pods' HTTP servers answer the proxy
        self.tokens = tokens or {}
        self.read_only_users = read_only_users
        self.bookmark_interval = bookmark_interval
        self.clock = clock
        self.server_address = "127.0.0.1"
        self.writes = Writes(store, pod_shutdown)

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
        forward = portforward_target(path)
        if forward is not None:
            self._authorize(user, "create", Route(PODS, forward[0], forward[1], "portforward"))
            return await serve_portforward(req, self.store, self.world, *forward)
        target = proxy_target(req.path)
        if target is not None:
            if user in self.read_only_users and req.method not in ("GET", "HEAD"):
                rt = SERVICES if target[0] == "services" else PODS
                self._authorize(user, "create", Route(rt, target[1], target[2], "proxy"))
            return await serve_proxy(req, self.store, self.world, target)
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
                return self.writes.create(req, route)
            if method == "DELETE":
                self._authorize(user, "deletecollection", route)
                return self.writes.delete_collection(req, route)
            raise errors.method_not_allowed()
        verb = {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete", "POST": "create"}.get(
            method
        )
        if verb is None:
            raise errors.method_not_allowed()
        if route.subresource == "exec":
            if method not in ("GET", "POST"):
                raise errors.method_not_allowed()
            self._authorize(user, "create", route)
            return await serve_exec(
                req, self.store, self.exec_source, route.namespace or "", route.name, self.clock()
            )
        self._authorize(user, verb, route)
        if route.subresource == "eviction":
            if method != "POST":
                raise errors.method_not_allowed()
            return self.writes.evict(req, route)
        if route.subresource == "log":
            if method != "GET":
                raise errors.method_not_allowed()
            return await serve_logs(req, self.store, self.logs, route.namespace or "", route.name, self.clock)
        if route.subresource == "scale":
            return self.writes.scale(req, route, method)
        if method == "GET":
            return self._get(req, route)
        if method == "PUT":
            return self.writes.update(req, route)
        if method == "PATCH":
            return self.writes.patch(req, route)
        if method == "DELETE" and route.subresource is None:
            return self.writes.delete(req, route)
        raise errors.method_not_allowed()

    def _access_review(self, req: Request, user: str) -> Response:
        """`kubectl auth can-i`: allowed unless a read-only user asks to change something."""
        review = self.writes.check_kind(SELFSUBJECTACCESSREVIEWS, self.writes.body(req))
        attrs = (review.get("spec") or {}).get("resourceAttributes") or {}
        verb = attrs.get("verb", "")
        allowed = user not in self.read_only_users or verb in READ_VERBS
        review["status"] = {"allowed": allowed}  # RBAC gives no reason for a plain "no"
        review.update(apiVersion=SELFSUBJECTACCESSREVIEWS.api_version, kind=SELFSUBJECTACCESSREVIEWS.kind)
        return json_response(review, 201)

    # ---- reading -------------------------------------------------------------------------------

    def _get(self, req: Request, route: Route) -> Response:
        entry = self.store.entry(route.rt, route.namespace, route.name or "")
        if entry is None:
            raise errors.not_found(route.rt, route.name or "")
        if wants_table(req.header("accept")) and route.subresource is None:
            return self._table(
                req, route.rt, [entry.obj], entry.obj["metadata"]["resourceVersion"], None, None
            )
        return json_response(entry.raw)

    def _list(self, req: Request, route: Route) -> Response:
        rt = route.rt
        labels, fields = selectors_of(req, rt)
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
        labels, fields = selectors_of(req, route.rt)
        initial = parse_bool("sendInitialEvents", req.param("sendInitialEvents"))
        try:
            timeout = float(req.param("timeoutSeconds") or 1800)
        except ValueError:
            raise errors.bad_request(f"invalid timeoutSeconds: {req.param('timeoutSeconds')}") from None
        options = WatchOptions(
            rt=route.rt,
            namespace=route.namespace,
            resource_version="" if initial else req.param("resourceVersion"),
            labels=labels,
            fields=fields,
            timeout=timeout,
            bookmarks=parse_bool("allowWatchBookmarks", req.param("allowWatchBookmarks")),
            bookmark_interval=self.bookmark_interval,
            as_table=wants_table(req.header("accept")),
            include=req.param("includeObject") or "Metadata",
            initial_events=initial,
        )
        content_type = TABLE_CONTENT_TYPE if options.as_table else "application/json"
        return Response(content_type=content_type, stream=watch_stream(self.store, options, req, self.clock))
