"""Estimates that learn: ended sessions feed a history that later sessions show beside the plan's
estimate, survive small title edits, keep rehearsals apart, and drive projections when asked."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest

from cockpit.cli import main
from cockpit.paths import data_dir
from cockpit.plan.model import Plan
from cockpit.session import FakeClock, Session
from cockpit.session.history import HISTORY_NAME, History, identity

from .plans import seed_like_plan


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.1 Cloudflare Access bypass for ACME", "Cloudflare Access bypass for ACME (10 min)"),
        ("Task 3: Restart Trino workers", "restart trino workers"),
        ("Priority 2 - Fix DNS", "Fix DNS"),
        ("**Step 4.** Verify backups", "Verify backups"),
    ],
)
def test_identity_ignores_numbering_boxes_and_punctuation(a: str, b: str) -> None:
    assert identity(a) == identity(b)


def _run_session(
    plan: Plan, tmp_path: Path, name: str, minutes: dict[str, float], **header: object
) -> Session:
    clock = FakeClock()
    session = Session.start(plan, tmp_path / name, clock=clock)
    session.header.update(header)
    for task_id, spent in minutes.items():
        session.activate(task_id)
        clock.advance(spent * 60)
        session.tick(task_id)
    session.end()
    session.close()
    return session


def test_a_finished_session_teaches_the_next(tmp_path: Path) -> None:
    plan = seed_like_plan()
    for n, spent in enumerate((12, 14, 20)):
        _run_session(plan, tmp_path, f"s{n}", {"1.1.1": spent, "1.1.2": 9})
    history = data_dir() / HISTORY_NAME
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    later = Session.start(plan, tmp_path / "later", clock=FakeClock())
    learned = later.learned()
    assert learned["1.1.1"].runs == 3 and learned["1.1.1"].median_seconds == 14 * 60
    assert learned["1.1.1"].text() == "usually 14 min (3 runs)"
    assert learned["1.1.2"].text() == "usually 9 min (3 runs)"
    assert "1.1.3" not in learned  # never finished: nothing to learn


def test_a_retitled_task_keeps_its_history(tmp_path: Path) -> None:
    plan = seed_like_plan()
    _run_session(plan, tmp_path, "s0", {"1.1.4": 25})
    phase1 = plan.sections[1].children[0]
    edited = dataclasses.replace(
        phase1.children[3], title="1.4 Trino worker & Spark History replica clean-up"
    )
    phase1.children[3] = edited
    assert History(data_dir() / HISTORY_NAME).learned(plan)["1.1.4"].text() == "usually 25 min (1 run)"
    other = dataclasses.replace(plan, title="A different plan")
    assert History(data_dir() / HISTORY_NAME).learned(other) == {}


def test_rehearsals_count_only_when_nothing_real_is_known(tmp_path: Path) -> None:
    plan = seed_like_plan()
    _run_session(plan, tmp_path, "r0", {"1.1.1": 30}, rehearsal="seed.yaml")
    history = History(data_dir() / HISTORY_NAME)
    assert history.learned(plan)["1.1.1"].text() == "rehearsed 30 min (1 run)"
    _run_session(plan, tmp_path, "s0", {"1.1.1": 10})
    assert history.learned(plan)["1.1.1"].text() == "usually 10 min (1 run)"


def test_a_resumed_session_replaces_its_entries_and_torn_lines_are_skipped(tmp_path: Path) -> None:
    plan = seed_like_plan()
    session = _run_session(plan, tmp_path, "s0", {"1.1.1": 10})
    path = data_dir() / HISTORY_NAME
    with path.open("a") as fh:
        fh.write('{"plan": "torn')
        fh.write("\n")
    again = Session.resume(session.journal_path, plan, clock=FakeClock())
    again.state.ended = False  # reopened and ended again: the same session, recorded once
    again.end()
    again.close()
    assert History(path).learned(plan)["1.1.1"].runs == 1


def test_projection_uses_history_only_when_asked(tmp_path: Path) -> None:
    plan = seed_like_plan()
    _run_session(plan, tmp_path, "s0", {"1.1.1": 30})
    session = Session.start(plan, tmp_path / "next", clock=FakeClock())
    by_plan = session.remaining("1.1")
    session.use_learned = True
    learned = session.remaining("1.1")
    assert learned[1] - by_plan[1] == pytest.approx((30 - 10) * 60)
    session.close()


def test_plan_stats_prints_the_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan_file = Path(__file__).resolve().parents[2] / "plans" / "254carbon-next-steps.md"
    assert main(["plan", "stats", str(plan_file)]) == 0
    assert "no history yet" in capsys.readouterr().out
    from cockpit.plan import load_plan  # type: ignore[attr-defined]

    plan = load_plan(plan_file)
    first = plan.tasks()[0]
    _run_session(plan, tmp_path, "s0", {first.id: 7})
    assert main(["plan", "stats", str(plan_file)]) == 0
    out = capsys.readouterr().out
    assert first.title[:30] in out and "usually 7 min (1 run)" in out
    assert main(["plan", "stats", str(tmp_path / "missing.md")]) == 2
