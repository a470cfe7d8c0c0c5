"""Hands command output to the session from a thread, so redacting and writing it never stalls the UI.

The session is thread-safe and does the work (redaction, side file, journal); this only moves the
calls off the event loop, in order, one thread for the app. `join()` waits until all is written.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

from cockpit.session.engine import Session, SessionError
from cockpit.session.journal import JournalError
from cockpit.session.output import Written

SESSION_ERRORS = (SessionError, JournalError)  # what a session call can raise at the operator
BACKLOG = 4  # output batches waiting for the session's thread before a run's output waits too


class SessionFeed:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="cockpit-session-feed", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while True:
            call = self._queue.get()
            try:
                if call is None:
                    return
                with contextlib.suppress(*SESSION_ERRORS):  # e.g. output after the session was closed
                    call()
            finally:
                self._queue.task_done()

    def submit(self, call: Callable[[], object]) -> None:
        """Run `call` on the feed's thread, after everything queued before it (a pasted note is
        redacted and journaled there, never on the event loop)."""
        self._start()
        self._queue.put(call)

    def keeps_up(self) -> bool:
        """Few enough calls wait for the session: a run may hand over its next batch of output
        (`CommandRun(ready=...)`; a megabyte a batch, so the backlog stays a few megabytes)."""
        return self._queue.qsize() < BACKLOG

    def output(self, run_id: str, text: str, shown: Callable[[Written], object] | None = None) -> None:
        """Record output on the feed's thread; then `shown(written)` with what was written,
        redacted (what a screen may show: complete lines, and the open line so far)."""
        self._start()

        def record() -> None:
            written = self.session.record_output(run_id, text)
            if shown is not None:
                shown(written)

        self._queue.put(record)

    def finished(
        self,
        run_id: str,
        exit_code: int | None,
        duration: float,
        cancelled: bool,
        error: str | None,
        then: Callable[[], object] | None = None,
    ) -> None:
        """Record the end of a run on the feed's thread, after its output; then `then()` (even when
        recording failed), so a screen closes the run after showing all of its output."""
        self._start()

        def record() -> None:
            try:
                self.session.record_command_finished(
                    run_id, exit_code, duration, cancelled=cancelled, error=error
                )
            finally:
                if then is not None:
                    then()

        self._queue.put(record)

    def join(self) -> None:
        """Block until everything queued so far is recorded."""
        if self._thread is not None:
            self._queue.join()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None
