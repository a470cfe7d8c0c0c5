"""A bare Textual app around the panes under test, for Pilot to drive."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widget import Widget


class PaneApp(App[None]):
    def __init__(self, *panes: Widget) -> None:
        super().__init__()
        self.panes = panes

    def compose(self) -> ComposeResult:
        yield from self.panes
