"""The start-up heap: no collector passes while the screen is built and the pods listed, then
what is alive is frozen and the collector runs again (over what comes after only)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.cluster.hub import ClusterHub
from cockpit.launch import LaunchOptions
from cockpit.sandbox import Sandbox
from cockpit.ui import heap
from cockpit.ui.heap import StartupHeap
from cockpit.ui.launch import build_app
from cockpit.ui.widgets.virtual_table import VirtualTable
from tests.cluster.sandboxfix import hub_for
from tests.ui_panes.test_panes import wait_until


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[StartupHeap]:
    """A process that has not started yet: its own StartupHeap; the collector as it was after."""
    startup = StartupHeap()
    monkeypatch.setattr(heap, "STARTUP", startup)
    frozen = gc.get_freeze_count()
    yield startup
    gc.enable()
    if gc.get_freeze_count() > frozen:
        gc.unfreeze()


def test_hold_then_settle_freezes_what_is_alive_and_turns_the_collector_back_on(
    fresh: StartupHeap,
) -> None:
    fresh.hold()
    assert not gc.isenabled() and fresh.held
    alive: list[object] = [[]]  # a tracked object made while held
    fresh.settle()
    assert gc.isenabled() and not fresh.held and gc.get_freeze_count() > 0
    assert alive is not None
    fresh.hold()  # once per process: a later app does not hold the collector again
    assert gc.isenabled()
    fresh.settle()
    assert gc.isenabled()


async def test_without_a_cluster_the_first_screen_settles_the_heap(
    fresh: StartupHeap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(heap, "SETTLE_AFTER_S", 1e6)  # no fallback: only the first screen settles it
    app = build_app(LaunchOptions(), environ={"KUBECONFIG": str(tmp_path / "none"), "HOME": str(tmp_path)})
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: fresh.state == "settled", timeout=30)
        assert gc.isenabled()


async def test_the_pods_pane_settles_the_heap_once_its_first_list_is_shown(
    fresh: StartupHeap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(heap, "SETTLE_AFTER_S", 1e6)  # no fallback: only the pods pane settles it
    box = Sandbox(seed=0, time_scale=1e-6).start()
    hub: ClusterHub | None = None
    try:
        kubeconfig = box.write_kubeconfig(tmp_path / "kubeconfig", context_name="cockpit-sandbox")
        hub = hub_for(kubeconfig)
        app = build_app(
            LaunchOptions(),
            environ={"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)},
            cluster_hub=hub,
        )
        async with app.run_test(size=(200, 50)) as pilot:
            table = app.query_one("#pods-table", VirtualTable)
            await wait_until(pilot, lambda: fresh.state == "settled", timeout=60)
            assert gc.isenabled()
            assert table.row_count == 138
    finally:
        if hub is not None:
            hub.stop()
        box.stop()


async def test_build_app_holds_the_collector_before_the_pods_list_starts(
    fresh: StartupHeap, tmp_path: Path
) -> None:
    """The list's page decodes pause the collector themselves: the hold comes first, or it would
    find the collector off and stay out."""
    box = Sandbox(seed=0, time_scale=1e-6).start()
    try:
        kubeconfig = box.write_kubeconfig(tmp_path / "kubeconfig", context_name="cockpit-sandbox")
        app = build_app(
            LaunchOptions(kubeconfig=kubeconfig),
            environ={"KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)},
        )
        assert fresh.held and not gc.isenabled()
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_until(pilot, lambda: fresh.state == "settled", timeout=60)
            assert gc.isenabled()
    finally:
        box.stop()
