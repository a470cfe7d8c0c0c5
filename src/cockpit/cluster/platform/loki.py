"""Loki: is it ready, and does a LogQL selector return lines?

`/ready` answers 200 "ready" when the ingester ring is up (503 with the reason otherwise);
`/loki/api/v1/query_range` returns `{"status": "success", "data": {"resultType": "streams",
"result": [{"stream": {labels}, "values": [["<unix ns>", "<line>"], ...]}]}}` (Loki HTTP API docs).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from cockpit.cluster.platform.explain import explain_error


@dataclass(frozen=True, slots=True)
class LogLine:
    at: datetime
    labels: Mapping[str, str]
    line: str


@dataclass(frozen=True, slots=True)
class LokiStatus:
    url: str
    ready: bool
    reason: str
    selector: str = ""
    lines: list[LogLine] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.ready and (not self.selector or bool(self.lines))


class LokiError(Exception):
    pass


class LokiClient:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        tenant: str | None = None,
        timeout_s: float = 10.0,
        verify: bool = True,
        basic: tuple[str, str] | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.basic = basic
        headers: dict[str, str] = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if tenant:
            headers["X-Scope-OrgID"] = tenant
        self._client = httpx.AsyncClient(
            headers=headers, auth=basic, timeout=timeout_s, verify=verify, trust_env=True
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def ready(self) -> tuple[bool, str]:
        try:
            r = await self._client.get(self.url + "/ready")
        except httpx.HTTPError as exc:
            return False, explain_error(exc, self.url, self.timeout_s)[1]
        body = r.text.strip()
        if r.status_code == 200:
            return True, f"Loki at {self.url} is ready."
        return False, f"Loki at {self.url} is not ready ({r.status_code}): {body[:160] or 'no detail'}."

    async def query_range(
        self, selector: str, since_s: float = 3600, limit: int = 50, now: float | None = None
    ) -> list[LogLine]:
        """The newest `limit` lines for a LogQL selector over the last `since_s` seconds, oldest first."""
        end = now if now is not None else time.time()
        params = {
            "query": selector,
            "start": str(int((end - since_s) * 1e9)),
            "end": str(int(end * 1e9)),
            "limit": str(limit),
            "direction": "backward",
        }
        try:
            r = await self._client.get(self.url + "/loki/api/v1/query_range", params=params)
        except httpx.HTTPError as exc:
            raise LokiError(explain_error(exc, self.url, self.timeout_s)[1]) from exc
        try:
            doc = r.json()
        except ValueError:
            doc = None
        if r.status_code != 200 or not isinstance(doc, Mapping) or doc.get("status") != "success":
            detail = (doc.get("error") or doc.get("message")) if isinstance(doc, Mapping) else r.text.strip()
            raise LokiError(
                f"Loki query {selector} failed ({r.status_code}): {str(detail)[:200] or 'no detail'}."
            )
        data = doc.get("data") or {}
        if data.get("resultType") != "streams":
            raise LokiError(f"Loki query {selector} returned {data.get('resultType')!r}, not log streams.")
        lines: list[LogLine] = []
        for stream in data.get("result") or []:
            labels = dict(stream.get("stream") or {})
            for ts, text in stream.get("values") or []:
                lines.append(LogLine(datetime.fromtimestamp(int(ts) / 1e9, UTC), labels, str(text)))
        lines.sort(key=lambda ln: ln.at)
        return lines[-limit:]

    async def status(self, selector: str | None = None, since_s: float = 3600) -> LokiStatus:
        """Readiness, then (when a selector is given) whether it returns lines; never raises."""
        ok, reason = await self.ready()
        if not ok or not selector:
            return LokiStatus(self.url, ok, reason, selector or "")
        try:
            lines = await self.query_range(selector, since_s)
        except LokiError as exc:
            return LokiStatus(self.url, True, str(exc), selector)
        if not lines:
            minutes = since_s / 60
            return LokiStatus(
                self.url,
                True,
                f"Loki is ready but {selector} has no lines in the last {minutes:g} min.",
                selector,
            )
        return LokiStatus(
            self.url,
            True,
            f"{selector}: {len(lines)} line(s), newest {lines[-1].at:%H:%M:%S} UTC.",
            selector,
            lines,
        )
