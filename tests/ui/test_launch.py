"""What the operator gets wrong before the screen opens: one line naming the file, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.cli import parse_launch_options
from cockpit.ui.launch import run_app


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run_app(parse_launch_options(argv))
    err = capsys.readouterr().err
    return code, err


def test_missing_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run([str(tmp_path / "nope.md")], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "nope.md" in err and "Traceback" not in err


def test_broken_yaml_plan_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("title: x\nphases: [\n")
    code, err = run([str(plan)], capsys)
    assert code == 2
    assert err.startswith(f"cockpit: {plan}:") and err.count("\n") == 1


def test_resume_without_any_session(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["--resume"], capsys)
    assert code == 2 and "no session to resume" in err


def test_resume_missing_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["--resume", str(tmp_path / "journal.jsonl")], capsys)
    assert code == 2 and "no such journal" in err


def test_unknown_context_is_refused_not_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, seed_plan_path: Path
) -> None:
    from .conftest import KUBECONFIG

    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG)
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    code, err = run([str(seed_plan_path), "--context", "prod-typo"], capsys)
    assert code == 2 and "prod-typo" in err and err.count("\n") == 1


def test_unknown_theme_on_the_command_line_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["--theme", "nosuch"], capsys)
    assert code == 2 and err.startswith("cockpit: unknown theme 'nosuch' (themes: ")
    assert "cockpit-colorblind" in err and err.count("\n") == 1
