"""Run as a subprocess by test_crash: a session runs a real command in a PTY that prints half a
line (a prompt, a progress line) and then waits; this process says READY once `record_output`
has returned for that half-line, then waits to be killed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from cockpit.runner.process import CommandRun
from cockpit.session import FakeClock, Session
from tests.session.plans import seed_like_plan

COMMAND = "printf 'line 1\\nwaiting for condition on pods/x password=hunter2 ...'; sleep 60"


async def main(session_dir: Path) -> None:
    s = Session.start(seed_like_plan(), session_dir, context="kind-254", clock=FakeClock())
    s.activate("1.1.1")
    s.record_command_started("r1", "1.1.1", COMMAND)
    seen: list[str] = []
    ready = asyncio.Event()

    def on_output(chunk: str) -> None:
        s.record_output("r1", chunk)  # returns only once the half-line is on disk
        seen.append(chunk)
        if "..." in "".join(seen):
            ready.set()

    run = CommandRun(COMMAND, on_output=on_output)
    await run.start()
    await ready.wait()
    print(f"READY {run.pid}", flush=True)
    await asyncio.sleep(120)


asyncio.run(main(Path(sys.argv[1])))
