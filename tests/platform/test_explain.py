"""Login pages named by who serves them; transport errors explained in one sentence."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from cockpit.cluster.explain import FailureKind, explain_error, login_provider


@pytest.mark.parametrize(
    ("location", "base", "provider"),
    [
        (
            "https://254carbon.cloudflareaccess.com/cdn-cgi/access/login/grafana.254carbon.com",
            "",
            "Cloudflare Access",
        ),
        ("/cdn-cgi/access/login/x?kid=1", "https://spark-history.254carbon.com/", "Cloudflare Access"),
        ("/oauth2/start?rd=%2F", "https://trino.254carbon.com/", "oauth2-proxy"),
        ("https://dev-123.okta.com/oauth2/v1/authorize?client_id=x", "", "Okta"),
        ("https://accounts.google.com/o/oauth2/v2/auth?x=1", "", "Google"),
        ("https://login.microsoftonline.com/tenant/oauth2/v2.0/authorize", "", "Azure AD"),
        ("/login", "https://grafana.254carbon.com/", "Grafana"),
        ("/realms/x/protocol/openid-connect/auth?x", "https://sso.example/", "Keycloak"),
        ("https://app.example/oauth2/start", "https://app.example/", "oauth2-proxy"),
        ("/ok", "https://dolphin.254carbon.com/", None),
        ("https://superset.254carbon.com/superset/welcome/", "https://superset.254carbon.com/", None),
    ],
)
def test_login_provider(location: str, base: str, provider: str | None) -> None:
    if provider is None and "openid-connect" in location:
        assert login_provider(location, base) is None or "Keycloak" not in (
            login_provider(location, base) or ""
        )
        return
    assert login_provider(location, base) == provider


def test_login_pages_know_whether_they_are_the_services_own() -> None:
    from cockpit.cluster.explain import login_page

    grafana = login_page("/login", "https://grafana.254carbon.com/")
    assert grafana is not None and grafana.own and grafana.phrase == "Grafana's login page (/login)"
    proxy = login_page("/oauth2/start?rd=/", "https://trino.254carbon.com/")
    assert (
        proxy is not None and not proxy.own and proxy.phrase == "the oauth2-proxy login (trino.254carbon.com)"
    )
    access = login_page("https://x.cloudflareaccess.com/cdn-cgi/access/login/a", "https://api.254carbon.com/")
    assert access is not None and not access.own


def test_same_host_login_page_that_is_not_grafana() -> None:
    assert (
        login_provider("/login?next=/", "https://superset.254carbon.com/")
        == "the service's own login page (/login)"
    )
    assert login_provider("https://auth.example.com/signin", "https://app.example.com/") == (
        "a login page on auth.example.com"
    )


def test_wrapped_errors_are_classified() -> None:
    dns = httpx.ConnectError("boom")
    dns.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert explain_error(dns, "https://trino.254carbon.com/") == (
        FailureKind.DNS,
        "DNS lookup for trino.254carbon.com failed: the name does not resolve.",
    )
    expired = httpx.ConnectError("x")
    err = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    err.verify_code, err.verify_message = 10, "certificate has expired"
    expired.__cause__ = err
    assert (
        explain_error(expired, "https://api.254carbon.com")[1]
        == "TLS certificate of api.254carbon.com has expired."
    )
    mismatch = httpx.ConnectError("x")
    err2 = ssl.SSLCertVerificationError(1, "hostname mismatch")
    err2.verify_code, err2.verify_message = 62, "Hostname mismatch"
    mismatch.__cause__ = err2
    assert explain_error(mismatch, "https://a.example")[0] is FailureKind.TLS
    assert "does not match the host name a.example" in explain_error(mismatch, "https://a.example")[1]
