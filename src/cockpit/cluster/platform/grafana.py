"""Grafana: is the server healthy, and do its data sources work ("Data source is working")?

`/api/health` needs no login; data sources need a token (a service-account token, sent as
`Authorization: Bearer ...`) or basic credentials. Each data source is tested with
`/api/datasources/uid/{uid}/health` (Grafana >= 9), the same test as the UI's "Test" button.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cockpit.cluster.explain import explain_error

if TYPE_CHECKING:  # httpx loads with the first request, not with the cockpit
    import httpx


@dataclass(frozen=True, slots=True)
class DatasourceHealth:
    name: str
    type: str
    uid: str
    ok: bool | None  # None: Grafana cannot test this kind of data source
    message: str


@dataclass(frozen=True, slots=True)
class GrafanaStatus:
    url: str
    healthy: bool
    reason: str
    version: str = ""
    datasources: list[DatasourceHealth] = field(default_factory=list)

    @property
    def failing(self) -> list[DatasourceHealth]:
        return [d for d in self.datasources if d.ok is False]


class GrafanaClient:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        basic: tuple[str, str] | None = None,
        timeout_s: float = 10.0,
        verify: bool = True,
        only: list[str] | None = None,
    ) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.only = only  # data source names or uids to test (None: all)
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.has_credentials = bool(token or basic)
        self._client = httpx.AsyncClient(
            headers=headers, auth=basic, timeout=timeout_s, verify=verify, trust_env=True
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get(self, path: str) -> httpx.Response:
        return await self._client.get(self.url + path)

    async def status(self) -> GrafanaStatus:
        """Server health, then (with credentials) every data source's health; never raises."""
        import httpx

        try:
            health = await self._get("/api/health")
        except httpx.HTTPError as exc:
            return GrafanaStatus(self.url, False, explain_error(exc, self.url, self.timeout_s)[1])
        doc = _json(health)
        version = str(doc.get("version", "")) if isinstance(doc, Mapping) else ""
        database = str(doc.get("database", "")) if isinstance(doc, Mapping) else ""
        if health.status_code != 200 or (database and database != "ok"):
            why = (
                f"database is {database}"
                if database and database != "ok"
                else f"/api/health {health.status_code}"
            )
            return GrafanaStatus(self.url, False, f"Grafana at {self.url} is unhealthy: {why}.", version)
        if not self.has_credentials:
            reason = f"Grafana {version} is up; data sources not tested (no token configured)."
            return GrafanaStatus(self.url, True, reason.replace("  ", " "), version)
        try:
            sources = await self.datasources()
        except (httpx.HTTPError, GrafanaError) as exc:
            why = (
                str(exc) if isinstance(exc, GrafanaError) else explain_error(exc, self.url, self.timeout_s)[1]
            )
            return GrafanaStatus(self.url, False, why, version)
        bad = [d for d in sources if d.ok is False]
        if bad:
            first = bad[0]
            reason = f"Data source {first.name} ({first.type}) fails: {first.message.rstrip('.')}."
            if len(bad) > 1:
                reason = reason[:-1] + f"; {len(bad) - 1} more failing."
        else:
            reason = f"Grafana {version} is up; {len(sources)} data source(s) working."
        return GrafanaStatus(self.url, not bad, reason, version, sources)

    async def datasources(self) -> list[DatasourceHealth]:
        listing = await self._get("/api/datasources")
        if listing.status_code in (401, 403):
            raise GrafanaError(
                f"Grafana at {self.url} refused the token ({listing.status_code}); "
                "use a service-account token with the Viewer role or more."
            )
        items = _json(listing)
        if listing.status_code != 200 or not isinstance(items, list):
            raise GrafanaError(f"Grafana at {self.url} answered {listing.status_code} for /api/datasources.")
        wanted = set(self.only or [])
        chosen = [
            d
            for d in items
            if isinstance(d, Mapping) and (not wanted or {d.get("name"), d.get("uid")} & wanted)
        ]
        return list(await asyncio.gather(*(self._health(d) for d in chosen)))

    async def _health(self, ds: Mapping[str, Any]) -> DatasourceHealth:
        import httpx

        name, kind, uid = str(ds.get("name", "")), str(ds.get("type", "")), str(ds.get("uid", ""))
        try:
            r = await self._get(f"/api/datasources/uid/{uid}/health")
        except httpx.HTTPError as exc:
            return DatasourceHealth(name, kind, uid, False, explain_error(exc, self.url, self.timeout_s)[1])
        doc = _json(r)
        message = str(doc.get("message", "")) if isinstance(doc, Mapping) else ""
        if r.status_code == 200 and isinstance(doc, Mapping) and str(doc.get("status", "")).upper() == "OK":
            return DatasourceHealth(name, kind, uid, True, message or "Data source is working")
        if r.status_code == 404 or "not implemented" in message.lower():
            return DatasourceHealth(name, kind, uid, None, "Grafana cannot test this data source type")
        return DatasourceHealth(name, kind, uid, False, message or f"health check answered {r.status_code}")


class GrafanaError(Exception):
    pass


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
