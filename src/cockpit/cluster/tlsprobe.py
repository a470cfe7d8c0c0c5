"""Probe a certificate's host from here: the certificate it serves, and whether the ACME path is intercepted.

`probe_host(host)` opens TLS to host:443 (verifying first; when that fails it reads the served
certificate unverified, to report issuer and expiry anyway: `tlscert.served_certificate`), then asks
`http://host/.well-known/acme-challenge/cockpit-probe` without following redirects: a 3xx to a
login page (Cloudflare Access, an SSO proxy) is exactly what breaks HTTP-01 validation.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from cockpit.cluster.explain import LoginPage, login_page

ACME_PROBE_PATH = "/.well-known/acme-challenge/cockpit-probe"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    host: str
    issuer: str = ""
    not_after: float | None = None
    verify_error: str = ""
    tls_error: str = ""
    acme_status: int | None = None
    acme_location: str = ""
    acme_error: str = ""

    @property
    def intercepted(self) -> bool:
        return self.login is not None

    @property
    def login(self) -> LoginPage | None:
        """The login page the ACME path redirects to (what breaks HTTP-01), or None."""
        if self.acme_status is None or not 300 <= self.acme_status < 400 or not self.acme_location:
            return None
        return login_page(self.acme_location, f"http://{self.host}{ACME_PROBE_PATH}")

    @property
    def days_left(self) -> int | None:
        return None if self.not_after is None else int((self.not_after - time.time()) // 86400)

    @property
    def problem(self) -> bool:
        return bool(self.verify_error or self.tls_error or self.intercepted or self.acme_error)

    @property
    def summary(self) -> str:
        parts = []
        if self.tls_error:
            parts.append(f"TLS failed ({self.tls_error})")
        else:
            when = datetime.fromtimestamp(self.not_after, UTC).strftime("%Y-%m-%d") if self.not_after else "?"
            parts.append(
                f"serves a certificate from {self.issuer or '?'} until {when} ({self.days_left} days)"
            )
            if self.verify_error:
                parts.append(f"not trusted: {self.verify_error}")
        if self.intercepted:
            whose = f"{self.login.name}: " if self.login is not None and self.login.name else ""
            parts.append(
                f"ACME path answers {self.acme_status} to a login page "
                f"({whose}{self.acme_location[:80]}): HTTP-01 will fail"
            )
        elif self.acme_status is not None:
            parts.append(f"ACME path answers {self.acme_status}")
        elif self.acme_error:
            parts.append(f"ACME path unreachable ({self.acme_error})")
        return "; ".join(parts) + "."


def probe_host(
    host: str,
    https_port: int = 443,
    http_port: int = 80,
    address: str | None = None,
    timeout: float = 5.0,
    cafile: str | None = None,
) -> ProbeResult:
    """Probe one host (blocking: call from a worker). `address` connects elsewhere (tests, split DNS)."""
    import httpx  # here, not at import: the cockpit starts without httpx and cryptography

    from cockpit.cluster.tlscert import served_certificate

    issuer, not_after, verify_error, tls_error = "", None, "", ""
    try:
        cert, verify_error = served_certificate(host, https_port, address, timeout, cafile)
        if cert is not None:
            issuer, not_after = cert.issuer, cert.not_after.timestamp()
    except (OSError, ssl.SSLError) as exc:
        tls_error = str(exc)[:120]
    status, location, acme_error = None, "", ""
    url = f"http://{address or host}:{http_port}{ACME_PROBE_PATH}"
    try:
        resp = httpx.get(url, headers={"Host": host}, follow_redirects=False, timeout=timeout)
        status, location = resp.status_code, resp.headers.get("location", "")
    except httpx.HTTPError as exc:
        acme_error = str(exc)[:120] or type(exc).__name__
    return ProbeResult(host, issuer, not_after, verify_error, tls_error, status, location, acme_error)
