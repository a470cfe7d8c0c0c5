"""The session as structured data, built from the journal alone: what the JSON transcript is, and what
the HTML report draws. Schema: `transcript.schema.json` beside this file (JSON Schema 2020-12),
`"schema": "cockpit-transcript/1"` in every document. Every text is redacted again here.

`SessionFacts` holds the figures every format shares (time per task and group, what was worked,
where a node sits), so that Markdown, JSON and HTML never disagree.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.session.journal import JournalContents, read_journal
from cockpit.session.outline import Outline
from cockpit.session.output import read_excerpt
from cockpit.session.redact import redact, redact_line
from cockpit.session.state import CommandRun, SessionState, TaskState, verdict_for
from cockpit.session.timeline import timeline

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
SCHEMA = "cockpit-transcript/1"
SCHEMA_FILE = Path(__file__).with_name("transcript.schema.json")
STATE_LABEL = {
    TaskState.DONE: "done",
    TaskState.SKIPPED: "skipped",
    TaskState.ACTIVE: "in progress",
    TaskState.TODO: "open",
    TaskState.PAUSED: "paused",
}


def iso(wall: float | None) -> str | None:
    if wall is None:
        return None
    return datetime.fromtimestamp(wall, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


BUNDLED = " (bundled with cockpit)"


def relative_plan(header: dict[str, Any]) -> str:
    """The plan file as the operator named it: relative to the folder the session was opened in
    when it lies below it, else its absolute path; the plan shipped with cockpit by its name."""
    path, bundled = plan_file(header)
    return path + (BUNDLED if bundled else "")


def plan_file(header: dict[str, Any]) -> tuple[str, bool]:
    """`relative_plan` in two parts, the file name and whether cockpit shipped it (so that a page
    sets only the file name as code)."""
    path = str(header.get("plan_path") or "")
    if header.get("plan_bundled"):
        return Path(path).name, True
    opened = header.get("opened_in")
    if path and opened:
        try:
            rel = os.path.relpath(path, opened)
        except ValueError:
            rel = path
        if not rel.startswith(".."):
            return rel, False
    return path, False


class SessionFacts:
    """Figures of one session folded from its journal."""

    def __init__(self, state: SessionState, session_dir: Path) -> None:
        self.state = state
        self.header = state.header
        self.outline = Outline(state.outline)
        self.session_dir = session_dir
        self.now_t = state.last_t

    @classmethod
    def read(cls, journal_path: Path) -> tuple[SessionFacts, JournalContents]:
        contents = read_journal(journal_path)
        state = SessionState.from_header(contents.header)
        for event in contents.events:
            state.apply(event)
        return cls(state, journal_path.parent), contents

    def elapsed(self, node_id: str | None) -> float:
        if node_id is None:
            return self.now_t
        return sum(self.state.elapsed_of(t, self.now_t) for t in self.outline.task_ids_under(node_id))

    def wall_span(self) -> float:
        """Wall-clock seconds from the start to the end (or the journal's last event); never less
        than the active time, which excludes pauses and so cannot be longer."""
        started = float(self.header.get("started_wall", 0.0))
        span = (self.state.ended_wall or self.state.last_wall) - started
        return max(span, self.now_t)

    def worked(self, task_id: str) -> bool:
        rec = self.state.tasks.get(task_id)
        touched = rec is not None and (
            rec.state is not TaskState.TODO or rec.touched_t >= 0 or bool(rec.steps_done)
        )
        return (
            touched
            or self.elapsed(task_id) > 0
            or any(r.task_id == task_id for r in self.state.runs.values())
            or any(n.task_id == task_id for n in self.state.notes)
        )

    def worked_tasks(self) -> list[str]:
        return [tid for tid in self.outline.task_ids_under(None) if self.worked(tid)]

    def path_titles(self, node_id: str) -> list[str]:
        names: list[str] = []
        node = self.outline.nodes.get(node_id)
        while node is not None and node.parent is not None:
            node = self.outline.nodes.get(node.parent)
            if node is not None:
                names.append(node.title)
        return list(reversed(names))

    def over_seconds(self, elapsed: float, box: tuple[float, float] | None) -> float | None:
        return None if box is None else elapsed - box[1] * 60

    def phases(self, worked: set[str]) -> list[dict[str, Any]]:
        """The phases the worked tasks belong to: declared box, sum of their tasks, time spent.
        Only phases: a section holding several alternative sessions says nothing about this one."""
        rows = []
        for nid in self.outline.walk(None):
            node = self.outline.nodes[nid]
            if node.kind != "phase" or not worked.intersection(self.outline.task_ids_under(nid)):
                continue
            kids = self.outline.children.get(nid, [])
            boxes = [b for b in (self.outline.estimate(k) for k in kids) if b is not None]
            summed = (sum(b[0] for b in boxes), sum(b[1] for b in boxes)) if boxes else None
            if node.minutes is None and summed is None:
                continue
            elapsed = self.elapsed(nid)
            rows.append(
                {
                    "id": nid,
                    "title": redact_line(node.title),
                    "declared_minutes": list(node.minutes) if node.minutes else None,
                    "tasks_minutes": list(summed) if summed else None,
                    "estimate_minutes": _box(self.outline.estimate(nid)),
                    "actual_seconds": round(elapsed, 1),
                    "over_seconds": _round(self.over_seconds(elapsed, self.outline.estimate(nid))),
                }
            )
        return rows

    def steps(self, task_id: str) -> list[dict[str, Any]]:
        """The task's manual steps with whether each was ticked (texts come from the outline)."""
        node = self.outline.nodes.get(task_id)
        texts = list(node.steps) if node is not None else []
        rec = self.state.tasks.get(task_id)
        done = rec.steps_done if rec else set()
        count = max(len(texts), max(done, default=-1) + 1)
        return [
            {"text": redact_line(texts[i]) if i < len(texts) else f"step {i + 1}", "done": i in done}
            for i in range(count)
        ]

    def run_kind(self, run: CommandRun) -> str:
        return "action" if run.cmd.startswith("⎈") else "command"


def _drawn(line: str) -> str:
    if "\r" not in line:
        return line
    return next((part for part in reversed(line.split("\r")) if part), "")


def clean_output(text: str) -> str:
    """Output as it was drawn: colours dropped, carriage-return redraws resolved, redacted."""
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    # a bare CR redraws the line (progress bars): keep what was drawn last, but a CR with nothing
    # after it erases nothing (a PTY's last line ends "...\r" once the excerpt's "\n" is trimmed)
    lines = [_drawn(line) for line in text.split("\n")]
    return redact("\n".join(lines)).rstrip()


def _box(box: tuple[float, float] | None) -> list[float] | None:
    return list(box) if box is not None else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _run(facts: SessionFacts, run: CommandRun, out_dir: Path) -> dict[str, Any]:
    output = None
    size = run.output_bytes
    if run.output:
        target = (facts.session_dir / run.output).resolve()
        output = Path(os.path.relpath(target, out_dir.resolve())).as_posix()
        if not size:
            try:
                size = target.stat().st_size
            except OSError:
                size = 0
    cast = None
    if run.output:
        cast_path = (facts.session_dir / run.output).with_suffix(".cast")
        if cast_path.is_file():
            cast = Path(os.path.relpath(cast_path.resolve(), out_dir.resolve())).as_posix()
    excerpt = (
        run.excerpt if run.finished else read_excerpt(facts.session_dir / run.output) if run.output else ""
    )
    return {
        "id": run.run_id,
        "task": run.task_id,
        "kind": facts.run_kind(run),
        "command": redact(run.cmd).strip(),
        "status": run.status,
        "refused": run.refused,
        "exit_code": run.exit_code,
        "error": run.error,
        "started": iso(run.started_wall),
        "session_clock_seconds": round(run.started_t, 1),
        "duration_seconds": _round(run.duration),
        "context": run.context,
        "namespace": run.namespace,
        "output_file": output,
        "output_bytes": size,
        "cast_file": cast,
        "excerpt": clean_output(excerpt),
    }


def build_report(journal_path: Path, out_dir: Path | None = None) -> dict[str, Any]:
    """The whole session as one JSON-ready mapping (see SCHEMA_FILE); file links are relative to
    `out_dir` (default: the session folder)."""
    journal_path = Path(journal_path)
    facts, contents = SessionFacts.read(journal_path)
    return report_of(facts, contents, out_dir or journal_path.parent)


def report_of(facts: SessionFacts, contents: JournalContents, out_dir: Path) -> dict[str, Any]:
    state, header = facts.state, facts.header
    worked = facts.worked_tasks()
    tasks = []
    est_lo = est_hi = actual = overrun = 0.0
    for tid in worked:
        node = facts.outline.nodes[tid]
        box = facts.outline.estimate(tid)
        elapsed = facts.elapsed(tid)
        task_state = state.state_of(tid)
        verdict = verdict_for(elapsed, box[1] if box else None)
        if box is not None and task_state is not TaskState.SKIPPED:
            est_lo, est_hi = est_lo + box[0], est_hi + box[1]
            overrun += max(0.0, elapsed - box[1] * 60)
        actual += elapsed
        tasks.append(
            {
                "id": tid,
                "title": redact_line(node.title),
                "path": [redact_line(t) for t in facts.path_titles(tid)],
                "line": node.line,
                "state": STATE_LABEL[task_state],
                "estimate_minutes": _box(box),
                "actual_seconds": round(elapsed, 1),
                "verdict": verdict.value if verdict else None,
                "over_seconds": _round(facts.over_seconds(elapsed, box)),
                "steps": facts.steps(tid),
                "notes": [
                    {"at": iso(n.wall), "text": redact(n.text).strip()}
                    for n in state.notes
                    if n.task_id == tid
                ],
                "runs": [r.run_id for r in state.runs.values() if r.task_id == tid],
            }
        )
    plan_metrics = {str(m.get("name")): m for m in header.get("plan_metrics", [])}
    baseline, end = state.metrics.get("baseline", {}), state.metrics.get("end", {})
    samples = metric_samples(contents.events)
    metrics = [
        {
            "name": redact_line(name),
            "plan_current": _text(plan_metrics.get(name, {}).get("current")),
            "plan_target": _text(plan_metrics.get(name, {}).get("target")),
            "baseline": _text(baseline.get(name)),
            "end": _text(end.get(name)),
            "samples": samples.get(name, 0),
        }
        for name in dict.fromkeys([*plan_metrics, *baseline, *end])
    ]
    resumes = [
        {
            "at": iso(float(e.get("wall", 0.0))),
            "gap_seconds": round(float(e.get("gap", 0.0)), 1),
            "cluster": e.get("cluster"),
            "torn_line_skipped": bool(e.get("torn")),
        }
        for e in state.reopened
    ]
    untouched = len(facts.outline.task_ids_under(None)) - len(worked)
    return {
        "schema": SCHEMA,
        "session": {
            "plan_title": redact_line(str(header.get("plan_title") or "plan")),
            "plan": relative_plan(header),
            "plan_sha256": header.get("plan_sha256"),
            "context": header.get("context"),
            "namespace": header.get("namespace"),
            "operator": header.get("operator"),
            "cockpit": header.get("cockpit"),
            "rehearsal": header.get("rehearsal"),
            "started": iso(float(header.get("started_wall", 0.0))),
            "ended": iso(state.ended_wall) if state.ended else None,
            "journal_ends": iso(state.last_wall),
            "active_seconds": round(facts.now_t, 1),
            "wall_seconds": round(facts.wall_span(), 1),
            "resumes": resumes,
        },
        "tasks": tasks,
        "phases": facts.phases(set(worked)),
        "totals": {
            "tasks_worked": len(worked),
            "tasks_untouched": untouched,
            "estimate_minutes": [est_lo, est_hi] if est_hi else None,
            "actual_seconds": round(actual, 1),
            "overrun_seconds": round(overrun, 1),
        },
        "runs": [_run(facts, run, out_dir) for run in state.runs.values()],
        "notes": [
            {"at": iso(n.wall), "text": redact(n.text).strip()} for n in state.notes if n.task_id is None
        ],
        "metrics": metrics,
        "timeline": [
            {"at": iso(wall), "session_clock_seconds": round(t, 1), "text": text}
            for wall, t, text in timeline(contents.header, contents.events)
        ],
        "warnings": [redact_line(w) for w in contents.warnings],
    }


def metric_samples(events: list[dict[str, Any]]) -> dict[str, int]:
    """How many times each metric was recorded (the timeline shows only the baseline and the end)."""
    samples: dict[str, int] = {}
    for event in events:
        if event.get("type") == "metrics":
            for name in event.get("values", {}):
                samples[name] = samples.get(name, 0) + 1
    return samples


def _text(value: Any) -> str | None:
    return None if value is None else redact_line(str(value))
