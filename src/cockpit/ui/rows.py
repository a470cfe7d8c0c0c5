"""How a plan row looks: state icon, time box, elapsed-vs-box bar. Pure functions of plain data."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from cockpit.plan.model import Node, NodeKind, TimeBox

ICONS = {"todo": "○", "active": "▶", "paused": "⏸", "done": "✓", "skipped": "⤼"}
BAR_CELLS = 5
WARN_AT = 0.8


@dataclass(frozen=True, slots=True)
class RowState:
    """What the session says about one node, as the UI needs it."""

    status: str = "todo"  # todo | active | paused | done | skipped
    elapsed: float = 0.0  # seconds worked on it
    timebox: TimeBox | None = None


@dataclass(frozen=True, slots=True)
class Palette:
    """Theme colours the labels use (rich styles cannot read $variables)."""

    success: str = "green"
    warning: str = "yellow"
    error: str = "red"
    muted: str = "grey50"
    accent: str = "cyan"


def box_text(timebox: TimeBox | None) -> str:
    if timebox is None:
        return ""
    lo, hi = timebox.min_minutes, timebox.max_minutes
    fig = f"{lo:g}m" if lo == hi else f"{lo:g}-{hi:g}m"
    return fig + (" each" if timebox.each else "")


def ratio(elapsed: float, timebox: TimeBox | None) -> float | None:
    """Elapsed against the upper bound of the box (1.0 = the box is used up)."""
    if timebox is None or timebox.max_minutes <= 0:
        return None
    return elapsed / (timebox.max_minutes * 60.0)


def bar_style(fraction: float, palette: Palette) -> str:
    if fraction > 1.0:
        return palette.error
    if fraction >= WARN_AT:
        return palette.warning
    return palette.success


def bar(fraction: float, palette: Palette, cells: int = BAR_CELLS) -> Text:
    filled = min(cells, round(min(fraction, 1.0) * cells))
    if fraction > 0 and filled == 0:
        filled = 1
    text = Text("▰" * filled, style=bar_style(fraction, palette))
    text.append("▱" * (cells - filled), style=palette.muted)
    return text


def clock(seconds: float) -> str:
    """12:05 for minutes:seconds, 1:02:05 past the hour."""
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def row_label(node: Node, state: RowState, palette: Palette) -> Text:
    """`✓ 10m ▰▰▱▱▱ 1.1 Cloudflare Access bypass`: the figures first so a narrow pane crops the title."""
    label = Text()
    if node.kind is NodeKind.TASK:
        icon_style = {
            "done": palette.success,
            "active": palette.accent,
            "paused": palette.warning,
            "skipped": palette.muted,
        }.get(state.status, "")
        label.append(ICONS.get(state.status, "○") + " ", style=icon_style)
    fraction = ratio(state.elapsed, state.timebox)
    box = box_text(state.timebox)
    if box:
        label.append(f"{box:>6} ", style=palette.muted)
        if fraction is not None and (state.elapsed > 0 or node.kind is NodeKind.TASK):
            label.append_text(bar(fraction, palette))
            label.append(" ")
    title_style = "bold" if node.kind in (NodeKind.SECTION, NodeKind.PHASE) else ""
    if state.status in ("done", "skipped"):
        title_style = f"{palette.muted} strike" if state.status == "skipped" else palette.muted
    label.append(node.title, style=title_style)
    return label
