"""Drive the installed `cockpit` in tmux as an operator would, then read the transcript it saved."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEED_PLAN

from ..tools import ensure_program

COCKPIT = shutil.which("cockpit") or str(Path(sys.executable).with_name("cockpit"))


@pytest.fixture(scope="module")
def tmux_binary() -> str:
    """tmux from PATH, installed from Debian's package when missing and running as root."""
    path, why = ensure_program("tmux")
    if path is None:
        pytest.skip(f"tmux is needed to drive cockpit in a terminal: {why}")
    return path


class Tmux:
    """One tmux session on a private server socket (other users' tmux options cannot resize it)."""

    def __init__(self, binary: str, name: str) -> None:
        self.binary = binary
        self.name = name

    def run(self, *args: str, check: bool = True) -> str:
        argv = [self.binary, "-L", self.name, "-f", "/dev/null", *args]
        return subprocess.run(argv, check=check, capture_output=True, text=True).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)
        time.sleep(0.15)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_until(self, what: str, predicate: Callable[[str], bool], timeout: float = 20.0) -> str:
        """The screen once `predicate(screen)` holds (a redraw in progress shows half a screen)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"never on screen: {what}\n{screen}")
            time.sleep(0.1)

    def resize(self, width: int, height: int) -> None:
        self.run("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on screen:\n{screen}")
            time.sleep(0.1)


def test_operator_session_in_tmux(tmp_path: Path, cockpit_home: Path, tmux_binary: str) -> None:
    name = f"cockpit-e2e-{os.getpid()}"
    # COLUMNS/LINES from pytest would override the terminal size Textual sees
    env_prefix = (
        f"env -u COLUMNS -u LINES COCKPIT_HOME={cockpit_home} HOME={tmp_path}"
        f" KUBECONFIG={tmp_path}/none TERM=xterm-256color"
    )
    command = (
        f"{env_prefix} {COCKPIT} {SEED_PLAN}; echo COCKPIT-EXIT=$?; read -r _;"
        f" {env_prefix} {COCKPIT} --resume; echo RESUME-EXIT=$?; sleep 30"
    )
    tmux = Tmux(tmux_binary, name)
    tmux.run("new-session", "-d", "-s", name, "-x", "160", "-y", "45", command)
    try:
        # no kubeconfig anywhere: the sandbox is offered on the terminal first; decline it
        tmux.wait_for("Open the cockpit against the sandbox cluster? [Y/n]")
        tmux.keys("n", "Enter")
        tmux.wait_for("1.1 Cloudflare Access bypass for ACME  todo")
        time.sleep(0.5)  # the plan cursor lands on the first task right after the first paint
        tmux.keys("Enter")  # start task 1.1: its timer runs, focus moves to its commands
        tmux.wait_for("active ·")
        tmux.keys("Down")  # the read-only `kubectl ... get certificate`
        tmux.keys("e")  # edit it into something that works without a cluster
        tmux.wait_for("Edit the command")
        tmux.keys("C-u")
        tmux.keys("echo e2e-$((6*7)) from cockpit", literal=True)
        tmux.wait_for("▊  echo e2e-$((6*7)) from cockpit")  # read the edit before pressing enter
        tmux.keys("Enter")
        screen = tmux.wait_for("exit 0")
        assert "e2e-42 from cockpit" in screen
        # the layout follows the terminal as it is now: narrow at 80 columns (no live column),
        # wide again at 160 (plan | task over output | live panes)
        assert "─ Live " in screen
        tmux.resize(80, 24)
        tmux.wait_until(
            "plan and task, no live column",
            lambda s: "─ Live " not in s and "─ Plan " in s and "─ Task " in s,
        )
        tmux.resize(160, 45)
        tmux.wait_until(
            "the wide layout", lambda s: all(f"─ {p} " in s for p in ("Plan", "Task", "Output", "Live"))
        )
        # maximize the pane with the focus (the task), restore with escape: nothing lost
        tmux.keys("z")
        tmux.wait_until(
            "the task alone", lambda s: "esc restores" in s and "─ Task " in s and "─ Plan " not in s
        )
        tmux.keys("Escape")
        tmux.wait_until(
            "every pane back, the run's output too",
            lambda s: "esc restores" not in s and "─ Plan " in s and "e2e-42 from cockpit" in s,
        )
        tmux.keys("t")  # back to the plan
        # the footer names the plan's keys once the plan has them: a space sent earlier would land
        # in the command list, which a loaded machine can take longer than one keystroke's pause
        tmux.wait_for("Tick task")
        tmux.keys("Space")  # tick 1.1: it stops and 1.2 starts
        screen = tmux.wait_for("/15m 1.2 Stabilize DolphinScheduler control plane")
        tmux.keys("n")
        tmux.wait_for("Note on")
        tmux.keys("certs re-triggered, waiting on ACME", literal=True)
        tmux.keys("Enter")
        tmux.wait_for("Note added")
        tmux.keys("q")
        tmux.wait_for("Save the transcript before quitting?")
        tmux.keys("s")
        tmux.wait_for("COCKPIT-EXIT=0")

        transcripts = list((cockpit_home / "data" / "sessions").glob("*/transcript.md"))
        assert len(transcripts) == 1
        text = transcripts[0].read_text()
        assert "echo e2e-$((6*7)) from cockpit" in text
        side = transcripts[0].parent / "output" / "run-1.log"  # the transcript links the full output
        assert "(output/run-1.log)" in text and "e2e-42 from cockpit" in side.read_text()
        assert "certs re-triggered, waiting on ACME" in text
        assert "1.1 Cloudflare Access bypass for ACME" in text
        assert "not ended" not in text
        done_row = next(line for line in text.splitlines() if line.startswith("| 1.1 Cloudflare"))
        assert "done" in done_row

        tmux.keys("Enter")  # `cockpit --resume`: back where it stood
        tmux.wait_for("/15m 1.2 Stabilize DolphinScheduler control plane")
        tmux.wait_for("e2e-$((6*7)) from cockpit")  # the earlier run, in the output pane
        tmux.wait_until(  # and 1.1 ticked in the plan (its rows can paint a moment after the output)
            "1.1 shown done",
            lambda s: any("✓" in line for line in s.splitlines() if "1.1 Cloud" in line),
        )
        tmux.keys("Tab")  # into the task (its commands), maximized to read it whole
        tmux.keys("z")
        tmux.wait_for("certs re-triggered, waiting on ACME")  # the task's note
        tmux.keys("Escape")
        tmux.wait_until("restored", lambda s: "esc restores" not in s and "─ Plan " in s)
        tmux.keys("q")
        tmux.wait_for("Save the transcript before quitting?")
        tmux.keys("d")
        tmux.wait_for("RESUME-EXIT=0")
    finally:
        tmux.run("kill-server", check=False)
