"""The session over the user's own plan, loaded by the Markdown loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.plan import Plan, load_plan
from cockpit.session import FakeClock, Session, SessionError, TaskState, Verdict
from cockpit.session.transcript import write_transcript

SEED_SECRETS = ("datahub_admin_password", "dolphinscheduler123")
MIN = 60.0


def load_seed(path: Path) -> Plan:
    return load_plan(path)


def _by_title(plan: Plan, prefix: str) -> str:
    for node in plan.walk():
        if node.title.startswith(prefix):
            return node.id
    raise AssertionError(f"no node titled {prefix!r}")


def test_running_the_seed_leaves_no_password_in_any_file(tmp_path: Path, seed_plan_path: Path) -> None:
    plan = load_seed(seed_plan_path)
    clock = FakeClock()
    s = Session.start(plan, tmp_path / "session", context="kind-254", namespace="data-platform", clock=clock)
    n = 0
    fed: list[str] = []  # every text handed to the session
    for task in plan.tasks():
        s.activate(task.id)
        for text in [task.text, *task.manual_steps, *task.success_criteria]:
            if text.strip():
                s.add_note(text, task.id)
                fed.append(text)
        for command in task.commands:
            n += 1
            shown = f"# {command.description}\n{command.cmd}" if command.description else command.cmd
            s.record_command_started(f"run-{n}", task.id, shown, "kind-254", "data-platform")
            s.record_output(f"run-{n}", f"{shown}\n{task.text}\n")  # a shell echoing what it ran
            fed.append(shown)
            s.record_command_finished(f"run-{n}", 0, 0.2)
        clock.advance(MIN)
        s.tick(task.id)
    for node in plan.walk():  # briefing text pasted into notes
        if node.text.strip():
            s.add_note(node.text)
            fed.append(node.text)
    s.end()
    s.close()
    write_transcript(s.journal_path)
    assert n >= 30
    assert all(secret in "\n".join(fed) for secret in SEED_SECRETS)  # the test means something
    files = [p for p in s.session_dir.rglob("*") if p.is_file()]
    assert any(p.name == "transcript.md" for p in files)
    for path in files:
        data = path.read_text(encoding="utf-8")
        for secret in SEED_SECRETS:
            assert secret not in data, f"{secret} leaked into {path}"


def test_phase_one_timing_on_the_seed(tmp_path: Path, seed_plan_path: Path) -> None:
    plan = load_seed(seed_plan_path)
    clock = FakeClock()
    s = Session.start(plan, tmp_path / "s", clock=clock)
    try:
        phase1 = _by_title(plan, "Phase 1")
        t11 = _by_title(plan, "1.1 Cloudflare")
        t12 = _by_title(plan, "1.2 Stabilize")
        assert s.estimate(phase1) == (30, 45)
        assert s.remaining(phase1) == (45 * MIN, 45 * MIN)  # tasks 10 + 15 + 10 + 10
        s.activate(t11)
        clock.advance(8 * MIN)
        assert s.verdict(t11) is Verdict.NEAR
        clock.advance(4 * MIN)
        assert s.verdict(t11) is Verdict.OVER
        assert [node.id for node in s.poll_overruns()] == [t11]
        s.tick(t11)
        assert s.next_open_task().id == t12  # type: ignore[union-attr]
        assert s.state_of(t12) is TaskState.TODO
        assert s.remaining(phase1) == (35 * MIN, 35 * MIN)
        assert s.verdict(phase1) is Verdict.UNDER  # 12 of 45
        assert s.estimate(_by_title(plan, "🎯 Quick Wins")) == (45, 45)  # "(15 min each)" x 3
    finally:
        s.close()


@pytest.mark.parametrize("kill_after", [3, 10])
def test_seed_session_resumes_from_a_journal_cut_mid_line(
    tmp_path: Path, seed_plan_path: Path, kill_after: int
) -> None:
    plan = load_seed(seed_plan_path)
    clock = FakeClock()
    s = Session.start(plan, tmp_path / "s", clock=clock)
    tasks = plan.tasks()
    for task in tasks[:kill_after]:
        s.activate(task.id)
        clock.advance(2 * MIN)
        s.checkpoint()  # the UI's once-a-second call; 2 minutes since the last event: recorded
        s.tick(task.id)
    s.close()
    data = s.journal_path.read_bytes()
    s.journal_path.write_bytes(data[:-7])  # the last event (a tick) was cut short
    r = Session.resume(s.journal_path, plan, clock=clock)
    try:
        assert any("torn last line" in w for w in r.warnings)
        done = [t.id for t in tasks if r.state_of(t.id) is TaskState.DONE]
        assert done == [t.id for t in tasks[: kill_after - 1]]
        cut = tasks[kill_after - 1].id
        assert r.state_of(cut) is TaskState.ACTIVE  # the tick never made it to disk
        assert r.elapsed(cut) == 2 * MIN  # but the checkpoint kept its time
    finally:
        r.close()


def test_resume_from_reloads_the_plan_named_in_the_journal(tmp_path: Path, seed_plan_path: Path) -> None:
    plan_file = tmp_path / "next-steps.md"
    plan_file.write_bytes(seed_plan_path.read_bytes())
    clock = FakeClock()
    s = Session.start(load_plan(plan_file), tmp_path / "s", clock=clock)
    first = s.plan.tasks()[0]
    s.activate(first.id)
    clock.advance(90)
    s.checkpoint(min_interval=0)
    s.close()
    r = Session.resume_from(s.journal_path, clock=clock)
    try:
        assert Path(r.plan.source).resolve() == plan_file.resolve()
        assert r.active_task is not None and r.active_task.title == first.title
        assert r.elapsed(first.id) == 90
        assert r.warnings == []
    finally:
        r.close()
    plan_file.unlink()
    with pytest.raises(SessionError, match="no longer exists"):
        Session.resume_from(s.journal_path)
    plan_file.write_bytes(b"\x00\x01binary")
    with pytest.raises(SessionError, match=r"next-steps\.md"):
        Session.resume_from(s.journal_path)
