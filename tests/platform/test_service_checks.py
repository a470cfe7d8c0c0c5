"""Service checks against real HTTP and HTTPS servers on 127.0.0.1."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cockpit.cluster.explain import FailureKind
from cockpit.cluster.platform.http_checks import CheckRunner
from cockpit.cluster.platform.scheduler import CheckMonitor
from cockpit.cluster.platform.spec import ServiceCheck, check_from_entry

from .servers import Server, free_port


async def run(check: ServiceCheck):
    runner = CheckRunner()
    try:
        return await runner.run(check)
    finally:
        await runner.aclose()


async def test_healthy_http_url_reports_status_and_latency(http_server: Server) -> None:
    result = await run(ServiceCheck(http_server.url("/ok"), contains="healthy"))
    assert result.healthy, result.reason
    assert result.status == 200
    assert result.latency_s is not None and result.latency_s > 0
    assert result.tls_not_after is None
    assert result.reason.startswith("200 OK in ")


async def test_wrong_status_is_explained(http_server: Server) -> None:
    result = await run(ServiceCheck(http_server.url("/error"), expect_status=frozenset({200, 302})))
    assert not result.healthy
    assert result.kind is FailureKind.STATUS
    assert result.reason == "Returned 503 Service Unavailable; expected 200 or 302."


async def test_missing_body_text_fails(http_server: Server) -> None:
    result = await run(ServiceCheck(http_server.url("/ok"), contains="grafana"))
    assert result.kind is FailureKind.BODY
    assert "'grafana'" in result.reason


async def test_cloudflare_access_redirect_is_named(http_server: Server) -> None:
    result = await run(ServiceCheck(http_server.url("/cf"), method="HEAD"))
    assert not result.healthy
    assert result.kind is FailureKind.LOGIN
    assert result.status == 302
    assert result.login == "Cloudflare Access"
    assert "Cloudflare Access login (254carbon.cloudflareaccess.com)" in result.reason
    accepted = await run(ServiceCheck(http_server.url("/cf"), login_ok=True))
    assert accepted.healthy and accepted.login == "Cloudflare Access"


async def test_oauth2_proxy_redirect_is_named(http_server: Server) -> None:
    result = await run(ServiceCheck(http_server.url("/oauth")))
    assert result.login == "oauth2-proxy"
    assert result.location == http_server.url("/oauth2/start?rd=%2Foauth")


async def test_plain_redirect_is_followed_when_asked(http_server: Server) -> None:
    not_followed = await run(ServiceCheck(http_server.url("/moved"), expect_status=frozenset({200})))
    assert not_followed.kind is FailureKind.STATUS and "redirect to /ok" in not_followed.reason
    followed = await run(
        ServiceCheck(http_server.url("/moved"), expect_status=frozenset({200}), follow_redirects=True)
    )
    assert followed.healthy and followed.status == 200


async def test_slow_answer_over_limit_fails(http_server: Server) -> None:
    result = await run(ServiceCheck(http_server.url("/slow"), max_latency_s=0.1))
    assert result.kind is FailureKind.SLOW
    assert result.latency_s is not None and result.latency_s >= 0.4
    assert "slower than the 100 ms limit" in result.reason


async def test_timeout_is_explained(http_server: Server) -> None:
    result = await run(ServiceCheck(http_server.url("/hang"), timeout_s=0.3))
    assert result.kind is FailureKind.TIMEOUT
    assert result.reason == "Timed out after 0.3 s waiting for 127.0.0.1."


async def test_refused_port_is_explained() -> None:
    port = free_port()
    result = await run(ServiceCheck(f"http://127.0.0.1:{port}/"))
    assert result.kind is FailureKind.REFUSED
    assert result.reason == f"Connection to 127.0.0.1:{port} was refused: nothing is listening there."


async def test_dns_failure_is_explained() -> None:
    result = await run(ServiceCheck("https://no-such-host.invalid/"))
    assert result.kind is FailureKind.DNS
    assert "no-such-host.invalid" in result.reason


async def test_self_signed_certificate_is_named(https_servers: dict[str, Server]) -> None:
    result = await run(ServiceCheck(https_servers["valid"].url("/ok")))
    assert result.kind is FailureKind.TLS
    assert result.reason == "TLS certificate of 127.0.0.1 is self-signed and not trusted."


async def test_trusted_certificate_shows_its_expiry(
    https_servers: dict[str, Server], certs: dict[str, tuple[Path, Path, datetime]]
) -> None:
    cert, _, not_after = certs["expiring"]
    result = await run(ServiceCheck(https_servers["expiring"].url("/ok"), verify=str(cert)))
    assert result.healthy, result.reason
    assert result.tls_not_after == not_after
    days = result.tls_days_left()
    assert days is not None and 1.9 < days <= 2.0


async def test_expired_certificate_says_when(
    https_servers: dict[str, Server], certs: dict[str, tuple[Path, Path, datetime]]
) -> None:
    cert, _, not_after = certs["expired"]
    result = await run(ServiceCheck(https_servers["expired"].url("/ok"), verify=str(cert)))
    assert result.kind is FailureKind.TLS
    assert result.tls_not_after == not_after
    assert result.reason == f"TLS certificate of 127.0.0.1 has expired (on {not_after:%Y-%m-%d %H:%M} UTC)."
    unverified = await run(ServiceCheck(https_servers["expired"].url("/ok"), verify=False))
    assert unverified.healthy and unverified.tls_not_after == not_after


async def test_rounds_run_concurrently_and_track_changes(http_server: Server) -> None:
    flip = ServiceCheck(http_server.url("/flip"), name="flip")
    slow = [ServiceCheck(http_server.url(f"/slow?{i}")) for i in range(4)]
    monitor = CheckMonitor([flip, *slow], interval_s=60)
    first = await monitor.run_round()
    peak = http_server.httpd.state["slow_peak"]  # type: ignore[attr-defined]
    assert peak >= 2, f"the four slow checks never overlapped (at most {peak} at once): not concurrent"
    assert next(s.check.label for s in first) == "flip"
    changed_at = first[0].changed_at
    second = await monitor.run_round()
    assert second[0].result.healthy and second[0].changed_at == changed_at
    third = await monitor.run_round()
    assert not third[0].result.healthy
    assert third[0].changed_at > changed_at and third[0].previous is not None
    assert third[0].unchanged_for(third[0].changed_at + timedelta(seconds=5)) == 5
    await monitor.runner.aclose()


async def test_run_forever_waits_for_the_previous_round(http_server: Server) -> None:
    import asyncio

    monitor = CheckMonitor([ServiceCheck(http_server.url("/slow"))], interval_s=0.05)
    stamps: list[float] = []
    loop = asyncio.get_running_loop()

    def on_round(states: list) -> None:
        stamps.append(loop.time())
        if len(stamps) == 3:
            task.cancel()

    task = asyncio.create_task(monitor.run_forever(on_round))
    with pytest.raises(asyncio.CancelledError):
        await task
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(g >= 0.45 for g in gaps), gaps  # 0.4 s round + 0.05 s pause, never overlapping


def test_entry_errors_name_the_place() -> None:
    from cockpit.cluster.platform.spec import CheckSpecError

    with pytest.raises(
        CheckSpecError, match=r"config.yaml: checks\[1\]: expected HTTP status codes, got 'ok'"
    ):
        check_from_entry({"url": "https://x", "expect": "200/ok"}, "config.yaml: checks[1]")
    with pytest.raises(CheckSpecError, match="http:// or https:// URL"):
        check_from_entry("ftp://x", "plan.yaml: checks[0]")
    spec = check_from_entry({"url": "https://g/", "expect": "200/302", "max_latency_ms": 800}, "w")
    assert spec.expect_status == {200, 302} and spec.max_latency_s == 0.8


async def test_missing_ca_bundle_is_named(http_server: Server, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"
    result = await run(
        ServiceCheck("https://127.0.0.1:1/", verify=str(missing), origin="config.yaml: checks[3]")
    )
    assert result.kind is FailureKind.TLS
    assert result.reason.startswith(f"CA bundle {missing} (config.yaml: checks[3]) cannot be used:")


async def test_own_login_page_means_the_service_is_up(http_server: Server) -> None:
    """Grafana answers `/` with 302 to its own `/login`: up, as "return 200/302" expects."""
    up = await run(ServiceCheck(http_server.url("/app"), method="HEAD", expect_status=frozenset({200, 302})))
    assert up.healthy and up.kind is None and up.status == 302
    assert up.reason == "302 to its own login page (/login): the service is up (not logged in)."
    strict = await run(ServiceCheck(http_server.url("/app"), expect_status=frozenset({200})))
    assert strict.kind is FailureKind.STATUS
    assert strict.reason == "Returned 302 Found; expected 200 (a redirect to its own login page (/login))."
