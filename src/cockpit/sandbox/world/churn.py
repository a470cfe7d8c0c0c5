"""Scale knob `churn=R`: R pod events per second, deterministic for a seed.

Each event picks a filler pod (or, without filler pods, a healthy scenario pod) and either flips
its readiness (half the time), restarts its first container (a third), or replaces it with a new
pod of the same ReplicaSet (the rest: a DELETED and an ADDED event).

As a load generator it says what it achieved: `count` events made, `dropped` events given up
because the sandbox fell behind (the backlog is bounded to one second of events, so a busy
machine slows the churn instead of queueing it without end), `achieved_rate()`. Every changed
pod carries the wall-clock time of the change in the annotation `cockpit.sandbox/changed-at`, so
a client can measure change-to-screen latency from the server's own stamp.

It keeps up with 2,000 events/s on a loaded machine and keeps the API answering meanwhile: each
new version of a pod shares its unchanged parts (spec, most of metadata) with the stored one and
is handed to the store without copies (`Store.put`), copying only the status it changes (a whole
pod copied in and out of the store twice cost ~0.3 ms an event); and a tick makes at most
SLICE_S of events before the loop serves requests again (the rest follows at once).
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import PODS
from cockpit.sandbox.store import clone
from cockpit.sandbox.world.names import SAFE_ALPHABET, rfc3339

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
PERIOD = 0.1
STAMP = "cockpit.sandbox/changed-at"
MAX_BACKLOG_S = 1.0  # owed events beyond one second's worth are dropped, not queued
SLICE_S = 0.01  # a tick makes events for at most this long, then the API server gets the loop


class Churn:
    def __init__(self, world: World, rate: float) -> None:
        if rate < 0:
            raise ValueError("churn rate must be >= 0")
        self.world = world
        self.rate = rate
        self.rng = random.Random(world.seed ^ 0xC4C4)
        self.pods: list[tuple[str, str]] = []
        self.count = 0
        self.dropped = 0
        self._owed = 0.0
        self._last = 0.0
        self._began = 0.0  # wall clock of the first tick

    def add_pods(self, keys: list[tuple[str, str]]) -> None:
        self.pods.extend(keys)

    def start(self) -> None:
        if self.rate <= 0:
            return
        if not self.pods:
            self.pods = [
                k
                for k, run in sorted(self.world.kubelet.runs.items())
                if run.behaviour.mode == "healthy" and not run.run_to_completion
            ]
        self._last = self.world.now()
        self._began = time.time()
        self.world.at(self._last + PERIOD, self._tick)

    def achieved_rate(self) -> float:
        """Events per second made since the churn started (wall clock)."""
        elapsed = time.time() - self._began if self._began else 0.0
        return self.count / elapsed if elapsed > 0 else 0.0

    def _tick(self) -> None:
        now = self.world.now()
        self._owed += (now - self._last) * self.rate
        self._last = now
        cap = self.rate * MAX_BACKLOG_S
        if self._owed > cap:
            self.dropped += int(self._owed - cap)
            self._owed -= int(self._owed - cap)
        deadline = time.monotonic() + SLICE_S
        while self._owed >= 1:
            self._owed -= 1
            self.step(now)
            if time.monotonic() > deadline:
                break
        # owed events left: on at once (after the loop served what waits), else next period
        self.world.at(now if self._owed >= 1 else now + PERIOD, self._tick)

    def step(self, now: float) -> None:
        """One churn event."""
        if not self.pods:
            return
        i = self.rng.randrange(len(self.pods))
        ns, name = self.pods[i]
        roll = self.rng.random()
        store = self.world.store
        try:
            entry = store.entry(PODS, ns, name)
            if entry is None:
                raise errors.not_found(PODS, name)
            if roll < 0.5:
                store.put(PODS, _version(entry.obj, _flip_ready, now))
            elif roll < 0.83:
                store.put(PODS, _version(entry.obj, _restart, now))
            else:
                store.delete(PODS, ns, name, "Background")
                fresh = _version(entry.obj, lambda p, t: _restart(p, t, count=False), now)
                meta = fresh["metadata"]
                meta["name"] = f"{meta.get('generateName', name + '-')}" + "".join(
                    self.rng.choice(SAFE_ALPHABET) for _ in range(5)
                )
                meta["creationTimestamp"] = rfc3339(now)
                for key in ("uid", "resourceVersion"):
                    meta.pop(key, None)
                store.create_many(PODS, [fresh])
                self.pods[i] = (ns, meta["name"])
        except errors.ApiError:
            self.pods[i] = self.pods[-1]
            self.pods.pop()
            return
        self.count += 1


def _version(pod: Obj, change: Any, now: float) -> Obj:
    """The next version of a stored pod: `change(version, now)` edits its status (a copy) and its
    metadata (a new dict carrying the stamp); everything else is shared with `pod`."""
    meta = pod["metadata"]
    annotations = {**(meta.get("annotations") or {}), STAMP: f"{time.time():.6f}"}
    new = {**pod, "metadata": {**meta, "annotations": annotations}, "status": clone(pod.get("status") or {})}
    change(new, now)
    return new


def _flip_ready(pod: Obj, now: float) -> None:
    stamp = rfc3339(now)
    statuses = pod["status"].get("containerStatuses") or []
    ready = not all(cs.get("ready") for cs in statuses)
    for cs in statuses:
        cs["ready"] = ready
    for cond in pod["status"].get("conditions") or []:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond["status"] = "True" if ready else "False"
            cond["lastTransitionTime"] = stamp


def _restart(pod: Obj, now: float, *, count: bool = True) -> None:
    stamp = rfc3339(now)
    statuses = pod["status"].get("containerStatuses") or []
    if not statuses:
        return
    cs = statuses[0]
    running = (cs.get("state") or {}).get("running") or {}
    if count:
        cs["lastState"] = {
            "terminated": {
                "containerID": cs.get("containerID", ""),
                "exitCode": 137,
                "finishedAt": stamp,
                "reason": "OOMKilled",
                "startedAt": running.get("startedAt", stamp),
            }
        }
        cs["restartCount"] = int(cs.get("restartCount", 0)) + 1
    else:
        cs["lastState"] = {}
        cs["restartCount"] = 0
    cs["state"] = {"running": {"startedAt": stamp}}
    cs["ready"] = True
    for c in statuses:
        c["ready"] = True
    for cond in pod["status"].get("conditions") or []:
        cond["status"] = "True"
