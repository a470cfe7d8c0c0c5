"""Grafana Loki: the one client the logs pane and the platform checks share.

`LokiClient` speaks Loki's HTTP API: `/ready` (200 "ready" when the ingester ring is up, 503 with
the reason otherwise) and `/loki/api/v1/query_range`, which answers `{"status": "success", "data":
{"resultType": "streams", "result": [{"stream": {labels}, "values": [["<unix ns>", "<line>"]]}]}}`.
`query_range` is synchronous (the logs pane's follower thread), `aquery_range`, `ready` and
`status` are asynchronous (the platform monitor's loop); both build the same request and read the
answer with the same code, and every failure is a `LokiError` (a ClusterError) of one sentence.

`LokiFollower` polls a LogQL query from just after the newest line seen (Loki's timestamps are
nanoseconds), dropping lines it has already delivered at that same nanosecond, and feeds the same
LogBuffer the pod followers use, one colour per stream (by its `pod` label, else its labels).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.errors import ClusterError, Problem, problem_for_status
from cockpit.cluster.explain import explain_error
from cockpit.cluster.health import Deadlines, Health, InformerState
from cockpit.cluster.informer import Pause, _pause
from cockpit.cluster.kubeapi import looks_like_html, retry_after_seconds, status_message
from cockpit.cluster.logs import LogBuffer

if TYPE_CHECKING:  # httpx loads with the first request, not with the cockpit
    import httpx

NS = 1_000_000_000
log = logging.getLogger(__name__)
QUERY_RANGE = "/loki/api/v1/query_range"


@dataclass(frozen=True, slots=True)
class LokiLine:
    """One log line: when (Unix ns), the labels of its stream (sorted pairs), and the text."""

    ts_ns: int
    labels: tuple[tuple[str, str], ...]
    line: str

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.ts_ns / NS, UTC)

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    @property
    def source(self) -> str:
        labels = dict(self.labels)
        return labels.get("pod") or labels.get("instance") or ",".join(f"{k}={v}" for k, v in self.labels)


@dataclass(frozen=True, slots=True)
class LokiStatus:
    """Is Loki ready, and (with a selector) does the selector return lines; `reason` says which."""

    url: str
    ready: bool
    reason: str
    selector: str = ""
    lines: list[LokiLine] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.ready and (not self.selector or bool(self.lines))


class LokiError(ClusterError):
    """Loki could not be reached or refused a query; `str(err)` is one sentence."""


def parse_query_range(doc: Any) -> list[LokiLine]:
    """Lines of a `query_range` answer of resultType "streams", oldest first."""
    data = (doc or {}).get("data") or {}
    if data.get("resultType") not in (None, "streams"):
        raise ValueError(f"expected log streams, got resultType {data.get('resultType')!r}")
    out = []
    for stream in data.get("result") or []:
        labels = tuple(sorted((stream.get("stream") or {}).items()))
        for ts, line in stream.get("values") or []:
            out.append(LokiLine(int(ts), labels, str(line)))
    out.sort(key=lambda x: x.ts_ns)
    return out


def _detail(resp: httpx.Response) -> str:
    """Why Loki refused: the `error`/`message` of a JSON answer, the title of an HTML page (a proxy's),
    else the first line of the body."""
    return status_message(resp.content)[:200] or resp.reason_phrase or "no detail"


class LokiClient:
    """A Loki at `url`, with an optional bearer `token`, `tenant` (X-Scope-OrgID) or `basic` auth.

    `client` / `aclient` replace the httpx clients it would make (tests pass recorded transports);
    the credentials go with every request either way.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        tenant: str | None = None,
        timeout_s: float = 10.0,
        verify: bool = True,
        basic: tuple[str, str] | None = None,
        *,
        client: httpx.Client | None = None,
        aclient: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        headers: dict[str, str] = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if tenant:
            headers["X-Scope-OrgID"] = tenant
        self._request: dict[str, Any] = {"headers": headers, "auth": basic}  # on every request
        self._options: dict[str, Any] = {"timeout": timeout_s, "verify": verify, "trust_env": True}
        self._client = client
        self._aclient = aclient

    @property
    def client(self) -> httpx.Client:
        import httpx

        if self._client is None:
            self._client = httpx.Client(**self._options)
        return self._client

    @property
    def aclient(self) -> httpx.AsyncClient:
        import httpx

        if self._aclient is None:
            self._aclient = httpx.AsyncClient(**self._options)
        return self._aclient

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        if self._aclient is not None:
            await self._aclient.aclose()

    # -- query_range ---------------------------------------------------------------------
    @staticmethod
    def _params(query: str, start_ns: int, end_ns: int, limit: int, direction: str) -> dict[str, str]:
        return {
            "query": query,
            "start": str(start_ns),
            "end": str(end_ns),
            "limit": str(limit),
            "direction": direction,
        }

    def _unreachable(self, exc: httpx.HTTPError) -> LokiError:
        sentence = explain_error(exc, self.url, self.timeout_s)[1]
        return LokiError(f"Cannot reach Loki at {self.url}: {sentence}", Problem.UNREACHABLE)

    def _lines(self, resp: httpx.Response, query: str) -> list[LokiLine]:
        if resp.status_code == 400:
            raise LokiError(f"Loki rejected the query {query}: {_detail(resp)}.", Problem.INVALID, 400)
        if resp.status_code != 200:
            retry = retry_after_seconds(resp.headers.get("Retry-After"))
            wait = f"; it asked to wait {retry:g} s" if retry is not None else ""
            raise LokiError(
                f"Loki at {self.url} answered {resp.status_code}: {_detail(resp)}{wait}.",
                problem_for_status(resp.status_code),
                resp.status_code,
                retry,
            )
        try:
            return parse_query_range(resp.json())
        except (ValueError, TypeError, AttributeError) as exc:
            if looks_like_html(resp.content):
                why = "an HTML page (an error page from a proxy or load balancer?)"
            else:
                why = f"an answer that is not log streams ({type(exc).__name__}: {str(exc)[:120]})"
            raise LokiError(f"Loki at {self.url} sent {why}.", Problem.MALFORMED) from exc

    def query_range(
        self, query: str, start_ns: int, end_ns: int, limit: int = 1000, direction: str = "forward"
    ) -> list[LokiLine]:
        """Lines of a LogQL query between two Unix-ns instants, oldest first (blocking)."""
        import httpx

        params = self._params(query, start_ns, end_ns, limit, direction)
        try:
            resp = self.client.get(self.url + QUERY_RANGE, params=params, **self._request)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        return self._lines(resp, query)

    async def aquery_range(
        self, query: str, start_ns: int, end_ns: int, limit: int = 1000, direction: str = "forward"
    ) -> list[LokiLine]:
        """`query_range` without blocking the event loop."""
        import httpx

        params = self._params(query, start_ns, end_ns, limit, direction)
        try:
            resp = await self.aclient.get(self.url + QUERY_RANGE, params=params, **self._request)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        return self._lines(resp, query)

    # -- health --------------------------------------------------------------------------
    async def ready(self) -> tuple[bool, str]:
        import httpx

        try:
            r = await self.aclient.get(self.url + "/ready", **self._request)
        except httpx.HTTPError as exc:
            return False, explain_error(exc, self.url, self.timeout_s)[1]
        if r.status_code == 200:
            return True, f"Loki at {self.url} is ready."
        body = r.text.strip()
        return False, f"Loki at {self.url} is not ready ({r.status_code}): {body[:160] or 'no detail'}."

    async def status(
        self, selector: str | None = None, since_s: float = 3600, limit: int = 50, now: float | None = None
    ) -> LokiStatus:
        """Readiness, then (when a selector is given) its newest `limit` lines; never raises."""
        ok, reason = await self.ready()
        if not ok or not selector:
            return LokiStatus(self.url, ok, reason, selector or "")
        end = now if now is not None else time.time()
        try:
            lines = await self.aquery_range(
                selector, int((end - since_s) * NS), int(end * NS), limit, direction="backward"
            )
        except LokiError as exc:
            return LokiStatus(self.url, True, str(exc), selector)
        if not lines:
            reason = f"Loki is ready but {selector} has no lines in the last {since_s / 60:g} min."
            return LokiStatus(self.url, True, reason, selector)
        lines = lines[-limit:]
        reason = f"{selector}: {len(lines)} line(s), newest {lines[-1].at:%H:%M:%S} UTC."
        return LokiStatus(self.url, True, reason, selector, lines)


class LokiFollower:
    """Polls a LogQL query into a LogBuffer until stopped (same surface as LogFollower).

    It never dies and never lies, as the pod log follower: every failure of a poll (unreachable,
    a 5xx, a 429 with Retry-After, an HTML page, an answer that is not log streams, a hung request
    cut by the client's read deadline, anything unforeseen) is counted in `faults`, shown as one
    sentence with the data's age and the next try (`describe(now)`), and followed by the next poll
    from the newest line seen after the shared `Backoff`'s delay; with no successful poll for
    `deadlines.stale_after` the follow is shown stale; `ensure_running()` restarts a thread that
    ended. Resume rule: each poll asks from the newest line's nanosecond, and lines at that
    nanosecond already shown (same stream, same text) are dropped.
    """

    single = False

    def __init__(
        self,
        source: LokiClient,
        query: str,
        buffer: LogBuffer | None = None,
        since_seconds: int = 300,
        interval: float = 1.0,
        limit: int = 5000,
        deadlines: Deadlines | None = None,
        pause: Pause = _pause,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
    ) -> None:
        self.source = source
        self.query = query
        self.buffer = buffer if buffer is not None else LogBuffer()
        self.since_seconds = since_seconds
        self.interval = interval
        self.limit = limit
        self.deadlines = deadlines or Deadlines()
        self.pause = pause
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.error = ""
        self.sources: set[str] = set()
        self.faults: Counter[str] = Counter()
        self.polls = 0  # successful polls
        self.restarts = 0
        self.delays: list[float] = []
        self._health = Health(InformerState.STARTING)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_ns = 0
        self._seen_at_last: set[tuple[tuple[tuple[str, str], ...], str]] = set()

    @property
    def label(self) -> str:
        return f"loki {self.query}"

    @property
    def pods(self) -> list[str]:
        return sorted(self.sources)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> LokiFollower:
        self._thread = threading.Thread(target=self._run, name="loki-follow", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def ensure_running(self) -> int:
        """Restart the polling thread if it ended (it never should); 1 when it had to."""
        if self._stop.is_set() or self._thread is None or self._thread.is_alive():
            return 0
        self.restarts += 1
        self.faults["thread-died"] += 1
        self.start()
        return 1

    def health(self, now: float | None = None) -> Health:
        """The follow's health; a live one with no successful poll for `stale_after` is STALE."""
        now = self.clock() if now is None else now
        health = self._health
        quiet = health.quiet_for(now, self.deadlines.stale_after)
        if quiet is None:
            return health
        return health.stale(f"Loki has not answered the query for {int(quiet)} s")

    def describe(self, now: float | None = None) -> str:
        health = self.health(now)
        return "" if health.follow_word() in ("following", "starting") else health.describe(now)

    def state_word(self, now: float | None = None) -> str:
        return self.health(now).follow_word()

    def poll_once(self, now_ns: int | None = None) -> int:
        """One query_range from the last line seen; returns how many new lines were added."""
        end = now_ns or time.time_ns()
        start = self._last_ns or end - self.since_seconds * NS
        lines = self.source.query_range(self.query, start, end, self.limit)
        added = 0
        for line in lines:
            key = (line.labels, line.line)
            if line.ts_ns < self._last_ns or (line.ts_ns == self._last_ns and key in self._seen_at_last):
                continue
            if line.ts_ns > self._last_ns:
                self._last_ns, self._seen_at_last = line.ts_ns, set()
            self._seen_at_last.add(key)
            self.sources.add(line.source)
            iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(line.ts_ns // NS)) + "Z"
            added += self.buffer.extend(line.source, "", [(iso, line.line)])
        return added

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException:  # ensure_running (the pane's tick) restarts it
            log.exception("loki follow of %s ended", self.query)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                added = self.poll_once()
                self.polls += 1
                self.error = ""
                self.backoff.healthy()
                old = self._health
                self._health = old.arrived(self.clock(), bool(added))
                if old.state is not InformerState.CONNECTED:
                    self.buffer.health_changed()
                delay = self.interval
            except ClusterError as err:
                self.faults[err.problem.value] += 1
                delay = self._failed(err.sentence, err.retry_after)
            except Exception as exc:  # data nobody foresaw: say so, poll again, never die
                log.exception("loki follow of %s failed", self.query)
                self.faults["unexpected"] += 1
                delay = self._failed(f"Unexpected error reading Loki ({type(exc).__name__}: {exc})", None)
            self.delays.append(delay)
            del self.delays[:-50]
            self.pause(delay, self._stop)

    def _failed(self, sentence: str, retry_after: float | None) -> float:
        delay = self.backoff.next(retry_after)
        self.error = sentence
        self._health = self._health.failed(
            InformerState.RECONNECTING,
            f"{sentence.rstrip('. ')} — polling again from the last line seen",
            self.clock() + delay,
        )
        self.buffer.health_changed()
        return delay
