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
