"""UI test fixtures: the app built by the real factory, against a hand-made plan and a frozen clock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cockpit.launch import LaunchOptions
from cockpit.plan.model import Plan
from cockpit.session.clock import FakeClock
from cockpit.session.state import CommandRun
from cockpit.ui.app import CockpitApp
from cockpit.ui.launch import build_app
from cockpit.ui.widgets.output_pane import OutputPane, RunView

from .plans import make_plan

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: test-ctx
contexts:
- name: test-ctx
  context: {cluster: test-cluster, user: test-user, namespace: data-platform}
clusters:
- name: test-cluster
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: test-user
  user: {token: not-a-real-token}
"""


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    return path


AppFactory = Callable[..., CockpitApp]


@pytest.fixture
def make_app(kubeconfig: Path, tmp_path: Path) -> AppFactory:
    def factory(
        *,
        plan: Plan | None = None,
        clock: FakeClock | None = None,
        no_kubeconfig: bool = False,
        **options: object,
    ) -> CockpitApp:
        environ = {
            "KUBECONFIG": str(tmp_path / "absent" if no_kubeconfig else kubeconfig),
            "HOME": str(tmp_path),
        }
        return build_app(
            LaunchOptions(**options),  # type: ignore[arg-type]
            plan=plan or make_plan(),
            clock=clock or FakeClock(),
            environ=environ,
            cluster_hub=None,  # no live panes: these tests are about the plan, commands and session
        )

    return factory


async def wait_for(predicate: Callable[[], bool], pilot: object, timeout: float = 20.0) -> None:
    """Let the app run until `predicate()` holds (commands are real processes)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)  # type: ignore[attr-defined]
        await asyncio.sleep(0)


def recorded(app: CockpitApp) -> list[CommandRun]:
    """The runs as the session journaled them (after the output feed caught up)."""
    app.runs.feed.join()
    return app.session.runs()


def runs(app: CockpitApp) -> list[RunView]:
    return list(app.query_one(OutputPane).runs.values())


def tail_text(app: CockpitApp) -> str:
    return "\n".join(app.query_one("#tail").line_texts())  # type: ignore[attr-defined]


async def palette_pick(app: CockpitApp, pilot: object, typed: str, title: str) -> None:
    """Open the command palette, type `typed`, wait until `title` is the highlighted entry (the
    palette searches in 0.25 s batches, slower on a loaded machine), then choose it."""
    from textual.command import CommandList as PaletteResults
    from textual.command import CommandPalette

    def highlighted_title() -> str:
        found = app.screen.query(PaletteResults)
        results = found.first() if found else None
        if results is None or results.highlighted is None:
            return ""
        return str(results.get_option_at_index(results.highlighted).prompt)

    await pilot.press("ctrl+p")  # type: ignore[attr-defined]
    await wait_for(lambda: isinstance(app.screen, CommandPalette), pilot)
    await pilot.press(*typed)  # type: ignore[attr-defined]
    await wait_for(lambda: title in highlighted_title(), pilot)
    await pilot.press("enter")  # type: ignore[attr-defined]
