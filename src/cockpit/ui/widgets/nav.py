"""The same movement keys in every list, table and log: j/k, g/G, ctrl+d/ctrl+u (half a page).

`nav_bindings(prefix)` gives the bindings (ids `prefix.down` ...), `half_page(widget, direction)`
moves a cursor widget's cursor, or scrolls a plain scrolling one, by half its height.
`NavDataTable` and `NavLog` are the stock widgets with those keys.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Log, OptionList, Tree


def nav_bindings(prefix: str, *, cursor: bool = True) -> list[BindingType]:
    """j/k move (the cursor, or the view), g/G go to the first/last, ctrl+d/ctrl+u half a page."""
    down, up = ("cursor_down", "cursor_up") if cursor else ("scroll_down", "scroll_up")
    return [
        Binding("j", down, "Down", show=False, id=f"{prefix}.down"),
        Binding("k", up, "Up", show=False, id=f"{prefix}.up"),
        Binding("g", "nav_first", "First", show=False, id=f"{prefix}.first"),
        Binding("G", "nav_last", "Last", show=False, id=f"{prefix}.last"),
        Binding("ctrl+d", "half_page(1)", "Half page down", show=False, id=f"{prefix}.half_down"),
        Binding("ctrl+u", "half_page(-1)", "Half page up", show=False, id=f"{prefix}.half_up"),
    ]


def half_page(widget: Any, direction: int) -> None:
    """Move by half the widget's height: the cursor of a table, list or tree; else the view."""
    step = max(1, widget.scrollable_content_region.height // 2) * direction
    if isinstance(widget, DataTable):
        if widget.row_count:
            widget.move_cursor(row=max(0, min(widget.row_count - 1, widget.cursor_row + step)))
    elif isinstance(widget, OptionList):
        if widget.option_count:
            current = widget.highlighted or 0
            widget.highlighted = max(0, min(widget.option_count - 1, current + step))
    elif isinstance(widget, Tree):
        widget.cursor_line = max(0, min(widget.last_line, widget.cursor_line + step))
    else:
        widget.scroll_relative(y=step, animate=False)


def go_end(widget: Any, last: bool) -> None:
    """g / G: the first or last row (cursor widgets), else the top or bottom of the view."""
    if isinstance(widget, DataTable):
        if widget.row_count:
            widget.move_cursor(row=widget.row_count - 1 if last else 0)
    elif isinstance(widget, OptionList):
        if widget.option_count:
            widget.highlighted = widget.option_count - 1 if last else 0
    elif isinstance(widget, Tree):
        widget.cursor_line = widget.last_line if last else 0
    elif last:
        widget.scroll_end(animate=False)
    else:
        widget.scroll_home(animate=False)


class NavMixin:
    """Adds the actions behind `nav_bindings` to a widget."""

    def action_half_page(self, direction: int) -> None:
        half_page(self, direction)

    def action_nav_first(self) -> None:
        go_end(self, last=False)

    def action_nav_last(self) -> None:
        go_end(self, last=True)


class NavDataTable(NavMixin, DataTable[Any]):
    BINDINGS = nav_bindings("table")


class NavLog(NavMixin, Log):
    BINDINGS = nav_bindings("log", cursor=False)
