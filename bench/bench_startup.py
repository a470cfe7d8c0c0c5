"""Start-up and plan-loading figures: what an operator waits for before the cockpit is usable.

    python bench/bench_startup.py [--repeat 5]

1. `cockpit plan show --json` on the bundled plan, as a whole process (import + load + print).
2. Loading plans in-process: the seed, and the seed repeated to about 0.5, 1 and 10 MB (the last
   two are over the loader's budgets: the figure is how long it takes to refuse them).
3. The app, headless, from `build_app` to its first screen on the seed plan with no cluster.
Prints median and worst of the repeats. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cockpit.launch import LaunchOptions
from cockpit.paths import bundled_plan
from cockpit.plan import PlanError, load_plan


def _figures(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:8.1f} ms   worst {max(samples) * 1000:8.1f} ms"


def bench_process(repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cockpit", "plan", "show", str(bundled_plan()), "--json"],
            check=True,
            capture_output=True,
        )
        samples.append(time.perf_counter() - started)
    print(f"cockpit plan show --json (whole process)   {_figures(samples)}")


def bench_loading(repeat: int, folder: Path) -> None:
    seed = bundled_plan().read_text(encoding="utf-8")
    for label, copies in (
        ("seed (25 KB)", 1),
        ("seed x20 (~0.5 MB)", 20),
        ("seed x40 (~1 MB)", 40),
        ("seed x400 (~10 MB)", 400),
    ):
        path = folder / f"plan-{copies}.md"
        path.write_text("\n\n".join([seed] * copies), encoding="utf-8")
        runs = repeat if copies < 400 else 1
        samples = []
        outcome = ""
        for _ in range(runs):
            started = time.perf_counter()
            try:
                outcome = f"{len(load_plan(path).tasks()):6d} tasks"
            except PlanError:
                outcome = "refused    "
            samples.append(time.perf_counter() - started)
        size = path.stat().st_size / 1e6
        print(f"load {label:<20} {size:6.2f} MB {outcome}   {_figures(samples)}")


async def _first_screen(folder: Path) -> float:
    from cockpit.ui.launch import build_app

    os.environ["COCKPIT_HOME"] = str(folder / "home")
    started = time.perf_counter()
    app = build_app(LaunchOptions(plan=bundled_plan()), cluster_hub=None)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        elapsed = time.perf_counter() - started
    return elapsed


def bench_app(repeat: int, folder: Path) -> None:
    samples = [asyncio.run(_first_screen(folder / str(i))) for i in range(repeat)]
    print(f"app to first screen (headless, seed plan)   {_figures(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_process(args.repeat)
        bench_loading(args.repeat, folder)
        bench_app(args.repeat, folder)


if __name__ == "__main__":
    main()
