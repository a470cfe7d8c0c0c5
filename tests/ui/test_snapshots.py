"""The main screen and each of its panes (maximized) at 80x24 (must stay usable), 160x45 and 250x60
(use the room), in the default theme and a light one, with clocks frozen."""

from __future__ import annotations

import time

import pytest

from cockpit.session.clock import FakeClock
from cockpit.ui.screens.dialogs import ConfirmScreen
from cockpit.ui.themes import DEFAULT_THEME
from cockpit.ui.widgets.output_pane import end_line
from cockpit.ui.widgets.task_detail import CommandList

from .conftest import AppFactory, runs, wait_for


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


SIZES = [(80, 24), (160, 45), (250, 60)]
THEMES = [DEFAULT_THEME, "cockpit-light"]
PANES = ["plan", "task", "output", "live-panes"]


def frozen_app(make_app: AppFactory, theme: str | None = None, pane: str | None = None):  # type: ignore[no-untyped-def]
    clock = FakeClock(wall=1_761_300_000.0)
    app = make_app(clock=clock, theme=theme)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("enter")  # start task 1.1: the keys move to its commands
        await wait_for(lambda: app.query_one(CommandList).has_focus, pilot)
        clock.advance(9 * 60)  # 90% of its 10 min box: the bar turns warning
        app.tick_clock()
        await pilot.press("enter")  # run `echo hello-from-cockpit`
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot)
        for run in runs(app):  # durations are real time: pin them for the picture
            run.duration = 0.25
            run.buffer.lines[-1] = end_line(run, app.palette)
            run.buffer.version += 1
        app.query_one("#output").mark_dirty()
        if pane is not None:
            app.maximize_pane(app.query_one(f"#{pane}"))
        await pilot.pause(0.2)

    return app, run_before


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(make_app: AppFactory, snap_compare, size: tuple[int, int], theme: str) -> None:  # type: ignore[no-untyped-def]
    app, run_before = frozen_app(make_app, theme)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("pane", PANES)
def test_pane_maximized(  # type: ignore[no-untyped-def]
    make_app: AppFactory, snap_compare, pane: str, size: tuple[int, int], theme: str
) -> None:
    app, run_before = frozen_app(make_app, theme, pane)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_confirmation_names_the_target_80x24(make_app: AppFactory, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(clock=FakeClock(wall=1_761_300_000.0))
    assert app.gate.previewer is not None
    app.gate.previewer.budget = 60.0  # the preview says why it is unavailable, however loaded the machine

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("enter")  # start the task: the keys move to its commands
        await wait_for(lambda: app.query_one(CommandList).has_focus, pilot)
        await pilot.press("down", "enter")  # the `kubectl ... delete pod` command
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot, timeout=90)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
