"""Error bodies become the sentence the operator reads."""

from __future__ import annotations

from cockpit.cluster.kubeapi import status_message


def test_kubernetes_status_message() -> None:
    body = b'{"kind":"Status","status":"Failure","message":"jobs.batch \\"x\\" not found","code":404}'
    assert status_message(body) == 'jobs.batch "x" not found'


def test_prometheus_error_through_the_service_proxy() -> None:
    body = b'{"status":"error","errorType":"bad_data","error":"rate() is not supported"}'
    assert status_message(body) == "rate() is not supported"


def test_plain_text_body_gives_its_first_line() -> None:
    assert status_message(b"upstream connect error\nmore") == "upstream connect error"


def test_tls_failures_say_why_not_where_in_openssl() -> None:
    """A TLS failure names what went wrong, as urllib3 wraps it (MaxRetryError around SSLError
    around the certificate check), never OpenSSL's source position ("_ssl.c:1006)")."""
    import ssl

    import urllib3

    from cockpit.cluster.kubeapi import transport_sentence

    check = ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)"
    )
    check.verify_message = "self-signed certificate"
    wrapped = urllib3.exceptions.MaxRetryError(None, "/api", urllib3.exceptions.SSLError(check))  # type: ignore[arg-type]
    said = transport_sentence("https://k:6443", wrapped)
    assert "(TLS failed: certificate verify failed: self-signed certificate)" in said
    assert "_ssl.c" not in said and "1006" not in said
    version = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")
    assert "(TLS failed: wrong version number)" in transport_sentence("https://k:6443", version)
    bare = ssl.SSLError(1, "[SSL: TLSV1_ALERT_INTERNAL_ERROR] (_ssl.c:1006)")
    assert "(TLS failed: tlsv1 alert internal error)" in transport_sentence("https://k:6443", bare)
