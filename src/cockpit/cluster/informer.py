"""One list+watch per resource kind, shared by every consumer (the informer pattern).

An Informer lists (paged with limit/continue), then watches from the list's resourceVersion with
bookmarks. On 410 Gone it relists and diffs against what it holds, so subscribers get exactly the
changes: no duplicates, no gaps. Objects are parsed from raw JSON and reduced at once by the kind's
`summarize(obj)`.

It never dies and never lies:
- every failure of one request (transport, HTTP status, a body or watch line that is not a JSON
  object, an error inside `summarize`) is caught, counted in `faults`, shown as the health's one
  sentence, and followed by a retry with backoff (`Backoff`: ~1 s doubling to 30 s, jittered, reset
  after a healthy while, at least the server's Retry-After). Bad data never reaches the store: a
  list is swapped in only once every page decoded, and an event is checked whole before it is
  applied; after bad data the informer relists.
- every wait has a deadline (`Deadlines`): a hung list is cut by the read deadline; a watch that
  sends nothing (not even a bookmark) for `silence` seconds is probed with a `limit=1` list and,
  if the server answers, resumed from its resourceVersion, else reported and retried.
- health comes from what arrived, not from the last connect: the registry's watchdog
  (cockpit.cluster.registry) marks an informer STALE once nothing arrived for `stale_after`
  seconds, and restarts an informer whose thread ended for any reason (same object: subscribers
  and rows are kept).

It runs in a daemon thread (the official client blocks). Changes are coalesced and delivered to
subscribers by one Dispatcher thread at most `rate` times a second; a callback must be cheap and
thread-safe (the UI posts a Textual message from it).
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import orjson
import urllib3

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.health import Deadlines, Freshness, Health, InformerState
from cockpit.cluster.kubeapi import (
    KubeApi,
    ResourceKind,
    loads,
    malformed_sentence,
    release,
    transport_error,
)

__all__ = [
    "ChangeSet",
    "Deadlines",
    "Dispatcher",
    "Freshness",
    "Health",
    "Informer",
    "InformerState",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
InformerKey = tuple[str, str, str, str]  # (group, version, plural, namespace or "")
Summarize = Callable[[dict[str, Any]], T]
Pause = Callable[[float, threading.Event], bool]  # wait `seconds` unless the event is set; True if set
EVENT_TYPES = frozenset({"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"})


def _pause(seconds: float, stop: threading.Event) -> bool:
    return stop.wait(seconds)


@dataclass(slots=True)
class ChangeSet(Generic[T]):
    """What changed since the previous batch. `reset`: `upserts` is the whole content, drop the rest."""

    key: InformerKey
    upserts: dict[str, T] = field(default_factory=dict)
    deletes: set[str] = field(default_factory=set)
    reset: bool = False
    health: Health = field(default_factory=lambda: Health(InformerState.STARTING))

    def apply_to(self, rows: dict[str, T]) -> None:
        """Apply this batch to a dict of rows keyed like the informer (idempotent)."""
        if self.reset:
            rows.clear()
        for k in self.deletes:
            rows.pop(k, None)
        rows.update(self.upserts)

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.deletes and not self.reset


Subscriber = Callable[[ChangeSet[Any]], object]  # what it returns is ignored


class Gone(Exception):
    """The watch's resourceVersion is too old (410): relist."""


def object_key(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    uid = meta.get("uid")
    if uid:
        return str(uid)
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


class Dispatcher:
    """Delivers informers' pending batches from one thread, at most `rate` batches per second each.

    A batch waits `1/rate` s for more changes to coalesce with, except a whole list (`urgent`):
    it is everything at once already, and at start-up it is what the operator is waiting for."""

    def __init__(self, rate: float = 15.0) -> None:
        self.interval = 1.0 / rate
        self._cond = threading.Condition()
        self._dirty: set[Informer[Any]] = set()
        self._urgent = False
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="cockpit-dispatch", daemon=True)
        self._thread.start()

    def mark(self, informer: Informer[Any], urgent: bool = False) -> None:
        with self._cond:
            self._dirty.add(informer)
            self._urgent = self._urgent or urgent
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._dirty and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                # coalesce what arrives meanwhile, unless a whole list is waiting
                self._cond.wait_for(lambda: self._urgent or self._stopped, timeout=self.interval)
                ready, self._dirty = self._dirty, set()
                self._urgent = False
            for informer in ready:
                informer._flush()


class Informer(Generic[T]):
    """A shared list+watch of one resource kind in one namespace ("" = all namespaces).

    `faults` counts every failure by kind ("malformed", "summarize", "timeout", "unreachable",
    "server-error", "throttled", "gone", "silent-watch", "short-watch", "thread-died", ...);
    `relists` counts full lists, `restarts` thread restarts, `delays` the last waits (tests)."""

    def __init__(
        self,
        api: KubeApi,
        kind: ResourceKind,
        namespace: str | None,
        summarize: Summarize[T],
        dispatcher: Dispatcher,
        page_size: int = 500,
        backoff: Backoff | None = None,
        denied_retry: float = 30.0,
        watch_timeout: tuple[int, int] = (240, 300),
        fallback_namespace: str | None = None,
        deadlines: Deadlines | None = None,
        clock: Callable[[], float] = time.time,
        pause: Pause = _pause,
    ) -> None:
        self.api = api
        self.kind = kind
        self.namespace = namespace or ""
        self._key: InformerKey = (kind.group, kind.version, kind.plural, self.namespace)
        self.summarize = summarize
        self.page_size = page_size
        self.backoff = backoff or Backoff()
        self.denied_retry = denied_retry
        self.watch_timeout = watch_timeout  # server-side timeoutSeconds, picked in this range per watch
        self.fallback_namespace = fallback_namespace  # watched when the cluster-wide list is forbidden
        self.deadlines = deadlines or Deadlines()
        self.clock = clock
        self.pause = pause
        self.scope_note = ""  # says so when the fallback is in use
        self.resource_version = ""
        self.relists = 0  # how many full lists were made (1 at start, +1 per 410 or failure)
        self.expired = 0  # how many watches or lists ended with 410 Gone
        self.restarts = 0  # how many times the thread was restarted after it ended
        self.faults: Counter[str] = Counter()
        self.delays: list[float] = []  # the last waits after failures (most recent last, at most 50)
        self._dispatcher = dispatcher
        self._lock = threading.Lock()  # store, pending batch, subscribers
        self._health_lock = threading.Lock()
        self._thread_lock = threading.Lock()
        self._store: dict[str, T] = {}
        self._pending: ChangeSet[T] = ChangeSet(self.key)
        self._health = Health(InformerState.STARTING)
        self._subscribers: list[Subscriber] = []
        self._stop = threading.Event()
        self._synced = threading.Event()
        self._response: urllib3.BaseHTTPResponse | None = None
        self._thread: threading.Thread | None = None
        self._need_list = True
        self._phase = "list"  # or "watch": what the thread is waiting for (for the stale sentence)
        self._died_of = ""

    @property
    def key(self) -> InformerKey:
        return self._key

    @property
    def health(self) -> Health:
        return self._health

    @property
    def alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def items(self) -> dict[str, T]:
        with self._lock:
            return dict(self._store)

    def values(self) -> list[T]:
        with self._lock:
            return list(self._store.values())

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Deliver the current content now (a reset batch), then every change. Returns unsubscribe."""
        with self._lock:
            self._subscribers.append(callback)
            snapshot: ChangeSet[T] = ChangeSet(self.key, dict(self._store), set(), True, self._health)
        callback(snapshot)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def start(self) -> Informer[T]:
        with self._thread_lock:
            if self._thread is None:
                self._start_thread()
        return self

    def _start_thread(self) -> None:
        name = f"informer-{self.kind.plural}-{self.namespace or 'all'}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def ensure_running(self) -> bool:
        """Restart the thread if it ended (it never should); True when it had to."""
        with self._thread_lock:
            if self._stop.is_set() or self._thread is None or self._thread.is_alive():
                return False
            self.restarts += 1
            self.faults["thread-died"] += 1
            self._need_list = True
            why = self._died_of or "no reason given"
            self._set_health(
                InformerState.RECONNECTING,
                f"The {self.kind.resource} watcher stopped unexpectedly ({why}); restarted it — re-listing.",
                failure=True,
            )
            self._start_thread()
            return True

    def stop(self) -> None:
        self._stop.set()
        resp = self._response
        if resp is not None:
            with contextlib.suppress(Exception):  # already closed
                resp.shutdown()
        self._set_health(InformerState.STOPPED, self._health.error)

    def wait_synced(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    def check(self, now: float | None = None) -> None:
        """Called by the registry's watchdog: a CONNECTED informer with no data for `stale_after`
        seconds becomes STALE (the thread is blocked in a read and cannot say so itself)."""
        now = self.clock() if now is None else now
        health = self._health
        if health.state is not InformerState.CONNECTED or health.last_good is None:
            return
        if now - health.last_good < self.deadlines.stale_after:
            return
        if self._phase == "list":
            sentence = f"The list of {self.kind.resource} is not answering; waiting for its deadline."
        else:
            sentence = (
                f"The watch of {self.kind.resource} has sent nothing (not even a bookmark) for "
                f"{int(self.deadlines.stale_after)} s; checking whether the API server answers."
            )
        with self._health_lock:
            if self._health is health:  # nothing arrived meanwhile
                self._health = Health(
                    InformerState.STALE,
                    sentence,
                    health.last_good,
                    health.synced,
                    health.last_event,
                    None,
                    health.failures,
                )
        self._dispatcher.mark(self)

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # recorded; the registry's watchdog restarts the thread
            self._died_of = f"{type(exc).__name__}: {exc}"
            log.exception("informer %s ended", self.kind.resource)

    def _loop(self) -> None:
        gone_in_a_row = 0
        while not self._stop.is_set():
            try:
                if self._need_list:
                    self._list_and_diff()
                    self._need_list = False
                self._watch()
                gone_in_a_row = 0
            except Gone:
                self.expired += 1
                self.faults["gone"] += 1
                self._need_list = True
                gone_in_a_row += 1
                if gone_in_a_row > 1:  # relisting at once did not help: back off
                    self._wait(self.backoff.next())
            except ClusterError as err:
                if self._stop.is_set():
                    break
                self._wait(self._on_error(err))
            except Exception as exc:  # a bug or data nobody foresaw: say so, relist, never die
                if self._stop.is_set():
                    break
                log.exception("informer %s failed", self.kind.resource)
                self.faults["unexpected"] += 1
                self._need_list = True
                delay = self.backoff.next()
                self._set_health(
                    InformerState.RECONNECTING,
                    f"Unexpected error reading {self.kind.resource} "
                    f"({type(exc).__name__}: {exc}) — re-listing.",
                    retry_in=delay,
                    failure=True,
                )
                self._wait(delay)

    def _wait(self, delay: float) -> None:
        self.delays.append(delay)
        del self.delays[:-50]
        self.pause(delay, self._stop)

    def _on_error(self, err: ClusterError) -> float:
        """Count and show the failure; return how long to wait before trying again."""
        problem = err.problem
        self.faults[problem.value] += 1
        if problem is Problem.GONE:  # a stale watch refused with HTTP 410, or a list that expired twice
            self.expired += 1
            self._need_list = True
            if self._phase == "watch":
                return 0.0  # relist at once, as for a 410 inside the stream
            delay = self.backoff.next()  # the server compacts faster than we can list: slow down
            self._set_health(
                InformerState.RECONNECTING,
                f"{err.sentence.rstrip('. ')} — listing again.",
                retry_in=delay,
                failure=True,
            )
            return delay
        if problem is Problem.FORBIDDEN and not self.namespace and self.fallback_namespace:
            self.namespace = self.fallback_namespace
            self.scope_note = (
                f"namespace {self.namespace} only: "
                f"listing {self.kind.resource} in all namespaces is forbidden"
            )
            self._need_list = True
            return 0.0
        if problem is Problem.FORBIDDEN:
            self._need_list = True
            self._set_health(InformerState.FORBIDDEN, err.sentence, retry_in=self.denied_retry, failure=True)
            return self.denied_retry
        if problem is Problem.NOT_FOUND:
            what = {"argoproj.io": "ArgoCD", "cert-manager.io": "cert-manager"}.get(
                self.kind.group, self.kind.group
            )
            sentence = (
                f"{what} is not installed: this cluster has no {self.kind.resource} API "
                f"(CRD absent); install it or ignore this pane."
            )
            self._need_list = True
            self._set_health(InformerState.NOT_INSTALLED, sentence, retry_in=self.denied_retry, failure=True)
            return self.denied_retry
        if problem is Problem.MALFORMED:
            self._need_list = True  # an event may have been lost with the bad data
        delay = self.backoff.next(err.retry_after)
        state = InformerState.UNAUTHORIZED if problem is Problem.UNAUTHORIZED else InformerState.RECONNECTING
        then = "re-listing" if self._need_list else "resuming the watch"
        self._set_health(state, f"{err.sentence.rstrip('. ')} — {then}.", retry_in=delay, failure=True)
        return delay

    # -- list ----------------------------------------------------------------------------------

    def _list(self) -> tuple[dict[str, T], str]:
        """Every object, page by page; raises ClusterError (MALFORMED for bad data) before the store
        is touched."""
        self._phase = "list"
        fresh: dict[str, T] = {}
        token = ""
        restarted = False
        what = f"list {self.kind.resource}"
        d = self.deadlines
        while True:
            # after a continue token expired, one list without a limit (client-go's pager does the
            # same, FullListIfExpired): under heavy churn a paged list would expire again and again
            query: list[tuple[str, str | int | bool]] = [] if restarted else [("limit", self.page_size)]
            if token:
                query.append(("continue", token))
            try:
                doc = self.api.get_json(
                    self.kind.path(self.namespace or None),
                    query,
                    timeout=(d.connect, d.read),
                    what=what,
                    decode=getattr(self.summarize, "decode_list", None),  # fields the rows need only
                )
            except ClusterError as err:
                if err.problem is Problem.GONE and token and not restarted:
                    # the continue token expired (the snapshot is too old): list again, in one piece
                    self.expired += 1
                    self.faults["gone"] += 1
                    fresh, token, restarted = {}, "", True
                    continue
                raise
            items, meta = self._page(doc, what)
            for obj in items:
                fresh[object_key(obj)] = self._summarize(obj, what)
            self._page_arrived()
            token = str(meta.get("continue") or "")
            if not token:
                return fresh, str(meta.get("resourceVersion", ""))

    def _page(self, doc: Any, what: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """A list page's items and metadata, checked to be what the API promises."""
        if not isinstance(doc, dict):
            raise _malformed(what, orjson.dumps(doc))
        items = doc.get("items")
        meta = doc.get("metadata")
        if items is None:
            items = []
        if not isinstance(items, list) or not isinstance(meta, dict):
            raise _malformed(what, orjson.dumps(doc)[:200])
        for obj in items:
            if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
                raise _malformed(what, orjson.dumps(obj)[:200])
        return items, meta

    def _summarize(self, obj: dict[str, Any], what: str) -> T:
        try:
            return self.summarize(obj)
        except Exception as exc:
            meta = obj.get("metadata") or {}
            name = f"{meta.get('namespace', '')}/{meta.get('name', '')}".strip("/")
            raise ClusterError(
                f"A {self.kind.kind} in {what} could not be read ({name}: {type(exc).__name__}: {exc})",
                Problem.MALFORMED,
            ) from exc

    def _list_and_diff(self) -> None:
        fresh, rv = self._list()
        with self._lock:
            old = self._store
            for k in old.keys() - fresh.keys():
                self._pending.upserts.pop(k, None)
                self._pending.deletes.add(k)
            for k, row in fresh.items():
                if old.get(k) != row:
                    self._pending.upserts[k] = row
                    self._pending.deletes.discard(k)
            self._store = fresh
            self.resource_version = rv
            self.relists += 1
        self._synced.set()
        self._arrived(changed=True, urgent=True)

    # -- watch ---------------------------------------------------------------------------------

    def _watch(self) -> None:
        """Follow one watch stream until it ends; raises Gone on 410, ClusterError on failures.
        Returns when the stream ended normally or went silent and a probe found the server well:
        the caller then watches again from the last resourceVersion (no relist)."""
        d = self.deadlines
        server_timeout = random.randint(*self.watch_timeout)
        query: list[tuple[str, str | int | bool]] = [
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", server_timeout),
        ]
        if self.resource_version:
            query.append(("resourceVersion", self.resource_version))
        what = f"watch {self.kind.resource}"
        self._phase = "watch"
        started = self.clock()
        resp = self.api.open(
            "GET", self.kind.path(self.namespace or None), query, timeout=(d.connect, d.silence), what=what
        )
        self._response = resp
        self._arrived()  # the server answered the watch from our resourceVersion: its headers are data
        events = 0
        silent = False
        try:
            for line in _lines(resp):
                if self._stop.is_set():
                    return
                self._event(line, what)
                events += 1
        except urllib3.exceptions.ReadTimeoutError:
            silent = True
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if self._stop.is_set():
                return
            raise transport_error(self.api.server, exc, what) from exc
        finally:
            self._response = None
            release(resp, broken=True)  # never reuse a watch's connection: it may still be streaming
        if silent and not self._stop.is_set():
            self._probe()  # raises when the server does not answer; else watch again from the RV
            return
        if not events and not self._stop.is_set() and self.clock() - started < d.short_watch:
            self.faults["short-watch"] += 1
            raise ClusterError(
                f"The API server ended the {what} at once, sending nothing", Problem.UNREACHABLE
            )

    def _probe(self) -> None:
        """The watch sent nothing for `silence` seconds: is the server still answering for this
        resource? A `limit=1` list says so cheaply; raises ClusterError when it does not answer."""
        self.faults["silent-watch"] += 1
        d = self.deadlines
        try:
            doc = self.api.get_json(
                self.kind.path(self.namespace or None),
                [("limit", 1)],
                timeout=(d.connect, d.probe),
                what=f"a probe of the silent watch of {self.kind.resource}",
            )
        except ClusterError as err:
            raise ClusterError(
                f"The watch of {self.kind.resource} went silent and the API server did not answer a probe: "
                f"{err.sentence.rstrip('. ')}",
                err.problem,
                err.status,
                err.retry_after,
            ) from err
        self._page(doc, "a probe")
        self._arrived()  # the server answers: the data is current up to the resumed watch

    def _event(self, line: bytes, what: str) -> None:
        """Check one watch line whole, then apply it; bad data raises before the store changes."""
        try:
            event = loads(line)
        except orjson.JSONDecodeError as exc:
            raise _malformed(what, line, exc) from exc
        if not isinstance(event, dict):
            raise _malformed(what, line)
        kind = event.get("type")
        obj = event.get("object")
        if kind not in EVENT_TYPES or not isinstance(obj, dict):
            raise _malformed(what, line)
        if kind == "ERROR":
            code = obj.get("code")
            if not isinstance(code, int):
                raise _malformed(what, line)
            if code == 410:
                raise Gone()
            raise self.api.error(code, str(obj.get("message", "")), what)
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            raise _malformed(what, line)
        rv = meta.get("resourceVersion")
        rv = "" if rv is None else str(rv)
        if kind == "BOOKMARK":
            if rv:
                with self._lock:
                    self.resource_version = rv
            self._arrived()
            return
        if not (meta.get("uid") or meta.get("name")):
            raise _malformed(what, line)
        key = object_key(obj)
        row = self._summarize(obj, what) if kind != "DELETED" else None
        with self._lock:
            if row is not None:
                dirty = self._store.get(key) != row
                if dirty:
                    self._store[key] = row
                    self._pending.upserts[key] = row
                    self._pending.deletes.discard(key)
            else:
                dirty = self._store.pop(key, None) is not None
                if dirty:
                    self._pending.upserts.pop(key, None)
                    self._pending.deletes.add(key)
            if rv:
                self.resource_version = rv
        self._arrived(changed=dirty)

    # -- health and delivery -------------------------------------------------------------------

    def _arrived(self, changed: bool = False, urgent: bool = False) -> None:
        """Data arrived: the informer is live, the backoff's healthy period runs. `urgent`: a whole
        list, delivered without waiting for more changes to coalesce with."""
        self.backoff.healthy()
        now = self.clock()
        with self._health_lock:
            old = self._health
            self._health = Health(
                InformerState.CONNECTED,
                "",
                now,
                self._synced.is_set(),
                now if changed else old.last_event,
                None,
                0,
            )
        if changed or old.state is not InformerState.CONNECTED:
            self._dispatcher.mark(self, urgent)

    def _page_arrived(self) -> None:
        """A list page arrived: the server answers (the data is not stale), but the rows change only
        once the list is whole, so "Loading" or "Reconnecting: why" stays until then."""
        now = self.clock()
        with self._health_lock:
            old = self._health
            state = InformerState.CONNECTED if old.state is InformerState.STALE else old.state
            error = "" if state is InformerState.CONNECTED else old.error
            self._health = Health(state, error, now, old.synced, old.last_event, None, old.failures)
        if state is not old.state:
            self._dispatcher.mark(self)

    def _set_health(
        self, state: InformerState, error: str, retry_in: float | None = None, failure: bool = False
    ) -> None:
        now = self.clock()
        with self._health_lock:
            old = self._health
            self._health = Health(
                state,
                error,
                old.last_good,
                self._synced.is_set(),
                old.last_event,
                None if retry_in is None else now + retry_in,
                old.failures + 1 if failure else old.failures,
            )
        self._dispatcher.mark(self)

    def _flush(self) -> None:
        with self._lock:
            batch = self._pending
            batch.health = self._health
            self._pending = ChangeSet(self.key)
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(batch)
            except Exception:  # a broken subscriber must not stop the others
                log.exception("informer subscriber failed")


def _malformed(what: str, data: bytes, exc: BaseException | None = None) -> ClusterError:
    return ClusterError(malformed_sentence(what, data, exc), Problem.MALFORMED)


def _lines(resp: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """The stream's lines; a last line without its newline (the stream was cut) is yielded too,
    so that it is reported as bad data rather than silently dropped."""
    buf = b""
    while True:
        chunk = resp.read1(65536)
        if not chunk:
            if buf.strip():
                yield buf
            return
        buf += chunk
        if b"\n" not in chunk:
            continue
        *complete, buf = buf.split(b"\n")
        for line in complete:
            if line.strip():
                yield line
