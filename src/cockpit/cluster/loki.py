"""Logs from Loki, when a Loki URL is configured: LogQL through `query_range`, followed by polling.

`LokiSource.query_range(query, start_ns, end_ns)` returns lines oldest first; `LokiFollower` polls
from just after the newest line seen (Loki's timestamps are nanoseconds), dropping lines it has
already delivered at that same nanosecond, and feeds the same LogBuffer the pod followers use, one
colour per stream (by its `pod` label, else its labels).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.logs import LogBuffer

NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class LokiLine:
    ts_ns: int
    labels: tuple[tuple[str, str], ...]
    line: str

    @property
    def source(self) -> str:
        labels = dict(self.labels)
        return labels.get("pod") or labels.get("instance") or ",".join(f"{k}={v}" for k, v in self.labels)


def parse_query_range(doc: Any) -> list[LokiLine]:
    """Lines of a `query_range` answer of resultType "streams", oldest first."""
    data = (doc or {}).get("data") or {}
    if data.get("resultType") not in (None, "streams"):
        raise ValueError(f"expected a log query, got resultType {data.get('resultType')!r}")
    out = []
    for stream in data.get("result") or []:
        labels = tuple(sorted((stream.get("stream") or {}).items()))
        for ts, line in stream.get("values") or []:
            out.append(LokiLine(int(ts), labels, str(line)))
    out.sort(key=lambda x: x.ts_ns)
    return out


class LokiSource:
    def __init__(self, base_url: str, client: httpx.Client | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=timeout)

    def query_range(
        self, query: str, start_ns: int, end_ns: int, limit: int = 1000, direction: str = "forward"
    ) -> list[LokiLine]:
        params: dict[str, str | int] = {
            "query": query,
            "start": start_ns,
            "end": end_ns,
            "limit": limit,
            "direction": direction,
        }
        url = f"{self.base_url}/loki/api/v1/query_range"
        try:
            resp = self.client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise ClusterError(
                f"Cannot reach Loki at {self.base_url} ({type(exc).__name__}: {exc}); check --loki-url.",
                Problem.UNREACHABLE,
            ) from exc
        if resp.status_code != 200:
            text = resp.text.strip().splitlines()[0][:200] if resp.text.strip() else resp.reason_phrase
            if resp.status_code == 400:
                raise ClusterError(f"Loki rejected the query {query}: {text}.", Problem.INVALID, 400)
            raise ClusterError(
                f"Loki at {self.base_url} answered {resp.status_code}: {text}.", status=resp.status_code
            )
        try:
            return parse_query_range(resp.json())
        except (ValueError, TypeError, AttributeError) as exc:
            raise ClusterError(
                f"Loki at {self.base_url} sent an answer that is not a log query: {exc}."
            ) from exc


class LokiFollower:
    """Polls a LogQL query into a LogBuffer until stopped (same surface as LogFollower)."""

    def __init__(
        self,
        source: LokiSource,
        query: str,
        buffer: LogBuffer | None = None,
        since_seconds: int = 300,
        interval: float = 1.0,
        limit: int = 5000,
    ) -> None:
        self.source = source
        self.query = query
        self.buffer = buffer if buffer is not None else LogBuffer()
        self.since_seconds = since_seconds
        self.interval = interval
        self.limit = limit
        self.error = ""
        self.sources: set[str] = set()
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

    single = False

    def start(self) -> LokiFollower:
        self._thread = threading.Thread(target=self._run, name="loki-follow", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def poll_once(self, now_ns: int | None = None) -> int:
        """One query_range from after the last line seen; returns how many new lines were added."""
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
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                self.poll_once()
                self.error = ""
                backoff.reset()
                delay = self.interval
            except ClusterError as err:
                self.error = err.sentence
                delay = backoff.next()
            self._stop.wait(delay)
