"""`watch CMD`: re-run in place, each run's whole output replacing the last."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import pytest

from cockpit.runner.result import RunState
from cockpit.runner.watch import Watch, WatchRun, parse_watch


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        ("watch kubectl get applications -n argocd", ("kubectl get applications -n argocd", 2.0)),
        ("watch -n 5 kubectl get pods", ("kubectl get pods", 5.0)),
        ("watch -n1 -d 'kubectl get pods | grep -v Running'", ("kubectl get pods | grep -v Running", 1.0)),
        ("watch --interval=0.5 date", ("date", 0.5)),
        ("kubectl get pods --watch", None),
        ("watch", None),
        ("watch -q nonsense", None),
    ],
)
def test_parse_watch(cmd: str, expected: tuple[str, float] | None) -> None:
    assert parse_watch(cmd) == expected


async def test_watch_reruns_and_each_run_replaces_the_previous(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    counter.write_text("0")
    cmd = f"n=$(($(cat {counter}) + 1)); echo $n > {counter}; echo run $n; echo second line"
    runs: list[WatchRun] = []
    times: list[float] = []
    watch = Watch(cmd, interval=0.15, max_runs=3)
    async for snapshot in watch:
        runs.append(snapshot)
        times.append(time.monotonic())
    assert [r.index for r in runs] == [1, 2, 3]
    assert [r.output.replace("\r\n", "\n") for r in runs] == [f"run {i}\nsecond line\n" for i in (1, 2, 3)]
    assert all(r.result.ok for r in runs)
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.14


async def test_watch_stop_cancels_the_run_in_flight() -> None:
    seen: list[WatchRun] = []
    watch = Watch("echo hi; sleep 0.05", interval=0.05, on_run=seen.append)
    watch.start()
    for _ in range(100):
        if len(seen) >= 2:
            break
        await asyncio.sleep(0.02)
    assert len(seen) >= 2
    slow = Watch("sleep 30", interval=0.05)
    task = slow.start()
    for _ in range(200):  # until the 30 s sleep is running
        if slow._current is not None and slow._current.state is RunState.RUNNING:
            break
        await asyncio.sleep(0.02)
    in_flight = slow._current
    assert in_flight is not None
    await slow.stop()
    await watch.stop()
    assert task.done()
    assert in_flight.state is RunState.CANCELLED  # interrupted, not waited out
    count = len(seen)
    await asyncio.sleep(0.2)
    assert len(seen) == count, "no run after stop"
