"""The Platform pane: service checks, PromQL values with sparklines, Velero backups, Grafana and Loki.

It shows what `cockpit.cluster.platform.PlatformMonitor` produces and does no I/O of its own:
the monitor runs as one exclusive asyncio worker (all its network calls are async; the blocking
kube calls go to threads), hands over immutable snapshots, and the pane repaints at most ~5 times
a second, updating only the cells that changed. Polls pause while the pane is hidden.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Static

from cockpit.cluster.platform.config import PlatformConfig, PlatformConfigError, load_platform_config
from cockpit.cluster.platform.monitor import PlatformMonitor
from cockpit.cluster.platform.snapshot import PlatformSnapshot
from cockpit.kubeprint import human_duration
from cockpit.plan.model import Plan
from cockpit.session.engine import SessionError
from cockpit.ui.clock import every_second
from cockpit.ui.rows import palette_of

REPAINT_S = 0.2
PODS_FIRST_S = 10.0  # a hidden pane's first round waits at most this long for the pods list
RECORD_EVERY_S = 60.0  # the session's "end" metrics are refreshed at most this often
BASELINE_WAIT_S = 30.0  # the baseline waits for every part's first answer, at most this long
TLS_WARN_DAYS = 14
SPARK_WIDTH = 20

CHECK_COLUMNS = [
    ("state", ""),
    ("check", "Check"),
    ("status", "Status"),
    ("latency", "Latency"),
    ("tls", "TLS expiry"),
    ("since", "For"),
]
METRIC_COLUMNS = [("query", "Query"), ("value", "Value"), ("spark", "Last 30m")]
BACKUP_COLUMNS = [
    ("what", "Backup"),
    ("phase", "Phase"),
    ("errors", "Err"),
    ("warnings", "Warn"),
    ("age", "Age"),
    ("progress", "Progress"),
]
LABEL_WIDTH = 28  # longer names are clipped in the tables; the sentences below them are whole


def clip(text: str, width: int = LABEL_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _show(widget: Static, content: Any) -> None:
    """Update a Static only when what it shows changes: an unchanged second repaints nothing."""
    if widget.content != content:
        widget.update(content)


class PlatformPane(VerticalScroll):
    """Platform health for the session. Build it with `build_platform_pane`."""

    DEFAULT_CSS = """
    PlatformPane { height: 1fr; }
    PlatformPane > .platform-heading { color: $text-accent; text-style: bold; margin-top: 1; }
    PlatformPane > #platform-summary { margin-bottom: 0; }
    PlatformPane > DataTable { height: auto; max-height: 14; border: none; padding: 0; }
    PlatformPane > .platform-note { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_platform", "Re-check now", id="platform.refresh"),
    ]

    def __init__(
        self,
        monitor: PlatformMonitor | None = None,
        *,
        plan: Plan | None = None,
        hub: Any = None,
        config: PlatformConfig | None = None,
        prometheus_url: str | None = None,
        loki_url: str | None = None,
        id: str | None = "platform",
    ) -> None:
        """Give a `monitor`, or what to build one from on mount (`plan` defaults to the app's plan)."""
        super().__init__(id=id)
        self._recipe = (plan, hub, config, prometheus_url, loki_url)
        self.monitor = monitor or PlatformMonitor(PlatformConfig())
        self._own_monitor = monitor is None
        self.snapshot = self.monitor.snapshot
        self._pending: PlatformSnapshot | None = None
        self._baseline_recorded = False
        self._last_record = 0.0
        self._last_values: dict[str, Any] = {}
        self._mounted_at = time.monotonic()
        self._monitor_started = False
        self._repaint_timer: Timer | None = None

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="platform-summary")
        yield Static("Service checks", classes="platform-heading")
        yield DataTable(id="platform-checks", cursor_type="row", zebra_stripes=False)
        yield Static("", id="platform-checks-failures")
        yield Static("", id="platform-checks-note", classes="platform-note")
        yield Static("Metrics", classes="platform-heading")
        yield DataTable(id="platform-metrics", cursor_type="row")
        yield Static("", id="platform-metrics-errors")
        yield Static("", id="platform-metrics-note", classes="platform-note")
        yield Static("Backups (Velero)", classes="platform-heading")
        yield DataTable(id="platform-backups", cursor_type="row")
        yield Static("", id="platform-backups-failures")
        yield Static("", id="platform-backups-note", classes="platform-note")
        yield Static("Grafana / Loki", classes="platform-heading")
        yield Static("", id="platform-endpoints")
        yield Static("", id="platform-problems", classes="platform-note")

    def on_mount(self) -> None:
        if self._own_monitor:
            plan, hub, config, prometheus_url, loki_url = self._recipe
            if plan is None:
                plan = getattr(self.app, "plan", None)
            self.monitor = make_monitor(
                plan, hub=hub, config=config, prometheus_url=prometheus_url, loki_url=loki_url
            )
            self.snapshot = self.monitor.snapshot
        for table_id, columns in (
            ("#platform-checks", CHECK_COLUMNS),
            ("#platform-metrics", METRIC_COLUMNS),
            ("#platform-backups", BACKUP_COLUMNS),
        ):
            table = self.query_one(table_id, DataTable)
            for key, label in columns:
                table.add_column(label, key=key)
        self._paint(self.snapshot)
        # polling starts once the first screen is painted: no answer can be on it, and setting up
        # the first round (HTTP clients, CA bundles) must not hold the screen back
        self.call_after_refresh(self._start_monitor)
        every_second(self, self._tick_ages)
        # Painting is driven by the pane's own timer: `_receive` may be called from a loop callback
        # outside Textual's context (informer threads hop onto the loop), where timers can't be set;
        # it runs only while a snapshot waits (`_receive` wakes it), not 5 times a second for nothing.
        self._repaint_timer = self.set_interval(REPAINT_S, self._repaint, name="platform-repaint")

    def _start_monitor(self) -> None:
        """The first round, once the first screen is painted and, while this pane is not on screen,
        the pods list is in (for at most PODS_FIRST_S): at start the operator waits for the pods,
        and a round's queries (PromQL over every pod's series) would compete with their list for
        the API server and this process."""
        if self._monitor_started:
            return
        hub = self._recipe[1]
        pods = hub.pods() if hub is not None and getattr(hub, "api", None) is not None else None
        waiting = pods is not None and not pods.health.synced
        if waiting and not self.is_on_screen and time.monotonic() - self._mounted_at < PODS_FIRST_S:
            self.set_timer(0.05, self._start_monitor)
            return
        self._monitor_started = True
        self.run_worker(
            self.monitor.run(self._receive),
            name="platform-monitor",
            group="platform",
            exclusive=True,
            exit_on_error=False,
            description="Platform health: service checks, metrics, Grafana/Loki, Velero",
        )

    def on_show(self) -> None:
        self.monitor.set_active(True)
        self.call_after_refresh(self._start_monitor)  # shown before its first round: start it now

    def on_hide(self) -> None:
        self.monitor.set_active(False)

    def action_refresh_platform(self) -> None:
        self.monitor.refresh_now()
        self.app.notify("Re-checking platform health now.", timeout=2)

    # -- snapshots in, coalesced -----------------------------------------------------------------

    def _receive(self, snapshot: PlatformSnapshot) -> None:
        """Called on the app's loop by the monitor; latest wins, painted at most every REPAINT_S."""
        self._pending = snapshot
        if self._repaint_timer is not None:
            self._repaint_timer.resume()

    def _repaint(self) -> None:
        if self._pending is None:
            if self._repaint_timer is not None:
                self._repaint_timer.pause()
            return
        snapshot, self._pending = self._pending, None
        self.snapshot = snapshot
        self._paint(snapshot)
        self._record(snapshot)

    def _record(self, snapshot: PlatformSnapshot, final: bool = False) -> None:
        """Baseline once the first answers are in; "end" values refreshed at most every minute."""
        session = getattr(self.app, "session", None)
        record = getattr(session, "record_metrics", None)
        if record is None or not snapshot.complete:
            return
        if not self._baseline_recorded and not final and not self._all_answered(snapshot):
            return
        values = snapshot.record()
        now = time.monotonic()
        try:
            if not self._baseline_recorded:
                record("baseline", values)
                self._baseline_recorded = True
            elif final or (values != self._last_values and now - self._last_record >= RECORD_EVERY_S):
                record("end", values)
            else:
                return
        except (SessionError, OSError) as exc:  # an ended or closed session: log once, keep showing data
            self._baseline_recorded = True
            self._last_values = values
            self.log.warning(f"platform metrics not recorded: {exc}")
            return
        self._last_record = now
        self._last_values = values

    def _all_answered(self, snap: PlatformSnapshot) -> bool:
        """Every configured part has answered (or said why not), or BASELINE_WAIT_S has passed."""
        if time.monotonic() - self._mounted_at >= BASELINE_WAIT_S:
            return True
        monitor = self.monitor
        cfg = monitor.config
        return all(
            (
                not monitor.checks or snap.checks_at is not None,
                not monitor.query_plan.queries or snap.metrics_at is not None or bool(snap.metrics_note),
                (cfg.grafana is None and cfg.loki is None) or snap.endpoints_at is not None,
                monitor.informers is None or snap.backups is not None or bool(snap.backups_note),
            )
        )

    def record_end(self) -> None:
        """Record the current values as the session's end values (the app calls it before ending);
        nothing once the session has ended."""
        if getattr(getattr(self.app, "session", None), "ended", False):
            return
        self._record(self.snapshot, final=True)

    def on_unmount(self) -> None:
        self.record_end()

    def _tick_ages(self) -> None:
        # a pane that starts in a hidden tab gets no Hide event: its size tells (0 when not shown)
        visible = self.region.area > 0
        if visible != self.monitor.active:
            self.monitor.set_active(visible)
        if visible:
            self._paint(self.snapshot)

    # -- painting -------------------------------------------------------------------------------

    def _paint(self, snap: PlatformSnapshot) -> None:
        now = datetime.now(UTC)
        with self.app.batch_update():
            self._paint_summary(snap)
            self._paint_checks(snap, now)
            self._paint_metrics(snap, now)
            self._paint_backups(snap, now)
            self._paint_endpoints(snap, now)
            problems = self.query_one("#platform-problems", Static)
            _show(problems, "\n".join(f"⚠ {p}" for p in snap.problems))

    def _styles(self) -> tuple[str, str, str, str]:
        """(success, warning, error, muted) as Rich colours, from the theme."""
        palette = palette_of(self.app)
        return palette.success, palette.warning, palette.error, palette.muted

    def _accent(self) -> str:
        return palette_of(self.app).accent

    def _paint_summary(self, snap: PlatformSnapshot) -> None:
        ok_c, warn_c, err_c, _ = self._styles()
        text = Text()
        if snap.checks:
            bad, checked = len(snap.failing_checks), len(snap.checked_checks)
            text.append(f"Checks {checked - bad}/{checked} ok", style=err_c if bad else ok_c)
            if checked < len(snap.checks):
                text.append(f" ({len(snap.checks) - checked} not checked in a rehearsal)")
            text.append("  ")
        if snap.grafana is not None:
            text.append(
                "Grafana ok" if snap.grafana.healthy else "Grafana failing",
                style=ok_c if snap.grafana.healthy else err_c,
            )
            text.append("  ")
        if snap.loki is not None:
            text.append(
                "Loki ok" if snap.loki.healthy else "Loki failing", style=ok_c if snap.loki.healthy else err_c
            )
            text.append("  ")
        if snap.backups is not None:
            failing = len(snap.backups.failing)
            recent = len(snap.backups.recent_failures)
            if failing:
                text.append(f"Backups: {failing} failing", style=err_c)
            elif recent:
                text.append(f"Backups ok ({recent} recent failure{'s' if recent > 1 else ''})", style=warn_c)
            else:
                text.append("Backups ok", style=ok_c)
            text.append("  ")
        if snap.metrics:
            errors = sum(1 for r in snap.metrics if r.error)
            text.append(
                f"Queries {len(snap.metrics) - errors}/{len(snap.metrics)}", style=warn_c if errors else ok_c
            )
        _show(self.query_one("#platform-summary", Static), text)

    def _sync(self, table: DataTable[Any], rows: dict[str, list[Any]]) -> None:
        """Keyed diff: update changed cells, add new rows, remove gone ones."""
        existing = {str(k.value) for k in table.rows}
        for gone in existing - rows.keys():
            table.remove_row(gone)
        columns = [str(c.value) for c in table.columns]
        for key, cells in rows.items():
            if key not in existing:
                table.add_row(*cells, key=key)
                continue
            for col, value in zip(columns, cells, strict=True):
                if table.get_cell(key, col) != value:  # Text compares text and styles: unchanged, untouched
                    table.update_cell(key, col, value)

    def _paint_checks(self, snap: PlatformSnapshot, now: datetime) -> None:
        ok_c, warn_c, err_c, muted = self._styles()
        rows: dict[str, list[Any]] = {}
        for state in snap.checks:
            r = state.result
            mark = Text("●", style=ok_c) if r.healthy else Text("●", style=warn_c if r.login else err_c)
            if not r.checked:
                mark = Text("○", style=muted)
            status = str(r.status) if r.status is not None else "-"
            latency = f"{r.latency_s * 1000:.0f} ms" if r.latency_s is not None else "-"
            days = r.tls_days_left(now)
            if days is None:
                tls = Text("-", style=muted)
            else:
                style = err_c if days < 0 else warn_c if days < TLS_WARN_DAYS else ""
                tls = Text(f"{r.tls_not_after:%Y-%m-%d} ({days:.0f}d)", style=style)
            since = human_duration(state.unchanged_for(now))
            rows[state.check.key] = [mark, clip(state.check.label), status, latency, tls, since]
        self._sync(self.query_one("#platform-checks", DataTable), rows)
        failures = Text()
        for state in snap.failing_checks:
            r = state.result
            if failures:
                failures.append("\n")
            failures.append("● ", style=warn_c if r.login else err_c)
            failures.append(f"{state.check.label}: ", style="bold")
            failures.append(r.reason)
        _show(self.query_one("#platform-checks-failures", Static), failures)
        note = self.query_one("#platform-checks-note", Static)
        if not self.monitor.checks:
            _show(
                note,
                "No URLs to check: add `checks:` to the plan or the config file,"
                " or `curl` lines to the plan.",
            )
        elif snap.checks_at is None:
            _show(note, f"Checking {len(self.monitor.checks)} URL(s)…")
        else:
            _show(
                note,
                f"checked {human_duration((now - snap.checks_at).total_seconds())} ago, "
                f"every {self.monitor.config.interval_s:g}s — r: re-check now",
            )

    def _paint_metrics(self, snap: PlatformSnapshot, now: datetime) -> None:
        _, warn_c, err_c, muted = self._styles()
        bound = {q: name for name, q in snap.bindings.items()}
        rows: dict[str, list[Any]] = {}
        for reading in snap.metrics:
            label = clip(reading.query, 44)
            if reading.query in bound:
                label = f"{label} → {bound[reading.query]}"
            value = Text("error", style=err_c) if reading.error else reading.text
            spark = Text(reading.spark(SPARK_WIDTH), style=self._accent())
            rows[reading.query] = [label, value, spark]
        self._sync(self.query_one("#platform-metrics", DataTable), rows)
        by_error: dict[str, list[str]] = {}
        for reading in snap.metrics:
            if reading.error:
                by_error.setdefault(reading.error, []).append(reading.query)
        errors = Text()
        for message, queries in by_error.items():
            if errors:
                errors.append("\n")
            which = queries[0] if len(queries) == 1 else f"{len(queries)} queries"
            errors.append("● ", style=err_c)
            errors.append(f"{which}: ", style="bold")
            errors.append(message)
        _show(self.query_one("#platform-metrics-errors", Static), errors)
        note = self.query_one("#platform-metrics-note", Static)
        if snap.metrics_note:
            _show(note, Text(snap.metrics_note, style=warn_c))
        elif not self.monitor.query_plan.queries:
            _show(note, "No PromQL queries: the plan mentions none; add platform.queries to the config file.")
        elif snap.metrics_at is None:
            _show(note, f"Querying {len(self.monitor.query_plan.queries)} PromQL expression(s)…")
        else:
            age = human_duration((now - snap.metrics_at).total_seconds())
            _show(note, Text(f"{snap.metrics_source} · updated {age} ago", style=muted))

    def _paint_backups(self, snap: PlatformSnapshot, now: datetime) -> None:
        ok_c, warn_c, err_c, _ = self._styles()
        rows: dict[str, list[Any]] = {}
        report = snap.backups
        lines = Text()

        def say(style: str, sentence: str) -> None:
            if lines:
                lines.append("\n")
            lines.append("● ", style=style)
            lines.append(sentence)

        for label, backup, schedule in report.rows if report else []:
            if backup is None:
                cron = f" ({schedule.cron})" if schedule else ""
                rows[label] = [clip(label), "-", "-", "-", "-", ""]
                say(warn_c, f"{label}{cron}: no backup yet.")
                continue
            style = ok_c if backup.ok else err_c if backup.finished else warn_c
            rows[label] = [
                clip(label),
                Text(backup.phase, style=style),
                str(backup.errors),
                str(backup.warnings),
                human_duration(backup.age_seconds(now)),
                backup.progress,
            ]
            if not backup.ok:
                say(style, backup.reason)
        self._sync(self.query_one("#platform-backups", DataTable), rows)
        _show(self.query_one("#platform-backups-failures", Static), lines)
        note = self.query_one("#platform-backups-note", Static)
        if snap.backups_note:
            stale = (
                f" (last data {human_duration((now - snap.backups_at).total_seconds())} ago)"
                if snap.backups_at
                else ""
            )
            _show(note, Text(snap.backups_note + stale, style=warn_c))
        elif self.monitor.informers is None:
            _show(note, "No cluster connected: Velero backups are read from the cluster.")
        elif report is None:
            _show(note, "Reading Velero backups and schedules…")
        elif not report.rows:
            _show(note, "No Velero backups or schedules in the cluster.")
        else:
            _show(note, "")

    def _paint_endpoints(self, snap: PlatformSnapshot, now: datetime) -> None:
        ok_c, _, err_c, muted = self._styles()
        text = Text()
        cfg = self.monitor.config
        if cfg.grafana is None and cfg.loki is None:
            text.append(
                "Not configured: set platform.grafana.url / platform.loki.url (or --loki-url).", style=muted
            )
        if cfg.grafana is not None:
            g = snap.grafana
            if g is None:
                text.append(f"Grafana {cfg.grafana.url}: checking…", style=muted)
            else:
                text.append("● ", style=ok_c if g.healthy else err_c)
                text.append(f"Grafana: {g.reason}")
                for ds in g.datasources:
                    mark = "✓" if ds.ok else "?" if ds.ok is None else "✗"
                    text.append(
                        f"\n   {mark} {ds.name} ({ds.type}): {ds.message}",
                        style="" if ds.ok else muted if ds.ok is None else err_c,
                    )
        if cfg.loki is not None:
            if text:
                text.append("\n")
            lk = snap.loki
            if lk is None:
                text.append(f"Loki {cfg.loki.url}: checking…", style=muted)
            else:
                text.append("● ", style=ok_c if lk.healthy else err_c)
                text.append(f"Loki: {lk.reason}")
                for line in lk.lines[-3:]:
                    text.append(f"\n   {line.at:%H:%M:%S} {line.line[:160]}", style=muted)
        if snap.endpoints_at is not None:
            age = human_duration((now - snap.endpoints_at).total_seconds())
            text.append(f"\n(updated {age} ago)", style=muted)
        _show(self.query_one("#platform-endpoints", Static), text)


def make_monitor(
    plan: Plan | None,
    *,
    hub: Any = None,
    config: PlatformConfig | None = None,
    prometheus_url: str | None = None,
    loki_url: str | None = None,
) -> PlatformMonitor:
    """The monitor for a plan. `hub` (a `cockpit.cluster.hub.ClusterHub`, optional) lends its
    KubeApi (`api`) for in-cluster metrics discovery and its shared informers (`registry`) for
    Velero; its `loki_url` is used when none is passed. A broken config file
    becomes one sentence in the pane, never an exception."""
    problems: list[str] = []
    loki_url = loki_url or getattr(hub, "loki_url", None)
    if config is None:
        try:
            config = load_platform_config(prometheus_url=prometheus_url, loki_url=loki_url)
        except PlatformConfigError as exc:
            problems.append(str(exc))
            config = PlatformConfig()
    api = getattr(hub, "api", None)
    runner = None
    if api is not None and getattr(getattr(hub, "target", None), "is_sandbox", False):
        from cockpit.cluster.platform.http_checks import CheckRunner
        from cockpit.cluster.platform.sandbox_routes import SandboxRoutes

        runner = CheckRunner(route=SandboxRoutes(api).route)  # a sandbox answers the plan's URLs
    monitor = PlatformMonitor(
        config, plan, kube_api=api, informers=getattr(hub, "registry", None), check_runner=runner
    )
    if problems:
        monitor.add_problems(problems)
    return monitor


def build_platform_pane(
    plan: Plan | None = None,
    *,
    hub: Any = None,
    config: PlatformConfig | None = None,
    prometheus_url: str | None = None,
    loki_url: str | None = None,
) -> PlatformPane:
    """The Platform pane; its monitor is built on mount (see `make_monitor`), from `plan` or else
    the app's `plan`."""
    return PlatformPane(plan=plan, hub=hub, config=config, prometheus_url=prometheus_url, loki_url=loki_url)
