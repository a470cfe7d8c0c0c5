"""PromQL against any Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics).

A `PromSource` is where the API lives: `HttpPromSource` for a URL (`--prometheus-url`, config
`platform.prometheus_url`), `KubeServicePromSource` for a service inside the cluster reached through
the API server's service proxy (`/api/v1/namespaces/NS/services/http:NAME:PORT/proxy/api/v1/query`,
so it needs no port-forward, only `get services/proxy` RBAC). `PromClient` runs instant and range
queries and returns plain dataclasses; every failure is a `PromError` with one sentence.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cockpit.cluster.explain import explain_error
from cockpit.cluster.platform.sparkline import sparkline


class PromError(Exception):
    """A query failed; `str(err)` is one sentence."""


class PromSource(Protocol):
    label: str

    async def get_json(self, path: str, params: Mapping[str, str]) -> Any: ...

    async def aclose(self) -> None: ...


class HttpPromSource:
    """A Prometheus-compatible API at a URL, e.g. http://vmsingle:8428 or http://prometheus:9090."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 10.0,
        verify: bool = True,
    ) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.label = self.base_url
        self.timeout_s = timeout_s
        self._client = httpx.AsyncClient(
            headers=dict(headers or {}), timeout=timeout_s, verify=verify, trust_env=True
        )

    async def get_json(self, path: str, params: Mapping[str, str]) -> Any:
        import httpx

        url = self.base_url + path
        try:
            response = await self._client.get(url, params=dict(params))
        except httpx.HTTPError as exc:
            raise PromError(explain_error(exc, url, self.timeout_s)[1]) from exc
        try:
            doc = response.json()
        except ValueError:
            doc = None
        if response.status_code >= 400 or not isinstance(doc, dict):
            detail = doc.get("error") if isinstance(doc, dict) else response.text[:200].strip()
            raise PromError(
                f"{self.label} answered {response.status_code} for {path}: {detail or 'no detail'}."
            )
        return doc

    async def aclose(self) -> None:
        await self._client.aclose()


@dataclass(frozen=True, slots=True)
class ServiceRef:
    namespace: str
    name: str
    port: int
    scheme: str = "http"
    prefix: str = ""  # e.g. "/select/0/prometheus" for vmselect

    @property
    def proxy_path(self) -> str:
        """The API server's service proxy path that reaches this service's Prometheus API."""
        return (
            f"/api/v1/namespaces/{self.namespace}/services/{self.scheme}:{self.name}:{self.port}/proxy"
            f"{self.prefix}"
        )


class KubeServicePromSource:
    """A metrics service inside the cluster, reached via the API server's service proxy.

    `api` is a `cockpit.cluster.kubeapi.KubeApi` (blocking), so each request runs in a thread.
    """

    def __init__(self, api: Any, service: ServiceRef, timeout_s: float = 10.0) -> None:
        self.api = api
        self.service = service
        self.timeout_s = timeout_s
        self.label = f"svc/{service.name} in {service.namespace} (via API server proxy)"

    async def get_json(self, path: str, params: Mapping[str, str]) -> Any:
        full = self.service.proxy_path + path
        try:
            doc = await asyncio.to_thread(
                self.api.get_json, full, list(params.items()), (5.0, self.timeout_s)
            )
        except Exception as exc:  # ClusterError carries its own sentence
            raise PromError(f"{self.label}: {getattr(exc, 'sentence', None) or exc}") from exc
        if not isinstance(doc, dict):
            raise PromError(f"{self.label} did not answer with a Prometheus API document.")
        return doc

    async def aclose(self) -> None:
        return None


# name fragments of metrics services, best first, with the port they serve and any path prefix
_KNOWN_SERVICES: list[tuple[str, int, str]] = [
    ("vmsingle", 8428, ""),
    ("victoria-metrics", 8428, ""),
    ("victoriametrics", 8428, ""),
    ("vmselect", 8481, "/select/0/prometheus"),
    ("prometheus-server", 80, ""),
    ("prometheus-operated", 9090, ""),
    ("prometheus", 9090, ""),
]


def find_metrics_service(services: Iterable[Mapping[str, Any]]) -> ServiceRef | None:
    """Pick the Prometheus-compatible service from a list of Service objects (raw JSON dicts).

    Matches names like vmsingle-*, victoria-metrics*, vmselect*, prometheus-server,
    prometheus-operated, *prometheus*; prefers the known port, else the service's first port.
    """
    best: tuple[int, ServiceRef] | None = None
    for svc in services:
        meta = svc.get("metadata") or {}
        name = str(meta.get("name", ""))
        ports = [p for p in (svc.get("spec") or {}).get("ports") or [] if isinstance(p, Mapping)]
        if not ports or "alertmanager" in name or "operator" in name or "exporter" in name:
            continue
        for rank, (fragment, port, prefix) in enumerate(_KNOWN_SERVICES):
            if fragment not in name:
                continue
            numbers = [int(p.get("port", 0)) for p in ports]
            chosen = port if port in numbers else numbers[0]
            ref = ServiceRef(str(meta.get("namespace", "default")), name, chosen, "http", prefix)
            if best is None or rank < best[0]:
                best = (rank, ref)
            break
    return best[1] if best else None


async def discover_in_cluster(api: Any) -> KubeServicePromSource | None:
    """List services (in a thread) and return a source for the metrics service found, or None."""
    doc = await asyncio.to_thread(api.get_json, "/api/v1/services", [("limit", 2000)], (5.0, 30.0))
    ref = find_metrics_service((doc or {}).get("items") or [])
    return KubeServicePromSource(api, ref) if ref else None


@dataclass(frozen=True, slots=True)
class Sample:
    labels: Mapping[str, str]
    value: float


@dataclass(frozen=True, slots=True)
class Series:
    labels: Mapping[str, str]
    points: Sequence[tuple[float, float]]  # (unix seconds, value)


def _num(raw: Any) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan


def _data(doc: Any, query: str) -> Mapping[str, Any]:
    if not isinstance(doc, Mapping) or doc.get("status") != "success":
        err = doc.get("error") if isinstance(doc, Mapping) else None
        raise PromError(f"Query {query!r} failed: {err or 'the server did not answer with success'}.")
    data = doc.get("data")
    if not isinstance(data, Mapping):
        raise PromError(f"Query {query!r} returned no data section.")
    return data


class PromClient:
    """Instant and range queries over a `PromSource`."""

    def __init__(self, source: PromSource) -> None:
        self.source = source

    async def instant(self, query: str, at: float | None = None) -> list[Sample]:
        params = {"query": query}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = _data(await self.source.get_json("/api/v1/query", params), query)
        kind, result = data.get("resultType"), data.get("result")
        if kind in ("scalar", "string") and isinstance(result, list) and len(result) == 2:
            return [Sample({}, _num(result[1]))]
        if kind != "vector" or not isinstance(result, list):
            raise PromError(f"Query {query!r} returned {kind!r}, not an instant vector.")
        return [Sample(dict(r.get("metric") or {}), _num((r.get("value") or [0, None])[1])) for r in result]

    async def range(self, query: str, start: float, end: float, step_s: float) -> list[Series]:
        params = {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step_s:g}s"}
        data = _data(await self.source.get_json("/api/v1/query_range", params), query)
        result = data.get("result")
        if data.get("resultType") != "matrix" or not isinstance(result, list):
            raise PromError(f"Query {query!r} returned {data.get('resultType')!r}, not a range matrix.")
        return [
            Series(dict(r.get("metric") or {}), [(float(t), _num(v)) for t, v in r.get("values") or []])
            for r in result
        ]

    async def aclose(self) -> None:
        await self.source.aclose()


def format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}"


def summarize_samples(samples: Sequence[Sample]) -> str:
    """One cell of text for an instant result: the value, or a count for many series."""
    if not samples:
        return "no data"
    if len(samples) == 1:
        return format_value(samples[0].value)
    values = [s.value for s in samples]
    if all(v in (0.0, 1.0) for v in values):
        ones = sum(1 for v in values if v == 1.0)
        return f"{ones}/{len(values)} series = 1"
    return f"{len(values)} series, sum {format_value(sum(v for v in values if not math.isnan(v)))}"


def combined_points(series: Sequence[Series]) -> list[float]:
    """One value per timestamp: the series itself, or the sum over series (NaN where none has data)."""
    if len(series) == 1:
        return [v for _, v in series[0].points]
    totals: dict[float, float] = {}
    for s in series:
        for t, v in s.points:
            if not math.isnan(v):
                totals[t] = totals.get(t, 0.0) + v
    return [totals[t] for t in sorted(totals)]


_COMPARISON_OP = re.compile(r"==|!=|>=|<=|(?<![=!<>])[<>](?![=])")


def is_filter(query: str) -> bool:
    """True when the query's top level is a comparison without `bool` (`up{...} == 0`): its answer
    is the set of series that match, so what counts is how many there are, not their values."""
    depth = 0
    in_str = False
    top: list[str] = []
    for ch in query:
        if ch == '"':
            in_str = not in_str
            continue
        if in_str:
            continue
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif depth == 0:
            top.append(ch)
    flat = "".join(top)
    return bool(_COMPARISON_OP.search(flat)) and not re.search(r"\bbool\b", flat)


@dataclass(frozen=True, slots=True)
class MetricReading:
    """What the pane shows for one query: current value, a sparkline of the last minutes, or why not."""

    query: str
    at: datetime
    samples: tuple[Sample, ...] = ()
    history: tuple[float, ...] = ()
    error: str | None = None
    counts_series: bool = False  # a filter query (`up == 0`): the value is how many series match

    @property
    def text(self) -> str:
        if self.error:
            return self.error
        if self.counts_series:
            return f"{len(self.samples)} series"
        return summarize_samples(self.samples)

    @property
    def value(self) -> float | None:
        """A single number for a plan metric: the one sample's value, else the sum over the series
        (for 0/1 results such as `up{...}`, the number of series that are up)."""
        if self.error:
            return None
        if self.counts_series:
            return float(len(self.samples))
        if not self.samples:
            return None
        if len(self.samples) == 1:
            return self.samples[0].value
        values = [s.value for s in self.samples if not math.isnan(s.value)]
        return float(sum(values))

    def spark(self, width: int = 24) -> str:
        return sparkline(self.history, width)


@dataclass(slots=True)
class QueryPlan:
    """Which queries to run and how much history to draw."""

    queries: list[str] = field(default_factory=list)
    range_minutes: float = 30.0
    points: int = 30


async def read_metric(
    client: PromClient, query: str, plan: QueryPlan, now: float | None = None
) -> MetricReading:
    """Instant value plus a short range for the sparkline; a failure becomes the reading's error.

    The range is aggregated by the server when the answer has many series (`sum(q)`, or
    `count(q)` for a filter such as `up == 0`), so a bare `up` on a big cluster stays small.
    """
    end = now if now is not None else time.time()
    start = end - plan.range_minutes * 60
    step = max(1.0, (end - start) / max(1, plan.points - 1))
    at = datetime.fromtimestamp(end, UTC)
    counts = is_filter(query)
    try:
        samples = await client.instant(query, end)
        if counts:
            ranged = f"count({query})"
        elif len(samples) > 1:
            ranged = f"sum({query})"
        else:
            ranged = query
        series = await client.range(ranged, start, end, step)
    except PromError as exc:
        return MetricReading(query, at, error=str(exc), counts_series=counts)
    history = combined_points(series)
    if counts and not series:
        history = [0.0] * plan.points  # nothing matched in the whole range
    return MetricReading(query, at, tuple(samples), tuple(history), counts_series=counts)


async def read_metrics(client: PromClient, plan: QueryPlan, now: float | None = None) -> list[MetricReading]:
    return list(await asyncio.gather(*(read_metric(client, q, plan, now) for q in plan.queries)))
