"""The Loki source, tested against recorded `query_range` answers."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from cockpit.cluster.errors import ClusterError
from cockpit.cluster.health import InformerState
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


class FakeLoki:
    """A Loki holding numbered lines of two streams (written as time goes on), answering
    query_range as Loki does, and misbehaving on the next request when told to."""

    FAULTS = (
        "reset",  # the connection drops while the answer is read
        "refused",
        "timeout",  # a hung request, cut by the client's read deadline
        "throttle",  # 429 with Retry-After: 3
        "error-500",
        "html-502",  # a load balancer's HTML page
        "garbage",  # 200 with bytes that are not JSON
        "truncated",  # 200 with JSON cut short
        "not-streams",  # 200 with JSON that is not log streams
    )

    def __init__(self) -> None:
        self.lines: list[tuple[int, str, str]] = []  # (ts ns, pod, text), oldest first
        self.faults: list[str] = []
        self.applied: list[str] = []
        self.count = {"api-0": 0, "api-1": 0}
        self._last = 0

    def write(self) -> None:
        for pod in self.count:
            ts = max(time.time_ns(), self._last + 1)
            self._last = ts
            width = 2 if self.count[pod] % 10 == 0 else 1  # some pairs in one nanosecond
            for k in range(width):
                self.lines.append((ts, pod, f"{pod} n={self.count[pod] + k}"))
            self.count[pod] += width

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.write()
        if self.faults:
            fault = self.faults.pop(0)
            self.applied.append(fault)
            if fault == "reset":
                raise httpx.ReadError("Connection reset by peer", request=request)
            if fault == "refused":
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            if fault == "timeout":
                raise httpx.ReadTimeout("timed out", request=request)
            if fault == "throttle":
                return httpx.Response(
                    429, headers={"Retry-After": "3"}, text="too many outstanding requests\n"
                )
            if fault == "error-500":
                return httpx.Response(500, text="rpc error: code = Unavailable desc = ingester not ready\n")
            if fault == "html-502":
                return httpx.Response(502, html="<html><head><title>502 Bad Gateway</title></head></html>")
            if fault == "garbage":
                return httpx.Response(200, content=b"\x00\xff\xfe garbage")
            if fault == "truncated":
                return httpx.Response(200, content=b'{"status":"success","data":{"resultType":"str')
            if fault == "not-streams":
                return httpx.Response(
                    200, json={"status": "success", "data": {"result": [{"values": [["x"]]}]}}
                )
        q = request.url.params
        start, end, limit = int(q["start"]), int(q["end"]), int(q["limit"])
        chosen = [line for line in self.lines if start <= line[0] <= end][:limit]
        streams: dict[str, list[list[str]]] = {}
        for ts, pod, text in chosen:
            streams.setdefault(pod, []).append([str(ts), text])
        result = [{"stream": {"pod": pod}, "values": values} for pod, values in streams.items()]
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "streams", "result": result}}
        )


def test_a_loki_follow_survives_every_fault_and_goes_on_without_doubles_or_gaps() -> None:
    import re
    import threading

    from cockpit.cluster.health import Deadlines, InformerState

    loki = FakeLoki()
    for _ in range(5):
        loki.write()
    waits: list[float] = []

    def pause(seconds: float, stop: threading.Event) -> bool:
        waits.append(seconds)
        return stop.wait(min(seconds, 0.005))

    follower = LokiFollower(
        LokiClient("http://loki:3100", client=httpx.Client(transport=httpx.MockTransport(loki.handler))),
        '{app="api"}',
        interval=0.01,
        deadlines=Deadlines(stale_after=5.0),
        pause=pause,
    ).start()
    line_re = re.compile(r"^(api-\d) n=(\d+)$")

    def numbers() -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for line in follower.buffer.lines():
            m = line_re.match(line.text)
            assert m is not None and m.group(1) == line.pod
            out.setdefault(line.pod, []).append(int(m.group(2)))
        return out

    def caught_up(target: dict[str, int]) -> bool:
        got = numbers()
        return follower.health().state is InformerState.CONNECTED and all(
            len(got.get(p, [])) >= n for p, n in target.items()
        )

    def wait(predicate: Any, why: Any) -> None:
        deadline = time.monotonic() + 30
        while not predicate():
            assert time.monotonic() < deadline, why()
            time.sleep(0.005)

    try:
        sentences: dict[str, str] = {}
        for fault in FakeLoki.FAULTS * 5:
            polls = follower.polls
            failures = sum(follower.faults.values())
            loki.faults += [fault, fault]  # two in a row: the follow says why in between

            def failed(f: int = failures, fault: str = fault) -> bool:
                reason = follower.health().reason
                if reason and fault not in sentences:
                    sentences[fault] = reason
                return sum(follower.faults.values()) >= f + 2

            wait(failed, lambda: str(follower.health()))
            target = dict(loki.count)
            wait(
                lambda t=target, p=polls: follower.polls > p and caught_up(t), lambda: str(follower.health())
            )
            for pod, got in numbers().items():
                assert got == list(range(len(got))), f"{pod} after {fault}: {got[-20:]}"
        assert follower.alive and follower.restarts == 0
        assert sum(1 for w in waits if w >= 3) >= 10  # Retry-After honoured (two throttles, five times)
        assert follower.faults["throttled"] == 10 and follower.faults["server-error"] == 20
        assert follower.faults["malformed"] == 30 and follower.faults["unreachable"] == 30
        assert "it asked to wait 3 s" in sentences["throttle"]
        assert "an HTML page" in sentences["html-502"]
    finally:
        follower.stop()


def test_a_loki_follow_whose_thread_ends_is_restarted() -> None:
    loki = FakeLoki()
    follower = LokiFollower(
        LokiClient("http://loki:3100", client=httpx.Client(transport=httpx.MockTransport(loki.handler))),
        '{app="api"}',
        interval=0.01,
        pause=lambda seconds, stop: stop.wait(min(seconds, 0.005)),
    )
    real = follower.poll_once

    class ThreadKiller(BaseException):
        """Not an Exception: escapes the per-poll handling and ends the thread."""

    kills = {"left": 1}

    def poll_once(now_ns: int | None = None) -> int:
        if kills["left"]:
            kills["left"] -= 1
            raise ThreadKiller("boom")
        return real(now_ns)

    follower.poll_once = poll_once  # type: ignore[method-assign]
    follower.start()
    try:
        deadline = time.monotonic() + 30
        while follower.alive and time.monotonic() < deadline:
            time.sleep(0.005)
        assert not follower.alive
        assert follower.ensure_running() == 1 and follower.restarts == 1
        polls = follower.polls
        while follower.polls < polls + 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert follower.polls >= polls + 3 and follower.alive
        assert [line.text for line in follower.buffer.lines()][:2] == ["api-0 n=0", "api-0 n=1"]
    finally:
        follower.stop()


def test_a_loki_follow_with_no_answer_for_stale_after_is_shown_stale() -> None:
    """Its last good poll `stale_after` ago (time injected): the follow says stale, in its own
    sentence with the data's age, and never "following"; a moment earlier it is still live."""
    loki = FakeLoki()
    follower = LokiFollower(
        LokiClient("http://loki:3100", client=httpx.Client(transport=httpx.MockTransport(loki.handler))),
        '{app="api"}',
        interval=60,  # one poll, then a wait the test ends first
        clock=lambda: 1000.0,
    )
    follower.start()
    try:
        deadline = time.monotonic() + 30
        while follower.polls == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert follower.polls == 1
        after = follower.deadlines.stale_after
        assert follower.state_word(1000.0 + after - 0.1) == "following"
        assert follower.describe(1000.0 + after - 0.1) == ""
        health = follower.health(1000.0 + after)
        assert health.state is InformerState.STALE and health.last_good == 1000.0
        assert follower.state_word(1000.0 + after) == "stale"
        said = follower.describe(1000.0 + after)
        assert said.startswith(f"Loki has not answered the query for {int(after)} s"), said
        assert "(stale)" in said, said
    finally:
        follower.stop()
