"""A watch request as a stream of newline-delimited JSON events (chunked by the HTTP server).

- resourceVersion ""/"0": ADDED for every current object, then changes; an older version: the
  changes after it, or a single ERROR event with a 410 Expired Status and the end of the stream.
- BOOKMARK events only with allowWatchBookmarks (periodically, and in order with the changes).
- Table events when the request asked for Tables (column definitions on the first event).
- The stream ends after timeoutSeconds, or as soon as the client has gone.
- A watcher that falls more than MAX_BEHIND changes behind (a client that stopped reading while
  the churn makes thousands a second) gets what is queued and then the end of its stream, as
  kube-apiserver ends a slow watcher: the client watches again from the last version it read
  (or lists again when that is too old). Without it the sandbox kept every change for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from cockpit.sandbox import tables
from cockpit.sandbox.errors import ApiError
from cockpit.sandbox.http import Request
from cockpit.sandbox.resources import ResourceType
from cockpit.sandbox.selectors import FieldSelector, LabelSelector
from cockpit.sandbox.store import Entry, Store, Watch

INITIAL_EVENTS_END = "INITIAL_EVENTS_END"  # the bookmark that ends sendInitialEvents' replay
POLL_SECONDS = 0.5  # how often an idle watch checks whether its client has gone
MAX_BEHIND = 20_000  # changes queued for one watcher (10 s at 2,000/s) before its stream ends
_BEHIND = "BEHIND"  # the queue's last item for a watcher that fell too far behind


@dataclass
class WatchOptions:
    rt: ResourceType
    namespace: str | None
    resource_version: str | None
    labels: LabelSelector
    fields: FieldSelector
    timeout: float
    bookmarks: bool
    bookmark_interval: float
    as_table: bool
    include: str = "Metadata"
    initial_events: bool = False  # sendInitialEvents: every object, then a bookmark marking their end


def _encode(options: WatchOptions, kind: str, entry: Entry | None, rv: int, first: bool, now: float) -> bytes:
    rt = options.rt
    if kind in ("BOOKMARK", INITIAL_EVENTS_END) or entry is None:
        obj: dict[str, Any] = {
            "kind": rt.kind,
            "apiVersion": rt.api_version,
            "metadata": {"resourceVersion": str(rv)},
        }
        if kind == INITIAL_EVENTS_END:
            obj["metadata"]["annotations"] = {"k8s.io/initial-events-end": "true"}
        return orjson.dumps({"type": "BOOKMARK", "object": obj}) + b"\n"
    if not options.as_table:
        return b'{"type":"%s","object":%s}\n' % (kind.encode(), entry.raw)
    table = {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": entry.obj["metadata"].get("resourceVersion", str(rv))},
        "columnDefinitions": tables.columns_for(rt) if first else [],
        "rows": [tables.table_row(rt, entry.obj, now, options.include)],
    }
    return orjson.dumps({"type": kind, "object": table}) + b"\n"


async def watch_stream(
    store: Store, options: WatchOptions, req: Request, clock: Callable[[], float] = time.time
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Entry | None, int]] = asyncio.Queue()

    registered: list[Watch] = []
    queued = [0, -1]  # events queued, and the most allowed (set once the replay is queued; 0: over)

    def deliver(kind: str, entry: Entry | None, rv: int) -> None:
        if queued[1] == 0:
            return  # the watcher fell too far behind: its stream ends with what is queued
        queued[0] += 1
        if queued[0] == queued[1]:
            kind, entry, queued[1] = _BEHIND, None, 0
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, entry, rv))
        except RuntimeError:  # the server's loop has closed: this watch is over
            for gone in registered:
                gone.cancel()

    try:
        watch = store.watch(
            options.rt, options.namespace, options.resource_version, options.labels, options.fields, deliver
        )
    except ApiError as err:
        yield orjson.dumps({"type": "ERROR", "object": err.status()}) + b"\n"
        return
    registered.append(watch)
    queued[1] = queued[0] + MAX_BEHIND  # the replay (bounded by the store), then live changes
    if options.initial_events:
        watch.bookmark(INITIAL_EVENTS_END)
    first = True
    deadline = loop.time() + options.timeout
    next_bookmark = loop.time() + options.bookmark_interval
    try:
        while True:
            now = loop.time()
            if now >= deadline:
                break
            wait = min(deadline - now, POLL_SECONDS)
            if options.bookmarks:
                wait = max(0.0, min(wait, next_bookmark - now))
            try:
                async with asyncio.timeout(wait):  # not wait_for: in 3.11 it can swallow a cancel
                    item = await queue.get()
            except TimeoutError:
                if req.client_gone():
                    break
                if options.bookmarks and loop.time() >= next_bookmark:
                    watch.bookmark()
                    next_bookmark = loop.time() + options.bookmark_interval
                continue
            batch = [item]
            while not queue.empty() and len(batch) < 500:
                batch.append(queue.get_nowait())
            queued[0] -= len(batch)
            wall = clock()
            chunks = []
            for kind, entry, rv in batch:
                if kind == _BEHIND:
                    break
                if kind == "BOOKMARK" and not options.bookmarks:
                    continue
                chunks.append(_encode(options, kind, entry, rv, first, wall))
                first = first and kind == "BOOKMARK"
            yield b"".join(chunks)
            if batch[-1][0] == _BEHIND:
                break
    finally:
        watch.cancel()
