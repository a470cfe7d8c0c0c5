"""ArgoCD application rows and cert-manager explanations, from JSON shaped like the real objects."""

from __future__ import annotations

from typing import Any

from cockpit.cluster.argocd import counts, sort_apps, summarize_app
from cockpit.cluster.certs import explain_challenge, summarize_certificate


def app(name: str, sync: str, health: str, op: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    status: dict[str, Any] = {
        "sync": {"status": sync, "revision": "abc123def4567890"},
        "health": {"status": health},
    }
    if op:
        status["operationState"] = op
    return {
        "metadata": {"name": name, "namespace": "argocd", "uid": f"u-{name}", **meta},
        "spec": {"project": "default", "source": {"repoURL": "https://git", "targetRevision": "main"}},
        "status": status,
    }


def test_application_row_fields() -> None:
    a = summarize_app(
        app(
            "data-platform",
            "OutOfSync",
            "Degraded",
            {
                "phase": "Failed",
                "message": "one or more objects failed to apply",
                "finishedAt": "2025-10-24T10:00:00Z",
            },
            annotations={"argocd.argoproj.io/refresh": "hard"},
        )
    )
    assert (a.sync, a.health, a.operation, a.target_revision) == ("OutOfSync", "Degraded", "Failed", "main")
    assert a.failed_message == "one or more objects failed to apply"
    assert a.refreshing and a.last_sync is not None
    assert a.synced_revision == "abc123def456"


def test_counts_read_like_the_plan() -> None:
    apps = [summarize_app(app(f"ok{i}", "Synced", "Healthy")) for i in range(7)]
    apps += [summarize_app(app(f"bad{i}", "OutOfSync", "Degraded")) for i in range(8)]
    apps += [summarize_app(app(f"half{i}", "OutOfSync", "Healthy")) for i in range(2)]
    c = counts(apps)
    assert c.synced_text == "Synced 7/17"
    assert (c.healthy, c.synced_or_healthy, c.synced_and_healthy) == (9, 9, 7)


def test_failing_apps_sort_first() -> None:
    rows = [
        summarize_app(app("a-fine", "Synced", "Healthy")),
        summarize_app(app("b-degraded", "OutOfSync", "Degraded")),
        summarize_app(app("c-failed", "Synced", "Healthy", {"phase": "Failed", "message": "x"})),
    ]
    assert [r.name for r in sort_apps(rows)] == ["c-failed", "b-degraded", "a-fine"]


def test_certificate_row() -> None:
    c = summarize_certificate(
        {
            "metadata": {"name": "spark-history-tls", "namespace": "data-platform", "uid": "c1"},
            "spec": {
                "dnsNames": ["spark-history.254carbon.com"],
                "secretName": "s",
                "issuerRef": {"kind": "ClusterIssuer", "name": "letsencrypt-prod"},
            },
            "status": {
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "False",
                        "reason": "DoesNotExist",
                        "message": "Issuing certificate as Secret does not exist",
                    }
                ],
                "notAfter": "2030-01-01T00:00:00Z",
            },
        }
    )
    assert not c.is_ready and c.reason == "DoesNotExist"
    assert c.issuer == "ClusterIssuer/letsencrypt-prod"
    assert c.days_left(now=c.not_after - 10 * 86400) == 10  # type: ignore[operator]


def challenge(reason: str, state: str = "pending") -> dict[str, Any]:
    return {
        "metadata": {"name": "spark-history-tls-1-123-456"},
        "spec": {"type": "HTTP-01", "dnsName": "spark-history.254carbon.com"},
        "status": {"state": state, "reason": reason, "processing": True, "presented": True},
    }


def test_cloudflare_access_intercept_is_explained_in_one_sentence() -> None:
    reason = (
        "Waiting for HTTP-01 challenge propagation: failed to perform self check GET request "
        "'http://spark-history.254carbon.com/.well-known/acme-challenge/abc': "
        "wrong status code '302', expected '200' (redirect to https://254carbon.cloudflareaccess.com/cdn-cgi/access/login/x)"
    )
    text = explain_challenge(challenge(reason))
    assert text.startswith("HTTP-01 for spark-history.254carbon.com fails because")
    assert "302 to a login page (Cloudflare Access intercepts it)" in text
    assert text.count(". ") == 0


def test_other_http01_failures() -> None:
    assert "answers 404" in explain_challenge(challenge("wrong status code '404', expected '200'"))
    assert "not reachable" in explain_challenge(challenge("dial tcp 1.2.3.4:80: i/o timeout"))
    assert explain_challenge(challenge("", state="valid")) == ""
    assert "pending" in explain_challenge(challenge("")) or "presented" in explain_challenge(challenge(""))


def test_login_redirects_are_named_by_the_shared_login_detection() -> None:
    okta = explain_challenge(
        challenge(
            "wrong status code '302', expected '200' "
            "(redirect to https://acme.okta.com/oauth2/v1/authorize?client_id=x)"
        )
    )
    assert "302 to a login page (Okta intercepts it)" in okta
    proxy = explain_challenge(
        challenge("wrong status code '302', expected '200' (redirect to https://x.example.com/oauth2/start)")
    )
    assert "(oauth2-proxy intercepts it)" in proxy
    https = explain_challenge(
        challenge("wrong status code '301', expected '200' (redirect to https://x.example.com/.well-known/a)")
    )
    assert "login page" not in https.split("instead of")[0] and "answers 301 instead of the token" in https
