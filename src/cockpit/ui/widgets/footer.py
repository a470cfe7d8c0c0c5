"""The key footer: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple[Hashable, ...]:
    """What the footer draws for `screen`'s active bindings (keys, labels, enabled, tooltips)."""
    return tuple(
        (
            binding.key,
            binding.key_display,
            binding.action,
            binding.description,
            binding.group,
            binding.show,
            enabled,
            tip,
        )
        for _, binding, enabled, tip in screen.active_bindings.values()
    )


class KeyFooter(Footer):
    """Textual's Footer rebuilds itself (unmounts and mounts every key) on each focus change, even
    between widgets that offer the same keys; each rebuild lays out the whole screen. This one
    rebuilds only when what it shows changes."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[Hashable, ...] | None = None

    def compose(self) -> ComposeResult:
        composed = list(super().compose())
        if composed:  # Textual's footer yields nothing until the screen's bindings are ready
            self._shown = shown_keys(self.screen)
        yield from composed

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and screen is self.screen and self.app.app_focus and self.is_attached:
            keys = shown_keys(screen)
            if keys == self._shown:  # shown already, or asked for already (it rebuilds after a refresh)
                return
            self._shown = keys
        super().bindings_changed(screen)
