"""The run view: what the gate emits, shown in the Output pane; the operator's answers, forwarded.

Every decision about a command or a pane action (read-only, confirm, refuse, record, run) is the
gate's (`cockpit.session.gate`). This module asks the operator what only the screen can ask (edit
a command, fill placeholders, type an ad-hoc command), hands the result to the gate as a
`Request`, and implements `GateView`: confirmation dialogs, the run list, terminal hand-over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import SuspendNotSupported
from textual.css.query import NoMatches

from cockpit.plan.model import Command, Node
from cockpit.runner import JobManager, RunResult, fill_placeholders, placeholder_names
from cockpit.session.actions import PaneAction
from cockpit.session.engine import Session
from cockpit.session.feed import SessionFeed
from cockpit.session.gate import (
    Gate,
    GateEvent,
    Notice,
    Outcome,
    Question,
    Request,
    RunClosed,
    RunOpened,
    RunOutput,
    RunRefused,
    WatchTick,
)
from cockpit.session.output import read_excerpt
from cockpit.session.preview import Preview
from cockpit.session.state import CommandRun as JournaledRun
from cockpit.session.target import KubeTarget
from cockpit.ui.screens.dialogs import ConfirmScreen, PlaceholderForm, TextPrompt
from cockpit.ui.widgets.output_pane import OutputPane, RunView, end_line

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

NAMESPACE_NAMES = {"namespace", "ns", "namespace_name", "namespace-name"}  # prefilled with the pinned one


PREVIEW_STYLES = {"+": "green", "-": "red", "@": "cyan", "title": "bold", "item": "yellow", " ": "dim"}


def preview_text(preview: Preview) -> Text:
    """The preview as the confirmation shows it: a coloured diff, or why there is none."""
    if preview.unavailable:
        return Text(preview.unavailable, style="italic")
    out = Text()
    for index, (kind, line) in enumerate(preview.lines):
        if index:
            out.append("\n")
        out.append(line, style=PREVIEW_STYLES.get(kind, ""))
    return out


def question_body(question: Question) -> Text:
    """The confirmation's text: subject, why, where (context and namespace), the session's mode."""
    body = Text()
    body.append(question.subject + "\n\n", style="bold")
    body.append(f"{question.reason}.\n")
    if question.equivalent:
        body.append(f"Same as: {question.equivalent}\n", style="dim")
    body.append(f"Target: {question.target}", style="bold")
    body.append(f"\nSession: {question.mode}")
    if question.retarget:
        body.append(f"\nBut the command itself says {question.retarget}: ", style="bold")
        body.append("it does not go to the pinned target above.", style="bold")
    return body


class RunControl:
    """The app's side of the gate: renders its events as runs in the Output pane."""

    def __init__(self, app: CockpitApp, session: Session, target: KubeTarget) -> None:
        self.app = app
        self.session = session
        self.target = target
        self.gate = Gate(session, target, self, cluster=app.cluster_hub)
        self.views: dict[str, RunView] = {}
        self.last_edit: dict[str, str] = {}  # plan command -> the operator's last edit of it
        self.last_typed = ""  # the last ad-hoc command line

    @property
    def feed(self) -> SessionFeed:
        return self.gate.feed

    @property
    def jobs(self) -> JobManager:
        return self.gate.jobs

    def _pane(self) -> OutputPane | None:
        """The Output pane, or None once the app is shutting down (processes may outlive it)."""
        try:
            return self.app.query_one(OutputPane)
        except NoMatches:
            return None

    def _add_view(self, view: RunView) -> None:
        self.views[view.key] = view
        if (pane := self._pane()) is not None:
            pane.add_run(view)

    def _repaint(self) -> None:
        if (pane := self._pane()) is not None:
            pane.mark_dirty()

    def running_count(self) -> int:
        return self.gate.running_count()

    def _task_id(self, node: Node | None) -> str | None:
        return node.id if node is not None and node.is_task else None

    # ---- what only the screen can ask (runs as a worker: it waits on dialogs) ---------------------

    async def request(self, node: Node | None, command: Command, *, edit: bool = False) -> Outcome | None:
        text = command.cmd
        if command.watch:
            text = f"watch -n {command.watch_interval:g} {command.cmd}"
        elif command.background:
            text = f"{command.cmd} &"
        edited_from: str | None = None
        if edit:
            offered = self.last_edit.get(text, text)  # `e` offers the last edit again
            edited = await self.app.push_screen_wait(
                TextPrompt(
                    "Edit the command, then enter to run it", offered, hint="enter: run · escape: cancel"
                )
            )
            if edited is None or not edited.strip():
                return None
            self.last_edit[text] = edited.strip()
            if edited.strip() != text:
                edited_from = text
            text = edited.strip()
        filled = await self.fill(text)
        if filled is None:
            return None
        return await self.gate.submit(Request.command(filled, self._task_id(node), edited_from=edited_from))

    async def command_line(self, node: Node | None) -> Outcome | None:
        """`!`: type any command; it runs through the gate, filed under the task on screen."""
        where = (
            f"filed under {node.title}" if node is not None and node.is_task else "filed under the session"
        )
        typed = await self.app.push_screen_wait(
            TextPrompt(
                f"Run a command ({where})",
                self.last_typed,
                placeholder="kubectl get pods -n data-platform",
                hint="enter: run · escape: cancel · changing commands still ask first",
            )
        )
        if typed is None or not typed.strip():
            return None
        self.last_typed = typed.strip()
        filled = await self.fill(typed.strip())
        if filled is None:
            return None
        return await self.gate.submit(Request.command(filled, self._task_id(node), adhoc=True))

    async def fill(self, text: str) -> str | None:
        """Ask for the command's placeholders, if it has any; None when the operator cancelled."""
        names = placeholder_names(text, self.target.env)
        if not names:
            return text
        defaults = {n: self.target.namespace for n in names if n.lower() in NAMESPACE_NAMES}
        values = await self.app.push_screen_wait(
            PlaceholderForm(text, names, {k: v for k, v in defaults.items() if v})
        )
        if values is None:
            self.app.notify("Not run: placeholders were not filled in.", severity="warning")
            return None
        return fill_placeholders(text, values, self.target.env)

    async def pane_action(self, node: Node | None, action: PaneAction) -> Outcome:
        """A live pane's write, filed under the task on screen."""
        return await self.gate.submit(Request.pane(action, self._task_id(node)))

    # ---- GateView ------------------------------------------------------------------------------------

    async def confirm(self, question: Question) -> bool:
        preview = preview_text(question.preview) if question.preview is not None else None
        answer = await self.app.push_screen_wait(
            ConfirmScreen(question.title, question_body(question), yes=question.yes, preview=preview)
        )
        return bool(answer)

    def in_terminal(self, run: Callable[[], RunResult]) -> RunResult | None:
        try:
            with self.app.suspend():
                return run()
        except SuspendNotSupported:
            return None

    def columns(self) -> int:
        pane = self._pane()
        width = pane.size.width if pane is not None else 0
        return max(40, width - 2) if width else 120

    def show(self, event: GateEvent) -> None:
        if isinstance(event, RunOutput):  # redacted by the session: never the raw chunk
            if (view := self.views.get(event.key)) is not None:
                if event.text:
                    view.buffer.feed(event.text)
                view.buffer.preview(event.partial)
        elif isinstance(event, RunOpened):
            kind = event.kind if event.kind in ("job", "watch") else "run"
            view = RunView(key=event.key, command=event.subject, kind=kind, side_file=event.side_file)
            self._add_view(view)
            for line in event.note.splitlines():
                view.buffer.append_line(Text(line, style="italic"))
            if event.task_id is not None:
                self.app.follow_active_task()
        elif isinstance(event, WatchTick):
            self._watch_tick(event)
        elif isinstance(event, RunClosed):
            if (view := self.views.get(event.key)) is not None:
                self._finish_view(view, event.result)
                self.app.on_run_finished(view)
        elif isinstance(event, RunRefused):
            self._show_refused(event.run)
        elif isinstance(event, Notice):
            timeout = 8 if event.severity == "error" else 5
            self.app.notify(event.message, title=event.title, severity=event.severity, timeout=timeout)

    def _watch_tick(self, tick: WatchTick) -> None:
        view = self.views.get(tick.key)
        if view is None:
            return
        view.iteration = tick.index
        view.exit_code = tick.exit_code
        view.buffer.clear()
        head = Text(tick.heading, style="bold")
        head.append(f"   run {tick.index} · exit {tick.exit_code}", style="dim")
        view.buffer.append_line(head)
        view.buffer.feed(tick.output)
        view.buffer.flush_partial()
        self._repaint()

    def _show_refused(self, run: JournaledRun) -> None:
        view = RunView(key=run.run_id, command=run.cmd, state="refused", message=run.refused or "")
        self._add_view(view)
        view.buffer.append_line(
            Text(f"── not run: {view.message} ──", style=f"bold {self.app.palette.error}")
        )
        self._repaint()

    def restore(self, recorded: list[JournaledRun]) -> None:
        """On resume: show the session's earlier runs, finished, with the tail of their output."""
        self.gate.reserve_ids(recorded)
        for run in recorded:
            if run.refused:
                self._show_refused(run)
                continue
            state = {"ok": "ok", "cancelled": "cancelled"}.get(run.status, "failed")
            view = RunView(
                key=run.run_id,
                command=run.cmd,
                state=state,
                exit_code=run.exit_code,
                duration=run.duration or 0.0,
                side_file=run.output,
                message=run.error or "",
            )
            self._add_view(view)
            view.buffer.feed(read_excerpt(self.session.session_dir / run.output, lines=200, chars=16_000))
            self._close_view(view)

    def _finish_view(self, view: RunView, result: RunResult) -> None:
        view.exit_code = result.exit_code
        view.duration = result.duration
        if result.cancelled:
            view.state = "cancelled"
        elif result.ok:
            view.state = "ok"
        else:
            view.state = "failed"
        view.message = "" if result.ok else (result.error or "")
        self._close_view(view)

    def _close_view(self, view: RunView) -> None:
        """Write the run's footer line (state, exit code, duration, side file) under its output."""
        view.buffer.flush_partial()
        view.buffer.append_line(end_line(view, self.app.palette))
        self._repaint()

    # ---- cancel and shutdown -------------------------------------------------------------------------

    async def cancel(self, key: str) -> bool:
        return await self.gate.cancel(key)

    async def stop_all(self) -> None:
        await self.gate.stop_all()
