"""A child process's output read line by line on a thread, so a test can wait for a line to appear
(a watch listed, a log streamed) instead of sleeping a fixed time and hoping the process kept up."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable


class StreamedLines:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 30.0) -> list[str]:
        """The lines so far once `predicate(lines)` holds; fails with what was read after `timeout`."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self.lines), timeout):
                raise AssertionError(f"the expected output never came within {timeout} s; read: {self.lines}")
            return list(self.lines)

    def stop(self) -> list[str]:
        """End the process and return every line it printed."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._thread.join(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        return list(self.lines)
