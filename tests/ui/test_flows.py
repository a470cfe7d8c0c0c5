"""Every operator flow of the cockpit screen, driven with Textual's Pilot against real processes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.widgets import Static

from cockpit.plan.model import Command
from cockpit.session.clock import FakeClock
from cockpit.session.journal import read_journal
from cockpit.session.state import TaskState
from cockpit.ui.palette import TaskCommands
from cockpit.ui.screens.dialogs import ConfirmScreen, PlaceholderForm, QuitScreen, TextPrompt
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.widgets.plan_tree import PlanTree
from cockpit.ui.widgets.task_detail import CommandList, StepList

from .conftest import AppFactory, palette_pick, recorded, runs, tail_text, wait_for
from .plans import plan_with_commands

ECHO, DELETE, EXIT3, NOT_FOUND, SLEEP, PLACEHOLDER = range(6)


async def open_task(pilot) -> None:  # type: ignore[no-untyped-def]
    """Enter on the highlighted task (1.1): starts its timer and focuses its commands."""
    await pilot.pause()
    await pilot.press("enter")
    # the focus moves when the tree's NodeSelected has bubbled up to the app: wait, not one pause
    await wait_for(lambda: isinstance(pilot.app.focused, CommandList | StepList), pilot)


async def run_command(pilot, index: int) -> None:  # type: ignore[no-untyped-def]
    await open_task(pilot)
    commands = pilot.app.query_one(CommandList)
    assert commands.has_focus
    commands.highlighted = index
    await pilot.press("enter")
    await pilot.pause()


async def palette_hits(app):  # type: ignore[no-untyped-def]
    """What the palette's task provider offers for the task on screen."""
    provider = TaskCommands(app.screen)
    return [hit async for hit in provider.discover()]


def journal_events(app) -> list[dict]:  # type: ignore[no-untyped-def]
    return read_journal(app.session.journal_path).events


async def test_selecting_a_task_starts_its_timer(make_app: AppFactory) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        assert app.session.state_of("1.1") is TaskState.ACTIVE
        clock.advance(150)
        app.tick_clock()
        await pilot.pause()
        label = app.query_one(PlanTree).cursor_node.label.plain
        assert label.startswith("▶") and "Look at the pods" in label
        status = str(app.query_one("#status").render())
        assert "2:30/10m" in status and "test-ctx/data-platform" in status


def hhmm(wall: float) -> str:
    return datetime.fromtimestamp(wall).astimezone().strftime("%H:%M")


async def test_projected_finish_is_for_the_phase_at_hand(make_app: AppFactory) -> None:
    clock = FakeClock()
    start = clock.wall()
    app = make_app(clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        status = str(app.query_one("#status").render())
        # before any task is touched: the first phase (its tasks: 10 + 15 + 5 min), not the plan (35)
        assert f"Phase 1 done ≈ {hhmm(start + 30 * 60)}" in status
        assert hhmm(start + 35 * 60) not in status
        await open_task(pilot)
        clock.advance(4 * 60)
        for _ in range(3):  # tick 1.1, 1.2, 1.3 with space: each moves on to the next
            await pilot.press("t", "space")
            await pilot.pause()
        app.refresh_status()
        status = str(app.query_one("#status").render())
        # Phase 1 is done: the figure moves on to the phase of the next open task (2.1, 5 min)
        assert f"Phase 2 done ≈ {hhmm(start + 4 * 60 + 5 * 60)}" in status
        clock.advance(6 * 60)
        app.refresh_status()
        assert "Phase 2 over its estimate" in str(app.query_one("#status").render())


async def test_ticking_stops_the_timer_and_moves_to_the_next_open_task(make_app: AppFactory) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        clock.advance(60)
        await pilot.press("t", "space")
        await pilot.pause()
        assert app.session.state_of("1.1") is TaskState.DONE
        assert app.session.elapsed("1.1") == 60
        assert app.session.active_task is not None and app.session.active_task.id == "1.2"
        tree = app.query_one(PlanTree)
        assert tree.cursor_plan_node is not None and tree.cursor_plan_node.id == "1.2"
        clock.advance(30)
        assert app.session.elapsed("1.1") == 60  # stopped
        assert "✓" in app.query_one(PlanTree).label_of("1.1")


async def test_run_read_only_command_streams_output_with_exit_code(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, ECHO)
        assert not isinstance(app.screen, ConfirmScreen)  # read-only: no question asked
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        await wait_for(lambda: "exit 0" in tail_text(app), pilot)  # the tail repaints on its own beat
        text = tail_text(app)
        assert text.splitlines()[0] == "$ echo hello-from-cockpit"
        assert "hello-from-cockpit" in text.splitlines()[1]
        assert "exit 0" in text.splitlines()[-1]
        events = [e["type"] for e in journal_events(app)]
        assert "command_started" in events and "command_finished" in events
        run = recorded(app)[0]
        assert run.exit_code == 0 and run.context == "test-ctx" and run.task_id == "1.1"
        side = app.session.session_dir / run.output
        assert "hello-from-cockpit" in side.read_text()


async def test_changing_command_asks_naming_context_and_namespace(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, DELETE)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot)
        body = str(app.screen.query_one("#dialog-body").render())
        assert "kubectl -n data-platform delete pod web-1" in body
        assert "test-ctx" in body and "data-platform" in body
        await pilot.press("n")
        await pilot.pause()
        assert [r.state for r in runs(app)] == ["refused"]  # listed, never started
        assert [(r.status, r.exit_code) for r in recorded(app)] == [("refused", None)]


async def test_failing_command_shows_exit_code(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, EXIT3)  # `sh -c 'exit 3'`: read-only, runs without a question
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        run = runs(app)[0]
        assert run.state == "failed" and run.exit_code == 3
        await wait_for(lambda: "exit 3" in tail_text(app), pilot)
        assert "exit 3" in tail_text(app).splitlines()[-1]
        assert any("Command failed" in n for n in app.notices)
        assert recorded(app)[0].exit_code == 3


async def test_read_only_refuses_changing_command(make_app: AppFactory) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        status = str(app.query_one("#status").render())
        assert "READ-ONLY" in status
        await run_command(pilot, DELETE)
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert [(r.state, r.message) for r in runs(app)] == [("refused", "refused: read-only session")]
        assert any("Refused" in n and "read-only" in n for n in app.notices)
        assert "not run: refused: read-only session" in tail_text(app)
        refused = recorded(app)
        assert [(r.status, r.refused, r.task_id) for r in refused] == [
            ("refused", "refused: read-only session", "1.1")
        ]
        assert refused[0].cmd == "kubectl -n data-platform delete pod web-1"
        path = app.action_save()
    assert path is not None
    text = path.read_text()
    assert "not run: refused: read-only session" in text
    assert "kubectl -n data-platform delete pod web-1" in text


async def test_declined_confirmation_is_journaled_and_resumed(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, DELETE)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot)
        await pilot.press("n")
        await wait_for(lambda: bool(runs(app)), pilot)
        assert runs(app)[0].state == "refused"
        await pilot.press("q", "d")
        await wait_for(lambda: not app.is_running, pilot)
    assert [e["reason"] for e in journal_events(app) if e["type"] == "command_refused"] == [
        "declined by operator"
    ]
    again = make_app(resume=True, resume_journal=app.session.journal_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [(r.state, r.message, r.command) for r in runs(again)] == [
            ("refused", "declined by operator", "kubectl -n data-platform delete pod web-1")
        ]


async def test_command_not_found_is_reported(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, NOT_FOUND)
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):  # unknown programs may be treated as changing
            await pilot.press("y")
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        run = runs(app)[0]
        assert run.state == "failed" and run.exit_code == 127
        assert "command not found" in run.message
        await wait_for(lambda: "command not found" in tail_text(app), pilot)
        assert "command not found" in tail_text(app).splitlines()[-1]


async def test_cancel_stops_a_running_command(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, SLEEP)
        await wait_for(lambda: bool(runs(app)), pilot)
        assert runs(app)[0].state == "running"
        await pilot.press("c")
        await wait_for(lambda: runs(app)[0].state != "running", pilot, timeout=6)
        assert runs(app)[0].state == "cancelled"
        journaled = recorded(app)[0]
        assert journaled.cancelled and journaled.status == "cancelled"


async def test_placeholders_are_asked_for_and_inserted_quoted(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, PLACEHOLDER)
        await wait_for(lambda: isinstance(app.screen, PlaceholderForm), pilot)
        await pilot.press(*"web 1", "enter")
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        assert runs(app)[0].command == "echo pod='web 1'"
        await wait_for(lambda: "pod=web 1" in tail_text(app), pilot)
        assert "pod=web 1" in tail_text(app).splitlines()[1]


async def test_edit_before_running(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        await pilot.press("e")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.press("end", *" edited", "enter")
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        assert runs(app)[0].command == "echo hello-from-cockpit edited"


async def test_note_is_journaled_and_shown(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.press(*"pods look fine", "enter")
        await wait_for(lambda: "pods look fine" in str(app.query_one("#notes").render()), pilot)
        assert [n.text for n in app.session.notes("1.1")] == ["pods look fine"]
        assert any(e["type"] == "note" for e in journal_events(app))


async def test_pause_stops_the_session_clock(make_app: AppFactory) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        clock.advance(10)
        await pilot.press("p")
        assert app.session.paused
        assert "PAUSED" in str(app.query_one("#status").render())
        clock.advance(100)
        assert app.session.now() == 10 and app.session.elapsed("1.1") == 10
        await pilot.press("p")
        clock.advance(5)
        assert app.session.now() == 15


async def test_going_over_the_box_notifies_once(make_app: AppFactory) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        clock.advance(10 * 60 + 1)
        for _ in range(3):
            app.tick_clock()
            clock.advance(1)
        await pilot.pause()
        over = [n for n in app.notices if n.startswith("Over time") and "Look at the pods" in n]
        assert len(over) == 1


async def test_checkpoints_are_written_off_the_ui_thread_and_a_failing_journal_is_said_once(
    make_app: AppFactory,
) -> None:
    """The once-a-second tick only asks whether a checkpoint is due; the write and its fsync run
    on a worker thread. A journal that cannot be written is one notice, not one a second."""
    import threading

    from cockpit.session.engine import CHECKPOINT_SECONDS
    from cockpit.session.journal import JournalError

    clock = FakeClock()
    app = make_app(clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        writers: list[str] = []
        checkpoint = app.session.checkpoint

        def spied(*args: object, **kw: object) -> bool:
            writers.append(threading.current_thread().name)
            return checkpoint(*args, **kw)  # type: ignore[arg-type]

        app.session.checkpoint = spied  # type: ignore[method-assign]
        app.tick_clock()
        await pilot.pause()
        assert not [w for w in app.workers if w.group == "checkpoint"]  # nothing due: no thread
        clock.advance(CHECKPOINT_SECONDS + 1)
        app.tick_clock()
        await wait_for(lambda: bool(writers), pilot)
        assert writers[0] != threading.main_thread().name
        await wait_for(lambda: any(e["type"] == "checkpoint" for e in journal_events(app)), pilot)

        failed: list[str] = []

        def broken(*args: object, **kw: object) -> bool:
            failed.append(threading.current_thread().name)
            raise JournalError("journal.jsonl: cannot write the journal (No space left on device)")

        app.session.checkpoint = broken  # type: ignore[method-assign]
        for attempt in range(1, 4):  # three failed checkpoints, each one's worker done before the next
            clock.advance(CHECKPOINT_SECONDS + 1)
            app.tick_clock()
            await wait_for(lambda n=attempt: len(failed) == n, pilot)  # type: ignore[misc]
            await wait_for(lambda: not [w for w in app.workers if w.group == "checkpoint"], pilot)
        await wait_for(lambda: any("No space left on device" in n for n in app.notices), pilot)
        said = [n for n in app.notices if "No space left on device" in n]
        assert len(said) == 1


async def test_save_writes_the_transcript(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, ECHO)
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        await pilot.press("t", "space", "s")
        await pilot.pause()
        path = app.saved_transcript
        assert path is not None and path.is_file()
        text = path.read_text()
        assert "Look at the pods" in text and "echo hello-from-cockpit" in text


async def test_quit_asks_to_save_then_ends_the_session(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await wait_for(lambda: isinstance(app.screen, QuitScreen), pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QuitScreen) and app.is_running
        await pilot.press("q")
        await wait_for(lambda: isinstance(app.screen, QuitScreen), pilot)
        await pilot.press("s")
        await wait_for(lambda: not app.is_running, pilot)
    assert app.saved_transcript is not None and app.saved_transcript.is_file()
    assert journal_events(app)[-1]["type"] == "ended"
    assert "not ended" not in app.saved_transcript.read_text()  # saved after the end was recorded


class MetricsPane(Static):
    """Stands in for the live Metrics pane: what it holds when the session ends."""

    def __init__(self) -> None:
        super().__init__()
        self.ended_before_record: list[bool] = []

    def record_end(self) -> None:
        app = self.app
        self.ended_before_record.append(app.session.ended)  # type: ignore[attr-defined]
        app.session.record_metrics("end", {"Running pods": "112"})  # type: ignore[attr-defined]


async def test_ctrl_q_asks_to_save_and_records_metric_end_values(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = MetricsPane()
        await app.query_one("#live-panes").mount(pane)
        await pilot.press("ctrl+q")
        await wait_for(lambda: isinstance(app.screen, QuitScreen), pilot)
        await pilot.press("ctrl+q")  # a second ctrl+q does not stack a second dialog
        await pilot.pause()
        assert len(app.screen_stack) == 2
        await pilot.press("s")
        await wait_for(lambda: not app.is_running, pilot)
    assert pane.ended_before_record == [False]  # asked for its values before the end was recorded
    assert app.saved_transcript is not None
    assert "112" in app.saved_transcript.read_text()


async def test_ctrl_q_while_the_session_is_ending_leaves_at_once(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.closing = True  # as while the quit dialog's choice is stopping runs
        await pilot.press("ctrl+q")
        await wait_for(lambda: not app.is_running, pilot)


async def test_palette_quit_asks_to_save(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen) if c.title == "Quit"]
        assert titles == ["Quit"]  # one Quit, not Textual's beside cockpit's
        await app.action_quit()  # what Textual's own palette entry called
        await wait_for(lambda: isinstance(app.screen, QuitScreen), pilot)
        await pilot.press("escape")
        await pilot.pause()
        await palette_pick(app, pilot, "quit", "Quit")
        await wait_for(lambda: isinstance(app.screen, QuitScreen), pilot)
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and not app.session.ended


async def test_resume_reopens_where_it_stood(make_app: AppFactory, tmp_path: Path) -> None:
    clock = FakeClock()
    first = make_app(clock=clock)
    async with first.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, ECHO)
        await wait_for(lambda: runs(first) and runs(first)[0].state != "running", pilot)
        clock.advance(90)
        await pilot.press("t", "space")  # 1.1 done, 1.2 active
        clock.advance(30)
        await pilot.press("n", *"halfway", "enter")
        await pilot.pause()
        await pilot.press("q", "d")
        await wait_for(lambda: not first.is_running, pilot)
    journal = first.session.journal_path

    second = make_app(clock=clock, resume=True)
    assert second.session.journal_path == journal
    async with second.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert second.session.state_of("1.1") is TaskState.DONE
        assert second.session.elapsed("1.1") == 90
        assert second.session.elapsed("1.2") == 30
        tree = second.query_one(PlanTree)
        assert tree.cursor_plan_node is not None and tree.cursor_plan_node.id == "1.2"
        assert [n.text for n in second.session.notes("1.2")] == ["halfway"]
        assert "✓" in tree.label_of("1.1")
        # it carries on with the task it stood on, and shows the earlier runs with their output
        assert second.session.active_task is not None and second.session.active_task.id == "1.2"
        clock.advance(10)
        assert second.session.elapsed("1.2") == 40
        earlier = runs(second)
        assert [(r.command, r.state, r.exit_code) for r in earlier] == [("echo hello-from-cockpit", "ok", 0)]
        assert "hello-from-cockpit" in earlier[0].buffer.visible_lines()[1]
        await run_command(pilot, ECHO)  # a new run gets a fresh id next to the journaled one
        await wait_for(lambda: len(runs(second)) == 2 and runs(second)[1].state != "running", pilot)
        assert [r.run_id for r in recorded(second)] == ["run-1", "run-2"]


async def test_help_lists_every_binding(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), pilot)
        text = "\n".join(" ".join(row) for row in app.screen.rows)
        for words in (
            "Tick task",
            "Run command",
            "Edit & run",
            "Cancel run",
            "Note",
            "Pause",
            "Save transcript",
            "Quit",
            "Filter plan",
            "app.quit",
            "plan.tick",
        ):
            assert words in text
        # the live panes' own keys, under their pane's heading
        titles = {row[0] for row in app.screen.rows}
        assert {"Pods pane", "ArgoCD pane", "Certificates pane", "Logs pane", "Platform pane"} <= titles
        pane_keys = ("Pod logs", "Sync app", "Why not Ready", "Next match", "Re-check now", "Describe")
        for words in pane_keys:
            assert words in text
        assert "Maximize/restore" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_filter_narrows_the_plan(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.press(*"grafana", "enter")
        await pilot.pause()
        tree = app.query_one(PlanTree)
        shown = [n.data.id for n in tree.iter_plan_nodes()]
        assert shown == ["2", "2.1"]


async def test_space_in_the_commands_ticks_the_task_on_screen(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        assert app.query_one(CommandList).has_focus
        await pilot.press("space")  # outside the plan, a space asks before it ticks
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot)
        assert app.session.state_of("1.1") is TaskState.ACTIVE
        await pilot.press("y")
        await wait_for(lambda: app.session.state_of("1.1") is TaskState.DONE, pilot)
        assert app.session.active_task is not None and app.session.active_task.id == "1.2"


async def test_manual_steps_tick_with_space(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.query_one(PlanTree)
        tree.focus_node(app.plan.find("2.1"))  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.press("enter")  # no commands: focus goes to the manual steps
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert app.session.steps_done("2.1") == {0}
        await pilot.press("down", "space")
        await pilot.pause()
        assert app.session.steps_done("2.1") == {0, 1}
        await pilot.press("space")
        await pilot.pause()
        assert app.session.steps_done("2.1") == {0}


async def test_palette_offers_every_action(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        commands = {c.title for c in app.get_system_commands(app.screen)}
        for binding in app.BINDINGS:
            if binding.action not in ("command_palette", "focus_next", "focus_previous"):  # type: ignore[union-attr]
                assert binding.description in commands  # type: ignore[union-attr]
        await palette_pick(app, pilot, "save transcript", "Save transcript")
        await wait_for(lambda: app.saved_transcript is not None, pilot)
        assert app.saved_transcript is not None and app.saved_transcript.is_file()


async def test_tab_cycles_between_panes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.query_one(PlanTree).has_focus
        seen = set()
        for _ in range(6):
            await pilot.press("tab")
            await pilot.pause()
            assert app.focused is not None
            seen.add(app.focused.id)
        assert {"commands", "tail"} <= seen
        await pilot.press("t")
        assert app.query_one(PlanTree).has_focus


async def test_live_panes_swap_in_on_a_narrow_screen(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        live, work = app.query_one("#live-panes"), app.query_one("#work")  # work: task over output
        assert work.display and not live.display
        await pilot.press("L")
        await pilot.pause()
        assert live.display and not work.display
        assert "No cluster connected" in str(app.query_one("#live-missing").render())
        await pilot.press("L")
        await pilot.pause()
        assert work.display and not live.display


async def test_clicking_a_command_runs_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        await pilot.click("#commands", offset=(4, 0))
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        assert runs(app)[0].command == "echo hello-from-cockpit"


async def test_keys_are_remapped_from_the_config_file(make_app: AppFactory, cockpit_home: Path) -> None:
    config = cockpit_home / "config" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("keymap:\n  app.note: ctrl+n\n")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.press("escape")
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), pilot)
        assert ("Anywhere", "ctrl+n", "Note", "app.note") in app.screen.rows


async def test_broken_config_keeps_default_keys_and_says_why(
    make_app: AppFactory, cockpit_home: Path
) -> None:
    config = cockpit_home / "config" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("keymap: [\n")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("config.yaml:" in n and "not valid YAML" in n for n in app.notices)
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)


async def test_journal_failure_is_reported_not_a_crash(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.session.journal.close()  # as if the disk went away
        await pilot.press("enter")  # starting the task cannot be journaled
        await pilot.pause()
        assert app.is_running
        assert any("journal is closed" in n for n in app.notices)
        assert app.session.state_of("1.1") is TaskState.TODO  # nothing pretends it was recorded


async def test_cockpit_keys_are_inert_while_a_dialog_is_open(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await wait_for(lambda: isinstance(app.screen, QuitScreen), pilot)
        await pilot.press("q", "p")
        await pilot.pause()
        assert len(app.screen_stack) == 2  # no second quit dialog
        assert not app.session.paused
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_confirmation_warns_when_the_command_aims_elsewhere(make_app: AppFactory) -> None:
    plan = plan_with_commands(Command("kubectl --context prod -n web delete pod web-1", 7))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, 0)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot)
        body = str(app.screen.query_one("#dialog-body").render())
        assert "--context prod" in body and "not go to the pinned target" in body
        assert "namespace web (from the command)" in body
        await pilot.press("n")


async def test_changing_theme_recolours_the_rows(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        before = app.palette
        app.theme = "nord"
        await pilot.pause()
        assert app.palette != before and app.palette.success == app.theme_variables["success"]


async def test_namespace_placeholder_is_prefilled_with_the_pinned_namespace(make_app: AppFactory) -> None:
    plan = plan_with_commands(Command("echo ns=${NAMESPACE} pod=<pod>", 7))
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, 0)
        await wait_for(lambda: isinstance(app.screen, PlaceholderForm), pilot)
        await pilot.press("tab", *"web-1", "enter")
        await wait_for(lambda: runs(app) and runs(app)[0].state != "running", pilot)
        await wait_for(lambda: "ns=data-platform pod=web-1" in tail_text(app), pilot)


async def test_a_passed_check_offers_the_tick_and_never_ticks_by_itself(make_app: AppFactory) -> None:
    plan = plan_with_commands(Command("echo hello-from-cockpit", 7))
    plan.sections[0].children[0].success_criteria = ["`echo hello-from-cockpit` exits 0"]
    app = make_app(plan=plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(pilot)
        line = app.query_one("#task-check")
        assert line.display and "cannot tell yet" in str(line.render())  # not run yet
        assert not any(str(c.display).startswith("Tick (check passed)") for c in await palette_hits(app))
        await pilot.press("enter")  # run it
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state == "ok", pilot)
        recorded(app)
        app.tick_clock()
        await pilot.pause()
        assert "✓ check passed — press space to tick" in str(line.render())
        assert app.session.state_of("1.1") is TaskState.ACTIVE  # offered, not ticked
        assert any(str(c.display).startswith("Tick (check passed)") for c in await palette_hits(app))
        await pilot.press("space", "y")  # from the commands, the tick is confirmed
        await wait_for(lambda: app.session.state_of("1.1") is TaskState.DONE, pilot)


async def test_a_run_is_journaled_with_the_namespace_it_names(make_app: AppFactory) -> None:
    """The pinned namespace is data-platform; a command's own -n is where it lands, and what is recorded."""
    app = make_app(plan=plan_with_commands(Command("kubectl -n kube-system version --client", 7)))
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, 0)
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot)
        assert [(r.context, r.namespace) for r in recorded(app)] == [("test-ctx", "kube-system")]


async def test_ticking_from_the_commands_leaves_the_keys_with_the_plan(make_app: AppFactory) -> None:
    """1.2 has a command, 1.3 none: after ticking 1.2 from its commands, the arrows still move."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # 1.2: focus goes to its command
        await pilot.pause()
        assert isinstance(app.focused, CommandList)
        await pilot.press("space", "y")  # tick 1.2 (confirmed): on to 1.3, which has no commands
        await wait_for(lambda: app.current is not None and app.current.id == "1.3", pilot)
        assert app.current is not None and app.current.id == "1.3"
        assert isinstance(app.focused, PlanTree)
        await pilot.press("up")
        await pilot.pause()
        assert app.current.id == "1.2"  # type: ignore[union-attr]


async def test_a_command_starts_its_task_only_once_it_may_run(make_app: AppFactory) -> None:
    """The task on screen (highlighted, not started) becomes the active one when one of its commands
    runs; a refused (read-only) or declined command leaves it as it was, with nothing journaled."""
    refused_app = make_app(read_only=True)
    async with refused_app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: refused_app.current is not None, pilot)
        task = refused_app.current
        assert task is not None and task.is_task and refused_app.session.active_task is None
        refused_app.run_command(task.commands[DELETE])
        await wait_for(lambda: bool(runs(refused_app)), pilot)
        assert runs(refused_app)[0].state == "refused"
        assert refused_app.session.active_task is None
    assert not [e for e in journal_events(refused_app) if e["type"] == "task_activated"]

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.current is not None, pilot)
        task = app.current
        assert task is not None and app.session.active_task is None
        app.run_command(task.commands[DELETE])
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot)
        await pilot.press("n")  # declined: still not started
        await wait_for(lambda: bool(runs(app)), pilot)
        assert app.session.active_task is None
        app.run_command(task.commands[ECHO])  # read-only: runs, and the task's timer starts with it
        await wait_for(lambda: len(runs(app)) == 2 and runs(app)[1].state != "running", pilot)
        assert app.session.active_task is task
    kinds = [e["type"] for e in journal_events(app) if e["type"] in ("task_activated", "command_started")]
    assert kinds == ["task_activated", "command_started"]
