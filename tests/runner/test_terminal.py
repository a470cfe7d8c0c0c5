"""Commands that need the terminal run on the inherited terminal and report like any run."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.runner.terminal import run_in_terminal


def test_runs_on_the_inherited_terminal(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run_in_terminal(
        "echo in=$PWD ctx=$PINNED", env={"PINNED": "sandbox"}, cwd=tmp_path, banner="kube context: sandbox"
    )
    out = capfd.readouterr().out
    assert out == f"kube context: sandbox\nin={tmp_path} ctx=sandbox\n"
    assert result.ok and result.error is None and result.duration >= 0


def test_failures_are_reported_in_the_result(tmp_path: Path) -> None:
    assert run_in_terminal("exit 5").error == "exited with code 5"
    assert run_in_terminal("no-such-editor file.yaml").error == "command not found: no-such-editor"
    assert (
        run_in_terminal("true", cwd=tmp_path / "gone").error
        == f"working directory not found: {tmp_path / 'gone'}"
    )
