"""Following logs like `kubectl logs -f`: one pod, a deployment's pods, or a label selector.

Each pod's stream runs in its own thread and feeds one bounded LogBuffer (default 10,000 lines);
lines of different pods interleave in arrival order and carry a colour index per pod. Streams are
requested with timestamps so a reconnect (the stream ended while the pod still runs, or the API
server went away) resumes at `sinceTime` without repeating lines. Pausing stops delivery to the
view, not collection; on resume the view catches up from the buffer.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shlex
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import count, islice, repeat
from typing import Any, NamedTuple

import urllib3

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.health import Deadlines, Health, InformerState
from cockpit.cluster.informer import Pause, _pause
from cockpit.cluster.kubeapi import DEPLOYMENTS, PODS, KubeApi, looks_like_html, release, transport_error

DEFAULT_MAX_LINES = 10_000
PALETTE_SIZE = 8
RESOLVE_EVERY = 5.0  # seconds between looks for new pods of a deployment or selector

log = logging.getLogger(__name__)


class LogLine(NamedTuple):
    """One line held (a tuple: 20,000 a second are made without a Python call each)."""

    seq: int  # position in the buffer's whole history (monotonic)
    pod: str
    container: str
    text: str
    colour: int  # index into a palette, one per pod
    ts: str = ""  # RFC 3339 from the kubelet, "" when unknown


_new_line = partial(tuple.__new__, LogLine)


class LogBuffer:
    """A bounded, thread-safe ring of log lines with pause, search and a change callback."""

    def __init__(self, max_lines: int = DEFAULT_MAX_LINES) -> None:
        self.max_lines = max_lines
        self._lines: deque[LogLine] = deque(maxlen=max_lines)
        self._lock = threading.Lock()
        self._seq = 0
        self._colours: dict[str, int] = {}
        self.dropped = 0  # lines pushed out by the bound
        self.paused = False
        self.on_lines: Callable[[], None] | None = None  # called (from a stream thread) after appends
        self.on_health: Callable[[], object] | None = None  # called (from a stream thread) when a
        # stream's health changes (a failure, a recovery), so its status line changes at once

    def colour_of(self, pod: str) -> int:
        with self._lock:
            return self._colours.setdefault(pod, len(self._colours) % PALETTE_SIZE)

    def extend(self, pod: str, container: str, texts: Iterable[tuple[str, str]]) -> int:
        """Append (timestamp, text) pairs of one pod; returns how many were added."""
        pairs = list(texts)
        if not pairs:
            return 0
        stamps, lines = zip(*pairs, strict=True)
        return self.add(pod, container, stamps, lines)

    def add(self, pod: str, container: str, stamps: Sequence[str], texts: Sequence[str]) -> int:
        """Append the lines `texts` of one pod with their timestamps ("" when unknown); returns how
        many were added. One C-speed pass: no Python call per line."""
        added = len(texts)
        if not added:
            return 0
        colour = self.colour_of(pod)
        with self._lock:
            first = self._seq
            self.dropped += max(0, len(self._lines) + added - self.max_lines)
            fields = zip(count(first), repeat(pod), repeat(container), texts, repeat(colour), stamps)
            self._lines.extend(map(_new_line, fields))
            self._seq = first + added
        if added and self.on_lines is not None and not self.paused:
            self.on_lines()
        return added

    @property
    def last_seq(self) -> int:
        return self._seq

    def __len__(self) -> int:
        return len(self._lines)

    def since(self, seq: int) -> list[LogLine]:
        """Lines with seq >= `seq` that are still held (what a view has not shown yet)."""
        with self._lock:
            if not self._lines or seq >= self._seq:
                return []
            wanted = self._seq - max(seq, self._lines[0].seq)
            lines = list(islice(reversed(self._lines), wanted))  # the new tail, not all 10,000
            lines.reverse()
            return lines

    def lines(self) -> list[LogLine]:
        with self._lock:
            return list(self._lines)

    def search(self, needle: str, regex: bool = False) -> list[LogLine]:
        """Lines containing `needle` (case-insensitive), or matching it as a regex."""
        if not needle:
            return []
        pattern = re.compile(needle if regex else re.escape(needle), re.IGNORECASE)
        return [line for line in self.lines() if pattern.search(line.text)]

    def health_changed(self) -> None:
        if self.on_health is not None:
            self.on_health()

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False
        if self.on_lines is not None:
            self.on_lines()


@dataclass(slots=True)
class LogRequest:
    """What to follow: exactly one of `pod`, `deployment`, `selector`, in `namespace`."""

    namespace: str
    pod: str | None = None
    deployment: str | None = None
    selector: str | None = None
    container: str | None = None
    tail: int | None = 100
    since_seconds: int | None = None
    previous: bool = False
    follow: bool = True

    @property
    def label(self) -> str:
        if self.pod:
            return f"{self.namespace}/pod/{self.pod}"
        if self.deployment:
            return f"{self.namespace}/deploy/{self.deployment}"
        return f"{self.namespace} -l {self.selector}"


def selector_from_deployment(deploy: dict[str, Any]) -> str:
    """The label selector a deployment's pods carry (matchLabels and matchExpressions)."""
    sel = (deploy.get("spec") or {}).get("selector") or {}
    terms = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for expr in sel.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), expr.get("values") or []
        if op == "In":
            terms.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            terms.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            terms.append(str(key))
        elif op == "DoesNotExist":
            terms.append(f"!{key}")
    return ",".join(terms)


def default_container(pod: dict[str, Any]) -> str:
    meta = pod.get("metadata") or {}
    chosen = (meta.get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
    containers = (pod.get("spec") or {}).get("containers") or [{}]
    return str(chosen or containers[0].get("name") or "")


def split_timestamp(line: str) -> tuple[str, str]:
    """'2025-10-24T10:00:00.123Z text' -> (ts, text), as `timestamps=true` sends it."""
    ts, sep, text = line.partition(" ")
    if sep and len(ts) >= 20 and ts[4] == "-" and ts[10] == "T":
        return ts, text
    return "", line


@dataclass(eq=False, slots=True)
class Stream:
    """One pod's log stream and where it stands; kept across reconnects and thread restarts."""

    pod: str
    container: str
    uid: str = ""
    health: Health = field(default_factory=lambda: Health(InformerState.STARTING))
    last_ts: str = ""  # the timestamp of the newest line shown, as the kubelet sent it
    last_key: str = ""  # the same, sortable (fraction padded to 9 digits)
    seen_at_last: Counter[str] = field(default_factory=Counter)  # texts shown at last_ts, with counts
    opened_at: str = ""  # the resume point before any line ("": ask again as the first request did)
    ended: str = ""  # why the stream ended for good ("" while it is followed)
    backoff: Backoff = field(default_factory=Backoff)
    thread: threading.Thread | None = None
    response: urllib3.BaseHTTPResponse | None = None
    died_of: str = ""

    def resume_point(self) -> str:
        return self.last_ts or self.opened_at


class LogFollower:
    """Follows the pods a LogRequest names into a LogBuffer until stopped.

    A follow never dies and never lies: each pod's stream catches every failure of its own
    (transport, HTTP status, a line that is not what the kubelet sends, anything unforeseen),
    counts it in `faults`, shows it as that stream's `Health` (`describe(now)`: one sentence, the
    data's age, the next try) and resumes with the shared `Backoff` from the last line seen
    (`resumes` counts them). A stream silent for `deadlines.silence` is reopened from its last line
    (a quiet pod costs one request per `silence`; a hung connection is found the same way), and is
    shown stale once nothing arrived for `deadlines.stale_after`. A thread that ends anyway is
    restarted by `ensure_running()` (`restarts`), which the follower's own loop and the pane call.

    Resume rule (no line lost or doubled): every stream asks for `timestamps=true`; a resumed
    stream asks for `sinceTime` = the newest line's timestamp (before any line: the first request
    again, or for tail 0 / --since its start instant, see `_start_instant`) and `tailLines` = the
    buffer's size. The kubelet sends every line at or after
    that instant (the API server may round it down to the second); lines older than the newest
    shown are dropped, and at the newest timestamp as many copies of each text as were already
    shown. A line without the timestamp asked for (cut short, a proxy's page, garbage) is never
    shown: the stream is reopened from the last good line. A last line without its newline is held
    back while the stream will be resumed (the resumed stream sends it whole) and shown when the
    stream ends for good.
    """

    def __init__(
        self,
        api: KubeApi,
        request: LogRequest,
        buffer: LogBuffer | None = None,
        deadlines: Deadlines | None = None,
        pause: Pause = _pause,
        clock: Callable[[], float] = time.time,
        backoff: Callable[[], Backoff] = Backoff,
        watchdog_interval: float = 1.0,
        denied_retry: float = 30.0,
        resolve_every: float = RESOLVE_EVERY,
    ) -> None:
        self.api = api
        self.request = request
        self.buffer = buffer if buffer is not None else LogBuffer()
        self.deadlines = deadlines or Deadlines()
        self.pause = pause
        self.clock = clock
        self.make_backoff = backoff
        self.watchdog_interval = watchdog_interval
        self.denied_retry = denied_retry
        self.resolve_every = resolve_every
        self.error = ""  # the last resolution failure, as a sentence
        self.faults: Counter[str] = Counter()  # failures by kind (as the informer counts them)
        self.resumes = 0  # streams reopened from their last line (after a fault, an end or silence)
        self.restarts = 0  # threads restarted after they ended unexpectedly
        self.delays: list[float] = []  # the last waits after failures (most recent last, at most 50)
        self.streams: dict[str, Stream] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._resolved = False
        self._died_of = ""

    def start(self) -> LogFollower:
        with self._lock:
            self._thread = threading.Thread(target=self._run, name=f"logs-{self.request.label}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for stream in list(self.streams.values()):
            resp = stream.response
            if resp is not None:
                with contextlib.suppress(Exception):
                    resp.shutdown()

    @property
    def pods(self) -> list[str]:
        return sorted(self.streams)

    @property
    def label(self) -> str:
        return self.request.label

    @property
    def single(self) -> bool:
        """One pod followed: lines need no pod prefix."""
        return bool(self.request.pod)

    @property
    def alive(self) -> bool:
        """Every stream that should be followed has a running thread."""
        return all(
            s.ended or (s.thread is not None and s.thread.is_alive()) for s in list(self.streams.values())
        )

    # -- health ---------------------------------------------------------------------------------

    def health(self, now: float | None = None) -> dict[str, Health]:
        """Each stream's health by pod; a CONNECTED stream with nothing for `stale_after` is STALE."""
        now = self.clock() if now is None else now
        return {name: self._current(s, now) for name, s in list(self.streams.items())}

    def _current(self, stream: Stream, now: float) -> Health:
        health = stream.health
        quiet = health.quiet_for(now, self.deadlines.stale_after)
        if quiet is None:
            return health
        return health.stale(
            f"The log stream of pod {self.request.namespace}/{stream.pod} has sent nothing for "
            f"{int(quiet)} s; checking whether the API server answers"
        )

    def describe(self, now: float | None = None) -> str:
        """The pane's status line: "" while every stream is live, else the worst stream's one
        sentence with the data's age and the next try ("POD: ..." when several pods are followed),
        else why the pods could not be found."""
        now = self.clock() if now is None else now
        troubled = []
        for name, health in self.health(now).items():
            stream = self.streams.get(name)
            if stream is not None and stream.ended:
                if self.single and stream.ended not in ("", "ended"):
                    troubled.append((name, 0, stream.ended))
                continue
            if health.follow_word() in ("following", "starting"):
                continue  # nothing to tell
            troubled.append((name, health.freshness.rank, health.describe(now)))
        if not troubled:
            return self.error  # finding the pods failed (the streams already followed are live)
        troubled.sort(key=lambda t: -t[1])
        name, _rank, sentence = troubled[0]
        more = f" (and {len(troubled) - 1} more)" if len(troubled) > 1 else ""
        return sentence if self.single else f"{name}: {sentence}{more}"

    def state_word(self, now: float | None = None) -> str:
        """One word for the footer: following, stale, reconnecting, starting or ended."""
        words = set()
        for name, health in self.health(now).items():
            stream = self.streams.get(name)
            words.add("ended" if stream is not None and stream.ended else health.follow_word())
        for word in ("reconnecting", "stale", "starting", "following", "ended"):
            if word in words:
                return word
        return "reconnecting" if self.error else "starting"

    # -- the resolver and watchdog thread ---------------------------------------------------------

    def ensure_running(self) -> int:
        """Restart the follower's thread and any stream thread that ended unexpectedly (they never
        should); returns how many were restarted."""
        if self._stop.is_set():
            return 0
        restarted = 0
        with self._lock:
            if self._thread is not None and not self._thread.is_alive() and not self._done():
                self.restarts += 1
                self.faults["thread-died"] += 1
                self._thread = threading.Thread(
                    target=self._run, name=f"logs-{self.request.label}", daemon=True
                )
                self._thread.start()
                restarted += 1
            for stream in list(self.streams.values()):
                if stream.ended or stream.thread is None or stream.thread.is_alive():
                    continue
                self.restarts += 1
                self.faults["thread-died"] += 1
                why = stream.died_of or "no reason given"
                self._set(
                    stream,
                    InformerState.RECONNECTING,
                    f"The log stream of pod {self.request.namespace}/{stream.pod} stopped unexpectedly "
                    f"({why}); restarted it — resuming from the last line seen",
                    failure=True,
                )
                self._start_stream(stream)
                restarted += 1
        return restarted

    def _done(self) -> bool:
        """Nothing left for the follower's own thread to do (a one-off read whose streams started)."""
        return (
            self._resolved
            and (not self.request.follow or self.request.previous)
            and all(s.ended for s in self.streams.values())
        )

    def resolve(self) -> list[dict[str, Any]]:
        """The pods to follow now (blocking)."""
        req = self.request
        if req.pod:
            pod = self.api.get_json(
                PODS.path(req.namespace, req.pod), what=f"get pod {req.namespace}/{req.pod}"
            )
            return [pod] if isinstance(pod, dict) else []
        selector = req.selector or ""
        if req.deployment:
            deploy = self.api.get_json(DEPLOYMENTS.path(req.namespace, req.deployment))
            selector = selector_from_deployment(deploy if isinstance(deploy, dict) else {})
        doc = self.api.get_json(PODS.path(req.namespace), [("labelSelector", selector)])
        items = [
            p for p in (doc.get("items") if isinstance(doc, dict) else None) or [] if isinstance(p, dict)
        ]
        return sorted(items, key=lambda p: str((p.get("metadata") or {}).get("name", "")))

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # recorded; ensure_running (the pane's tick) restarts it
            self._died_of = f"{type(exc).__name__}: {exc}"
            log.exception("log follower %s ended", self.label)

    def _loop(self) -> None:
        backoff = self.make_backoff()
        next_resolve = 0.0
        while not self._stop.is_set():
            wait = self.watchdog_interval
            if time.monotonic() >= next_resolve and (not self._resolved or self._resolves_again()):
                try:
                    self._resolve_once()
                    backoff.reset()
                    next_resolve = time.monotonic() + self.resolve_every
                except ClusterError as err:
                    self.faults[err.problem.value] += 1
                    delay = backoff.next(err.retry_after)
                    self.error = f"{err.sentence.rstrip('. ')} — trying again in {max(1, round(delay))} s."
                    next_resolve = time.monotonic() + delay
                except Exception as exc:  # data nobody foresaw: say so, try again, never die
                    log.exception("resolving %s failed", self.label)
                    self.faults["unexpected"] += 1
                    delay = backoff.next()
                    self.error = (
                        f"Unexpected error finding the pods of {self.label} ({type(exc).__name__}: {exc})."
                    )
                    next_resolve = time.monotonic() + delay
                wait = min(wait, max(0.0, next_resolve - time.monotonic()))
            self.ensure_running()
            if self._done():
                return
            self._stop.wait(wait)

    def _resolves_again(self) -> bool:
        """A deployment or a selector gains pods; a single pod may be recreated under its name."""
        if not self.request.follow or self.request.previous:
            return False
        if self.request.pod:
            return all(s.ended for s in self.streams.values())
        return True

    def _resolve_once(self) -> None:
        pods = self.resolve()
        self._resolved = True
        self.error = "" if pods else f"No pods match {self.request.label}."
        for pod in pods:
            meta = pod.get("metadata") or {}
            name = str(meta.get("name"))
            uid = str(meta.get("uid") or "")
            with self._lock:
                old = self.streams.get(name)
                if old is not None and not (old.ended and uid and old.uid and uid != old.uid):
                    continue  # followed already (a pod recreated under its name is followed anew)
                container = self.request.container or default_container(pod)
                stream = Stream(name, container, uid, backoff=self.make_backoff())
                self.streams[name] = stream
                self._start_stream(stream)

    # -- one pod's stream -------------------------------------------------------------------------

    def _start_stream(self, stream: Stream) -> None:
        stream.died_of = ""
        stream.thread = threading.Thread(
            target=self._follow, args=(stream,), name=f"log-{stream.pod}", daemon=True
        )
        stream.thread.start()

    def _follow(self, stream: Stream) -> None:
        try:
            self._stream_loop(stream)
        except BaseException as exc:  # recorded; ensure_running restarts the thread
            stream.died_of = f"{type(exc).__name__}: {exc}"
            log.exception("log stream of %s ended", stream.pod)

    def _stream_loop(self, stream: Stream) -> None:
        what = f"logs of pod {self.request.namespace}/{stream.pod}"
        while not self._stop.is_set() and not stream.ended:
            try:
                delay = self._stream_once(stream, what)
            except ClusterError as err:
                if self._stop.is_set():
                    return
                delay = self._on_error(stream, err)
            except Exception as exc:  # a bug or data nobody foresaw: say so, resume, never die
                if self._stop.is_set():
                    return
                log.exception("log stream of %s failed", stream.pod)
                self.faults["unexpected"] += 1
                delay = stream.backoff.next()
                self._set(
                    stream,
                    InformerState.RECONNECTING,
                    f"Unexpected error reading the {what} ({type(exc).__name__}: {exc}) — resuming from the "
                    "last line seen",
                    retry_in=delay,
                    failure=True,
                )
            if stream.ended or self._stop.is_set():
                return
            self.resumes += 1
            if delay > 0:
                self.delays.append(delay)
                del self.delays[:-50]
                self.pause(delay, self._stop)

    def _stream_once(self, stream: Stream, what: str) -> float:
        """Follow one request to its end; returns the wait before resuming (the stream `ended` when
        it is over for good); raises ClusterError on a failure."""
        d = self.deadlines
        since = stream.resume_point()  # "" until a request was answered: then the tail, as asked
        started = self.clock()
        resp = self.api.open(
            "GET",
            PODS.path(self.request.namespace, stream.pod, "log"),
            self._query(stream.container, since),
            timeout=(d.connect, d.silence),
            what=what,
        )
        stream.response = resp
        if not stream.opened_at:
            stream.opened_at = self._start_instant(started)
        self._arrived(stream)  # the kubelet answered: the stream is live from the last line on
        replay = Counter(stream.seen_at_last) if since else Counter()
        rest: list[bytes] = []
        lines = 0
        silent = False
        try:
            for batch in _line_batches(resp, rest):
                if self._stop.is_set():
                    return 0.0
                lines += self._take(stream, batch, replay, what)
        except urllib3.exceptions.ReadTimeoutError:
            silent = True
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if self._stop.is_set():
                return 0.0
            raise transport_error(self.api.server, exc, what) from exc
        finally:
            stream.response = None
            release(resp, broken=True)  # never reuse a log stream's connection: it may still be streaming
        if silent:
            self.faults["silent-stream"] += 1
            return 0.0  # reopen at once from the last line: the answer (or its absence) says the rest
        going = "end" if not self.request.follow or self.request.previous else self._still_running(stream)
        if going != "run" and rest:  # the last line of a container that stopped, without its newline
            self._take(stream, [rest[0].decode("utf-8", "replace")], replay, what, final=True)
        if going == "end":
            stream.ended = stream.ended or "ended"
            self._set(stream, InformerState.STOPPED, "")
            return 0.0
        if going != "run":  # the container stopped (a crash loop, a restart): follow it when it runs
            self.faults["container-stopped"] += 1
            raise ClusterError(going, Problem.INVALID)
        if rest:  # ended mid-line while the pod runs: cut on the way; the resumed stream sends it whole
            self.faults["cut-line"] += 1
        if not lines and self.clock() - started < d.short_watch:
            self.faults["short-stream"] += 1
            raise ClusterError(
                f"The API server ended the {what} at once, sending nothing", Problem.UNREACHABLE
            )
        return 0.0  # the stream ended while the pod runs (a restart, a proxy's idle timeout): resume

    def _take(
        self, stream: Stream, batch: list[str], replay: Counter[str], what: str, final: bool = False
    ) -> int:
        """Add a batch's new lines to the buffer (see the resume rule); a line without its
        timestamp stops the batch there and raises (the stream is reopened from the last good line)."""
        fresh = _fresh_kubelet_lines(batch, stream.last_key)
        if fresh is not None:  # the common case, checked for the whole batch at C speed
            stamps, texts = fresh
            last = stamps[-1]
            stream.last_key = stream.last_ts = last
            same = len(stamps) - 1
            while same and stamps[same - 1] == last:
                same -= 1
            stream.seen_at_last = Counter(texts[same:])
            replay.clear()
            self.buffer.add(stream.pod, stream.container, stamps, texts)
            self._arrived(stream, changed=True)
            return len(texts)
        pairs: list[tuple[str, str]] = []
        bad = ""
        for raw in batch:
            ts, text = split_timestamp(raw)
            key = ts_key(ts) if ts else ""
            if not key:
                bad = raw
                break
            if key < stream.last_key:
                continue  # shown before a reconnect
            if key == stream.last_key:
                if replay[text] > 0:
                    replay[text] -= 1
                    continue  # shown before a reconnect
                stream.seen_at_last[text] += 1
            else:
                stream.last_key, stream.last_ts = key, ts
                stream.seen_at_last = Counter({text: 1})
                replay.clear()
            pairs.append((ts, text))
        if pairs:
            self.buffer.extend(stream.pod, stream.container, pairs)
        self._arrived(stream, changed=bool(pairs))
        if bad and not final:
            self.faults["malformed"] += 1
            snippet = bad[:40].strip()
            kind = (
                "an HTML page (an error page from a proxy or load balancer?)"
                if looks_like_html(bad.encode("utf-8", "replace"))
                else f"a line without its timestamp ({snippet!r}: cut short or corrupted on the way?)"
            )
            raise ClusterError(f"The API server sent {kind} in the {what}", Problem.MALFORMED)
        return len(pairs)

    def _on_error(self, stream: Stream, err: ClusterError) -> float:
        """Count and show the failure; return how long to wait before resuming (or end the stream)."""
        problem = err.problem
        self.faults[problem.value] += 1
        ns = self.request.namespace
        if problem is Problem.NOT_FOUND:
            stream.ended = f"Pod {ns}/{stream.pod} no longer exists; its log stream ended."
            self._set(stream, InformerState.STOPPED, stream.ended)
            return 0.0
        if problem is Problem.INVALID and self.request.previous:
            stream.ended = err.sentence
            self._set(stream, InformerState.STOPPED, stream.ended)
            return 0.0
        if problem in (Problem.FORBIDDEN, Problem.UNAUTHORIZED):
            state = InformerState.FORBIDDEN if problem is Problem.FORBIDDEN else InformerState.UNAUTHORIZED
            self._set(stream, state, err.sentence, retry_in=self.denied_retry, failure=True)
            return self.denied_retry
        delay = stream.backoff.next(err.retry_after)
        # INVALID is mostly "container is waiting to start" (a crash loop): it restarts soon
        then = "trying again" if problem is Problem.INVALID else "resuming from the last line seen"
        self._set(
            stream,
            InformerState.RECONNECTING,
            f"{err.sentence.rstrip('. ')} — {then}",
            retry_in=delay,
            failure=True,
        )
        return delay

    def _arrived(self, stream: Stream, changed: bool = False) -> None:
        stream.backoff.healthy()
        old = stream.health
        stream.health = old.arrived(self.clock(), changed)
        if old.state is not InformerState.CONNECTED:
            self.buffer.health_changed()

    def _set(
        self,
        stream: Stream,
        state: InformerState,
        error: str,
        retry_in: float | None = None,
        failure: bool = False,
    ) -> None:
        retry_at = None if retry_in is None else self.clock() + retry_in
        stream.health = stream.health.failed(state, error, retry_at, failure)
        self.buffer.health_changed()

    def _start_instant(self, started: float) -> str:
        """Where a stream answered but cut before its first line resumes: nothing of it was shown,
        so a request for history (all of it, or its last N lines) is simply asked again (resuming
        from the time of the first request lost the lines written before it); one for new lines
        only (tail 0) resumes from when it was first asked, and a --since window from its start."""
        req = self.request
        if req.since_seconds:
            return rfc3339(started - req.since_seconds)
        if req.tail == 0:
            return rfc3339(started)
        return ""

    def _query(self, container: str, since_time: str) -> list[tuple[str, str | int | bool]]:
        req = self.request
        query: list[tuple[str, str | int | bool]] = [("container", container), ("timestamps", "true")]
        if req.follow and not req.previous:
            query.append(("follow", "true"))
        if req.previous:
            query.append(("previous", "true"))
        if since_time:
            query.append(("sinceTime", since_time))
            query.append(("tailLines", self.buffer.max_lines))  # more would only push lines out of the buffer
        else:
            if req.tail is not None and req.tail >= 0:
                query.append(("tailLines", req.tail))
            if req.since_seconds:
                query.append(("sinceSeconds", req.since_seconds))
        return query

    def _still_running(self, stream: Stream) -> str:
        """May the stream go on? "run" (the container runs, or the server cannot say), "end" (the
        pod is gone, replaced or finished: `stream.ended` says why), else the sentence saying that
        the container is not running now (it is followed again once it runs)."""
        ns = self.request.namespace
        try:
            obj = self.api.get_json(PODS.path(ns, stream.pod), what=f"get pod {ns}/{stream.pod}")
        except ClusterError as err:
            if err.problem is Problem.NOT_FOUND:
                stream.ended = f"Pod {ns}/{stream.pod} no longer exists; its log stream ended."
                return "end"
            return "run"  # cannot tell: resume (and meet the same failure there, with backoff)
        if not isinstance(obj, dict):
            return "run"
        meta = obj.get("metadata") or {}
        if stream.uid and meta.get("uid") and meta.get("uid") != stream.uid:
            stream.ended = f"Pod {ns}/{stream.pod} was replaced by a new pod of the same name."
            return "end"
        status = obj.get("status") or {}
        if status.get("phase") not in ("Running", "Pending"):
            return "end"
        for cs in status.get("containerStatuses") or []:
            if not isinstance(cs, dict) or cs.get("name") != stream.container:
                continue
            state = cs.get("state")
            if not isinstance(state, dict) or not state or "running" in state:
                return "run"
            kind, detail = next(iter(state.items()))  # waiting or terminated, with its reason
            why = str((detail.get("reason") if isinstance(detail, dict) else None) or kind)
            return (
                f"Container {stream.container} of pod {ns}/{stream.pod} is not running ({why}); "
                "its log is followed again once it runs"
            )
        return "run"


_TS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$")


def ts_key(ts: str) -> str:
    """A kubelet timestamp (RFC 3339 in UTC, 0-9 fraction digits) in a form that sorts as time
    does ("" when it is not one)."""
    m = _TS.match(ts)
    if m is None:
        return ""
    return f"{m.group(1)}.{(m.group(2) or '').ljust(9, '0')}Z"


_KUBELET_HEADS = re.compile(r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z )*")
_HEAD = 31  # a kubelet timestamp with nanoseconds (its own sort key, see ts_key) and the space


def _fresh_kubelet_lines(batch: list[str], last_key: str) -> tuple[list[str], list[str]] | None:
    """(stamps, texts) when every line of `batch` starts with a kubelet timestamp with nanoseconds,
    in order and all newer than `last_key` (every line is new: nothing to replay); else None and
    the batch is taken line by line. Checks the whole batch with one regex, not one per line."""
    if not batch:
        return None
    heads = [line[:_HEAD] for line in batch]
    if heads[0][:30] <= last_key or _KUBELET_HEADS.fullmatch("".join(heads)) is None:
        return None
    stamps = [head[:30] for head in heads]
    if not all(map(str.__le__, stamps, stamps[1:])):
        return None
    return stamps, [line[_HEAD:] for line in batch]


def rfc3339(epoch: float) -> str:
    """Epoch seconds as RFC 3339 with nanoseconds in UTC, as the kubelet writes them."""
    whole = int(epoch)
    frac = round((epoch - whole) * 1e9)
    if frac >= 1_000_000_000:
        whole, frac = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{frac:09d}Z"


def _line_batches(resp: urllib3.BaseHTTPResponse, rest: list[bytes] | None = None) -> Iterator[list[str]]:
    """Complete lines as they arrive, a read's worth at a time (keeps up with thousands/s). A last
    piece without its newline is put in `rest` (it is not yielded: it may be cut short)."""
    buf = b""
    while True:
        chunk = resp.read1(262144)
        if not chunk:
            if buf and rest is not None:
                rest.append(buf.rstrip(b"\r"))
            return
        buf += chunk
        if b"\n" not in chunk:
            continue
        cut = buf.rindex(b"\n")
        text = buf[:cut].decode("utf-8", "replace")  # a newline never splits a UTF-8 sequence
        buf = buf[cut + 1 :]
        lines = text.split("\n")
        yield [line.rstrip("\r") for line in lines] if "\r" in text else lines


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll `predicate` until true or `timeout` (for callers and tests that need a result)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> int:
    """'5m' -> 300, '1h30m' -> 5400, '45s' / '45' -> 45; ValueError otherwise."""
    if text.isdigit():
        return int(text)
    m = _DURATION.match(text)
    if not text or m is None or not any(m.groups()):
        raise ValueError(f"'{text}' is not a duration like 30s, 5m or 1h")
    h, mi, s = (int(g or 0) for g in m.groups())
    return h * 3600 + mi * 60 + s


def parse_logs_args(text: str, default_namespace: str = "default", max_tail: int | None = None) -> LogRequest:
    """Read `kubectl logs` arguments: POD | deploy/NAME | pod/NAME | -l SEL, -n NS, -c C, --tail N,
    --since 5m, -p/--previous, -f (implied). Raises ValueError with a one-line message."""
    try:
        args = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"Cannot read '{text}': {exc}.") from None
    if args[:2] == ["kubectl", "logs"]:
        args = args[2:]
    req = LogRequest(namespace=default_namespace)
    i = 0

    def value(flag: str) -> str:
        nonlocal i
        if "=" in args[i]:
            return args[i].split("=", 1)[1]
        if i + 1 >= len(args):
            raise ValueError(f"{flag} needs a value.")
        i += 1
        return args[i]

    while i < len(args):
        a = args[i]
        key = a.split("=", 1)[0]
        if key in ("-n", "--namespace"):
            req.namespace = value(key)
        elif key in ("-l", "--selector"):
            req.selector = value(key)
        elif key in ("-c", "--container"):
            req.container = value(key)
        elif key == "--tail":
            tail = int(value(key))
            req.tail = None if tail < 0 else tail
        elif key == "--since":
            req.since_seconds = parse_duration(value(key))
        elif key in ("-p", "--previous"):
            req.previous = True
        elif key in ("-f", "--follow", "--timestamps", "--all-containers", "--prefix"):
            pass
        elif a.startswith("-"):
            raise ValueError(f"Option {a} is not supported here.")
        elif a.startswith(("deploy/", "deployment/", "deployments/")):
            req.deployment = a.split("/", 1)[1]
        elif a.startswith(("pod/", "pods/", "po/")):
            req.pod = a.split("/", 1)[1]
        elif "/" in a:
            raise ValueError(f"'{a}': only pods and deployments can be followed.")
        else:
            req.pod = a
        i += 1
    if sum(x is not None and x != "" for x in (req.pod, req.deployment, req.selector)) != 1:
        raise ValueError("Name exactly one of: a pod, deploy/NAME, or -l SELECTOR.")
    if max_tail is not None and req.tail is not None:
        req.tail = min(req.tail, max_tail)
    return req
