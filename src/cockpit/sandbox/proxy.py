"""The API server's proxy to pods and Services, as a real server serves it:

    /api/v1/namespaces/NS/services/[https:]NAME[:PORT]/proxy/PATH?QUERY   (PORT: number or name)
    /api/v1/namespaces/NS/pods/[https:]NAME[:PORT]/proxy/PATH?QUERY

A Service's request goes to one of its ready pods (the world's kube-proxy choice, world/httpd.py)
and is answered by that pod's simulated HTTP server, the same one `curl` inside `kubectl exec`
reaches. Failures are Status objects worded as a real server's: `services "x" not found`, 503
`no endpoints available for service "x"`, 503 `error trying to reach service: ...`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from cockpit.sandbox import errors
from cockpit.sandbox.errors import ApiError
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.resources import PODS, SERVICES
from cockpit.sandbox.store import Store

Obj = dict[str, Any]


def proxy_target(path: str) -> tuple[str, str, str, str] | None:
    """(kind "services"/"pods", namespace, NAME spec, path behind /proxy) when `path` is a proxy
    path, else None."""
    segments = path.split("/", 8)
    if len(segments) < 8 or segments[1:4] != ["api", "v1", "namespaces"]:
        return None
    if segments[5] not in ("services", "pods") or segments[7] != "proxy":
        return None
    rest = "/" + segments[8] if len(segments) > 8 else "/"
    return segments[5], segments[4], segments[6], rest


def split_spec(spec: str) -> tuple[str, str, str]:
    """`[scheme:]name[:port]` -> (scheme, name, port) as the API server reads it."""
    parts = spec.split(":")
    if len(parts) == 1:
        return "", parts[0], ""
    if len(parts) == 2:
        return ("", parts[0], parts[1]) if parts[0] not in ("http", "https") else (parts[0], parts[1], "")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    raise errors.bad_request(f"invalid service request {spec!r}")


def _unavailable(message: str) -> ApiError:
    return ApiError(503, "ServiceUnavailable", message, {})


async def serve_proxy(req: Request, store: Store, world: Any, target: tuple[str, str, str, str]) -> Response:
    kind, namespace, spec, path = target
    scheme, name, port_spec = split_spec(spec)
    base = f"/api/v1/namespaces/{namespace}/{kind}/{spec}/proxy"
    if kind == "services":
        entry = store.entry(SERVICES, namespace, name)
        if entry is None:
            raise errors.not_found(SERVICES, name)
        service = entry.obj
        ports = service["spec"].get("ports") or []
        if not port_spec and len(ports) > 1:
            port_spec = str(ports[0].get("name") or ports[0].get("port"))
        port: int | str = (
            int(port_spec) if port_spec.isdigit() else (port_spec or ports[0]["port"] if ports else 0)
        )
        found = world.service_backend(service, port) if world is not None else None
        if found is None or not isinstance(found, tuple):
            raise _unavailable(f'no endpoints available for service "{name}"')
        pod, target_port = found
    else:
        entry = store.entry(PODS, namespace, name)
        if entry is None:
            raise errors.not_found(PODS, name)
        pod = entry.obj
        target_port = int(port_spec) if port_spec.isdigit() else 80
    ip = (pod.get("status") or {}).get("podIP") or "0.0.0.0"
    reply = (
        world.http_request(
            pod, target_port, req.method, path, urlencode(req.query, doseq=True), req.body,
            req.header("content-type"),
        )
        if world is not None
        else None
    )  # fmt: skip
    if reply is None:
        raise _unavailable(
            f"error trying to reach service: dial tcp {ip}:{target_port}: connect: connection refused"
        )
    if scheme == "https":
        raise _unavailable(
            "error trying to reach service: tls: first record does not look like a TLS handshake"
        )
    headers = dict(reply.headers)
    location = headers.get("Location", "")
    if location.startswith("/"):  # the real proxy rewrites the backend's redirects to stay behind it
        headers["Location"] = base + location
    return Response(status=reply.status, body=reply.body, content_type=reply.content_type, headers=headers)
