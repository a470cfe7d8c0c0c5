"""The selected task: briefing text, runnable commands, manual steps to tick, success criteria, notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from cockpit.plan.model import Command, Node, NodeKind
from cockpit.session.history import Usual
from cockpit.ui.rows import box_text, screen_text
from cockpit.ui.task_checks import CheckLine
from cockpit.ui.widgets.nav import NavMixin, nav_bindings

Describe = Callable[[Command], str]  # a short tag for a command: "changes cluster", "needs terminal"


class CommandList(NavMixin, OptionList):
    """The task's commands: enter runs the highlighted one, e edits it first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *nav_bindings("commands"),
        Binding("enter", "run", "Run command", id="commands.run"),
        Binding("e", "edit", "Edit & run", id="commands.edit"),
    ]

    @dataclass
    class RunRequested(Message):
        command: Command
        edit: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.commands: list[Command] = []

    def show_commands(self, commands: list[Command], describe: Describe) -> None:
        self.commands = list(commands)
        options = []
        for index, command in enumerate(commands):
            prompt = Text()
            prompt.append("$ ", style="bold")
            prompt.append(command.cmd)
            tag = describe(command)
            if tag:
                prompt.append(f"  [{tag}]", style="bold italic")
            if command.description:
                prompt.append(f"\n  # {command.description}", style="dim")
            options.append(Option(prompt, id=f"cmd-{index}"))
        self.set_options(options)
        if options:
            self.highlighted = 0

    @property
    def selected_command(self) -> Command | None:
        if self.highlighted is None or not self.commands:
            return None
        return self.commands[self.highlighted]

    def action_run(self) -> None:
        if (command := self.selected_command) is not None:
            self.post_message(self.RunRequested(command, edit=False))

    def action_edit(self) -> None:
        if (command := self.selected_command) is not None:
            self.post_message(self.RunRequested(command, edit=True))


def step_prompt(step: str, done: bool) -> Text:
    """A manual step as listed: `✓ done` (dimmed) or `○ to do`, so the two never look alike,
    in colour or without."""
    return Text.assemble(("✓ ", "bold green"), (step, "dim")) if done else Text.assemble("○ ", step)


class StepList(NavMixin, SelectionList[int]):
    """Manual steps of the task; space ticks the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *nav_bindings("steps"),
    ]

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Drop a highlight that outlived its options.

        Moving through the plan refills this list for each task; a highlight queued for the
        previous task's steps can arrive after the refill. SelectionList would look its index up
        in the new options and raise, killing the list and, with it, the task view.
        """
        index = event.option_index
        if index >= self.option_count or self.get_option_at_index(index) is not event.option:
            event.stop()
            event.prevent_default()


class TaskDetail(VerticalScroll):
    """Shows one plan node. Holds no state of its own: the app hands it the node and its state."""

    @dataclass
    class StepToggled(Message):
        node: Node
        index: int
        done: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.node: Node | None = None
        self._filling = False
        self._text_shown: str | None = None  # the briefing's markdown source on screen

    def compose(self) -> ComposeResult:
        yield Static(id="task-title")
        yield Static(id="task-check")
        yield Static(id="task-text")
        yield Label("Commands", classes="section-label", id="commands-label")
        yield CommandList(id="commands")
        yield Label("Manual steps", classes="section-label", id="steps-label")
        yield StepList(id="steps")
        yield Label("Success criteria", classes="section-label", id="criteria-label")
        yield Static(id="criteria")
        yield Label("Notes", classes="section-label", id="notes-label")
        yield Static(id="notes")

    def show_node(
        self,
        node: Node,
        *,
        status: str,
        steps_done: set[int],
        notes: list[str],
        describe: Describe,
        usual: Usual | None = None,
    ) -> None:
        self.node = node
        title = Text(screen_text(node.title), style="bold")
        box = box_text(node.timebox)
        meta = [node.kind.value, f"line {node.line}"]
        if usual is not None:  # what the task took in earlier sessions, beside the plan's estimate
            meta.insert(0, usual.text())
        if box:
            meta.insert(0, box)
        if node.kind is NodeKind.TASK:
            meta.insert(0, status)
        title.append("  " + " · ".join(meta), style="dim")
        self._update("#task-title", title)
        text = node.text.strip()
        if node.kind is not NodeKind.TASK and not text:
            names = [c.title for c in node.children if c.kind is not NodeKind.STEP]
            text = "\n".join(f"- {name}" for name in names)
        if text != self._text_shown:  # Markdown has no equality: compare its source
            self._text_shown = text
            self.query_one("#task-text", Static).update(Markdown(text) if text else "")
        self.query_one("#task-text").display = bool(text)

        commands = self.query_one(CommandList)
        commands.show_commands(node.commands, describe)
        self._show_section("commands", bool(node.commands))

        steps = self.query_one(StepList)
        if node.manual_steps or steps.option_count:  # none before and none now: nothing to redo
            self._filling = True
            steps.clear_options()
            for i, step in enumerate(node.manual_steps):
                steps.add_option((step_prompt(step, i in steps_done), i, i in steps_done))
            if node.manual_steps:
                steps.highlighted = 0
            self._filling = False
        self._show_section("steps", bool(node.manual_steps))

        self._update("#criteria", Text("\n".join(f"• {c}" for c in node.success_criteria)))
        self._show_section("criteria", bool(node.success_criteria))
        self.show_notes(notes)
        self.scroll_home(animate=False)

    def show_check(self, line: CheckLine | None, *, open_task: bool) -> None:
        """The task's live check, one line: passed (offer the tick), failing, or not known yet."""
        widget = self.query_one("#task-check", Static)
        widget.display = line is not None
        if line is None:
            return
        widget.set_class(line.passed is True and open_task, "-passed")
        widget.set_class(line.passed is False, "-failing")
        if line.passed is True:
            head = "✓ check passed — press space to tick" if open_task else "✓ check passed"
        elif line.passed is False:
            head = "✗ check not met yet"
        else:
            head = "? check cannot tell yet"
        text = Text(head, no_wrap=True, overflow="ellipsis")  # one line: the task pane is small
        text.append(f"  ({line.detail})", style="dim")
        self._update("#task-check", text)  # re-evaluated every second: repaint only a change

    def show_notes(self, notes: list[str]) -> None:
        self._update("#notes", Text("\n".join(f"✎ {n}" for n in notes)))
        self._show_section("notes", bool(notes))

    def _update(self, selector: str, text: Text) -> None:
        """Refill one of the view's texts only if it changes: each refill lays the screen out."""
        widget = self.query_one(selector, Static)
        if text != widget.content:
            widget.update(text)

    def _show_section(self, name: str, visible: bool) -> None:
        self.query_one(f"#{name}-label").display = visible
        widget_id = {"commands": "#commands", "steps": "#steps", "criteria": "#criteria", "notes": "#notes"}[
            name
        ]
        self.query_one(widget_id).display = visible

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        if self._filling or self.node is None:
            return
        index = int(event.selection.value)
        done = index in event.selection_list.selected
        if self.node is not None and index < len(self.node.manual_steps):
            steps = event.selection_list
            steps.replace_option_prompt_at_index(index, step_prompt(self.node.manual_steps[index], done))
        self.post_message(self.StepToggled(self.node, index, done))
