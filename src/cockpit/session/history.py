"""Estimates that learn: every ended session adds the actual time of each task it finished to a
local history (`history.jsonl` in cockpit's data folder, 0600), and later sessions of the same plan
show what the task usually takes beside the plan's own estimate: `10m · usually 14m (3 runs)`.

Identity survives small edits: a plan is known by its title, a task by its title with numbering,
time boxes and punctuation taken away (`1.1 Fix ACME (10 min)` and `Fix ACME` are one task), and a
retitled task is still matched when its words are nearly the same (difflib ratio >= 0.8) or when it
kept its place in the plan and most of its words. Rehearsal times (sessions on a sandbox scenario)
are kept apart from real ones and shown only when there is nothing else.
"""

from __future__ import annotations

import difflib
import os
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from cockpit.plan.model import Node, Plan, TimeBox
from cockpit.plan.timebox import format_minutes
from cockpit.session.state import SessionState, TaskState

HISTORY_NAME = "history.jsonl"
SIMILAR = 0.8  # difflib ratio above which two task identities are the same task
SAME_PLACE_SIMILAR = 0.5  # ... enough when the task also kept its node id

_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^\w]+")
_LABELS = frozenset({"step", "task", "phase", "priority", "part", "stage"})


def identity(title: str) -> str:
    """A task or plan title reduced to the words that name it: no numbering or label in front
    (`1.1`, `Task 3:`, `**Step 4.**`), no parenthesised box, no punctuation or figures."""
    words = _NON_WORD.sub(" ", _PARENS.sub(" ", title).lower().replace("_", " ")).split()
    while words and (words[0] in _LABELS or words[0].isdigit()):
        words.pop(0)
    return " ".join(w for w in words if not w.isdigit())


@dataclass(frozen=True, slots=True)
class Actual:
    """One finished task of one session."""

    plan: str  # identity(plan title)
    task: str  # identity(task title)
    node_id: str
    title: str
    seconds: float
    estimate: tuple[float, float] | None  # the plan's box then, minutes
    session: str  # the session's folder name: a resumed session replaces its earlier entries
    wall: float
    rehearsal: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "task": self.task,
            "node": self.node_id,
            "title": self.title,
            "seconds": round(self.seconds, 1),
            "estimate": list(self.estimate) if self.estimate else None,
            "session": self.session,
            "wall": round(self.wall, 1),
            "rehearsal": self.rehearsal,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Actual:
        box = data.get("estimate")
        return cls(
            plan=str(data["plan"]),
            task=str(data["task"]),
            node_id=str(data.get("node", "")),
            title=str(data.get("title", data["task"])),
            seconds=float(data["seconds"]),
            estimate=(float(box[0]), float(box[1])) if box else None,
            session=str(data.get("session", "")),
            wall=float(data.get("wall", 0.0)),
            rehearsal=bool(data.get("rehearsal", False)),
        )


@dataclass(frozen=True, slots=True)
class Usual:
    """What a task has taken before."""

    runs: int
    median_seconds: float
    low_seconds: float
    high_seconds: float
    rehearsal: bool  # only rehearsal times are known

    def text(self) -> str:
        """`usually 14m (3 runs)`; `rehearsed 12m (1 run)` when only rehearsals are known."""
        word = "rehearsed" if self.rehearsal else "usually"
        runs = "1 run" if self.runs == 1 else f"{self.runs} runs"
        minutes = max(1, round(self.median_seconds / 60))
        return f"{word} {format_minutes(TimeBox(minutes, minutes))} ({runs})"

    def box(self) -> tuple[float, float]:
        """The learned box in minutes (the median at both ends): what the projection uses."""
        minutes = max(1.0, self.median_seconds / 60)
        return minutes, minutes


class History:
    """The history file: appended to at the end of each session, read at the start of the next."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def actuals(self) -> list[Actual]:
        """Every recorded actual, the latest entry winning for the same session and task."""
        if not self.path.is_file():
            return []
        latest: dict[tuple[str, str, str], Actual] = {}
        for line in self.path.read_bytes().splitlines():
            try:
                actual = Actual.from_json(orjson.loads(line))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError):
                continue  # a torn or foreign line: the rest still counts
            latest[(actual.plan, actual.session, actual.node_id)] = actual
        return list(latest.values())

    def record(self, actuals: Iterable[Actual]) -> int:
        lines = b"".join(orjson.dumps(a.to_json()) + b"\n" for a in actuals)
        if not lines:
            return 0
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, lines)
        finally:
            os.close(fd)
        return lines.count(b"\n")

    def learned(self, plan: Plan) -> dict[str, Usual]:
        """Task id -> what it usually takes, for the tasks of `plan` the history knows."""
        key = identity(plan.title)
        mine = [a for a in self.actuals() if a.plan == key]
        if not mine:
            return {}
        by_task: dict[str, list[Actual]] = {}
        for actual in mine:
            by_task.setdefault(actual.task, []).append(actual)
        out: dict[str, Usual] = {}
        for task in _tasks(plan):
            found = _match(identity(task.title), task.id, by_task)
            if found:
                out[task.id] = _usual(found)
        return out


def _tasks(plan: Plan) -> Iterator[Node]:
    return iter(plan.tasks())


def _match(task_key: str, node_id: str, by_task: dict[str, list[Actual]]) -> list[Actual]:
    if task_key in by_task:
        return by_task[task_key]
    best, best_ratio = None, 0.0
    for key, actuals in by_task.items():
        ratio = difflib.SequenceMatcher(None, task_key, key).ratio()
        same_place = any(a.node_id == node_id for a in actuals)
        if (ratio >= SIMILAR or (same_place and ratio >= SAME_PLACE_SIMILAR)) and ratio > best_ratio:
            best, best_ratio = key, ratio
    return by_task[best] if best is not None else []


def _usual(actuals: list[Actual]) -> Usual:
    real = [a for a in actuals if not a.rehearsal]
    use = real or actuals
    seconds = [a.seconds for a in use]
    return Usual(
        runs=len(use),
        median_seconds=statistics.median(seconds),
        low_seconds=min(seconds),
        high_seconds=max(seconds),
        rehearsal=not real,
    )


def session_actuals(
    plan: Plan, state: SessionState, now_t: float, session: str, wall: float, rehearsal: bool
) -> list[Actual]:
    """The finished tasks of one session (done, with time spent on them) as history entries."""
    key = identity(plan.title)
    out = []
    for task in plan.tasks():
        if state.state_of(task.id) is not TaskState.DONE:
            continue
        seconds = state.elapsed_of(task.id, now_t)
        if seconds < 1:
            continue
        box = task.timebox
        out.append(
            Actual(
                plan=key,
                task=identity(task.title),
                node_id=task.id,
                title=task.title,
                seconds=seconds,
                estimate=(box.min_minutes, box.max_minutes) if box is not None else None,
                session=session,
                wall=wall,
                rehearsal=rehearsal,
            )
        )
    return out
