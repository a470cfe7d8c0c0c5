"""kill -9 in the middle of a session, then resume: what was recorded is exactly what comes back."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from cockpit.session import FakeClock, Session, TaskState
from cockpit.session.transcript import render_transcript

from .plans import seed_like_plan

REPO = Path(__file__).resolve().parents[2]


def test_sigkill_mid_session_then_resume(tmp_path: Path) -> None:
    session_dir = tmp_path / "s"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.session.crash_child", str(session_dir)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    # a transcript renders from the journal of a session that died
    crashed = render_transcript(session_dir / "journal.jsonl").markdown
    assert "no end recorded (interrupted)" in crashed
    assert "line 2" in crashed
    assert "partial" in crashed and "the last line was cut" in crashed  # a half-line is kept, marked

    clock = FakeClock(wall=1_761_400_000.0)
    r = Session.resume(session_dir / "journal.jsonl", seed_like_plan(), clock=clock)
    try:
        assert r.state_of("1.1.1") is TaskState.DONE
        assert r.elapsed("1.1.1") == 180
        assert r.elapsed("1.1.2") == 240
        assert r.active_task is not None and r.active_task.id == "1.1.2"
        assert [n.text for n in r.notes("1.1.1")] == ["before the crash"]
        (run,) = r.runs()
        assert run.status == "error" and "interrupted" in (run.error or "")
        assert (session_dir / run.output).read_text() == "line 1\nline 2\npartial"
        clock.advance(60)
        assert r.elapsed("1.1.2") == 300
        assert r.warnings == []
    finally:
        r.close()
    md = render_transcript(session_dir / "journal.jsonl").markdown
    assert "| **Resumed** | 1×" in md
    assert "error: interrupted: cockpit stopped while the command ran" in md
    assert "the last line was cut" in md


def test_sigkill_while_writing_keeps_every_acknowledged_event(tmp_path: Path) -> None:
    session_dir = tmp_path / "s"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.session.flood_child", str(session_dir)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged = 0
    try:
        assert child.stdout is not None
        while acknowledged < 8:
            acknowledged = int(child.stdout.readline())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    r = Session.resume(session_dir / "journal.jsonl", seed_like_plan(), clock=FakeClock())
    try:
        numbers = [int(n.text.split()[1]) for n in r.notes("1.1.1")]
        # every note the child was told about is there, in order, and nothing half-written is
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) >= acknowledged
        assert all(
            len(n.text) == len(f"note {i} ") + 300_000 for i, n in zip(numbers, r.notes("1.1.1"), strict=True)
        )
    finally:
        r.close()


def test_sigkill_mid_line_keeps_the_half_line_redacted(tmp_path: Path) -> None:
    """A real command in a PTY prints half a line and waits; the cockpit is SIGKILLed: the side
    file still has that half-line (redacted), and the transcript says it was cut."""
    session_dir = tmp_path / "s"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.session.halfline_child", str(session_dir)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    command_pid = None
    try:
        assert child.stdout is not None
        ready = child.stdout.readline().split()
        assert ready[:1] == ["READY"], ready
        command_pid = int(ready[1])
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        if command_pid is not None:  # the command's own process group outlives the cockpit
            with contextlib.suppress(ProcessLookupError):
                os.killpg(command_pid, signal.SIGKILL)
    assert child.returncode == -signal.SIGKILL
    (side,) = (session_dir / "output").glob("*.log")  # beside it: its .cast recording
    text = side.read_text()
    assert text.startswith("line 1\nwaiting for condition on pods/x password=")
    assert text.endswith("...") and "hunter2" not in text
    md = render_transcript(session_dir / "journal.jsonl").markdown
    assert "waiting for condition" in md and "the last line was cut" in md
    assert "hunter2" not in md
