"""Turn what went wrong with a URL into one sentence an operator can act on.

Two questions: is a redirect a login page (and whose), and what does a transport error mean
(DNS, refused, TLS, timeout). Pure functions over exceptions and URLs, shared by the platform
checks, the TLS/ACME probe, the certificate chain's challenge explanations and the Loki client.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urljoin, urlsplit


class FailureKind(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TLS = "tls"
    TIMEOUT = "timeout"
    STATUS = "status"
    LOGIN = "login"
    BODY = "body"
    SLOW = "slow"
    CONNECTION = "connection"
    NOT_CHECKED = "not-checked"  # a sandbox session (a rehearsal) cannot reach this URL: no verdict


_LOGIN_HOSTS: list[tuple[str, str]] = [
    ("cloudflareaccess.com", "Cloudflare Access"),
    ("okta.com", "Okta"),
    ("oktapreview.com", "Okta"),
    ("accounts.google.com", "Google"),
    ("login.microsoftonline.com", "Azure AD"),
    ("login.microsoft.com", "Azure AD"),
    ("login.windows.net", "Azure AD"),
    ("auth0.com", "Auth0"),
]
_LOGIN_PATHS: list[tuple[str, str]] = [
    ("/cdn-cgi/access/login", "Cloudflare Access"),
    ("/oauth2/start", "oauth2-proxy"),
    ("/oauth2/sign_in", "oauth2-proxy"),
    ("/protocol/openid-connect/auth", "Keycloak"),
    ("/dex/auth", "Dex"),
]
_GENERIC_LOGIN_ENDINGS = ("/login", "/signin", "/sign_in", "/sign-in")


@dataclass(frozen=True, slots=True)
class LoginPage:
    """Where a redirect leads when it leads to a login page.

    `name` is whose it is ("Cloudflare Access", "oauth2-proxy", "Okta", "Grafana"; "" when
    unnamed); `own` is true when it is the service's own login page on the same host (the
    service answered, the visitor is just not logged in), false for an auth proxy or identity
    provider in front of it (the service itself was not reached).
    """

    name: str
    own: bool
    host: str
    path: str

    @property
    def phrase(self) -> str:
        if self.name == "Grafana":
            return f"Grafana's login page ({self.path})"
        if self.name:
            return f"the {self.name} login ({self.host})"
        if self.own:
            return f"its own login page ({self.path})"
        return f"a login page on {self.host}"


def login_page(location: str, base_url: str = "") -> LoginPage | None:
    """The login page a redirect to `location` (relative to `base_url`) leads to, or None."""
    target = urlsplit(urljoin(base_url, location) if base_url else location)
    host = (target.hostname or "").lower()
    path = target.path.rstrip("/").lower() or "/"
    base_host = (urlsplit(base_url).hostname or "").lower() if base_url else host
    for suffix, name in _LOGIN_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return LoginPage(name, False, host, target.path)
    for fragment, name in _LOGIN_PATHS:
        if fragment in path:
            return LoginPage(name, False, host, target.path)
    if path.endswith(_GENERIC_LOGIN_ENDINGS):
        same = base_host == host
        if path == "/login" and "grafana" in f"{host} {base_host}":
            return LoginPage("Grafana", same, host, target.path)
        return LoginPage("", same, host, target.path)
    return None


_URL = re.compile(r"https?://[^\s'\"()<>]+", re.IGNORECASE)


def login_page_in_text(text: str) -> LoginPage | None:
    """The first login page a URL in free text leads to (a cert-manager challenge's reason:
    "... 302 ... (redirect to https://x.cloudflareaccess.com/cdn-cgi/access/login/y)"), or None."""
    for match in _URL.finditer(text):
        page = login_page(match.group(0).rstrip(".,;:'"))
        if page is not None:
            return page
    return None


def login_provider(location: str, base_url: str = "") -> str | None:
    """Who serves the login page `location` points at, in words, or None when it is not one."""
    page = login_page(location, base_url)
    if page is None:
        return None
    if page.name:
        return page.name
    return f"the service's own login page ({page.path})" if page.own else f"a login page on {page.host}"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def _tls_sentence(err: BaseException, host: str) -> str:
    if isinstance(err, ssl.SSLCertVerificationError):
        code = err.verify_code
        msg = err.verify_message or str(err)
        if code == 10:
            return f"TLS certificate of {host} has expired."
        if code in (18, 19):
            return f"TLS certificate of {host} is self-signed and not trusted."
        if code == 20:
            return f"TLS certificate of {host} is issued by an unknown authority."
        if code == 62:
            return f"TLS certificate does not match the host name {host}."
        if code == 9:
            return f"TLS certificate of {host} is not valid yet."
        return f"TLS certificate of {host} was rejected: {msg}."
    text = str(err)
    low = text.lower()
    if "certificate has expired" in low:
        return f"TLS certificate of {host} has expired."
    if "self-signed" in low or "self signed" in low:
        return f"TLS certificate of {host} is self-signed and not trusted."
    reason = getattr(err, "reason", None) or text.split("(_ssl")[0].strip() or type(err).__name__
    return f"TLS handshake with {host} failed ({reason})."


def explain_error(exc: BaseException, url: str, timeout_s: float | None = None) -> tuple[FailureKind, str]:
    """Classify a request error into a kind and a one-sentence explanation."""
    parts = urlsplit(url)
    host = parts.hostname or url
    port = parts.port or (443 if parts.scheme == "https" else 80)
    chain = _chain(exc)
    for err in chain:
        if isinstance(err, ssl.SSLError | ssl.CertificateError):
            return FailureKind.TLS, _tls_sentence(err, host)
    for err in chain:
        if isinstance(err, socket.gaierror):
            return FailureKind.DNS, f"DNS lookup for {host} failed: the name does not resolve."
        if isinstance(err, ConnectionRefusedError) or (
            isinstance(err, OSError) and err.errno == errno.ECONNREFUSED
        ):
            return (
                FailureKind.REFUSED,
                f"Connection to {host}:{port} was refused: nothing is listening there.",
            )
    import httpx  # only here: a cold start does not pay for it (the exception came from httpx anyway)

    if isinstance(exc, httpx.TimeoutException) or any(isinstance(e, TimeoutError) for e in chain):
        limit = f" after {timeout_s:g} s" if timeout_s else ""
        what = "connecting to" if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout) else "waiting for"
        return FailureKind.TIMEOUT, f"Timed out{limit} {what} {host}."
    text = " ".join(str(e) for e in chain).lower()
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return FailureKind.DNS, f"DNS lookup for {host} failed: the name does not resolve."
    if "connection refused" in text:
        return FailureKind.REFUSED, f"Connection to {host}:{port} was refused: nothing is listening there."
    if "certificate" in text or "ssl" in text or "tls" in text:
        return FailureKind.TLS, _tls_sentence(exc, host)
    if "unreachable" in text:
        return FailureKind.CONNECTION, f"Network to {host} is unreachable."
    detail = str(exc) or type(exc).__name__
    return FailureKind.CONNECTION, f"Could not reach {host}:{port} ({detail})."
