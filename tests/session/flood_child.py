"""Run as a subprocess by test_crash: journals big notes as fast as it can, acknowledging each one
on stdout only after `add_note` returned, until it is killed (often in the middle of a write)."""

from __future__ import annotations

import sys
from pathlib import Path

from cockpit.session import FakeClock, Session
from tests.session.plans import seed_like_plan

session = Session.start(seed_like_plan(), Path(sys.argv[1]), clock=FakeClock())
n = 0
while True:
    n += 1
    session.add_note(f"note {n} " + "x" * 300_000, "1.1.1")
    print(n, flush=True)
