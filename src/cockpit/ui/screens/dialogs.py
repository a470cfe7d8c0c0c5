"""Small modal dialogs: confirm, ask for one line of text, fill placeholders, quit-and-save."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

PREVIEW_ROWS = 20  # the most a confirmation's preview takes (cockpit.tcss #dialog-preview)


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no question; y or enter confirms, n or escape declines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(
        self,
        title: str,
        body: Text | str,
        yes: str = "Run it",
        danger: bool = True,
        preview: Text | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.body = body
        self.yes = yes
        self.danger = danger
        self.preview = preview  # what the change would do, scrollable under the body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="-danger" if self.danger else ""):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.body, id="dialog-body")
            if self.preview is not None:
                yield Static(self.preview, id="dialog-preview")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="error" if self.danger else "primary")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_preview)

    def _fit_preview(self) -> None:
        """The preview gets what the title, the question and the buttons leave (at most 20 rows):
        on a small terminal a long diff is cut, never the buttons that answer the dialog."""
        if self.preview is None or not self.is_mounted:
            return
        box = self.query_one("#dialog-box")
        preview = self.query_one("#dialog-preview")

        def outer(widget: Widget) -> int:
            margin = widget.styles.margin
            return widget.outer_size.height + margin.top + margin.bottom

        rows = int(self.size.height * 0.9) - (box.outer_size.height - box.size.height)
        rows -= sum(outer(child) for child in box.children if child is not preview)
        rows -= outer(preview) - preview.outer_size.height  # its own margin
        preview.styles.max_height = max(3, min(PREVIEW_ROWS, rows))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextPrompt(ModalScreen[str | None]):
    """One line of text (a note, an edited command, a filter); enter accepts, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "", hint: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self.title_text, id="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static(self.hint or "enter: accept · escape: cancel", id="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PlaceholderForm(ModalScreen[dict[str, str] | None]):
    """One input per placeholder of a command; values are shell-quoted by the runner when filled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="placeholders.cancel")]

    def __init__(self, command: str, names: list[str], defaults: dict[str, str] | None = None) -> None:
        super().__init__(classes="dialog")
        self.command = command
        self.names = names
        self.defaults = defaults or {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Fill in the command's placeholders", id="dialog-title")
            yield Static(Text(self.command), id="dialog-body")
            for index, name in enumerate(self.names):
                yield Label(name, classes="field-label")
                yield Input(self.defaults.get(name, ""), placeholder=name, id=f"ph-{index}")
            yield Static("enter: next / run · escape: cancel", id="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        empty = [i for i in inputs if not i.value.strip()]
        if position + 1 < len(inputs) and empty:
            inputs[position + 1].focus()
            return
        if empty:
            empty[0].focus()
            self.notify(f"{self.names[inputs.index(empty[0])]} needs a value", severity="warning")
            return
        self.dismiss({name: inputs[i].value for i, name in enumerate(self.names)})

    def action_cancel(self) -> None:
        self.dismiss(None)


class QuitScreen(ModalScreen[str]):
    """Quit asks first: save the transcript and quit, quit without saving, or stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s,y", "choose('save')", "Save & quit", id="quit.save"),
        Binding("d", "choose('discard')", "Quit without saving", id="quit.discard"),
        Binding("escape,n", "choose('stay')", "Stay", id="quit.stay"),
    ]

    def __init__(self, detail: str = "") -> None:
        super().__init__(classes="dialog")
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Quit cockpit?", id="dialog-title")
            yield Static(self.detail or "Save the session transcript first?", id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button("Save & quit (s)", id="save", variant="primary")
                yield Button("Quit (d)", id="discard", variant="error")
                yield Button("Stay (esc)", id="stay")

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(str(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
