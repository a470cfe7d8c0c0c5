"""`cockpit info`, `cockpit completion`, the log file and the exit codes, as a user meets them."""

from __future__ import annotations

import logging
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cockpit import logsetup
from cockpit.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_info_names_every_place_under_cockpit_home(
    cockpit_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert lines["cockpit"].strip() and lines["textual"].strip()[0].isdigit()
    for key in ("data", "sessions", "log", "config", "themes"):
        assert str(cockpit_home) in lines[key], key
    assert "defaults in use" in lines["config"]


def _bash_complete(script: str, words: list[str], tmp_path: Path) -> list[str]:
    """Run the generated bash completion function for `words` (the last one being completed)."""
    quoted = " ".join(f"'{w}'" for w in words)
    call = f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _cockpit"
    program = f"{script}\n{call}; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, cwd=tmp_path, check=True)
    return done.stdout.split()


def test_bash_completion_walks_the_real_parsers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    (tmp_path / "runbook.md").write_text("# x\n")
    assert _bash_complete(script, ["cockpit", "pl"], tmp_path) == ["plan"]
    assert set(_bash_complete(script, ["cockpit", "plan", ""], tmp_path)) >= {"show", "check", "convert"}
    assert "--json" in _bash_complete(script, ["cockpit", "plan", "show", "--j"], tmp_path)
    assert _bash_complete(script, ["cockpit", "run"], tmp_path) == ["runbook.md"]
    assert "--read-only" in _bash_complete(script, ["cockpit", "--read"], tmp_path)
    assert _bash_complete(script, ["cockpit", "completion", "f"], tmp_path) == ["fish"]


def test_zsh_and_fish_scripts_cover_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "zsh"]) == 0
    zsh = capsys.readouterr().out
    assert "bashcompinit" in zsh and "complete -o filenames -F _cockpit cockpit" in zsh
    assert main(["completion", "fish"]) == 0
    fish = capsys.readouterr().out
    for sub in ("plan", "transcript", "sandbox", "info", "completion"):
        assert f"-a {sub} " in fish
    assert "-l read-only" in fish and "-a show " in fish
    if shutil.which("fish"):
        subprocess.run(["fish", "--no-execute", "-c", fish], check=True)
    if shutil.which("zsh"):
        subprocess.run(["zsh", "-n", "-c", zsh], check=True)
    subprocess.run(["bash", "-n", "-c", zsh.split("\n", 2)[2]], check=True)


def test_exit_codes_are_consistent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.md")
    assert main(["plan", "show", missing]) == 2
    assert main(["transcript", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "t.md")]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["plan", "--no-such-flag"])
    assert usage.value.code == 2
    assert main(["plan", "check", str(REPO / "plans" / "254carbon-next-steps.md")]) in (0, 1)
    capsys.readouterr()


def test_log_file_is_private_and_catches_thread_errors(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "cockpit.log"
    old_hook = threading.excepthook
    try:
        assert logsetup.configure(debug=True, log_file=log) == log
        assert stat.S_IMODE(log.stat().st_mode) == 0o600

        def boom() -> None:
            raise RuntimeError("informer exploded")

        thread = threading.Thread(target=boom, name="cockpit-test-thread")
        thread.start()
        thread.join()
        for handler in logging.getLogger("cockpit").handlers:
            handler.flush()
        text = log.read_text()
        assert "uncaught error in cockpit-test-thread: informer exploded" in text
        assert "Traceback" in text and "RuntimeError" in text
    finally:
        threading.excepthook = old_hook
        for handler in list(logging.getLogger("cockpit").handlers):
            logging.getLogger("cockpit").removeHandler(handler)
            handler.close()
        logsetup._configured.clear()


def test_module_entry_point_prints_version() -> None:
    done = subprocess.run([sys.executable, "-m", "cockpit", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("cockpit ")
