"""One list+watch per resource kind, shared by every consumer (the informer pattern).

An Informer lists (paged with limit/continue), then watches from the list's resourceVersion with
bookmarks. On 410 Gone, and after any failure, it relists and diffs against what it holds, so
subscribers get exactly the changes: no duplicates, no gaps. A silent stream is cut by a
client-side read timeout (plus TCP keepalive on the socket) and resumed from the last
resourceVersion; failures back off from ~1 s to 30 s with jitter. Objects are parsed from raw JSON
and reduced at once by the kind's `summarize(obj)`.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import urllib3

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.kubeapi import KubeApi, ResourceKind, loads, transport_sentence

log = logging.getLogger(__name__)
T = TypeVar("T")
InformerKey = tuple[str, str, str, str]  # (group, version, plural, namespace or "")
Summarize = Callable[[dict[str, Any]], T]


class InformerState(StrEnum):
    STARTING = "starting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_INSTALLED = "not-installed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Health:
    """How fresh an informer's data is. `last_good` is wall-clock time of the last good data."""

    state: InformerState
    error: str = ""
    last_good: float | None = None
    synced: bool = False

    def stale_seconds(self, now: float | None = None) -> float | None:
        """Seconds since the last good data when not connected (for "stale: 12 s"), else None."""
        if self.state is InformerState.CONNECTED or self.last_good is None:
            return None
        return max(0.0, (now or time.time()) - self.last_good)


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


Subscriber = Callable[[ChangeSet[Any]], None]


class Gone(Exception):
    """The watch's resourceVersion is too old (410): relist."""


def object_key(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    uid = meta.get("uid")
    if uid:
        return str(uid)
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


class Dispatcher:
    """Delivers informers' pending batches from one thread, at most `rate` batches per second each."""

    def __init__(self, rate: float = 15.0) -> None:
        self.interval = 1.0 / rate
        self._cond = threading.Condition()
        self._dirty: set[Informer[Any]] = set()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="cockpit-dispatch", daemon=True)
        self._thread.start()

    def mark(self, informer: Informer[Any]) -> None:
        with self._cond:
            self._dirty.add(informer)
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
            time.sleep(self.interval)  # coalesce what arrives meanwhile
            with self._cond:
                ready, self._dirty = self._dirty, set()
            for informer in ready:
                informer._flush()


class Informer(Generic[T]):
    """A shared list+watch of one resource kind in one namespace ("" = all namespaces)."""

    def __init__(
        self,
        api: KubeApi,
        kind: ResourceKind,
        namespace: str | None,
        summarize: Summarize[T],
        dispatcher: Dispatcher,
        page_size: int = 500,
        read_timeout: float = 60.0,
        backoff: Backoff | None = None,
        denied_retry: float = 30.0,
        watch_timeout: tuple[int, int] = (240, 300),
        fallback_namespace: str | None = None,
    ) -> None:
        self.api = api
        self.kind = kind
        self.namespace = namespace or ""
        self._key: InformerKey = (kind.group, kind.version, kind.plural, self.namespace)
        self.summarize = summarize
        self.page_size = page_size
        self.read_timeout = read_timeout
        self.backoff = backoff or Backoff()
        self.denied_retry = denied_retry
        self.watch_timeout = watch_timeout  # server-side timeoutSeconds, picked in this range per watch
        self.fallback_namespace = fallback_namespace  # watched when the cluster-wide list is forbidden
        self.scope_note = ""  # says so when the fallback is in use
        self.resource_version = ""
        self.relists = 0  # how many full lists were made (1 at start, +1 per 410 or failure)
        self.expired = 0  # how many watches ended with 410 Gone
        self._dispatcher = dispatcher
        self._lock = threading.Lock()
        self._store: dict[str, T] = {}
        self._pending: ChangeSet[T] = ChangeSet(self.key)
        self._health = Health(InformerState.STARTING)
        self._subscribers: list[Subscriber] = []
        self._stop = threading.Event()
        self._synced = threading.Event()
        self._response: urllib3.BaseHTTPResponse | None = None
        self._thread: threading.Thread | None = None

    @property
    def key(self) -> InformerKey:
        return self._key

    @property
    def health(self) -> Health:
        return self._health

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
        if self._thread is None:
            name = f"informer-{self.kind.plural}-{self.namespace or 'all'}"
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        resp = self._response
        if resp is not None:
            with contextlib.suppress(Exception):  # already closed
                resp.shutdown()
        self._set_health(InformerState.STOPPED, self._health.error)

    def wait_synced(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        need_list = True
        while not self._stop.is_set():
            try:
                if need_list:
                    self._list_and_diff()
                    need_list = False
                self._watch()
                self.backoff.reset()
            except Gone:
                self.expired += 1
                need_list = True
            except ClusterError as err:
                if self._stop.is_set():
                    break
                need_list = True
                if err.problem is Problem.GONE:  # some servers refuse a stale watch with HTTP 410
                    self.expired += 1
                    continue
                if err.problem is Problem.FORBIDDEN and not self.namespace and self.fallback_namespace:
                    self.namespace = self.fallback_namespace
                    self.scope_note = (
                        f"namespace {self.namespace} only: listing {self.kind.resource} in all namespaces "
                        "is forbidden"
                    )
                    continue
                self._stop.wait(self._on_error(err))

    def _on_error(self, err: ClusterError) -> float:
        """Record the failure; return how long to wait before trying again."""
        if err.problem is Problem.FORBIDDEN:
            self._set_health(InformerState.FORBIDDEN, err.sentence)
            return self.denied_retry
        if err.problem is Problem.NOT_FOUND:
            what = {"argoproj.io": "ArgoCD", "cert-manager.io": "cert-manager"}.get(
                self.kind.group, self.kind.group
            )
            sentence = (
                f"{what} is not installed: this cluster has no {self.kind.resource} API "
                f"(CRD absent); install it or ignore this pane."
            )
            self._set_health(InformerState.NOT_INSTALLED, sentence)
            return self.denied_retry
        if err.problem is Problem.UNAUTHORIZED:
            self._set_health(InformerState.UNAUTHORIZED, err.sentence)
            return self.backoff.next()
        self._set_health(InformerState.RECONNECTING, err.sentence)
        return self.backoff.next()

    def _list(self) -> tuple[dict[str, T], str]:
        fresh: dict[str, T] = {}
        token = ""
        restarted = False
        while True:
            query: list[tuple[str, str | int | bool]] = [("limit", self.page_size)]
            if token:
                query.append(("continue", token))
            try:
                doc = self.api.get_json(self.kind.path(self.namespace or None), query, timeout=(5.0, 60.0))
            except ClusterError as err:
                if err.problem is Problem.GONE and token and not restarted:
                    fresh, token, restarted = {}, "", True  # continue token expired: list again whole
                    continue
                raise
            for obj in doc.get("items") or []:
                fresh[object_key(obj)] = self.summarize(obj)
            meta = doc.get("metadata") or {}
            token = meta.get("continue") or ""
            if not token:
                return fresh, str(meta.get("resourceVersion", ""))

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
        self._set_health(InformerState.CONNECTED, "", good=True)
        self._synced.set()

    def _watch(self) -> None:
        """Follow one watch stream until it ends; raises Gone on 410, ClusterError on failures."""
        server_timeout = random.randint(*self.watch_timeout)
        query: list[tuple[str, str | int | bool]] = [
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", server_timeout),
        ]
        if self.resource_version:
            query.append(("resourceVersion", self.resource_version))
        resp = self.api.open(
            "GET",
            self.kind.path(self.namespace or None),
            query,
            timeout=(5.0, self.read_timeout),
            what=f"watch {self.kind.resource}",
        )
        self._response = resp
        self._set_health(InformerState.CONNECTED, "", good=True)
        try:
            for line in _lines(resp):
                if self._stop.is_set():
                    return
                self._event(loads(line))
        except urllib3.exceptions.ReadTimeoutError:
            return  # silent stream: resume from the last resourceVersion
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if self._stop.is_set():
                return
            raise ClusterError(transport_sentence(self.api.server, exc), Problem.UNREACHABLE) from exc
        finally:
            self._response = None
            resp.release_conn()

    def _event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        obj = event.get("object") or {}
        if kind == "ERROR":
            code = int(obj.get("code") or 0)
            if code == 410:
                raise Gone()
            raise self.api.error(code, str(obj.get("message", "")), f"watch {self.kind.resource}")
        rv = str((obj.get("metadata") or {}).get("resourceVersion", ""))
        key = object_key(obj)
        with self._lock:
            if kind in ("ADDED", "MODIFIED"):
                row = self.summarize(obj)
                if self._store.get(key) != row:
                    self._store[key] = row
                    self._pending.upserts[key] = row
                    self._pending.deletes.discard(key)
                    dirty = True
                else:
                    dirty = False
            elif kind == "DELETED":
                dirty = self._store.pop(key, None) is not None
                if dirty:
                    self._pending.upserts.pop(key, None)
                    self._pending.deletes.add(key)
            else:  # BOOKMARK
                dirty = False
            if rv:
                self.resource_version = rv
        self._health = Health(InformerState.CONNECTED, "", time.time(), True)
        if dirty:
            self._dispatcher.mark(self)

    def _set_health(self, state: InformerState, error: str, good: bool = False) -> None:
        old = self._health
        last_good = time.time() if good else old.last_good
        self._health = Health(state, error, last_good, self._synced.is_set() or good)
        if old.state != state or old.error != error or good:
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


def _lines(resp: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    buf = b""
    while True:
        chunk = resp.read1(65536)  # type: ignore[attr-defined]
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


class InformerRegistry:
    """Every informer of one cluster, keyed by (group, version, plural, namespace): one watch each."""

    def __init__(self, api: KubeApi, dispatcher: Dispatcher | None = None, **informer_options: Any) -> None:
        self.api = api
        self.dispatcher = dispatcher or Dispatcher()
        self.options = informer_options
        self._lock = threading.Lock()
        self._informers: dict[InformerKey, Informer[Any]] = {}

    def get(
        self,
        kind: ResourceKind,
        namespace: str | None,
        summarize: Summarize[T],
        fallback_namespace: str | None = None,
    ) -> Informer[T]:
        """The running informer for this kind and namespace, started on first use.

        `fallback_namespace`: for a cluster-wide informer, the namespace to watch instead when
        RBAC forbids listing all namespaces (kubectl's default namespace)."""
        key = (kind.group, kind.version, kind.plural, namespace or "")
        with self._lock:
            informer = self._informers.get(key)
            if informer is None:
                options = dict(self.options)
                if fallback_namespace and not namespace:
                    options["fallback_namespace"] = fallback_namespace
                informer = Informer(self.api, kind, namespace, summarize, self.dispatcher, **options)
                self._informers[key] = informer
                informer.start()
            return informer

    def all(self) -> list[Informer[Any]]:
        with self._lock:
            return list(self._informers.values())

    def stop(self) -> None:
        for informer in self.all():
            informer.stop()
        self.dispatcher.stop()
