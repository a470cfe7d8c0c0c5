"""The session's timeline: one line per thing that happened, for the end of the transcript."""

from __future__ import annotations

from typing import Any

from cockpit.session.redact import redact_line
from cockpit.session.state import SessionState

SKIPPED_EVENTS = {"checkpoint", "step_unticked"}


def _title(state: SessionState, node_id: Any) -> str:
    if node_id is None:
        return "the session"
    for node in state.outline:
        if node.id == node_id:
            return node.title
    return str(node_id)


def _describe(state: SessionState, event: dict[str, Any]) -> str | None:
    kind = event.get("type")
    task = event.get("task")
    if kind == "task_activated":
        return f"▶ started **{_title(state, task)}**"
    if kind == "task_ticked":
        return f"✔ done **{_title(state, task)}**"
    if kind == "task_skipped":
        return f"⤼ skipped **{_title(state, task)}**"
    if kind == "task_unticked":
        return f"↺ reopened **{_title(state, task)}**"
    if kind == "task_paused":
        by = event.get("by")
        return f"⏸ paused **{_title(state, task)}**" + (f" for **{_title(state, by)}**" if by else "")
    if kind == "cluster":
        where = event.get("context") or "no cluster"
        if event.get("namespace"):
            where += f"/{event['namespace']}"
        what = " (sandbox, started afresh)" if event.get("sandbox") else ""
        return f"⎈ on cluster **{where}**{what}" + (f": {event['problem']}" if event.get("problem") else "")
    if kind == "task_deactivated":
        return f"⏸ stopped working on **{_title(state, task)}**"
    if kind == "step_ticked":
        return f"☑ step {int(event.get('step', 0)) + 1} of **{_title(state, task)}**"
    if kind == "paused":
        return "⏸ session paused"
    if kind == "unpaused":
        return "▶ session running again"
    if kind == "reopened":
        return "↻ session resumed" + (" (torn last journal line skipped)" if event.get("torn") else "")
    if kind == "ended":
        return "■ session ended"
    if kind == "command_started":
        lines = str(event.get("cmd", "")).strip().splitlines()
        cmd = lines[-1] if lines else ""
        ticks = "``" if "`" in cmd else "`"
        return f"$ {ticks}{cmd}{ticks}" if ticks == "`" else f"$ {ticks} {cmd} {ticks}"
    if kind == "command_refused":
        lines = str(event.get("cmd", "")).strip().splitlines()
        cmd = (lines[-1] if lines else "").replace("`", "'")
        return f"⊘ not run: `{cmd}` ({event.get('reason', 'refused')})"
    if kind == "command_finished":
        if event.get("error"):
            return f"  ↳ {event['error']}"
        if event.get("cancelled"):
            return "  ↳ cancelled"
        took = event.get("duration")
        return f"  ↳ exit {event.get('exit_code')}" + (
            f" after {float(took):.1f}s" if took is not None else ""
        )
    if kind == "note":
        first = str(event.get("text", "")).strip().splitlines()
        where = f" on **{_title(state, task)}**" if task else ""
        return f"✎ note{where}: {first[0] if first else ''}"
    if kind == "overrun":
        return f"⚠ **{_title(state, event.get('node'))}** went over its time box"
    if kind == "metrics":
        return f"📈 metrics recorded ({event.get('which', 'baseline')})"
    if kind == "plan_changed":
        return "✎ plan file changed; recorded work moved to the matching tasks"
    return None


def timeline(header: dict[str, Any], events: list[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """(wall, active seconds, text) per event, titles resolved as the plan was at that moment."""
    state = SessionState.from_header(header)
    rows: list[tuple[float, float, str]] = []
    shown_metrics = _first_and_last_metrics(events)
    for n, event in enumerate(events):
        kind = event.get("type")
        hidden = kind in SKIPPED_EVENTS or (kind == "metrics" and n not in shown_metrics)
        text = None if hidden else _describe(state, event)
        state.apply(event)
        if text is not None:
            rows.append((float(event.get("wall", 0.0)), float(event.get("t", 0.0)), redact_line(text)))
    return rows


def _first_and_last_metrics(events: list[dict[str, Any]]) -> set[int]:
    """The panes journal their live values every so often: the timeline names the first baseline
    and the last end only (the metrics table counts every sample)."""
    baseline = next(
        (n for n, e in enumerate(events) if e.get("type") == "metrics" and e.get("which") != "end"), None
    )
    end = next(
        (
            n
            for n in range(len(events) - 1, -1, -1)
            if events[n].get("type") == "metrics" and events[n].get("which") == "end"
        ),
        None,
    )
    return {n for n in (baseline, end) if n is not None}
