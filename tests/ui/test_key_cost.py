"""What a plan cursor key costs the screen: it repaints the plan and the task view, nothing else,
and the task view is filled once for where the cursor stops, not for every task it passed; a
focus change repaints the panes it changes, not the whole screen; the
key footer is rebuilt only when the keys it shows change.

The task view's size is set by the layout (its content scrolls inside it), so showing another
task never moves or resizes the output pane, the live panes, the headline or the status line, and
the screen update it causes covers only the plan and the task view. (When the task view grew and
shrank with each task, every cursor move laid out and repainted the whole screen: 20-30 ms of
the UI thread per key while a command flooded the output.) Counted, never timed.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.app import ComposeResult
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static, Tree

from cockpit.plan.model import Node
from cockpit.ui.app import CockpitApp
from cockpit.ui.widgets.footer import KeyFooter
from cockpit.ui.widgets.task_detail import TaskDetail

from .conftest import AppFactory

SIZES = [(80, 24), (160, 45), (250, 60)]


def regions(app: CockpitApp, inside: Widget) -> dict[Widget, Region]:
    """Where every widget on screen outside `inside` (and not `inside` itself) is."""
    return {
        widget: geometry.region
        for widget, geometry in app.screen._compositor.full_map.items()
        if widget is not inside and inside not in widget.ancestors
    }


def drawn(update: Any) -> list[Region]:
    """The screen regions a display update redrew (one row each)."""
    spans = getattr(update, "spans", None)
    if spans is None:
        return [update.region]
    return [Region(x1, y, x2 - x1, 1) for y, x1, x2 in spans]  # x2 is exclusive


def count_paints(app: CockpitApp, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """From now on, every display update the app paints is appended to the returned list."""
    updates: list[Any] = []
    display = app._display

    def counted(screen: Any, update: Any) -> None:
        if update is not None:
            updates.append(update)
        display(screen, update)

    monkeypatch.setattr(app, "_display", counted)
    return updates


async def settle(pilot: Any, updates: list[Any]) -> None:
    """Wait until a tenth of a second passes with nothing painted (the footer follows the focus late)."""
    for _ in range(100):
        updates.clear()
        await pilot.pause(0.1)
        if not updates:
            return


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_plan_cursor_move_repaints_only_the_plan_and_the_task(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.setattr(CockpitApp, "tick_clock", lambda self: None)  # no clock ticks in between
    app = make_app(no_kubeconfig=True)
    async with app.run_test(size=size) as pilot:
        updates = count_paints(app, monkeypatch)
        tree = app.query_one("#plan", Tree)
        task = app.query_one("#task")
        tree.focus()
        await settle(pilot, updates)  # until the first screen is settled
        moves = tree.last_line - 1  # from the first line to the last and back
        shown = []
        for key in ["down"] * moves + ["up"] * moves:
            before = regions(app, task)
            line = tree.cursor_line
            updates.clear()
            await pilot.press(key)
            await pilot.pause(0.05)
            assert tree.cursor_line != line and app.current is not None
            shown.append(app.current.id)
            assert regions(app, task) == before  # nothing outside the task view moved or resized
            allowed = (tree.region, task.region)
            assert updates  # the key was painted
            for update in updates:
                for row in drawn(update):
                    assert any(area.contains_region(row) for area in allowed), (key, row, allowed)
        assert len(set(shown)) > 2  # the moves went through several tasks and phases


async def test_keys_faster_than_frames_fill_the_task_view_once_for_where_the_cursor_stops(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(no_kubeconfig=True)
    fills: list[str] = []
    show = TaskDetail.show_node

    def counted(self: TaskDetail, node: Node, **kwargs: Any) -> None:
        fills.append(node.id)
        show(self, node, **kwargs)

    monkeypatch.setattr(TaskDetail, "show_node", counted)
    async with app.run_test(size=(160, 45)) as pilot:
        tree = app.query_one("#plan", Tree)
        tree.focus()
        await pilot.pause(0.2)
        fills.clear()
        start = tree.cursor_line
        for _ in range(3):  # three presses in the queue before the screen's next frame
            app.post_message(events.Key("down", None))
        await pilot.pause(0.3)
        node = tree.cursor_node
        assert node is not None and node.data is not None
        assert tree.cursor_line == start + 3
        assert fills == [node.data.id]  # the task view was filled once, for the last task
        assert app.current is node.data
        assert app.query_one(TaskDetail).node is node.data


async def test_the_footer_is_rebuilt_only_when_the_keys_it_shows_change(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(no_kubeconfig=True)
    builds: list[str] = []
    compose = KeyFooter.compose

    def counted(self: KeyFooter) -> ComposeResult:
        builds.append(type(self.app.focused).__name__)
        return compose(self)

    monkeypatch.setattr(KeyFooter, "compose", counted)
    async with app.run_test(size=(160, 45)) as pilot:
        app.query_one("#plan", Tree).focus()
        await pilot.pause(0.3)
        builds.clear()
        for _ in range(3):  # the same keys again (what Textual's footer answers with a rebuild)
            app.screen.refresh_bindings()
        await pilot.pause(0.3)
        assert builds == []
        app.query_one("#commands").focus()  # other keys: rebuilt once, and they are shown
        await pilot.pause(0.3)
        assert builds == ["CommandList"]
        shown = " ".join(str(key.render()) for key in app.query("FooterKey"))
        assert "Run command" in shown and "Edit & run" in shown


async def test_a_focus_change_repaints_the_panes_it_changes_not_the_whole_screen(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CockpitApp, "tick_clock", lambda self: None)
    app = make_app(no_kubeconfig=True)
    async with app.run_test(size=(160, 45)) as pilot:
        updates = count_paints(app, monkeypatch)
        app.query_one("#plan", Tree).focus()
        await settle(pilot, updates)
        await pilot.press("tab")
        await pilot.pause(0.2)
        assert app.focused is app.query_one("#task")  # the next pane
        rows = {row.y for update in updates for row in drawn(update)}
        assert rows  # the focus move was painted
        headline = app.query_one("#headline").region.y
        assert headline not in rows  # nothing there changed: not repainted


async def test_the_task_view_refills_only_the_texts_that_change(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(no_kubeconfig=True)
    refilled: list[str | None] = []
    update = Static.update

    def counted(self: Static, *args: Any, **kwargs: Any) -> None:
        if "task" in {a.id for a in self.ancestors_with_self}:
            refilled.append(self.id)
        update(self, *args, **kwargs)

    monkeypatch.setattr(Static, "update", counted)
    async with app.run_test(size=(160, 45)) as pilot:
        tree = app.query_one("#plan", Tree)
        tree.focus()
        await pilot.pause(0.2)
        refilled.clear()
        await pilot.press("down")  # another task of the same phase: no notes before or after
        await pilot.pause(0.2)
        assert "task-title" in refilled  # it did show the other task
        assert "notes" not in refilled
        assert app.current is not None
        note = app.session.add_note("checked the scheduler", app.current.id)
        app.query_one(TaskDetail).show_notes([note.text])  # a new note does show
        assert "notes" in refilled
