"""Background jobs, `watch CMD`, commands needing the terminal, and output that never freezes the screen."""

from __future__ import annotations

import contextlib
import os
import time

from cockpit.plan.model import Command
from cockpit.ui.widgets.plan_tree import PlanTree
from cockpit.ui.widgets.task_detail import CommandList

from .conftest import AppFactory, recorded, runs, tail_text, wait_for
from .plans import plan_with_commands


async def start(pilot, index: int = 0) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(lambda: pilot.app.query_one(CommandList).has_focus, pilot)  # the task's commands
    pilot.app.query_one(CommandList).highlighted = index
    await pilot.press("enter")
    await pilot.pause()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_background_job_streams_and_is_stopped_at_session_end(make_app: AppFactory) -> None:
    plan = plan_with_commands(Command("echo job-started; sleep 30", 7, background=True))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        await wait_for(lambda: bool(runs(app)) and "job-started" in tail_text(app), pilot)
        job_view = runs(app)[0]
        assert job_view.kind == "job" and job_view.state == "running"
        assert app.query_one(PlanTree).has_focus is False  # the operator keeps working meanwhile
        job = app.runs.jobs.jobs()[0]
        pid = job.pid
        assert pid is not None and alive(pid)
        await pilot.press("q", "d")  # quit without saving: the session ends, jobs stop
        await wait_for(lambda: not app.is_running, pilot)
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)
    assert job_view.state == "cancelled"


async def test_watch_reruns_in_place_until_cancelled(make_app: AppFactory) -> None:
    plan = plan_with_commands(Command("date +%s%N", 7, watch=True, watch_interval=0.2))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].iteration >= 3, pilot)
        view = runs(app)[0]
        lines = tail_text(app).splitlines()
        assert lines[0].startswith("Every 0.2s: date +%s%N")
        assert len([line for line in lines if line.strip().isdigit()]) == 1  # replaced, not appended
        await pilot.press("c")
        await wait_for(lambda: view.state == "cancelled", pilot)
        count = view.iteration
        await pilot.pause(0.5)
        assert view.iteration == count  # no more re-runs


async def test_command_needing_the_terminal_is_not_run_blind(make_app: AppFactory) -> None:
    """Headless (as in this test) the app cannot hand over the terminal: it says so, runs nothing."""
    plan = plan_with_commands(Command("echo paged | less", 7))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot)
        assert runs(app)[0].state == "failed"
        assert any("less needs the terminal" in n for n in app.notices)


async def test_terminal_command_names_the_missing_program(make_app: AppFactory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With the terminal handed over, a missing program is named, not just "exit 127"."""
    plan = plan_with_commands(Command("no-such-prog-xyz && less /etc/hostname", 7))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # headless: no terminal to hand over
        await start(pilot)
        await pilot.press("y")  # an unknown program is treated as changing the cluster: confirm
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot)
        view = runs(app)[0]
        assert view.state == "failed" and view.exit_code == 127
        assert view.message == "command not found: no-such-prog-xyz"
        assert "command not found: no-such-prog-xyz" in tail_text(app)
        assert recorded(app)[0].error == "command not found: no-such-prog-xyz"


async def test_huge_output_keeps_a_bounded_tail_and_full_side_file(make_app: AppFactory) -> None:
    plan = plan_with_commands(Command("seq 1 200000", 7))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot, timeout=30)
        await pilot.pause(0.1)
        view = runs(app)[0]
        assert view.state == "ok"
        assert len(view.buffer.lines) <= view.buffer.lines.maxlen  # type: ignore[operator]
        assert tail_text(app).splitlines()[-2].strip() == "200000"
        side = app.session.session_dir / recorded(app)[0].output
        assert side.read_text().split() == [str(n) for n in range(1, 200001)]  # every line, in order


async def test_several_commands_run_at_once(make_app: AppFactory) -> None:
    plan = plan_with_commands(Command("sleep 30", 7), Command("echo second", 8))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, 0)
        await wait_for(lambda: bool(runs(app)), pilot)
        app.query_one(CommandList).highlighted = 1
        await pilot.press("enter")
        await wait_for(lambda: len(runs(app)) == 2 and runs(app)[1].state == "ok", pilot)
        assert runs(app)[0].state == "running"  # the first one is still going
        assert "⟳ 1" in str(app.query_one("#status").render())
        await pilot.press("c")  # the shown run is done: c cancels the one still running
        await wait_for(lambda: runs(app)[0].state == "cancelled", pilot)
