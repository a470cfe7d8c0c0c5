"""`?`: every binding of the cockpit, grouped by where it works, with its id (for remapping)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Label, Static


def binding_rows(
    bindings: list[BindingType], keymap: dict[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """(keys, what, id) per binding; keys as remapped by `keymap` (binding id -> keys)."""
    rows = []
    for item in bindings:
        if not isinstance(item, Binding) or not item.description:
            continue
        key = (keymap or {}).get(item.id or "", item.key)
        keys = ", ".join("enter" if k.strip() == "enter" else format_key(k.strip()) for k in key.split(","))
        rows.append((keys, item.description, item.id or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close_help", "Close help", id="help.close")
    ]

    def __init__(
        self, groups: list[tuple[str, list[BindingType]]], keymap: dict[str, str] | None = None
    ) -> None:
        super().__init__(classes="dialog")
        self.groups = groups
        self.keymap = keymap or {}
        self.rows = [
            (title, *row) for title, bindings in groups for row in binding_rows(bindings, self.keymap)
        ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action")
        table.add_column("id", style="dim", no_wrap=True)
        for title, bindings in self.groups:
            rows = binding_rows(bindings, self.keymap)
            if not rows:
                continue
            table.add_row(f"[u]{title}[/u]", "", "")
            for row in rows:
                table.add_row(*row)
        with Vertical(id="dialog-box", classes="help"):
            yield Label("Keys  (escape closes; ctrl+p searches every action)", id="dialog-title")
            with VerticalScroll():
                yield Static(table, id="help-table")

    def action_close_help(self) -> None:
        self.dismiss(None)
