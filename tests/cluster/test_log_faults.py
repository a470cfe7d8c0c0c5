"""Pod log follows behind the fault-injecting proxy in front of the sandbox: each fault kind
several times, and after each one heals every pod's lines go on in the buffer with nothing doubled,
nothing reordered and nothing missing (the sinceTime resume), and no thread died.

The sandbox serves the logs (cockpit.sandbox.podlogs over StoredLogs); a writer thread appends
numbered lines to three pods all the time, some pairs at the same timestamp. Deadlines and backoff
waits are injected short: the tests count lines, faults and resumes, never seconds.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kubernetes.client import ApiClient, Configuration

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.errors import ClusterError
from cockpit.cluster.health import Deadlines, InformerState
from cockpit.cluster.kubeapi import KubeApi
from cockpit.cluster.logs import LogBuffer, LogFollower, LogRequest, Stream, rfc3339, ts_key
from cockpit.sandbox import Sandbox
from cockpit.sandbox.resources import NAMESPACES, PODS
from cockpit.sandbox.store import Store
from cockpit.sandbox.worldapi import StoredLogs

from .faultproxy import FaultProxy

ROUNDS = 5  # per fault kind and aim
DEADLINES = Deadlines(connect=2.0, read=0.4, silence=0.4, probe=0.4, stale_after=0.5, short_watch=0.05)
GUARD = 60.0  # seconds; only a guard against hanging forever, not a measure
NS = "shop"
LINE = re.compile(r"^(web-\d+) n=(\d+)$")


def pod(name: str, labels: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "metadata": {"name": name, "namespace": NS, "labels": labels or {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "busybox"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 0, "state": {"running": {}}}
            ],
        },
    }


class Writer:
    """Appends numbered lines to the pods' logs, as containers write them (every 20th number and
    the next one share a timestamp: the resume must tell them apart)."""

    def __init__(self, logs: StoredLogs, pods: list[str]) -> None:
        self.logs = logs
        self.pods = list(pods)
        self.count: dict[str, int] = dict.fromkeys(pods, 0)
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._last = 0.0
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)

    def start(self) -> Writer:
        self._thread.start()
        return self

    def add(self, name: str) -> None:
        """Write to this pod (again: its numbers go on)."""
        with self.lock:
            self.pods.append(name)
            self.count.setdefault(name, 0)

    def drop(self, name: str) -> None:
        with self.lock:
            self.pods.remove(name)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            with self.lock:
                for name in self.pods:
                    ts = max(time.time(), self._last + 1e-5)
                    self._last = ts
                    n = self.count[name]
                    width = 2 if n % 20 == 0 else 1
                    for k in range(width):
                        self.logs.append(NS, name, "app", ts, f"{name} n={n + k}")
                    self.count[name] = n + width

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class Rig:
    store: Store
    logs: StoredLogs
    proxy: FaultProxy
    api: KubeApi
    writer: Writer
    waits: list[float] = field(default_factory=list)

    def follower(self, request: LogRequest, buffer: LogBuffer | None = None) -> LogFollower:
        def pause(seconds: float, stop: threading.Event) -> bool:
            self.waits.append(seconds)  # the delay asked for is recorded; the test waits a moment only
            return stop.wait(min(seconds, 0.01))

        return LogFollower(
            self.api,
            request,
            buffer,
            deadlines=DEADLINES,
            pause=pause,
            watchdog_interval=0.05,
            resolve_every=0.2,
        ).start()


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    store = Store(seed=3)
    store.create(NAMESPACES, {"metadata": {"name": NS}})
    names = ["web-0", "web-1", "web-2"]
    for name in names:
        store.create(PODS, pod(name))
    logs = StoredLogs()
    box = Sandbox(world=False, store=store, logs=logs).start()
    proxy = FaultProxy(box.port, on_restart=store.compact, retry_after=3).start()
    cfg = Configuration(host=proxy.url)
    cfg.retries = False
    writer = Writer(logs, names).start()
    while min(writer.count.values()) == 0:  # every pod has written before anyone follows
        time.sleep(0.01)
    yield Rig(store, logs, proxy, KubeApi(ApiClient(cfg)), writer)
    writer.stop()
    proxy.stop()
    box.stop()


def numbers(buffer: LogBuffer) -> dict[str, list[int]]:
    """Each pod's line numbers in the order the buffer holds them."""
    out: dict[str, list[int]] = {}
    for line in buffer.lines():
        m = LINE.match(line.text)
        assert m is not None and m.group(1) == line.pod, f"a line that no container wrote: {line}"
        out.setdefault(line.pod, []).append(int(m.group(2)))
    return out


def check_whole(buffer: LogBuffer, pods: list[str]) -> None:
    """No line doubled, none out of order, none missing: each pod's numbers are 0, 1, 2, ..."""
    seen = numbers(buffer)
    for name in pods:
        got = seen.get(name, [])
        if got != list(range(len(got))):
            dup = sorted({n for n in got if got.count(n) > 1})[:5]
            missing = sorted(set(range(max(got) + 1)) - set(got))[:5] if got else []
            raise AssertionError(f"{name}: doubled {dup}, missing {missing}, {len(got)} lines")


def wait(predicate: Callable[[], bool], why: Callable[[], str]) -> None:
    deadline = time.monotonic() + GUARD
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(why())
        time.sleep(0.01)


def healed(follower: LogFollower, rig: Rig, pods: list[str]) -> Callable[[], bool]:
    """Every pod's stream is live and the buffer has caught up with what was written by now."""
    with rig.writer.lock:
        target = {name: rig.writer.count[name] for name in pods}

    def done() -> bool:
        if any(h.state is not InformerState.CONNECTED for n, h in follower.health().items() if n in pods):
            return False
        got = numbers(follower.buffer)
        return all(len(got.get(name, [])) >= target[name] for name in pods)

    return done


# (fault, aim): stream faults hit an open log stream; request faults the next log request (the
# proxy ends the open streams cleanly so that one is asked for).
CASES = [
    ("reset", "log"),
    ("garbage", "log"),  # a line of bytes that is not UTF-8, an HTML page, '{{{{'
    ("truncated-line", "log"),
    ("non-object-line", "log"),
    ("gone", "log"),  # a watch's 410 line in a log: a line without a timestamp
    ("hung-watch", "log"),  # the stream stops relaying; its socket stays open
    ("throttle", "log-request"),
    ("error-500", "log-request"),
    ("html-502", "log-request"),
    ("garbage", "log-request"),
    ("hung-list", "log-request"),  # the next log request gets no answer at all
    ("restart", "any"),
]
EXPECTED = {
    "reset": ("unreachable",),
    "garbage": ("malformed", "unreachable"),
    "truncated-line": ("malformed", "cut-line"),
    "non-object-line": ("malformed",),
    "gone": ("malformed",),
    "hung-watch": ("silent-stream",),
    "throttle": ("throttled",),
    "error-500": ("server-error",),
    "html-502": ("server-error",),
    "hung-list": ("timeout",),
    "restart": ("unreachable",),
}


@pytest.fixture(scope="module")
def selector_follow(rig: Rig) -> Iterator[LogFollower]:
    follower = rig.follower(LogRequest(NS, selector="app=web", tail=None))
    yield follower
    follower.stop()


@pytest.mark.parametrize(("fault", "aim"), CASES, ids=[f"{f}-{a}" for f, a in CASES])
def test_each_fault_heals_and_the_lines_go_on_without_doubles_or_gaps(
    rig: Rig, selector_follow: LogFollower, fault: str, aim: str
) -> None:
    follower, proxy = selector_follow, rig.proxy
    pods = ["web-0", "web-1", "web-2"]
    wait(healed(follower, rig, pods), lambda: f"never followed: {follower.health()} {dict(follower.faults)}")
    waits_before = len(rig.waits)
    for _ in range(ROUNDS):
        applied = proxy.applied[fault]
        counted = sum(follower.faults[k] for k in EXPECTED[fault])
        resumes = follower.resumes
        if aim == "any":
            proxy.inject(fault)
        else:
            proxy.inject(fault, on="log")
        assert proxy.wait_applied(fault, applied + 1), f"{fault} never applied\n" + "\n".join(proxy.log)
        wait(
            lambda c=counted, r=resumes: (
                follower.resumes > r and sum(follower.faults[k] for k in EXPECTED[fault]) > c
            ),
            lambda: (
                f"{fault} not noticed: {dict(follower.faults)} {follower.health()}\n" + "\n".join(proxy.log)
            ),
        )
        wait(
            healed(follower, rig, pods),
            lambda: (
                f"not healed after {fault}: {follower.health()} {dict(follower.faults)}\n"
                + "\n".join(proxy.log)
            ),
        )
        check_whole(follower.buffer, pods)
        assert follower.alive and follower.restarts == 0
    assert proxy.pending() == 0
    if fault == "throttle":  # Retry-After: 3 honoured every time
        assert sum(1 for w in rig.waits[waits_before:] if w >= 3) >= ROUNDS


def test_a_stream_silent_because_the_server_hangs_is_shown_stale_then_reconnecting(
    rig: Rig, selector_follow: LogFollower
) -> None:
    """The stream hangs and so does its reopening: the pod's health goes STALE (nothing for
    `stale_after`) and then says why, with the data's age, never "following" meanwhile."""
    follower, proxy = selector_follow, rig.proxy
    wait(healed(follower, rig, ["web-0", "web-1", "web-2"]), lambda: str(follower.health()))
    for _ in range(3):
        seen: list[str] = []
        timeouts = follower.faults["timeout"]
        for _ in range(3):
            proxy.inject("hung-list", on="log")  # every reopening hangs too
        proxy.inject("hung-watch", on="log")

        def noticed(seen: list[str] = seen, timeouts: int = timeouts) -> bool:
            for health in follower.health().values():
                if health.state is InformerState.STALE and "stale" not in seen:
                    seen.append("stale")
                    assert follower.state_word() in ("stale", "reconnecting")
                    assert "has sent nothing for" in follower.describe()
            return follower.faults["timeout"] >= timeouts + 3

        wait(noticed, lambda: f"{dict(follower.faults)} {follower.health()}")
        text = follower.describe()
        if text:  # (sampled: between the timeouts and the backoff's next try)
            assert "(stale)" in text or "has sent nothing" in text, text
        wait(healed(follower, rig, ["web-0", "web-1", "web-2"]), lambda: str(follower.health()))
        assert "stale" in seen
        check_whole(follower.buffer, ["web-0", "web-1", "web-2"])


def test_a_stream_thread_that_ends_is_restarted_and_resumes_without_doubles(rig: Rig) -> None:
    follower = rig.follower(LogRequest(NS, pod="web-0", tail=None))
    try:
        wait(healed(follower, rig, ["web-0"]), lambda: str(follower.health()))
        real = follower._take
        kills = {"left": 2}

        class ThreadKiller(BaseException):
            """Not an Exception: escapes the per-request handling and ends the stream's thread."""

        def take(*args: object, **kw: object) -> int:
            if kills["left"]:
                kills["left"] -= 1
                raise ThreadKiller("boom")
            return real(*args, **kw)  # type: ignore[arg-type]

        follower._take = take  # type: ignore[method-assign]
        wait(lambda: follower.restarts >= 2, lambda: f"{follower.restarts} {follower.health()}")
        assert follower.faults["thread-died"] >= 2
        wait(healed(follower, rig, ["web-0"]), lambda: str(follower.health()))
        check_whole(follower.buffer, ["web-0"])
        assert follower.alive
    finally:
        follower.stop()


def test_a_container_that_restarts_mid_follow_is_followed_again_once_it_runs(rig: Rig) -> None:
    """The container crashes (its stream ends; CrashLoopBackOff) and runs again: the pane says so
    meanwhile and the follow goes on with the new container's lines, nothing doubled or lost."""
    follower = rig.follower(LogRequest(NS, pod="web-1", tail=None))
    waiting = {
        "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s restarting failed container"}
    }
    try:
        for restart in range(1, 4):
            wait(healed(follower, rig, ["web-1"]), lambda: f"{follower.health()} {dict(follower.faults)}")
            stopped = follower.faults["container-stopped"]
            rig.writer.drop("web-1")
            crashed = {"name": "app", "ready": False, "restartCount": restart, "state": waiting}
            rig.store.patch(PODS, NS, "web-1", {"status": {"containerStatuses": [crashed]}})
            applied = rig.proxy.applied["reset"]
            while rig.proxy.applied["reset"] == applied:  # (the stored logs do not end the stream)
                rig.proxy.inject("reset", on="log")
                rig.proxy.wait_applied("reset", applied + 1, timeout=1)
            sentences: list[str] = []

            def said(sentences: list[str] = sentences, stopped: int = stopped) -> bool:
                text = follower.describe()
                if "is not running (CrashLoopBackOff)" in text:
                    sentences.append(text)
                return follower.faults["container-stopped"] > stopped and bool(sentences)

            wait(said, lambda: f"{follower.describe()!r} {dict(follower.faults)}")
            assert follower.state_word() == "reconnecting"
            running = {"name": "app", "ready": True, "restartCount": restart, "state": {"running": {}}}
            rig.store.patch(PODS, NS, "web-1", {"status": {"containerStatuses": [running]}})
            rig.writer.add("web-1")
        wait(healed(follower, rig, ["web-1"]), lambda: f"{follower.health()} {dict(follower.faults)}")
        check_whole(follower.buffer, ["web-1"])
        assert follower.alive and follower.restarts == 0 and not follower.streams["web-1"].ended
    finally:
        follower.stop()


def test_a_pod_deleted_mid_follow_ends_its_stream_and_a_new_pod_is_followed(rig: Rig) -> None:
    """A deployment's rollout: a pod goes away, another comes; the follow ends the one and picks up
    the other; the other pods' lines go on whole."""
    follower = rig.follower(LogRequest(NS, selector="app=web", tail=None))
    try:
        wait(healed(follower, rig, ["web-0", "web-1", "web-2"]), lambda: str(follower.health()))
        for serial in range(3):
            new = f"web-{3 + serial}"
            old = f"web-{serial}"
            rig.writer.add(new)  # its first lines are written before the follow asks for them
            wait(lambda n=new: rig.writer.count[n] > 0, lambda: "the writer stopped")
            rig.store.create(PODS, pod(new))
            rig.store.delete(PODS, NS, old)
            rig.writer.drop(old)
            while not follower.streams[old].ended:  # (the sandbox's stored logs do not end it)
                applied = rig.proxy.applied["reset"]
                rig.proxy.inject("reset", on="log")  # the kubelet closes the deleted pod's stream
                assert rig.proxy.wait_applied("reset", applied + 1)
                time.sleep(0.05)
            live = [f"web-{k}" for k in range(serial + 1, serial + 4)]
            wait(
                lambda o=old: follower.streams[o].ended != "",
                lambda: f"{follower.health()} {dict(follower.faults)}",
            )
            wait(healed(follower, rig, live), lambda: f"{follower.health()} {dict(follower.faults)}")
        assert all(follower.streams[f"web-{k}"].ended for k in range(3))
        assert "no longer exists" in follower.streams["web-0"].ended
        check_whole(follower.buffer, [f"web-{k}" for k in range(6)])
        assert follower.restarts == 0
    finally:
        follower.stop()  # (the last test of the module: the pods stay as they are)


# -- the resume rule, line by line --------------------------------------------------------------


class _Api:
    server = "http://test"


def test_resume_drops_what_was_shown_even_when_the_server_rounds_since_time_down() -> None:
    follower = LogFollower(_Api(), LogRequest(NS, pod="p"), LogBuffer(), backoff=Backoff)  # type: ignore[arg-type]
    stream = Stream("p", "app")
    first = [
        "2026-01-01T10:00:00.1Z a",
        "2026-01-01T10:00:00.25Z b",
        "2026-01-01T10:00:00.250000000Z b",  # the same instant, the same text: a second line
        "2026-01-01T10:00:00.250000000Z c",
    ]
    follower._take(stream, first, Counter(), "t")
    assert stream.last_key == "2026-01-01T10:00:00.250000000Z"
    # the resumed stream, asked from 10:00:00.25 but sent from 10:00:00 (second precision)
    again = [*first, "2026-01-01T10:00:00.250000000Z b", "2026-01-01T10:00:01Z d"]
    follower._take(stream, again, Counter(stream.seen_at_last), "t")
    texts = [line.text for line in follower.buffer.lines()]
    assert texts == ["a", "b", "b", "c", "b", "d"]  # the third b is new; nothing else repeats
    assert ts_key("2026-01-01T10:00:00.25Z") < ts_key("2026-01-01T10:00:00.3Z")
    assert ts_key("not a time") == ""


def test_kubelet_batches_taken_whole_keep_the_resume_rule() -> None:
    """Batches of nanosecond stamps in order are taken in one pass: the same lines, the same
    resume point and the same replay as line by line, and a bad or older line still counts."""
    follower = LogFollower(_Api(), LogRequest(NS, pod="p"), LogBuffer(), backoff=Backoff)  # type: ignore[arg-type]
    stream = Stream("p", "app")
    t = "2026-01-01T10:00:0{}.{:09d}Z {}".format
    first = [t(0, 1, "a"), t(0, 2, "b"), t(0, 2, "b")]
    assert follower._take(stream, first, Counter(), "t") == 3
    assert stream.seen_at_last == Counter({"b": 2})  # the copies at the newest instant
    second = [t(0, 2, "c"), t(1, 5, "d"), t(1, 5, "d"), t(1, 5, "e")]  # an instant the last batch ended on
    assert follower._take(stream, second, Counter(), "t") == 4
    assert (stream.last_key, stream.last_ts) == ("2026-01-01T10:00:01.000000005Z",) * 2
    assert stream.seen_at_last == Counter({"d": 2, "e": 1})
    # a resumed stream sends the last instant again: only its new copies are shown
    again = [t(1, 5, "d"), t(1, 5, "d"), t(1, 5, "e"), t(1, 5, "d"), t(2, 0, "f")]
    assert follower._take(stream, again, Counter(stream.seen_at_last), "t") == 2
    older = [t(2, 1, "g"), t(1, 9, "late"), t(2, 2, "h")]  # out of order: the older line is dropped
    assert follower._take(stream, older, Counter(), "t") == 2
    assert follower._take(stream, [t(2, 3, "x"), t(2, 4, "y"), t(2, 4, "y")], Counter(), "t") == 3
    assert stream.seen_at_last == Counter({"y": 2})
    bad = [t(3, 0, "i"), "2026-01-01T10:00:03 no nanoseconds, no Z", t(3, 1, "never")]
    with pytest.raises(ClusterError):
        follower._take(stream, bad, Counter(), "t")
    texts = [line.text for line in follower.buffer.lines()]
    assert texts == ["a", "b", "b", "c", "d", "d", "e", "d", "f", "g", "h", "x", "y", "y", "i"]
    assert [line.seq for line in follower.buffer.lines()] == list(range(15))
    assert follower.buffer.lines()[-1].ts == "2026-01-01T10:00:03.000000000Z"


def test_a_resumed_follow_of_a_log_rate_stream_has_no_gap_or_double(tmp_path: Path) -> None:
    """`--log-rate` streams (the load generator) are re-read from sinceTime as a kubelet re-reads
    its file: a follow cut three times still holds one line every 1/rate seconds."""
    from cockpit.cluster.hub import ClusterHub
    from cockpit.kubeprint import parse_time

    rate = 200
    with Sandbox(seed=0, log_rate=rate) as box:
        # backoff waits short: the sandbox keeps 2 s of a rate stream (RATE_BEHIND_S), as a
        # kubelet's rotated log keeps what it has room for; a longer wait loses the oldest lines
        options = {"pause": lambda seconds, stop: stop.wait(min(seconds, 0.01))}
        hub = ClusterHub.connect(
            kubeconfig=box.write_kubeconfig(tmp_path / "kc"), env={}, informer_options=options
        )
        running = next(p for p in box.store.list(PODS) if p["status"].get("phase") == "Running")
        meta = running["metadata"]
        follower = hub.follow_logs(LogRequest(meta["namespace"], pod=meta["name"], tail=0))
        cuts: list[tuple[int, str]] = []
        try:
            for cut in range(3):
                held = len(follower.buffer)
                wait(lambda h=held: len(follower.buffer) > h + rate // 4, lambda: str(follower.health()))
                stream = next(iter(follower.streams.values()))
                resp = stream.response
                assert resp is not None
                cuts.append((len(follower.buffer), follower.buffer.lines()[-1].ts))
                resp.shutdown()  # the connection is cut under the stream
                wait(lambda c=cut: follower.resumes > c, lambda: str(follower.health()))
            held = len(follower.buffer)
            wait(lambda: len(follower.buffer) > held + rate // 4, lambda: str(follower.health()))
            stamps = [parse_time(line.ts) or 0.0 for line in follower.buffer.lines()]
            steps = [round((b - a) * rate, 2) for a, b in itertools.pairwise(stamps)]
            odd = [(i, s, follower.buffer.lines()[i].ts) for i, s in enumerate(steps) if s != 1.0][:10]
            assert steps and not odd, (odd, len(steps), cuts)
            assert follower.resumes >= 3 and follower.restarts == 0
        finally:
            follower.stop()
            hub.stop()


@pytest.mark.parametrize(
    ("tail", "since_seconds", "resume"),
    [
        (None, None, ""),
        (100, None, ""),
        (0, None, rfc3339(1000.0)),
        (None, 300, rfc3339(700.0)),
    ],
)
def test_a_stream_cut_before_its_first_line_asks_again_for_what_it_asked(
    tail: int | None, since_seconds: int | None, resume: str
) -> None:
    """Answered, then cut before any line: nothing of it was shown. A request for history asks
    again as it did (resuming from the time of the first request lost the lines written before
    it: a new pod's first lines); new lines only resume from when they were first asked for, a
    --since window from its start."""
    follower = LogFollower(
        _Api(),  # type: ignore[arg-type]
        LogRequest(NS, pod="p", tail=tail, since_seconds=since_seconds),
        LogBuffer(),
        backoff=Backoff,
    )
    stream = Stream("p", "app")
    stream.opened_at = follower._start_instant(1000.0)
    assert stream.resume_point() == resume
    query = dict(follower._query("app", stream.resume_point()))
    assert query.get("sinceTime", "") == resume
    if not resume:
        assert query.get("tailLines") == tail
