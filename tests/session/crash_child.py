"""Run as a subprocess by test_crash: drives a session on a fake clock, then waits to be killed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cockpit.session import FakeClock, Session
from tests.session.plans import seed_like_plan

session_dir = Path(sys.argv[1])
clock = FakeClock()
s = Session.start(seed_like_plan(), session_dir, context="kind-254", clock=clock)
s.activate("1.1.1")
clock.advance(180)
s.add_note("before the crash", "1.1.1")
s.tick("1.1.1")
s.activate("1.1.2")
clock.advance(240)
s.checkpoint(min_interval=0)
s.record_command_started("r1", "1.1.2", "kubectl logs -f deploy/dolphinscheduler-api")
s.record_output("r1", "line 1\nline 2\npartial")
print("READY", flush=True)
while True:  # a command still streaming when the cockpit dies
    time.sleep(0.05)
