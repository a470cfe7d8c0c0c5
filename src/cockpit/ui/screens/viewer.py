"""A scrollable, read-only view of a long text: an object's YAML or description, a log read in
full. Lines wrap (`w` crops them instead); escape or q closes it; j/k, g/G, ctrl+d/u move."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from cockpit.ui.widgets.nav import NavMixin, nav_bindings


class ReadOnlyText(NavMixin, TextArea):
    """A read-only TextArea whose letters move instead of typing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *nav_bindings("viewer"),
        Binding("w", "toggle_wrap", "Wrap", id="viewer.wrap"),
    ]

    def action_toggle_wrap(self) -> None:
        self.soft_wrap = not self.soft_wrap

    def action_half_page(self, direction: int) -> None:
        step = max(1, self.scrollable_content_region.height // 2) * direction
        row, column = self.cursor_location
        self.move_cursor((max(0, min(self.document.line_count - 1, row + step)), column))

    def action_nav_first(self) -> None:
        self.move_cursor((0, 0))

    def action_nav_last(self) -> None:
        self.move_cursor((self.document.line_count - 1, 0))


class TextViewer(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="viewer.close"),
    ]

    def __init__(self, title: str, text: str, *, language: str | None = None) -> None:
        super().__init__(classes="dialog viewer")
        self.title_text = title
        self.text = text
        self.language = language

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="viewer"):
            yield Label(self.title_text, id="dialog-title")
            area = ReadOnlyText(self.text, read_only=True, soft_wrap=True, id="viewer-text")
            area.show_line_numbers = False
            yield area
            yield Static("j/k g/G ctrl+d/u move · w wrap · escape closes", id="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(ReadOnlyText).focus()

    def set_text(self, text: str) -> None:
        """Replace the text (a describe whose events arrived later), keeping the cursor row."""
        area = self.query_one(ReadOnlyText)
        row = area.cursor_location[0]
        area.load_text(text)
        area.move_cursor((min(row, area.document.line_count - 1), 0))

    def action_close(self) -> None:
        self.dismiss(None)
