"""Plan loading: how long plans take to load (or be refused), and how well the loader reads the
fixture corpus of runbooks in other styles than the seed.

    python bench/bench_plan.py [--repeat 20]

1. A fresh process: `import cockpit.plan` and the first load of the seed.
2. In-process loads (best, median and worst of the repeats; on a busy machine the best is the
   code's own cost): the bundled seed plan, each corpus runbook.
3. The corpus fact score: the hand-read facts of `tests/plan/fixtures/corpus/*.facts.yaml`
   (headings, time boxes, commands, not-commands, metadata, `plan check` lines) that hold,
   overall and per kind, and the ones that do not.
4. Inputs over the loader's budgets (megabyte lines, alias bombs, deep nesting, huge plans):
   the time to refuse each, in a fresh process.
Prints figures; not a pass/fail test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.plan.corpus_facts import check_facts, runbooks  # noqa: E402

from cockpit.paths import bundled_plan  # noqa: E402
from cockpit.plan import PlanError, load_plan, load_plan_text  # noqa: E402


def _ms(samples: list[float]) -> str:
    best, median, worst = min(samples), statistics.median(samples), max(samples)
    return f"best {best * 1000:6.1f} ms   median {median * 1000:6.1f} ms   worst {worst * 1000:6.1f} ms"


def _timed(load, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        load()
        samples.append(time.perf_counter() - started)
    return samples


def bench_fresh_process() -> None:
    seed = str(bundled_plan())
    code = (
        "import time; t=time.perf_counter(); from cockpit.plan import load_plan; "
        f"i=time.perf_counter(); load_plan({seed!r}); e=time.perf_counter(); "
        "print(f'{(i-t)*1000:.1f} {(e-i)*1000:.1f}')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    imported, loaded = out.split()
    print(f"fresh process: import cockpit.plan {imported} ms, first seed load {loaded} ms")


def bench_loads(repeat: int) -> None:
    seed = bundled_plan()
    samples = _timed(lambda: load_plan(seed), repeat)
    print(f"seed ({seed.stat().st_size / 1000:.0f} KB)                            {_ms(samples)}")
    cpu = []
    for _ in range(repeat):
        started = time.process_time()
        load_plan(seed)
        cpu.append(time.process_time() - started)
    print(
        f"seed CPU time (less sensitive to other processes)  best {min(cpu) * 1000:6.1f} ms   "
        f"median {statistics.median(cpu) * 1000:6.1f} ms"
    )
    total = []
    for runbook in runbooks():
        samples = _timed(lambda r=runbook: load_plan(r), repeat)
        total.append(statistics.median(samples))
        print(f"  {runbook.name:40} {_ms(samples)}")
    print(
        f"corpus: {len(total)} runbooks, median of medians {statistics.median(total) * 1000:.1f} ms, "
        f"slowest {max(total) * 1000:.1f} ms"
    )


def bench_facts() -> None:
    held: Counter[str] = Counter()
    counted: Counter[str] = Counter()
    missed = []
    for runbook in runbooks():
        for fact in check_facts(runbook):
            counted[fact.kind] += 1
            if fact.holds:
                held[fact.kind] += 1
            else:
                missed.append(f"  {runbook.name}: {fact.kind}: {fact.what} (got {fact.found})")
    good, total = sum(held.values()), sum(counted.values())
    print(f"fact score: {good}/{total} = {good / total:.1%}")
    for kind in sorted(counted):
        print(f"  {kind:12} {held[kind]}/{counted[kind]}")
    if missed:
        print("facts the loader reads wrong:")
        print("\n".join(missed))


CASES = {
    "2 MB single line": "x " * 1_000_000,
    "2 MB line in a bash block": "```bash\nkubectl " + "a" * 2_000_000 + "\n```\n",
    "50k '[' in a paragraph": "[a](" * 50_000,
    "1000 nested quotes": "> " * 1000 + "deep\n",
    "2000 nested list levels": "".join("  " * i + "- x\n" for i in range(2000)),
    "40k headings (1.5 MB)": "".join(f"## h{i} (5 min)\n\nDo it.\n\n" for i in range(40_000)),
    "30k-line bash block": "```bash\n" + "kubectl get pods |\n" * 30_000 + "```\n",
    "YAML alias bomb": "title: x\nv0: &v0 [a, a, a, a, a, a, a, a, a]\n"
    + "".join(f"v{i}: &v{i} [{', '.join([f'*v{i - 1}'] * 6)}]\n" for i in range(1, 10))
    + "tasks:\n  - title: t\n    steps: *v9\n",
}


def bench_refusals() -> None:
    for label, text in CASES.items():
        path = "bomb.yaml" if "YAML" in label else "odd.md"
        started = time.perf_counter()
        try:
            load_plan_text(text, path)
            outcome = "loaded"
        except PlanError as exc:
            outcome = f"refused: {exc.message}"
        print(f"  {label:28} {(time.perf_counter() - started) * 1000:7.1f} ms  {outcome[:70]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    bench_fresh_process()
    bench_loads(args.repeat)
    bench_facts()
    print("over budget (in this process):")
    bench_refusals()


if __name__ == "__main__":
    main()
