"""The success-metrics pane: the plan's metrics table against live figures, with session baselines."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cockpit.cluster.metrics import MetricsBoard
from cockpit.ui.panes.base import InformerBatch, LivePane
from cockpit.ui.panes.tables import sync_table

COLUMNS = ("metric", "plan", "baseline", "live", "target", "status")
HEADERS = ("METRIC", "IN PLAN", "AT START", "LIVE", "TARGET", "STATUS")
RECOMPUTE_S = 0.5


class MetricsPane(LivePane):
    """Recomputed from the shared informers at most twice a second. `board.record()` feeds the transcript."""

    WHAT = "metrics"

    def __init__(self, hub: Any, plan: Any = None, *, id: str | None = "metrics-pane") -> None:
        super().__init__(hub, id=id)
        self.plan = plan
        self.board = MetricsBoard()
        self._scheduled = False

    def compose(self) -> ComposeResult:
        yield self.status_widget()
        table: DataTable[Any] = DataTable(id="metrics-table", cursor_type="row")
        for key, header in zip(COLUMNS, HEADERS, strict=True):
            table.add_column(header, key=key)
        yield table
        yield Static("", id="metrics-note", classes="pane-help")

    def on_mount(self) -> None:
        super().on_mount()
        plan = self.plan if self.plan is not None else getattr(self.app, "plan", None)
        self.board = MetricsBoard.for_plan(list(getattr(plan, "metrics", []) or []))
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
        if not self._scheduled:
            self._scheduled = True
            self.set_timer(RECOMPUTE_S, self.recompute)

    def recompute(self) -> None:
        self._scheduled = False
        self.board.update(self.hub.snapshot())
        rows = []
        for i, row in enumerate(self.board.rows):
            met = row.met
            status = (
                Text("met", style="bold green")
                if met
                else Text("not met", style="yellow")
                if met is False
                else Text(row.note, style="dim")
            )
            rows.append(
                (
                    str(i),
                    (
                        row.metric.name,
                        row.metric.current,
                        row.baseline.text if row.baseline else "-",
                        row.current.text if row.current else "-",
                        row.metric.target,
                        status,
                    ),
                )
            )
        with self.app.batch_update():
            sync_table(self.query_one("#metrics-table", DataTable), rows, COLUMNS)
