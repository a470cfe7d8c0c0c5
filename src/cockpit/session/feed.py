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

SESSION_ERRORS = (SessionError, JournalError)  # what a session call can raise at the operator


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

    def output(self, run_id: str, text: str) -> None:
        self._start()
        self._queue.put(lambda: self.session.record_output(run_id, text))

    def finished(
        self, run_id: str, exit_code: int | None, duration: float, cancelled: bool, error: str | None
    ) -> None:
        self._start()
        self._queue.put(
            lambda: self.session.record_command_finished(
                run_id, exit_code, duration, cancelled=cancelled, error=error
            )
        )

    def join(self) -> None:
        """Block until everything queued so far is recorded."""
        if self._thread is not None:
            self._queue.join()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None
