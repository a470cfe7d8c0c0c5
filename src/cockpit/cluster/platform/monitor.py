"""The Platform pane's data source: service checks, PromQL, Grafana/Loki and Velero, kept live.

`PlatformMonitor.run(on_update)` is one long-lived coroutine (the UI runs it as an asyncio
worker): each part polls on its own loop, rescheduled after its previous round ends, skipping
rounds while the pane is hidden (`set_active(False)`); Velero comes from the shared informers
(one watch per kind) and is pushed in from the dispatcher thread. After every change
`on_update(snapshot)` gets a fresh immutable `PlatformSnapshot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cockpit.cluster.platform.config import PlatformConfig
from cockpit.cluster.platform.grafana import GrafanaClient
from cockpit.cluster.platform.plan_scan import (
    bind_metrics_by_text,
    checks_from_plan,
    logql_selectors,
    promql_queries,
)
from cockpit.cluster.platform.promql import (
    HttpPromSource,
    KubeServicePromSource,
    PromClient,
    PromSource,
    QueryPlan,
    ServiceRef,
    discover_in_cluster,
    read_metrics,
)
from cockpit.cluster.platform.scheduler import CheckMonitor
from cockpit.cluster.platform.snapshot import PlatformSnapshot
from cockpit.cluster.platform.spec import CheckSpecError, ServiceCheck
from cockpit.cluster.platform.velero import (
    BACKUPS,
    SCHEDULES,
    BackupSummary,
    ScheduleSummary,
    backup_report,
    summarize_backup,
    summarize_schedule,
)
from cockpit.plan.model import Plan

log = logging.getLogger(__name__)
Update = Callable[[PlatformSnapshot], None]

NO_METRICS = (
    "No Prometheus-compatible API: pass --prometheus-url or set platform.prometheus_url "
    "(none was found among the cluster's services)."
)


def parse_service_ref(text: str) -> ServiceRef:
    """ "monitoring/vmsingle:8428" -> ServiceRef; raises ValueError with the expected form."""
    try:
        ns, rest = text.split("/", 1)
        name, port = rest.rsplit(":", 1)
        return ServiceRef(ns, name, int(port))
    except ValueError:
        raise ValueError(f"platform.prometheus_service {text!r} is not NAMESPACE/NAME:PORT") from None


class PlatformMonitor:
    def __init__(
        self,
        config: PlatformConfig,
        plan: Plan | None = None,
        kube_api: Any = None,
        informers: Any = None,
        prom_source: PromSource | None = None,
        check_runner: Any = None,
    ) -> None:
        self.config = config
        self.kube_api = kube_api
        self.informers = informers
        problems: list[str] = []
        checks: dict[str, ServiceCheck] = {c.key: c for c in config.checks}
        queries = list(config.queries)
        bindings: dict[str, str] = {}
        self.loki_selector = config.loki.selector if config.loki else None
        if plan is not None:
            try:
                for check in checks_from_plan(plan):
                    checks.setdefault(check.key, check)
            except CheckSpecError as exc:
                problems.append(str(exc))
            if not queries:
                queries = promql_queries(plan)
            bindings = bind_metrics_by_text(plan)
            if self.loki_selector is None:
                selectors = logql_selectors(plan)
                self.loki_selector = selectors[0] if selectors else None
        bindings.update(config.metric_queries)
        for query in bindings.values():
            if query not in queries:
                queries.append(query)
        self.checks = list(checks.values())
        self.query_plan = QueryPlan(queries, config.range_minutes)
        self.prom_source = prom_source
        self.check_monitor = CheckMonitor(self.checks, config.interval_s, runner=check_runner)
        self._snapshot = PlatformSnapshot(bindings=bindings, problems=tuple(problems))
        self._on_update: Update | None = None
        self._active = asyncio.Event()
        self._active.set()
        self._wake: dict[str, asyncio.Event] = {}
        self._backups: dict[str, BackupSummary] = {}
        self._schedules: dict[str, ScheduleSummary] = {}
        self._velero_errors: dict[str, str] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def snapshot(self) -> PlatformSnapshot:
        return self._snapshot

    def _publish(self, **changes: Any) -> None:
        self._snapshot = replace(self._snapshot, **changes)
        if self._on_update is not None:
            self._on_update(self._snapshot)

    def add_problems(self, problems: list[str]) -> None:
        """Configuration mistakes found by the caller, shown with the monitor's own."""
        self._snapshot = replace(self._snapshot, problems=(*self._snapshot.problems, *problems))

    def set_active(self, active: bool) -> None:
        """Hidden pane: pause the polls (the informer keeps its watch; it is shared)."""
        if active and not self._active.is_set():
            self._active.set()
            self.refresh_now()  # back in view: fresh data at once
        elif not active:
            self._active.clear()

    @property
    def active(self) -> bool:
        return self._active.is_set()

    def refresh_now(self) -> None:
        for event in self._wake.values():
            event.set()

    async def _pause(self, name: str) -> None:
        event = self._wake.setdefault(name, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=self.config.interval_s)
        event.clear()
        await self._active.wait()

    async def _loop_forever(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await body()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug in one part must not stop the others; say so on screen
                log.exception("platform %s round failed", name)
                problems = (*self._snapshot.problems, f"The {name} poll failed: {exc}.")[-5:]
                self._publish(problems=problems)
            await self._pause(name)

    # -- parts ---------------------------------------------------------------------------------

    async def _checks_round(self) -> None:
        if not self.checks:
            return
        states = await self.check_monitor.run_round()
        self._publish(checks=tuple(states), checks_at=datetime.now(UTC))

    async def _resolve_prom(self) -> PromSource | None:
        if self.prom_source is not None:
            return self.prom_source
        cfg = self.config
        if cfg.prometheus_url:
            self.prom_source = HttpPromSource(cfg.prometheus_url)
        elif self.kube_api is not None and cfg.prometheus_service not in (None, "", "auto"):
            try:
                ref = parse_service_ref(str(cfg.prometheus_service))
            except ValueError as exc:
                self._publish(metrics_note=f"{cfg.source}: {exc}.")
                return None
            self.prom_source = KubeServicePromSource(self.kube_api, ref)
        elif self.kube_api is not None:
            try:
                self.prom_source = await discover_in_cluster(self.kube_api)
            except Exception as exc:  # ClusterError: no list permission, unreachable
                note = getattr(exc, "sentence", None) or str(exc)
                self._publish(metrics_note=f"Looking for a metrics service failed: {note}")
                return None
        return self.prom_source

    async def _metrics_round(self) -> None:
        if not self.query_plan.queries:
            return
        source = await self._resolve_prom()
        if source is None:
            if not self._snapshot.metrics_note:
                self._publish(metrics_note=NO_METRICS)
            return
        readings = await read_metrics(PromClient(source), self.query_plan)
        self._publish(
            metrics=tuple(readings),
            metrics_source=source.label,
            metrics_note="",
            metrics_at=datetime.now(UTC),
        )

    async def _endpoints_round(self) -> None:
        cfg = self.config
        grafana = loki = None
        jobs: list[Awaitable[Any]] = []
        if cfg.grafana is not None:
            g = cfg.grafana
            grafana = GrafanaClient(
                g.url, g.token, basic=g.basic, verify=g.verify, only=list(g.datasources) or None
            )
            jobs.append(grafana.status())
        if cfg.loki is not None:
            from cockpit.cluster.loki import LokiClient  # with its HTTP stack, only once Loki is configured

            lk = cfg.loki
            loki = LokiClient(lk.url, lk.token, lk.tenant, verify=lk.verify, basic=lk.basic)
            jobs.append(loki.status(self.loki_selector))
        if not jobs:
            return
        try:
            results = await asyncio.gather(*jobs)
        finally:
            for client in (grafana, loki):
                if client is not None:
                    await client.aclose()
        changes: dict[str, Any] = {"endpoints_at": datetime.now(UTC)}
        if grafana is not None:
            changes["grafana"] = results[0]
        if loki is not None:
            changes["loki"] = results[-1]
        self._publish(**changes)

    # -- Velero via the shared informers ---------------------------------------------------------

    def _watch_velero(self) -> None:
        if self.informers is None or self._loop is None:
            return
        loop = self._loop
        for kind, summarize, rows in (
            (BACKUPS, summarize_backup, self._backups),
            (SCHEDULES, summarize_schedule, self._schedules),
        ):
            informer = self.informers.get(kind, None, summarize)

            def deliver(batch: Any, rows: dict[str, Any] = rows, kind: Any = kind) -> None:
                loop.call_soon_threadsafe(self._apply_velero, batch, rows, kind)

            self._unsubscribe.append(informer.subscribe(deliver))

    def _apply_velero(self, batch: Any, rows: dict[str, Any], kind: Any) -> None:
        batch.apply_to(rows)
        self._velero_errors[kind.plural] = batch.health.error
        note = self._velero_errors.get("backups") or self._velero_errors.get("schedules") or ""
        report = backup_report(self._backups.values(), self._schedules.values())
        self._publish(backups=report, backups_note=note, backups_at=datetime.now(UTC))

    # -- the one coroutine ----------------------------------------------------------------------

    async def run(self, on_update: Update) -> None:
        """Poll and watch until cancelled; `on_update` gets each new snapshot (on this loop)."""
        self._on_update = on_update
        self._loop = asyncio.get_running_loop()
        on_update(self._snapshot)
        self._watch_velero()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._loop_forever("service checks", self._checks_round))
                group.create_task(self._loop_forever("metrics", self._metrics_round))
                group.create_task(self._loop_forever("Grafana/Loki", self._endpoints_round))
        finally:
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            self._unsubscribe.clear()
            await self.check_monitor.runner.aclose()
            if self.prom_source is not None:
                await self.prom_source.aclose()
