"""The session engine: what the operator does with a plan, timed, and journaled as it happens.

A `Session` owns a plan, a session folder, a journal and an active-time clock. Every mutation
builds an event, appends it to the journal (written, flushed, fsynced) and only then applies it to
the in-memory `SessionState`; a resume replays the same events. Queries (state, elapsed, verdict,
remaining, projected finish) read the state against the clock, so the UI can poll them every
second. All methods are thread-safe (command output may arrive from a worker thread).
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cockpit import __version__
from cockpit.paths import bundled_plan, data_dir, new_session_dir, private_dir
from cockpit.plan.model import Node, NodeKind, Plan
from cockpit.session.clock import ActiveClock, Clock, SystemClock
from cockpit.session.history import HISTORY_NAME, History, Usual, session_actuals
from cockpit.session.journal import JOURNAL_NAME, Journal, JournalContents, JournalError, read_journal
from cockpit.session.outline import Outline, match_outlines, outline_of
from cockpit.session.output import OutputFile, Written, new_output_file, read_excerpt, safe_name
from cockpit.session.redact import SecretBook, StreamRedactor, redact
from cockpit.session.state import CommandRun, Note, SessionState, TaskState, Verdict, verdict_for

CHECKPOINT_SECONDS = 15.0
INTERRUPTED = "interrupted: cockpit stopped while the command ran"


class SessionError(Exception):
    """Something the operator asked for that the session cannot do; the message says why."""


def plan_sha256(plan: Plan) -> str | None:
    """sha256 of the plan file's bytes, or None when the plan was not read from a file."""
    try:
        return hashlib.sha256(Path(plan.source).read_bytes()).hexdigest()
    except OSError:
        return None


class Session:
    """One remediation session over a plan. Build with `Session.start` or `Session.resume`.

    Times are seconds of active session time (pauses excluded); estimates are minutes (min, max).
    """

    def __init__(
        self,
        plan: Plan,
        session_dir: Path,
        journal: Journal,
        state: SessionState,
        clock: ActiveClock,
        warnings: list[str] | None = None,
    ) -> None:
        self.plan = plan
        self.session_dir = session_dir
        self.journal = journal
        self.secrets = SecretBook()  # Secret values learned from output: masked in all that is written
        journal.book = self.secrets
        self.state = state
        self.clock = clock
        self.warnings: list[str] = warnings or []
        self.outline = Outline(state.outline)
        self._lock = threading.RLock()
        self._runs: dict[str, tuple[str, OutputFile]] = {}  # caller's handle -> (journal id, side file)
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._last_write_t = clock.now()
        self.history = History(data_dir() / HISTORY_NAME)
        self.use_learned = False  # projections use what tasks usually took (the operator opts in)
        self._learned: dict[str, Usual] | None = None

    # ---- construction -------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        plan: Plan,
        session_dir: Path | None = None,
        *,
        context: str | None = None,
        namespace: str | None = None,
        operator: str | None = None,
        clock: Clock | None = None,
        rehearsal: str | None = None,
    ) -> Session:
        """Start a new session: creates the folder (default `paths.new_session_dir`) and journal.
        `rehearsal` names the sandbox scenario the session rehearses on (`--sandbox --scenario`):
        the transcript says so and the estimate history keeps its times as rehearsal times."""
        source = clock or SystemClock()
        if session_dir is None:
            session_dir = new_session_dir(Path(plan.source).stem or "plan")
        session_dir = private_dir(Path(session_dir))
        plan_path = Path(plan.source)
        wall = source.wall()
        header: dict[str, Any] = {
            "seq": 0,
            "t": 0.0,
            "wall": wall,
            "cockpit": __version__,
            "plan_path": str(plan_path.resolve()) if plan_path.is_file() else plan.source,
            "opened_in": os.getcwd(),  # the transcript names the plan relative to it
            "plan_bundled": plan_path.is_file() and plan_path.resolve() == bundled_plan().resolve(),
            "plan_sha256": plan_sha256(plan),
            "plan_title": plan.title,
            "context": context,
            "namespace": namespace,
            "operator": operator or _operator(),
            "started_wall": wall,
            "started_iso": datetime.fromtimestamp(wall).astimezone().isoformat(timespec="seconds"),
            "outline": [n.to_json() for n in outline_of(plan)],
            "plan_metrics": [
                {"name": m.name, "current": m.current, "target": m.target} for m in plan.metrics
            ],
        }
        if rehearsal:
            header["rehearsal"] = rehearsal
        try:
            journal = Journal.create(session_dir / JOURNAL_NAME, header)
        except JournalError as exc:
            raise SessionError(str(exc)) from None
        state = SessionState.from_header(read_journal(journal.path).header)
        return cls(plan, session_dir, journal, state, ActiveClock(source))

    @classmethod
    def resume(cls, journal_path: Path, plan: Plan, *, clock: Clock | None = None) -> Session:
        """Rebuild a session exactly from its journal and keep going (timers continue from the
        last recorded event; time the cockpit was not running does not count). A torn last line is
        skipped and reported in `warnings`, as is a plan that changed since the session started."""
        return cls._resume(_read(journal_path), plan, clock)

    @classmethod
    def _resume(cls, contents: JournalContents, plan: Plan, clock: Clock | None) -> Session:
        source = clock or SystemClock()
        state = SessionState.from_header(contents.header)
        for event in contents.events:
            state.apply(event)
        warnings = list(contents.warnings)
        try:
            journal = Journal.reopen(contents)
        except JournalError as exc:
            raise SessionError(str(exc)) from None
        active = ActiveClock(source, offset=state.last_t, paused=state.paused)
        session = cls(plan, contents.path.parent, journal, state, active, warnings)
        gap = max(0.0, source.wall() - state.last_wall)
        session._emit("reopened", gap=round(gap, 3), torn=bool(contents.warnings))
        session._adopt_plan_changes()
        for run in list(state.runs.values()):
            if not run.finished:
                side = session.session_dir / run.output
                session._emit(
                    "command_finished",
                    run=run.run_id,
                    exit_code=None,
                    duration=None,
                    cancelled=False,
                    error=INTERRUPTED,
                    output_bytes=side.stat().st_size if side.exists() else 0,
                    excerpt=read_excerpt(side),
                )
        return session

    def _adopt_plan_changes(self) -> None:
        """When the plan's outline differs from the journal's, journal a `plan_changed` event that
        moves the recorded work onto the matching tasks of the plan as it is now."""
        current = outline_of(self.plan)
        if [n.to_json() for n in current] == [n.to_json() for n in self.state.outline]:
            return
        old = self.state.outline
        mapping = match_outlines(old, current)
        lost = [n for n in old if n.kind == "task" and n.id not in mapping and self._recorded(n.id)]
        self._emit(
            "plan_changed",
            plan_sha256=plan_sha256(self.plan),
            outline=[n.to_json() for n in current],
            map=mapping,
        )
        self.outline = Outline(self.state.outline)
        moved = sum(1 for k, v in mapping.items() if k != v)
        note = f"{self.plan.source}: the plan changed since this session started"
        if moved:
            note += f"; {moved} recorded items moved to their task's new place"
        if lost:
            names = ", ".join(repr(n.title) for n in lost[:3])
            note += f"; work recorded on tasks no longer in the plan is kept without a task: {names}"
        self.warnings.append(note)

    def _recorded(self, task_id: str) -> bool:
        rec = self.state.tasks.get(task_id)
        worked = rec is not None and (
            rec.state is not TaskState.TODO or rec.elapsed > 0 or bool(rec.steps_done)
        )
        return worked or any(r.task_id == task_id for r in self.state.runs.values())

    @classmethod
    def resume_from(cls, journal_path: Path, *, clock: Clock | None = None) -> Session:
        """`resume` with the plan reloaded from the path recorded in the journal header."""
        contents = _read(journal_path)
        plan_path = Path(str(contents.header.get("plan_path", "")))
        if not plan_path.is_file():
            raise SessionError(
                f"{journal_path}: its plan {plan_path} no longer exists; pass the plan explicitly"
            )
        from cockpit.plan import PlanError, load_plan

        try:
            plan = load_plan(plan_path)
        except PlanError as exc:
            raise SessionError(str(exc)) from None
        return cls._resume(contents, plan, clock)

    # ---- journaling ---------------------------------------------------------------------------

    def _emit(self, kind: str, **fields: Any) -> dict[str, Any]:
        with self._lock:
            t = self.clock.now()
            event = {
                "seq": self.state.seq + 1,
                "type": kind,
                "t": t,  # exact: rebuilt timers must match to the bit
                "wall": round(self.clock.wall(), 3),
            }
            event.update(fields)
            try:
                self.journal.append(event)
            except JournalError as exc:
                raise SessionError(f"not recorded: {exc}") from None
            self.state.apply(event)
            self._last_write_t = t
            for listener in list(self._listeners):
                listener(event)
            return event

    def add_listener(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call `listener(event)` after each event is journaled and applied. It runs on the thread
        that made the change (a worker thread for command output events): a Textual app should
        forward it with `post_message`. Output chunks are not events; `command_finished` is."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[dict[str, Any]], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def redact(self, text: str) -> str:
        """`text` with every secret masked, including the Secret values this session learned from
        command output. Linear in the text; for a text of unbounded size (a pasted note) call it
        off the UI thread."""
        return redact(text, book=self.secrets)

    def redact_output(self, cmd: str, text: str, namespace: str | None = None) -> str:
        """`text` redacted as the output of `cmd` is in its side file (Secret-aware, withheld when
        `cmd` decodes Secrets), with the values this session learned: for a screen."""
        redactor = StreamRedactor.for_command(cmd, self.secrets, namespace)
        return redactor.feed(text) + redactor.flush()

    def _task(self, task_id: str) -> Node:
        node = self.plan.find(task_id)
        if node is None:
            raise SessionError(f"no task {task_id!r} in plan {self.plan.source}")
        if node.kind is not NodeKind.TASK:
            raise SessionError(f"{self.plan.source}:{node.line}: {node.title!r} is a {node.kind}, not a task")
        return node

    def _live(self) -> None:
        if self.state.ended:
            raise SessionError("the session has ended")

    # ---- lifecycle ----------------------------------------------------------------------------

    @property
    def journal_path(self) -> Path:
        return self.journal.path

    @property
    def header(self) -> dict[str, Any]:
        return self.state.header

    @property
    def paused(self) -> bool:
        return self.state.paused

    @property
    def ended(self) -> bool:
        return self.state.ended

    def pause(self) -> None:
        """Stop every timer (session, phase, task) until `unpause`."""
        with self._lock:
            self._live()
            if not self.state.paused:
                self._emit("paused")
                self.clock.pause()

    def unpause(self) -> None:
        """Start the timers again after `pause`."""
        with self._lock:
            self._live()
            if self.state.paused:
                self.clock.unpause()
                self._emit("unpaused")

    def end(self) -> None:
        """End the session: stops the active task's timer, records the end time, and adds the
        finished tasks' actual times to the estimate history."""
        with self._lock:
            if not self.state.ended:
                self._emit("ended")
                self._record_history()

    def _record_history(self) -> None:
        actuals = session_actuals(
            self.plan,
            self.state,
            self.clock.now(),
            session=self.session_dir.name,
            wall=self.clock.wall(),
            rehearsal=bool(self.header.get("rehearsal")),
        )
        try:
            self.history.record(actuals)
        except OSError as exc:
            self.warnings.append(f"estimate history not updated: {exc}")

    def learned(self) -> dict[str, Usual]:
        """Task id -> what the task usually took in earlier sessions of this plan (read once)."""
        if self._learned is None:
            self._learned = self.history.learned(self.plan)
        return self._learned

    def checkpoint_due(self, min_interval: float = CHECKPOINT_SECONDS) -> bool:
        """Whether `checkpoint` would write now (no I/O: the UI asks once a second and writes,
        with its fsync, off its own thread only when it is due)."""
        with self._lock:
            return not (self.state.ended or self.state.paused or self.journal.closed) and (
                self.clock.now() - self._last_write_t >= min_interval
            )

    def checkpoint(self, min_interval: float = CHECKPOINT_SECONDS) -> bool:
        """Record the running time if nothing was journaled for `min_interval` active seconds, so
        a crash loses at most that much."""
        with self._lock:
            if not self.checkpoint_due(min_interval):
                return False
            self._emit("checkpoint")
            return True

    def close(self) -> None:
        """Finish open output files and close the journal (does not end the session)."""
        with self._lock:
            for _journal_id, run in self._runs.values():
                with contextlib.suppress(OSError):
                    run.close()
            self._runs.clear()
            self.journal.close()

    # ---- tasks --------------------------------------------------------------------------------

    def activate(self, task_id: str) -> None:
        """Make `task_id` the active task and start its timer. The previous active task is paused
        first (journaled as `task_paused`: its time kept, its timer stopped, shown as paused), so
        only one task's timer ever runs. Activating a done or skipped task reopens it."""
        with self._lock:
            self._live()
            self._task(task_id)
            if self.state.active != task_id:
                if self.state.active is not None:
                    self._emit("task_paused", task=self.state.active, by=task_id)
                self._emit("task_activated", task=task_id)

    def deactivate(self) -> None:
        """Pause the active task (its timer stops) without ticking it."""
        with self._lock:
            if self.state.active is not None:
                self._emit("task_paused", task=self.state.active)

    def tick(self, task_id: str) -> None:
        """Mark a task done (stops its timer if it was active)."""
        with self._lock:
            self._live()
            self._task(task_id)
            if self.state_of(task_id) is not TaskState.DONE:
                self._emit("task_ticked", task=task_id)

    def untick(self, task_id: str) -> None:
        """Reopen a done or skipped task (back to TODO; its elapsed time is kept)."""
        with self._lock:
            self._live()
            self._task(task_id)
            if self.state_of(task_id) in (TaskState.DONE, TaskState.SKIPPED):
                self._emit("task_unticked", task=task_id)

    def skip(self, task_id: str) -> None:
        """Mark a task skipped (stops its timer if it was active)."""
        with self._lock:
            self._live()
            self._task(task_id)
            if self.state_of(task_id) is not TaskState.SKIPPED:
                self._emit("task_skipped", task=task_id)

    def tick_step(self, task_id: str, step: int) -> None:
        """Mark manual step `step` (index into the task's `manual_steps`) as done."""
        with self._lock:
            self._live()
            self._check_step(task_id, step)
            if step not in self.steps_done(task_id):
                self._emit("step_ticked", task=task_id, step=step)

    def untick_step(self, task_id: str, step: int) -> None:
        with self._lock:
            self._live()
            self._check_step(task_id, step)
            if step in self.steps_done(task_id):
                self._emit("step_unticked", task=task_id, step=step)

    def _check_step(self, task_id: str, step: int) -> None:
        node = self._task(task_id)
        if not 0 <= step < len(node.manual_steps):
            raise SessionError(
                f"{self.plan.source}:{node.line}: {node.title!r} has no manual step {step + 1}"
            )

    def _node(self, node_id: str) -> Node:
        node = self.plan.find(node_id)
        if node is None:
            raise SessionError(f"no node {node_id!r} in plan {self.plan.source}")
        return node

    def add_note(self, text: str, task_id: str | None = None) -> Note:
        """A note on the session (None), or on a plan node (usually a task, but a phase or step
        is accepted). Secrets in it are masked before it is written."""
        with self._lock:
            title = self._node(task_id).title if task_id is not None else None
            text = text.strip()
            if not text:
                raise SessionError("an empty note was not recorded")
            self._emit("note", task=task_id, title=title, text=self.redact(text))
            return self.state.notes[-1]

    def record_cluster(
        self, context: str | None, namespace: str | None, *, sandbox: bool = False, problem: str = ""
    ) -> None:
        """Which cluster this run of the session landed on (at start and at every resume), so the
        transcript says where each part of the work happened."""
        with self._lock:
            if self.state.ended or self.journal.closed:
                return
            self._emit("cluster", context=context, namespace=namespace, sandbox=sandbox, problem=problem)

    def first_notice(self, key: str) -> bool:
        """True the first time `key` is asked for in this session (journaled, so a resume does not
        repeat it): a toast such as "its check is now true" is shown once per task."""
        with self._lock:
            if key in self.state.notices or self.state.ended or self.journal.closed:
                return False
            self._emit("notice", key=key)
            return True

    # ---- commands and metrics -----------------------------------------------------------------

    def record_command_started(
        self,
        run_id: str,
        task_id: str | None,
        cmd: str,
        context: str | None = None,
        namespace: str | None = None,
        gate: Mapping[str, Any] | None = None,
    ) -> Path:
        """A command began, offered by plan node `task_id` (a task, or any node; None for one
        typed by hand). Returns the side file its (redacted) output is written to.

        `run_id` is the caller's handle for `record_output`/`record_command_finished` and must be
        unique among runs still open. A handle already used earlier in the session (a counter
        that restarted after a resume) is journaled under a fresh id (`run-1.2`), so
        `CommandRun.run_id` may differ from the handle. `gate` is what the gate decided (see
        `GateFacts`: kind, verdict, who confirmed and when, the session mode, the plan command
        an edit came from), journaled with the start."""
        with self._lock:
            if run_id in self._runs:
                raise SessionError(f"command run {run_id!r} is still running")
            title = self._node(task_id).title if task_id is not None else None
            journal_id, n = run_id, 1
            while journal_id in self.state.runs:
                n += 1
                journal_id = f"{run_id}.{n}"
            path = new_output_file(self.session_dir, safe_name(journal_id))
            self._emit(
                "command_started",
                run=journal_id,
                task=task_id,
                title=title,
                cmd=self.redact(cmd),
                context=context,
                namespace=namespace,
                output=path.relative_to(self.session_dir).as_posix(),
                **_gate_fields(gate),
            )
            redactor = StreamRedactor.for_command(cmd, self.secrets, namespace)
            self._runs[run_id] = (journal_id, OutputFile(path, redactor, self.redact(cmd)))
            return path

    def record_command_refused(
        self,
        task_id: str | None,
        cmd: str,
        reason: str,
        context: str | None = None,
        namespace: str | None = None,
        gate: Mapping[str, Any] | None = None,
    ) -> CommandRun:
        """A command the operator asked for was not run: `reason` says why ("refused: read-only
        session", "declined by operator"). Journaled like a run, with no output and no exit code."""
        with self._lock:
            title = self._node(task_id).title if task_id is not None else None
            n = 1
            while f"refused-{n}" in self.state.runs:
                n += 1
            run_id = f"refused-{n}"
            self._emit(
                "command_refused",
                run=run_id,
                task=task_id,
                title=title,
                cmd=self.redact(cmd),
                reason=reason,
                context=context,
                namespace=namespace,
                **_gate_fields(gate),
            )
            return self.state.runs[run_id]

    def record_output(self, run_id: str, text: str) -> Written:
        """Output of a running command: redacted and appended to its side file (not the journal)
        before this returns, the incomplete last line included (replaced when its rest comes).
        Returns what was written, redacted: what a screen may show of it."""
        with self._lock:
            if run_id not in self._runs:
                raise SessionError(f"command run {run_id!r} is not running")
            _journal_id, run = self._runs[run_id]
            try:
                return run.feed(text)
            except OSError as exc:
                raise SessionError(f"{run.path}: output not saved ({exc.strerror})") from None

    def record_command_finished(
        self,
        run_id: str,
        exit_code: int | None,
        duration: float,
        cancelled: bool = False,
        error: str | None = None,
    ) -> CommandRun:
        """A command ended: its side file is closed and the journal gets the exit code, duration and
        an excerpt (the last lines) of the output."""
        with self._lock:
            if run_id not in self._runs:
                raise SessionError(f"command run {run_id!r} is not running")
            journal_id, run = self._runs[run_id]
            try:
                run.close()
            except OSError as exc:
                raise SessionError(f"{run.path}: output not saved ({exc.strerror})") from None
            self._emit(
                "command_finished",
                run=journal_id,
                exit_code=exit_code,
                duration=round(float(duration), 3),
                cancelled=cancelled,
                error=self.redact(error) if error else None,
                output_bytes=run.bytes,
                excerpt=read_excerpt(run.path),
            )
            del self._runs[run_id]
            return self.state.runs[journal_id]

    def record_metrics(self, which: str, values: dict[str, Any]) -> None:
        """Metric values for the transcript: `which` is "baseline" (at start) or "end". Values
        other than text and numbers (Decimal, datetime...) are recorded as text."""
        if which not in ("baseline", "end"):
            raise SessionError(f"metrics are 'baseline' or 'end', not {which!r}")
        plain = {
            str(k): v if v is None or isinstance(v, str | int | float | bool) else str(v)
            for k, v in values.items()
        }
        with self._lock:
            self._emit("metrics", which=which, values=plain)

    # ---- queries ------------------------------------------------------------------------------

    def now(self) -> float:
        """Active session seconds so far (pauses excluded)."""
        return self.clock.now()

    def state_of(self, task_id: str) -> TaskState:
        return self.state.state_of(task_id)

    @property
    def active_task(self) -> Node | None:
        return self.plan.find(self.state.active) if self.state.active else None

    def steps_done(self, task_id: str) -> set[int]:
        rec = self.state.tasks.get(task_id)
        return set(rec.steps_done) if rec else set()

    def notes(self, task_id: str | None = None, *, all_notes: bool = False) -> list[Note]:
        """Notes on `task_id` (session-wide notes when None), or every note with `all_notes`."""
        with self._lock:
            return [n for n in self.state.notes if all_notes or n.task_id == task_id]

    def runs(self, task_id: str | None = None) -> list[CommandRun]:
        """Command runs in start order, of one task when `task_id` is given."""
        with self._lock:
            return [r for r in self.state.runs.values() if task_id is None or r.task_id == task_id]

    def elapsed(self, node_id: str | None = None) -> float:
        """Active seconds spent on a task, or on the tasks under a phase/section; the whole
        session when `node_id` is None."""
        with self._lock:
            now = self.clock.now()
            if node_id is None:
                return now
            return sum(self.state.elapsed_of(tid, now) for tid in self.outline.task_ids_under(node_id))

    def estimate(self, node_id: str | None = None) -> tuple[float, float] | None:
        """Estimate in minutes (min, max): the node's own box, else the sum of its children's."""
        return self.outline.estimate(node_id)

    def verdict(self, node_id: str | None = None) -> Verdict | None:
        """UNDER, NEAR (>= 80% of the max) or OVER (> max); None when there is no estimate."""
        box = self.estimate(node_id)
        return verdict_for(self.elapsed(node_id), box[1] if box else None)

    def remaining(self, node_id: str | None = None) -> tuple[float, float]:
        """Estimated seconds (min, max) still needed for the open tasks under `node_id`."""
        now = self.clock.now()
        lo = hi = 0.0
        learned = self.learned() if self.use_learned else {}
        for tid, (bmin, bmax) in self.outline.timed_units(node_id):
            if self.state_of(tid) in (TaskState.DONE, TaskState.SKIPPED):
                continue
            if tid in learned:
                bmin, bmax = learned[tid].box()
            spent = self.state.elapsed_of(tid, now)
            lo += max(0.0, bmin * 60 - spent)
            hi += max(0.0, bmax * 60 - spent)
        return lo, hi

    def projected_finish(self, node_id: str | None = None) -> tuple[datetime, datetime]:
        """Wall-clock times (earliest, latest) the open tasks under `node_id` should be done by."""
        lo, hi = self.remaining(node_id)
        wall = self.clock.wall()
        return datetime.fromtimestamp(wall + lo).astimezone(), datetime.fromtimestamp(wall + hi).astimezone()

    def focus(self) -> str | None:
        """The group being worked on: the phase (else the top-level section) holding the active or
        last touched task; None before any task was touched. Pass it to `remaining`,
        `projected_finish`, `elapsed` and `verdict` for figures about the work at hand rather
        than the whole plan (a plan like the seed holds many alternative sessions)."""
        anchor = self.state.active or self.state.last_touched
        return self.group_of(anchor) if anchor else None

    def group_of(self, node_id: str) -> str | None:
        """The phase holding `node_id` (itself if a phase), else its top-level section."""
        node = self.outline.nodes.get(node_id)
        top = node
        while node is not None:
            if node.kind == "phase":
                return node.id
            top = node
            node = self.outline.nodes.get(node.parent) if node.parent else None
        return top.id if top is not None else None

    def next_open_task(self) -> Node | None:
        """The next TODO task in plan order after the active (or last touched) task, wrapping."""
        order = self.plan.tasks()
        if not order:
            return None
        anchor = self.state.active or self.state.last_touched
        ids = [n.id for n in order]
        start = ids.index(anchor) + 1 if anchor in ids else 0
        for node in order[start:] + order[:start]:
            if node.id != self.state.active and self.state_of(node.id) in (TaskState.TODO, TaskState.PAUSED):
                return node
        return None

    def poll_overruns(self) -> list[Node]:
        """Tasks and phases that went over their box since the last poll, each reported once ever
        (the fact is journaled, so a resumed session does not report it again)."""
        with self._lock:
            if self.state.ended or self.journal.closed:
                return []
            found: list[Node] = []
            for node in self._timed_nodes():
                if node.id in self.state.overrun:
                    continue
                if self.verdict(node.id) is Verdict.OVER:
                    self._emit("overrun", node=node.id, elapsed=round(self.elapsed(node.id), 3))
                    found.append(node)
            return found

    def _timed_nodes(self) -> Iterator[Node]:
        for node in self.plan.walk():
            if node.kind in (NodeKind.TASK, NodeKind.PHASE) and node.id in self.outline.nodes:
                yield node


def _read(journal_path: Path) -> JournalContents:
    try:
        return read_journal(Path(journal_path))
    except JournalError as exc:
        raise SessionError(str(exc)) from None


def _gate_fields(gate: Mapping[str, Any] | None) -> dict[str, Any]:
    """The gate's facts as journal fields (text redacted, like the command itself)."""
    if not gate:
        return {}
    return {"gate": {k: redact(v) if isinstance(v, str) else v for k, v in gate.items()}}


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")
