"""The logs pane: follow a pod, a deployment or a selector like `kubectl logs -f`, search, pause.

Lines are collected by `cockpit.cluster.logs.LogFollower` threads into a bounded LogBuffer; the pane
writes what is new into a `Log` widget (capped with max_lines): a line that comes alone is shown at
once, and while lines flood at most DRAIN_SECONDS apart (10 times a second: a pod writing thousands
of lines a second costs ten paints a second, never a blocked screen). Pausing stops the view, not the
collection; resuming catches up from the buffer. The status line is the follower's one sentence
(`describe`: what broke, the data's age, the next try), updated as soon as a stream fails or
recovers and every second; the footer says following, stale, reconnecting or ended.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from rich.highlighter import Highlighter
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static

from cockpit.cluster.errors import ClusterError
from cockpit.cluster.logs import (
    DEFAULT_MAX_LINES,
    LogBuffer,
    LogFollower,
    LogLine,
    LogRequest,
    parse_logs_args,
)
from cockpit.ui.panes.base import LivePane
from cockpit.ui.rows import Palette
from cockpit.ui.screens.viewer import ReadOnlyText, TextViewer
from cockpit.ui.widgets.nav import NavLog as Log

if TYPE_CHECKING:  # httpx loads with the first Loki query
    from cockpit.cluster.loki import LokiFollower

SEPARATOR = " │ "
DRAIN_SECONDS = 0.1  # while lines keep coming, the view takes them at most this often


class PodLogHighlighter(Highlighter):
    """Colours the pod prefix of each line and highlights the search term."""

    def __init__(self, palette: Palette | None = None) -> None:
        self.colours: dict[str, int] = {}
        self.pattern: re.Pattern[str] | None = None
        self.palette = palette or Palette()  # the pod colours and the match highlight: the theme's

    def highlight(self, text: Text) -> None:
        plain = text.plain
        cut = plain.find(SEPARATOR)
        if cut > 0:
            colour = self.colours.get(plain[:cut])
            if colour is not None:
                series = self.palette.series
                text.stylize(series[colour % len(series)], 0, cut)
        if self.pattern is not None:
            start = cut + len(SEPARATOR) if cut > 0 else 0
            for m in self.pattern.finditer(plain, start):
                text.stylize(f"reverse bold {self.palette.warning}", m.start(), m.end())


class LinesReady(Message):
    """New lines are in the buffer (posted from a stream thread, at most one pending at a time)."""


class HealthChanged(Message):
    """A stream failed or recovered (posted from a stream thread): the status line says so now."""


class LogsPane(LivePane):
    """`f` chooses what to follow (kubectl logs arguments), `/` searches, `N` next match, `a` pauses
    and resumes, `w` reads the lines wrapped in full. (The app's own keys — o, n, space, / — keep
    their meaning here: `/` searches because it filters whatever has the focus.)"""

    WHAT = "logs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "target", "Follow…", id="logs.target"),
        Binding("slash", "start_filter", "Search logs", id="logs.search"),
        Binding("N", "next_match", "Next match", id="logs.next"),
        Binding("a", "pause", "Pause/resume", id="logs.pause"),
        Binding("w", "read_wrapped", "Read wrapped", id="logs.wrap"),
    ]

    def __init__(self, hub: Any, *, max_lines: int = DEFAULT_MAX_LINES, id: str | None = "logs-pane") -> None:
        super().__init__(hub, id=id)
        self.max_lines = max_lines
        self.buffer = LogBuffer(max_lines)
        self.follower: LogFollower | LokiFollower | None = None
        self.shown_seq = 0
        self.skipped = 0
        self._pending = False
        self.highlighter = PodLogHighlighter()
        self.matches: list[int] = []
        self.match_index = -1
        self._footer = ""

    def compose(self) -> ComposeResult:
        yield self.status_widget()
        yield Input(
            placeholder="logs of: deploy/NAME -n NS --tail=100 | POD | -l app=x | {LogQL} (with --loki-url)",
            id="logs-target",
        )
        search = Input(placeholder="search (regex)", id="logs-search")
        search.display = False
        search.disabled = True  # hidden inputs must not take the focus
        yield search
        log = Log(max_lines=self.max_lines, highlight=True, id="logs-view")
        log.highlighter = self.highlighter
        yield log
        yield Static(
            "Not following anything: press f and give a pod, deploy/NAME or -l SELECTOR.", id="logs-footer"
        )

    def on_mount(self) -> None:
        self.highlighter.palette = self.palette
        if self.hub.api is None:
            self.refresh_status()

    def retheme(self) -> None:
        self.highlighter.palette = self.palette  # lines drawn from now on take the new colours
        super().retheme()

    def on_unmount(self) -> None:
        super().on_unmount()
        if self.follower is not None:
            self.follower.stop()

    def refresh_status(self) -> None:
        if self.follower is None and self.hub.api is None:
            super().refresh_status()  # no cluster: the hub's sentence
            return
        # the follower's one sentence: the worst stream's reason, the data's age and the next try
        error = self.follower.describe() if self.follower is not None else ""
        if self._status.content != error:  # checked every second: repaint only a change
            self._status.update(error)
        self._status.display = bool(error)

    def _tick(self) -> None:
        if self.follower is not None:
            self.follower.ensure_running()  # a thread that ended (it never should) is restarted
        self.refresh_status()
        if self.follower is not None:
            self._update_footer()  # following / stale / reconnecting, as it changes

    # -- following ----------------------------------------------------------------------------------
    def follow(self, request: LogRequest | str) -> None:
        """Stop what is followed now and follow `request` (or a LogQL query) into a fresh buffer."""
        if self.follower is not None:
            self.follower.stop()
        self.buffer = LogBuffer(self.max_lines)
        self.buffer.on_lines = self._lines_arrived
        self.buffer.on_health = lambda: self.post_message(HealthChanged())
        self.shown_seq = 0
        self.skipped = 0
        self.highlighter.colours = {}
        self.query_one("#logs-view", Log).clear()
        try:
            if isinstance(request, str):
                self.follower = self.hub.follow_loki(request, self.buffer)
            else:
                self.follower = self.hub.follow_logs(request, self.buffer)
        except ClusterError as err:
            self.follower = None
            self._status.update(err.sentence)
            self._status.display = True
            return
        self.query_one("#logs-footer", Static).update(f"Following {self.follower.label}…")

    def _lines_arrived(self) -> None:  # stream threads
        if not self._pending:
            self._pending = True
            self.post_message(LinesReady())

    def on_lines_ready(self, message: LinesReady) -> None:
        message.stop()
        self.drain()
        self.set_timer(DRAIN_SECONDS, self._release)

    def on_health_changed(self, message: HealthChanged) -> None:
        message.stop()
        self.refresh_status()
        self._update_footer()

    def _release(self) -> None:
        self._pending = False
        if not self.buffer.paused and self.buffer.last_seq > self.shown_seq:
            self._lines_arrived()

    def drain(self) -> int:
        """Write the lines not shown yet; returns how many."""
        if self.buffer.paused:
            return 0
        lines = self.buffer.since(self.shown_seq)
        if lines and lines[0].seq > self.shown_seq:
            self.skipped += lines[0].seq - self.shown_seq
        if not lines:
            return 0
        self.shown_seq = lines[-1].seq + 1
        for line in lines:
            self.highlighter.colours.setdefault(line.pod, line.colour)
        multi = len(self.highlighter.colours) > 1 or (self.follower is not None and not self.follower.single)
        log = self.query_one("#logs-view", Log)
        log.write_lines([self._format(line, multi) for line in lines])
        self._update_footer()
        self.refresh_status()
        return len(lines)

    @staticmethod
    def _format(line: LogLine, multi: bool) -> str:
        return f"{line.pod}{SEPARATOR}{line.text}" if multi else line.text

    def _update_footer(self) -> None:
        follower = self.follower
        label = follower.label if follower is not None else "-"
        pods = len(follower.pods) if follower is not None else 0
        state = "PAUSED (a resumes)" if self.buffer.paused else follower.state_word() if follower else "-"
        extra = f" · {self.skipped:,} lines skipped while paused" if self.skipped else ""
        found = f" · {len(self.matches)} matches" if self.highlighter.pattern is not None else ""
        text = (
            f"{label} · {pods} pod(s) · {len(self.buffer):,} lines held (max {self.max_lines:,}) · "
            f"{state}{extra}{found}"
        )
        if text != self._footer:  # asked every second: repaint only a change
            self._footer = text
            self.query_one("#logs-footer", Static).update(text)

    def focus_view(self) -> None:
        self.query_one("#logs-view", Log).focus()

    # -- actions ------------------------------------------------------------------------------------
    def action_target(self) -> None:
        box = self.query_one("#logs-target", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#logs-target")
    def _target_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        default_ns = "default"
        if self.hub.target is not None and self.hub.target.namespace:
            default_ns = self.hub.target.namespace
        text = event.value.strip()
        try:
            request: LogRequest | str = text if text.startswith("{") else parse_logs_args(text, default_ns)
        except ValueError as exc:
            self.app.notify(str(exc), title="Logs", severity="error")
            return
        self.follow(request)
        self.query_one("#logs-view", Log).focus()

    def action_start_filter(self) -> None:
        """/ (the app's filter key) on this pane: search the lines."""
        self.action_search()

    def action_read_wrapped(self) -> None:
        """The lines held, wrapped, in a scrollable view: nothing cut at the pane's edge."""
        log = self.query_one("#logs-view", Log)
        label = self.follower.label if self.follower is not None else "logs"
        self.app.push_screen(TextViewer(f"Logs: {label}", "\n".join(log.lines) or "(no lines yet)"))
        self.app.call_after_refresh(self._viewer_to_end)

    def _viewer_to_end(self) -> None:
        if isinstance(self.app.screen, TextViewer):
            self.app.screen.query_one("#viewer-text", ReadOnlyText).action_nav_last()

    def action_search(self) -> None:
        box = self.query_one("#logs-search", Input)
        box.display = True
        box.disabled = False
        box.focus()

    @on(Input.Submitted, "#logs-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search(event.value)
        self.query_one("#logs-view", Log).focus()

    def search(self, needle: str) -> int:
        """Highlight `needle` (a regex, else literal) and jump to the newest match; returns the count."""
        log = self.query_one("#logs-view", Log)
        if not needle:
            self.highlighter.pattern = None
            self.matches = []
        else:
            try:
                pattern = re.compile(needle, re.IGNORECASE)
            except re.error:
                pattern = re.compile(re.escape(needle), re.IGNORECASE)
            self.highlighter.pattern = pattern
            self.matches = [i for i, line in enumerate(log.lines) if pattern.search(line)]
        log.notify_style_update()
        log.refresh()
        self.match_index = len(self.matches) - 1
        if self.matches:
            log.scroll_to(y=self.matches[-1], animate=False)
        self._update_footer()
        return len(self.matches)

    def action_next_match(self) -> None:
        if not self.matches:
            return
        self.match_index = (self.match_index - 1) % len(self.matches)
        self.query_one("#logs-view", Log).scroll_to(y=self.matches[self.match_index], animate=False)

    def action_pause(self) -> None:
        if self.buffer.paused:
            self.buffer.resume()
            self.query_one("#logs-view", Log).auto_scroll = True
            self.drain()
        else:
            self.buffer.pause()
            self.query_one("#logs-view", Log).auto_scroll = False
        self._update_footer()
