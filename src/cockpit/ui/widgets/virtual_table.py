"""A keyed table for thousands of rows, rendered with the Line API (only the visible rows are drawn).

`VirtualTable.update(rows)` takes the rows in display order as (key, cells); `patch(changed,
order)` takes only the rows whose cells changed (and the new order, when it changed), so a caller
that knows what changed does work in proportion to the change, not to the table. Either way the
table repaints only the lines on screen that show another row or changed cells (nothing at all
when nothing on screen changed) and keeps a strip per drawn row in a cache. A row's cells are
compared by identity first, so a caller that reuses the tuple of an unchanged row costs one `is`.
Cells are kept as given (plain strings stay strings) and become Rich Text only when their row is
drawn: a first fill of 10k rows measures 90k cells but builds Text for the ~50 rows on screen.

Columns have a priority and a minimum width: when the table is narrower than the columns' natural
widths, the lowest-priority columns are dropped first, then the columns that may shrink (`cut`)
give up width down to their minimum, a long value cut at the end or in the middle with `…`.
Column widths are the widest value of the column over all rows (like kubectl), kept as a count of
widths per column so an update measures only the changed rows.

Keys: j/k or ↓/↑ move the cursor, g/G or home/end jump, ctrl+d/ctrl+u and pgdn/pgup move half /
a whole page, enter posts `RowSelected`. The cursor stays on its row (by key) when rows move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = str | Text
Row = tuple[str, Sequence[Cell]]
ELLIPSIS = "…"
GAP = 2  # blank cells between columns (DataTable pads each cell with one on either side)
CACHE_ROWS = 400


@dataclass(frozen=True, slots=True)
class Column:
    """One column. Higher `priority` stays longest when the table is narrow; `min_width` is what a
    shrinking column keeps; `cut` says how a long value is shortened ("end", "middle", or None for
    a column that never shrinks); `max_width` caps the natural width. A `wide` column is one of
    kubectl's `-o wide` kind (an extra, not one of the default columns): it is shown only in the
    room left once every default column shows its values whole."""

    key: str
    header: str
    priority: int = 0
    min_width: int = 4
    max_width: int | None = None
    cut: Literal["end", "middle"] | None = "end"
    align: Literal["left", "right"] = "left"
    wide: bool = False


def cell_width(cell: Cell) -> int:
    """The cells `cell` takes on screen, as Rich measures the Text it is drawn as."""
    if isinstance(cell, str):
        if cell.isascii() and cell.isprintable():
            return len(cell)  # the common case, without building a Text
        return Text(cell).cell_len  # control codes are stripped, wide characters count two
    return cell.cell_len


def as_text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def cut_text(text: Text, width: int, how: Literal["end", "middle"] | None) -> Text:
    """`text` fitted to at most `width` cells: cut at the end or in the middle with `…`."""
    if text.cell_len <= width:
        return text
    if width <= 1 or how is None:
        out = text.copy()
        out.truncate(width)
        return out
    if how == "middle":
        keep = width - 1
        head = keep - keep // 2
        tail = keep // 2
        plain = text.plain
        out = text[:head]
        out.append(ELLIPSIS)
        if tail:
            out.append_text(text[len(plain) - tail :])
        if out.cell_len > width:  # wide characters: fall back to a plain cut
            out.truncate(width)
        return out
    out = text.copy()
    out.truncate(width - 1)
    out.append(ELLIPSIS)
    return out


def cut_middle(value: str, width: int) -> str:
    """`value` with its middle replaced by `…` so it fits in `width` cells (names keep both ends)."""
    return cut_text(Text(value), width, "middle").plain


def layout(columns: Sequence[Column], natural: Sequence[int], width: int) -> list[tuple[int, int]]:
    """Which columns to show and how wide: [(column index, width)] in column order.

    Drop the lowest-priority columns (the later one first among equals) until the rest fit at their
    minimum widths; then hand out the space left by priority, highest first, up to each column's
    natural width (so a long message column is cut before a name is). `wide` columns take part
    only in the room the default ones leave once they all show their values whole: a name is
    never cut to make room for an extra."""
    want = [min(n, c.max_width) if c.max_width else n for c, n in zip(columns, natural, strict=True)]
    default = [i for i, c in enumerate(columns) if not c.wide] or list(range(len(columns)))
    widths = _fit(columns, want, default, width, keep=1)
    extras = [i for i in range(len(columns)) if i not in default]
    room = width - sum(widths.values()) - GAP * len(widths)  # the gap before the first extra too
    if extras and all(widths.get(i) == want[i] for i in default) and room > 0:
        widths.update(_fit(columns, want, extras, room, keep=0))
    return sorted(widths.items())


def _fit(
    columns: Sequence[Column], want: list[int], shown: list[int], width: int, keep: int
) -> dict[int, int]:
    """`shown` fitted in `width` as `layout` says, keeping at least `keep` columns."""
    least = [w if c.cut is None else min(w, c.min_width) for c, w in zip(columns, want, strict=True)]
    shown = list(shown)
    by_priority = sorted(shown, key=lambda i: (columns[i].priority, -i))

    def need(ix: list[int]) -> int:
        return sum(least[i] for i in ix) + GAP * max(0, len(ix) - 1)

    while len(shown) > keep and need(shown) > width:
        shown.remove(by_priority.pop(0))
    widths = {i: least[i] for i in shown}
    spare = width - need(shown)
    for i in reversed(by_priority):
        if spare <= 0:
            break
        give = min(spare, want[i] - widths[i])
        widths[i] += give
        spare -= give
    return widths


class VirtualTable(ScrollView, can_focus=True):
    """Rows keyed by a stable id, drawn line by line; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g,home", "cursor_first", "First row", show=False, id="table.first"),
        Binding("G,end", "cursor_last", "Last row", show=False, id="table.last"),
        Binding("ctrl+d", "half_page_down", "Half page down", show=False, id="table.half_down"),
        Binding("ctrl+u", "half_page_up", "Half page up", show=False, id="table.half_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("enter", "select", "Select", show=False, id="table.select"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--even-row",
    }
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; background: $surface; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; color: $foreground; }
    VirtualTable > .virtual-table--even-row { background: $surface-lighten-1 50%; }
    VirtualTable:dark > .virtual-table--even-row { background: $surface-darken-1 40%; }
    VirtualTable > .virtual-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)

    class RowHighlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: VirtualTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowSelected(Message):
        """Enter (or a click) on a row."""

        def __init__(self, table: VirtualTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        zebra_stripes: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(columns)
        self.zebra_stripes = zebra_stripes
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._source: dict[str, Sequence[Cell]] = {}  # the rows as given, by key (drawn from these)
        self._row_widths: dict[str, tuple[int, ...]] = {}  # and their widths (counted in `_widths`)
        self._widths: list[Counter[int]] = [Counter({cell_len(c.header): 1}) for c in self.columns]
        self._layout: list[tuple[int, int]] = []
        self._layout_for: tuple[int, tuple[int, ...]] = (-1, ())
        self._strips: dict[tuple[str, int], Strip] = {}
        self._header: Strip | None = None
        self._styles: tuple[Style, Style, Style, Style] | None = None
        self._cursor_key: str | None = None
        self.paints = 0  # rows rendered since mount (a measure of work, for tests and bench)

    # -- data -----------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def row_keys(self) -> list[str]:
        return list(self._keys)

    @property
    def cursor_key(self) -> str | None:
        return self._keys[self.cursor_row] if self._keys else None

    def get_column_index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def get_row(self, key: str) -> tuple[Text, ...]:
        return tuple(as_text(c) for c in self._source[key])

    def get_row_at(self, index: int) -> tuple[Text, ...]:
        return self.get_row(self._keys[index])

    def visible_keys(self) -> list[str]:
        """The keys of the rows on screen, top to bottom."""
        top = int(self.scroll_y)
        return self._keys[top : top + self._page()]

    def clear(self) -> None:
        self.update(())

    def update(self, rows: Iterable[Row]) -> None:
        """Show `rows` (key, cells) in this order; repaint only what changed."""
        keys: list[str] = []
        changed: dict[str, Sequence[Cell]] = {}
        source = self._source
        for key, cells in rows:
            keys.append(key)
            old = source.get(key)
            if old is not cells and old != cells:
                changed[key] = cells
        self.patch(changed, None if keys == self._keys else keys)

    def patch(self, changed: Mapping[str, Sequence[Cell]], order: Sequence[str] | None = None) -> None:
        """Set the cells of the `changed` rows; with `order`, the rows shown become exactly `order`
        (rows not in it are dropped; a new row must be in `changed`). Without `order`, a row in
        `changed` that is not shown is ignored. Repaints only the lines on screen that changed."""
        if not changed and order is None:
            return
        top = int(self.scroll_y)
        before = self._keys[top : top + self._page()]
        if order is not None:
            keys = list(order)
            index = dict(zip(keys, range(len(keys)), strict=True))
            for key in self._source.keys() - index.keys():
                self._forget(key)
            self._keys, self._index = keys, index
        fresh = [k for k in changed if k not in self._source and k in self._index]
        for key, cells in changed.items():
            if key in self._source:
                self._set_cells(key, cells)
        if fresh:  # new rows (a first fill: 10k) are measured a column at a time, Counter counts in C
            columns = [
                list(map(cell_width, [changed[k][i] for k in fresh])) for i in range(len(self.columns))
            ]
            for counter, widths in zip(self._widths, columns, strict=True):
                counter.update(widths)
            self._row_widths.update(zip(fresh, zip(*columns, strict=True), strict=True))
            self._source.update((k, changed[k]) for k in fresh)
        self._set_height(len(self._keys) + 1)
        if self._refresh_layout():
            self.refresh()
        else:
            after = self._keys[top : top + self._page()]
            lines = {y for y, (was, now) in enumerate(zip(before, after, strict=False)) if was != now}
            lines.update(range(min(len(before), len(after)), max(len(before), len(after))))
            index = self._index
            lines.update(y for k in changed if 0 <= (y := index.get(k, -1) - top) < len(after))
            for y in lines:
                self.refresh_line(top + y + 1)
        cursor_key = self._cursor_key
        if not self._keys:
            self._cursor_key = None
            self.set_reactive(VirtualTable.cursor_row, 0)
        elif cursor_key in self._index:
            self._move(self._index[cursor_key], scroll=False)
        else:
            self._move(min(self.cursor_row, len(self._keys) - 1), scroll=False)

    def _set_cells(self, key: str, cells: Sequence[Cell]) -> None:
        """New cells for a shown row: only the cells that differ are measured, the columns' width
        counts follow, its strips are dropped."""
        old = self._source[key]
        if old is cells:
            return
        was = self._row_widths[key]
        widths = tuple(
            w if c is o or c == o else cell_width(c) for c, o, w in zip(cells, old, was, strict=True)
        )
        for counter, a, b in zip(self._widths, was, widths, strict=True):
            if a != b:
                counter[b] += 1
                counter[a] -= 1
                if not counter[a]:
                    del counter[a]
        self._source[key] = cells
        self._row_widths[key] = widths
        self._drop_strips(key)

    def _forget(self, key: str) -> None:
        """Drop a row: its widths leave the columns' counts, its strips the cache."""
        del self._source[key]
        for counter, width in zip(self._widths, self._row_widths.pop(key), strict=True):
            counter[width] -= 1
            if not counter[width]:
                del counter[width]
        self._drop_strips(key)

    def _drop_strips(self, key: str) -> None:
        self._strips.pop((key, 0), None)
        self._strips.pop((key, 1), None)
        self._strips.pop((key, 2), None)

    def _set_height(self, height: int) -> None:
        """The scrollable height (rows + header). A taller or shorter table of the same width only
        moves the scrollbar: it needs no layout of the screen, unless the scrollbar appears or goes."""
        size = Size(self.virtual_size.width, height)
        old = self.virtual_size
        if size == old:
            return
        room = self.size.height + 2  # near the fold the scrollbar may come or go: let layout decide
        if old.height <= room or height <= room or not self.show_vertical_scrollbar:
            self.virtual_size = size
            return
        self.set_reactive(VirtualTable.virtual_size, size)
        self.vertical_scrollbar.window_virtual_size = height
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    # -- layout ---------------------------------------------------------------------------------

    def _natural(self) -> tuple[int, ...]:
        return tuple(max(counter) if counter else 0 for counter in self._widths)

    def _content_width(self) -> int:
        return sum(w for _i, w in self._layout) + GAP * max(0, len(self._layout) - 1)

    def _refresh_layout(self) -> bool:
        """Recompute the shown columns and widths; True when they changed (every strip is stale)."""
        width = self.scrollable_content_region.width or self.size.width
        wanted = (width, self._natural())
        if wanted == self._layout_for:
            return False
        self._layout_for = wanted
        new = layout(self.columns, wanted[1], max(width, 1))
        if new == self._layout:
            return False
        self._layout = new
        self._header = None
        self._strips.clear()
        self.virtual_size = Size(self._content_width(), len(self._keys) + 1)
        return True

    def on_resize(self) -> None:
        if self._refresh_layout():
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._header = None
        self._styles = None
        self._strips.clear()

    def _line_styles(self) -> tuple[Style, Style, Style, Style]:
        """(plain, header, cursor, even row) styles, kept until the CSS or the focus changes (each
        costs a walk up the ancestors' backgrounds, and a repaint would otherwise pay it per line)."""
        if self._styles is None:
            base = self.rich_style
            component = self.get_component_rich_style
            self._styles = (
                base,
                base + component("virtual-table--header"),
                base + component("virtual-table--cursor"),
                base + component("virtual-table--even-row"),
            )
        return self._styles

    @property
    def shown_columns(self) -> list[str]:
        """Keys of the columns on screen at the current width."""
        return [self.columns[i].key for i, _w in self._layout]

    # -- rendering ------------------------------------------------------------------------------

    def _line(self, cells: Sequence[Cell], style: Style) -> Strip:
        segments: list[Segment] = []
        for n, (i, width) in enumerate(self._layout):
            column = self.columns[i]
            text = cut_text(as_text(cells[i]), width, column.cut)
            pad = width - text.cell_len
            if n:
                segments.append(Segment(" " * GAP, style))
            if column.align == "right" and pad:
                segments.append(Segment(" " * pad, style))
            segments.extend(text.render(self.app.console))
            if column.align == "left" and pad:
                segments.append(Segment(" " * pad, style))
        return Strip(Segment.apply_style(segments, style), self._content_width())

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base, header_style, cursor_style, even_style = self._line_styles()
        if y == 0:
            if self._header is None:
                self._header = self._line([c.header for c in self.columns], header_style)
            return self._header.crop_extend(scroll_x, scroll_x + width, header_style)
        index = scroll_y + y - 1
        if index >= len(self._keys):
            return Strip.blank(width, base)
        key = self._keys[index]
        kind = 2 if index == self.cursor_row else (1 if self.zebra_stripes and index % 2 == 0 else 0)
        strip = self._strips.get((key, kind))
        if strip is None:
            style = cursor_style if kind == 2 else even_style if kind == 1 else base
            strip = self._line(self._source[key], style)
            self.paints += 1
            if len(self._strips) >= CACHE_ROWS:  # the oldest goes (rows on screen come back soon)
                del self._strips[next(iter(self._strips))]
            self._strips[key, kind] = strip
            pad_style = style
        else:
            pad_style = base
        return strip.crop_extend(scroll_x, scroll_x + width, pad_style)

    # -- cursor ---------------------------------------------------------------------------------

    def move_cursor(self, row: int, animate: bool = False) -> None:
        """Put the cursor on row `row` (clamped) and scroll it into view."""
        del animate
        if self._keys:
            self._move(max(0, min(row, len(self._keys) - 1)))

    def _move(self, row: int, scroll: bool = True) -> None:
        old_row, old_key = self.cursor_row, self._cursor_key
        self.set_reactive(VirtualTable.cursor_row, row)
        self._cursor_key = self._keys[row]
        if row != old_row:
            self.refresh_line(old_row + 1)
            self.refresh_line(row + 1)
        if scroll:
            self._scroll_to_cursor()
        if self._cursor_key != old_key:
            self.post_message(self.RowHighlighted(self, self._cursor_key))

    def _scroll_to_cursor(self) -> None:
        rows_visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows_visible:
            self.scroll_to(y=self.cursor_row - rows_visible + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        self.move_cursor(len(self._keys) - 1)

    def action_half_page_down(self) -> None:
        self.move_cursor(self.cursor_row + max(1, self._page() // 2))

    def action_half_page_up(self) -> None:
        self.move_cursor(self.cursor_row - max(1, self._page() // 2))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page())

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page())

    def action_select(self) -> None:
        if self._keys:
            self.post_message(self.RowSelected(self, self._keys[self.cursor_row]))

    def on_click(self, event: Click) -> None:
        if event.y < 1:
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self._keys):
            self.move_cursor(index)
            if event.chain > 1:
                self.action_select()
