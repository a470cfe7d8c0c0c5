"""A minimal list+watch API server on 127.0.0.1 for informer edge cases (410, silent streams, restarts).

It serves one collection path from an in-memory store with a resourceVersion history, pages lists
with limit/continue, streams watch events as chunked JSON lines, and can be told to forget its
history (so a watch gets 410 Gone), to go silent, to answer a fixed status, or to stop and restart
on the same port.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class FakeApi:
    def __init__(self, path: str = "/api/v1/pods") -> None:
        self.path = path
        self.paths = {path}  # every path that serves the collection (e.g. its namespaced form too)
        self.forbidden: set[str] = set()  # paths answered with 403
        self.rv = 100
        self.objects: dict[str, dict[str, Any]] = {}
        self.history: list[tuple[int, str, dict[str, Any]]] = []
        self.oldest = 0  # watches from an RV below this get 410
        self.cond = threading.Condition()
        self.silent = False
        self.page_delay = 0.0  # seconds before each list page is answered
        self.status = 200
        self.lists = 0
        self.gzipped = 0  # list answers sent gzip-compressed (the client asked for it)
        self.corrupt_gzip = False  # compressed answers arrive damaged
        self.watches = 0
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    # -- state changes ---------------------------------------------------------------------------
    def put(self, name: str, **fields: Any) -> None:
        with self.cond:
            self.rv += 1
            kind = "MODIFIED" if name in self.objects else "ADDED"
            obj = {
                "metadata": {
                    "name": name,
                    "namespace": "ns",
                    "uid": f"uid-{name}",
                    "resourceVersion": str(self.rv),
                }
            }
            obj.update(fields)
            self.objects[name] = obj
            self.history.append((self.rv, kind, obj))
            self.cond.notify_all()

    def delete(self, name: str) -> None:
        with self.cond:
            self.rv += 1
            obj = dict(self.objects.pop(name))
            obj["metadata"] = dict(obj["metadata"], resourceVersion=str(self.rv))
            self.history.append((self.rv, "DELETED", obj))
            self.cond.notify_all()

    def compact(self) -> None:
        """Forget all history: any watch resuming from an older RV gets 410 Gone."""
        with self.cond:
            self.rv += 1
            self.oldest = self.rv
            self.history.clear()
            self.cond.notify_all()

    # -- serving --------------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                if api.status != 200:
                    body = json.dumps({"kind": "Status", "code": api.status, "message": "nope"}).encode()
                    self.send_response(api.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if url.path in api.forbidden:
                    body = json.dumps({"kind": "Status", "code": 403, "message": "RBAC: no"}).encode()
                    self.send_response(403)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if url.path not in api.paths:
                    self.send_error(404)
                    return
                if q.get("watch") in ("true", "1"):
                    api.watches += 1
                    self._watch(int(q.get("resourceVersion") or 0))
                else:
                    api.lists += 1
                    self._list(int(q.get("limit") or 0), int(q.get("continue") or 0))

            def _list(self, limit: int, start: int) -> None:
                time.sleep(api.page_delay)
                with api.cond:
                    names = sorted(api.objects)
                    page = names[start : start + limit] if limit else names[start:]
                    items = [api.objects[n] for n in page]
                    more = bool(limit) and start + limit < len(names)
                    meta = {"resourceVersion": str(api.rv)}
                    if more:
                        meta["continue"] = str(start + limit)
                body = json.dumps({"kind": "List", "metadata": meta, "items": items}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if "gzip" in (self.headers.get("Accept-Encoding") or ""):  # as kube-apiserver does
                    api.gzipped += 1
                    body = gzip.compress(body)
                    if api.corrupt_gzip:
                        body = body[: len(body) // 2] + bytes(len(body) - len(body) // 2)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send(self, event: dict[str, Any]) -> None:
                data = json.dumps(event).encode() + b"\n"
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _watch(self, since: int) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.close_connection = True
                try:
                    self._stream(since)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    return

            def _stream(self, since: int) -> None:
                if since < api.oldest:
                    self._send(
                        {"type": "ERROR", "object": {"kind": "Status", "code": 410, "reason": "Expired"}}
                    )
                    return
                sent = since
                while api.server is not None:
                    if since < api.oldest:
                        return  # history compacted under this watch: end it, like etcd compaction
                    if api.silent:
                        time.sleep(0.05)
                        continue
                    with api.cond:
                        todo = [h for h in api.history if h[0] > sent]
                        if not todo:
                            api.cond.wait(0.2)
                            continue
                    for rv, kind, obj in todo:
                        self._send({"type": kind, "object": obj})
                        sent = rv

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self.cond:
            self.cond.notify_all()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
