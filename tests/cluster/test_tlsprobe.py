"""The TLS probe: the served certificate (even untrusted) and an intercepted ACME path."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cockpit.cluster.tlsprobe import probe_host
from cockpit.sandbox import Sandbox


class AccessProxy(BaseHTTPRequestHandler):
    """Answers like Cloudflare Access in front of an ACME path."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header(
            "Location", "https://254carbon.cloudflareaccess.com/cdn-cgi/access/login/spark-history"
        )
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def proxy() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AccessProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_probe_reports_untrusted_certificate_and_access_intercept(proxy: int) -> None:
    with Sandbox(world=False, tls=True) as box:
        result = probe_host(
            "spark-history.254carbon.com", https_port=box.port, http_port=proxy, address="127.0.0.1"
        )
    assert result.not_after is not None and result.days_left is not None and result.days_left > 0
    assert result.verify_error and result.issuer == "cockpit-sandbox"  # self-signed: reported, not fatal
    assert result.acme_status == 302 and result.intercepted
    assert "to a login page (Cloudflare Access: https://254carbon.cloudflareaccess.com/" in result.summary
    assert result.summary.endswith("HTTP-01 will fail.")


def test_probe_of_nothing_listening_says_so() -> None:
    result = probe_host("localhost", https_port=9, http_port=9, address="127.0.0.1", timeout=2)
    assert result.tls_error and result.acme_error
    assert result.summary.startswith("TLS failed (")


def test_a_redirect_to_https_is_not_an_intercept() -> None:
    from cockpit.cluster.tlsprobe import ProbeResult

    to_https = ProbeResult(
        "x.example.com", acme_status=301, acme_location="https://x.example.com/.well-known/acme-challenge/t"
    )
    assert not to_https.intercepted and "ACME path answers 301" in to_https.summary
    to_sso = ProbeResult("x.example.com", acme_status=302, acme_location="/oauth2/start?rd=%2F")
    assert to_sso.intercepted and "(oauth2-proxy: /oauth2/start" in to_sso.summary
