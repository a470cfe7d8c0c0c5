"""Run one service check with httpx and say, in one sentence, how it went.

`CheckRunner` owns the httpx clients (one per TLS setting) so that connection pools are reused
between rounds; `CheckRunner.run(check)` never raises for network trouble: every outcome is a
`CheckResult` with a verdict and a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from cockpit.cluster.explain import FailureKind, LoginPage, explain_error, login_page
from cockpit.cluster.platform.sandbox_routes import Routed
from cockpit.cluster.platform.spec import ServiceCheck

if TYPE_CHECKING:  # httpx loads with the first request, not with the cockpit
    import httpx

MAX_REDIRECTS = 5
BODY_LIMIT = 256 * 1024
USER_AGENT = "cockpit-platform-check/1"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check at one moment.

    `healthy` is the verdict; `kind` names the failure (None when healthy); `reason` is one
    sentence for the operator. `status` and `latency_s` are of the first response (or the last,
    when redirects are followed); `tls_not_after` is the served certificate's expiry;
    `login` names the login page a redirect led to.
    """

    check: ServiceCheck
    healthy: bool
    reason: str
    checked_at: datetime
    kind: FailureKind | None = None
    status: int | None = None
    latency_s: float | None = None
    tls_not_after: datetime | None = None
    location: str | None = None
    login: str | None = None

    @property
    def checked(self) -> bool:
        """False when the check was not run (a rehearsal with no Ingress for the host): no verdict."""
        return self.kind is not FailureKind.NOT_CHECKED

    @property
    def outcome(self) -> str:
        """What changed-tracking compares: the verdict and its kind, not the latency."""
        if self.healthy:
            return f"ok {self.status}"
        return f"{self.kind} {self.status}"

    def tls_days_left(self, now: datetime | None = None) -> float | None:
        if self.tls_not_after is None:
            return None
        return (self.tls_not_after - (now or datetime.now(UTC))).total_seconds() / 86400


def _status_text(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _expected_text(check: ServiceCheck) -> str:
    if not check.expect_status:
        return "a 2xx or 3xx answer"
    codes = sorted(check.expect_status)
    return " or ".join(str(c) for c in codes) if len(codes) <= 3 else ", ".join(map(str, codes))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ssl_context_for(verify: bool | str) -> ssl.SSLContext:
    if verify is False:
        from cockpit.cluster.tlscert import unverified_context  # cryptography loads when needed

        return unverified_context()
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return ssl.create_default_context()


class CheckRunner:
    """Runs checks; keeps one AsyncClient per TLS verification setting. With `route` (a sandbox
    session: `sandbox_routes.SandboxRoutes.route`), each URL is sent where the route says (the
    sandbox's service proxy) or, with no route for it, reported as not checked in a rehearsal."""

    def __init__(self, route: Callable[[str], Awaitable[Routed | None]] | None = None) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}
        self.route = route
        self._prepared = False

    async def prepare(self, checks: Sequence[ServiceCheck]) -> None:
        """Load httpx and the certificate reader and build the clients `checks` need, on a thread:
        ~0.1 s of imports and CA-bundle loading that would otherwise stall the event loop (keys,
        paints) during the first round. Once; `run` works without it (it builds what is missing)."""
        if not self._prepared:
            await asyncio.to_thread(self._prepare, list(checks))
            self._prepared = True

    def _prepare(self, checks: list[ServiceCheck]) -> None:
        import httpx  # noqa: F401

        import cockpit.cluster.tlscert  # noqa: F401

        for check in checks:
            with contextlib.suppress(OSError, ssl.SSLError):  # `run` says why, per check
                self._client(check)

    def _routed_client(self, verify: bool) -> httpx.AsyncClient:
        import httpx

        key = f"routed:{verify}"
        client = self._clients.get(key)
        if client is None:
            client = httpx.AsyncClient(
                verify=verify, follow_redirects=False, headers={"User-Agent": USER_AGENT}, trust_env=False
            )
            self._clients[key] = client
        return client

    def _client(self, check: ServiceCheck) -> httpx.AsyncClient:
        import httpx

        key = repr(check.verify)
        client = self._clients.get(key)
        if client is None:
            client = httpx.AsyncClient(
                verify=ssl_context_for(check.verify),
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT},
                trust_env=True,
            )
            self._clients[key] = client
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    async def run(self, check: ServiceCheck) -> CheckResult:
        import httpx

        try:
            self._client(check)
        except (OSError, ssl.SSLError) as exc:
            reason = f"CA bundle {check.verify} ({check.origin or 'check'}) cannot be used: {exc}."
            return CheckResult(check, False, reason, datetime.now(UTC), FailureKind.TLS)
        try:
            return await self._run(check)
        except (httpx.HTTPError, OSError, ssl.SSLError, TimeoutError) as exc:
            return await self._failed(check, exc)

    async def _failed(self, check: ServiceCheck, exc: BaseException) -> CheckResult:
        kind, sentence = explain_error(exc, check.url, check.timeout_s)
        not_after = None
        parts = urlsplit(check.url)
        if kind is FailureKind.TLS and parts.scheme == "https" and parts.hostname:
            from cockpit.cluster.tlscert import fetch_served_certificate

            served = await fetch_served_certificate(parts.hostname, parts.port or 443, check.timeout_s)
            not_after = served.not_after if served is not None else None
            if not_after is not None and "expired" in sentence:
                sentence = sentence.rstrip(".") + f" (on {not_after:%Y-%m-%d %H:%M} UTC)."
        return CheckResult(
            check=check,
            healthy=False,
            reason=sentence,
            checked_at=datetime.now(UTC),
            kind=kind,
            tls_not_after=not_after,
        )

    async def _run(self, check: ServiceCheck) -> CheckResult:
        import httpx

        from cockpit.cluster.tlscert import cert_from_response

        client = self._client(check)
        url = check.url
        started = time.perf_counter()
        not_after: datetime | None = None
        for _hop in range(MAX_REDIRECTS + 1):
            target, headers, sender = url, None, client
            if self.route is not None:
                routed = await self.route(url)
                if routed is None:
                    host = urlsplit(url).hostname or url
                    reason = f"Not checked in a rehearsal: no Ingress of the sandbox serves {host}."
                    return CheckResult(check, False, reason, datetime.now(UTC), FailureKind.NOT_CHECKED)
                target, headers, sender = routed.url, routed.headers, self._routed_client(routed.verify)
            async with asyncio.timeout(check.timeout_s):
                request = sender.build_request(
                    check.method, target, headers=headers, timeout=httpx.Timeout(check.timeout_s)
                )
                response = await sender.send(request, stream=True)
                try:
                    latency = time.perf_counter() - started
                    if not_after is None and (served := cert_from_response(response)) is not None:
                        not_after = served.not_after
                    body = b""
                    if check.contains is not None and check.method == "GET":
                        body = await _read_limited(response)
                finally:
                    await response.aclose()
            location = response.headers.get("location")
            if response.is_redirect and location:
                target = urljoin(url, location)
                page = login_page(target, url)
                if page is not None:
                    return self._login_result(check, response.status_code, latency, not_after, target, page)
                if check.follow_redirects:
                    url = target
                    continue
            return self._judge(check, response.status_code, latency, not_after, body, location)
        return CheckResult(
            check=check,
            healthy=False,
            reason=f"More than {MAX_REDIRECTS} redirects starting at {check.url}.",
            checked_at=datetime.now(UTC),
            kind=FailureKind.STATUS,
            tls_not_after=not_after,
        )

    def _login_result(
        self,
        check: ServiceCheck,
        status: int,
        latency: float,
        not_after: datetime | None,
        target: str,
        page: LoginPage,
    ) -> CheckResult:
        """A redirect to a login page: the service's own page means it is up (when the status is
        one the check expects); an auth proxy or identity provider means it was not reached."""
        kind: FailureKind | None = None
        if page.own and check.status_ok(status):
            reason = f"{status} to {page.phrase}: the service is up (not logged in)."
        elif page.own:
            kind = FailureKind.STATUS
            expected = _expected_text(check)
            reason = f"Returned {_status_text(status)}; expected {expected} (a redirect to {page.phrase})."
        elif check.login_ok:
            reason = f"{status} to {page.phrase}, accepted for this check."
        else:
            kind = FailureKind.LOGIN
            reason = f"Redirects to {page.phrase}: the service itself was not reached."
        return CheckResult(
            check=check,
            healthy=kind is None,
            reason=reason,
            checked_at=datetime.now(UTC),
            kind=kind,
            status=status,
            latency_s=latency,
            tls_not_after=not_after,
            location=target,
            login=page.name or ("own login page" if page.own else "login page"),
        )

    def _judge(
        self,
        check: ServiceCheck,
        status: int,
        latency: float,
        not_after: datetime | None,
        body: bytes,
        location: str | None,
    ) -> CheckResult:
        kind: FailureKind | None = None
        if not check.status_ok(status):
            kind = FailureKind.STATUS
            reason = f"Returned {_status_text(status)}; expected {_expected_text(check)}."
            if location:
                reason = reason.rstrip(".") + f" (redirect to {location})."
        elif check.contains is not None and check.contains.encode() not in body:
            kind = FailureKind.BODY
            reason = f"Returned {status} but the body does not contain {check.contains!r}."
        elif check.max_latency_s is not None and latency > check.max_latency_s:
            kind = FailureKind.SLOW
            reason = f"Answered {status} in {_ms(latency)}, slower than the {_ms(check.max_latency_s)} limit."
        else:
            reason = f"{_status_text(status)} in {_ms(latency)}."
        return CheckResult(
            check=check,
            healthy=kind is None,
            reason=reason,
            checked_at=datetime.now(UTC),
            kind=kind,
            status=status,
            latency_s=latency,
            tls_not_after=not_after,
            location=location,
        )


async def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= BODY_LIMIT:
            break
    return b"".join(chunks)
