"""The journal: fsynced appends, exact replay, a torn last line skipped with a warning."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cockpit.plan.model import Node, NodeKind, TimeBox
from cockpit.session import FakeClock, JournalError, Session, SessionError, TaskState, read_journal
from cockpit.session import journal as journal_mod
from cockpit.session.transcript import render_transcript

from .plans import seed_like_plan

MIN = 60.0


def _busy_session(tmp_path: Path, clock: FakeClock) -> Session:
    s = Session.start(seed_like_plan(), tmp_path / "s", context="kind-254", operator="sre", clock=clock)
    s.activate("1.1.1")
    clock.advance(3 * MIN)
    s.pause()
    clock.advance(10 * MIN)
    s.unpause()
    clock.advance(1 * MIN)
    s.tick_step("1.1.1", 0)
    s.add_note("policy exempted", "1.1.1")
    s.record_command_started("r1", "1.1.1", "kubectl get certificate", "kind-254", "data-platform")
    s.record_output("r1", "NAME READY\nspark-history-tls True\n")
    s.record_command_finished("r1", 0, 0.4)
    s.tick("1.1.1")
    s.activate("1.1.2")
    clock.advance(2 * MIN)
    return s


def test_every_append_is_fsynced_before_it_returns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(journal_mod.os, "fsync", counting_fsync)
    clock = FakeClock()
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=clock)
    before = len(synced)
    lines_before = len(s.journal_path.read_text().splitlines())
    s.activate("1.1.1")
    assert len(synced) > before
    assert len(s.journal_path.read_text().splitlines()) == lines_before + 1
    s.close()


def test_header_records_where_and_who(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.md"
    plan_file.write_text("# plan\n")
    s = Session.start(
        seed_like_plan(plan_file), tmp_path / "s", context="ctx", namespace="ns", operator="ana"
    )
    s.close()
    header = read_journal(s.journal_path).header
    assert header["plan_path"] == str(plan_file.resolve())
    assert len(header["plan_sha256"]) == 64
    assert (header["context"], header["namespace"], header["operator"]) == ("ctx", "ns", "ana")
    assert header["cockpit"] and header["started_iso"]
    assert {n["id"] for n in header["outline"]} >= {"1.1", "1.1.1", "1.2.2"}


def test_resume_rebuilds_exactly_what_was_recorded(tmp_path: Path) -> None:
    clock = FakeClock()
    s = _busy_session(tmp_path, clock)
    expected = {
        "states": {t.id: s.state_of(t.id) for t in s.plan.tasks()},
        "elapsed": {t.id: s.elapsed(t.id) for t in s.plan.tasks()},
        "session": s.elapsed(),
        "notes": [(n.text, n.task_id) for n in s.notes(all_notes=True)],
        "runs": [(r.run_id, r.exit_code, r.excerpt) for r in s.runs()],
        "steps": s.steps_done("1.1.1"),
    }
    s.checkpoint(min_interval=0)
    s.close()
    clock.advance(60 * MIN)  # the cockpit was closed for an hour: that time does not count
    r = Session.resume(s.journal_path, seed_like_plan(), clock=clock)
    try:
        assert {t.id: r.state_of(t.id) for t in r.plan.tasks()} == expected["states"]
        assert {t.id: r.elapsed(t.id) for t in r.plan.tasks()} == expected["elapsed"]
        assert r.elapsed() == expected["session"]
        assert [(n.text, n.task_id) for n in r.notes(all_notes=True)] == expected["notes"]
        assert [(x.run_id, x.exit_code, x.excerpt) for x in r.runs()] == expected["runs"]
        assert r.steps_done("1.1.1") == expected["steps"]
        assert r.active_task is not None and r.active_task.id == "1.1.2"
        clock.advance(1 * MIN)  # and the active task keeps counting
        assert r.elapsed("1.1.2") == 3 * MIN
        assert r.warnings == []
    finally:
        r.close()


def test_torn_last_line_is_skipped_with_a_warning_and_cut_on_resume(tmp_path: Path) -> None:
    clock = FakeClock()
    s = _busy_session(tmp_path, clock)
    s.close()
    good = s.journal_path.read_bytes()
    with s.journal_path.open("ab") as fh:
        fh.write(b'{"seq": 99, "type": "task_tic')  # killed mid-write
    contents = read_journal(s.journal_path)
    assert len(contents.warnings) == 1 and "torn last line" in contents.warnings[0]
    assert contents.warnings[0].startswith(f"{s.journal_path}:")
    r = Session.resume(s.journal_path, seed_like_plan(), clock=clock)
    try:
        assert any("torn last line" in w for w in r.warnings)
        assert r.state_of("1.1.1") is TaskState.DONE
        r.tick("1.1.2")  # appending after the cut gives a clean journal
    finally:
        r.close()
    data = s.journal_path.read_bytes()
    assert data.startswith(good) and b"task_tic\n" not in data
    assert read_journal(s.journal_path).warnings == []
    assert [json.loads(x)["type"] for x in data.splitlines()[-2:]] == ["reopened", "task_ticked"]


def test_a_line_with_a_newline_but_broken_json_at_the_end_is_also_torn(tmp_path: Path) -> None:
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=FakeClock())
    s.close()
    with s.journal_path.open("ab") as fh:
        fh.write(b'{"seq": 1, "ty\n')
    assert read_journal(s.journal_path).warnings


def test_corruption_in_the_middle_is_an_error_naming_the_line(tmp_path: Path) -> None:
    s = _busy_session(tmp_path, FakeClock())
    s.close()
    lines = s.journal_path.read_bytes().splitlines(keepends=True)
    lines[3] = b"garbage\n"
    s.journal_path.write_bytes(b"".join(lines))
    with pytest.raises(JournalError, match=r"journal.jsonl:4: corrupt journal line"):
        read_journal(s.journal_path)
    with pytest.raises(SessionError, match=r"journal.jsonl:4"):
        Session.resume(s.journal_path, seed_like_plan())


def test_missing_empty_and_foreign_journals(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no such journal"):
        read_journal(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(JournalError, match="not a cockpit journal"):
        read_journal(empty)
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"hello": 1}\n')
    with pytest.raises(JournalError, match="not a cockpit journal"):
        read_journal(foreign)
    torn_header = tmp_path / "torn.jsonl"
    torn_header.write_text('{"type": "header", "plan')
    with pytest.raises(JournalError, match="no complete header"):
        read_journal(torn_header)


def test_resume_onto_an_edited_plan_moves_recorded_work_to_the_right_tasks(tmp_path: Path) -> None:
    clock = FakeClock()
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=clock)
    s.activate("1.1.2")  # "1.2 Stabilize DolphinScheduler control plane"
    clock.advance(4 * MIN)
    s.tick("1.1.2")
    s.add_note("schema job deleted", "1.1.2")
    s.activate("1.1.4")
    s.close()
    edited = seed_like_plan()
    phase1 = edited.sections[1].children[0]
    inserted = Node("1.1.2", NodeKind.TASK, "1.1b Check cert-manager logs", 50, TimeBox(5, 5))
    phase1.children.insert(1, inserted)
    for i, child in enumerate(phase1.children, start=1):  # the loader numbers by position
        child.id = f"1.1.{i}"
    r = Session.resume(s.journal_path, edited, clock=clock)
    try:
        assert any("plan changed" in w and "moved" in w for w in r.warnings)
        assert r.state_of("1.1.3") is TaskState.DONE  # the same task, at its new id
        assert r.elapsed("1.1.3") == 4 * MIN
        assert r.state_of("1.1.2") is TaskState.TODO  # the inserted task starts clean
        assert [n.text for n in r.notes("1.1.3")] == ["schema job deleted"]
        assert r.active_task is not None and r.active_task.title.startswith("1.4 Trino")
        assert r.estimate("1.1.2") == (5, 5)
    finally:
        r.close()
    md = render_transcript(s.journal_path).markdown
    assert "1.2 Stabilize DolphinScheduler control plane | done | 15 min | 4m 00s" in md


def test_overrun_already_signalled_is_not_signalled_again_after_resume(tmp_path: Path) -> None:
    clock = FakeClock()
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=clock)
    s.activate("1.1.1")
    clock.advance(11 * MIN)
    assert [n.id for n in s.poll_overruns()] == ["1.1.1"]
    s.close()
    r = Session.resume(s.journal_path, seed_like_plan(), clock=clock)
    try:
        assert r.poll_overruns() == []
    finally:
        r.close()


def test_a_session_open_in_another_cockpit_cannot_be_resumed(tmp_path: Path) -> None:
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=FakeClock())
    try:
        with pytest.raises(SessionError, match="open in another cockpit"):
            Session.resume(s.journal_path, seed_like_plan())
    finally:
        s.close()
    Session.resume(s.journal_path, seed_like_plan()).close()  # once closed, it can


def test_a_failed_write_is_not_counted_and_leaves_no_partial_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=FakeClock())
    before = s.journal_path.read_bytes()
    real_write = os.write

    def disk_full(fd: int, data: bytes) -> int:
        real_write(fd, bytes(data)[:10])  # part of the line lands, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_mod.os, "write", disk_full)
    with pytest.raises(SessionError, match="No space left on device"):
        s.tick("1.1.1")
    monkeypatch.undo()
    assert s.state_of("1.1.1") is TaskState.TODO  # the tick did not happen
    assert s.journal_path.read_bytes() == before
    s.tick("1.1.1")  # and the journal is still good to append to
    s.close()
    assert read_journal(s.journal_path).warnings == []


def test_run_handles_reused_after_a_resume_get_fresh_journal_ids(tmp_path: Path) -> None:
    clock = FakeClock()
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=clock)
    s.record_command_started("run-1", "1.1.1", "kubectl get certificate")
    s.record_output("run-1", "first\n")
    s.record_command_finished("run-1", 0, 0.1)
    s.close()
    r = Session.resume(s.journal_path, seed_like_plan(), clock=clock)
    try:
        side = r.record_command_started("run-1", "1.1.1", "kubectl describe certificate")  # counter restarted
        r.record_output("run-1", "second\n")
        run = r.record_command_finished("run-1", 1, 0.2)
        assert run.run_id == "run-1.2" and run.exit_code == 1
        assert side.read_text() == "second\n"
        first, second = r.runs("1.1.1")
        assert (first.exit_code, (r.session_dir / first.output).read_text()) == (0, "first\n")
        assert second is run
    finally:
        r.close()
