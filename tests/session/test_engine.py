"""The session state machine on a fake clock: states, timers with pauses excluded, verdicts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cockpit.session import FakeClock, Session, SessionError, TaskState, Verdict

from .plans import seed_like_plan

MIN = 60.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.start(
        seed_like_plan(), tmp_path / "s", context="kind-254", namespace="data-platform", clock=clock
    )
    yield s
    s.close()


def test_one_active_task_and_its_timer(session: Session, clock: FakeClock) -> None:
    session.activate("1.1.1")
    clock.advance(4 * MIN)
    session.activate("1.1.2")  # the first one is paused: its timer stops, it stays open
    clock.advance(2 * MIN)
    assert session.active_task is not None and session.active_task.id == "1.1.2"
    assert session.state_of("1.1.1") is TaskState.PAUSED
    assert session.state_of("1.1.1").is_open
    assert session.state_of("1.1.2") is TaskState.ACTIVE
    assert session.elapsed("1.1.1") == 4 * MIN
    assert session.elapsed("1.1.2") == 2 * MIN
    assert session.elapsed("1.1") == 6 * MIN  # phase = its tasks
    assert session.elapsed() == 6 * MIN


def test_tick_untick_skip(session: Session, clock: FakeClock) -> None:
    session.activate("1.1.1")
    clock.advance(3 * MIN)
    session.tick("1.1.1")
    clock.advance(5 * MIN)
    assert session.state_of("1.1.1") is TaskState.DONE
    assert session.active_task is None
    assert session.elapsed("1.1.1") == 3 * MIN  # the timer stopped at the tick
    session.untick("1.1.1")
    assert session.state_of("1.1.1") is TaskState.TODO
    assert session.elapsed("1.1.1") == 3 * MIN  # time spent is kept
    session.skip("1.1.2")
    assert session.state_of("1.1.2") is TaskState.SKIPPED
    session.activate("1.1.2")  # reopens a skipped task
    assert session.state_of("1.1.2") is TaskState.ACTIVE


def test_pauses_are_excluded_everywhere(session: Session, clock: FakeClock) -> None:
    session.activate("1.1.1")
    clock.advance(2 * MIN)
    session.pause()
    clock.advance(30 * MIN)  # lunch
    assert session.paused
    assert session.elapsed("1.1.1") == 2 * MIN
    session.unpause()
    clock.advance(1 * MIN)
    assert session.elapsed("1.1.1") == 3 * MIN
    assert session.elapsed("1.1") == 3 * MIN
    assert session.elapsed("1") == 3 * MIN
    assert session.elapsed() == 3 * MIN


@pytest.mark.parametrize(
    ("minutes", "verdict"),
    [(0, Verdict.UNDER), (7.9, Verdict.UNDER), (8, Verdict.NEAR), (10, Verdict.NEAR), (10.01, Verdict.OVER)],
)
def test_verdict_thresholds_on_a_10_minute_task(
    session: Session, clock: FakeClock, minutes: float, verdict: Verdict
) -> None:
    session.activate("1.1.1")
    clock.advance(minutes * MIN)
    assert session.verdict("1.1.1") is verdict


def test_phase_verdict_uses_its_declared_max(session: Session, clock: FakeClock) -> None:
    assert session.estimate("1.1") == (30, 45)  # declared box kept even though tasks sum to 45
    session.activate("1.1.1")
    clock.advance(36 * MIN)  # 80% of 45
    assert session.verdict("1.1") is Verdict.NEAR
    assert session.verdict("1.2.2") is None  # no box, no verdict


def test_estimates_sum_children_when_undeclared(session: Session) -> None:
    assert session.estimate("1") == (50, 75)  # Phase 1 30-45 + Phase 2 20-30
    assert session.estimate() == (50, 75)
    assert session.estimate("0") is None


def test_remaining_and_projected_finish(session: Session, clock: FakeClock) -> None:
    start_wall = clock.wall()
    session.activate("1.1.1")
    clock.advance(4 * MIN)
    # Phase 1 open work: 6 left of 1.1 + 15 + 10 + 10
    assert session.remaining("1.1") == (41 * MIN, 41 * MIN)
    session.tick("1.1.1")
    session.skip("1.1.3")
    assert session.remaining("1.1") == (25 * MIN, 25 * MIN)
    earliest, latest = session.projected_finish("1.1")
    assert earliest == latest == datetime.fromtimestamp(start_wall + 4 * MIN + 25 * MIN).astimezone()
    # a task over its box contributes nothing more
    session.activate("1.1.4")
    clock.advance(20 * MIN)
    assert session.remaining("1.1") == (15 * MIN, 15 * MIN)


def test_overrun_signal_fires_once_per_task(session: Session, clock: FakeClock) -> None:
    session.activate("1.1.1")
    clock.advance(9 * MIN)
    assert session.poll_overruns() == []
    clock.advance(2 * MIN)
    assert [n.id for n in session.poll_overruns()] == ["1.1.1"]
    clock.advance(1 * MIN)
    assert session.poll_overruns() == []
    clock.advance(40 * MIN)
    assert [n.id for n in session.poll_overruns()] == ["1.1"]  # the phase, once too


def test_next_open_task_follows_plan_order_and_wraps(session: Session) -> None:
    assert session.next_open_task().id == "1.1.1"  # type: ignore[union-attr]
    session.activate("1.1.3")
    assert session.next_open_task().id == "1.1.4"  # type: ignore[union-attr]
    session.tick("1.1.3")
    session.tick("1.1.4")
    session.skip("1.2.1")
    session.tick("1.2.2")
    assert session.next_open_task().id == "1.1.1"  # type: ignore[union-attr]
    for tid in ("1.1.1", "1.1.2"):
        session.tick(tid)
    assert session.next_open_task() is None


def test_manual_steps_and_notes(session: Session) -> None:
    session.tick_step("1.1.1", 1)
    assert session.steps_done("1.1.1") == {1}
    session.untick_step("1.1.1", 1)
    assert session.steps_done("1.1.1") == set()
    with pytest.raises(SessionError, match="no manual step 3"):
        session.tick_step("1.1.1", 2)
    session.add_note("cert issued at 10:05", "1.1.1")
    session.add_note("cluster looks calmer")
    assert [n.text for n in session.notes("1.1.1")] == ["cert issued at 10:05"]
    assert [n.text for n in session.notes()] == ["cluster looks calmer"]
    assert len(session.notes(all_notes=True)) == 2


def test_operator_mistakes_get_clear_errors(session: Session) -> None:
    with pytest.raises(SessionError, match="no task 'nope'"):
        session.activate("nope")
    with pytest.raises(SessionError, match="is a phase, not a task"):
        session.tick("1.1")
    with pytest.raises(SessionError, match="empty note"):
        session.add_note("   ")
    with pytest.raises(SessionError, match="not running"):
        session.record_output("r-unknown", "x")
    session.end()
    with pytest.raises(SessionError, match="has ended"):
        session.tick("1.1.1")


def test_command_runs_and_side_files(session: Session, clock: FakeClock) -> None:
    side = session.record_command_started("run-1", "1.1.1", "kubectl get pods", "kind-254", "data-platform")
    for i in range(100):
        session.record_output("run-1", f"pod-{i} Running\n")
    run = session.record_command_finished("run-1", exit_code=0, duration=1.25)
    assert side.parent == session.session_dir / "output"
    assert side.read_text().count("Running") == 100
    assert run.status == "ok" and run.exit_code == 0 and run.duration == 1.25
    assert run.excerpt.splitlines()[-1] == "pod-99 Running"
    assert len(run.excerpt.splitlines()) == 20
    journal = session.journal_path.read_text()
    assert "pod-5 Running" not in journal  # output is not copied line by line into the journal
    session.record_command_started("run-2", "1.1.1", "kubectl rollout status x")
    failed = session.record_command_finished("run-2", exit_code=None, duration=3, cancelled=True)
    assert failed.status == "cancelled"
    assert [r.run_id for r in session.runs("1.1.1")] == ["run-1", "run-2"]
    session.record_command_started("run-3", None, "kubectl get nodes")
    with pytest.raises(SessionError, match="still running"):
        session.record_command_started("run-3", None, "again")


def test_metrics_recorded(session: Session) -> None:
    session.record_metrics("baseline", {"Pod Health": "75%"})
    session.record_metrics("end", {"Pod Health": "81%"})
    assert session.state.metrics == {"baseline": {"Pod Health": "75%"}, "end": {"Pod Health": "81%"}}
    with pytest.raises(SessionError):
        session.record_metrics("middle", {})
    session.record_metrics("end", {"Running Pods": Decimal("110"), "ratio": 0.81})
    assert session.state.metrics["end"]["Running Pods"] == "110"
    assert session.state.metrics["end"]["ratio"] == 0.81


def test_default_session_dir_is_under_cockpit_home(cockpit_home: Path, clock: FakeClock) -> None:
    s = Session.start(seed_like_plan("/plans/next-steps.md"), clock=clock)
    try:
        assert s.session_dir.is_relative_to(cockpit_home / "data" / "sessions")
        assert "next-steps" in s.session_dir.name
        assert s.journal_path == s.session_dir / "journal.jsonl"
    finally:
        s.close()


def test_listeners_hear_each_event_after_it_is_journaled(session: Session) -> None:
    seen: list[tuple[str, bool]] = []

    def listener(event: dict[str, object]) -> None:
        on_disk = f'"seq":{event["seq"]},' in session.journal_path.read_text()
        seen.append((str(event["type"]), on_disk))

    session.add_listener(listener)
    session.activate("1.1.1")
    session.add_note("x")
    session.remove_listener(listener)
    session.tick("1.1.1")
    assert seen == [("task_activated", True), ("note", True)]


def test_output_from_worker_threads_while_the_ui_polls(session: Session) -> None:
    runs = [f"run-{i}" for i in range(4)]
    for run_id in runs:
        session.record_command_started(run_id, "1.1.1", f"kubectl logs {run_id}")

    def stream(run_id: str) -> None:
        for n in range(300):
            session.record_output(run_id, f"{run_id} line {n}\n")
        session.record_command_finished(run_id, 0, 0.5)

    threads = [threading.Thread(target=stream, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        session.runs()
        session.elapsed("1.1")
    for t in threads:
        t.join()
    for run in session.runs():
        lines = (session.session_dir / run.output).read_text().splitlines()
        assert lines == [f"{run.run_id} line {n}" for n in range(300)]
        assert run.status == "ok"


def test_focus_is_the_phase_being_worked_on(session: Session, clock: FakeClock) -> None:
    assert session.focus() is None
    session.activate("1.2.1")
    assert session.focus() == "1.2"
    clock.advance(5 * MIN)
    session.tick("1.2.1")
    assert session.focus() == "1.2"  # the last touched task still says where we are
    assert session.remaining(session.focus()) == (0.0, 0.0)  # 1.2.2 has no box
    session.activate("1.1.1")
    assert session.remaining(session.focus()) == (45 * MIN, 45 * MIN)


def test_refused_command_is_journaled_resumed_and_in_the_transcript(
    session: Session, clock: FakeClock
) -> None:
    from cockpit.session.transcript import render_transcript

    session.activate("1.1.1")
    run = session.record_command_refused(
        "1.1.1",
        "kubectl delete job x --token=s3cr3t",
        "refused: read-only session",
        "kind-254",
        "data-platform",
    )
    session.record_command_refused("1.1.1", "kubectl scale deploy/y --replicas=0", "declined by operator")
    assert run.status == "refused" and "s3cr3t" not in run.cmd
    session.close()
    again = Session.resume(session.journal_path, seed_like_plan(), clock=clock)
    try:
        assert [(r.status, r.refused, r.exit_code) for r in again.runs("1.1.1")] == [
            ("refused", "refused: read-only session", None),
            ("refused", "declined by operator", None),
        ]
        assert not again.warnings  # a refused command is not an interrupted run
    finally:
        again.close()
    text = render_transcript(session.journal_path).markdown
    assert "not run: refused: read-only session" in text
    assert "not run: declined by operator" in text
    assert "kubectl scale deploy/y --replicas=0" in text
    assert "⊘ not run: `kubectl scale deploy/y --replicas=0` (declined by operator)" in text  # timeline
