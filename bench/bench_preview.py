"""Confirmation previews: how long each verb's preview takes against the sandbox (budget: 2 s).

    python bench/bench_preview.py [ROUNDS]          (default: 5)

Starts the sandbox (seed world) in this process, then asks `cockpit.session.preview.Previewer`
(the real kubectl, `--dry-run=server`, `kubectl diff`) for the preview of each command below,
ROUNDS times, and prints the median and worst time per verb and whether any round ran out of the
2 s budget. Figures, not pass/fail: the product shows "preview unavailable" past the budget.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cockpit.sandbox import Sandbox
from cockpit.session import actions
from cockpit.session.preview import PREVIEW_BUDGET_S, Previewer

NS = "data-platform"


def commands(tmp: Path) -> list[tuple[str, str, actions.PaneAction | None]]:
    manifest = tmp / "cm.json"
    manifest.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "bench-preview", "namespace": NS},
                "data": {"a": "b"},
            }
        )
    )
    refresh = actions.hard_refresh("argocd", "data-platform")
    return [
        ("scale", f"kubectl scale deployment trino-worker -n {NS} --replicas=0", None),
        ("label", f"kubectl label deployment trino-worker -n {NS} bench=yes", None),
        ("set image", f"kubectl set image deployment/trino-worker -n {NS} '*=trino:999'", None),
        ("rollout restart", f"kubectl rollout restart deployment/trino-worker -n {NS}", None),
        ("create", f"kubectl create configmap bench-x -n {NS} --from-literal=a=b", None),
        ("apply (diff)", f"kubectl apply -f {manifest}", None),
        ("delete selector", f"kubectl delete jobs --field-selector status.successful==0 -n {NS}", None),
        ("pane: hard refresh", refresh.label, refresh),
    ]


async def measure(previewer: Previewer, text: str, action: actions.PaneAction | None) -> tuple[float, bool]:
    started = time.perf_counter()
    preview = await previewer.preview(text, action)
    return time.perf_counter() - started, bool(preview.unavailable)


async def main(rounds: int) -> None:
    if shutil.which("kubectl") is None:
        print("kubectl is not on PATH: nothing to measure")
        return
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        box = Sandbox(port=0, seed=0).start()
        try:
            kubeconfig = box.write_kubeconfig(tmp / "kubeconfig", context_name="cockpit-sandbox")
            env = {"KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(tmp / "cache")}
            previewer = Previewer(env=env, budget=60.0)  # measure the real time, past the budget too
            print(f"{'verb':<20} {'median':>8} {'worst':>8}  over {PREVIEW_BUDGET_S:g} s")
            for verb, text, action in commands(tmp):
                times, failed = [], False
                for _ in range(rounds):
                    took, unavailable = await measure(previewer, text, action)
                    times.append(took)
                    failed = failed or unavailable
                over = sum(t > PREVIEW_BUDGET_S for t in times)
                note = " (preview unavailable in a round)" if failed else ""
                print(
                    f"{verb:<20} {statistics.median(times) * 1000:7.0f}ms {max(times) * 1000:7.0f}ms"
                    f"  {over}/{rounds}{note}"
                )
        finally:
            box.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
