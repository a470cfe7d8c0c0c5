"""The success-metrics pane: the plan's metrics table against live figures, with session baselines."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cockpit.cluster.checks import PlanChecks
from cockpit.cluster.metrics import Figure, MetricsBoard
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.session.engine import SessionError
from cockpit.ui.panes.base import InformerBatch, LivePane
from cockpit.ui.panes.tables import sync_table

COLUMNS = ("metric", "live", "target", "status", "baseline", "plan")
HEADERS = ("METRIC", "LIVE", "TARGET", "STATUS", "AT START", "IN PLAN")
RECOMPUTE_S = 0.5
HIDDEN_RECOMPUTE_S = 5.0  # hidden: only the journal needs the figures (baseline, end values)
CHECK_COLUMNS = ("now", "task", "check")
CHECK_HEADERS = ("NOW", "TASK", "CHECK")
END_EVERY_S = 10.0


class MetricsPane(LivePane):
    """Recomputed from the shared informers at most twice a second.

    With the app's session (`app.session`), the first live value of each metric is journaled as
    its baseline (kept across a resume) and the latest values as "end" (at most every
    END_EVERY_S, and on `record_end()`), so the transcript shows start and end."""

    WHAT = "metrics"
    DEFAULT_CSS = """
    MetricsPane > #metrics-table { height: auto; max-height: 50%; }
    MetricsPane > #checks-table { height: 1fr; }
    """

    def __init__(self, hub: Any, plan: Any = None, *, id: str | None = "metrics-pane") -> None:
        super().__init__(hub, id=id)
        self.plan = plan
        self.board = MetricsBoard()
        self.checks = PlanChecks([])
        self._scheduled = False
        self._stale_table = False  # recomputed while hidden: draw the tables when shown
        self._recorded_baseline: set[str] = set()
        self._last_end: dict[str, str] = {}
        self._last_end_at = 0.0

    def compose(self) -> ComposeResult:
        yield self.status_widget()
        table: DataTable[Any] = DataTable(id="metrics-table", cursor_type="row")
        for key, header in zip(COLUMNS, HEADERS, strict=True):
            table.add_column(header, key=key)
        yield table
        yield Static("", id="metrics-note", classes="pane-help")
        yield Static("Live checks of the plan's tasks", id="checks-title", classes="pane-summary")
        checks: DataTable[Any] = DataTable(id="checks-table", cursor_type="row")
        for key, header in zip(CHECK_COLUMNS, CHECK_HEADERS, strict=True):
            checks.add_column(header, key=key)
        yield checks

    def on_mount(self) -> None:
        plan = self.plan if self.plan is not None else getattr(self.app, "plan", None)
        self.board = MetricsBoard.for_plan(list(getattr(plan, "metrics", []) or []))
        self._restore_baseline()
        self.checks = PlanChecks(plan.walk() if plan is not None and hasattr(plan, "walk") else [])
        if not self.board.rows:
            self.query_one("#metrics-note", Static).update("The plan has no success-metrics table.")
        for informer in (self.hub.pods(), self.hub.apps(), self.hub.certs()):
            self.watch_informer(informer)
        self.recompute()

    def on_informer_batch(self, message: InformerBatch) -> None:
        message.stop()
        if message.batch.key[2] == "pods":
            self.health = message.batch.health
            self.refresh_status()
        if not self._scheduled:  # a hidden pane keeps the journal's figures, at a slower pace
            self._scheduled = True
            self.set_timer(RECOMPUTE_S if self.is_on_screen else HIDDEN_RECOMPUTE_S, self.recompute)

    def on_show(self) -> None:
        super().on_show()
        if self._stale_table:
            self.recompute()

    def _session(self) -> Any:
        return getattr(self.app, "session", None)

    def _restore_baseline(self) -> None:
        """On a resumed session, the baseline is the one journaled when the session started."""
        session = self._session()
        state = getattr(session, "state", None)
        recorded = (getattr(state, "metrics", None) or {}).get("baseline", {})
        for row in self.board.rows:
            text = recorded.get(row.metric.name)
            if text is not None:
                row.baseline = Figure(float("nan"), str(text))
                self._recorded_baseline.add(row.metric.name)

    def _journal(self) -> None:
        session = self._session()
        if session is None or not hasattr(session, "record_metrics") or getattr(session, "ended", False):
            return
        fresh = {
            r.metric.name: r.baseline.text
            for r in self.board.rows
            if r.baseline is not None and r.metric.name not in self._recorded_baseline
        }
        if fresh:
            session.record_metrics("baseline", fresh)
            self._recorded_baseline.update(fresh)
        if time.monotonic() - self._last_end_at >= END_EVERY_S:
            self.record_end()

    def record_end(self) -> None:
        """Journal the current live values as the session's end values (when they changed)."""
        session = self._session()
        if session is None or not hasattr(session, "record_metrics") or getattr(session, "ended", False):
            return
        now = {r.metric.name: r.current.text for r in self.board.rows if r.current is not None}
        if now and now != self._last_end:
            session.record_metrics("end", now)
            self._last_end = now
        self._last_end_at = time.monotonic()

    def on_unmount(self) -> None:
        self.record_end()
        super().on_unmount()

    def recompute(self) -> None:
        self._scheduled = False
        snap = self.hub.snapshot()
        self.board.update(snap)
        self._journal()
        self._stale_table = not self.is_on_screen
        if self._stale_table:
            return  # hidden: the figures are journaled; the tables are drawn when shown
        self._render_checks(snap)
        palette = self.palette
        rows = []
        for i, row in enumerate(self.board.rows):
            met = row.met
            status = (
                Text("✓ met", style=palette.style("success", bold=True))
                if met
                else Text("✗ not met", style=palette.warning)
                if met is False
                else Text(row.note, style=palette.muted)
            )
            rows.append(
                (
                    str(i),
                    (
                        row.metric.name,
                        row.current.text if row.current else "-",
                        row.metric.target,
                        status,
                        row.baseline.text if row.baseline else "-",
                        row.metric.current,
                    ),
                )
            )
        with self.app.batch_update():
            sync_table(self.query_one("#metrics-table", DataTable), rows, COLUMNS)

    # -- tasks that check themselves --------------------------------------------------------------
    def _command_results(self) -> dict[str, int]:
        state = getattr(self._session(), "state", None)
        runs = sorted((getattr(state, "runs", None) or {}).values(), key=lambda r: r.started_t)
        return {r.cmd: r.exit_code for r in runs if r.finished and r.exit_code is not None}

    def _first_notice(self, key: str) -> bool:
        """Once per task and session (journaled): not again at every launch of a resumed session."""
        first = getattr(self._session(), "first_notice", None)
        try:
            return bool(first(key)) if callable(first) else True
        except SessionError:
            return False

    def _is_open(self, node_id: str) -> bool:
        session = self._session()
        try:
            state = str(session.state_of(node_id)) if session is not None else "todo"
        except Exception:  # a phase or section: the session times tasks only
            return True
        return state not in ("done", "skipped")

    def _render_checks(self, snap: ClusterSnapshot) -> None:
        results = self.checks.evaluate(snap, self._command_results())
        for node_id in self.checks.turned_true(results):
            node = self.checks.by_node[node_id][0]
            if self._is_open(node_id) and self._first_notice(f"check-met:{node_id}"):
                self.app.notify(
                    f"{node.title}: its check is now true. Tick it in the plan if you agree.",
                    title="Check met",
                    timeout=12,
                )
        palette = self.palette
        rows = []
        for i, r in enumerate(results):
            ok = r.result.ok
            mark = "✓" if ok else "✗" if ok is False else "?"
            style = palette.success if ok else palette.warning if ok is False else palette.muted
            rows.append(
                (str(i), (Text(f"{mark} {r.result.detail}", style=style), r.title[:40], r.check.description))
            )
        self.query_one("#checks-title", Static).display = bool(rows)
        table = self.query_one("#checks-table", DataTable)
        table.display = bool(rows)
        with self.app.batch_update():
            sync_table(table, rows, CHECK_COLUMNS)
