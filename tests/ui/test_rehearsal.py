"""`cockpit --sandbox --scenario SNAPSHOT PLAN`: a rehearsal on a copy of a cluster. The sandbox
serves the snapshot, commands and panes go to it, and the transcript says it was a rehearsal."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.cli import main as cockpit_main
from cockpit.cli import parse_launch_options
from cockpit.launch import LaunchOptions
from cockpit.plan.model import Command
from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox
from cockpit.session.clock import FakeClock
from cockpit.session.journal import JOURNAL_NAME
from cockpit.session.transcript import render_transcript
from cockpit.ui.launch import build_app

from .plans import plan_with_commands


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("snap")
    box = Sandbox(seed=0).start()
    try:
        kubeconfig = box.write_kubeconfig(directory / "kubeconfig")
        out = directory / "prod-copy.yaml"
        assert cockpit_main(["sandbox", "snapshot", "--kubeconfig", str(kubeconfig), "-o", str(out)]) == 0
    finally:
        box.stop()
    return out


def test_a_rehearsal_serves_the_snapshot_and_says_so(snapshot: Path, tmp_path: Path) -> None:
    options = parse_launch_options(["--sandbox", "--scenario", str(snapshot)])
    assert options.scenario == snapshot
    app = build_app(
        options,
        plan=plan_with_commands(Command("kubectl get pods -A", 7)),
        clock=FakeClock(),
        environ={"KUBECONFIG": str(tmp_path / "absent"), "HOME": str(tmp_path)},
        cluster_hub=None,
    )
    try:
        box = app.owned[0]
        assert box.simulation.snapshot is not None
        assert box.store.count(r.PODS) == 138
        assert app.session.header["rehearsal"] == str(snapshot.resolve())
        assert app.target.context == "cockpit-sandbox" and app.target.sandbox
        journal = app.session.session_dir / JOURNAL_NAME
        header = render_transcript(journal).markdown
        assert f"| **Rehearsal** | on the sandbox scenario `{snapshot.resolve()}` |" in header
    finally:
        app.session.close()
        for thing in app.owned:
            thing.stop()
    again = build_app(
        LaunchOptions(sandbox=True, resume=True, resume_journal=journal),
        plan=app.plan,
        clock=FakeClock(),
        environ={"KUBECONFIG": str(tmp_path / "absent"), "HOME": str(tmp_path)},
        cluster_hub=None,
    )
    try:  # resumed on the copy it rehearsed on, not on the bundled world
        assert again.owned[0].simulation.snapshot is not None
    finally:
        again.session.close()
        for thing in again.owned:
            thing.stop()


def test_scenario_needs_the_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_launch_options(["--scenario", str(tmp_path / "x.yaml")])
    assert "--scenario rehearses on the sandbox: use it with --sandbox" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_launch_options(["--sandbox", "--scenario", str(tmp_path / "missing.yaml")])
    assert "scenario file not found" in capsys.readouterr().err
    assert LaunchOptions().scenario is None
