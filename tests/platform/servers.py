"""Real HTTP(S) servers on 127.0.0.1 for the service-check tests (threads, stdlib only)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        state = self.server.state  # type: ignore[attr-defined]
        if path == "/ok":
            self._send(200, b"status: healthy\n")
        elif path == "/slow":
            with state["lock"]:  # how many /slow requests are in flight at once (concurrency, not time)
                state["slow_now"] = state.get("slow_now", 0) + 1
                state["slow_peak"] = max(state.get("slow_peak", 0), state["slow_now"])
            time.sleep(0.4)
            with state["lock"]:
                state["slow_now"] -= 1
            self._send(200, b"slow but fine\n")
        elif path == "/hang":
            time.sleep(3)
            self._send(200, b"late\n")
        elif path == "/cf":
            target = "https://254carbon.cloudflareaccess.com/cdn-cgi/access/login/grafana.254carbon.com?kid=1"
            self._send(302, headers={"Location": target})
        elif path == "/oauth":
            self._send(302, headers={"Location": "/oauth2/start?rd=%2Foauth"})
        elif path == "/app":
            self._send(302, headers={"Location": "/login?redirectTo=%2Fapp"})
        elif path == "/moved":
            self._send(301, headers={"Location": "/ok"})
        elif path == "/error":
            self._send(503, b"upstream down\n")
        elif path == "/count":
            state["count"] = state.get("count", 0) + 1
            self._send(200, b"counted\n")
        elif path == "/flip":
            state["flip"] = state.get("flip", 0) + 1
            self._send(200 if state["flip"] <= 2 else 500, b"flip\n")
        else:
            self._send(404, b"not found\n")


class Server:
    def __init__(self, cert: Path | None = None, key: Path | None = None) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.httpd.state = {"lock": threading.Lock()}  # type: ignore[attr-defined]
        self.scheme = "http"
        if cert is not None and key is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
