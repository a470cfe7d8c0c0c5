"""Command palette provider: the selected task's commands and every task of the plan, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cockpit.plan.model import Command, Node

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


class TaskCommands(Provider):
    """`Run: kubectl ...` for the task on screen, `Go to: 1.2 Stabilize ...` for every task."""

    def _entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = cast("CockpitApp", self.app)
        entries: list[tuple[str, str, Callable[[], Any]]] = []
        node = app.current
        if node is not None and app.check_passed:
            entries.append(
                (
                    f"Tick (check passed): {node.title}",
                    "its live check is true: tick the task on screen",
                    app.action_tick_current,
                )
            )
        if node is not None:
            for command in node.commands:
                entries.append(
                    (
                        f"Run: {command.cmd}",
                        "run this command of the task on screen",
                        partial(app.run_command, command),
                    )
                )
                entries.append(
                    (
                        f"Edit & run: {command.cmd}",
                        "edit this command, then run it",
                        partial(self._edit, app, command),
                    )
                )
        for task in app.plan.tasks():
            entries.append((f"Go to task: {task.title}", f"line {task.line}", partial(self._goto, app, task)))
        return entries

    @staticmethod
    def _edit(app: CockpitApp, command: Command) -> None:
        app.run_command(command, edit=True)

    @staticmethod
    def _goto(app: CockpitApp, task: Node) -> None:
        from cockpit.ui.widgets.plan_tree import PlanTree

        tree = app.query_one(PlanTree)
        tree.focus_node(task)
        tree.focus()
        app.show_node(task)

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries()[:30]:
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
