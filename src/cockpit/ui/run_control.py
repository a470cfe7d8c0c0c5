"""Runs a plan command for the operator: placeholders, confirmation, read-only, terminal, jobs, watch.

The UI decides nothing about a command itself: `cockpit.runner` says whether it changes the
cluster or needs the terminal and runs it; `cockpit.session` journals it and keeps its full
output. This module is the intent flow between them and the Output pane.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import SuspendNotSupported
from textual.css.query import NoMatches

from cockpit.plan.model import Command, Node
from cockpit.runner import (
    CommandRun,
    Job,
    JobManager,
    RunResult,
    Watch,
    WatchRun,
    classify,
    command_namespace,
    fill_placeholders,
    is_background,
    parse_watch,
    placeholder_names,
    run_in_terminal,
)
from cockpit.session.engine import Session
from cockpit.session.output import read_excerpt
from cockpit.session.state import CommandRun as JournaledRun
from cockpit.ui.screens.dialogs import ConfirmScreen, PlaceholderForm, TextPrompt
from cockpit.ui.session_feed import SESSION_ERRORS, SessionFeed
from cockpit.ui.widgets.output_pane import OutputPane, RunView, end_line

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


FULL_OUTPUT_CHARS = 32 * 1024 * 1024
NAMESPACE_NAMES = {"namespace", "ns", "namespace_name", "namespace-name"}  # prefilled with the pinned one


@dataclass(frozen=True, slots=True)
class KubeTarget:
    """Where commands go: the pinned context/namespace and the environment that pins them."""

    context: str | None = None
    namespace: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    sandbox: bool = False
    read_only: bool = False
    problem: str = ""  # why there is no kube target (shown in the live area)
    kubeconfig: Path | None = None  # the pinned kubeconfig file

    def describe(self, cmd: str = "") -> str:
        """`context prod, namespace data-platform`: where `cmd` lands (its own -n wins)."""
        if not self.context:
            return "no kube context (commands use your shell's environment)"
        named = command_namespace(cmd) if cmd else None
        if named and named != self.namespace:
            return f"context {self.context}, namespace {named} (from the command)"
        return f"context {self.context}, namespace {self.namespace or 'default'}"


class RunControl:
    """Owns every run the app started: foreground runs, background jobs and watches."""

    def __init__(self, app: CockpitApp, session: Session, target: KubeTarget) -> None:
        self.app = app
        self.session = session
        self.target = target
        self._ids = itertools.count(1)
        self.feed = SessionFeed(session)
        self.views: dict[str, RunView] = {}
        self.processes: dict[str, CommandRun] = {}
        self.watches: dict[str, Watch] = {}
        self.job_runs: dict[int, str] = {}
        self.jobs = JobManager(
            env=dict(target.env),
            output_dir=None,  # the session keeps the (redacted) output; no raw copy beside it
            on_change=self._job_changed,
            on_output=self._job_output,
        )

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

    def _new_key(self) -> str:
        return f"run-{next(self._ids)}"

    def running_count(self) -> int:
        return sum(1 for run in self.views.values() if run.state == "running")

    # ---- the intent flow (runs as a worker: it may wait on dialogs) ----------------------------

    async def request(self, node: Node | None, command: Command, *, edit: bool = False) -> None:
        text = command.cmd
        if command.watch:
            text = f"watch -n {command.watch_interval:g} {command.cmd}"
        elif command.background:
            text = f"{command.cmd} &"
        if edit:
            edited = await self.app.push_screen_wait(
                TextPrompt("Edit the command, then enter to run it", text, hint="enter: run · escape: cancel")
            )
            if edited is None or not edited.strip():
                return
            text = edited.strip()
        names = placeholder_names(text, self.target.env)
        if names:
            defaults = {n: self.target.namespace for n in names if n.lower() in NAMESPACE_NAMES}
            values = await self.app.push_screen_wait(
                PlaceholderForm(text, names, {k: v for k, v in defaults.items() if v})
            )
            if values is None:
                self.app.notify("Not run: placeholders were not filled in.", severity="warning")
                return
            text = fill_placeholders(text, values, self.target.env)
        await self.run_text(node, text)

    async def run_text(self, node: Node | None, text: str) -> None:
        """Classify, confirm or refuse, and start `text` (after editing and placeholders)."""
        safety = classify(text)
        if safety.changes_cluster:
            if self.target.read_only:
                self.app.notify(
                    f"Refused (read-only session): {safety.reason}.\n{text}",
                    title="Read-only",
                    severity="error",
                    timeout=8,
                )
                self.record_refused(node, text, "refused: read-only session")
                return
            body = Text()
            body.append(text + "\n\n", style="bold")
            body.append(f"{safety.reason}.\n")
            body.append(f"Target: {self.target.describe(text)}", style="bold")
            if self.target.sandbox:
                body.append(" (SANDBOX)")
            if safety.retarget:
                body.append(f"\nBut the command itself says {safety.retarget}: ", style="bold")
                body.append("it does not go to the pinned target above.", style="bold")
            confirmed = await self.app.push_screen_wait(
                ConfirmScreen("This command changes the cluster", body)
            )
            if not confirmed:
                self.app.notify("Not run.", severity="information")
                self.record_refused(node, text, "declined by operator")
                return
        watch = parse_watch(text)
        if watch is not None:
            await self.start_watch(node, text, *watch)
        elif safety.needs_terminal:
            await self.run_in_terminal(node, text, safety.terminal_reason)
        elif is_background(text):
            await self.start_job(node, text)
        else:
            await self.start_run(node, text)

    def record_refused(self, node: Node | None, text: str, reason: str) -> None:
        """A command not run (read-only, declined) is journaled and listed, so the record shows it."""
        try:
            run = self.session.record_command_refused(
                node.id if node is not None and node.is_task else None,
                text,
                reason,
                self.target.context,
                command_namespace(text) or self.target.namespace,
            )
        except SESSION_ERRORS as exc:
            self.app.notify(str(exc), severity="error")
            return
        self._show_refused(run)

    def _show_refused(self, run: JournaledRun) -> None:
        view = RunView(key=run.run_id, command=run.cmd, state="refused", message=run.refused or "")
        self._add_view(view)
        view.buffer.append_line(
            Text(f"── not run: {view.message} ──", style=f"bold {self.app.palette.error}")
        )
        self._repaint()

    def restore(self, recorded: list[JournaledRun]) -> None:
        """On resume: show the session's earlier runs, finished, with the tail of their output."""
        for run in recorded:
            if run.refused:
                self._show_refused(run)
                continue
            key = run.run_id
            number = key.rsplit("-", 1)[-1]
            if number.isdigit():  # new runs must not reuse a journaled id
                self._ids = itertools.count(max(int(number) + 1, next(self._ids)))
            state = {"ok": "ok", "cancelled": "cancelled"}.get(run.status, "failed")
            view = RunView(
                key=key,
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

    # ---- foreground runs ------------------------------------------------------------------------

    def _record_start(self, key: str, node: Node | None, text: str) -> str | None:
        """Journal the start; returns the side file, relative to the session folder."""
        try:
            path = self.session.record_command_started(
                key,
                node.id if node is not None and node.is_task else None,
                text,
                self.target.context,
                command_namespace(text) or self.target.namespace,  # where it lands: its own -n wins
            )
        except SESSION_ERRORS as exc:
            self.app.notify(str(exc), severity="error")
            return None
        return path.relative_to(self.session.session_dir).as_posix()

    def _record_output(self, key: str, text: str) -> None:
        self.feed.output(key, text)

    def _record_finish(self, key: str, result: RunResult) -> None:
        # a cancel is not an error: the runner's "killed by SIGINT" would read as a failure
        self.feed.finished(
            key,
            result.exit_code,
            result.duration,
            cancelled=result.cancelled,
            error=None if result.cancelled else result.error,
        )

    def _columns(self) -> int:
        pane = self._pane()
        width = pane.size.width if pane is not None else 0
        return max(40, width - 2) if width else 120

    async def start_run(self, node: Node | None, text: str) -> RunView:
        key = self._new_key()
        side = self._record_start(key, node, text)
        view = RunView(key=key, command=text, side_file=side)
        self._add_view(view)

        def on_output(chunk: str) -> None:
            view.buffer.feed(chunk)
            self._record_output(key, chunk)

        def on_exit(result: RunResult) -> None:
            self._finish_view(view, result)
            self._record_finish(key, result)
            self.processes.pop(key, None)
            self.app.on_run_finished(view)

        process = CommandRun(
            text,
            env=dict(self.target.env),
            columns=self._columns(),
            rows=40,
            on_output=on_output,
            on_exit=on_exit,
            # never elide: the session's side file is the full record, and the tail is cheap to feed
            max_pending_chars=FULL_OUTPUT_CHARS,
        )
        self.processes[key] = process
        await process.start()
        return view

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

    # ---- commands that need the terminal ---------------------------------------------------------

    async def run_in_terminal(self, node: Node | None, text: str, reason: str) -> None:
        key = self._new_key()
        side = self._record_start(key, node, text)
        view = RunView(key=key, command=text, side_file=side)
        self._add_view(view)
        view.buffer.append_line(Text(f"(ran in the terminal: {reason})", style="italic"))
        banner = f"cockpit: {text}\n  on {self.target.describe(text)}"
        try:
            with self.app.suspend():
                result = run_in_terminal(text, env=dict(self.target.env), banner=banner)
        except SuspendNotSupported:
            error = f"not run: {reason}, and this terminal cannot hand itself over"
            self.app.notify(f"{error}. Run it in another terminal:\n{text}", severity="error", timeout=10)
            now = time.time()
            result = RunResult(
                cmd=text, exit_code=None, signal=None, duration=0.0, started_at=now, ended_at=now, error=error
            )
        self._finish_view(view, result)
        self._record_finish(key, result)
        self.app.on_run_finished(view)

    # ---- background jobs ---------------------------------------------------------------------------

    async def start_job(self, node: Node | None, text: str) -> None:
        key = self._new_key()
        side = self._record_start(key, node, text)
        view = RunView(
            key=key,
            command=text.rstrip().rstrip("&").rstrip(),
            kind="job",
            side_file=side,
        )
        self._add_view(view)
        job = await self.jobs.start(text, label=key)
        self.job_runs[job.id] = key
        self._job_changed(job)

    def _job_view(self, job: Job) -> RunView | None:
        key = self.job_runs.get(job.id) or job.label
        return self.views.get(key) if key else None

    def _job_output(self, job: Job, chunk: str) -> None:
        view = self._job_view(job)
        if view is not None:
            view.buffer.feed(chunk)
            self._record_output(view.key, chunk)

    def _job_changed(self, job: Job) -> None:
        view = self._job_view(job)
        result = job.result
        if view is None or result is None or view.state != "running":
            return
        self._finish_view(view, result)
        self._record_finish(view.key, result)
        self.app.on_run_finished(view)

    # ---- watch ---------------------------------------------------------------------------------------

    async def start_watch(self, node: Node | None, text: str, inner: str, interval: float) -> None:
        key = self._new_key()
        side = self._record_start(key, node, text)
        view = RunView(key=key, command=text, kind="watch", side_file=side)
        self._add_view(view)
        started = time.monotonic()

        def on_run(snapshot: WatchRun) -> None:
            view.iteration = snapshot.index
            view.exit_code = snapshot.result.exit_code
            view.buffer.clear()
            head = Text(f"Every {interval:g}s: {inner}", style="bold")
            head.append(f"   run {snapshot.index} · exit {snapshot.result.exit_code}", style="dim")
            view.buffer.append_line(head)
            view.buffer.feed(snapshot.output)
            view.buffer.flush_partial()
            self._repaint()
            self._record_output(key, f"\n--- run {snapshot.index} ---\n{snapshot.output}")

        watch = Watch(
            inner, interval=interval, env=dict(self.target.env), columns=self._columns(), on_run=on_run
        )
        self.watches[key] = watch
        watch.start()
        view.started = started

    # ---- cancel and shutdown -------------------------------------------------------------------------

    async def cancel(self, key: str) -> bool:
        """Cancel a running run, job or watch; False when `key` is not running."""
        view = self.views.get(key)
        if view is None or view.state != "running":
            return False
        if key in self.processes:
            await self.processes[key].cancel()
            return True
        if key in self.watches:
            watch = self.watches.pop(key)
            await watch.stop()
            view.state = "cancelled"
            view.duration = view.elapsed()
            self._close_view(view)
            self._record_finish(
                key,
                RunResult(
                    cmd=view.command,
                    exit_code=view.exit_code,
                    signal=None,
                    duration=view.duration,
                    started_at=time.time() - view.duration,
                    ended_at=time.time(),
                    cancelled=True,
                ),
            )
            return True
        for job_id, job_key in self.job_runs.items():
            if job_key == key:
                await self.jobs.stop(job_id)
                job = self.jobs.get(job_id)
                if job is not None:
                    self._job_changed(job)
                return True
        return False

    async def stop_all(self) -> None:
        """At session end: stop watches, background jobs and foreground runs; leave no process,
        and wait until their output is recorded."""
        for key in list(self.watches):
            await self.cancel(key)
        await self.jobs.stop_all()
        for process in list(self.processes.values()):
            await process.cancel(interrupt_grace=0.5, terminate_grace=1.0)
        await asyncio.to_thread(self.feed.join)
