"""The Output pane: a list of runs (running, done, background, watch) and the tail of the chosen one.

Runs stream into `RunView.buffer` as fast as they print; the pane repaints at most 10 times a
second from a timer, so a command printing megabytes never floods the event loop.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cockpit.ui.rows import Palette
from cockpit.ui.widgets.nav import NavMixin, nav_bindings
from cockpit.ui.widgets.tail_view import TailBuffer, TailView, plain

REPAINT_SECONDS = 0.1  # a flood is repainted 10 times a second: the keys keep the rest of the loop
ERROR_WORDS = re.compile(
    r"\b(error|fatal|cannot|can't|unable|not found|denied|refused|forbidden|failed|no such)\b", re.I
)


@dataclass
class RunView:
    """One command run as the Output pane shows it."""

    key: str
    command: str
    kind: str = "run"  # run | job | watch
    state: str = "running"  # running | ok | failed | cancelled | refused
    exit_code: int | None = None
    started: float = field(default_factory=time.monotonic)
    duration: float | None = None
    iteration: int = 0  # watch: how many times it ran
    buffer: TailBuffer = field(default_factory=TailBuffer)
    side_file: str | None = None
    message: str = ""  # e.g. "command not found: kubectl"

    def elapsed(self) -> float:
        return self.duration if self.duration is not None else time.monotonic() - self.started

    def last_output_line(self, limit: int = 300) -> str:
        """The line that says why a run failed, for a toast: the last error-looking line it
        printed, else its last line (header and footer aside).

        The Output pane crops long lines to its width; kubectl's one-line error is what says why.
        """
        lines = [plain(line).strip() for line in self.buffer.visible_lines()]
        if lines and lines[0] == f"$ {self.command}".strip():
            lines = lines[1:]
        if lines and lines[-1].startswith("──"):
            lines = lines[:-1]
        printed = [line for line in lines if line]
        last = next((line for line in reversed(printed) if ERROR_WORDS.search(line)), "")
        last = last or (printed[-1] if printed else "")
        return last if len(last) <= limit else last[: limit - 1] + "…"


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


def run_row(run: RunView, palette: Palette) -> Text:
    icons = {
        "running": ("⟳", palette.accent),
        "ok": ("✓", palette.success),
        "failed": ("✗", palette.error),
        "cancelled": ("⊘", palette.warning),
        "refused": ("⊘", palette.error),
    }
    icon, style = icons.get(run.state, ("?", ""))
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(f"{icon} ", style=style)
    tag = {"job": "& ", "watch": "⟲ "}.get(run.kind, "")
    if run.exit_code is not None and run.state != "running":
        row.append(f"{run.exit_code:>3} ", style=style)
    else:
        row.append("    ")
    # a refused or declined command never ran: no duration (it used to count up from the refusal)
    took = "not run" if run.state == "refused" else format_duration(run.elapsed())
    row.append(f"{took:>7} ", style=palette.muted)
    row.append(tag + run.command)
    return row


def end_line(run: RunView, palette: Palette) -> Text:
    """The footer written under a finished run: exit code and duration."""
    style = palette.success if run.state == "ok" else palette.error
    if run.state == "cancelled":
        style = palette.warning
    parts = [run.state if run.state != "ok" else "done"]
    if run.exit_code is not None:
        parts.append(f"exit {run.exit_code}")
    parts.append(format_duration(run.elapsed()))
    if run.message and not run.message.startswith("exited with code"):
        parts.append(run.message)
    return Text(f"── {' · '.join(parts)} ──", style=f"bold {style}")


class RunList(NavMixin, OptionList):
    BINDINGS: ClassVar[list[BindingType]] = nav_bindings("runs")


class OutputPane(Vertical):
    """Run list on top, the chosen run's output below."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.runs: dict[str, RunView] = {}
        self.shown: str | None = None
        self.palette = Palette()
        self._rows_dirty = False
        self._rows: dict[str, Text] = {}  # each run's row as last shown
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        yield RunList(id="runs")
        yield TailView(id="tail")

    def on_mount(self) -> None:
        self.query_one(RunList).display = False
        # runs only while there is something to show: paused once no run is running and the last
        # change is on screen, woken by a new run or a finished one (`add_run`, `mark_dirty`)
        self._ticker = self.set_interval(REPAINT_SECONDS, self._repaint, name="output-repaint")

    def add_run(self, run: RunView, show: bool = True) -> None:
        self.runs[run.key] = run
        self._wake()
        header = Text("$ ", style="bold")
        header.append(run.command, style="bold")
        if run.kind == "job":
            header.append("  (background job)", style="dim")
        run.buffer.append_line(header)
        runs = self.query_one(RunList)
        runs.add_option(Option(run_row(run, self.palette), id=run.key))
        runs.display = True
        if show:
            self.show_run(run.key)

    def show_run(self, key: str) -> None:
        run = self.runs.get(key)
        if run is None:
            return
        self.shown = key
        runs = self.query_one(RunList)
        index = runs.get_option_index(key)
        if runs.highlighted != index:
            runs.highlighted = index
        self.query_one(TailView).show(run.buffer)
        self.border_subtitle = f"full output: {run.side_file}" if run.side_file else ""

    def mark_dirty(self) -> None:
        """A run started, ended or changed state: shown at once (its output waits for the timer)."""
        self._rows_dirty = True
        self._wake()
        if self.is_mounted:
            self._repaint()

    def _wake(self) -> None:
        if self._ticker is not None:
            self._ticker.resume()

    @property
    def shown_run(self) -> RunView | None:
        return self.runs.get(self.shown) if self.shown else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "runs":
            return
        event.stop()
        # Only the list's current highlight counts: the highlights queued while runs were added
        # (a resumed session adds them all at once) arrive later, and following them put an old
        # run back on screen over the one just started.
        if event.option_index != event.option_list.highlighted:
            return
        if event.option.id is not None and event.option.id != self.shown:
            self.show_run(event.option.id)

    def _repaint(self) -> None:
        self.query_one(TailView).sync()
        running = any(r.state == "running" for r in self.runs.values())
        if not (self._rows_dirty or running):
            if self._ticker is not None:
                self._ticker.pause()  # idle: no wake-ups 10 times a second for nothing
            return
        self._rows_dirty = False
        runs = self.query_one(RunList)
        for run in self.runs.values():
            row = run_row(run, self.palette)
            if self._rows.get(run.key) != row:  # a running row changes ten times a second, not twenty
                self._rows[run.key] = row
                runs.replace_option_prompt(run.key, row)
