"""Session state rebuilt from journal events: the one reducer shared by the engine and transcripts.

Every change to a session is an event (a dict, one JSONL line of the journal). `SessionState.apply`
folds events into state; the live `Session` applies each event right after it is journaled, and a
resume or a transcript replays the same events, so what is shown, resumed and rendered is exactly
what was recorded. Times in events: `t` is active session seconds (pauses excluded), `wall` epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

NEAR_FRACTION = 0.8


class TaskState(StrEnum):
    TODO = "todo"
    ACTIVE = "active"
    PAUSED = "paused"  # started, then left for another task: its time is kept, its timer stopped
    DONE = "done"
    SKIPPED = "skipped"

    @property
    def is_open(self) -> bool:
        """Not done or skipped: still to do, being done, or paused."""
        return self in (TaskState.TODO, TaskState.ACTIVE, TaskState.PAUSED)


class Verdict(StrEnum):
    """Elapsed time against a time box's max: UNDER, NEAR (>= 80%), OVER (> 100%)."""

    UNDER = "under"
    NEAR = "near"
    OVER = "over"


def verdict_for(elapsed_seconds: float, max_minutes: float | None) -> Verdict | None:
    """The verdict for `elapsed_seconds` against a box of `max_minutes` (None without a box)."""
    if max_minutes is None:
        return None
    limit = max_minutes * 60.0
    if elapsed_seconds > limit:
        return Verdict.OVER
    if elapsed_seconds >= NEAR_FRACTION * limit:
        return Verdict.NEAR
    return Verdict.UNDER


@dataclass(frozen=True, slots=True)
class OutlineNode:
    """What the journal header keeps of each plan node, so transcripts need no plan file."""

    id: str
    kind: str
    title: str
    line: int
    parent: str | None
    minutes: tuple[float, float] | None
    # a task's manual steps (redacted), so the transcript can say which were done
    steps: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "line": self.line,
            "parent": self.parent,
            "minutes": list(self.minutes) if self.minutes else None,
        }
        if self.steps:
            data["steps"] = list(self.steps)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutlineNode:
        minutes = data.get("minutes")
        return cls(
            id=str(data["id"]),
            kind=str(data["kind"]),
            title=str(data.get("title", "")),
            line=int(data.get("line", 0)),
            parent=data.get("parent"),
            minutes=(float(minutes[0]), float(minutes[1])) if minutes else None,
            steps=tuple(str(s) for s in data.get("steps") or ()),
        )


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    task_id: str | None
    wall: float
    t: float
    title: str | None = None  # the plan node's title when the note was taken


@dataclass(slots=True)
class CommandRun:
    """One command run as recorded: `output` is the side file, relative to the session folder."""

    run_id: str
    task_id: str | None
    cmd: str
    context: str | None
    namespace: str | None
    output: str
    started_wall: float
    started_t: float
    exit_code: int | None = None
    duration: float | None = None
    cancelled: bool = False
    error: str | None = None
    finished: bool = False
    output_bytes: int = 0
    excerpt: str = ""
    title: str | None = None  # the title of the plan node that offered the command
    refused: str | None = None  # why it was never run ("refused: read-only session", "declined by operator")
    gate: dict[str, Any] = field(default_factory=dict)  # what the gate decided (see session.gate.GateFacts)

    @property
    def is_action(self) -> bool:
        """A pane action (`⎈ hard refresh application argocd/x`), not a shell command."""
        return self.gate.get("kind") == "action"

    @property
    def status(self) -> str:
        """refused (never run), running, ok, failed, cancelled, error, or interrupted (a crash)."""
        if self.refused:
            return "refused"
        if not self.finished:
            return "running"
        if self.error:
            return "error"
        if self.cancelled:
            return "cancelled"
        return "ok" if self.exit_code == 0 else "failed"


@dataclass(slots=True)
class TaskRecord:
    state: TaskState = TaskState.TODO
    elapsed: float = 0.0  # closed intervals only; the active interval is added by `elapsed_of`
    active_since: float | None = None
    steps_done: set[int] = field(default_factory=set)
    touched_t: float = -1.0


@dataclass(slots=True)
class SessionState:
    """Everything a session knows, folded from its events."""

    header: dict[str, Any]
    outline: list[OutlineNode] = field(default_factory=list)
    tasks: dict[str, TaskRecord] = field(default_factory=dict)
    active: str | None = None
    last_touched: str | None = None
    paused: bool = False
    ended: bool = False
    ended_wall: float | None = None
    last_t: float = 0.0
    last_wall: float = 0.0
    seq: int = 0
    notes: list[Note] = field(default_factory=list)
    runs: dict[str, CommandRun] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)  # "baseline"/"end" -> values
    overrun: set[str] = field(default_factory=set)
    reopened: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)  # where each start/resume landed
    notices: set[str] = field(default_factory=set)  # notices shown once per session (check met...)

    @classmethod
    def from_header(cls, header: dict[str, Any]) -> SessionState:
        outline = [OutlineNode.from_json(n) for n in header.get("outline", [])]
        state = cls(header=header, outline=outline)
        state.last_wall = float(header.get("started_wall", 0.0))
        for node in outline:
            if node.kind == "task":
                state.tasks[node.id] = TaskRecord()
        return state

    def task(self, task_id: str) -> TaskRecord:
        return self.tasks.setdefault(task_id, TaskRecord())

    def state_of(self, task_id: str) -> TaskState:
        rec = self.tasks.get(task_id)
        return rec.state if rec else TaskState.TODO

    def elapsed_of(self, task_id: str, now_t: float) -> float:
        rec = self.tasks.get(task_id)
        if rec is None:
            return 0.0
        if rec.active_since is not None:
            return rec.elapsed + max(0.0, now_t - rec.active_since)
        return rec.elapsed

    def _close_active(self, t: float) -> None:
        if self.active is None:
            return
        rec = self.task(self.active)
        if rec.active_since is not None:
            rec.elapsed += max(0.0, t - rec.active_since)
            rec.active_since = None
        if rec.state is TaskState.ACTIVE:
            rec.state = TaskState.PAUSED
        self.active = None

    def _remap(self, event: dict[str, Any]) -> None:
        """The plan file changed under a resumed session: adopt its outline and move what was
        recorded against old ids to the matching new ids (`map`); unmatched records are dropped
        from the checklist (their commands and notes stay, filed under no task)."""
        mapping: dict[str, str] = {str(k): str(v) for k, v in event.get("map", {}).items()}

        def move(old: str | None) -> str | None:
            return None if old is None else mapping.get(old)

        self.outline = [OutlineNode.from_json(n) for n in event.get("outline", [])]
        tasks: dict[str, TaskRecord] = {n.id: TaskRecord() for n in self.outline if n.kind == "task"}
        for old_id, rec in self.tasks.items():
            new_id = move(old_id)
            if new_id is not None:
                tasks[new_id] = rec
        self.tasks = tasks
        self.active = move(self.active)
        self.last_touched = move(self.last_touched)
        self.overrun = {m for m in (move(o) for o in self.overrun) if m is not None}
        self.notes = [
            Note(n.text, move(n.task_id), n.wall, n.t, n.title) if n.task_id is not None else n
            for n in self.notes
        ]
        for run in self.runs.values():
            if run.task_id is not None:
                run.task_id = move(run.task_id)

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one event in. Unknown event types are ignored (newer journals stay readable)."""
        kind = event.get("type")
        t = float(event.get("t", self.last_t))
        self.last_t = max(self.last_t, t)
        self.last_wall = float(event.get("wall", self.last_wall))
        self.seq = int(event.get("seq", self.seq))
        task_id = event.get("task")
        if kind == "task_activated" and task_id:
            if self.active != task_id:
                self._close_active(t)
            rec = self.task(task_id)
            rec.state = TaskState.ACTIVE
            if rec.active_since is None:
                rec.active_since = t
            self.active = task_id
            rec.touched_t = t
            self.last_touched = task_id
        elif kind in ("task_ticked", "task_skipped", "task_unticked") and task_id:
            if self.active == task_id:
                self._close_active(t)
            rec = self.task(task_id)
            rec.state = {
                "task_ticked": TaskState.DONE,
                "task_skipped": TaskState.SKIPPED,
                "task_unticked": TaskState.TODO,
            }[kind]
            rec.touched_t = t
            self.last_touched = task_id
        elif kind in ("task_paused", "task_deactivated") and task_id:
            if self.active == task_id:
                self._close_active(t)
        elif kind in ("step_ticked", "step_unticked") and task_id:
            steps = self.task(task_id).steps_done
            step = int(event.get("step", -1))
            if kind == "step_ticked":
                steps.add(step)
            else:
                steps.discard(step)
        elif kind == "note":
            title = event.get("title")
            self.notes.append(Note(str(event.get("text", "")), task_id, self.last_wall, t, title))
        elif kind == "paused":
            self.paused = True
        elif kind == "unpaused":
            self.paused = False
        elif kind == "plan_changed":
            self._remap(event)
        elif kind == "notice" and event.get("key"):
            self.notices.add(str(event["key"]))
        elif kind == "cluster":
            self.clusters.append(event)
        elif kind == "reopened":
            self.reopened.append(event)
            self.ended = False
        elif kind == "ended":
            self._close_active(t)
            self.ended = True
            self.ended_wall = self.last_wall
        elif kind == "command_started":
            run_id = str(event["run"])
            self.runs[run_id] = CommandRun(
                run_id=run_id,
                task_id=task_id,
                cmd=str(event.get("cmd", "")),
                context=event.get("context"),
                namespace=event.get("namespace"),
                output=str(event.get("output", "")),
                started_wall=self.last_wall,
                started_t=t,
                title=event.get("title"),
                gate=dict(event.get("gate") or {}),
            )
        elif kind == "command_refused":
            run_id = str(event["run"])
            self.runs[run_id] = CommandRun(
                run_id=run_id,
                task_id=task_id,
                cmd=str(event.get("cmd", "")),
                context=event.get("context"),
                namespace=event.get("namespace"),
                output="",
                started_wall=self.last_wall,
                started_t=t,
                finished=True,
                title=event.get("title"),
                refused=str(event.get("reason") or "not run"),
                gate=dict(event.get("gate") or {}),
            )
        elif kind == "command_finished":
            run = self.runs.get(str(event.get("run")))
            if run is not None:
                run.finished = True
                run.exit_code = event.get("exit_code")
                run.duration = event.get("duration")
                run.cancelled = bool(event.get("cancelled", False))
                run.error = event.get("error")
                run.output_bytes = int(event.get("output_bytes", 0))
                run.excerpt = str(event.get("excerpt", ""))
        elif kind == "metrics":
            which = str(event.get("which", "baseline"))
            self.metrics.setdefault(which, {}).update(event.get("values", {}))
        elif kind == "overrun" and event.get("node"):
            self.overrun.add(str(event["node"]))
