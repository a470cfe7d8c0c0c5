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
        # the tree's NodeSelected bubbles to the app hop by hop: wait for it rather than one pause
        await wait_for(lambda: app.query_one(CommandList).has_focus, pilot)
        await pilot.press("enter")
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot, timeout=30)
        assert runs(app)[0].state == "ok", tail_text(app)
        await wait_for(lambda: "namespace/data-platform" in tail_text(app), pilot)
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

        def focus_in_active_pane() -> bool:
            return app.focused is not None and tabs.get_pane(tabs.active) in app.focused.ancestors

        await pilot.press("right_square_bracket")
        # swapped in, on the next pane, with the keys in it (under load this takes a few turns)
        await wait_for(lambda: live.display and tabs.active != first and focus_in_active_pane(), pilot)
        await pilot.press("left_square_bracket")
        await wait_for(lambda: tabs.active == first and focus_in_active_pane(), pilot)
        for _ in range(len(tabs.query(TabPane)) + 1):  # round every pane (Logs has a text field)
            before = tabs.active
            await pilot.press("right_square_bracket")
            await wait_for(lambda before=before: tabs.active != before, pilot)  # each ] moved on
        assert tabs.active != first
        assert not any("]" in field.value for field in app.query(Input))
