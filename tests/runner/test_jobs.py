"""Background jobs: listed with live output, stopped one by one or all at session end."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from cockpit.runner.jobs import JobManager, JobState, strip_background
from cockpit.runner.procgroup import session_members


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


def test_trailing_ampersand_is_the_background_marker_only() -> None:
    assert strip_background("kubectl port-forward -n monitoring svc/grafana 3000:3000 &") == (
        "kubectl port-forward -n monitoring svc/grafana 3000:3000"
    )
    assert strip_background("a && b") == "a && b"
    assert strip_background("make |&") == "make |&"


async def test_jobs_list_with_state_and_live_tail(tmp_path: Path) -> None:
    changes: list[tuple[int, JobState]] = []
    outputs: list[tuple[int, str]] = []
    manager = JobManager(
        output_dir=tmp_path,
        on_change=lambda job: changes.append((job.id, job.state)),
        on_output=lambda job, text: outputs.append((job.id, text)),
    )
    forward = await manager.start(
        "for i in $(seq 1 100); do echo tick $i; sleep 0.05; done &", label="ticker"
    )
    quick = await manager.start("echo done-quickly")
    failing = await manager.start("exit 4")
    assert [j.id for j in manager.jobs()] == [1, 2, 3]
    assert forward.label == "ticker" and forward.cmd.endswith("done")
    await wait_for(lambda: "tick 3" in forward.tail())
    await wait_for(lambda: quick.state is JobState.EXITED and failing.state is JobState.FAILED)
    assert forward.state is JobState.RUNNING
    assert manager.running() == [forward]
    assert "done-quickly" in quick.tail()
    assert failing.result is not None and failing.result.error == "exited with code 4"
    assert any(job_id == 1 and "tick" in text for job_id, text in outputs)
    assert (2, JobState.EXITED) in changes and (3, JobState.FAILED) in changes
    await manager.stop(forward.id, interrupt_grace=0.5, terminate_grace=0.5)
    assert forward.state is JobState.STOPPED
    assert (1, JobState.STOPPED) in changes
    assert (tmp_path / "job-1.out").read_bytes().startswith(b"tick 1\r\n")
    assert len(forward.tail(20)) <= 20
    assert forward.tail().startswith("tick 1\r\n"), "a short tail() call does not shrink what is kept"


async def test_stop_all_leaves_no_process_behind() -> None:
    async with JobManager() as manager:
        stubborn = await manager.start("trap '' INT TERM; sleep 60 & sleep 60 & wait")
        plain = await manager.start("sleep 60")
        port_forward_like = await manager.start("python3 -c 'import time; time.sleep(60)' &")
        jobs = [stubborn, plain, port_forward_like]
        await wait_for(lambda: len(session_members(stubborn.pid or 0)) >= 3)
        sessions = [j.pid for j in jobs]
    assert all(j.state is JobState.STOPPED for j in jobs)
    for sid in sessions:
        assert sid is not None
        assert session_members(sid) == [], f"processes left in job session {sid}"
        assert not os.path.exists(f"/proc/{sid}") or _zombie_or_gone(sid)


def _zombie_or_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def test_stop_unknown_job_is_a_clear_error() -> None:
    manager = JobManager()
    try:
        await manager.stop(42)
    except KeyError as exc:
        assert "no background job 42" in str(exc)
    else:
        raise AssertionError("expected KeyError")


def test_jobs_die_with_a_crashed_cockpit_too() -> None:
    """Even without stop_all (the cockpit killed), closing the job's terminal hangs it up."""
    import subprocess
    import sys
    import time

    script = (
        "import asyncio, os, sys\n"
        "from cockpit.runner.jobs import JobManager\n"
        "async def main():\n"
        "    job = await JobManager().start('kubectl-like() { sleep 60; }; kubectl-like &')\n"
        "    await asyncio.sleep(0.2)\n"
        "    print(job.pid, flush=True)\n"
        "    os._exit(0)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20).stdout
    sid = int(out.split()[0])
    deadline = time.monotonic() + 3
    while session_members(sid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session_members(sid) == [], "a job outlived the cockpit"
