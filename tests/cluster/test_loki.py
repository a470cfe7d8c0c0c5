"""The Loki source, tested against recorded `query_range` answers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cockpit.cluster.errors import ClusterError
from cockpit.cluster.loki import LokiFollower, LokiSource

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
    lines = LokiSource("http://loki:3100/", client).query_range('{app="dolphinscheduler-api"}', 1, 2)
    assert [line.ts_ns for line in lines] == sorted(line.ts_ns for line in lines)
    assert [line.source[-5:] for line in lines] == ["2lr4x", "465d6", "2lr4x"]
    q = seen[0].url.params
    assert seen[0].url.path == "/loki/api/v1/query_range" and q["query"] == '{app="dolphinscheduler-api"}'
    assert (q["start"], q["end"], q["direction"]) == ("1", "2", "forward")


def test_follower_polls_from_the_last_line_without_repeating_it() -> None:
    client, seen = recorded("loki_query_range_1.json", "loki_query_range_2.json")
    follower = LokiFollower(
        LokiSource("http://loki:3100", client), '{namespace="data-platform"}', since_seconds=60
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

    source = LokiSource("http://loki:3100", httpx.Client(transport=httpx.MockTransport(bad_query)))
    with pytest.raises(
        ClusterError, match=r"^Loki rejected the query \{app=x\}: parse error at line 1, col 5"
    ):
        source.query_range("{app=x}", 1, 2)
    source = LokiSource("http://127.0.0.1:9", httpx.Client(timeout=2))
    with pytest.raises(ClusterError, match=r"^Cannot reach Loki at http://127.0.0.1:9 \(ConnectError"):
        source.query_range('{app="x"}', 1, 2)
