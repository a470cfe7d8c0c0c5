"""How a plan row looks: state icon, time box, elapsed-vs-box bar. Pure functions of plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.errors import StyleSyntaxError
from rich.style import Style
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
    """Theme colours the labels use (rich styles cannot read $variables). The defaults are the
    house dark theme's, for code that draws before a theme is known."""

    success: str = "#4FBF7A"
    warning: str = "#E0A030"
    error: str = "#E5534B"
    muted: str = "#8A94A3"
    accent: str = "#4C9BE8"
    series: tuple[str, ...] = ("#4C9BE8", "#E0A030", "#4FBF7A", "#B48EDB", "#56C2C2", "#E5534B")

    def style(self, role: str, *, bold: bool = False) -> str:
        """A Rich style for a role (`success`, `warning`, `error`, `muted`, `accent`; '' for none)."""
        colour = getattr(self, role, "") if role in ROLES else ""
        return f"bold {colour}".strip() if bold else colour


ROLES = frozenset({"success", "warning", "error", "muted", "accent"})
# distinct colours for interleaved series (a colour per pod in the Logs pane), from the theme
SERIES_VARIABLES = ("primary", "accent", "success", "secondary", "warning", "primary-lighten-2", "error")


def palette_from_variables(variables: Mapping[str, str]) -> Palette:
    """The Palette of a theme's design variables (`App.theme_variables`); a value Rich cannot
    parse keeps the default."""
    default = Palette()

    def colour(name: str, fallback: str) -> str:
        value = variables.get(name, "")
        try:
            Style.parse(value)
        except (StyleSyntaxError, ValueError):
            return fallback
        return value or fallback

    series = tuple(dict.fromkeys(colour(name, "") for name in SERIES_VARIABLES if colour(name, "")))
    return Palette(
        success=colour("success", default.success),
        warning=colour("warning", default.warning),
        error=colour("error", default.error),
        muted=colour("foreground-darken-3", default.muted),
        accent=colour("primary", default.accent),
        series=series or default.series,
    )


_palettes: dict[str, Palette] = {}


def palette_of(app: Any) -> Palette:
    """An app's Palette (the cockpit keeps one per theme), or one made from its theme's variables
    (`app.theme`, `app.theme_variables`: a Textual App)."""
    own = getattr(app, "palette", None)
    if isinstance(own, Palette):
        return own
    if app.theme not in _palettes:
        _palettes[app.theme] = palette_from_variables(app.theme_variables)
    return _palettes[app.theme]


def screen_text(text: str) -> str:
    """`text` without emoji presentation selectors (U+FE0F): with one, `⚠️` is one cell to the
    layout but two on most terminals, and everything right of it on that row slides by one
    (borders, the next pane's first letter drawn twice)."""
    return text.replace("\ufe0f", "")


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
    label.append(screen_text(node.title), style=title_style)
    return label
