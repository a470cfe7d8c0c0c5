"""Grafana and Loki answers recorded in their documented HTTP API formats, served on 127.0.0.1.

Neither Grafana nor Grafana Loki has a Debian package here, so their clients are tested against
these responses (Grafana HTTP API: /api/health, /api/datasources, /api/datasources/uid/UID/health;
Loki HTTP API: /ready, /loki/api/v1/query_range with resultType "streams").
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "glsa_test_token"
BASIC = "Basic " + base64.b64encode(b"admin:datahub_admin_password").decode()
SELECTOR = '{namespace="data-platform"}'

LOKI_DS_ERROR = "Unable to connect with Loki. Please check the server logs for more details."
GRAFANA_HEALTH = {"commit": "03f502a94d", "database": "ok", "version": "10.4.2"}
GRAFANA_DATASOURCES = [
    {
        "id": 1,
        "uid": "P4169E866C3094E38",
        "orgId": 1,
        "name": "VictoriaMetrics",
        "type": "prometheus",
        "typeName": "Prometheus",
        "access": "proxy",
        "url": "http://vmsingle:8428",
        "isDefault": True,
        "readOnly": False,
    },
    {
        "id": 2,
        "uid": "P8E80F9AEF21F6940",
        "orgId": 1,
        "name": "Loki",
        "type": "loki",
        "typeName": "Loki",
        "access": "proxy",
        "url": "http://loki:3100",
        "isDefault": False,
        "readOnly": False,
    },
]
GRAFANA_DS_HEALTH = {
    "P4169E866C3094E38": (200, {"status": "OK", "message": "Successfully queried the Prometheus API."}),
    "P8E80F9AEF21F6940": (
        400,
        {
            "status": "ERROR",
            "message": LOKI_DS_ERROR,
        },
    ),
}


def loki_streams(now_ns: int) -> dict:
    return {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [
                {
                    "stream": {
                        "namespace": "data-platform",
                        "app": "dolphinscheduler-api",
                        "pod": "dolphinscheduler-api-7d9f",
                    },
                    "values": [
                        [
                            str(now_ns - 2_000_000_000),
                            "INFO  o.a.d.a.ApiApplicationServer - Started in 41.2 s",
                        ],
                        [str(now_ns - 9_000_000_000), "WARN  HikariPool-1 - Connection is not available"],
                    ],
                },
                {
                    "stream": {"namespace": "data-platform", "app": "trino", "pod": "trino-worker-0"},
                    "values": [
                        [str(now_ns - 5_000_000_000), "ERROR Query exceeded per-node memory limit of 1GB"]
                    ],
                },
            ],
            "stats": {
                "summary": {
                    "bytesProcessedPerSecond": 10240,
                    "linesProcessedPerSecond": 3,
                    "totalBytesProcessed": 512,
                    "totalLinesProcessed": 3,
                    "execTime": 0.004,
                }
            },
        },
    }


class RecordedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _json(self, status: int, doc: object) -> None:
        self._raw(status, json.dumps(doc).encode(), "application/json")

    def _raw(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        mode = self.server.mode  # type: ignore[attr-defined]
        self.server.requests.append((parts.path, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        if parts.path == "/api/health":
            doc = dict(GRAFANA_HEALTH, database="failing") if mode == "grafana-db-down" else GRAFANA_HEALTH
            self._json(200 if doc["database"] == "ok" else 503, doc)
        elif parts.path == "/api/datasources":
            if self.headers.get("Authorization") not in (f"Bearer {TOKEN}", BASIC):
                self._json(401, {"message": "Invalid API key", "traceID": ""})
            else:
                self._json(200, GRAFANA_DATASOURCES)
        elif parts.path.startswith("/api/datasources/uid/") and parts.path.endswith("/health"):
            uid = parts.path.split("/")[4]
            status, doc = GRAFANA_DS_HEALTH.get(uid, (404, {"message": "Data source not found"}))
            self._json(status, doc)
        elif parts.path == "/ready":
            if mode == "loki-starting":
                self._raw(503, b"Ingester not ready: waiting for 15s after being ready\n")
            else:
                self._raw(200, b"ready\n")
        elif parts.path == "/loki/api/v1/query_range":
            query = parse_qs(parts.query).get("query", [""])[0]
            if not query.startswith("{"):
                self._raw(400, b"parse error at line 1, col 1: syntax error: unexpected IDENTIFIER\n")
            elif query == SELECTOR:
                self._json(200, loki_streams(time.time_ns()))
            else:
                self._json(200, {"status": "success", "data": {"resultType": "streams", "result": []}})
        else:
            self._json(404, {"message": "Not found"})


class RecordedServer:
    def __init__(self, mode: str = "") -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RecordedHandler)
        self.httpd.daemon_threads = True
        self.httpd.mode = mode  # type: ignore[attr-defined]
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
