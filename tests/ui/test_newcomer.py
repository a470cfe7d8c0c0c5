"""What a first-time operator trips over: keys that must act on what the screen shows."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cockpit.launch import LaunchOptions
from cockpit.plan import load_plan
from cockpit.plan.model import Command
from cockpit.runner import command_namespace
from cockpit.session.clock import FakeClock
from cockpit.ui.launch import build_app
from cockpit.ui.rows import Palette
from cockpit.ui.screens.dialogs import ConfirmScreen, TextPrompt
from cockpit.ui.widgets.output_pane import OutputPane, RunView, run_row
from cockpit.ui.widgets.plan_tree import PlanTree
from cockpit.ui.widgets.tail_view import TailBuffer, plain
from cockpit.ui.widgets.task_detail import CommandList, StepList

from ..conftest import SEED_PLAN
from .conftest import AppFactory, runs, wait_for
from .plans import make_plan, plan_with_commands
from .test_flows import run_command
from .test_task_checks import Hub as PendingCertHub


async def filter_plan(pilot, words: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    await wait_for(lambda: isinstance(pilot.app.screen, TextPrompt), pilot)
    await pilot.press(*words, "enter")
    await pilot.pause()


async def test_enter_after_a_filter_starts_the_first_match_not_the_row_the_cursor_left(
    make_app: AppFactory,
) -> None:
    app = make_app(plan=load_plan(SEED_PLAN))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        tree = app.query_one(PlanTree)
        tree.focus_node(app.plan.find("2.1.4"))  # type: ignore[arg-type]  # 1.4 Trino worker, row 7
        await pilot.pause()
        await filter_plan(pilot, "priority")  # the Immediate Action Items: Priority 1..4
        node = tree.cursor_plan_node
        assert node is not None and node.title.startswith("Priority 1"), node
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.active_task is not None
        assert app.session.active_task.title.startswith("Priority 1")


async def test_clearing_the_filter_keeps_the_cursor_on_its_task(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await filter_plan(pilot, "grafana")
        tree = app.query_one(PlanTree)
        await pilot.press("slash")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.press("ctrl+u", "enter")
        await pilot.pause()
        assert len(tree.iter_plan_nodes()) > 2
        assert tree.cursor_plan_node is not None and tree.cursor_plan_node.id == "2.1"


async def test_arrowing_fast_over_tasks_with_and_without_steps_keeps_the_task_view(
    make_app: AppFactory,
) -> None:
    app = make_app(plan=load_plan(SEED_PLAN))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        tree = app.query_one(PlanTree)
        priorities = [n for n in app.plan.walk() if n.title.startswith("Priority ")]
        tree.focus()
        # Rows passed faster than the screen updates (a held arrow key): Priority 4 (manual steps
        # only), then Priority 1 (commands, no steps) before the steps' highlight was handled.
        app.show_node(priorities[3])
        app.show_node(priorities[0])
        tree.focus_node(priorities[0])
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.active_task is priorities[0]
        assert app.query_one(StepList).display is False
        tree.focus()
        tree.focus_node(priorities[3])
        await pilot.press("enter")  # no commands: its manual steps take the keys
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert app.session.steps_done(priorities[3].id) == {0}


async def test_a_command_confirmed_after_resuming_is_the_run_on_screen(
    make_app: AppFactory, tmp_path: Path
) -> None:
    clock = FakeClock()
    first = make_app(clock=clock)
    async with first.run_test(size=(160, 45)) as pilot:
        for _ in range(4):
            await pilot.press("t", "enter")
            await pilot.pause()
            await pilot.press("enter")  # echo hello-from-cockpit
            await wait_for(lambda: bool(runs(first)) and runs(first)[-1].state != "running", pilot)
        await pilot.press("q", "d")
        await wait_for(lambda: not first.is_running, pilot)

    second = make_app(clock=clock, resume=True)
    async with second.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("t", "enter")
        await pilot.pause()
        commands = second.query_one(CommandList)
        commands.highlighted = 1  # kubectl -n data-platform delete pod web-1: asks first
        await pilot.press("enter")
        await wait_for(lambda: isinstance(second.screen, ConfirmScreen), pilot)
        await pilot.press("y")
        await wait_for(lambda: len(runs(second)) == 5 and runs(second)[-1].state != "running", pilot)
        await pilot.pause(0.2)
        pane = second.query_one(OutputPane)
        assert pane.shown == runs(second)[-1].key
        assert "delete pod web-1" in pane.shown_run.buffer.visible_lines()[0]  # type: ignore[union-attr]


async def test_a_failed_command_toast_quotes_its_error_line(make_app: AppFactory) -> None:
    missing = "/nonexistent/dolphinscheduler-api/actuator/health/liveness/readiness"
    app = make_app(plan=plan_with_commands(Command(f"ls -d /tmp {missing}", 7)))
    async with app.run_test(size=(160, 45)) as pilot:  # Output is 54 columns wide here
        await run_command(pilot, 0)
        await wait_for(lambda: bool(runs(app)) and runs(app)[0].state != "running", pilot)
        await pilot.pause(0.1)
        failed = [n for n in app.notices if "Command failed" in n]
        assert failed and "exited with code 2" in failed[-1]
        assert f"ls: cannot access '{missing}': No such file or directory" in failed[-1]


def test_lines_ending_in_a_carriage_return_keep_their_text() -> None:
    buffer = TailBuffer()
    # curl -sI through a PTY: its CR LF becomes CR CR LF
    buffer.feed("HTTP/1.1 302 Found\r\r\nLocation: /login\r\r\n\r\r\n")
    buffer.feed("pulling 10%\rpulling 55%\rpulling 100%\n")  # a progress line redrawn in place
    assert [plain(line) for line in buffer.visible_lines()] == [
        "HTTP/1.1 302 Found",
        "Location: /login",
        "",
        "pulling 100%",
    ]


def test_a_declined_command_shows_no_running_duration() -> None:
    declined = RunView(key="run-3", command="kubectl delete pod web-1", state="refused", started=0.0)
    row = run_row(declined, Palette()).plain
    assert "not run" in row and "s " not in row.split("kubectl")[0]


def test_the_namespace_a_command_lands_in_is_read_from_its_kube_program_only() -> None:
    assert command_namespace("watch -n 2 kubectl get applications -n argocd") == "argocd"
    assert command_namespace("watch -n 2 kubectl get pods") is None  # the pinned namespace
    assert command_namespace("kubectl logs deploy/api -n data-platform | tail -n 50") == "data-platform"
    assert command_namespace("kubectl get pods | head -n 5") is None
    assert command_namespace("helm status redis --namespace=data-platform") == "data-platform"
    assert command_namespace("kubectl -nmonitoring get svc") == "monitoring"


async def test_the_check_line_stays_one_line_at_80_columns(make_app: AppFactory) -> None:
    plan = make_plan()
    plan.sections[0].children[0].success_criteria = ["certificate spark-history-tls is Ready"]
    app = make_app(plan=plan)
    async with app.run_test(size=(80, 24)) as pilot:
        app.task_checks.hub = PendingCertHub()
        await pilot.pause()
        await pilot.press("enter")
        app.tick_clock()
        await pilot.pause()
        line = app.query_one("#task-check")
        assert "✗ check not met yet" in str(line.render())
        assert line.size.height == 1  # the task pane is 10 rows here: the briefing must stay visible


async def test_the_palette_screenshot_is_saved_in_the_session_folder(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.action_screenshot()
        await wait_for(lambda: any("screenshot" in n.lower() for n in app.notices), pilot)
        saved = list(app.session.session_dir.glob("*.svg"))
        assert len(saved) == 1 and saved[0].read_text().lstrip().startswith("<svg")
        assert saved[0].stat().st_mode & 0o777 == 0o600
        assert any(str(saved[0]) in n for n in app.notices)


async def test_starting_a_task_with_the_live_panes_swapped_in_shows_the_task(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        live, work = app.query_one("#live-panes"), app.query_one("#work")  # work: task over output
        await pilot.press("L", "t")
        await pilot.pause()
        assert live.display and not work.display
        await pilot.press("enter")  # start 1.1 from the plan
        await pilot.pause()
        assert work.display and not live.display
        assert app.query_one(CommandList).has_focus  # e and enter act on its commands at once


async def test_resuming_a_sandbox_session_says_the_cluster_started_afresh(tmp_path: Path) -> None:
    environ = {"KUBECONFIG": str(tmp_path / "absent"), "HOME": str(tmp_path)}
    plan = plan_with_commands(Command("true", 7))
    first = build_app(LaunchOptions(sandbox=True), plan=plan, clock=FakeClock(), environ=environ)
    async with asyncio.timeout(60), first.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert not any("new sandbox" in n for n in first.notices)  # a new session: nothing to redo
        await run_command(pilot, 0)
        await wait_for(lambda: bool(runs(first)) and runs(first)[0].state == "ok", pilot, timeout=30)
        await pilot.press("q", "d")
        await wait_for(lambda: not first.is_running, pilot)
    second = build_app(
        LaunchOptions(sandbox=True, resume=True), plan=plan, clock=FakeClock(), environ=environ
    )
    async with asyncio.timeout(60), second.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert any("Resumed on a new sandbox" in n and "Run them again" in n for n in second.notices)


async def test_resume_of_a_sandbox_session_starts_a_sandbox_without_being_asked(tmp_path: Path) -> None:
    """`cockpit --resume` (no --sandbox) of a sandbox session comes back on a sandbox, says so, and the
    journal records where each start and resume landed."""
    from cockpit.session.journal import read_journal

    environ = {"KUBECONFIG": str(tmp_path / "absent"), "HOME": str(tmp_path)}
    plan = plan_with_commands(Command("true", 7))
    first = build_app(LaunchOptions(sandbox=True), plan=plan, clock=FakeClock(), environ=environ)
    async with asyncio.timeout(60), first.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("q", "d")
        await wait_for(lambda: not first.is_running, pilot)
    second = build_app(LaunchOptions(resume=True), plan=plan, clock=FakeClock(), environ=environ)
    async with asyncio.timeout(60), second.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert second.target.sandbox and second.target.context == "cockpit-sandbox"
        assert second.cluster_hub is not None  # live panes on the new sandbox, not localhost:8080
        assert any("ran on the sandbox cluster" in n for n in second.notices)
        await pilot.press("q", "d")
        await wait_for(lambda: not second.is_running, pilot)
    events = read_journal(second.session.journal_path).events
    landed = [(e["context"], e["sandbox"]) for e in events if e["type"] == "cluster"]
    assert landed == [("cockpit-sandbox", True), ("cockpit-sandbox", True)]


async def test_a_long_preview_never_pushes_the_answer_buttons_off_an_80x24_screen(
    make_app: AppFactory,
) -> None:
    """Seen in tmux at 80x24: ArgoCD sync's preview (a dry-run diff) filled the dialog and its
    "Sync (y) / Cancel (n)" buttons were cut off; the operator saw no way to answer. The preview
    gives way, the buttons stay on screen, at every size."""
    from rich.text import Text
    from textual.widgets import Button

    diff = Text("\n".join(f"+  line {n}: spec.field{n}: value" for n in range(40)))
    for size in ((80, 24), (160, 45)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            body = "sync application: ArgoCD applies the application's Git state.\n" * 4
            app.push_screen(ConfirmScreen("Sync application data-platform", body, yes="Sync", preview=diff))
            await wait_for(lambda a=app: isinstance(a.screen, ConfirmScreen), pilot)
            await pilot.pause()
            screen = app.screen
            box = screen.query_one("#dialog-box").region
            preview = screen.query_one("#dialog-preview").region
            for button in screen.query(Button):
                region = button.region
                assert region.height >= 1 and box.contains_region(region), (size, button.id, region, box)
                assert region.bottom <= size[1], (size, button.id, region)
                assert not region.overlaps(preview), (size, button.id, region, preview)
            assert preview.height >= 3, (size, preview)  # it gives way, it does not vanish
