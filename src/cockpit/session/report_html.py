"""The session as one self-contained HTML page (no network: styles, data and the chart script are
inline): header, estimate-against-actual chart per task and phase, metrics before and after, the
timeline, and every command with its output in a collapsible block. Built from `build_report`, so it
says exactly what the JSON and Markdown transcripts say, redacted the same way.

Colours never carry meaning alone: over-estimate bars are also hatched and labelled "over".
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from cockpit.session.report import BUNDLED, clean_output
from cockpit.session.transcript import fmt_duration, fmt_minutes

METRIC_KEYS = ("name", "plan_current", "plan_target", "baseline", "end")
FULL_OUTPUT_LIMIT = 64 * 1024  # side files up to this size are embedded whole, larger ones linked

_ASSETS = Path(__file__).parent


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


_CODE = re.compile(r"``\s?(.+?)\s?``|`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    """The timeline's Markdown (its `code` and **bold**, as the Markdown transcript writes them) as
    HTML, escaped: the page shows a command as code, not wrapped in backticks and asterisks."""
    spans: list[str] = []

    def code(match: re.Match[str]) -> str:
        spans.append(f"<code>{_e(match.group(1) or match.group(2))}</code>")
        return f"\x00{len(spans) - 1}\x00"

    marked = _BOLD.sub(r"<strong>\1</strong>", _e(_CODE.sub(code, text.replace("\x00", ""))))
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], marked)


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in pairs)


def _box(value: list[float] | None) -> str:
    return fmt_minutes((value[0], value[1]) if value else None)


def render_html(report: dict[str, Any], out_dir: Path) -> str:
    s = report["session"]
    plan = str(s["plan"])
    bundled = plan.endswith(BUNDLED)  # the file name as code, the note beside it as text
    plan_cell = f"<code>{_e(plan.removesuffix(BUNDLED))}</code>" + (_e(BUNDLED) if bundled else "")
    facts = [
        ("Plan", plan_cell),
        ("Kube context", _e(s.get("context") or "–")),
        ("Namespace", _e(s.get("namespace") or "–")),
        ("Operator", _e(s.get("operator") or "–")),
        ("Started", _e(s["started"])),
        ("Ended", _e(s["ended"] or f"not ended (journal stops at {s['journal_ends']})")),
        ("Active time", f"{fmt_duration(s['active_seconds'])} (wall {fmt_duration(s['wall_seconds'])})"),
    ]
    for resume in s["resumes"]:
        where = f" on <code>{_e(resume['cluster'])}</code>" if resume.get("cluster") else ""
        facts.append(("Resumed", f"{_e(resume['at'])}{where} after {fmt_duration(resume['gap_seconds'])}"))
    parts = [f"<h1>Session transcript: {_e(s['plan_title'])}</h1>"]
    if s.get("rehearsal"):
        parts.append(
            f'<p class="rehearsal">Rehearsal on the sandbox scenario <code>{_e(s["rehearsal"])}</code>.</p>'
        )
    parts.append(f'<table class="facts">{_rows(facts)}</table>')
    totals = report["totals"]
    parts.append(
        "<h2>Estimate against actual</h2>"
        '<p class="legend"><span><i class="swatch est"></i>estimate (max)</span>'
        '<span><i class="swatch ok"></i>actual</span>'
        '<span><i class="swatch over"></i>actual, over the estimate (hatched)</span></p>'
        '<div id="estimate-chart"></div>'
        f"<p>{totals['tasks_worked']} tasks worked, {totals['tasks_untouched']} not touched; "
        f"estimate {_box(totals['estimate_minutes'])}, actual {fmt_duration(totals['actual_seconds'])}, "
        f"overrun {fmt_duration(totals['overrun_seconds'])}.</p>"
    )
    task_rows = "".join(
        f"<tr><td>{_e(t['title'])}</td><td>{_e(t['state'])}</td><td>{_box(t['estimate_minutes'])}</td>"
        f"<td>{fmt_duration(t['actual_seconds'])}</td>"
        f'<td class="{"over" if (t["over_seconds"] or 0) > 0 else ""}">{_over(t["over_seconds"])}</td></tr>'
        for t in report["tasks"]
    )
    parts.append(
        "<table><tr><th>Task</th><th>State</th><th>Estimate</th><th>Actual</th><th>Over / under</th></tr>"
        f"{task_rows}</table>"
    )
    if report["metrics"]:
        metric_rows = "".join(
            "<tr>"
            + "".join(f"<td>{_e(m[key] or '–')}</td>" for key in METRIC_KEYS)
            + f"<td>{m['samples']}</td></tr>"
            for m in report["metrics"]
        )
        parts.append(
            "<h2>Metrics before and after</h2><table><tr><th>Metric</th><th>Plan: current</th>"
            f"<th>Plan: target</th><th>Baseline</th><th>End</th><th>Samples</th></tr>{metric_rows}</table>"
        )
    parts.append("<h2>Commands and actions</h2>" + (_runs(report, out_dir) or "<p>No command was run.</p>"))
    timeline = "".join(
        f"<tr><td>{_e(row['at'])}</td><td>{_clock(row['session_clock_seconds'])}</td><td>{_inline(row['text'])}</td></tr>"
        for row in report["timeline"]
    )
    head = "<tr><th>Time (UTC)</th><th>Session clock</th><th>What</th></tr>"
    parts.append(f"<h2>Timeline</h2><table>{head}{timeline}</table>")
    data = json.dumps(report, ensure_ascii=False).replace("</", "<\\/")
    title = f"Session transcript: {_e(s['plan_title'])}"
    head = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head>{head}<title>{title}</title>'
        f"<style>{_asset('report.css')}</style></head><body>"
        + "\n".join(parts)
        + f'<script type="application/json" id="report-data">{data}</script>'
        + f"<script>{_asset('report.js')}</script></body></html>\n"
    )


def _over(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"+{fmt_duration(seconds)} over" if seconds > 0 else f"{fmt_duration(-seconds)} under"


def _clock(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _runs(report: dict[str, Any], out_dir: Path) -> str:
    titles = {t["id"]: t["title"] for t in report["tasks"]}
    blocks = []
    for run in report["runs"]:
        if run["status"] == "refused":
            outcome = f"not run: {run['refused']}"
        elif run["error"]:
            outcome = f"error: {run['error']}"
        elif run["status"] == "running":
            outcome = "no end recorded"
        else:
            outcome = f"{run['status']}, exit {run['exit_code']}"
        took = f" · {fmt_duration(run['duration_seconds'])}" if run["duration_seconds"] is not None else ""
        where = " · ".join(_e(v) for v in (run["context"], run["namespace"]) if v)
        task = titles.get(run["task"], "typed by hand" if run["task"] is None else run["task"])
        body = _e(run["excerpt"]) or '<span class="muted">no output</span>'
        full = _embedded(run, out_dir)
        if full is not None:
            body = _e(full)
        links = []
        if run["output_file"]:
            links.append(f'<a href="{_e(run["output_file"])}">full output</a> ({run["output_bytes"]} bytes)')
        if run["cast_file"]:
            links.append(f'<a href="{_e(run["cast_file"])}">asciinema recording</a>')
        mark = "⎈ " if run["kind"] == "action" else "$ "
        blocks.append(
            f"<details><summary><code>{_e(mark + run['command'].splitlines()[0] if run['command'] else mark)}"
            f"</code> — {_e(outcome)}{took}</summary>"
            f'<p class="muted">{_e(task)} · started {_e(run["started"])}{" · " + where if where else ""}'
            f"{' · ' + ' · '.join(links) if links else ''}</p>"
            f"<pre><code>{_e(run['command'])}</code></pre><pre>{body}</pre></details>"
        )
    return "\n".join(blocks)


def _embedded(run: dict[str, Any], out_dir: Path) -> str | None:
    """The whole side file when it is small enough to carry in the page (it is redacted already)."""
    if not run["output_file"] or not 0 < run["output_bytes"] <= FULL_OUTPUT_LIMIT:
        return None
    try:
        text = (out_dir / run["output_file"]).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return clean_output(text)
