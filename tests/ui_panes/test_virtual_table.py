"""The virtual table: the pods pane's rows and order as before, and the widget's own behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.pods import PodSummary, sort_pods
from cockpit.sandbox import Sandbox
from cockpit.ui.panes import PodsPane
from cockpit.ui.widgets.virtual_table import Column, VirtualTable, cell_width, cut_middle, layout
from tests.cluster.sandboxfix import hub_for
from tests.ui_panes.test_panes import PaneApp, wait_until


def expected_rows(pods: list[PodSummary]) -> list[tuple[str, ...]]:
    """The cells the DataTable pane showed for these pods, in its row order (AGE left out: it ticks),
    columns in kubectl's order."""
    return [
        (p.namespace, p.name, p.ready, p.status, str(p.restarts), p.last_termination, p.node, p.detail[:120])
        for p in sort_pods(pods)
    ]


def shown_rows(table: VirtualTable) -> list[tuple[str, ...]]:
    """The cells shown, AGE left out and RESTARTS without its ticking '(2m37s ago)'."""
    age, restarts = table.get_column_index("age"), table.get_column_index("restarts")
    return [
        tuple(
            str(c).split(" (")[0] if i == restarts else str(c)
            for i, c in enumerate(table.get_row_at(n))
            if i != age
        )
        for n in range(table.row_count)
    ]


async def same_rows_as_sort_pods(tmp_path: Path, pods: int | None, expect: int) -> None:
    box = Sandbox(seed=0, pods=pods, time_scale=1e-6).start()  # a still world: no restarts meanwhile
    hub: ClusterHub | None = None
    try:
        hub = hub_for(box.write_kubeconfig(tmp_path / "kubeconfig", context_name="cockpit-sandbox"))
        app = PaneApp(PodsPane(hub))
        async with app.run_test(size=(200, 50)) as pilot:
            table = app.query_one("#pods-table", VirtualTable)
            await wait_until(pilot, lambda: table.row_count == expect, timeout=60)
            informer = hub.pods()
            assert informer is not None
            truth = informer.values()
            assert len(truth) == expect
            assert table.row_keys == [p.uid for p in sort_pods(truth)]
            assert shown_rows(table) == expected_rows(truth)
    finally:
        if hub is not None:
            hub.stop()
        box.stop()


async def test_pods_table_shows_the_seed_world_in_the_old_order(tmp_path: Path) -> None:
    await same_rows_as_sort_pods(tmp_path, None, 138)


async def test_the_first_whole_list_is_shown_without_waiting_for_the_render_throttle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renders are throttled under churn; the first list (what the operator waits for at start)
    is not, even right after the empty 'loading' render (here the throttle would hold it 1000 s)."""
    import cockpit.ui.panes.pods as pods_module

    monkeypatch.setattr(pods_module, "RENDER_EVERY_S", 1000.0)
    await same_rows_as_sort_pods(tmp_path, None, 138)


async def test_pods_table_shows_a_10k_world_in_the_old_order_without_a_cap(tmp_path: Path) -> None:
    box_pods = 10_000
    await same_rows_as_sort_pods(tmp_path, box_pods, box_pods)


class TableApp(App[None]):
    def __init__(self, table: VirtualTable) -> None:
        super().__init__()
        self.table = table
        self.selected: list[str] = []

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        self.selected.append(event.key)

    def compose(self) -> ComposeResult:
        yield self.table


COLUMNS = (
    Column("name", "NAME", priority=10, min_width=10, cut="middle"),
    Column("status", "STATUS", priority=9, cut=None),
    Column("node", "NODE", priority=1, min_width=6),
)


def rows(n: int, status: str = "Running") -> list[tuple[str, tuple[Any, ...]]]:
    return [
        (f"k{i}", (f"pod-{i:05d}-with-a-long-generated-suffix", Text(status), f"node-{i % 3}"))
        for i in range(n)
    ]


def test_layout_drops_the_lowest_priority_then_cuts_names_in_the_middle() -> None:
    natural = [40, 7, 6]
    assert layout(COLUMNS, natural, 100) == [(0, 40), (1, 7), (2, 6)]
    assert layout(COLUMNS, natural, 30) == [(0, 13), (1, 7), (2, 6)]  # NAME gave up width
    assert layout(COLUMNS, natural, 25) == [(0, 16), (1, 7)]  # NODE went first
    assert layout(COLUMNS, natural, 5) == [(0, 10)]  # never less than the name's minimum
    assert cut_middle("trino-worker-7d9f8c6b5-x2x4k", 15) == "trino-w…5-x2x4k"


def test_wide_columns_only_take_the_room_left_once_default_columns_are_whole() -> None:
    """kubectl's -o wide extras (NODE here) never cut a name: they are dropped while a default
    column would be cut, shown in what is left once the defaults are whole, cut before dropped."""
    columns = (
        Column("name", "NAME", priority=10, min_width=10, cut="middle"),
        Column("status", "STATUS", priority=9, cut=None),
        Column("node", "NODE", priority=8, min_width=6, cut="middle", wide=True),
        Column("why", "WHY", priority=1, min_width=10, wide=True),
    )
    natural = [40, 7, 20, 30]
    assert layout(columns, natural, 120) == [(0, 40), (1, 7), (2, 20), (3, 30)]
    assert layout(columns, natural, 80) == [(0, 40), (1, 7), (2, 17), (3, 10)]  # NODE cut first
    assert layout(columns, natural, 60) == [(0, 40), (1, 7), (2, 9)]  # WHY dropped, NODE cut
    assert layout(columns, natural, 52) == [(0, 40), (1, 7)]  # no room for NODE's minimum
    assert layout(columns, natural, 45) == [(0, 36), (1, 7)]  # NAME cut: no extras at all
    # without wide columns a high-priority extra would have cut the name for itself
    plain = tuple(Column(c.key, c.header, c.priority, c.min_width, cut=c.cut) for c in columns)
    assert layout(plain, natural, 60)[0] == (0, 31)


async def test_keys_move_the_cursor_and_enter_selects() -> None:
    table = VirtualTable(COLUMNS, id="t")
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        table.update(rows(100))
        table.focus()
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_key == "k2"
        await pilot.press("G")
        assert table.cursor_row == 99 and table.scroll_y > 80
        await pilot.press("g")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("ctrl+d")
        half = table.cursor_row
        assert 3 <= half <= 6
        await pilot.press("ctrl+d", "ctrl+u")
        assert table.cursor_row == half
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [f"k{half}"]


async def test_only_changed_rows_are_repainted_and_nothing_when_nothing_changed() -> None:
    table = VirtualTable(COLUMNS, id="t")
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        data = rows(1000)
        table.update(data)
        await pilot.pause()
        painted = table.paints
        assert 0 < painted <= 12  # only the rows on screen were rendered, not 1000
        table.update(list(data))
        await pilot.pause()
        assert table.paints == painted
        data[2] = ("k2", (data[2][1][0], Text("Pending"), "node-2"))  # same widths: one row redrawn
        table.update(data)
        await pilot.pause()
        assert table.paints == painted + 1
        assert str(table.get_row_at(2)[1]) == "Pending"
        data[3] = ("k3", (data[3][1][0], Text("CrashLoopBackOff"), "node-0"))  # STATUS widens: all
        table.update(data)
        await pilot.pause()
        assert table.paints > painted + 2


async def test_cursor_stays_on_its_row_when_rows_move() -> None:
    table = VirtualTable(COLUMNS, id="t")
    app = TableApp(table)
    async with app.run_test(size=(80, 12)) as pilot:
        data = rows(10)
        table.update(data)
        table.move_cursor(4)
        table.update([data[9], *data[:9]])
        await pilot.pause()
        assert table.cursor_key == "k4" and table.cursor_row == 5
        table.update([r for r in data if r[0] != "k4"])
        assert table.cursor_row == 5 and table.row_count == 9


async def test_restarts_do_not_reorder_the_pods_pane(tmp_path: Path) -> None:
    from tests.cluster.fakeapi import FakeApi
    from tests.ui_panes.test_panes import pod_obj

    fake = FakeApi().start()
    cfg = tmp_path / "kubeconfig"
    cfg.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
        f"clusters: [{{name: c, cluster: {{server: '{fake.url}'}}}}]\n"
        "users: [{name: u, user: {token: abc}}]\n"
        "contexts: [{name: test, context: {cluster: c, user: u}}]\n"
    )
    hub = ClusterHub.connect(kubeconfig=cfg, env={})
    try:
        for pod in ("a-1", "b-1", "c-1"):
            fake.put(pod, **pod_obj(pod, crash=True))
        app = PaneApp(PodsPane(hub))
        async with app.run_test(size=(160, 30)) as pilot:
            table = app.query_one("#pods-table", VirtualTable)
            name = table.get_column_index("name")

            def names() -> list[str]:
                return [str(table.get_row_at(i)[name]) for i in range(table.row_count)]

            await wait_until(pilot, lambda: table.row_count == 3)
            assert names() == ["a-1", "b-1", "c-1"]
            crash = pod_obj("c-1", crash=True)
            crash["status"]["containerStatuses"][0]["restartCount"] = 99
            fake.put("c-1", **crash)
            restarts = table.get_column_index("restarts")
            await wait_until(pilot, lambda: str(table.get_row_at(2)[restarts]) == "99")
            assert names() == ["a-1", "b-1", "c-1"]  # sort_pods would put c-1 first now
            fake.put("a-1", **pod_obj("a-1"))  # now Running: its rank changed, it moves
            await wait_until(pilot, lambda: names() == ["b-1", "c-1", "a-1"])
    finally:
        hub.stop()
        fake.stop()


def test_a_narrow_pods_pane_keeps_name_and_status_before_namespace() -> None:
    from cockpit.ui.panes.pods import TABLE_COLUMNS

    natural = [14, 40, 5, 16, 14, 5, 10, 12, 30]
    keys = [TABLE_COLUMNS[i].key for i, _w in layout(TABLE_COLUMNS, natural, 74)]
    assert keys[:4] == ["name", "ready", "status", "restarts"] and "namespace" not in keys
    wide = [TABLE_COLUMNS[i].key for i, _w in layout(TABLE_COLUMNS, natural, 160)]
    assert wide[:6] == ["namespace", "name", "ready", "status", "restarts", "age"]


async def test_plain_string_cells_are_measured_and_drawn_as_rich_text_would_be() -> None:
    """Cells are kept as given and become Text only when drawn: wide characters still count two
    cells, control codes none, and a column is as wide as its widest value, as before."""
    table = VirtualTable(COLUMNS, id="t")
    app = TableApp(table)
    async with app.run_test(size=(120, 12)) as pilot:
        odd = ["pod-日本語-x", "pod\x07bell", "plain-pod"]
        table.update([(f"k{i}", (name, "Running", "n")) for i, name in enumerate(odd)])
        await pilot.pause()
        assert [cell_width(n) for n in odd] == [Text(n).cell_len for n in odd] == [12, 7, 9]
        assert table._layout[0] == (0, 12)  # NAME as wide as its widest value, measured like Rich
        assert [str(table.get_row_at(i)[0]) for i in range(3)] == [Text(n).plain for n in odd]
        table.update([("k0", ("short", Text("Pending"), "n"))])  # the wide ones gone: NAME narrows
        await pilot.pause()
        assert table._layout[0] == (0, 5) and table.row_count == 1


async def test_rows_that_move_off_screen_repaint_nothing_and_a_taller_table_needs_no_layout() -> None:
    table = VirtualTable(COLUMNS, id="t")
    app = TableApp(table)
    layouts: list[object] = []
    async with app.run_test(size=(80, 12), message_hook=lambda m: layouts.append(m)) as pilot:
        data = rows(1000)
        table.update(data)
        for _ in range(20):  # the first fill's own layout may land a few frames later on a busy machine
            layouts.clear()
            await pilot.pause(0.05)
            if not [m for m in layouts if type(m).__name__ == "Layout"]:
                break
        painted = table.paints
        layouts.clear()
        keys = [k for k, _c in data]
        new = ("new", ("pod-00new-with-a-long-generated-suffix", Text("Running"), "node-1"))  # same widths
        keys.insert(500, "new")  # far below the screen: the rows shown stay the same
        table.patch({"new": new[1]}, keys)
        await pilot.pause()
        assert table.paints == painted and table.row_count == 1001
        assert not [m for m in layouts if type(m).__name__ == "Layout"]  # the scrollbar only
        keys.remove("k0")  # the first row goes: every row on screen moves up one line
        table.patch({}, keys)
        await pilot.pause()
        assert table.row_keys[0] == "k1" and table.paints > painted
        painted = table.paints
        table.patch({"k700": (data[700][1][0], Text("Pending"), "node-1")})  # off screen: no paint
        await pilot.pause()
        assert table.paints == painted and str(table.get_row(keys[700])[1]) == "Pending"
        table.patch({"k3": (data[3][1][0], Text("Pending"), "node-0")})  # on screen: that row only
        await pilot.pause()
        assert table.paints == painted + 1
