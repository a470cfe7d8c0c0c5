"""`cockpit --sandbox`: the app starts the simulated cluster, pins commands to it, and mounts live panes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, TabbedContent, TabPane

from cockpit.launch import LaunchOptions
from cockpit.plan.model import Command
from cockpit.session.clock import FakeClock
from cockpit.ui.launch import build_app
from cockpit.ui.widgets.task_detail import CommandList

from .conftest import recorded, runs, tail_text, wait_for
from .plans import plan_with_commands


async def test_sandbox_session_runs_commands_against_the_sandbox(tmp_path: Path) -> None:
    plan = plan_with_commands(Command("kubectl get namespace data-platform -o name", 7))
    app = build_app(
        LaunchOptions(sandbox=True),
        plan=plan,
        clock=FakeClock(),
        environ={"KUBECONFIG": str(tmp_path / "absent"), "HOME": str(tmp_path)},
    )
    async with asyncio.timeout(60), app.run_test(size=(200, 60)) as pilot:
        status = str(app.query_one("#status").render())
        assert "SANDBOX" in status and "cockpit-sandbox" in status
        tabs = app.query_one("#live-tabs", TabbedContent)
        assert tabs.tab_count >= 5  # Pods, ArgoCD, Certificates, Logs, Metrics (+ Platform)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(CommandList).has_focus
        await pilot.press("enter")
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot, timeout=30)
        await pilot.pause(0.1)
        assert runs(app)[0].state == "ok", tail_text(app)
        assert "namespace/data-platform" in tail_text(app)
        assert recorded(app)[0].context == "cockpit-sandbox"


async def test_brackets_move_between_live_panes(tmp_path: Path) -> None:
    app = build_app(
        LaunchOptions(sandbox=True),
        plan=plan_with_commands(Command("true", 7)),
        clock=FakeClock(),
        environ={"KUBECONFIG": str(tmp_path / "absent"), "HOME": str(tmp_path)},
    )
    async with asyncio.timeout(60), app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tabs = app.query_one("#live-tabs", TabbedContent)
        live = app.query_one("#live-panes")
        assert not live.display  # narrow: the live panes wait behind L
        first = tabs.active
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert live.display and tabs.active != first  # swapped in, on the next pane
        assert app.focused is not None and tabs.get_pane(tabs.active) in app.focused.ancestors
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert tabs.active == first
        for _ in range(len(tabs.query(TabPane)) + 1):  # round every pane (Logs has a text field)
            await pilot.press("right_square_bracket")
            await pilot.pause()
        assert tabs.active != first  # each ] moved on: none was typed into a field
        assert not any("]" in field.value for field in app.query(Input))
