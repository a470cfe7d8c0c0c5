"""Session transcripts: GitHub-flavoured Markdown rendered from a journal alone.

Header (plan, kube context, operator, start and end), metrics baseline and end, session notes,
per task the estimate against the actual time with each command's exit code, duration and an
output excerpt (the full output is the side file, linked relatively), and a closing table of
estimate against actual with totals and the overrun. Every text taken from the journal is passed
through redaction again, so even a journal written by something else cannot leak a secret here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cockpit.paths import write_private
from cockpit.session.journal import JOURNAL_NAME
from cockpit.session.output import ends_cut, read_excerpt
from cockpit.session.redact import redact, redact_line
from cockpit.session.report import BUNDLED, STATE_LABEL, SessionFacts, clean_output, metric_samples, plan_file
from cockpit.session.state import CommandRun, SessionState, TaskState, verdict_for
from cockpit.session.timeline import timeline

TRANSCRIPT_NAME = "transcript.md"
CUT_NOTE = "✂ *the last line was cut: the cockpit stopped before its end (kept as far as it came)*"


@dataclass(slots=True)
class Transcript:
    """A rendered transcript: the Markdown text and the warnings met reading the journal."""

    markdown: str
    warnings: list[str]


def fmt_duration(seconds: float | None) -> str:
    """12s, 4m 05s, 1h 02m."""
    if seconds is None:
        return "–"
    if seconds < 10:
        return f"{seconds:.1f}s"
    total = round(seconds)
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def fmt_minutes(box: tuple[float, float] | None) -> str:
    if box is None:
        return "–"
    lo, hi = (f"{v:g}" for v in box)
    return f"{lo} min" if lo == hi else f"{lo}–{hi} min"


def fmt_wall(wall: float | None, with_date: bool = True) -> str:
    if wall is None:
        return "–"
    moment = datetime.fromtimestamp(wall, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if with_date else "%H:%M:%S")


def _cell(text: str) -> str:
    return redact_line(text).replace("|", "\\|").replace("\n", " ").strip()


def _fence(body: str, lang: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    ticks = "`" * (longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


PREVIEW_LINES = 30


def _subject(run: CommandRun) -> str:
    """The command as a console line, or a pane action as its `⎈ verb kind ns/name` label."""
    if run.is_action:
        return _fence(redact(run.cmd).strip(), "text")
    return _fence("$ " + redact(run.cmd).strip(), "console")


def _preview_shown(run: CommandRun) -> list[str]:
    """The preview the confirmation showed (what the operator saw before answering), if any."""
    preview = str(run.gate.get("preview") or "")
    if not preview:
        return []
    lines = preview.splitlines()
    if len(lines) > PREVIEW_LINES:
        lines = [*lines[:PREVIEW_LINES], f"… {len(lines) - PREVIEW_LINES} more lines in the journal"]
    body = "\n".join(lines)
    if preview.startswith("preview unavailable"):
        why = preview.removeprefix("preview unavailable: ")
        return ["", f"The confirmation had no preview: {_cell(why)}"]
    return ["", "Preview shown in the confirmation:", "", _fence(redact(body), "diff")]


def gate_facts(run: CommandRun) -> list[str]:
    """What the gate recorded: who confirmed and when, where the command came from."""
    gate = run.gate
    facts = []
    if gate.get("confirmed_by"):
        when = fmt_wall(gate.get("confirmed_wall"), False)
        facts.append(f"confirmed by {_cell(str(gate['confirmed_by']))} at {when}")
    elif gate.get("verdict") == "read-only" and not run.refused:
        facts.append("read-only, no confirmation needed")
    if gate.get("edited_from"):
        facts.append(f"edited from `{_cell(str(gate['edited_from']))}`")
    elif gate.get("origin") == "ad-hoc":
        facts.append("typed on the command line")
    if gate.get("mode") == "read-only session":
        facts.append("read-only session")
    return facts


def _over(elapsed: float, box: tuple[float, float] | None) -> str:
    if box is None:
        return "–"
    diff = elapsed - box[1] * 60
    if diff > 0:
        return f"+{fmt_duration(diff)} over"
    return f"{fmt_duration(-diff)} under"


class _Renderer(SessionFacts):
    def __init__(self, state: SessionState, session_dir: Path, out_dir: Path) -> None:
        super().__init__(state, session_dir)
        self.out_dir = out_dir
        self.samples: dict[str, int] = {}

    def link(self, run: CommandRun) -> str:
        target = (self.session_dir / run.output).resolve()
        out = f"[full output]({self.relative(target)})"
        cast = target.with_suffix(".cast")
        if cast.is_file():
            out += f" · [replay]({self.relative(cast)}) (asciinema)"
        return out

    def relative(self, target: Path) -> str:
        rel = Path(os.path.relpath(target, self.out_dir.resolve())).as_posix()
        return rel.replace(" ", "%20")

    def render(self) -> str:
        parts = [self.render_header()]
        metrics = self.render_metrics()
        if metrics:
            parts.append(metrics)
        session_notes = [n for n in self.state.notes if n.task_id is None]
        if session_notes:
            parts.append("## Notes\n\n" + "\n".join(self.note_line(n.text, n.wall) for n in session_notes))
        worked = self.worked_tasks()
        parts.append(self.render_tasks(worked))
        other = self.render_other(set(worked))
        if other:
            parts.append(other)
        parts.append(self.render_summary(worked))
        return "\n\n".join(parts).rstrip() + "\n"

    def render_header(self) -> str:
        h = self.header
        title = _cell(str(h.get("plan_title") or "plan"))
        sha = str(h.get("plan_sha256") or "")
        name, bundled = plan_file(h)
        plan = f"`{_cell(name)}`" + (BUNDLED if bundled else "") + (f" (sha256 `{sha[:12]}`)" if sha else "")
        started = float(h.get("started_wall", 0.0))
        if self.state.ended:
            ended = fmt_wall(self.state.ended_wall)
        else:
            ended = f"not ended (journal stops at {fmt_wall(self.state.last_wall)})"
        wall_span = self.wall_span()
        rows = [
            ("Plan", plan),
            ("Kube context", f"`{_cell(str(h.get('context')))}`" if h.get("context") else "–"),
            ("Namespace", f"`{_cell(str(h.get('namespace')))}`" if h.get("namespace") else "–"),
            ("Operator", _cell(str(h.get("operator") or "–"))),
            ("Started", fmt_wall(started)),
            ("Ended", ended),
            (
                "Active time",
                f"{fmt_duration(self.now_t)} (wall {fmt_duration(wall_span)})",
            ),
            ("cockpit", str(h.get("cockpit", "?"))),
        ]
        if h.get("rehearsal"):
            rows.insert(0, ("Rehearsal", f"on the sandbox scenario `{_cell(str(h['rehearsal']))}`"))
        if self.state.reopened:
            resumes = []
            for event in self.state.reopened:
                where = f" on `{_cell(str(event['cluster']))}`" if event.get("cluster") else ""
                at = fmt_wall(float(event.get("wall", 0.0)), with_date=False)
                resumes.append(f"{at}{where} after {fmt_duration(float(event.get('gap', 0)))}")
            rows.append(("Resumed", f"{len(self.state.reopened)}×: " + "; ".join(resumes)))
        table = "| | |\n|---|---|\n" + "\n".join(f"| **{k}** | {v} |" for k, v in rows)
        return f"# Session transcript: {title}\n\n{table}"

    def render_metrics(self) -> str:
        plan_metrics = {str(m.get("name")): m for m in self.header.get("plan_metrics", [])}
        baseline = self.state.metrics.get("baseline", {})
        end = self.state.metrics.get("end", {})
        names = list(dict.fromkeys([*plan_metrics, *baseline, *end]))
        if not names or not (baseline or end):
            return ""
        lines = [
            "## Metrics",
            "",
            "| Metric | Plan: current | Plan: target | Baseline | End | Samples |",
            "|---|---|---|---|---|---|",
        ]
        for name in names:
            pm = plan_metrics.get(name, {})
            cells = [
                name,
                str(pm.get("current", "–")),
                str(pm.get("target", "–")),
                str(baseline.get(name, "–")),
                str(end.get(name, "–")),
                str(self.samples.get(name, 0)),
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return "\n".join(lines)

    def note_line(self, text: str, wall: float) -> str:
        body = redact(text).strip()
        stamp = f"- {fmt_wall(wall, with_date=False)} —"
        if re.search(r"^\s*(?:`{3,}|~{3,})", body, re.M):
            # a note holding a code fence is shown verbatim, so it cannot swallow what follows
            return f"{stamp}\n\n" + "\n".join("  " + line for line in _fence(body, "text").split("\n"))
        return f"{stamp} " + body.replace("\n", "\n  ")

    def path_of(self, node_id: str) -> str:
        return " › ".join(_cell(title) for title in self.path_titles(node_id))

    def render_tasks(self, worked: list[str]) -> str:
        if not worked:
            return "## Tasks\n\nNo task was started, ticked or skipped."
        out = ["## Tasks"]
        for tid in worked:
            node = self.outline.nodes[tid]
            box = self.outline.estimate(tid)
            elapsed = self.elapsed(tid)
            verdict = verdict_for(elapsed, box[1] if box else None)
            status = STATE_LABEL[self.state.state_of(tid)]
            head = f"### {_cell(node.title)}"
            facts = [
                f"**{status}**",
                f"{fmt_duration(elapsed)} against {fmt_minutes(box)}",
            ]
            if verdict is not None:
                facts.append(f"{verdict.value.upper()} ({_over(elapsed, box)})")
            where = self.path_of(tid)
            block = [
                head,
                "",
                " · ".join(facts) + (f"  \n_{where}_ · plan line {node.line}" if where else ""),
            ]
            steps = self.steps(tid)
            if any(step["done"] for step in steps):
                done = sum(step["done"] for step in steps)
                block += ["", f"Manual steps ({done} of {len(steps)} done):", ""]
                block += [f"- [{'x' if step['done'] else ' '}] {_cell(step['text'])}" for step in steps]
            notes = [n for n in self.state.notes if n.task_id == tid]
            if notes:
                block += ["", "Notes:", "", *(self.note_line(n.text, n.wall) for n in notes)]
            runs = [r for r in self.state.runs.values() if r.task_id == tid]
            for run in runs:
                block += ["", self.render_run(run)]
            out.append("\n".join(block))
        return "\n\n".join(out)

    def render_other(self, worked: set[str]) -> str:
        """Commands and notes on phases, steps, or nodes not in the outline, and typed commands."""
        groups: dict[str | None, tuple[str, list[str]]] = {}
        for run in self.state.runs.values():
            if run.task_id is not None and run.task_id in worked:
                continue
            title = self.title_of(run.task_id, run.title)
            groups.setdefault(run.task_id, (title, []))[1].append(self.render_run(run))
        for note in self.state.notes:
            if note.task_id is None or note.task_id in worked:
                continue
            title = self.title_of(note.task_id, note.title)
            groups.setdefault(note.task_id, (title, []))[1].append(self.note_line(note.text, note.wall))
        if not groups:
            return ""
        out = ["## Other commands and notes"]
        for title, blocks in groups.values():
            out.append(f"### {title}\n\n" + "\n\n".join(blocks))
        return "\n\n".join(out)

    def title_of(self, node_id: str | None, recorded: str | None) -> str:
        if node_id is None:
            return "Typed by hand"
        node = self.outline.nodes.get(node_id)
        return _cell(node.title if node else (recorded or node_id))

    def render_run(self, run: CommandRun) -> str:
        if run.refused:
            where = " · ".join(f"`{_cell(v)}`" for v in (run.context, run.namespace) if v)
            facts = [f"**not run: {_cell(run.refused)}**", f"at {fmt_wall(run.started_wall, False)}"]
            if where:
                facts.append(where)
            facts += gate_facts(run)
            return "\n".join([" · ".join(facts), "", _subject(run), *_preview_shown(run)])
        if run.finished:
            if run.error:
                outcome = f"error: {_cell(run.error)}"
            elif run.cancelled:
                outcome = f"cancelled (exit {run.exit_code})" if run.exit_code is not None else "cancelled"
            else:
                outcome = f"exit {run.exit_code}"
        else:
            outcome = "no end recorded (interrupted)"
        where = " · ".join(f"`{_cell(v)}`" for v in (run.context, run.namespace) if v)
        facts = [f"**{outcome}**", fmt_duration(run.duration), f"started {fmt_wall(run.started_wall, False)}"]
        if where:
            facts.append(where)
        facts += gate_facts(run)
        if run.output:
            size = run.output_bytes or self.side_size(run)
            facts.append(f"{self.link(run)} ({size} bytes)")
        lines = [" · ".join(facts), "", _subject(run), *_preview_shown(run)]
        excerpt = run.excerpt if run.finished else self.side_excerpt(run)
        excerpt = clean_output(excerpt)
        if excerpt:
            lines += ["", _fence(excerpt, "text")]
        stopped = not run.finished or (run.error or "").startswith("interrupted")
        if run.output and stopped and ends_cut(self.session_dir / run.output):
            lines += ["", CUT_NOTE]
        return "\n".join(lines)

    def side_size(self, run: CommandRun) -> int:
        try:
            return (self.session_dir / run.output).stat().st_size
        except OSError:
            return 0

    def side_excerpt(self, run: CommandRun) -> str:
        return read_excerpt(self.session_dir / run.output)

    def render_phases(self, worked: set[str]) -> str:
        """Phases the worked tasks belong to: the declared box, the sum of the task boxes (both
        kept when they differ), and the time spent."""
        rows = [
            f"| {_cell(p['title'])} | {fmt_minutes(_pair(p['declared_minutes']))} "
            f"| {fmt_minutes(_pair(p['tasks_minutes']))} | {fmt_duration(p['actual_seconds'])} "
            f"| {_over(p['actual_seconds'], _pair(p['estimate_minutes']))} |"
            for p in self.phases(worked)
        ]
        if not rows:
            return ""
        head = "| Phase | Declared box | Sum of its tasks | Actual | Over / under |\n|---|---|---|---|---|"
        return head + "\n" + "\n".join(rows)

    def render_summary(self, worked: list[str]) -> str:
        lines = [
            "## Estimate against actual",
            "",
            "| Task | State | Estimate | Actual | Over / under |",
            "|---|---|---|---|---|",
        ]
        est_lo = est_hi = actual = over = 0.0
        for tid in worked:
            node = self.outline.nodes[tid]
            box = self.outline.estimate(tid)
            elapsed = self.elapsed(tid)
            skipped = self.state.state_of(tid) is TaskState.SKIPPED
            if box is not None and not skipped:  # a skipped task's estimate was not spent
                est_lo += box[0]
                est_hi += box[1]
                over += max(0.0, elapsed - box[1] * 60)
            actual += elapsed
            status = STATE_LABEL[self.state.state_of(tid)]
            lines.append(
                f"| {_cell(node.title)} | {status} | {fmt_minutes(box)} | {fmt_duration(elapsed)} "
                f"| {_over(elapsed, box)} |"
            )
        total_box = (est_lo, est_hi) if est_hi else None
        lines.append(
            f"| **Total** | {len(worked)} tasks | **{fmt_minutes(total_box)}** | **{fmt_duration(actual)}** "
            f"| **{_over(actual, total_box)}** |"
        )
        untouched = len(self.outline.task_ids_under(None)) - len(worked)
        phases = self.render_phases(set(worked))
        if phases:
            lines += ["", phases]
        lines += [
            "",
            f"Overrun summed over the tasks that went over their box: **{fmt_duration(over)}**. "
            f"Session active time: **{fmt_duration(self.now_t)}**"
            + (f"; {untouched} plan tasks were not touched." if untouched else "."),
        ]
        return "\n".join(lines)


def _pair(box: list[float] | None) -> tuple[float, float] | None:
    return (box[0], box[1]) if box else None


def render_timeline(rows: list[tuple[float, float, str]]) -> str:
    """A folded `<details>` table (GitHub renders it collapsed) of everything that happened."""
    lines = [
        "<details>",
        f"<summary>Timeline ({len(rows)} events)</summary>",
        "",
        "| Time (UTC) | Session clock | What |",
        "|---|---|---|",
    ]
    for wall, t, text in rows:
        what = text.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {fmt_wall(wall, with_date=False)} | {fmt_clock(t)} | {what} |")
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def fmt_clock(seconds: float) -> str:
    """Active session time as H:MM:SS."""
    total = int(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def render_transcript(journal_path: Path, out_path: Path | None = None) -> Transcript:
    """Render the transcript of a journal; links to output side files are relative to `out_path`
    (default: `transcript.md` next to the journal). Raises `JournalError` on a missing/corrupt one."""
    journal_path = Path(journal_path)
    facts, contents = SessionFacts.read(journal_path)
    out_path = Path(out_path) if out_path else journal_path.parent / TRANSCRIPT_NAME
    renderer = _Renderer(facts.state, journal_path.parent, out_path.parent)
    renderer.samples = metric_samples(contents.events)
    markdown = renderer.render()
    markdown += "\n" + render_timeline(timeline(contents.header, contents.events))
    if contents.warnings:
        quoted = "\n".join(f"> ⚠ {_cell(w)}" for w in contents.warnings)
        first, rest = markdown.split("\n\n", 1)
        markdown = f"{first}\n\n{quoted}\n\n{rest}"
    return Transcript(markdown, contents.warnings)


def write_transcript(journal_path: Path, out_path: Path | None = None) -> tuple[Path, list[str]]:
    """Render and write a transcript; returns where it went and the journal warnings."""
    journal_path = Path(journal_path)
    if journal_path.is_dir():
        journal_path = journal_path / JOURNAL_NAME
    out = Path(out_path) if out_path else journal_path.parent / TRANSCRIPT_NAME
    if out.is_dir():
        out = out / TRANSCRIPT_NAME
    result = render_transcript(journal_path, out)
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(out, result.markdown)
    return out, result.warnings
