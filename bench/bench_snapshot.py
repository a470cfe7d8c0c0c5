"""Snapshot figures: `cockpit sandbox snapshot` of a sandbox world of N pods, then serving it.

    python bench/bench_snapshot.py [--sizes 138 2000 10000]

For each size: how long the snapshot takes (paginated GETs, cleaning, writing), the file's size,
how long a sandbox takes to start on it (load, time shift, uid remap, the world adopting every
pod), and whether `kubectl get pods -A` on the copy lists as many pods as the original. Prints
figures; not a pass/fail test.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr
from pathlib import Path

from cockpit.cli import main as cockpit_main
from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox


def kubectl_pods(kubeconfig: Path) -> int | None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    done = subprocess.run(
        [kubectl, "--kubeconfig", str(kubeconfig), "get", "pods", "-A", "--no-headers"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return len(done.stdout.splitlines()) if done.returncode == 0 else None


def one(size: int, directory: Path) -> None:
    began = time.perf_counter()
    box = Sandbox(seed=0, pods=None if size <= 138 else size).start()
    built = time.perf_counter() - began
    try:
        kubeconfig = box.write_kubeconfig(directory / f"a-{size}")
        out = directory / f"snap-{size}.yaml"
        began = time.perf_counter()
        with redirect_stderr(io.StringIO()):
            rc = cockpit_main(["sandbox", "snapshot", "--kubeconfig", str(kubeconfig), "-o", str(out)])
        took = time.perf_counter() - began
        pods = box.store.count(r.PODS)
    finally:
        box.stop()
    if rc != 0:
        print(f"{size:>6} pods: snapshot failed (exit {rc})")
        return
    began = time.perf_counter()
    copy = Sandbox(scenario=out).start()
    served = time.perf_counter() - began
    try:
        listed = kubectl_pods(copy.write_kubeconfig(directory / f"b-{size}"))
    finally:
        copy.stop()
    mb = out.stat().st_size / 1e6
    shown = "kubectl not found" if listed is None else f"kubectl lists {listed:,}"
    print(
        f"{pods:>6} pods: world built {built:5.1f} s | snapshot {took:5.1f} s, {mb:6.1f} MB | "
        f"copy started {served:5.1f} s | {shown}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[138, 2000, 10000])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-snapshot-") as tmp:
        for size in args.sizes:
            one(size, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
