"""Pod logs made up on demand: the same lines for the same pod, instance and time, every time.

Each container instance (a start of the container) writes its component's start-up lines, then a
steady line every `interval` seconds while it runs, and, if it crashed, the component's fatal error
just before `finishedAt`. Nothing is stored: a line is a function of (pod, instance, index), so
`--tail=100` on a 12-day-old pod costs 100 lines. Older lines than MAX_LINES are "rotated away".
`follow` yields new lines as the clock passes them; `follow_rate` (lines/s, up to 50,000) makes
followed streams as busy as a benchmark needs.
"""

from __future__ import annotations

import asyncio
import math
import random
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cockpit.sandbox.resources import PODS
from cockpit.sandbox.world.fields import ScenarioError
from cockpit.sandbox.world.logtext import Profile, fill, guess_profile, profile, render
from cockpit.sandbox.world.names import parse_rfc3339

if TYPE_CHECKING:
    from cockpit.sandbox.world.kubelet import PodRun
    from cockpit.sandbox.world.world import World

LogLine = tuple[float, str]
MAX_LINES = 10_000
STARTUP_STEP = 0.7


@dataclass(frozen=True)
class Instance:
    start: float
    end: float | None  # None while running
    crashed: bool
    number: int  # restart count of this instance


def _container_status(pod: dict[str, Any], container: str) -> dict[str, Any]:
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        if cs.get("name") == container:
            return dict(cs)
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return dict(statuses[0]) if statuses else {}


def _terminated(term: dict[str, Any], number: int) -> Instance | None:
    if not term.get("startedAt"):
        return None
    start = parse_rfc3339(term["startedAt"])
    end = parse_rfc3339(term.get("finishedAt") or term["startedAt"])
    crashed = int(term.get("exitCode", 0)) != 0
    return Instance(start, max(end, start), crashed, number)


def instance_of(pod: dict[str, Any], container: str, previous: bool) -> Instance | None:
    cs = _container_status(pod, container)
    restarts = int(cs.get("restartCount", 0))
    last = (cs.get("lastState") or {}).get("terminated")
    if previous:
        return _terminated(last, max(restarts - 1, 0)) if last else None
    state = cs.get("state") or {}
    if "running" in state and state["running"].get("startedAt"):
        return Instance(parse_rfc3339(state["running"]["startedAt"]), None, False, restarts)
    if "terminated" in state:
        return _terminated(state["terminated"], restarts)
    if last:  # waiting (CrashLoopBackOff): the kubelet serves the last instance's logs
        return _terminated(last, max(restarts - 1, 0))
    return None


LOG_RATE_RANGE = (0.1, 50_000.0)
RATE_POOL = 2048  # distinct messages per container in a rate stream
RATE_BEHIND_S = 2.0  # a rate stream never owes a reader more than this many seconds of lines


def check_log_rate(value: float) -> float:
    """Lines per second for followed logs: 0.1 to 50,000 (ScenarioError otherwise)."""
    low, high = LOG_RATE_RANGE
    if not low <= value <= high:
        raise ScenarioError(f"log rate must be between {low:g} and {high:g} lines per second, not {value:g}")
    return value


class WorldLogs:
    """The world's LogSource (cockpit.sandbox.worldapi.LogSource)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.follow_rate: float | None = None  # lines/s for followed logs (build_world's log_rate)
        self._profiles: dict[tuple[str, str], str] = {}
        self._pools: dict[tuple[str, int], list[tuple[str, str, str]]] = {}  # rate streams' messages

    # ---- which component a pod is ----------------------------------------------------------------

    def remember(self, run: PodRun) -> None:
        self._profiles[(run.namespace, run.name)] = run.profile

    def forget(self, namespace: str, name: str) -> None:
        self._profiles.pop((namespace, name), None)

    @staticmethod
    def profile_for_image(image: str) -> str:
        return guess_profile(image)

    def profile_name(self, namespace: str, pod: dict[str, Any]) -> str:
        name = pod["metadata"]["name"]
        run = self.world.kubelet.runs.get((namespace, name))
        if run is not None:
            return run.profile
        if (namespace, name) in self._profiles:
            return self._profiles[(namespace, name)]
        containers = (pod.get("spec") or {}).get("containers") or [{}]
        return guess_profile(containers[0].get("image", ""))

    # ---- making lines ----------------------------------------------------------------------------

    def _context(self, namespace: str, pod: dict[str, Any]) -> dict[str, str]:
        name = pod["metadata"]["name"]
        market = next(
            (m for m in ("caiso", "ercot", "pjm", "miso", "nyiso", "isone", "spp", "eia") if m in name),
            "caiso",
        )
        return {
            "pod": name,
            "ns": namespace,
            "podip": (pod.get("status") or {}).get("podIP", "10.244.0.2"),
            "podmarket": market,
        }

    def _seed(self, pod: str, inst: Instance, index: int) -> int:
        return zlib.crc32(f"{pod}/{inst.number}/{index}".encode()) ^ self.world.seed

    def _series(
        self, prof: Profile, inst: Instance, now: float, interval: float
    ) -> tuple[int, int, int, float, float]:
        """(startup count, steady count, crash count, steady origin, end time)."""
        end = inst.end if inst.end is not None else now
        n_start = len(prof.startup)
        origin = inst.start + 0.2 + n_start * STARTUP_STEP + 0.5
        steady = 0
        if prof.steady and end > origin:
            steady = math.floor((end - origin) / interval) + 1
        n_crash = len(prof.crash) if inst.crashed else 0
        if inst.crashed:  # steady lines stop a little before the crash lines
            while steady and origin + (steady - 1) * interval > end - 0.1 * (n_crash + 1):
                steady -= 1
        return n_start, steady, n_crash, origin, end

    def _line(
        self,
        prof: Profile,
        inst: Instance,
        k: int,
        counts: tuple[int, int, int, float, float],
        pod: str,
        context: dict[str, str],
        interval: float,
    ) -> LogLine:
        n_start, steady, n_crash, origin, end = counts
        rng = random.Random(self._seed(pod, inst, k))
        if k < n_start:
            level, logger, text = prof.startup[k]
            ts = min(inst.start + 0.2 + k * STARTUP_STEP + rng.uniform(0, 0.3), end)
        elif k < n_start + steady:
            j = k - n_start
            level, logger, text = prof.steady[rng.randrange(len(prof.steady))]
            ts = origin + j * interval + rng.uniform(0, interval * 0.4)
        else:
            c = k - n_start - steady
            level, logger, text = prof.crash[c]
            ts = end - 0.05 * (n_crash - c)
        return ts, render(prof.style, ts, level, logger, fill(text, rng, prof.values, context))

    def _lines(
        self,
        namespace: str,
        pod: dict[str, Any],
        container: str,
        inst: Instance,
        *,
        since: float | None,
        tail: int | None,
        after: float | None = None,
        until: float | None = None,
        interval: float | None = None,
    ) -> list[LogLine]:
        prof = profile(self.profile_name(namespace, pod))
        step = interval or prof.interval
        now = until if until is not None else self.world.now()
        counts = self._series(prof, inst, now, step)
        n_start, steady, n_crash, origin, _ = counts
        total = n_start + steady + n_crash
        first = max(0, total - MAX_LINES)
        bound = since if since is not None else after
        if bound is not None and steady and bound > origin:
            # skip whole steady lines before the bound (each line sits in [origin + j*step, +0.4*step])
            skip = math.floor((bound - origin) / step) - 1
            if skip > 0:
                first = max(first, n_start + min(skip, steady))
        context = self._context(namespace, pod)
        name = pod["metadata"]["name"]
        out: list[LogLine] = []
        if tail is not None and bound is None:
            first = max(first, total - max(tail, 0))
        for k in range(first, total):
            line = self._line(prof, inst, k, counts, name, context, step)
            if since is not None and line[0] < since:
                continue
            if after is not None and line[0] <= after:
                continue
            if line[0] > now:
                break
            out.append(line)
        if tail is not None and bound is not None:
            out = out[-tail:] if tail > 0 else []
        return out

    # ---- LogSource --------------------------------------------------------------------------------

    def read(
        self, namespace: str, pod: str, container: str, previous: bool, since: float | None, tail: int | None
    ) -> list[LogLine]:
        entry = self.world.store.entry(PODS, namespace, pod)
        if entry is None:
            return []
        inst = instance_of(entry.obj, container, previous)
        if inst is None:
            return []
        if self.follow_rate and since is not None and not previous and inst.end is None:
            # a follow resumed from sinceTime gets the rate stream's own lines again, as a kubelet
            # re-reads its file (at most RATE_BEHIND_S behind, like the stream itself)
            now = self.world.now()
            lines = self._rate_lines(namespace, entry.obj, inst, since - 1e-9, now, self.follow_rate)
            return lines[-tail:] if tail is not None and tail > 0 else [] if tail is not None else lines
        return self._lines(namespace, entry.obj, container, inst, since=since, tail=tail)

    async def follow(self, namespace: str, pod: str, container: str, after: float) -> AsyncIterator[LogLine]:
        last = after
        rate = self.follow_rate
        while True:
            entry = self.world.store.entry(PODS, namespace, pod)
            if entry is None:
                return
            inst = instance_of(entry.obj, container, False)
            if inst is None:
                return
            now = self.world.now()
            if rate:
                lines = self._rate_lines(namespace, entry.obj, inst, last, now, rate)
            else:
                lines = self._lines(
                    namespace, entry.obj, container, inst, since=None, tail=None, after=last, until=now
                )
            for line in lines:
                yield line
            if lines:
                last = lines[-1][0]
            if inst.end is not None:
                return  # the container stopped: so does `kubectl logs -f`
            last = max(last, now) if rate else last
            await asyncio.sleep(0.05 if rate else 0.25)

    def _rate_lines(
        self, namespace: str, pod: dict[str, Any], inst: Instance, after: float, now: float, rate: float
    ) -> list[LogLine]:
        """Lines at exactly `rate` per second between after and now (benchmark streams).

        The messages come from a pool made once per container instance (filling templates costs
        ~35 µs a line, far too slow for 50,000 lines/s); each line only gets its time stamp. A
        reader more than RATE_BEHIND_S behind loses the oldest lines, as a kubelet's rotated log
        would, instead of making the sandbox catch up for ever."""
        prof = profile(self.profile_name(namespace, pod))
        if not prof.steady:
            prof = profile("generic")
        step = 1.0 / min(max(rate, 0.001), LOG_RATE_RANGE[1])
        name = pod["metadata"]["name"]
        pool = self._pools.get((name, inst.number))
        if pool is None:
            context = self._context(namespace, pod)
            pool = []
            for j in range(RATE_POOL):
                rng = random.Random(self._seed(name, inst, j))
                level, logger, text = prof.steady[rng.randrange(len(prof.steady))]
                pool.append((level, logger, fill(text, rng, prof.values, context)))
            if len(self._pools) >= 64:
                self._pools.clear()
            self._pools[(name, inst.number)] = pool
        out: list[LogLine] = []
        k = max(math.floor(after / step) + 1, math.ceil((now - RATE_BEHIND_S) / step))
        style = prof.style
        while k * step <= now and len(out) < 100_000:
            ts = k * step
            level, logger, text = pool[k % RATE_POOL]
            out.append((ts, render(style, ts, level, logger, text)))
            k += 1
        return out
