"""The session layer: a plan being worked through, timed, journaled, and written up.

Public API (no Textual here; the UI calls it):
- `Session` (engine.py): `Session.start(plan, dir, context=, namespace=, operator=, clock=)`,
  `Session.resume(journal, plan)`, `Session.resume_from(journal)`; `activate/deactivate/tick/untick/
  skip`, `tick_step/untick_step`, `add_note`, `pause/unpause/end/close`, `checkpoint()` (call every
  second), `record_command_started/record_output/record_command_finished`,
  `record_command_refused(task_id, cmd, reason, context, namespace)` (not run), `record_metrics`;
  queries `state_of`, `active_task`, `elapsed`, `estimate`, `verdict`, `remaining`,
  `projected_finish`, `focus`, `next_open_task`, `poll_overruns`, `notes`, `runs`, `steps_done`;
  `add_listener(fn)` for every journaled event; `warnings` after a resume.
- `TaskState`, `Verdict`, `CommandRun`, `Note`, `verdict_for` (state.py): what the queries return.
- `FakeClock`, `SystemClock` (clock.py): injectable time sources.
- `read_journal`, `JournalError` (journal.py); `redact.redact`, `StreamRedactor` (redact.py);
  `render_transcript`, `write_transcript`, `fmt_duration` (transcript.py).
"""

from cockpit.session.clock import Clock, FakeClock, SystemClock
from cockpit.session.engine import Session, SessionError
from cockpit.session.journal import JOURNAL_NAME, JournalError, read_journal
from cockpit.session.redact import StreamRedactor
from cockpit.session.state import CommandRun, Note, TaskState, Verdict, verdict_for

__all__ = [
    "JOURNAL_NAME",
    "Clock",
    "CommandRun",
    "FakeClock",
    "JournalError",
    "Note",
    "Session",
    "SessionError",
    "StreamRedactor",
    "SystemClock",
    "TaskState",
    "Verdict",
    "read_journal",
    "verdict_for",
]
