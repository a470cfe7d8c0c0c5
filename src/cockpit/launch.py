"""What the operator asked for on the command line, handed from the CLI to the app.

Plain data so that the CLI, the app factory and the tests build the app the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class LaunchOptions:
    plan: Path | None = None  # None: the bundled plan
    sandbox: bool = False  # start the in-process sandbox cluster and point everything at it
    scenario: Path | None = None  # the sandbox serves this scenario (a snapshot): a rehearsal
    kubeconfig: Path | None = None
    context: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    read_only: bool = False
    resume: bool = False  # reopen the last session (or `resume_journal`)
    resume_journal: Path | None = None
    theme: str | None = None
    loki_url: str | None = None
    prometheus_url: str | None = None
    debug: bool = False  # debug detail in the log file
    log_file: Path | None = None  # None: cockpit.log in the platform's log folder
