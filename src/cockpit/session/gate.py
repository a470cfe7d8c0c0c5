"""The one gate every change to the cluster passes: classify, decide, confirm, record, run, record.

Everything the operator asks the cockpit to do to a cluster comes here as a `Request`: a plan
command, an edited or ad-hoc command line, a background job, a `watch`, a command that needs the
terminal, and every pane action (`cockpit.session.actions`). The gate

1. classifies it (`cockpit.runner.classify` for a command line; a pane action always writes),
2. decides (`Gate.decide`): READ_ONLY runs at once, CONFIRM asks first, REFUSED never runs
   (a `--read-only` session refuses every write, and says why),
3. asks the UI to confirm (`GateView.confirm`) with a `Question` naming the context, the
   namespace and the session's mode,
4. records the decision in the journal (who confirmed and when, or why it was refused/declined),
5. runs it (a process, job, watch, terminal hand-over, or the pane action in a thread),
6. streams its output to the session (redacted side file) and to the UI as `GateEvent`s,
7. records the outcome.

The UI renders the events and forwards the operator's answers; it decides nothing. No Textual
here: the gate is tested with a plain `GateView` (see tests/session/test_gate.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

from cockpit.cluster.errors import ClusterError
from cockpit.runner import (
    CommandRun,
    Job,
    JobManager,
    RunResult,
    Watch,
    WatchRun,
    classify,
    is_background,
    parse_watch,
    run_in_terminal,
)
from cockpit.session.actions import PaneAction, perform
from cockpit.session.engine import Session
from cockpit.session.feed import SESSION_ERRORS, SessionFeed
from cockpit.session.output import Written
from cockpit.session.preview import Preview, Previewer
from cockpit.session.state import CommandRun as JournaledRun
from cockpit.session.target import KubeTarget

OUTPUT_BATCH_SECONDS = 0.05
OUTPUT_BATCH_CHARS = 1024 * 1024
READ_ONLY_REFUSAL = "refused: read-only session"
DECLINED = "declined by operator"


class Verdict(StrEnum):
    READ_ONLY = "read-only"  # runs without a question
    CONFIRM = "needs confirmation"  # changes the cluster: the operator says yes first
    REFUSED = "refused"  # never runs in this session


@dataclass(frozen=True, slots=True)
class Request:
    """What the operator asked for. `text` is the command line (for a pane action, its label);
    `task_id` files it under a task (None: under the session); `edited_from` is the plan command
    an edited command came from; `origin` is "plan", "edited", "ad-hoc" or "pane"."""

    text: str
    task_id: str | None = None
    action: PaneAction | None = None
    edited_from: str | None = None
    origin: str = "plan"

    @classmethod
    def command(
        cls, text: str, task_id: str | None = None, *, edited_from: str | None = None, adhoc: bool = False
    ) -> Request:
        origin = "edited" if edited_from is not None else "ad-hoc" if adhoc else "plan"
        return cls(text.strip(), task_id, None, edited_from, origin)

    @classmethod
    def pane(cls, action: PaneAction, task_id: str | None = None) -> Request:
        return cls(action.label, task_id, action, None, "pane")


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's verdict on a request and the words for it."""

    verdict: Verdict
    reason: str  # why it is read-only or changing ("kubectl delete changes the cluster")
    refusal: str = ""  # when REFUSED: what the journal and the toast say
    retarget: str = ""  # what in the command aims it away from the pinned target
    terminal: str = ""  # why it must run in the real terminal ("" when it need not)


@dataclass(frozen=True, slots=True)
class Question:
    """A confirmation the UI shows: the subject, why it changes the cluster, where it lands (context
    and namespace), the session's mode, and anything that retargets it."""

    title: str
    subject: str
    reason: str
    target: str
    mode: str
    yes: str = "Run it"
    retarget: str = ""
    equivalent: str = ""  # for a pane action: the kubectl command that does the same
    preview: Preview | None = None  # what it would change (a server-side dry run), or why unknown


# ---- what the gate tells the UI ------------------------------------------------------------------

RunKind = Literal["run", "job", "watch", "terminal", "action"]


@dataclass(frozen=True, slots=True)
class RunOpened:
    key: str
    subject: str
    kind: RunKind
    side_file: str | None  # relative to the session folder
    note: str = ""  # lines to show under it ("(confirmed by alice at 07:12:03)", "(ran in the terminal: …)")
    task_id: str | None = None  # the task it is filed under (which the run made the active task)


@dataclass(frozen=True, slots=True)
class RunOutput:
    """Output of a run as the session wrote it (redacted): complete lines, and `partial`, the
    line still open as far as it came (replaced by the next RunOutput)."""

    key: str
    text: str
    partial: str = ""


@dataclass(frozen=True, slots=True)
class WatchTick:
    """One run of a `watch`: its output replaces the last one's."""

    key: str
    index: int
    exit_code: int | None
    heading: str
    output: str


@dataclass(frozen=True, slots=True)
class RunClosed:
    key: str
    result: RunResult


@dataclass(frozen=True, slots=True)
class RunRefused:
    run: JournaledRun


@dataclass(frozen=True, slots=True)
class Notice:
    message: str
    title: str = ""
    severity: Literal["information", "warning", "error"] = "information"


GateEvent = RunOpened | RunOutput | WatchTick | RunClosed | RunRefused | Notice


class GateView(Protocol):
    """What the gate needs from a UI (the app's run view, or a test's stand-in)."""

    async def confirm(self, question: Question) -> bool: ...

    def show(self, event: GateEvent) -> None: ...

    def in_terminal(self, run: Callable[[], RunResult]) -> RunResult | None:
        """Run `run` with the screen handed over to it; None when the terminal cannot be."""
        ...

    def columns(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a request: "refused", "declined", "started" (a run, job or watch now
    running under `key`), "done" (finished, `result`), or "failed" (could not start)."""

    status: str
    decision: Decision
    key: str | None = None
    result: RunResult | None = None
    run: JournaledRun | None = None  # the journal's record of a refusal


@dataclass(slots=True)
class _Running:
    key: str
    subject: str
    kind: RunKind
    started: float = field(default_factory=time.monotonic)
    exit_code: int | None = None  # a watch's last run


class Gate:
    """The session's one way to change a cluster. Build one per app; `submit` each request."""

    def __init__(
        self,
        session: Session,
        target: KubeTarget,
        view: GateView,
        *,
        cluster: Any = None,
        operator: str | None = None,
        previewer: Previewer | None = None,
    ) -> None:
        self.session = session
        self.target = target
        self.view = view
        self.cluster = cluster  # a ClusterHub (its `.api` performs pane actions), or None
        self.operator = operator or str(session.header.get("operator") or "operator")
        self.feed = SessionFeed(session)
        # a change is previewed (server-side dry run) in its confirmation; without a pinned kube
        # context there is nothing to ask (and no certainty the preview would ask the right cluster)
        if previewer is None and target.context and target.env:
            previewer = Previewer(env=dict(target.env), cluster=cluster)
        self.previewer = previewer
        self._ids = itertools.count(1)
        self.running: dict[str, _Running] = {}
        self._processes: dict[str, CommandRun] = {}
        self._watches: dict[str, Watch] = {}
        self._job_keys: dict[int, str] = {}
        self.jobs = JobManager(
            env=dict(target.env),
            output_dir=None,  # the session keeps the (redacted) output; no raw copy beside it
            on_change=self._job_changed,
            on_output=self._job_output,
            ready=self.feed.keeps_up,
        )

    @property
    def read_only(self) -> bool:
        return self.target.read_only

    # ---- deciding --------------------------------------------------------------------------------

    def decide(self, request: Request) -> Decision:
        """Read-only, needs confirmation, or refused (and why). Pure: nothing is recorded."""
        if request.action is not None:
            reason = f"{request.action.verb} {request.action.kind}: {request.action.effect}"
            changes, retarget, terminal = True, "", ""
        else:
            safety = classify(request.text)
            reason, changes = safety.reason, safety.changes_cluster
            retarget, terminal = safety.retarget, safety.terminal_reason if safety.needs_terminal else ""
        if not changes:
            return Decision(Verdict.READ_ONLY, reason, retarget=retarget, terminal=terminal)
        if self.target.read_only:
            return Decision(Verdict.REFUSED, reason, READ_ONLY_REFUSAL, retarget, terminal)
        return Decision(Verdict.CONFIRM, reason, retarget=retarget, terminal=terminal)

    async def preview(self, request: Request) -> Preview:
        """What the change would do, asked of the API server without changing anything."""
        if self.previewer is None:
            return Preview.missing("no kube context to ask")
        return await self.previewer.preview(request.text, request.action)

    def question(self, request: Request, decision: Decision, preview: Preview | None = None) -> Question:
        """The confirmation the UI is asked to show for `request`."""
        where = self.where(request)
        if request.action is not None:
            a = request.action
            return Question(
                title=f"{a.verb.capitalize()} {a.kind} {a.name}",
                subject=request.text,
                reason=decision.reason,
                target=f"context {self.target.context or '?'}, namespace {a.namespace}",
                mode=self.target.mode,
                yes=a.verb.capitalize(),
                equivalent=a.equivalent,
                preview=preview,
            )
        return Question(
            title="This command changes the cluster",
            subject=request.text,
            reason=decision.reason,
            target=where,
            mode=self.target.mode,
            retarget=decision.retarget,
            preview=preview,
        )

    def where(self, request: Request) -> str:
        if request.action is not None:
            return f"context {self.target.context or '?'}, namespace {request.action.namespace}"
        return self.target.describe(request.text)

    def _namespace(self, request: Request) -> str | None:
        if request.action is not None:
            return request.action.namespace
        return self.target.namespace_of(request.text)

    def _facts(
        self, request: Request, decision: Decision, confirmed: float | None, preview: Preview | None = None
    ) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "kind": "action" if request.action is not None else "command",
            "origin": request.origin,
            "verdict": decision.verdict.value,
            "reason": decision.reason,
            "mode": self.target.mode,
        }
        if confirmed is not None:
            facts["confirmed_by"] = self.operator
            facts["confirmed_wall"] = round(confirmed, 3)
        if request.edited_from is not None:
            facts["edited_from"] = request.edited_from
        if request.action is not None:
            facts["equivalent"] = request.action.equivalent
        if decision.retarget:
            facts["retarget"] = decision.retarget
        if preview is not None:
            facts["preview"] = preview.text[:4000]  # what the operator saw before answering
        return facts

    # ---- the flow ----------------------------------------------------------------------------------

    async def submit(self, request: Request) -> Outcome:
        """Decide, confirm, record and run `request`. Returns once it was refused, declined,
        finished (a foreground run, terminal command or pane action) or started (job, watch)."""
        decision = self.decide(request)
        if decision.verdict is Verdict.REFUSED:
            self.view.show(
                Notice(
                    f"Refused ({self.target.mode}): {decision.reason}.\n{request.text}",
                    title="Read-only",
                    severity="error",
                )
            )
            run = self._refuse(request, decision, decision.refusal)
            return Outcome("refused", decision, run=run)
        confirmed: float | None = None
        preview: Preview | None = None
        if decision.verdict is Verdict.CONFIRM:
            preview = await self.preview(request)
            if not await self.view.confirm(self.question(request, decision, preview)):
                self.view.show(Notice("Not run.", severity="information"))
                run = self._refuse(request, decision, DECLINED, preview)
                return Outcome("declined", decision, run=run)
            confirmed = time.time()
        facts = self._facts(request, decision, confirmed, preview)
        if request.action is not None:
            return await self._act(request, decision, facts)
        watch = parse_watch(request.text)
        if watch is not None:
            return self._start_watch(request, decision, facts, *watch)
        if decision.terminal:
            return self._in_terminal(request, decision, facts)
        if is_background(request.text):
            return await self._start_job(request, decision, facts)
        return await self._run(request, decision, facts)

    def _refuse(
        self, request: Request, decision: Decision, reason: str, preview: Preview | None = None
    ) -> JournaledRun | None:
        try:
            run = self.session.record_command_refused(
                request.task_id,
                request.text,
                reason,
                self.target.context,
                self._namespace(request),
                gate=self._facts(request, decision, None, preview),
            )
        except SESSION_ERRORS as exc:
            self.view.show(Notice(str(exc), severity="error"))
            return None
        self.view.show(RunRefused(run))
        return run

    def reserve_ids(self, recorded: list[JournaledRun]) -> None:
        """On resume: new runs must not reuse a journaled `run-N` id."""
        for run in recorded:
            number = run.run_id.rsplit("-", 1)[-1]
            if number.isdigit():
                self._ids = itertools.count(max(int(number) + 1, next(self._ids)))

    def _open(self, request: Request, kind: RunKind, facts: dict[str, Any], note: str = "") -> str | None:
        """Journal the start and tell the UI; None when the journal refused it (the UI was told)."""
        key = f"run-{next(self._ids)}"
        try:
            # running a task's own command is working on that task: its timer starts now, once the
            # command is allowed and confirmed (a refused or declined one leaves the task alone)
            task = request.task_id if request.origin in ("plan", "edited") else None
            if task is not None and self.session.state.active != task:
                self.session.activate(task)
            path = self.session.record_command_started(
                key,
                request.task_id,
                request.text,
                self.target.context,
                self._namespace(request),
                gate=facts,
            )
        except SESSION_ERRORS as exc:
            self.view.show(Notice(str(exc), severity="error"))
            return None
        side = path.relative_to(self.session.session_dir).as_posix()
        subject = request.text.rstrip().rstrip("&").rstrip() if kind == "job" else request.text
        self.running[key] = _Running(key, subject, kind)
        if facts.get("confirmed_by"):
            when = time.strftime("%H:%M:%S", time.localtime(facts["confirmed_wall"]))
            note = "\n".join(filter(None, [f"(confirmed by {facts['confirmed_by']} at {when})", note]))
        # the screen names the run as the journal does: a secret typed into the command is masked
        self.view.show(RunOpened(key, self.session.redact(subject), kind, side, note, request.task_id))
        return key

    def _shower(self) -> Callable[[GateEvent], None]:
        """`view.show` for the session feed's thread: hopped onto the event loop the gate runs on.
        The screen shows output as the session redacted it, never the raw chunk."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self.view.show

        def show(event: GateEvent) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the cockpit is quitting
                loop.call_soon_threadsafe(self.view.show, event)

        return show

    def _output(self, key: str, text: str) -> None:
        show = self._shower()

        def shown(written: Written) -> None:
            if written.lines or written.partial:
                show(RunOutput(key, written.lines, written.partial))

        self.feed.output(key, text, shown)

    def _close(self, key: str, result: RunResult) -> None:
        if self.running.pop(key, None) is None:
            return  # closed already (a cancel raced the exit)
        show = self._shower()
        # a cancel is not an error: the runner's "killed by SIGINT" would read as a failure
        self.feed.finished(
            key,
            result.exit_code,
            result.duration,
            cancelled=result.cancelled,
            error=None if result.cancelled else result.error,
            then=lambda: show(RunClosed(key, result)),  # after all of its output is shown
        )

    # ---- pane actions -------------------------------------------------------------------------------

    async def _act(self, request: Request, decision: Decision, facts: dict[str, Any]) -> Outcome:
        assert request.action is not None
        api = getattr(self.cluster, "api", None)
        key = self._open(request, "action", facts)
        if key is None:
            return Outcome("failed", decision)
        started, wall = time.monotonic(), time.time()
        error: str | None = None
        if api is None:
            error = getattr(self.cluster, "problem", "") or "No cluster connected."
        else:
            try:
                said = await asyncio.to_thread(perform, request.action, api)
            except ClusterError as exc:
                error = exc.sentence
            else:
                self._output(key, said + "\n")
        if error:
            self._output(key, f"not done: {error}\n")
        result = RunResult(
            cmd=request.text,
            exit_code=None if error else 0,
            signal=None,
            duration=time.monotonic() - started,
            started_at=wall,
            ended_at=time.time(),
            error=error,
        )
        self._close(key, result)
        return Outcome("done", decision, key, result)

    # ---- commands -----------------------------------------------------------------------------------

    async def _run(self, request: Request, decision: Decision, facts: dict[str, Any]) -> Outcome:
        key = self._open(request, "run", facts)
        if key is None:
            return Outcome("failed", decision)

        def on_exit(result: RunResult) -> None:
            self._processes.pop(key, None)
            self._close(key, result)

        process = CommandRun(
            request.text,
            env=dict(self.target.env),
            columns=self.view.columns(),
            rows=40,
            on_output=lambda chunk: self._output(key, chunk),
            on_exit=on_exit,
            # never elide (the session's side file is the full record); a flood reaches the session
            # and the screen in at most ~20 big batches a second (the reader waits while one is full)
            flush_interval=OUTPUT_BATCH_SECONDS,
            flush_chars=OUTPUT_BATCH_CHARS,
            ready=self.feed.keeps_up,  # the session's thread is behind: the command waits
        )
        self._processes[key] = process
        await process.start()
        return Outcome("started", decision, key)

    def _in_terminal(self, request: Request, decision: Decision, facts: dict[str, Any]) -> Outcome:
        key = self._open(request, "terminal", facts, note=f"(ran in the terminal: {decision.terminal})")
        if key is None:
            return Outcome("failed", decision)
        banner = f"cockpit: {request.text}\n  on {self.target.describe(request.text)}"
        result = self.view.in_terminal(
            lambda: run_in_terminal(request.text, env=dict(self.target.env), banner=banner)
        )
        if result is None:
            error = f"not run: {decision.terminal}, and this terminal cannot hand itself over"
            self.view.show(Notice(f"{error}. Run it in another terminal:\n{request.text}", severity="error"))
            now = time.time()
            result = RunResult(
                cmd=request.text,
                exit_code=None,
                signal=None,
                duration=0.0,
                started_at=now,
                ended_at=now,
                error=error,
            )
        self._close(key, result)
        return Outcome("done", decision, key, result)

    async def _start_job(self, request: Request, decision: Decision, facts: dict[str, Any]) -> Outcome:
        key = self._open(request, "job", facts)
        if key is None:
            return Outcome("failed", decision)
        job = await self.jobs.start(request.text, label=key)
        self._job_keys[job.id] = key
        self._job_changed(job)
        return Outcome("started", decision, key)

    def _job_key(self, job: Job) -> str | None:
        return self._job_keys.get(job.id) or job.label or None

    def _job_output(self, job: Job, chunk: str) -> None:
        key = self._job_key(job)
        if key is not None and key in self.running:
            self._output(key, chunk)

    def _job_changed(self, job: Job) -> None:
        key = self._job_key(job)
        if key is not None and job.result is not None:
            self._close(key, job.result)

    def _start_watch(
        self, request: Request, decision: Decision, facts: dict[str, Any], inner: str, interval: float
    ) -> Outcome:
        key = self._open(request, "watch", facts)
        if key is None:
            return Outcome("failed", decision)

        def on_run(snapshot: WatchRun) -> None:
            if key in self.running:
                self.running[key].exit_code = snapshot.result.exit_code

            def shown(_written: Written) -> None:  # on the feed's thread, after the side file
                tick = WatchTick(
                    key,
                    snapshot.index,
                    snapshot.result.exit_code,
                    f"Every {interval:g}s: {inner}",
                    self.session.redact_output(inner, snapshot.output, self.target.namespace),
                )
                show(tick)

            show = self._shower()
            self.feed.output(key, f"\n--- run {snapshot.index} ---\n{snapshot.output}", shown)

        watch = Watch(
            inner, interval=interval, env=dict(self.target.env), columns=self.view.columns(), on_run=on_run
        )
        self._watches[key] = watch
        watch.start()
        return Outcome("started", decision, key)

    # ---- cancel and shutdown ----------------------------------------------------------------------------

    def running_count(self) -> int:
        return len(self.running)

    async def cancel(self, key: str) -> bool:
        """Cancel a running run, job or watch; False when `key` is not running."""
        running = self.running.get(key)
        if running is None:
            return False
        if key in self._processes:
            await self._processes[key].cancel()
            return True
        if key in self._watches:
            watch = self._watches.pop(key)
            await watch.stop()
            duration = time.monotonic() - running.started
            now = time.time()
            self._close(
                key,
                RunResult(
                    cmd=running.subject,
                    exit_code=running.exit_code,
                    signal=None,
                    duration=duration,
                    started_at=now - duration,
                    ended_at=now,
                    cancelled=True,
                ),
            )
            return True
        for job_id, job_key in self._job_keys.items():
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
        for key in list(self._watches):
            await self.cancel(key)
        await self.jobs.stop_all()
        for process in list(self._processes.values()):
            await process.cancel(interrupt_grace=0.5, terminate_grace=1.0)
        await asyncio.to_thread(self.feed.join)
