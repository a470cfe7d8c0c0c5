"""With no kubeconfig anywhere, `cockpit` offers the sandbox; it never replaces a real context."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.launch import LaunchOptions
from cockpit.ui.launch import no_kubeconfig_anywhere, offer_sandbox


def test_no_kubeconfig_anywhere_is_detected(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    assert no_kubeconfig_anywhere(LaunchOptions(), env)
    assert no_kubeconfig_anywhere(LaunchOptions(), {**env, "KUBECONFIG": str(tmp_path / "missing")})


def test_an_existing_kubeconfig_or_an_explicit_choice_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text("apiVersion: v1\nkind: Config\n")
    assert not no_kubeconfig_anywhere(LaunchOptions(), {"HOME": str(tmp_path)})
    listed = tmp_path / "kc"
    listed.write_text("apiVersion: v1\nkind: Config\n")
    assert not no_kubeconfig_anywhere(LaunchOptions(), {"HOME": "/nonexistent", "KUBECONFIG": str(listed)})
    bare = {"HOME": "/nonexistent"}
    assert not no_kubeconfig_anywhere(LaunchOptions(context="prod"), bare)
    assert not no_kubeconfig_anywhere(LaunchOptions(kubeconfig=tmp_path / "x"), bare)
    assert not no_kubeconfig_anywhere(LaunchOptions(), {**bare, "KUBERNETES_SERVICE_HOST": "10.0.0.1"})


@pytest.mark.parametrize(("answer", "accepted"), [("", True), ("y", True), ("YES", True), ("n", False)])
def test_offer_asks_and_honours_the_answer(
    answer: str, accepted: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return answer

    assert offer_sandbox(LaunchOptions(), {"HOME": "/nonexistent"}, ask=ask) is accepted
    assert asked and "sandbox" in asked[0]
    assert "no kubeconfig found ($KUBECONFIG is not set" in capsys.readouterr().err


def test_offer_declined_when_input_ends() -> None:
    def ask(prompt: str) -> str:
        raise EOFError

    assert offer_sandbox(LaunchOptions(), {"HOME": "/nonexistent"}, ask=ask) is False
