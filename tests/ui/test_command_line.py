"""The ad-hoc command line (`!`) and edited commands (`e`): both pass the gate like plan commands,
are filed under the task on screen, and say where they came from."""

from __future__ import annotations

from textual.widgets import Input

from cockpit.session.transcript import render_transcript
from cockpit.ui.screens.dialogs import ConfirmScreen, TextPrompt
from cockpit.ui.widgets.task_detail import CommandList

from .conftest import AppFactory, recorded, runs, wait_for
from .test_flows import open_task


async def type_into_prompt(app, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await wait_for(lambda: isinstance(app.screen, TextPrompt) and bool(app.screen.query(Input)), pilot)
    app.screen.query_one(Input).value = text
    await pilot.press("enter")


async def test_bang_runs_any_command_through_the_gate_filed_under_the_task(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        await pilot.press("exclamation_mark")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        assert "filed under Look at the pods" in str(app.screen.title_text)
        await type_into_prompt(app, pilot, "echo typed-by-hand")
        await wait_for(lambda: bool(runs(app)) and runs(app)[-1].state == "ok", pilot)
        run = recorded(app)[-1]
        assert run.cmd == "echo typed-by-hand" and run.task_id == "1.1"
        assert run.gate["origin"] == "ad-hoc" and run.gate["verdict"] == "read-only"
        # a changing one typed by hand asks first, like a plan command, and the refusal is journaled
        await pilot.press("exclamation_mark")
        await type_into_prompt(app, pilot, "kubectl delete pod typed-1")
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen) and bool(app.screen.query("#no")), pilot)
        await pilot.press("n")
        await wait_for(lambda: recorded(app)[-1].refused == "declined by operator", pilot)
        assert recorded(app)[-1].gate["origin"] == "ad-hoc"
        text = render_transcript(app.session.journal_path).markdown
        assert "typed on the command line" in text


async def test_edit_is_marked_and_e_offers_the_last_edit_again(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        commands = app.query_one(CommandList)
        commands.highlighted = 0  # echo hello-from-cockpit
        await pilot.press("e")
        await wait_for(lambda: isinstance(app.screen, TextPrompt) and bool(app.screen.query(Input)), pilot)
        assert app.screen.query_one(Input).value == "echo hello-from-cockpit"
        await type_into_prompt(app, pilot, "echo edited-once")
        await wait_for(lambda: bool(runs(app)) and runs(app)[-1].state == "ok", pilot)
        run = recorded(app)[-1]
        assert run.cmd == "echo edited-once" and run.gate["edited_from"] == "echo hello-from-cockpit"
        assert run.gate["origin"] == "edited" and run.task_id == "1.1"
        commands.focus()
        commands.highlighted = 0
        await pilot.press("e")
        await wait_for(lambda: isinstance(app.screen, TextPrompt) and bool(app.screen.query(Input)), pilot)
        assert app.screen.query_one(Input).value == "echo edited-once"  # the last edit, offered again
        await pilot.press("escape")
        text = render_transcript(app.session.journal_path).markdown
        assert "edited from `echo hello-from-cockpit`" in text
