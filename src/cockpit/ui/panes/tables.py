"""Keyed DataTable updates: change only the cells that changed, rebuild when the order changed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

Cell = str | Text


def sync_table(
    table: DataTable[Cell], rows: Sequence[tuple[str, tuple[Cell, ...]]], columns: Sequence[str]
) -> None:
    """Make `table` show `rows` (key, cells) in order, touching as little as possible.

    Same keys in the same order: update changed cells only. Otherwise clear and re-add (cheaper
    than moving rows one by one), keeping the cursor on the row it was on.
    """
    current = [str(k.value) for k in table.rows]
    wanted = [key for key, _ in rows]
    if current == wanted:
        for key, cells in rows:
            for col, value in zip(columns, cells, strict=True):
                try:
                    old = table.get_cell(key, col)
                except CellDoesNotExist:
                    old = None
                if old != value:
                    table.update_cell(key, col, value, update_width=True)
        return
    cursor_key: str | None = None
    if table.row_count and 0 <= table.cursor_row < table.row_count:
        cursor_key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if cursor_key is not None and cursor_key in wanted:
        table.move_cursor(row=wanted.index(cursor_key), animate=False)
