"""Following logs like `kubectl logs -f`: one pod, a deployment's pods, or a label selector.

Each pod's stream runs in its own thread and feeds one bounded LogBuffer (default 10,000 lines);
lines of different pods interleave in arrival order and carry a colour index per pod. Streams are
requested with timestamps so a reconnect (the stream ended while the pod still runs, or the API
server went away) resumes at `sinceTime` without repeating lines. Pausing stops delivery to the
view, not collection; on resume the view catches up from the buffer.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import urllib3

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.kubeapi import DEPLOYMENTS, PODS, KubeApi

DEFAULT_MAX_LINES = 10_000
PALETTE_SIZE = 8
RESOLVE_EVERY = 5.0  # seconds between looks for new pods of a deployment or selector


@dataclass(frozen=True, slots=True)
class LogLine:
    seq: int  # position in the buffer's whole history (monotonic)
    pod: str
    container: str
    text: str
    colour: int  # index into a palette, one per pod
    ts: str = ""  # RFC 3339 from the kubelet, "" when unknown


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
        self.status: dict[str, str] = {}  # pod -> "following" / "ended" / error sentence

    def colour_of(self, pod: str) -> int:
        with self._lock:
            return self._colours.setdefault(pod, len(self._colours) % PALETTE_SIZE)

    def extend(self, pod: str, container: str, texts: Iterable[tuple[str, str]]) -> int:
        """Append (timestamp, text) pairs of one pod; returns how many were added."""
        colour = self.colour_of(pod)
        with self._lock:
            before = self._seq
            for ts, text in texts:
                if len(self._lines) == self.max_lines:
                    self.dropped += 1
                self._lines.append(LogLine(self._seq, pod, container, text, colour, ts))
                self._seq += 1
            added = self._seq - before
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
            first = self._lines[0].seq
            start = max(0, seq - first)
            return list(self._lines)[start:]

    def lines(self) -> list[LogLine]:
        with self._lock:
            return list(self._lines)

    def search(self, needle: str, regex: bool = False) -> list[LogLine]:
        """Lines containing `needle` (case-insensitive), or matching it as a regex."""
        if not needle:
            return []
        pattern = re.compile(needle if regex else re.escape(needle), re.IGNORECASE)
        return [line for line in self.lines() if pattern.search(line.text)]

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


class LogFollower:
    """Follows the pods a LogRequest names into a LogBuffer until stopped."""

    def __init__(self, api: KubeApi, request: LogRequest, buffer: LogBuffer | None = None) -> None:
        self.api = api
        self.request = request
        self.buffer = buffer if buffer is not None else LogBuffer()
        self.error = ""  # the last resolution failure, as a sentence
        self._stop = threading.Event()
        self._streams: dict[str, threading.Thread] = {}
        self._responses: dict[str, urllib3.BaseHTTPResponse] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> LogFollower:
        self._thread = threading.Thread(target=self._run, name=f"logs-{self.request.label}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for resp in list(self._responses.values()):
            with contextlib.suppress(Exception):
                resp.shutdown()

    @property
    def pods(self) -> list[str]:
        return sorted(self._streams)

    @property
    def label(self) -> str:
        return self.request.label

    @property
    def single(self) -> bool:
        """One pod followed: lines need no pod prefix."""
        return bool(self.request.pod)

    def resolve(self) -> list[dict[str, Any]]:
        """The pods to follow now (blocking)."""
        req = self.request
        if req.pod:
            return [self.api.get_json(PODS.path(req.namespace, req.pod))]
        selector = req.selector or ""
        if req.deployment:
            deploy = self.api.get_json(DEPLOYMENTS.path(req.namespace, req.deployment))
            selector = selector_from_deployment(deploy)
        items = self.api.get_json(PODS.path(req.namespace), [("labelSelector", selector)]).get("items") or []
        return sorted(items, key=lambda p: (p.get("metadata") or {}).get("name", ""))

    def _run(self) -> None:
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                pods = self.resolve()
                self.error = "" if pods else f"No pods match {self.request.label}."
                backoff.reset()
            except ClusterError as err:
                self.error = err.sentence
                self._stop.wait(backoff.next())
                continue
            for pod in pods:
                name = str((pod.get("metadata") or {}).get("name"))
                if name in self._streams:
                    continue
                container = self.request.container or default_container(pod)
                thread = threading.Thread(
                    target=self._follow, args=(name, container), name=f"log-{name}", daemon=True
                )
                self._streams[name] = thread
                thread.start()
            if not self.request.follow or self.request.pod:
                return
            self._stop.wait(RESOLVE_EVERY)

    def _query(self, container: str, since_time: str) -> list[tuple[str, str | int | bool]]:
        req = self.request
        query: list[tuple[str, str | int | bool]] = [("container", container), ("timestamps", "true")]
        if req.follow and not req.previous:
            query.append(("follow", "true"))
        if req.previous:
            query.append(("previous", "true"))
        if since_time:
            query.append(("sinceTime", since_time))
        else:
            if req.tail is not None and req.tail >= 0:
                query.append(("tailLines", req.tail))
            if req.since_seconds:
                query.append(("sinceSeconds", req.since_seconds))
        return query

    def _follow(self, pod: str, container: str) -> None:
        ns = self.request.namespace
        backoff = Backoff()
        last_ts = ""
        seen_at_last_ts: set[str] = set()
        while not self._stop.is_set():
            self.buffer.status[pod] = "following"
            try:
                resp = self.api.open(
                    "GET",
                    PODS.path(ns, pod, "log"),
                    self._query(container, last_ts),
                    timeout=(5.0, None),  # type: ignore[arg-type]
                    what=f"logs of pod {ns}/{pod}",
                )
            except ClusterError as err:
                self.buffer.status[pod] = err.sentence
                if err.problem in (Problem.NOT_FOUND, Problem.FORBIDDEN) or self.request.previous:
                    return
                # INVALID is mostly "container is waiting to start" (a crash loop): it restarts soon
                self._stop.wait(backoff.next())
                continue
            self._responses[pod] = resp
            try:
                for batch in _line_batches(resp):
                    pairs = []
                    for raw in batch:
                        ts, text = split_timestamp(raw)
                        if ts and ts == last_ts and text in seen_at_last_ts:
                            continue  # already shown before a reconnect
                        if ts != last_ts:
                            last_ts, seen_at_last_ts = ts, set()
                        seen_at_last_ts.add(text)
                        pairs.append((ts, text))
                    self.buffer.extend(pod, container, pairs)
                backoff.reset()
            except (urllib3.exceptions.HTTPError, OSError):
                if self._stop.is_set():
                    return
                self._stop.wait(backoff.next())
            finally:
                self._responses.pop(pod, None)
                resp.release_conn()
            if not self.request.follow or self.request.previous or self._stop.is_set():
                break
            if not self._still_running(pod):
                break
        self.buffer.status[pod] = "ended"

    def _still_running(self, pod: str) -> bool:
        try:
            obj = self.api.get_json(PODS.path(self.request.namespace, pod))
        except ClusterError as err:
            return err.problem is not Problem.NOT_FOUND
        return (obj.get("status") or {}).get("phase") in ("Running", "Pending")


def _line_batches(resp: urllib3.BaseHTTPResponse) -> Iterator[list[str]]:
    """Complete lines as they arrive, a read's worth at a time (keeps up with thousands/s)."""
    buf = b""
    while True:
        chunk = resp.read1(262144)
        if not chunk:
            if buf:
                yield [buf.decode("utf-8", "replace").rstrip("\r")]
            return
        buf += chunk
        if b"\n" not in chunk:
            continue
        *complete, buf = buf.split(b"\n")
        yield [line.decode("utf-8", "replace").rstrip("\r") for line in complete]


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
