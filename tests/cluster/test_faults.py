"""The pods informer behind a fault-injecting proxy in front of the sandbox: every fault kind at
least 20 times, and after each one heals, the informer's store and a pane's rows equal a fresh list
(no duplicate, no gap, no phantom, no dead thread) within a bounded number of relists.

Deadlines and backoff waits are short (injected): the tests count relists and retries, never
seconds. Pods are written while the fault is on, so a recovery that skipped anything would show.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from kubernetes.client import ApiClient, Configuration

from cockpit.cluster.health import Deadlines, InformerState
from cockpit.cluster.informer import ChangeSet, Dispatcher, Informer
from cockpit.cluster.kubeapi import PODS, KubeApi
from cockpit.cluster.podlist import POD_ROWS
from cockpit.cluster.pods import PodSummary, summarize_pod
from cockpit.cluster.registry import InformerRegistry
from cockpit.sandbox import Sandbox
from cockpit.sandbox.resources import NAMESPACES
from cockpit.sandbox.resources import PODS as STORE_PODS
from cockpit.sandbox.store import Store

from .faultproxy import FAULTS, FaultProxy

ROUNDS = 20  # per fault kind
RELISTS_PER_HEAL = 3  # at most this many full lists to get back to the truth after one fault
DEADLINES = Deadlines(connect=2.0, read=0.4, silence=0.4, probe=0.4, stale_after=0.5, short_watch=0.05)
NAMESPACES_USED = ("ns-a", "ns-b", "ns-c")
HEAL_GUARD = 60.0  # seconds; only a guard against hanging forever, not a measure


class PaneRows:
    """What a live pane keeps: the batches applied, in order, to a dict of rows (TablePane.rows)."""

    def __init__(self) -> None:
        self.rows: dict[str, PodSummary] = {}
        self.health: Any = None
        self.states: list[InformerState] = []  # every state a batch brought, in order
        self.lock = threading.Lock()

    def __call__(self, batch: ChangeSet[Any]) -> None:
        with self.lock:
            batch.apply_to(self.rows)
            self.health = batch.health
            if not self.states or self.states[-1] is not batch.health.state:
                self.states.append(batch.health.state)

    def snapshot(self) -> dict[str, PodSummary]:
        with self.lock:
            return dict(self.rows)


@dataclass
class Rig:
    box: Sandbox
    store: Store
    proxy: FaultProxy
    registry: InformerRegistry
    informer: Informer[PodSummary]
    pane: PaneRows
    waits: list[float]
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    serial: int = 0

    def fresh_list(self) -> dict[str, PodSummary]:
        """The truth: every pod in the sandbox's store, summarized as the informer does."""
        return {o["metadata"]["uid"]: summarize_pod(o) for o in self.store.list(STORE_PODS)}

    def write(self, count: int = 2) -> None:
        """Create, change or delete a few pods (directly in the sandbox, not through the proxy)."""
        for _ in range(count):
            pods = self.store.list(STORE_PODS)
            roll = self.rng.random()
            if len(pods) < 15 or (roll < 0.35 and len(pods) < 45):
                self.create(self.rng.choice(NAMESPACES_USED))
            elif roll < 0.7:
                pod = self.rng.choice(pods)
                phases = {"Pending", "Running", "Failed", "Succeeded"} - {pod["status"].get("phase")}
                phase = self.rng.choice(sorted(phases))  # a real change, never a no-op
                meta = pod["metadata"]
                self.store.patch(STORE_PODS, meta["namespace"], meta["name"], {"status": {"phase": phase}})
            else:
                meta = self.rng.choice(pods)["metadata"]
                self.store.delete(STORE_PODS, meta["namespace"], meta["name"])

    def create(self, ns: str, name: str | None = None) -> None:
        self.serial += 1
        pod = {
            "metadata": {"name": name or f"pod-{self.serial:04d}", "namespace": ns, "labels": {"app": "x"}},
            "spec": {"containers": [{"name": "app", "image": "busybox"}]},
            "status": {"phase": "Running"},
        }
        self.store.create(STORE_PODS, pod)

    def converged(self) -> bool:
        truth = self.fresh_list()
        pane_health = self.pane.health
        return (
            self.informer.health.state is InformerState.CONNECTED
            and pane_health is not None
            and pane_health.state is InformerState.CONNECTED  # the pane no longer says stale
            and self.informer.items() == truth
            and self.pane.snapshot() == truth
        )

    def heal(self, noticed: Callable[[], bool] = lambda: True) -> None:
        """Wait until the informer has `noticed` the fault and it and the pane equal a fresh list;
        check meanwhile that no row is doubled and no phantom appears."""
        deadline = time.monotonic() + HEAL_GUARD
        while not (noticed() and self.converged()):
            names = [(p.namespace, p.name) for p in self.pane.snapshot().values()]
            assert len(names) == len(set(names)), "a duplicate row"
            assert "phantom-uid" not in self.informer.items(), "a phantom row from a malformed event"
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not healed: noticed={noticed()} health={self.informer.health} "
                    f"faults={dict(self.informer.faults)} store={len(self.informer.items())} "
                    f"truth={len(self.fresh_list())}\n" + "\n".join(self.proxy.log)
                )
            time.sleep(0.01)
        assert self.informer.alive


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    store = Store(seed=5)
    for ns in NAMESPACES_USED:
        store.create(NAMESPACES, {"metadata": {"name": ns}})
    box = Sandbox(world=False, store=store, bookmark_interval=0.1).start()
    proxy = FaultProxy(box.port, on_restart=store.compact, retry_after=3).start()
    cfg = Configuration(host=proxy.url)
    cfg.retries = False
    waits: list[float] = []

    def pause(seconds: float, stop: threading.Event) -> bool:
        waits.append(seconds)  # the delay asked for is recorded; the test waits a moment only
        return stop.wait(min(seconds, 0.01))

    registry = InformerRegistry(
        KubeApi(ApiClient(cfg)),
        Dispatcher(rate=100),
        watchdog_interval=0.05,
        deadlines=DEADLINES,
        pause=pause,
        page_size=7,
        watch_timeout=(60, 60),
    )
    # the pods informer as the hub makes it (POD_ROWS: lists decoded with only the fields rows need)
    rig = Rig(box, store, proxy, registry, registry.get(PODS, None, POD_ROWS), PaneRows(), waits)
    for i in range(24):
        rig.create(NAMESPACES_USED[i % 3])
    rig.informer.subscribe(rig.pane)
    rig.heal()
    yield rig
    registry.stop()
    proxy.stop()
    box.stop()


# Where each fault is aimed: the open watch stream, or the next list (which a 410 on the watch
# brings about), or both in turn.
AIM = {
    "reset": ("watch", "list"),
    "gone": ("watch", "list"),
    "throttle": ("watch", "list"),
    "error-500": ("watch", "list"),
    "html-502": ("watch", "list"),
    "truncated-list": ("list",),
    "garbage": ("watch", "list"),
    "truncated-line": ("watch",),
    "non-object-line": ("watch",),
    "hung-watch": ("watch",),
    "hung-list": ("list",),
    "restart": ("any",),
}
EXPECTED_COUNT = {  # the informer's fault counter a fault kind must raise
    "reset": ("unreachable", "malformed"),
    "gone": ("gone",),
    "throttle": ("throttled",),
    "error-500": ("server-error",),
    "html-502": ("server-error",),
    "truncated-list": ("unreachable", "malformed"),
    "garbage": ("unreachable", "malformed"),
    "truncated-line": ("malformed",),
    "non-object-line": ("malformed",),
    "hung-watch": ("silent-watch",),
    "hung-list": ("timeout",),
    "restart": ("unreachable", "gone"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_heals_to_a_fresh_list_within_bounded_relists(rig: Rig, fault: str) -> None:
    informer, proxy = rig.informer, rig.proxy
    restarts_before = informer.restarts
    for n in range(ROUNDS):
        aim = AIM[fault][n % len(AIM[fault])]
        relists = informer.relists
        counted = sum(informer.faults[k] for k in EXPECTED_COUNT[fault])
        applied = proxy.applied[fault]
        rig.write()
        if aim == "any":
            proxy.inject(fault)
        else:
            proxy.inject(fault, on=aim)
        if aim == "list":
            proxy.inject("gone", on="watch")  # the informer lists again: the list gets the fault
        assert proxy.wait_applied(fault, applied + 1), f"{fault} never applied ({aim})"
        rig.write()  # a change while the fault is on: recovery must not lose it
        rig.heal(noticed=lambda c=counted: sum(informer.faults[k] for k in EXPECTED_COUNT[fault]) > c)
        assert informer.relists - relists <= RELISTS_PER_HEAL
    assert informer.restarts == restarts_before  # handled per request: the thread never died
    assert proxy.pending() == 0
    if fault == "throttle":
        assert sum(1 for w in rig.waits if w >= 3) >= ROUNDS  # Retry-After: 3 honoured every time


def test_a_silent_server_is_shown_stale_with_its_age_until_data_arrives(rig: Rig) -> None:
    """The watch hangs and so does the probe: the pane is told STALE (with the data's age) after
    `stale_after`, the probe's deadline turns it into a retry, and it is live once data arrives."""
    informer, pane = rig.informer, rig.pane
    for _ in range(5):
        timeouts, probes = informer.faults["timeout"], informer.faults["silent-watch"]
        with pane.lock:
            pane.states.clear()
        rig.proxy.inject("hung-list", on="probe")  # the probe will get no answer
        rig.proxy.inject("hung-watch")
        stale_lines: list[str] = []

        def stale_seen(lines: list[str] = stale_lines, timeouts: int = timeouts) -> bool:
            health = informer.health
            if health.state is InformerState.STALE and not lines:
                lines.append(health.describe())
            return informer.faults["timeout"] > timeouts

        rig.write()
        rig.heal(noticed=stale_seen)
        with pane.lock:
            states = list(pane.states)
        assert InformerState.STALE in states, (states, "\n".join(rig.proxy.log))
        assert states[-1] is InformerState.CONNECTED
        assert informer.faults["silent-watch"] > probes
        if stale_lines:  # (sampled: the pane's states above are the proof, this is the wording)
            assert stale_lines[0].startswith("The watch of pods has sent nothing (not even a bookmark)")
            assert "(stale)" in stale_lines[0]
    assert pane.health.state is InformerState.CONNECTED


def test_paged_lists_under_concurrent_creates_lose_nothing(rig: Rig) -> None:
    """Pods created between the pages of a relist, before and after the cursor, and an expired
    continue token: the informer still ends up with every pod, once."""
    informer, proxy = rig.informer, rig.proxy
    pages = {"n": 0}

    def between_pages(kind: str, query: dict[str, list[str]]) -> None:
        if kind == "list" and "continue" in query:
            pages["n"] += 1
            ns = NAMESPACES_USED[pages["n"] % 3]
            if rig.store.count(STORE_PODS) < 50:
                rig.create(ns, f"aaa-{rig.serial:04d}")  # sorts before the cursor
                rig.create(ns, f"zzz-{rig.serial:04d}")  # sorts after it
            else:
                rig.write(2)
            if pages["n"] % 17 == 0:  # (rarer than once a list: else no list could ever finish)
                rig.store.compact()  # and sometimes the snapshot expires: 410, list again

    proxy.before_request = between_pages
    try:
        for _ in range(ROUNDS):
            relists, gone = informer.relists, proxy.applied["gone"]
            proxy.inject("gone", on="watch")
            assert proxy.wait_applied("gone", gone + 1), (informer.health, dict(informer.faults), pages)
            rig.heal()
            assert informer.relists - relists <= RELISTS_PER_HEAL
    finally:
        proxy.before_request = None
    assert pages["n"] >= ROUNDS  # the lists were paged, and written between pages
    assert informer.expired > 0


class ThreadKiller(BaseException):
    """Not an Exception: escapes the informer's per-request handling and ends its thread."""


def test_a_thread_that_ends_is_restarted_by_the_registry(rig: Rig) -> None:
    informer = rig.informer
    real = informer.summarize
    kills = {"left": 1}

    def summarize(obj: dict[str, Any]) -> PodSummary:
        if kills["left"]:
            kills["left"] -= 1
            raise ThreadKiller("boom")
        return real(obj)

    restarts = informer.restarts
    informer.summarize = summarize
    try:
        rig.create("ns-a")
        deadline = time.monotonic() + HEAL_GUARD
        while informer.restarts == restarts and time.monotonic() < deadline:
            time.sleep(0.01)
        assert informer.restarts == restarts + 1
        assert informer.faults["thread-died"] >= 1
        assert rig.registry.get(PODS, None, POD_ROWS) is informer  # the same one, alive
        rig.write()
        rig.heal()
    finally:
        informer.summarize = real
