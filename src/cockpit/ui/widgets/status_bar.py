"""One line at the bottom: target banner, session clock, active task timer, projected finish, kube target."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from cockpit.ui.rows import Palette, clock


@dataclass(frozen=True, slots=True)
class StatusInfo:
    session_seconds: float = 0.0
    paused: bool = False
    active_title: str | None = None
    active_seconds: float = 0.0
    active_box_minutes: float | None = None
    finish_group: str | None = None  # the phase at hand, e.g. "Phase 1"
    finish_at: str | None = None  # when it should be done, e.g. "14:35–14:50"; None: over its estimate
    context: str | None = None
    namespace: str | None = None
    sandbox: bool = False
    read_only: bool = False
    running: int = 0
    disconnected: str | None = None  # "DISCONNECTED 42s": no event from the API for that long
    zoomed: bool = False  # a pane is maximized: escape restores


def status_text(info: StatusInfo, palette: Palette, width: int = 200) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    gap = "  " if width >= 100 else " "  # narrow: every column goes to the figures
    if info.disconnected:
        line.append(f" {info.disconnected} ", style=f"bold reverse {palette.error}")
        line.append(" ")
    if info.sandbox:
        line.append(" SANDBOX ", style=f"bold reverse {palette.warning}")
        line.append(" ")
    if info.read_only:
        line.append(" READ-ONLY ", style=f"bold reverse {palette.accent}")
        line.append(" ")
    if info.paused:
        line.append(" PAUSED ", style=f"bold reverse {palette.error}")
        line.append(" ")
    line.append(f"⏱ {clock(info.session_seconds)}", style="bold")
    if info.active_title is not None:
        line.append(f"{gap}▶ ")
        spent = clock(info.active_seconds)
        if info.active_box_minutes:
            fraction = info.active_seconds / (info.active_box_minutes * 60)
            style = palette.error if fraction > 1 else palette.warning if fraction >= 0.8 else palette.success
            line.append(f"{spent}/{info.active_box_minutes:g}m", style=f"bold {style}")
        else:
            line.append(spent, style="bold")
        if width >= 100:  # narrower, the plan's highlighted row names it; the target must fit
            line.append(f" {info.active_title if width >= 120 else info.active_title[:18]}")
    if info.zoomed:
        line.append(f"{gap}⤢ esc restores", style=palette.accent)
    if info.running:
        line.append(f"{gap}⟳ {info.running}", style=palette.accent)
    target = info.context or "no kube context"
    if info.namespace:
        target += f"/{info.namespace}"
    # the target before the forecast: on a narrow screen the line is cut, and where commands land
    # matters more than when the phase should end
    line.append(f"{gap}⎈ {target}", style=palette.muted if info.context is None else "")
    if info.finish_group:
        if info.finish_at and width >= 100:
            line.append(f"{gap}{info.finish_group} done ≈ {info.finish_at}")
        elif info.finish_at:  # narrow: the latest time only
            line.append(f"{gap}{info.finish_group} by {info.finish_at.split('–')[-1]}")
        else:
            line.append(f"{gap}{info.finish_group} over its estimate", style=palette.warning)
    return line


class StatusBar(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = Palette()

    def show(self, info: StatusInfo) -> None:
        text = status_text(info, self.palette, self.size.width or 200)
        if text != self.content:  # the same line again (nothing ticked): no repaint
            self.update(text, layout=False)  # one line, always: no layout for a new clock figure
