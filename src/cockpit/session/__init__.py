"""The session layer: a plan being worked through, timed, journaled, and written up.

Public API (no Textual here; the UI calls it):
- `Session` (engine.py): start/resume a session, tick tasks, notes, command runs, timers, verdicts.
- `TaskState`, `Verdict`, `CommandRun`, `Note` (state.py): what the queries return.
- `FakeClock`, `SystemClock` (clock.py): injectable time sources.
- `read_journal`, `JournalError` (journal.py); `redact.redact`, `StreamRedactor` (redact.py);
  `render_transcript`, `write_transcript` (transcript.py).
"""

from cockpit.session.clock import Clock, FakeClock, SystemClock
from cockpit.session.engine import Session, SessionError
from cockpit.session.journal import JOURNAL_NAME, JournalError, read_journal
from cockpit.session.redact import StreamRedactor
from cockpit.session.state import CommandRun, Note, TaskState, Verdict

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
]
