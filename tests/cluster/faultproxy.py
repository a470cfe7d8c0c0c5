"""A fault-injecting HTTP proxy on 127.0.0.1, put between a client and the sandbox's API server.

It relays one request per connection (answers carry `Connection: close`) and, when told to,
misbehaves the way networks, load balancers and overloaded API servers do:

    proxy = FaultProxy(box.port, on_restart=box.store.compact).start()
    proxy.inject("html-502", on="watch")   # the next watch request gets an HTML 502 page
    proxy.inject("hung-watch")             # the open watch stream stops relaying (socket stays open)
    proxy.wait_applied("hung-watch", 1)

Faults (`FAULTS`), on an open watch stream ("watch"), on the next list request ("list"), on
the next probe (a `limit=1` list, "probe"), or on a pod's log stream ("log": stream faults on the
open stream, request faults on the next log request):
  reset            RST: mid-stream, or after part of a list body
  restart          every connection dropped, connections refused for a moment, `on_restart()` run
                   (the sandbox compacts its history, as a restarted server's watch cache starts anew)
  gone             a watch ERROR event with a 410 Expired Status; a list answered 410 Expired
  throttle         429 Too Many Requests with `Retry-After` (next request of the kind)
  error-500        500 with a Status body (next request)
  html-502         502 with a load balancer's HTML page (next request)
  truncated-list   a list body cut short (alternately with the full Content-Length, so the client
                   sees the connection die, or with a matching one, so it gets incomplete JSON)
  garbage          bytes that are not HTTP instead of an answer; in a watch, a line that is not JSON
  truncated-line   half a watch event, then the stream ends or goes on after a newline
  non-object-line  a watch line that is JSON but not an event object ([], null, "object": [], ...)
  hung-watch       the open watch stream stops relaying anything; the socket stays open
  hung-list        the next list gets no answer at all; the socket stays open

Request faults aimed at watches end the open watch streams cleanly so that a new one is asked for.
`before_request(kind, query)` runs (in the proxy's thread) before a request is relayed: tests create
objects between list pages with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson

FAULTS = (
    "reset",
    "restart",
    "gone",
    "throttle",
    "error-500",
    "html-502",
    "truncated-list",
    "garbage",
    "truncated-line",
    "non-object-line",
    "hung-watch",
    "hung-list",
)
STREAMS = frozenset({"watch", "log"})  # the request kinds whose open stream stream faults hit
STREAM_FAULTS = frozenset({"reset", "gone", "garbage", "truncated-line", "non-object-line", "hung-watch"})
REQUEST_FAULTS = frozenset(
    {"reset", "gone", "throttle", "error-500", "html-502", "truncated-list", "garbage", "hung-list"}
)
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
NOT_OBJECTS = (
    b"[]",
    b"null",
    b'"ADDED"',
    b"42",
    b'{"type":"ADDED","object":[]}',
    b'{"type":"MODIFIED","object":null}',
    b'{"type":"ADDED"}',
    b'{"type":"ADDED","object":{"metadata":"pods"}}',
    b'{"type":"SURPRISE","object":{"metadata":{"name":"x"}}}',
    b'{"type":"ERROR","object":{"code":"not a number"}}',
    # an object the pod summary cannot read: must not become a (phantom) row
    b'{"type":"ADDED","object":{"metadata":{"name":"phantom","namespace":"ns","uid":"phantom-uid"},'
    b'"spec":"x","status":["Running"]}}',
)
GARBAGE_LINES = (
    b"\x00\xff\xfe\x13\x37 garbage",
    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    b"Bad Gateway",
    b"{{{{",
)
GARBAGE_ANSWERS = (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", b"SSH-2.0-OpenSSH_9.6\r\n")
FAKE_EVENT = (
    b'{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"cut-short",'
    b'"namespace":"ns","uid":"cut-short-uid","resourceVersion":"999999"},"spec":{},"status":{}}}'
)


@dataclass
class _Pending:
    fault: str
    on: str  # "watch" or "list"


def _status(code: int, reason: str, message: str) -> bytes:
    doc = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure"}
    return orjson.dumps({**doc, "message": message, "reason": reason, "code": code})


def _answer(code: int, phrase: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {code} {phrase}\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _rst(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset, as a dropped NAT entry or a crashed peer does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _read_chunk(reader: asyncio.StreamReader) -> bytes | None:
    """One chunk of a chunked body; None at its end (or when the upstream went away)."""
    line = await reader.readline()
    if not line:
        return None
    size = int(line.split(b";")[0].strip() or b"0", 16)
    if size == 0:
        await reader.readline()
        return None
    data = await reader.readexactly(size)
    await reader.readline()
    return data


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        on_restart: Callable[[], object] | None = None,
        retry_after: int = 3,
        restart_down: float = 0.3,
    ) -> None:
        self.upstream_port = upstream_port
        self.on_restart = on_restart
        self.retry_after = retry_after
        self.restart_down = restart_down
        self.before_request: Callable[[str, dict[str, list[str]]], None] | None = None
        self.applied: Counter[str] = Counter()  # faults done, by kind
        self.requests: Counter[str] = Counter()  # requests seen: "watch", "list", "other"
        self.port = 0
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._variant = itertools.count()
        self.log: deque[str] = deque(maxlen=60)  # the last requests and faults, for failure messages

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- control (from the test's thread) ---------------------------------------------------------

    def start(self) -> FaultProxy:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._listen())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def inject(self, fault: str, on: str = "watch") -> None:
        """Make the next request of kind `on` (or the open watch streams) misbehave once."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}: one of {', '.join(FAULTS)}")
        if fault == "restart":
            assert self._loop is not None
            asyncio.run_coroutine_threadsafe(self._restart(), self._loop)
            return
        allowed = STREAM_FAULTS if on in STREAMS else REQUEST_FAULTS
        if fault not in allowed and not (on in STREAMS and fault in REQUEST_FAULTS):
            raise ValueError(f"fault {fault!r} cannot be aimed at {on!r}")
        with self._lock:
            self._pending.append(_Pending(fault, on))

    def wait_applied(self, fault: str, count: int, timeout: float = 30.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.applied[fault] >= count, timeout)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    # -- bookkeeping ------------------------------------------------------------------------------

    def _done(self, fault: str) -> None:
        self.log.append(f"{time.monotonic():.3f} applied {fault}")
        with self._changed:
            self.applied[fault] += 1
            self._changed.notify_all()

    def _take(self, kind: str, stream: bool) -> str | None:
        """The first pending fault for a request of `kind` (stream: for an open watch stream)."""
        with self._lock:
            for index, item in enumerate(self._pending):
                if item.on != kind:
                    continue
                if stream and item.fault not in STREAM_FAULTS:
                    continue
                if not stream and kind in STREAMS and item.fault in STREAM_FAULTS:
                    continue
                del self._pending[index]
                return item.fault
        return None

    def _request_fault_for_watch(self, kind: str = "watch") -> bool:
        with self._lock:
            return any(p.on == kind and p.fault not in STREAM_FAULTS for p in self._pending)

    # -- serving ----------------------------------------------------------------------------------

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _restart(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            _rst(writer)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 2.0)
        if self.on_restart is not None:
            self.on_restart()
        self._done("restart")
        await asyncio.sleep(self.restart_down)
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self._one_request(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # the proxy is stopping (ended here, so asyncio does not log a cancelled handler)
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = [line for line in lines[1:] if line]
        length = 0
        for line in headers:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = await reader.readexactly(length) if length else b""
        url = urlsplit(target)
        query = parse_qs(url.query)
        watching = query.get("watch", [""])[-1] in ("true", "1")
        kind = "watch" if watching else "list" if method == "GET" and url.path.startswith("/api") else "other"
        if kind == "list" and url.path.endswith("/log") and query.get("follow", [""])[-1] == "true":
            kind = "log"  # a followed pod log: a stream, as a watch is
        if kind == "list" and query.get("limit") == ["1"]:
            kind = "probe"  # an informer asking whether a silent watch's server still answers
        self.requests[kind] += 1
        self.log.append(f"{time.monotonic():.3f} {kind} {target}")
        fault = self._take(kind, stream=False) if kind != "other" else None
        if kind == "probe" and fault is None:
            fault = self._take("list", stream=False)  # a list fault may hit a probe too
        if fault is not None and fault != "truncated-list" and fault != "reset":
            await self._answer_fault(fault, kind, reader, writer)
            return
        if self.before_request is not None:
            self.before_request(kind, query)
        upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            kept = [h for h in headers if h.partition(":")[0].strip().lower() != "connection"]
            request = "\r\n".join([lines[0], *kept, "Connection: close"]) + "\r\n\r\n"
            upstream_w.write(request.encode("latin-1") + body)
            await upstream_w.drain()
            status_head = await upstream_r.readuntil(b"\r\n\r\n")
            resp_lines = status_head.decode("latin-1").split("\r\n")
            resp_headers = [h for h in resp_lines[1:] if h]
            chunked = any(
                h.lower().startswith("transfer-encoding:") and "chunked" in h.lower() for h in resp_headers
            )
            kept_resp = [h for h in resp_headers if h.partition(":")[0].strip().lower() != "connection"]
            out_head = ("\r\n".join([resp_lines[0], *kept_resp, "Connection: close"]) + "\r\n\r\n").encode(
                "latin-1"
            )
            if chunked:
                writer.write(out_head)
                await writer.drain()
                await self._relay_stream(upstream_r, reader, writer, kind)
                return
            resp_len = 0
            for h in resp_headers:
                name, _, value = h.partition(":")
                if name.strip().lower() == "content-length":
                    resp_len = int(value.strip())
            data = await upstream_r.readexactly(resp_len) if resp_len else b""
            if fault == "truncated-list":
                await self._truncated_list(writer, out_head, data)
                return
            if fault == "reset":
                writer.write(out_head + data[: len(data) // 3])
                await writer.drain()
                _rst(writer)
                self._done("reset")
                return
            writer.write(out_head + data)
            await writer.drain()
        finally:
            upstream_w.transport.abort()

    async def _answer_fault(
        self, fault: str, kind: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if fault == "hung-list":
            self._done(fault)
            await reader.read()  # nothing is ever sent: wait for the client to give up
            return
        if fault == "throttle":
            body = _status(429, "TooManyRequests", "Too many requests, please try again later.")
            extra = f"Retry-After: {self.retry_after}\r\n"
            writer.write(_answer(429, "Too Many Requests", body, "application/json", extra))
        elif fault == "error-500":
            body = _status(500, "InternalError", "Internal error occurred: etcdserver: request timed out")
            writer.write(_answer(500, "Internal Server Error", body, "application/json"))
        elif fault == "html-502":
            writer.write(_answer(502, "Bad Gateway", HTML_502, "text/html"))
        elif fault == "gone":
            body = _status(
                410,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result.",
            )
            writer.write(_answer(410, "Gone", body, "application/json"))
        elif fault == "garbage":
            writer.write(GARBAGE_ANSWERS[next(self._variant) % len(GARBAGE_ANSWERS)])
        await writer.drain()
        self._done(fault)

    async def _truncated_list(self, writer: asyncio.StreamWriter, head: bytes, data: bytes) -> None:
        cut = data[: max(1, len(data) // 2)]
        if next(self._variant) % 2:  # an honest Content-Length for a body that is not all there
            writer.write(head + cut)
            await writer.drain()
            writer.transport.abort()
        else:  # a Content-Length that matches the cut body: incomplete JSON, well delivered
            text = head.decode("latin-1")
            text = text.replace(f"Content-Length: {len(data)}", f"Content-Length: {len(cut)}")
            writer.write(text.encode("latin-1") + cut)
            await writer.drain()
        self._done("truncated-list")

    async def _relay_stream(
        self,
        upstream: asyncio.StreamReader,
        client: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        kind: str,
    ) -> None:
        """Relay a chunked stream, applying stream faults as they are injected."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()

        async def pump() -> None:
            try:
                while True:
                    data = await _read_chunk(upstream)
                    await queue.put(data)
                    if data is None:
                        return
            except (ConnectionError, asyncio.IncompleteReadError, OSError, ValueError):
                await queue.put(None)

        async def client_gone() -> None:
            with contextlib.suppress(ConnectionError, OSError):
                await client.read()

        pumping = asyncio.create_task(pump())
        watching = asyncio.create_task(client_gone())
        try:
            while not watching.done():
                if kind in STREAMS and not client.at_eof():
                    fault = self._take(kind, stream=True)
                    if fault is not None:
                        await self._stream_fault(fault, writer, watching, queue)
                        return
                    if self._request_fault_for_watch(kind):  # end it cleanly: the client asks again
                        writer.write(b"0\r\n\r\n")
                        await writer.drain()
                        return
                try:
                    data = await asyncio.wait_for(queue.get(), 0.02)
                except TimeoutError:
                    continue
                if data is None:
                    writer.write(b"0\r\n\r\n")
                    await writer.drain()
                    return
                writer.write(_chunk(data))
                await writer.drain()
        finally:
            pumping.cancel()
            watching.cancel()
            await asyncio.gather(pumping, watching, return_exceptions=True)

    async def _stream_fault(
        self,
        fault: str,
        writer: asyncio.StreamWriter,
        client_gone: asyncio.Task[None],
        queue: asyncio.Queue[bytes | None],
    ) -> None:
        variant = next(self._variant)
        if fault == "reset":
            _rst(writer)
        elif fault == "gone":
            status = _status(410, "Expired", "too old resource version: 1 (2)")
            writer.write(_chunk(b'{"type":"ERROR","object":' + status + b"}\n") + b"0\r\n\r\n")
        elif fault == "garbage":
            writer.write(_chunk(GARBAGE_LINES[variant % len(GARBAGE_LINES)] + b"\n"))
        elif fault == "non-object-line":
            writer.write(_chunk(NOT_OBJECTS[variant % len(NOT_OBJECTS)] + b"\n"))
        elif fault == "truncated-line":
            half = FAKE_EVENT[: len(FAKE_EVENT) // 2 + variant % 17]
            if variant % 2:
                writer.write(_chunk(half) + b"0\r\n\r\n")  # the stream ends mid-line
            else:
                writer.write(_chunk(half + b"\n"))  # a cut line, and the stream goes on
        if fault != "reset":
            with contextlib.suppress(ConnectionError, OSError):
                await writer.drain()
        self._done(fault)
        if fault in ("garbage", "non-object-line") or (fault == "truncated-line" and not variant % 2):
            # keep relaying what the server sends until the client hangs up
            while not client_gone.done():
                try:
                    data = await asyncio.wait_for(queue.get(), 0.05)
                except TimeoutError:
                    continue
                if data is None:
                    break
                writer.write(_chunk(data))
                with contextlib.suppress(ConnectionError, OSError):
                    await writer.drain()
            return
        if fault == "hung-watch":
            await client_gone  # nothing more is relayed; the socket stays open until the client goes


def write_kubeconfig(path: Path, server: str) -> Path:
    """A kubeconfig whose only context, `faulty`, talks to `server` (the proxy's URL)."""
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: faulty\n"
        f"clusters: [{{name: c, cluster: {{server: '{server}'}}}}]\n"
        "users: [{name: u, user: {}}]\n"
        "contexts: [{name: faulty, context: {cluster: c, user: u}}]\n"
    )
    return path
