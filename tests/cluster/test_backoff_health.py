"""Reconnect delays (client-go's reflector: 1 s doubling to 30 s, jitter, reset, Retry-After) and
the health a pane shows, with time injected: delays are counted, never slept."""

from __future__ import annotations

import random

import orjson
import pytest

from cockpit.cluster.backoff import RETRY_AFTER_CAP, Backoff
from cockpit.cluster.errors import Problem
from cockpit.cluster.health import Freshness, Health, InformerState, overall
from cockpit.cluster.kubeapi import malformed_sentence, retry_after_seconds, status_message


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_delays_double_from_one_second_to_thirty_with_jitter() -> None:
    backoff = Backoff(rng=random.Random(3), clock=Clock())
    delays = [backoff.next() for _ in range(9)]
    bases = [1, 2, 4, 8, 16, 30, 30, 30, 30]
    for delay, base in zip(delays, bases, strict=True):
        assert base * 0.8 <= delay <= min(30.0, base * 1.2)
    assert len({round(d, 6) for d in delays[5:]}) > 1  # jittered, not in step with other clients


def test_a_healthy_while_resets_the_delay_and_a_short_one_does_not() -> None:
    clock = Clock()
    backoff = Backoff(jitter=0.0, reset_after=60.0, clock=clock)
    assert [backoff.next() for _ in range(6)] == [1, 2, 4, 8, 16, 30]
    backoff.healthy()
    clock.now += 20  # reconnected, but dropped again 20 s later: still backing off
    assert backoff.next() == 30
    backoff.healthy()
    clock.now += 5
    backoff.healthy()  # more data: the healthy period still counts from its start
    clock.now += 56
    assert backoff.next() == 1  # healthy for 61 s: a new outage starts at 1 s again
    assert backoff.next() == 2


def test_retry_after_is_honoured_up_to_a_cap() -> None:
    backoff = Backoff(jitter=0.0, clock=Clock())
    assert backoff.next(retry_after=7) == 7
    assert backoff.next(retry_after=0.5) == 2  # never shorter than the backoff
    assert backoff.next(retry_after=3600) == RETRY_AFTER_CAP
    assert retry_after_seconds("12") == 12
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_health_derives_freshness_age_and_the_status_line() -> None:
    live = Health(InformerState.CONNECTED, "", 100.0, True, 90.0)
    assert live.freshness is Freshness.CONNECTED and live.describe(112.0) == ""
    assert live.age(112.0) == 12.0 and live.stale_seconds(112.0) is None
    down = Health(
        InformerState.RECONNECTING,
        "The API server sent JSON that is cut short for watch pods — re-listing.",
        100.0,
        True,
        90.0,
        retry_at=118.0,
        failures=2,
    )
    assert down.freshness is Freshness.DISCONNECTED
    assert down.describe(112.0) == (
        "The API server sent JSON that is cut short for watch pods — re-listing; "
        "showing data from 12s ago (stale); next try in 6 s."
    )
    stale = Health(InformerState.STALE, "The watch of pods has sent nothing.", 100.0, True)
    assert stale.freshness is Freshness.STALE
    assert stale.describe(130.0) == "The watch of pods has sent nothing; showing data from 30s ago (stale)."
    assert Health(InformerState.FORBIDDEN, "Forbidden.").freshness is Freshness.UNAVAILABLE
    assert Freshness.DISCONNECTED.rank > Freshness.STALE.rank > Freshness.CONNECTED.rank


def test_bad_bodies_are_named_in_the_operators_words() -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>"
    assert status_message(html) == "502 Bad Gateway (an HTML page: from a proxy or load balancer?)"
    assert "an HTML page instead of JSON" in malformed_sentence("watch pods", html)
    with pytest.raises(orjson.JSONDecodeError) as cut:
        orjson.loads(b'{"items": [')
    assert "cut short" in malformed_sentence("list pods", b'{"items": [', cut.value)
    assert "not a Kubernetes object ([])" in malformed_sentence("watch pods", b"[]")
    assert Problem.MALFORMED.value == "malformed"


def test_the_status_bar_gets_the_worst_informer_with_the_newest_data_times() -> None:
    healths = {
        "pods": Health(InformerState.CONNECTED, "", 110.0, True, 105.0),
        "applications.argoproj.io": Health(
            InformerState.RECONNECTING, "Cannot reach the API server.", 90.0, True, 80.0, failures=3
        ),
        "certificates.cert-manager.io": Health(InformerState.STALE, "The watch is silent.", 100.0, True),
    }
    banner = overall(healths)
    assert banner.freshness is Freshness.DISCONNECTED
    assert banner.resource == "applications.argoproj.io" and banner.reason == "Cannot reach the API server."
    assert banner.since_data(120.0) == 10.0 and banner.since_event(120.0) == 15.0
    assert overall({"pods": healths["pods"]}).reason == ""
    assert overall({}).freshness is Freshness.LOADING
