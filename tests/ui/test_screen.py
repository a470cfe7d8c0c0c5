"""The screen as an operator meets it: the layout follows the terminal, maximize/restore, keys that
never surprise, type-ahead into dialogs, paused tasks, the headline strip and the status banner."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.widgets import Input

from cockpit.cluster.health import Health, InformerState
from cockpit.session.journal import read_journal
from cockpit.session.state import TaskState
from cockpit.ui.presenters import connection_banner
from cockpit.ui.rows import Palette
from cockpit.ui.screens.dialogs import ConfirmScreen, TextPrompt
from cockpit.ui.widgets.headline import HeadlineItem, headline_text
from cockpit.ui.widgets.output_pane import OutputPane, RunView
from cockpit.ui.widgets.plan_tree import PlanTree
from cockpit.ui.widgets.tail_view import TailView
from cockpit.ui.widgets.task_detail import CommandList

from .conftest import AppFactory, wait_for

SIZES = [80, 120, 160, 200, 250, 200, 160, 120, 80]


def layout(app: Any) -> dict[str, int]:
    """The width each pane has on screen (0: not shown)."""
    return {
        name: app.query_one(f"#{name}").region.width if app.query_one(f"#{name}").display else 0
        for name in ("plan", "work", "live-panes")
    }


async def test_layout_follows_the_current_size_on_every_resize(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for width in SIZES:
            await pilot.resize_terminal(width, 45)
            await wait_for(lambda w=width: app.screen.size.width == w, pilot)
            await pilot.pause()
            shown = layout(app)
            wide = width >= 140
            assert app.has_class("-wide") is wide, width
            assert shown["work"] > 0, (width, shown)
            if wide:  # plan | task over output | live panes, side by side, full height
                assert shown["live-panes"] > shown["plan"] > 0, (width, shown)
                assert shown["live-panes"] >= 0.45 * width, (width, shown)
                assert app.query_one("#live-panes").region.height == app.query_one("#main").region.height
            else:
                assert shown["live-panes"] == 0 and shown["plan"] == 36, (width, shown)
            assert sum(shown.values()) == width, (width, shown)


async def test_resizing_while_a_dialog_is_open_lays_out_the_screen_under_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(200, 45)) as pilot:
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.has_class("-wide")
        assert layout(app)["live-panes"] == 0 and layout(app)["work"] == 80 - 36


async def test_maximize_and_restore_lose_nothing(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # start 1.1: focus on its commands
        await wait_for(lambda: app.query_one(CommandList).has_focus, pilot)
        commands = app.query_one(CommandList)
        before = commands.option_count
        assert before > 0
        await pilot.press("z")  # maximize the task pane
        await pilot.pause()
        task = app.query_one("#task")
        assert app.zoomed is task
        assert task.region.width == 160 and not app.query_one("#plan").display
        assert not app.query_one("#output").display and not app.query_one("#live-panes").display
        assert app.query_one("#headline").display and app.query_one("#status").display
        await pilot.press("escape")  # restores
        await pilot.pause()
        assert app.zoomed is None and app.query_one("#plan").display and app.query_one("#output").display
        # every task's commands are still listed after a maximize (they used to go blank)
        for _ in range(3):
            await pilot.press("t", "down")
            await pilot.pause()
        await pilot.press("up", "up", "up")
        await pilot.pause()
        assert app.current is not None and app.current.id == "1.1"
        assert commands.option_count == before and commands.region.height > 0
        # z maximizes whatever has the focus, z again restores; the plan keeps its cursor
        await pilot.press("t", "z")
        await pilot.pause()
        assert app.zoomed is app.query_one(PlanTree) and app.query_one(PlanTree).region.width == 160
        await pilot.press("z")
        await pilot.pause()
        assert app.zoomed is None and app.current.id == "1.1"


async def test_escape_restores_before_any_pane_key(make_app: AppFactory) -> None:
    """escape restores a maximized pane even where a pane binds escape itself (the Pods filter)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o", "z")
        await pilot.pause()
        assert app.zoomed is app.query_one("#output")
        assert app.query_one("#output").region.width == 120  # on a narrow screen too
        await pilot.press("escape")
        await pilot.pause()
        assert app.zoomed is None
        await pilot.press("escape")  # nothing maximized: escape is left to the widgets
        await pilot.pause()
        assert app.zoomed is None


async def test_space_outside_the_plan_asks_before_it_ticks(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(lambda: app.query_one(CommandList).has_focus, pilot)
        await pilot.press("space")
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot)
        await pilot.press("n")
        await pilot.pause()
        assert app.session.state_of("1.1") is TaskState.ACTIVE
        await pilot.press("o", "space")  # from the output too
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen), pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.state_of("1.1") is TaskState.ACTIVE
        await pilot.press("t", "space")  # in the plan, space is the tick itself
        await pilot.pause()
        assert app.session.state_of("1.1") is TaskState.DONE


async def test_starting_another_task_pauses_the_active_one(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # start 1.1
        await pilot.pause()
        app.session.clock.source.advance(90)  # type: ignore[attr-defined]
        await pilot.press("t", "down", "enter")  # start 1.2
        await pilot.pause()
        assert app.session.state_of("1.1") is TaskState.PAUSED
        assert app.session.active_task is not None and app.session.active_task.id == "1.2"
        tree = app.query_one(PlanTree)
        assert tree.label_of("1.1").startswith("⏸")
        assert app.session.elapsed("1.1") == 90  # time kept, timer stopped
        app.session.clock.source.advance(30)  # type: ignore[attr-defined]
        assert app.session.elapsed("1.1") == 90 and app.session.elapsed("1.2") == 30
        journaled = [(e["type"], e.get("task")) for e in read_journal(app.session.journal_path).events]
        assert ("task_paused", "1.1") in journaled
        assert journaled.index(("task_paused", "1.1")) < journaled.index(("task_activated", "1.2"))


async def test_keys_typed_while_a_dialog_opens_go_to_it(make_app: AppFactory) -> None:
    """The edit prompt opens from a worker after `e`: what is typed at once lands in it, in order,
    never in the command list underneath (a `k` there moved the cursor, leaving `ubectl`)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(lambda: app.query_one(CommandList).has_focus, pilot)
        commands = app.query_one(CommandList)
        commands.highlighted = 1
        await pilot.press("e", "ctrl+u", *"kubectl")  # no pause: the prompt is still opening
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.pause(0.2)
        assert app.screen.query_one(Input).value == "kubectl"
        assert commands.highlighted == 1
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"save")  # the palette: its first letters are not lost either
        await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)
        await pilot.pause(0.2)
        assert app.screen.query_one(Input).value == "save"


async def test_slash_filters_what_has_the_focus_and_colon_jumps(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("colon")
        await wait_for(lambda: isinstance(app.screen, TextPrompt), pilot)
        await pilot.press(*"out", "enter")
        await pilot.pause()
        assert isinstance(app.focused, TailView)
        await pilot.press("colon", *"plan", "enter")
        await pilot.pause()
        assert isinstance(app.focused, PlanTree)
        await pilot.press("colon", *"pods", "enter")  # no cluster here: said, not silent
        await wait_for(lambda: any("No live panes" in n for n in app.notices), pilot)


async def test_j_k_g_G_and_half_pages_move_in_every_list(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.query_one(PlanTree)
        await pilot.press("G")
        last = tree.cursor_line
        assert last == tree.last_line
        await pilot.press("g")
        assert tree.cursor_line == 0
        await pilot.press("j", "j", "k")
        assert tree.cursor_line == 1
        await pilot.press("ctrl+d")
        down = tree.cursor_line
        assert down > 1
        await pilot.press("ctrl+u")
        assert tree.cursor_line < down


async def test_output_wraps_with_w_and_a_sideways_scroll_stays_with_its_run(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        output = app.query_one(OutputPane)
        long = "Caused by: org.postgresql.util.PSQLException: ERROR: " + "x" * 200 + " THE-END"
        first, second = RunView("r1", "first"), RunView("r2", "second")
        output.add_run(first)
        first.buffer.append_line(long)
        output.add_run(second)
        second.buffer.append_line("short")
        output.show_run("r1")
        await pilot.pause()
        tail = app.query_one(TailView)
        tail.focus()
        tail.scroll_to(x=40, animate=False, immediate=True)
        await pilot.pause()
        output.show_run("r2")  # another run: starts at its own offset (0)
        await pilot.pause()
        assert tail.scroll_x == 0
        output.show_run("r1")  # back: where it was left
        await pilot.pause()
        assert tail.scroll_x == 40
        await pilot.press("w")  # wrapped: the end of the long line is on screen
        await pilot.pause()
        shown = [tail.render_line(y).text for y in range(tail.size.height)]
        assert any("THE-END" in row for row in shown)
        assert tail.scroll_x == 0


def test_headline_text_colours_met_and_unknown() -> None:
    palette = Palette(success="green", error="red", muted="grey50")
    items = [
        HeadlineItem("Pod Health", "Pods", "82% (90/110 pods)", "80%", True),
        HeadlineItem("ArgoCD Synced", "Argo synced", "7/17", "12/17", False),
        HeadlineItem("Certificates Ready", "Certs", None, "all", None),
    ]
    wide = headline_text(items, palette, width=200)
    assert wide.plain == (
        "Pod Health 82% (90/110 pods) → 80% ✓ │ ArgoCD Synced 7/17 → 12/17 ✗ │"
        " Certificates Ready unknown → all ?"
    )
    narrow = headline_text(items, palette, width=60)
    assert narrow.plain == "Pods 82% ✓ │ Argo synced 7/17 ✗ │ Certs unknown ?"
    styles = {narrow.plain[s.start : s.end]: str(s.style) for s in narrow.spans}
    assert "green" in styles["82%"] and "red" in styles["7/17"] and "grey50" in styles["unknown"]


class _Informer:
    def __init__(self, health: Health) -> None:
        self.health = health


class _Hub:
    api = object()

    def __init__(self, *healths: Health) -> None:
        self._i = [_Informer(h) for h in healths]

    def pods(self) -> Any:
        return self._i[0]

    def apps(self) -> Any:
        return self._i[1]

    def certs(self) -> Any:
        return self._i[2]


def test_disconnected_banner_says_for_how_long() -> None:
    ok = Health(InformerState.CONNECTED, last_good=100.0, synced=True)
    down = Health(InformerState.RECONNECTING, "connection refused", last_good=100.0, synced=True)
    never = Health(InformerState.RECONNECTING, "connection refused")
    absent = Health(InformerState.NOT_INSTALLED, "no ArgoCD")
    silent = Health(InformerState.STALE, "no data for 20 s", last_good=141.0, synced=True)
    assert connection_banner(_Hub(ok, ok, ok), now=200.0) is None
    assert connection_banner(_Hub(ok, absent, ok), now=200.0) is None
    assert connection_banner(_Hub(down, absent, down), now=161.0) == "DISCONNECTED 61s"
    assert connection_banner(_Hub(never, absent, never), now=161.0) == "DISCONNECTED: never connected"
    assert connection_banner(_Hub(silent, ok, ok), now=161.0) == "STALE 20s"
    assert connection_banner(None) is None


async def test_colon_run_opens_the_command_line_with_the_command(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("colon", *"run echo hi", "enter")
        await wait_for(
            lambda: isinstance(app.screen, TextPrompt) and "Run a command" in app.screen.title_text, pilot
        )
        assert app.screen.query_one(Input).value == "echo hi"


async def test_ticked_and_unticked_steps_look_different(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.query_one(PlanTree)
        tree.focus_node(app.plan.find("2.1"))  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.press("enter", "space")  # no commands: the steps take the keys; tick step 1
        await pilot.pause()
        steps = app.query_one("#steps")
        first, second = (str(steps.get_option_at_index(i).prompt) for i in range(2))  # type: ignore[attr-defined]
        assert first.startswith("✓ ") and second.startswith("○ ")


def test_plan_warnings_are_shown_once_per_plan_file(tmp_path: Any) -> None:
    from cockpit.session.notices import NoticeBook

    book = NoticeBook(tmp_path / "notices.json")
    assert book.unseen("plan:abc", ["repaired mis-decoded characters on 3 lines"]) == [
        "repaired mis-decoded characters on 3 lines"
    ]
    assert book.unseen("plan:abc", ["repaired mis-decoded characters on 3 lines"]) == []
    assert book.unseen("plan:other", ["repaired mis-decoded characters on 3 lines"]) != []
    assert (tmp_path / "notices.json").stat().st_mode & 0o077 == 0


class _CertHub:
    """Just what the Certificates pane reads: no informer, a chain that records its reads."""

    api = object()
    problem = ""
    target = None

    def __init__(self) -> None:
        self.chains: list[Any] = []

    def certs(self) -> None:
        return None

    def cert_chain(self, cert: Any) -> Any:
        from cockpit.cluster.certs import CertChain

        self.chains.append(cert)
        return CertChain(certificate=cert)


async def test_certificate_drill_down_follows_its_certificate() -> None:
    """The "why not Ready" panel is read again when the informer brings a change to its certificate
    (it used to keep `Ready=False` for minutes after the list said Ready)."""
    from textual.app import App, ComposeResult

    from cockpit.cluster.certs import CertStatus
    from cockpit.cluster.informer import ChangeSet
    from cockpit.ui.panes import CertsPane
    from cockpit.ui.panes.base import InformerBatch

    hub = _CertHub()
    pending = CertStatus("u1", "data-platform", "spark-history-tls", "False", "Pending", "", None, None)
    ready = CertStatus("u1", "data-platform", "spark-history-tls", "True", "Ready", "", None, None)
    pane = CertsPane(hub)  # type: ignore[arg-type]

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield pane

    async with One().run_test(size=(160, 40)) as pilot:
        pane.rows["u1"] = pending
        pane.render_rows()
        await wait_for(lambda: pane.selected() is pending, pilot)
        pane.action_drill()
        await wait_for(lambda: len(hub.chains) == 1, pilot)
        change = ChangeSet(("cert-manager.io", "v1", "certificates", ""), upserts={"u1": ready})
        pane.on_informer_batch(InformerBatch(change))  # the informer's batch, through the pane's handler
        await wait_for(lambda: len(hub.chains) == 2, pilot)
        assert hub.chains[-1].is_ready
        detail = pane.query_one("#certs-detail")
        await wait_for(lambda: "Ready=True" in str(detail.render()), pilot)
