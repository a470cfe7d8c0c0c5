"""How long live panes take to notice and get over network faults, with the shipped deadlines and
backoff (not the short ones the tests inject). Prints figures; not a pass/fail test.

    python bench/bench_network.py [--pods 500] [--kinds reset,hung-watch,...]

For each fault kind, a fresh pods informer (default Deadlines, default Backoff) lists and watches
the sandbox through the fault-injecting proxy of the test suite (tests/cluster/faultproxy.py);
the fault is injected, a pod is created once it is on, and the bench prints how long until the
health left CONNECTED ("noticed"; "-" when the informer got over it before anyone could tell),
how long until its rows equal a fresh list again ("healed"), and how many relists that took.
Bookmarks come every 60 s, as from a real server, so a hung watch is found by its 10 s silence.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test suite's fault proxy

from kubernetes.client import ApiClient, Configuration
from tests.cluster.faultproxy import FAULTS, FaultProxy

from cockpit.cluster.health import InformerState
from cockpit.cluster.informer import Dispatcher
from cockpit.cluster.kubeapi import PODS, KubeApi
from cockpit.cluster.pods import summarize_pod
from cockpit.cluster.registry import InformerRegistry
from cockpit.sandbox import Sandbox
from cockpit.sandbox.resources import NAMESPACES
from cockpit.sandbox.resources import PODS as STORE_PODS
from cockpit.sandbox.store import Store

AIM = {"truncated-list": "list", "hung-list": "probe", "throttle": "watch", "error-500": "watch"}


def pod(name: str) -> dict[str, object]:
    return {
        "metadata": {"name": name, "namespace": "bench"},
        "spec": {"containers": [{"name": "app", "image": "busybox"}]},
        "status": {"phase": "Running"},
    }


def one(store: Store, proxy: FaultProxy, fault: str, serial: int) -> tuple[float | None, float, int]:
    cfg = Configuration(host=proxy.url)
    cfg.retries = False
    registry = InformerRegistry(KubeApi(ApiClient(cfg)), Dispatcher())
    informer = registry.get(PODS, None, summarize_pod)
    try:
        if not informer.wait_synced(60):
            raise SystemExit(f"{fault}: the informer did not sync")
        time.sleep(2.0)  # a watch ended sooner than 1 s with nothing in it would count as a failure
        relists = informer.relists
        aim = AIM.get(fault, "watch")
        applied = proxy.applied[fault]
        start = time.monotonic()
        if fault == "restart":
            proxy.inject(fault)
        else:
            proxy.inject(fault, on=aim)
        if fault == "hung-list":
            proxy.inject("hung-watch")  # the whole server goes quiet: the watch and its probe hang
        if aim == "list":
            proxy.inject("gone", on="watch")
        if fault != "restart":
            proxy.wait_applied(fault, applied + 1)
        store.create(STORE_PODS, pod(f"during-{serial}"))  # a change the fault must not lose
        noticed: float | None = None
        while True:
            now = time.monotonic()
            if noticed is None and informer.health.state is not InformerState.CONNECTED:
                noticed = now - start
            truth = {o["metadata"]["uid"]: summarize_pod(o) for o in store.list(STORE_PODS)}
            if informer.health.state is InformerState.CONNECTED and informer.items() == truth:
                return noticed, now - start, informer.relists - relists
            if now - start > 120:
                raise SystemExit(f"{fault}: not healed after 120 s: {informer.health}")
            time.sleep(0.05)
    finally:
        registry.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=500)
    parser.add_argument("--kinds", default=",".join(FAULTS))
    args = parser.parse_args()
    store = Store(seed=1)
    store.create(NAMESPACES, {"metadata": {"name": "bench"}})
    for i in range(args.pods):
        store.create(STORE_PODS, pod(f"pod-{i:05d}"))
    box = Sandbox(world=False, store=store).start()  # bookmarks every 60 s, as a real server
    proxy = FaultProxy(box.port, on_restart=store.compact, retry_after=3, restart_down=2.0).start()
    print(f"{args.pods} pods; default deadlines and backoff; a fresh informer per fault kind")
    print(f"{'fault':<18}{'noticed':>9}{'healed':>9}{'relists':>9}")
    try:
        for serial, fault in enumerate(args.kinds.split(",")):
            noticed, healed, relists = one(store, proxy, fault, serial)
            seen = "-" if noticed is None else f"{noticed:.1f} s"
            print(f"{fault:<18}{seen:>9}{healed:>7.1f} s{relists:>9}", flush=True)
    finally:
        proxy.stop()
        box.stop()


if __name__ == "__main__":
    main()
