"""Whatever the operator does, a session rebuilt from its journal equals the live one."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.session import FakeClock, Session, SessionError

from .plans import seed_like_plan

TASKS = ["1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2.1", "1.2.2"]

operation = st.one_of(
    st.tuples(st.sampled_from(["activate", "tick", "untick", "skip"]), st.sampled_from(TASKS)),
    st.tuples(st.sampled_from(["pause", "unpause", "deactivate", "checkpoint", "overruns"]), st.none()),
    st.tuples(st.just("advance"), st.floats(min_value=0, max_value=900, allow_nan=False)),
    st.tuples(st.just("note"), st.sampled_from([None, *TASKS])),
    st.tuples(st.just("step"), st.integers(min_value=0, max_value=1)),
)


def snapshot(s: Session) -> dict[str, object]:
    return {
        "states": {t: s.state_of(t) for t in TASKS},
        "elapsed": {t: round(s.elapsed(t), 6) for t in TASKS},
        "phases": {p: round(s.elapsed(p), 6) for p in ("1.1", "1.2")},
        "session": round(s.elapsed(), 6),
        "active": s.state.active,
        "paused": s.paused,
        "notes": [(n.text, n.task_id) for n in s.notes(all_notes=True)],
        "steps": s.steps_done("1.1.1"),
        "overrun": sorted(s.state.overrun),
        "remaining": s.remaining(),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=30))
def test_resume_equals_the_live_session(ops: list[tuple[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock()
        s = Session.start(seed_like_plan(), Path(tmp) / "s", clock=clock)
        for i, (name, arg) in enumerate(ops):
            try:
                if name == "advance":
                    clock.advance(float(arg))  # type: ignore[arg-type]
                elif name in ("activate", "tick", "untick", "skip"):
                    getattr(s, name)(arg)
                elif name in ("pause", "unpause", "deactivate", "checkpoint"):
                    getattr(s, name)()
                elif name == "overruns":
                    s.poll_overruns()
                elif name == "note":
                    s.add_note(f"note {i}", arg)  # type: ignore[arg-type]
                elif name == "step":
                    s.tick_step("1.1.1", int(arg))  # type: ignore[call-overload]
            except SessionError:
                pass
        s.checkpoint(min_interval=0)
        live = snapshot(s)
        s.close()
        r = Session.resume(s.journal_path, seed_like_plan(), clock=clock)
        try:
            assert snapshot(r) == live
        finally:
            r.close()
