"""The headline strip: one line, always in view, with the plan's success metrics live against
their targets, so the operator never switches panes to see whether the session is winning.

The figures come from the same places the panes read: the plan's metrics table bound to live
figures (`cockpit.cluster.metrics.MetricsBoard` over the hub's snapshot), certificates Ready, and
the Platform pane's service checks. A figure without data yet reads `?` (unknown), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Static

from cockpit.cluster.certs import ready_counts
from cockpit.cluster.metrics import LiveFigure, MetricsBoard
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.ui.rows import Palette

SEPARATOR = " │ "
SHORT_NAMES = {
    LiveFigure.POD_HEALTH: "Pods",
    LiveFigure.RUNNING_PODS: "Running",
    LiveFigure.PODS_NOT_RUNNING: "Not running",
    LiveFigure.ARGO_SYNCED: "Argo synced",
    LiveFigure.ARGO_HEALTHY: "Argo healthy",
    LiveFigure.CERTS_READY: "Certs",
}


@dataclass(frozen=True, slots=True)
class HeadlineItem:
    """One figure: `value` None while there is no data; `met` None when it cannot be judged."""

    name: str
    short: str
    value: str | None
    target: str
    met: bool | None


def metric_items(board: MetricsBoard, snap: ClusterSnapshot) -> list[HeadlineItem]:
    """The plan's live-computable metrics, then certificates Ready when the plan names none."""
    board.update(snap)
    items = [
        HeadlineItem(
            row.metric.name,
            SHORT_NAMES.get(row.figure, row.metric.name) if row.figure else row.metric.name,
            row.current.text if row.current is not None else None,
            row.metric.target.replace("**", "").strip(),
            row.met,
        )
        for row in board.rows
        if row.figure is not None and row.target is not None
    ]
    if not any(row.figure is LiveFigure.CERTS_READY for row in board.rows):
        if snap.certs is None:
            items.append(HeadlineItem("Certificates Ready", "Certs", None, "all", None))
        else:
            ready, total = ready_counts(snap.certs)
            value = f"{ready}/{total}"
            items.append(HeadlineItem("Certificates Ready", "Certs", value, "all", ready == total))
    return items


def check_item(checks: Iterable[Any] | None, failing: Iterable[Any] | None) -> HeadlineItem | None:
    """The Platform pane's service checks (None when it has none configured)."""
    checks = list(checks or [])
    if not checks:
        return None
    bad = len(list(failing or []))
    return HeadlineItem("Service checks", "Checks", f"{len(checks) - bad}/{len(checks)}", "all", bad == 0)


def headline_text(items: list[HeadlineItem], palette: Palette, width: int = 200, note: str = "") -> Text:
    """`Pod Health 82% → 80% ✓ │ ArgoCD Synced 7/17 → 12/17 ✗ │ …`, cut to `width`: the long form
    when everything fits, else short names without targets."""

    def render(short: bool) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if note:
            line.append(note, style=f"bold {palette.warning}")
            line.append(SEPARATOR, style=palette.muted)
        if not items:
            line.append("The plan has no success metrics the cockpit can follow live.", style=palette.muted)
            return line
        for i, item in enumerate(items):
            if i:
                line.append(SEPARATOR, style=palette.muted)
            style = palette.muted if item.met is None else palette.success if item.met else palette.error
            mark = "?" if item.value is None else "✓" if item.met else "✗" if item.met is False else "·"
            line.append(f"{item.short if short else item.name} ", style=palette.muted if short else "")
            value = "unknown" if item.value is None else item.value.split(" (")[0] if short else item.value
            line.append(value, style=f"bold {style}")
            if not short:
                line.append(f" → {item.target}", style=palette.muted)
            line.append(f" {mark}", style=style)
        return line

    full = render(short=False)
    return full if full.cell_len <= width else render(short=True)


class Headline(Static):
    """The strip itself; the app hands it the items every second."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = Palette()
        self.items: list[HeadlineItem] = []
        self.note = ""
        self._shown: Text | None = None

    def show(self, items: list[HeadlineItem], note: str = "") -> None:
        self.items = list(items)
        self.note = note
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        """Update only when the text changed: the app hands the items every second, and an idle
        screen paints nothing (tests/ui/test_idle.py)."""
        text = headline_text(self.items, self.palette, self.size.width or 200, self.note)
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)  # one line (CSS), fitted to the width: no screen layout
