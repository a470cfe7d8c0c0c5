"""The cockpit app: plan checklist, task detail, command output, live panes, status bar.

The app shows state and sends intents. Timing, journaling and transcripts live in
`cockpit.session`; running and classifying commands in `cockpit.runner` (through `RunControl`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.widget import Widget
from textual.widgets import Input, OptionList, TabbedContent, TabPane, Tabs, Tree
from textual.worker import Worker, WorkerState

from cockpit.cluster.metrics import MetricsBoard
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.logsetup import configured_file, log_failure
from cockpit.paths import private_dir, write_private
from cockpit.plan.model import Command, Node, NodeKind, Plan
from cockpit.session.actions import PaneAction
from cockpit.session.engine import Session
from cockpit.session.export import export
from cockpit.session.feed import SESSION_ERRORS
from cockpit.session.gate import Gate
from cockpit.session.state import TaskState
from cockpit.session.target import KubeTarget
from cockpit.ui import heap, presenters
from cockpit.ui.palette import TaskCommands
from cockpit.ui.rows import Palette, RowState, palette_from_variables
from cockpit.ui.run_control import RunControl
from cockpit.ui.screens.dialogs import ConfirmScreen, QuitScreen, TextPrompt
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.task_checks import CheckLine, TaskChecks
from cockpit.ui.themes import DEFAULT_THEME, all_themes, save_theme
from cockpit.ui.widgets.footer import KeyFooter
from cockpit.ui.widgets.headline import Headline, check_item, metric_items
from cockpit.ui.widgets.live_area import LiveArea
from cockpit.ui.widgets.output_pane import OutputPane, RunList, RunView
from cockpit.ui.widgets.plan_tree import PlanTree
from cockpit.ui.widgets.status_bar import StatusBar, StatusInfo
from cockpit.ui.widgets.task_detail import CommandList, StepList, TaskDetail

if TYPE_CHECKING:
    from cockpit.ui.panes.base import GateRequest

ZOOMABLE = ("plan", "task", "output", "live-panes")
JUMPS: tuple[tuple[str, str], ...] = (
    ("pods", "live-pods"),
    ("argo", "live-argocd"),
    ("argocd", "live-argocd"),
    ("apps", "live-argocd"),
    ("certs", "live-certificates"),
    ("certificates", "live-certificates"),
    ("logs", "live-logs"),
    ("metrics", "live-metrics"),
    ("platform", "live-platform"),
    ("plan", "plan"),
    ("task", "task"),
    ("commands", "task"),
    ("output", "output"),
)
HOLD_SECONDS = 1.0  # keys typed while a dialog opens wait for it at most this long
WIDE_COLUMNS = 140  # from here the live panes stand beside the plan and the work, full height
TALL_ROWS = 40


def live_pane_bindings(read_only: bool = False) -> list[tuple[str, list[Any]]]:
    """The live panes' own keys (they work while the pane has focus), for the help screen. A key
    that changes the cluster is listed as itself, or, in a read-only session, as its disabled twin."""
    from cockpit.ui.panes import ArgoPane, CertsPane, LogsPane, MetricsPane, PodsPane
    from cockpit.ui.panes.base import READ_ONLY_ACTION

    panes: list[tuple[str, type[Any]]] = [
        ("Pods pane", PodsPane),
        ("ArgoCD pane", ArgoPane),
        ("Certificates pane", CertsPane),
        ("Logs pane", LogsPane),
        ("Metrics pane", MetricsPane),
    ]
    try:
        from cockpit.ui.panes.platform import PlatformPane
    except ImportError:  # the Platform pane is optional
        pass
    else:
        panes.append(("Platform pane", PlatformPane))

    def listed(pane: type[Any]) -> list[Any]:
        writes: frozenset[str] = getattr(pane, "WRITES", frozenset())
        keep: list[Any] = []
        for binding in own_and_inherited_bindings(pane):
            if isinstance(binding, Binding) and binding.action.startswith(READ_ONLY_ACTION):
                if read_only:
                    keep.append(binding)
            elif not (read_only and isinstance(binding, Binding) and binding.action in writes):
                keep.append(binding)
        return keep

    return [(title, listed(pane)) for title, pane in panes]


def own_and_inherited_bindings(widget: type[Any]) -> list[Any]:
    """A pane's keys with those it inherits (d and y come from the table panes' base), minus the
    stock widgets' own."""
    found: list[Any] = []
    for cls in reversed(widget.__mro__):
        if cls.__module__.startswith("cockpit."):
            found.extend(cls.__dict__.get("BINDINGS", []))
    return found


class NoteRecorded(Message):
    """A note was journaled on the session feed's thread (`error`: why it was not)."""

    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class MainScreen(Screen[None]):
    """The main screen. A focus change restyles and repaints the widgets it changes (the panes'
    focus borders, the focused widget's tint); Textual's screen also repaints the whole screen for
    it, which made each tab between panes a full-screen render."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


class CockpitApp(App[int]):
    """Build it with `cockpit.ui.launch.build_app` (the CLI and the tests share that factory)."""

    CSS_PATH = "cockpit.tcss"
    TITLE = "cockpit"
    COMMANDS: ClassVar = App.COMMANDS | {TaskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "request_quit", "Quit", id="app.quit"),
        Binding("s", "save", "Save transcript", id="app.save"),
        Binding("n", "note", "Note", id="app.note"),
        Binding("p", "pause", "Pause/resume clock", id="app.pause"),
        Binding("c", "cancel_run", "Cancel run", id="app.cancel"),
        Binding("exclamation_mark", "command_line", "Run a command", show=False, id="app.command_line"),
        Binding("space", "tick_current", "Tick the task on screen", show=False, id="app.tick"),
        Binding("slash", "filter", "Filter plan / focused table", id="app.filter"),
        Binding("z", "zoom", "Maximize/restore", id="app.zoom"),
        Binding("escape", "restore", "Restore", show=False, priority=True, id="app.restore"),
        Binding("colon", "jump", "Go to pane", show=False, id="app.jump"),
        Binding("L", "toggle_live", "Live panes", id="app.live"),
        Binding("right_square_bracket", "live_tab(1)", "Next live pane", show=False, id="app.live_next"),
        Binding("left_square_bracket", "live_tab(-1)", "Previous live pane", show=False, id="app.live_prev"),
        Binding("t", "focus_plan", "Plan", show=False, id="app.focus_plan"),
        Binding("o", "focus_output", "Output", show=False, id="app.focus_output"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.next_pane"),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="app.previous_pane"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette"),
    ]

    def __init__(
        self,
        plan: Plan,
        session: Session,
        target: KubeTarget,
        *,
        cluster_hub: Any = None,
        theme: str | None = None,
        warnings: list[str] | None = None,
        owned: list[Any] | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        # the session clock's tick, once a second: the live panes tick with it (`cockpit.ui.clock`)
        self.clock_signal: Signal[float] = Signal(self, "session-clock")
        self.keymap_overrides = dict(keymap or {})  # binding id -> keys, from the config file
        self.owned = list(owned or [])  # things to .stop() when the app ends (cluster hub, sandbox)
        self.plan = plan
        self.session = session
        self.target = target
        self.cluster_hub = cluster_hub
        self.startup_warnings = list(warnings or [])
        self.palette = Palette()
        self.runs = RunControl(self, session, target)
        self.task_checks = TaskChecks(cluster_hub)
        self.check_line: CheckLine | None = None  # the task on screen's live check, if it has one
        self.current: Node | None = None
        self._task_view_due = False  # the plan cursor moved: the task view shows `current` next frame
        self.saved_transcript: Path | None = None
        self.saved_journal_bytes = 0  # the journal's size when the transcript was last written
        self._theme_name = theme or DEFAULT_THEME
        house_and_own, theme_problems = all_themes()
        for custom in house_and_own:
            self.register_theme(custom)
        self.startup_warnings += theme_problems
        self._theme_set_early = self._set_theme_before_styling(self._theme_name)
        self._journal_problem = ""
        self.closing = False  # set once the session is ending: late process exits only journal
        self._active_seen: Node | None = None  # the active task the screen last showed
        self.notices: deque[str] = deque(maxlen=200)  # every notification shown, newest last
        self.zoomed: Any = None  # the maximized pane, if one is
        self.metrics_board = MetricsBoard.for_plan(list(plan.metrics))
        self._held_keys: list[events.Key] = []  # type-ahead waiting for a dialog that is opening
        self._dialog_expected_until = 0.0  # a dialog is about to open (an edit was asked for)
        self._top_screen: Any = None
        self._top_screen_since = 0.0

    def notify(
        self, message: str, *, title: str = "", severity: SeverityLevel = "information", **kw: Any
    ) -> None:
        """Show a toast and keep it in `notices` (the operator's recent messages)."""
        self.notices.append(f"{title}: {message}" if title else message)
        super().notify(message, title=title, severity=severity, **kw)

    # ---- type-ahead -------------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys typed while a dialog or the palette is opening wait for it and go to it, in order,
        instead of to the screen underneath (a `k` lost to the command list left `ubectl`)."""
        if isinstance(event, events.Key) and not event.is_forwarded and self._holding_keys():
            self._held_keys.append(event)
            if len(self._held_keys) == 1:
                self.set_timer(0.02, self._release_keys)
            return
        await super().on_event(event)

    def expect_dialog(self) -> None:
        """A dialog will open shortly (an edit prompt, a confirmation): hold the keys until it has."""
        self._dialog_expected_until = time.monotonic() + HOLD_SECONDS

    def dialog_not_coming(self) -> None:
        self._dialog_expected_until = 0.0

    def _dialog_opening(self) -> bool:
        now = time.monotonic()
        screen = self.screen
        if screen is not self._top_screen:
            self._top_screen, self._top_screen_since = screen, now
        if isinstance(screen, ModalScreen):
            self._dialog_expected_until = 0.0
            return screen.focused is None and now - self._top_screen_since < HOLD_SECONDS
        return now < self._dialog_expected_until

    def _holding_keys(self) -> bool:
        return bool(self._held_keys) or self._dialog_opening()

    def _release_keys(self) -> None:
        if self._dialog_opening():
            self.set_timer(0.02, self._release_keys)
            return
        held, self._held_keys = self._held_keys, []
        for key in held:
            self.post_message(events.Key(key.key, key.character))

    # ---- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._apply_size_classes()  # before the panes are styled: a class change restyles them all
        yield Headline(id="headline")
        with Horizontal(id="main"):
            tree = PlanTree(id="plan")
            tree.border_title = "Plan"
            yield tree.add_class("pane")
            with Vertical(id="work", classes="pane"):
                detail = TaskDetail(id="task")
                detail.border_title = "Task"
                yield detail.add_class("pane")
                output = OutputPane(id="output")
                output.border_title = "Output"
                yield output.add_class("pane")
            live = LiveArea(self.cluster_hub, self.target.problem, plan=self.plan, id="live-panes")
            live.border_title = "Live"
            yield live.add_class("pane")
        yield StatusBar(id="status")
        yield KeyFooter()

    def _set_theme_before_styling(self, name: str) -> bool:
        """Put `name` in force before the stylesheet is read, so the first styling pass already has
        its colours (setting `theme` once mounted restyles every widget again: ~30 ms of each start).
        Only a theme as dark as Textual's default: a light one also needs the ANSI colour filter
        rebuilt, which only the theme watcher does (on mount)."""
        theme = self.get_theme(name)
        if theme is None or theme.dark != self.current_theme.dark:
            return False
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())
        self.update_classes(
            {**{c: False for c in self.classes if c.startswith("-theme-")}, f"-theme-{name}": True},
            update=False,
        )
        return True

    def get_default_screen(self) -> Screen:
        return MainScreen(id="_default")

    def on_load(self) -> None:
        heap.STARTUP.hold()  # no collector passes while the screen is built and the pods listed

    def on_mount(self) -> None:
        # the pods pane settles the heap once it shows its first whole list; without one, the
        # first screen is all there is to wait for
        if getattr(self.cluster_hub, "api", None) is None:
            self.call_after_refresh(heap.STARTUP.settle)
        self.set_timer(heap.SETTLE_AFTER_S, heap.STARTUP.settle)
        if self._theme_set_early:
            pass  # in force since __init__
        elif self._theme_name in self.available_themes:
            self.theme = self._theme_name
        else:
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else self.theme
            self.theme = fallback
            self.notify(f"Unknown theme {self._theme_name!r}; using {fallback}.", severity="warning")
        # from here on, a theme picked in the palette is the one the next session opens in
        self.theme_changed_signal.subscribe(self, lambda theme: save_theme(theme.name))
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        self._apply_palette()
        self.theme_changed_signal.subscribe(self, lambda _theme: self._repaint_with_theme())
        tree = self.query_one(PlanTree)
        tree.load(self.plan, self.row_state)
        self._apply_size_classes()
        resumed = self.session.state.last_touched is not None
        start = self.session.active_task or self._last_touched_open() or self.session.next_open_task()
        start = start or self._first_task()
        if resumed and start is not None and self.session.active_task is None and not self.session.ended:
            self.activate(start)  # a resumed session carries on with the task it stood on
        self.runs.restore(self.session.runs())
        if start is not None:
            self.show_node(start)
            self.call_after_refresh(tree.focus_node, start)
        tree.focus()
        for warning in self.startup_warnings + list(self.session.warnings):
            self.notify(warning, severity="warning", timeout=10)
        if self.target.sandbox and self.session.runs():
            self.notify(
                "The sandbox is a fresh cluster at every launch: what this session's earlier commands"
                " changed in it (deleted jobs, patches, refreshes) is gone. Run them again to carry on.",
                title="Resumed on a new sandbox",
                severity="warning",
                timeout=15,
            )
        self.set_interval(1.0, self.tick_clock, name="session-clock")
        self.refresh_status()
        self.refresh_headline()

    async def on_unmount(self) -> None:
        """However the app ends (q, ctrl+c, a crash), leave no command running behind it."""
        self.closing = True
        heap.STARTUP.settle()
        await self.runs.stop_all()
        self.runs.feed.stop()
        self.session.close()
        for thing in self.owned:
            await asyncio.to_thread(thing.stop)

    def _apply_palette(self) -> None:
        # the theme's colours for the Rich labels (which cannot read $variables)
        self.palette = palette_from_variables(self.theme_variables)
        self.query_one(PlanTree).palette = self.palette
        self.query_one(OutputPane).palette = self.palette
        self.query_one(StatusBar).palette = self.palette
        self.query_one(Headline).palette = self.palette

    def _repaint_with_theme(self) -> None:
        """A theme picked from the palette recolours the rows and the status line at once."""
        self._apply_palette()
        self.refresh_rows()
        self.refresh_status()
        self.refresh_headline()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_size_classes(event.size)

    def _apply_size_classes(self, size: Size | None = None) -> None:
        """The layout follows the size the terminal has now (the event's, not `self.size`, which
        can still hold the previous one while a resize is being handled). The classes sit on the
        app, so a dialog open during the resize does not keep the screen under it in the old layout."""
        width, height = size if size is not None else self.size
        wide = width >= WIDE_COLUMNS
        self.set_class(wide, "-wide")
        if wide:
            self.remove_class("-show-live")
        self.set_class(height >= TALL_ROWS, "-tall")

    def _last_touched_open(self) -> Node | None:
        """On resume: the task the operator was on, if it is still open."""
        touched = self.session.state.last_touched
        if touched and self.session.state_of(touched).is_open:
            return self.plan.find(touched)
        return None

    def _first_task(self) -> Node | None:
        tasks = self.plan.tasks()
        return tasks[0] if tasks else None

    # ---- state handed down ----------------------------------------------------------------------

    def row_state(self, node: Node) -> RowState:
        return presenters.row_state(self.session, node)

    def show_node(self, node: Node) -> None:
        self.current = node
        self._task_view_due = False
        task = node.kind is NodeKind.TASK
        self.query_one(TaskDetail).show_node(
            node,
            status=self.session.state_of(node.id).value if task else node.kind.value,
            steps_done=self.session.steps_done(node.id) if task else set(),
            notes=[n.text for n in self.session.notes(node.id if task else None)],
            describe=self.describe_command,
            usual=self.session.learned().get(node.id) if task else None,
        )
        self.refresh_check()

    def refresh_check(self) -> None:
        """Re-evaluate the live check of the task on screen (on selection and every second)."""
        node = self.current
        line = None
        if node is not None and node.kind is NodeKind.TASK:
            line = self.task_checks.line_for(node, self.session)
        open_task = node is not None and self.session.state_of(node.id).is_open
        self.check_line = line
        try:
            self.query_one(TaskDetail).show_check(line, open_task=open_task)
        except NoMatches:  # torn down
            return

    @property
    def check_passed(self) -> bool:
        """The task on screen is open and its live check is true: the palette offers its tick."""
        node = self.current
        return (
            node is not None
            and self.check_line is not None
            and self.check_line.passed is True
            and self.session.state_of(node.id).is_open
        )

    def describe_command(self, command: Command) -> str:
        return presenters.command_tags(command, self.target.read_only)

    def status_info(self) -> StatusInfo:
        return presenters.status_info(
            self.session, self.target, self.runs.running_count(), self.cluster_hub, self.zoomed is not None
        )

    def refresh_status(self) -> None:
        try:
            bar = self.query_one(StatusBar)
        except NoMatches:  # the screen is being torn down: a last timer tick
            return
        bar.show(self.status_info())

    def refresh_headline(self) -> None:
        """The plan's success metrics, live against their targets (every second)."""
        try:
            headline = self.query_one(Headline)
        except NoMatches:
            return
        hub = self.cluster_hub
        snapshot = getattr(hub, "snapshot", None)
        snap = snapshot() if callable(snapshot) else ClusterSnapshot()
        items = metric_items(self.metrics_board, snap)
        try:  # query_one, not query: its answer is cached while the screen's widgets stay the same
            platform: Any = self.query_one("PlatformPane")
        except NoMatches:
            platform = None
        if platform is not None:
            shown = getattr(platform, "snapshot", None)
            item = check_item(getattr(shown, "checks", None), getattr(shown, "failing_checks", None))
            if item is not None:
                items.append(item)
        note = "" if hub is not None else "no cluster"
        headline.show(items, note)

    def refresh_rows(self, node: Node | None = None) -> None:
        """Repaint a task's row and its ancestors (every row when None)."""
        tree = self.query_one(PlanTree)
        if node is None:
            tree.refresh_rows()
            return
        chain = [node]
        parent = self.plan.parent_of(node.id)
        while parent is not None:
            chain.append(parent)
            parent = self.plan.parent_of(parent.id)
        tree.refresh_rows(chain)

    def tick_clock(self) -> None:
        """Once a second: timers, the active row's bar, overrun notices, a journal checkpoint."""
        if self.closing:
            return
        self.clock_signal.publish(time.time())  # the panes' ages change in this same frame
        try:
            self.query_one(PlanTree)  # (cached) the plan's screen is the one shown and not torn down
        except NoMatches:
            return
        active = self.session.active_task
        if active is not None and not self.session.paused:
            self.refresh_rows(active)
        self.refresh_check()
        self.refresh_headline()
        try:
            for node in self.session.poll_overruns():
                box = node.timebox.text if node.timebox is not None and node.timebox.text else "its time box"
                self.notify(f"{node.title} is over {box}.", title="Over time", severity="warning", timeout=10)
            if self.session.checkpoint_due():  # its fsync (10+ ms on a busy disk) off the UI thread
                self.run_worker(self._checkpoint, thread=True, group="checkpoint", exclusive=True)
        except SESSION_ERRORS as exc:
            self._journal_failed(exc)
        self.refresh_status()

    def _checkpoint(self) -> None:
        """(worker thread) The session's checkpoint; a journal that cannot be written is said."""
        try:
            self.session.checkpoint()
        except SESSION_ERRORS as exc:
            with contextlib.suppress(RuntimeError):  # the app stopped meanwhile: nothing to tell
                self.call_from_thread(self._journal_failed, exc)

    def _journal_failed(self, exc: Exception) -> None:
        if str(exc) != self._journal_problem:  # say it once, not every second
            self._journal_problem = str(exc)
            self.notify(str(exc), title="Journal", severity="error", timeout=15)

    # ---- plan intents -----------------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#plan")
    def _highlighted(self, event: Tree.NodeHighlighted[Node]) -> None:
        """The plan cursor moved: the moved cursor is painted first, the task view fills the frame
        after (a key held down fills it once for where the cursor stops, not for every task passed).
        What the keys act on (`current`) follows the cursor at once."""
        if event.node.data is None:
            return
        self.current = event.node.data
        if not self._task_view_due:
            self._task_view_due = True
            self.call_after_refresh(self._fill_task_view)

    def _fill_task_view(self) -> None:
        if not self._task_view_due or self.current is None:
            return  # shown meanwhile (show_node)
        try:
            self.show_node(self.current)
        except NoMatches:  # the tree's first highlight can arrive while a quick exit tears the screen down
            return

    @on(Tree.NodeSelected, "#plan")
    def _selected(self, event: Tree.NodeSelected[Node]) -> None:
        node = event.node.data
        if node is None:
            return
        if node.kind is not NodeKind.TASK:
            event.node.toggle()
            return
        self.activate(node)
        # narrow screen with the live panes swapped in: the task and its commands come back, or
        # enter would start a task the operator cannot see, its commands hidden and unfocusable
        self.remove_class("-show-live")
        commands = self.query_one(CommandList)
        steps = self.query_one(StepList)
        if commands.commands:
            commands.focus()
        elif node.manual_steps:
            steps.focus()

    def activate(self, node: Node) -> None:
        previous = self.session.active_task
        try:
            self.session.activate(node.id)
        except SESSION_ERRORS as exc:
            self.notify(str(exc), severity="error")
            return
        self._active_seen = node
        if previous is not None:
            self.refresh_rows(previous)
        self.refresh_rows(node)
        self.show_node(node)
        self.refresh_status()

    @on(PlanTree.TickRequested)
    def _tick(self, event: PlanTree.TickRequested) -> None:
        node = event.node
        if node.kind is not NodeKind.TASK:
            self.notify("Tick tasks, not phases: open it and tick its tasks.", severity="warning")
            return
        try:
            if self.session.state_of(node.id) in (TaskState.DONE, TaskState.SKIPPED):
                self.session.untick(node.id)
                self.refresh_rows(node)
                self.show_node(node)
                self.refresh_status()
                return
            self.session.tick(node.id)
        except SESSION_ERRORS as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_rows(node)
        self.move_to_next_open()

    def action_tick_current(self) -> None:
        """space outside the plan (commands, output, live panes): tick the task on screen, after a
        confirmation, so a space meant for something else never ticks a task."""
        node = self.current
        if node is None or node.kind is not NodeKind.TASK:
            return
        done = self.session.state_of(node.id) in (TaskState.DONE, TaskState.SKIPPED)
        verb = "Reopen" if done else "Tick"

        def answered(yes: bool | None) -> None:
            if yes and self.current is node:
                self.post_message(PlanTree.TickRequested(node))

        self.push_screen(
            ConfirmScreen(
                f"{verb} {node.title}?", f"{verb} the task on screen: {node.title}", yes=verb, danger=False
            ),
            answered,
        )

    @on(PlanTree.SkipRequested)
    def _skip(self, event: PlanTree.SkipRequested) -> None:
        node = event.node
        if node.kind is not NodeKind.TASK:
            return
        try:
            self.session.skip(node.id)
        except SESSION_ERRORS as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_rows(node)
        self.move_to_next_open()

    def move_to_next_open(self) -> None:
        nxt = self.session.next_open_task()
        if nxt is None:
            self.notify("Every task is done or skipped.", title="Plan complete")
            self.refresh_status()
            if self.current is not None:
                self.show_node(self.current)
            return
        tree = self.query_one(PlanTree)
        tree.focus_node(nxt)
        focused = self.focused
        # the list that has focus is hidden when the next task has no commands (or steps): nothing
        # would take the keys then, so the plan does
        if (isinstance(focused, CommandList) and not nxt.commands) or (
            isinstance(focused, StepList) and not nxt.manual_steps
        ):
            tree.focus()
        self.activate(nxt)

    @on(TaskDetail.StepToggled)
    def _step(self, event: TaskDetail.StepToggled) -> None:
        try:
            if event.done:
                self.session.tick_step(event.node.id, event.index)
            else:
                self.session.untick_step(event.node.id, event.index)
        except SESSION_ERRORS as exc:
            self.notify(str(exc), severity="error")

    # ---- commands ---------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#commands")
    def _command_clicked(self, event: OptionList.OptionSelected) -> None:
        """A click on a command runs it, like enter (changing ones still ask first)."""
        commands = self.query_one(CommandList)
        if event.option_index < len(commands.commands):
            self.run_command(commands.commands[event.option_index])

    @on(CommandList.RunRequested)
    def _run_requested(self, event: CommandList.RunRequested) -> None:
        if event.edit:
            self.expect_dialog()  # what is typed next belongs to the edit prompt
        self.run_command(event.command, edit=event.edit)

    def run_command(self, command: Command, *, edit: bool = False) -> None:
        # the gate makes the task active once the command may run (refused or declined: untouched)
        self._run_flow(self.current, command, edit)

    def follow_active_task(self) -> None:
        """A run the gate opened may have made its task the active one: its row and the task view
        follow (only then: redrawing the task view would scroll it back to the top)."""
        active = self.session.active_task
        if active is not None and active is not self._active_seen:
            self._active_seen = active
            self.refresh_rows()
            if self.current is active:
                self.show_node(active)
        self.refresh_status()

    @work(group="command-flow", exit_on_error=False, description="run a plan command")
    async def _run_flow(self, node: Node | None, command: Command, edit: bool) -> None:
        try:
            await self.runs.request(node, command, edit=edit)
        finally:
            self.dialog_not_coming()
        self.refresh_status()

    @property
    def gate(self) -> Gate:
        """The one way to change the cluster (panes ask it through `GateRequest`)."""
        return self.runs.gate

    def on_gate_request(self, event: GateRequest) -> None:
        """A live pane asks for a write (panes.base.GateRequest): the gate confirms and records it."""
        event.stop()
        self._pane_action(self.current, event.action)

    @work(group="command-flow", exit_on_error=False, description="a pane action through the gate")
    async def _pane_action(self, node: Node | None, action: PaneAction) -> None:
        await self.runs.pane_action(node, action)
        self.refresh_status()

    def action_command_line(self) -> None:
        """`!` (and `:run`): type any command; the gate decides and records it like a plan command."""
        self.expect_dialog()  # its prompt opens from a worker: what is typed next belongs to it
        self._command_line(self.current)

    @work(group="command-flow", exit_on_error=False, description="an ad-hoc command")
    async def _command_line(self, node: Node | None) -> None:
        try:
            await self.runs.command_line(node)
        finally:
            self.dialog_not_coming()
        self.refresh_status()

    def on_run_finished(self, view: RunView) -> None:
        if self.closing:
            return
        self.refresh_status()
        if view.state == "failed":
            said = view.last_output_line()
            why = view.message or "failed"
            self.notify(
                f"{view.command}\n{why}" + (f"\n{said}" if said and said not in why else ""),
                title="Command failed",
                severity="error",
            )

    def action_cancel_run(self) -> None:
        output = self.query_one(OutputPane)
        shown = output.shown_run
        target = shown if shown is not None and shown.state == "running" else None
        if target is None:
            running = [r for r in output.runs.values() if r.state == "running"]
            target = running[-1] if running else None
        if target is None:
            self.notify("Nothing is running.", severity="information")
            return
        self._cancel(target.key)

    @work(group="cancel", exit_on_error=False, description="cancel a command")
    async def _cancel(self, key: str) -> None:
        await self.runs.cancel(key)
        self.refresh_status()

    # ---- session intents ----------------------------------------------------------------------------

    def action_note(self) -> None:
        node = self.current if self.current is not None and self.current.is_task else None
        where = f"on {node.title}" if node is not None else "on the session"
        self.push_screen(
            TextPrompt(f"Note {where}", placeholder="what you saw, decided, or left for later"),
            lambda text: self._add_note(node, text),
        )

    def _add_note(self, node: Node | None, text: str | None) -> None:
        """A note may be a pasted blob of any size: it is redacted and journaled on the session
        feed's thread (in order with command output), and shown once recorded."""
        if not text or not text.strip():
            return
        task_id = node.id if node is not None else None

        def record() -> None:
            try:
                self.session.add_note(text, task_id)
            except SESSION_ERRORS as exc:
                self.post_message(NoteRecorded(str(exc)))
                return
            self.post_message(NoteRecorded(None))

        self.runs.feed.submit(record)

    def on_note_recorded(self, message: NoteRecorded) -> None:
        if message.error is not None:
            self.notify(message.error, severity="error")
            return
        if self.current is not None:
            self.show_node(self.current)
        self.notify("Note added.")

    def action_pause(self) -> None:
        try:
            if self.session.paused:
                self.session.unpause()
                self.notify("Session clock running again.")
            else:
                self.session.pause()
                self.notify("Session clock paused: press p to resume.")
        except SESSION_ERRORS as exc:
            self.notify(str(exc), severity="error")
        self.refresh_status()

    def action_save(self) -> Path | None:
        """Write the Markdown transcript and the HTML report beside the journal."""
        try:
            size = self.session.journal_path.stat().st_size  # before: a later line makes it stale
            [path], warnings = export(self.session.journal_path, "md")
            [page], _ = export(self.session.journal_path, "html")
        except (OSError, *SESSION_ERRORS) as exc:
            self.notify(f"Transcript not saved: {exc}", severity="error")
            return None
        self.saved_transcript = path
        self.saved_journal_bytes = size
        for warning in warnings:
            self.notify(warning, severity="warning")
        self.notify(f"Transcript saved: {path} (and {page.name})", title="Saved")
        return path

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One handler for every failed worker: one sentence on screen, the traceback in the log."""
        worker = event.worker
        if event.state is not WorkerState.ERROR or worker.error is None:
            return
        what = worker.description or worker.name or "a background task"
        log_failure(what, worker.error)
        where = configured_file()
        detail = f" (details in {where})" if where is not None else ""
        text = str(worker.error).strip()
        reason = text.splitlines()[0] if text else type(worker.error).__name__
        self.notify(f"{what} failed: {reason}{detail}", severity="error", timeout=10)

    async def action_quit(self) -> None:
        """ctrl+q and the palette's Quit: the same save prompt as `q`, never a silent exit. While the
        session is already ending (stopping runs), ctrl+q leaves at once: the unmount still stops
        whatever is left."""
        if self.closing:
            self.exit(0)
            return
        self.action_request_quit()

    def action_request_quit(self) -> None:
        if isinstance(self.screen, QuitScreen) or self.closing:
            return
        detail = f"Session journal: {self.session.journal_path}\nSave the transcript before quitting?"
        running = self.runs.running_count()
        if running:
            detail += f"\n{running} command(s) and background job(s) still running will be stopped."
        self.push_screen(QuitScreen(detail), self._quit_choice)

    def _quit_choice(self, choice: str | None) -> None:
        if choice == "stay" or choice is None:
            return
        self._end_session(save=choice == "save")

    @work(group="shutdown", exclusive=True, exit_on_error=False, description="stop runs and end the session")
    async def _end_session(self, save: bool) -> None:
        """Stop every run and job, record the end, then (if asked) write the transcript and exit."""
        self.closing = True
        await self.runs.stop_all()
        self._record_metrics_end()
        self.session.end()
        if save and self.action_save() is None:
            self.closing = False  # saving failed (the toast says why): stay open
            return
        self.exit(0)

    def _record_metrics_end(self) -> None:
        """The Metrics (and Platform) panes journal their live values as the session's end values
        (on their own they do so only every so often); without live panes there is nothing to do."""
        for pane in self.query("MetricsPane, PlatformPane"):
            record_end = getattr(pane, "record_end", None)
            if callable(record_end):
                try:
                    record_end()
                except SESSION_ERRORS as exc:
                    self.notify(f"Metric end values not recorded: {exc}", severity="warning")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.binding_groups(), self.keymap_overrides))

    def binding_groups(self) -> list[tuple[str, list[Any]]]:
        return [
            ("Anywhere", list(self.BINDINGS)),
            ("Plan", [*PlanTree.BINDINGS, Binding("up,down", "", "Move", id="plan.move")]),
            ("Commands", list(CommandList.BINDINGS)),
            ("Manual steps", [Binding("space", "", "Tick step", id="steps.tick"), *StepList.BINDINGS]),
            ("Output", list(RunList.BINDINGS)),
            *live_pane_bindings(self.target.read_only),
        ]

    def action_filter(self) -> None:
        """/: filter what has the focus (a live pane's table, the log), else the plan."""
        for node in self.focused.ancestors_with_self if self.focused is not None else []:
            start = getattr(node, "action_start_filter", None)
            if callable(start):
                start()
                return
        tree = self.query_one(PlanTree)
        self.push_screen(
            TextPrompt(
                "Filter the plan (empty shows everything)", tree.filter_text, placeholder="words in a title"
            ),
            self._apply_filter,
        )

    def _apply_filter(self, text: str | None) -> None:
        if text is None:
            return
        tree = self.query_one(PlanTree)
        tree.filter_text = text.strip()
        tree.load(self.plan, self.row_state)
        tree.focus()

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot is saved in the session folder, beside the journal, readable
        by its owner only.

        Textual's default folder, ~/Downloads, is missing on most servers: the save then failed
        with only "Failed to save screenshot".
        """
        folder = private_dir(Path(path) if path else self.session.session_dir)
        name = filename or f"screenshot-{datetime.now().strftime(time_format or '%Y%m%d-%H%M%S')}.svg"
        target = write_private(folder / name, self.export_screenshot())  # 0600, like all session files
        self.notify(f"Screenshot saved: {target}", title="Screenshot")
        return None

    def action_toggle_live(self) -> None:
        """Narrow screens: the live panes take the task and output's place, and back."""
        if self.has_class("-wide"):
            self.notify("The live panes are already shown beside the output.")
            return
        self.toggle_class("-show-live")

    def action_live_tab(self, step: int) -> None:
        """] and [: the next or previous live pane (on a narrow screen they swap the live panes in)."""
        tabs = self._live_tabs()
        if tabs is None:
            return
        panes = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if not panes:
            return
        index = panes.index(tabs.active) if tabs.active in panes else 0
        self.show_live_pane(panes[(index + step) % len(panes)])

    def _live_tabs(self) -> TabbedContent | None:
        try:
            return self.query_one("#live-tabs", TabbedContent)
        except NoMatches:
            self.notify("No live panes: no cluster is connected.", severity="warning")
            return None

    def show_live_pane(self, pane_id: str) -> None:
        """Bring a live pane into view (swapping the live area in on a narrow screen) and focus it."""
        tabs = self._live_tabs()
        if tabs is None:
            return
        live = self.query_one("#live-panes")
        if self.zoomed is not None and self.zoomed is not live:
            self.action_restore()
        if not self.has_class("-wide"):
            self.add_class("-show-live")
        tabs.active = pane_id
        pane = tabs.get_pane(pane_id)
        # the pane's table or log, so its own keys work at once; never a text field, which would
        # swallow the next ] (the Logs pane starts with one): then the tab bar, where ] still works
        focusable = [w for w in pane.query("*") if w.focusable and not isinstance(w, Input)]
        (focusable[0] if focusable else tabs.query_one(Tabs)).focus()

    def _focus_pane(self, widget: Any) -> None:
        """Focus a widget of another pane: a maximized pane that hides it is restored first."""
        if self.zoomed is not None and self.zoomed not in widget.ancestors_with_self:
            self.action_restore()
        if widget.id in ("task", "commands", "steps") or "task" in {a.id for a in widget.ancestors}:
            self.remove_class("-show-live")
        widget.focus()

    def action_focus_plan(self) -> None:
        self._focus_pane(self.query_one(PlanTree))

    def action_focus_output(self) -> None:
        self.remove_class("-show-live")
        self._focus_pane(self.query_one("#tail"))

    # ---- maximize / restore, jump -----------------------------------------------------------------

    def pane_of(self, widget: Any) -> Any:
        """The top-level pane (plan, task, output, live panes) holding `widget`, or None."""
        for node in widget.ancestors_with_self if widget is not None else []:
            if node.id in ZOOMABLE:
                return node
        return None

    def action_zoom(self) -> None:
        """z: maximize the pane that has the focus (the plan when nothing has it); z again or
        escape restores. The other panes are only hidden: their state, lists and scroll stay."""
        if self.zoomed is not None:
            self.action_restore()
            return
        self.maximize_pane(self.pane_of(self.focused) or self.query_one(PlanTree))

    def maximize_pane(self, pane: Any) -> None:
        """Show `pane` (plan, task, output or live panes) alone between the headline and the status
        line; `action_restore` brings the others back."""
        if self.zoomed is not None:
            self.action_restore()
        self.zoomed = pane
        pane.add_class("-zoom")
        work = self.query_one("#work")
        work.set_class(pane.parent is work, "-zoom-holder")
        self.add_class("-zoomed")
        self.refresh_status()

    def action_restore(self) -> None:
        if self.zoomed is None:
            return
        self.zoomed.remove_class("-zoom")
        self.query_one("#work").remove_class("-zoom-holder")
        self.remove_class("-zoomed")
        self.zoomed = None
        focused = self.focused
        if focused is not None:
            self.call_after_refresh(focused.scroll_visible, animate=False)
        self.refresh_status()

    def action_jump(self) -> None:
        """`:` then a pane's name (k9s habit): pods, argo, certs, logs, metrics, platform, plan,
        task, output. A prefix is enough (`:po`). `:run CMD` opens the command line with CMD."""
        names = ", ".join(name for name, _ in JUMPS) + ", run CMD"
        self.push_screen(
            TextPrompt("Go to pane", placeholder=names, hint="enter: go · escape: cancel"), self._jump_to
        )

    def _jump_to(self, text: str | None) -> None:
        typed = (text or "").strip().lstrip(":")
        word = typed.lower()
        if not word:
            return
        if word == "run" or word.startswith(("run ", "!")):  # `:run CMD`: the command line, filled in
            command = typed[1:] if word.startswith("!") else typed[3:]
            self.runs.last_typed = command.strip() or self.runs.last_typed
            self.action_command_line()
            return
        target = next((where for name, where in JUMPS if name == word), None)
        target = target or next((where for name, where in JUMPS if name.startswith(word)), None)
        if target is None:
            self.notify(f"No pane called {word!r}: {', '.join(n for n, _ in JUMPS)}", severity="warning")
            return
        if target == "plan":
            self.action_focus_plan()
        elif target == "output":
            self.action_focus_output()
        elif target == "task":
            self.remove_class("-show-live")
            commands = self.query_one(CommandList)
            shown = commands.display and commands.commands
            self._focus_pane(commands if shown else self.query_one(TaskDetail))
        else:
            tabs = self._live_tabs()
            if tabs is None:
                return
            if not tabs.query(f"#{target}"):
                self.notify(f"The {word} pane is not available here.", severity="warning")
                return
            self.show_live_pane(target)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a dialog is open its keys are its own: `q` in the quit dialog does not ask again.
        escape restores a maximized pane first, and is the pane's own key otherwise."""
        if isinstance(self.screen, ModalScreen) and action in self._screen_actions:
            return False
        if action == "restore":
            return self.zoomed is not None
        return True

    @property
    def _screen_actions(self) -> set[str]:
        return ({b.action for b in self.BINDINGS if isinstance(b, Binding)} | {"quit"}) - {
            "command_palette",
            "focus_next",
            "focus_previous",
        }

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers every cockpit action (plus Textual's own)."""
        ours = {b.description for b in self.BINDINGS if isinstance(b, Binding)}
        # Textual's own entries, less those cockpit replaces (its "Quit" would be listed twice)
        yield from (c for c in super().get_system_commands(screen) if c.title not in ours)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in (
                "command_palette",
                "focus_next",
                "focus_previous",
            ):
                yield SystemCommand(
                    binding.description, f"key: {binding.key}", lambda a=binding.action: self.run_action(a)
                )
        yield SystemCommand(
            "Tick the highlighted task", "key: space (plan)", lambda: self.query_one(PlanTree).action_tick()
        )
        yield SystemCommand(
            "Skip the highlighted task", "key: x (plan)", lambda: self.query_one(PlanTree).action_skip()
        )
