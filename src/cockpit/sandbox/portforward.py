"""`kubectl port-forward` against the sandbox: pods/NAME/portforward over WebSocket with SPDY/3.1
tunnelled inside (subprotocol `SPDY/3.1+portforward.k8s.io`, what kubectl 1.31+ speaks first).

Each forwarded connection is a pair of SPDY streams (an error stream and a data stream, tied by
their `requestid` header). The bytes the client sends on the data stream are read as one HTTP/1.1
request and answered by the pod's simulated server on that port (world/httpd.py, the same one the
service proxy and `curl` in `kubectl exec` reach), with `Connection: close`; a port where nothing
listens gets the kubelet's "connection refused" on the error stream, as kubectl prints it. Only
HTTP is simulated: other protocols get no bytes back. Plain SPDY (kubectl 1.27-1.30) is refused
with a message saying so.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from cockpit.sandbox import errors, spdy
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.resources import PODS
from cockpit.sandbox.store import Store
from cockpit.sandbox.websocket import (
    CLOSE,
    CONTINUATION,
    PING,
    PONG,
    accept_key,
    close_frame,
    frame,
    read_frame,
)

PROTOCOL = "SPDY/3.1+portforward.k8s.io"
BINARY = 0x2
MAX_REQUEST = 1 << 20


def portforward_target(path: str) -> tuple[str, str] | None:
    """(namespace, pod) when `path` is /api/v1/namespaces/NS/pods/NAME/portforward."""
    parts = path.strip("/").split("/")
    if (
        len(parts) == 7
        and parts[:3] == ["api", "v1", "namespaces"]
        and parts[4:7:2] == ["pods", "portforward"]
    ):
        return parts[3], parts[5]
    return None


@dataclass
class _Pair:
    port: int = 0
    error_id: int = 0
    data_id: int = 0
    request: bytearray = field(default_factory=bytearray)
    done: bool = False


def _http_request(raw: bytes) -> tuple[str, str, str, dict[str, str], bytes] | None:
    """(method, path, query, headers, body) once `raw` holds a whole request, else None."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _ = lines[0].split(" ", 2)
    except ValueError:
        return "", "", "", {}, b""
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if len(rest) < length:
        return None
    url = urlsplit(target)
    return method.upper(), url.path or "/", url.query, headers, rest[:length]


def _http_response(status: int, body: bytes, content_type: str, headers: dict[str, str], head: bool) -> bytes:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else body)


class _Session:
    def __init__(self, world: Any, pod: dict[str, Any]) -> None:
        self.world = world
        self.pod = pod
        self.codec = spdy.Codec()
        self.pairs: dict[str, _Pair] = {}

    def handle(self, data: bytes) -> bytes:
        out = b""
        for f in self.codec.feed(data):
            if f.control and f.kind == spdy.SYN_STREAM:
                out += self._open(f)
            elif f.control and f.kind == spdy.PING:
                out += spdy.ping(f.payload)
            elif not f.control:
                out += self._data(f)
        return out

    def _open(self, f: spdy.Frame) -> bytes:
        headers = self.codec.headers(f)
        pair = self.pairs.setdefault(headers.get("requestid", ""), _Pair())
        try:
            pair.port = int(headers.get("port", "0"))
        except ValueError:
            pair.port = 0
        if headers.get("streamtype") == "error":
            pair.error_id = f.stream_id
        elif headers.get("streamtype") == "data":
            pair.data_id = f.stream_id
        return self.codec.syn_reply(f.stream_id)

    def _data(self, f: spdy.Frame) -> bytes:
        pair = next((p for p in self.pairs.values() if p.data_id == f.stream_id), None)
        if pair is None or pair.done:
            return b""
        pair.request += f.payload
        parsed = _http_request(bytes(pair.request))
        if parsed is None and not (f.flags & spdy.FLAG_FIN) and len(pair.request) < MAX_REQUEST:
            return b""
        pair.done = True
        reply = None
        if parsed is not None and parsed[0]:
            method, path, query, headers, body = parsed
            reply = self.world.http_request(
                self.pod, pair.port, method, path, query, body, headers.get("content-type", "")
            )
            if reply is not None:
                response = _http_response(
                    reply.status, reply.body, reply.content_type, reply.headers, method == "HEAD"
                )
                return spdy.data(pair.data_id, response, fin=True) + spdy.data(pair.error_id, b"", fin=True)
        message = ""
        http = parsed is not None and bool(parsed[0])
        listening = self.world.http_request(self.pod, pair.port, "HEAD", "/", "", b"", "") is not None
        if (http and reply is None) or not listening:
            meta = self.pod["metadata"]
            sandbox = meta.get("uid", "").replace("-", "")
            message = (
                f"error forwarding port {pair.port} to pod {sandbox}, uid : failed to execute portforward "
                f'in network namespace "/var/run/netns/cni-{meta.get("uid", "")}": failed to connect to '
                f'localhost:{pair.port} inside namespace "{sandbox}", IPv4: dial tcp4 127.0.0.1:{pair.port}: '
                f"connect: connection refused IPv6 dial tcp6: address localhost: no suitable address found "
            )
        # not HTTP to a listening port: the simulated server answers nothing and hangs up
        return spdy.data(pair.error_id, message.encode(), fin=True) + spdy.data(pair.data_id, b"", fin=True)


async def serve_portforward(req: Request, store: Store, world: Any, namespace: str, name: str) -> Response:
    pod = store.get(PODS, namespace, name)
    offered = [p.strip() for p in req.header("sec-websocket-protocol").split(",")]
    if req.header("upgrade").lower() != "websocket" or PROTOCOL not in offered:
        raise errors.bad_request(
            "the sandbox serves port-forward over WebSocket (SPDY/3.1+portforward.k8s.io) only: "
            "use kubectl 1.31 or newer"
        )
    if (pod.get("status") or {}).get("phase") != "Running" or world is None:
        raise errors.bad_request(f"pod {name} is not running")
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Accept": accept_key(req.header("sec-websocket-key")),
        "Sec-WebSocket-Protocol": PROTOCOL,
    }
    return Response(status=101, headers=headers, upgraded=True, stream=_pump(req, _Session(world, pod)))


async def _pump(req: Request, session: _Session) -> AsyncIterator[bytes]:
    """Client frames in, server frames out; every answer is due to something the client sent."""
    assert req.reader is not None
    while True:
        try:
            opcode, _final, payload = await read_frame(req.reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        if opcode == CLOSE:
            yield close_frame()
            return
        if opcode == PING:
            yield frame(PONG, payload)
            continue
        if opcode in (BINARY, CONTINUATION):  # SPDY bytes, whatever the message boundaries
            try:
                out = session.handle(payload)
            except (spdy.SpdyError, zlib.error, struct.error) as exc:
                yield close_frame(1002, str(exc)[:100])
                return
            if out:
                yield frame(BINARY, out)
