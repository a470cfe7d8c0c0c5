"""The Loki source, tested against recorded `query_range` answers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cockpit.cluster.errors import ClusterError
from cockpit.cluster.loki import LokiClient, LokiFollower

DATA = Path(__file__).parent / "data"


def recorded(*names: str) -> tuple[httpx.Client, list[httpx.Request]]:
    answers = [json.loads((DATA / n).read_text()) for n in names]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answers[min(len(seen), len(answers)) - 1])

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def test_query_range_streams_are_interleaved_by_time() -> None:
    client, seen = recorded("loki_query_range_1.json")
    lines = LokiClient("http://loki:3100/", client=client).query_range('{app="dolphinscheduler-api"}', 1, 2)
    assert [line.ts_ns for line in lines] == sorted(line.ts_ns for line in lines)
    assert [line.source[-5:] for line in lines] == ["2lr4x", "465d6", "2lr4x"]
    q = seen[0].url.params
    assert seen[0].url.path == "/loki/api/v1/query_range" and q["query"] == '{app="dolphinscheduler-api"}'
    assert (q["start"], q["end"], q["direction"]) == ("1", "2", "forward")


def test_follower_polls_from_the_last_line_without_repeating_it() -> None:
    client, seen = recorded("loki_query_range_1.json", "loki_query_range_2.json")
    follower = LokiFollower(
        LokiClient("http://loki:3100", client=client), '{namespace="data-platform"}', since_seconds=60
    )
    assert follower.poll_once(now_ns=1761300000500000000) == 3
    assert seen[0].url.params["start"] == str(1761300000500000000 - 60 * 10**9)
    assert follower.poll_once(now_ns=1761300002000000000) == 1  # the 10:00:00.300 line is not repeated
    assert seen[1].url.params["start"] == "1761300000300000000"
    texts = [line.text for line in follower.buffer.lines()]
    assert texts[-1].endswith("shutting down") and len(texts) == 4
    assert len({line.colour for line in follower.buffer.lines()}) == 2


def test_loki_errors_are_one_sentence() -> None:
    def bad_query(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="parse error at line 1, col 5: syntax error: unexpected IDENTIFIER\n")

    source = LokiClient("http://loki:3100", client=httpx.Client(transport=httpx.MockTransport(bad_query)))
    with pytest.raises(
        ClusterError, match=r"^Loki rejected the query \{app=x\}: parse error at line 1, col 5"
    ):
        source.query_range("{app=x}", 1, 2)
    source = LokiClient("http://127.0.0.1:9", timeout_s=2)
    with pytest.raises(
        ClusterError,
        match=r"^Cannot reach Loki at http://127.0.0.1:9: Connection to 127.0.0.1:9 was refused",
    ):
        source.query_range('{app="x"}', 1, 2)


async def test_one_client_for_the_follower_and_the_health_check() -> None:
    """The logs pane (blocking) and the platform check (async) send the same tenant and token."""
    answer = json.loads((DATA / "loki_query_range_1.json").read_text())
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/ready":
            return httpx.Response(200, text="ready\n")
        return httpx.Response(200, json=answer)

    loki = LokiClient(
        "http://loki:3100",
        token="t0k",
        tenant="team-a",
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        aclient=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    follower_lines = loki.query_range('{app="dolphinscheduler-api"}', 1, 2)
    status = await loki.status('{app="dolphinscheduler-api"}', now=1761300010.0)
    await loki.aclose()
    assert status.healthy and [ln.line for ln in status.lines] == [ln.line for ln in follower_lines]
    assert status.reason.startswith('{app="dolphinscheduler-api"}: 3 line(s), newest ')
    assert {(r.headers["Authorization"], r.headers["X-Scope-OrgID"]) for r in seen} == {
        ("Bearer t0k", "team-a")
    }
    assert seen[-1].url.params["direction"] == "backward" and seen[0].url.params["direction"] == "forward"
