"""The pods pane: health figure and totals by status, problem pods first, filters, events and logs."""

from __future__ import annotations

import heapq
import time
from collections import Counter
from functools import lru_cache
from itertools import chain
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static, TabbedContent, TabPane

from cockpit.cluster.errors import ClusterError
from cockpit.cluster.hub import ClusterHub, EventRow
from cockpit.cluster.informer import ChangeSet
from cockpit.cluster.logs import LogRequest
from cockpit.cluster.order import StableOrder
from cockpit.cluster.pods import (
    HEALTH_FORMULA,
    PodSummary,
    pod_sort_key,
    problem_rank,
    selector_matches,
    totals_of,
)
from cockpit.kubeprint import human_duration, text_stable_until, width_stable_until
from cockpit.session import actions
from cockpit.ui import heap
from cockpit.ui.panes.base import TablePane, write_bindings
from cockpit.ui.rows import Palette
from cockpit.ui.widgets.virtual_table import Cell, Column

# kubectl's order (NAMESPACE, NAME, READY, STATUS, RESTARTS, AGE), then what kubectl shows only with
# -o wide or describe (`wide`: shown only in the room left once the default columns show their
# values whole). When the pane is narrow the lowest priority goes first: NAMESPACE before anything
# kubectl prints without -A, STATUS (why a pod is a problem) only after NAME; long names are cut in
# the middle (their ends tell pods apart).
TABLE_COLUMNS = (
    Column("namespace", "NAMESPACE", priority=5, min_width=14, cut="middle"),
    Column("name", "NAME", priority=10, min_width=24, cut="middle"),
    Column("ready", "READY", priority=8, cut=None),
    Column("status", "STATUS", priority=9, cut=None),
    Column("restarts", "RESTARTS", priority=7, cut=None, align="right"),
    Column("age", "AGE", priority=6, cut=None),
    Column("last", "LAST TERMINATION", priority=3, cut=None, wide=True),
    Column("node", "NODE", priority=2, min_width=12, cut="middle", wide=True),
    Column("detail", "WHY", priority=1, min_width=24, wide=True),
)
COLUMNS = tuple(c.key for c in TABLE_COLUMNS)
HEADERS = tuple(c.header for c in TABLE_COLUMNS)
RENDER_EVERY_S = 0.2
DUE_PER_RENDER = 300  # off-screen rows whose AGE / RESTARTS width is due, per render (a few ms;
CATCH_UP_S = 0.05  # the rest in another render this soon: the loop answers keys in between)
STATUS_ROLE = {"Running": "success", "Completed": "muted", "Pending": "warning", "Terminating": "warning"}


@lru_cache(maxsize=512)
def status_text(status: str, palette: Palette) -> Text:
    """A STATUS cell in the theme's colours: anything not listed is a problem (bold, error).
    One Text per status and theme, shared by every row showing it (nothing changes a cell's Text)."""
    role = STATUS_ROLE.get(status)
    return Text(status, style=palette.style(role) if role else palette.style("error", bold=True))


class PodFilter:
    """The filter box: `ns:NAME`, `-n NAME`, `-l SELECTOR` / `l:SELECTOR`, and free text."""

    def __init__(self, text: str = "") -> None:
        self.namespace: str | None = None
        self.selector = ""
        self.words: list[str] = []
        self.error = ""
        tokens = text.split()
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok in ("-n", "-l") and i + 1 < len(tokens):
                if tok == "-n":
                    self.namespace = tokens[i + 1]
                else:
                    self.selector = tokens[i + 1]
                i += 2
                continue
            if tok.startswith(("ns:", "n:")):
                self.namespace = tok.split(":", 1)[1] or None
            elif tok.startswith("l:"):
                self.selector = tok[2:]
            else:
                self.words.append(tok)
            i += 1

    def __call__(self, pod: PodSummary) -> bool:
        if self.namespace and pod.namespace != self.namespace:
            return False
        if self.selector:
            try:
                if not selector_matches(self.selector, pod.label_map):
                    return False
            except ValueError as exc:
                self.error = str(exc)
                return False
        return all(pod.matches(w) for w in self.words)


class PodsPane(TablePane):
    """Pods of the watched scope. `f` filters, `e` shows a pod's events, `l` follows its logs,
    `D` deletes it (its controller starts a new one; through the gate)."""

    @staticmethod
    def clock() -> float:
        """The wall clock AGE and "N (Xs ago)" are told by: they age like kubectl's (tests freeze it)."""
        return time.time()

    WHAT = "pods"
    TABLE_ID = "pods-table"
    PLURAL = "pods"
    KIND = "Pod"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "start_filter", "Filter pods", id="pods.filter"),
        Binding("e", "events", "Pod events", id="pods.events"),
        Binding("l", "logs", "Pod logs", id="pods.logs"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="pods.clear_filter"),
        *write_bindings("D", "delete_pod", "Delete pod", id="pods.delete"),
    ]
    WRITES = frozenset({"delete_pod"})

    class FollowLogs(Message):
        """Asks the logs pane to follow a pod."""

        def __init__(self, namespace: str, pod: str) -> None:
            super().__init__()
            # not `namespace`: Message.namespace is Textual's class-level handler-name prefix
            self.pod_namespace = namespace
            self.pod = pod

    def __init__(
        self, hub: ClusterHub, *, namespace: str | None = None, id: str | None = "pods-pane"
    ) -> None:
        super().__init__(hub, id=id)
        self._render_pending = False
        self._last_render = 0.0
        self._listed = False  # a whole list has arrived (the first one renders without waiting)
        # rows move only when their problem rank changes: a restart does not reorder the table
        self.order: StableOrder[PodSummary] = StableOrder(pod_sort_key, lambda p: problem_rank(p.status))
        # a pod's cells while the pod, its AGE text and the theme are unchanged
        self._cells: dict[str, tuple[PodSummary, float, tuple[Cell, ...], Palette]] = {}
        # what changed since the last render, so a render costs what changed, not 10k rows:
        self._dirty: set[str] = set()  # pods changed
        self._moved = False  # the order changed (a pod came, went, or its problem rank changed)
        self._redraw = True  # every row again (first render, first list, filter, theme)
        # heap of (when a pod's AGE or RESTARTS *width* changes, uid): rows off screen are redrawn
        # then (the columns' widths stay kubectl's); rows on screen each time their text changes
        self._due: list[tuple[float, str]] = []
        self._by_status: Counter[str] = Counter()  # pods by STATUS, kept as batches arrive
        self._summary_shown: Text | None = None
        self.filter = PodFilter(f"-n {namespace}" if namespace else "")
        self.initial_filter = f"-n {namespace}" if namespace else ""

    def compose(self) -> ComposeResult:
        yield self.status_widget()
        yield Static("", id="pods-summary", classes="pane-summary")
        yield Static(HEALTH_FORMULA, id="pods-formula", classes="pane-help")
        box = Input(self.initial_filter, placeholder="filter: text, -n NAMESPACE, -l app=x", id="pods-filter")
        box.display = bool(self.initial_filter)
        box.disabled = not self.initial_filter  # hidden inputs must not take the focus
        yield box
        yield self.row_table(TABLE_COLUMNS)
        yield Static("", id="pods-events", classes="pane-detail")

    def on_mount(self) -> None:
        self.query_one("#pods-events", Static).display = False
        self.watch_informer(self.hub.pods())

    def batch_coming(self, batch: ChangeSet[PodSummary]) -> None:
        if not batch.reset:  # count the pods it replaces out (`batch_taken` counts the new ones in)
            rows, counts = self.rows, self._by_status
            for key in chain(batch.deletes, batch.upserts):
                if (old := rows.get(key)) is not None:
                    counts[old.status] -= 1

    def batch_taken(self, batch: ChangeSet[PodSummary]) -> None:
        first_list = batch.health.synced and not self._listed
        self._listed = self._listed or batch.health.synced
        if batch.reset:
            self._by_status = Counter(p.status for p in self.rows.values())
        else:
            for pod in batch.upserts.values():
                self._by_status[pod.status] += 1
        if batch.reset or not self.order:  # a first list sorts at once (the same order, ~2x faster)
            self.order.reset(self.rows)
            self._redraw = True
        else:
            if self.order.apply(batch.upserts, batch.deletes):
                self._moved = True
            self._dirty.update(batch.upserts)
            for key in batch.deletes:  # a deleted pod's cells go now, not at the next prune
                self._cells.pop(key, None)
        if first_list:  # what the operator waits for at start: never held back by the throttle
            self.request_render()
            return
        self._schedule_render()

    def _schedule_render(self, wait: float | None = None) -> None:
        """Render at most RENDER_EVERY_S apart, however fast pods change (or after `wait`); the
        first change after a quiet spell shows at once."""
        if self._render_pending:
            return
        if wait is None:
            wait = self._last_render + RENDER_EVERY_S - time.monotonic()
        if wait <= 0:
            self.request_render()
            return
        self._render_pending = True
        self.set_timer(wait, self._render_due)

    def shown_pods(self) -> list[PodSummary]:
        """The pods the table shows, in its order (problem pods first, see `StableOrder`)."""
        return [self.rows[k] for k in self._visible_keys()]

    def _visible_keys(self) -> list[str]:
        if not self._filtering:
            return self.order.keys
        rows, keep = self.rows, self.filter
        return [k for k in self.order.keys if keep(rows[k])]

    def _render_due(self) -> None:
        self._render_pending = False
        self.request_render()

    def _row(self, key: str, now: float, palette: Palette) -> tuple[Cell, ...]:
        """A pod's cells, reused while the pod and its AGE text are unchanged."""
        p = self.rows[key]
        cached = self._cells.get(key)
        if cached is not None and cached[0] is p and now < cached[1] and cached[3] is palette:
            return cached[2]
        cells: tuple[Cell, ...] = (
            p.namespace,
            p.name,
            p.ready,
            status_text(p.status, palette),
            p.restarts_text(now),
            p.age(now),
            p.last_termination,
            p.node,
            p.detail[:120],
        )
        until = min(text_stable_until(p.created, now), text_stable_until(p.last_restart, now))
        self._cells[key] = (p, until, cells, palette)
        if until - now > 1.0:  # minutes or coarser (past 10 minutes): the width changes with the text
            width_until = until
        else:
            width_until = min(width_stable_until(p.created, now), width_stable_until(p.last_restart, now))
        if width_until != float("inf"):
            heapq.heappush(self._due, (width_until, key))
        return cells

    def _changed_row(self, key: str, now: float, palette: Palette, out: dict[str, tuple[Cell, ...]]) -> None:
        """Put a pod's cells in `out` when they differ from the ones last drawn."""
        if key not in self.rows:
            return
        cached = self._cells.get(key)
        cells = self._row(key, now, palette)
        if cached is None or (cells is not cached[2] and cells != cached[2]):
            out[key] = cells

    @property
    def _filtering(self) -> bool:
        return bool(self.filter.namespace or self.filter.selector or self.filter.words)

    def render_rows(self) -> None:
        self._last_render = time.monotonic()
        filtering = self._filtering
        keys = self._visible_keys()
        t = totals_of(self._by_status)
        by_status = " · ".join(f"{s} {n}" for s, n in t.by_status.items())
        scope = ""
        if filtering:
            scope = f"  [{len(keys)} matching]"
        informer = self.hub.pods()
        if informer is not None and informer.scope_note:
            scope += f"  [{informer.scope_note}]"
        known = self.health is not None and self.health.synced  # no list yet: unknown, never "0%"
        health = t.health_text if known else "unknown (no pod list yet)"
        summary = Text.assemble(("Pod health ", "bold"), (health, "bold"), f"   {by_status}{scope}")
        if summary != self._summary_shown:
            self._summary_shown = summary
            box = self.query_one("#pods-summary", Static)
            box.update(summary, layout=False)  # new counts: a screen layout only if it changed height
            width, height = box.content_size
            if not width or box.get_content_height(box.container_size, self.app.size, width) != height:
                box.refresh(layout=True)
        now = self.clock()
        palette = self.palette
        if filtering or self._redraw:  # every row shown, compared by the table
            self.show_rows([(k, self._row(k, now, palette)) for k in keys])
        else:  # only what changed: pods in the batches, AGE / RESTARTS texts due on screen, widths due
            changed: dict[str, tuple[Cell, ...]] = {}
            for key in self._dirty:
                self._changed_row(key, now, palette, changed)
            for key in self.table().visible_keys():
                self._changed_row(key, now, palette, changed)
            due, budget = self._due, DUE_PER_RENDER
            while due and due[0][0] <= now and budget:
                self._changed_row(heapq.heappop(due)[1], now, palette, changed)
                budget -= 1
            self.table().patch(changed, list(keys) if self._moved else None)
        self._dirty.clear()
        self._moved = self._redraw = False
        if self._due and self._due[0][0] <= now:  # widths still owed off screen: soon, in slices
            self._schedule_render(CATCH_UP_S)
        if known and heap.STARTUP.held:  # the first whole list is on screen: start-up is over
            self.call_after_refresh(heap.STARTUP.settle)
        if len(self._cells) > 2 * len(self.rows) + 64:  # forget deleted pods' cells now and then
            self._cells = {k: v for k, v in self._cells.items() if k in self.rows}
        if len(self._due) > 4 * len(self.rows) + 1024:  # and the heap's entries of replaced rows
            self._due = [(c[1], k) for k, c in self._cells.items() if c[1] != float("inf")]
            heapq.heapify(self._due)

    def _text_due(self, now: float) -> bool:
        """Whether a text on screen or a width off screen changed since the last render."""
        if self._due and self._due[0][0] <= now:
            return True
        cells = self._cells
        return any(k in cells and cells[k][1] <= now for k in self.table().visible_keys())

    def retheme(self) -> None:
        self._redraw = True  # every row's STATUS colour changes
        super().retheme()

    def _tick(self) -> None:
        super()._tick()
        # AGE and "N (Xs ago)" age with the clock, as kubectl's do: redraw (the changed cells only)
        # when the first of them shown is due, and not at all while none is
        if self.is_on_screen and self._text_due(self.clock()):
            self.request_render()

    def action_start_filter(self) -> None:
        """/ (the app's filter key) on this pane: the filter box under the summary."""
        box = self.query_one("#pods-filter", Input)
        box.display = True
        box.disabled = False
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#pods-filter", Input)
        box.value = ""
        box.display = False
        box.disabled = True
        self.query_one("#pods-events", Static).display = False
        self.table().focus()

    @on(Input.Changed, "#pods-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter = PodFilter(event.value)
        self._redraw = True
        self.request_render()

    @on(Input.Submitted, "#pods-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.table().focus()

    def action_events(self) -> None:
        pod = self.selected()
        if pod is None or self.hub.api is None:
            return
        panel = self.query_one("#pods-events", Static)
        panel.display = True
        panel.update(f"Events of {pod.namespace}/{pod.name}: loading…")
        self._load_events(pod.namespace, pod.name)

    @work(thread=True, exclusive=True, group="pod-events", exit_on_error=False, description="pod events")
    def _load_events(self, namespace: str, name: str) -> None:
        try:
            events = self.hub.pod_events(namespace, name)
            text = format_events(namespace, name, events, self.palette)
        except ClusterError as err:
            text = Text(f"Events of {namespace}/{name}: {err.sentence}", style=self.palette.error)
        self.app.call_from_thread(self.query_one("#pods-events", Static).update, text)

    def action_delete_pod(self) -> None:
        if (pod := self.selected()) is not None:
            self.request_write(actions.delete_pod(pod.namespace, pod.name))

    def action_logs(self) -> None:
        """Follow the selected pod in the logs pane and show that tab (or ask whoever listens)."""
        pod = self.selected()
        if pod is None:
            return
        from cockpit.ui.panes.logs import LogsPane

        found = self.app.query(LogsPane)
        if not found:
            self.post_message(self.FollowLogs(pod.namespace, pod.name))
            return
        logs = found.first()
        logs.follow(LogRequest(pod.namespace, pod=pod.name))
        tab = next((a for a in logs.ancestors if isinstance(a, TabPane)), None)
        tabs = next((a for a in logs.ancestors if isinstance(a, TabbedContent)), None)
        if tab is not None and tabs is not None and tab.id:
            tabs.active = tab.id
        logs.focus_view()


def format_events(namespace: str, name: str, events: list[EventRow], palette: Palette) -> Text:
    out = Text(f"Events of {namespace}/{name}", style="bold")
    if not events:
        out.append("\n  none (events expire after an hour)", style="dim")
    now = time.time()
    for ev in events[-12:]:
        age = human_duration(now - ev.last_seen) if ev.last_seen else "?"
        style = palette.warning if ev.type == "Warning" else ""
        count = f" (x{ev.count})" if ev.count > 1 else ""
        out.append(f"\n  {age:>5} {ev.type:<7} {ev.reason:<18} {ev.message}{count}", style=style)
    return out
