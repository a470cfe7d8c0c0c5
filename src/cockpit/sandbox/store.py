"""The sandbox's object store: full Kubernetes JSON objects in memory, thread-safe, watchable.

Objects are plain dicts exactly as the API serves them. A stored object is never changed in place:
every write stores a new dict, so readers that ask for references (`select`, `entry`, watch events)
may keep them without copying; `get` and `list` hand out copies that callers may change and pass
back to `update`.

- resourceVersion comes from one global counter, as etcd's revision does; a write that changes
  nothing (same object after metadata bookkeeping) keeps it and emits no event.
- `subscribe(callback)` is for controllers: `callback(event_type, resource_type, obj)` runs after
  each change, in the thread that made it, outside the store's lock (it may write to the store).
- `watch(...)` is for API watch requests: it replays the history after a resourceVersion (or raises
  410 Expired when that history is gone), then delivers live events in order, under the lock, so
  the delivery callback must only queue (e.g. `loop.call_soon_threadsafe`).
- Deleting follows ownerReferences like the garbage collector: Background, Foreground or Orphan.
- `create(..., dry_run=True)` and `mutate(..., dry_run=True)` answer as the write would (the same
  checks, the same object) and change nothing: no entry, no event, no resourceVersion, and the
  seeded random names and uids of later writes stay what they would have been (dryRun=All).
"""

from __future__ import annotations

import base64
import bisect
import builtins
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import orjson

from cockpit.sandbox import errors
from cockpit.sandbox.patch import json_patch, merge_patch, strategic_merge
from cockpit.sandbox.resources import JOBS, NAMESPACES, RESOURCES, ResourceType
from cockpit.sandbox.selectors import (
    FieldSelector,
    LabelSelector,
    parse_field_selector,
    parse_label_selector,
)

T = TypeVar("T")
ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"
Obj = dict[str, Any]
Key = tuple[ResourceType, str, str]  # (type, namespace or "", name)
Subscriber = Callable[[str, ResourceType, Obj], None]
Deliver = Callable[[str, "Entry | None", int], None]

_GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_BOOKKEEPING = ("resourceVersion", "generation", "managedFields", "uid", "creationTimestamp")


def clone(obj: T) -> T:
    """A deep copy of JSON data (several times faster than copy.deepcopy)."""
    return cast(T, orjson.loads(orjson.dumps(obj)))


def timestamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class Entry:
    """One stored object (read-only) and its JSON encoding, made once on first use."""

    __slots__ = ("_raw", "obj")

    def __init__(self, obj: Obj) -> None:
        self.obj = obj
        self._raw: bytes | None = None

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = orjson.dumps(self.obj)
        return self._raw

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    @property
    def namespace(self) -> str:
        return str(self.obj["metadata"].get("namespace", ""))


@dataclass(frozen=True)
class Event:
    type: str
    rt: ResourceType
    entry: Entry
    old: Entry | None  # the previous state for MODIFIED and DELETED (list snapshots undo writes)
    rv: int


@dataclass
class Page:
    """One page of a list: entries in key order, the list's resourceVersion, paging state."""

    entries: list[Entry]
    resource_version: int
    continue_token: str | None = None
    remaining: int | None = None


class Watch:
    """A registered API watch; `cancel()` stops delivery."""

    def __init__(
        self,
        store: Store,
        rt: ResourceType,
        namespace: str | None,
        labels: LabelSelector,
        fields: FieldSelector,
        deliver: Deliver,
    ) -> None:
        self.store, self.rt, self.namespace = store, rt, namespace
        self.labels, self.fields, self.deliver = labels, fields, deliver

    def _match(self, entry: Entry | None) -> bool:
        if entry is None:
            return False
        if self.namespace and entry.namespace != self.namespace:
            return False
        return self.labels.matches(entry.obj["metadata"].get("labels")) and self.fields.matches(
            self.rt, entry.obj
        )

    def offer(self, event: Event) -> None:
        now = self._match(event.entry)
        if event.type == MODIFIED:
            before = self._match(event.old)
            if now and before:
                self.deliver(MODIFIED, event.entry, event.rv)
            elif now:
                self.deliver(ADDED, event.entry, event.rv)
            elif before:
                self.deliver(DELETED, event.entry, event.rv)
        elif now:
            self.deliver(event.type, event.entry, event.rv)

    def bookmark(self, kind: str = "BOOKMARK") -> None:
        """Deliver (kind, None, current resourceVersion) in order with the events."""
        with self.store._lock:
            self.deliver(kind, None, self.store.resource_version)

    def cancel(self) -> None:
        self.store._cancel_watch(self)


def encode_continue(resource_version: int, after: tuple[str, str]) -> str:
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": resource_version, "start": f"{after[0]}/{after[1]}\x00"})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        ns, _, name = str(data["start"]).rstrip("\x00").partition("/")
        return int(data["rv"]), (ns, name)
    except (ValueError, KeyError, TypeError) as exc:
        raise errors.bad_request(f"continue key is not valid: {exc}") from None


class Store:
    def __init__(self, *, seed: int = 0, clock: Callable[[], float] = time.time, history: int = 5000) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._dry_rng = random.Random()  # names and uids of dry runs: the seeded sequence stays as it was
        self.clock = clock
        self._rv = 0
        self._data: dict[ResourceType, dict[str, dict[str, Entry]]] = {rt: {} for rt in RESOURCES}
        self._uids: dict[str, Key] = {}
        self._dependents: dict[str, set[Key]] = {}
        self._history: dict[ResourceType, deque[Event]] = {rt: deque(maxlen=history) for rt in RESOURCES}
        self._floor: dict[ResourceType, int] = dict.fromkeys(RESOURCES, 0)
        self._watches: dict[ResourceType, list[Watch]] = {rt: [] for rt in RESOURCES}
        self._subscribers: list[Subscriber] = []
        self._sorted: dict[tuple[ResourceType, str], list[str]] = {}  # names in order, dropped on add/remove
        self._due: dict[Key, float] = {}  # gracefully deleted objects and when they go

    # ---- reading -------------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        return self._rv

    def now(self) -> str:
        return timestamp(self.clock())

    def entry(self, rt: ResourceType, namespace: str | None, name: str) -> Entry | None:
        """The stored entry (read-only) or None."""
        with self._lock:
            return self._data[rt].get((namespace or "") if rt.namespaced else "", {}).get(name)

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        """A copy of the object; raises ApiError 404 as a real server words it."""
        entry = self.entry(rt, namespace, name)
        if entry is None:
            raise errors.not_found(rt, name)
        return clone(entry.obj)

    def exists(self, rt: ResourceType, namespace: str | None, name: str) -> bool:
        return self.entry(rt, namespace, name) is not None

    def count(self, rt: ResourceType, namespace: str | None = None) -> int:
        with self._lock:
            if namespace:
                return len(self._data[rt].get(namespace, {}))
            return sum(len(v) for v in self._data[rt].values())

    def namespaces_of(self, rt: ResourceType) -> list[str]:
        with self._lock:
            return sorted(ns for ns, objs in self._data[rt].items() if objs)

    def select(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        labels: LabelSelector | None = None,
        fields: FieldSelector | None = None,
        limit: int = 0,
        continue_token: str | None = None,
    ) -> Page:
        """Matching entries (read-only references) in (namespace, name) order, optionally one page.

        Pages are one consistent snapshot, as a real API server's are: the continue token pins the
        first page's resourceVersion, and later pages show the objects as they were then (writes
        made since are undone from the event history). When that history is gone (compacted or
        rolled over), a continue token answers 410 Expired and the client must list again."""
        labels = labels or LabelSelector()
        fields = fields or FieldSelector()
        after: tuple[str, str] | None = None
        with self._lock:
            overlay: dict[str, dict[str, Entry | None]] = {}  # namespace -> name -> entry then
            if continue_token:
                rv, after = decode_continue(continue_token)
                overlay = self._as_of(rt, rv)
            else:
                rv = self._rv
            buckets = self._data[rt]
            if rt.namespaced and namespace:
                spaces = [namespace] if namespace in buckets or namespace in overlay else []
            else:
                spaces = sorted(buckets.keys() | overlay.keys()) if overlay else sorted(buckets)
            name_filter = fields.value_of("metadata.name")
            plain = labels.empty and fields.empty
            out: list[Entry] = []
            more = False
            remaining = 0
            last: tuple[str, str] = ("", "")
            for ns in spaces:
                if after and ns < after[0]:
                    continue
                bucket = buckets.get(ns, {})
                changed = overlay.get(ns, {})
                if name_filter is not None:
                    names = [name_filter] if name_filter in bucket or name_filter in changed else []
                else:
                    names = self._sorted_names(rt, ns)
                    gone_since = [name for name in changed if name not in bucket]
                    if gone_since:  # deleted after the snapshot: put back in their place
                        names = list(names)
                        for name in gone_since:
                            bisect.insort(names, name)
                begin = bisect.bisect_right(names, after[1]) if after and ns == after[0] else 0
                if more:  # only counting what is left (no selectors: lengths are enough)
                    remaining += len(names) - begin
                    continue
                for index in range(begin, len(names)):
                    name = names[index]
                    entry = changed[name] if name in changed else bucket[name]
                    if entry is None:  # created after the snapshot
                        continue
                    obj = entry.obj
                    if not labels.empty and not labels.matches(obj["metadata"].get("labels")):
                        continue
                    if not fields.empty and not fields.matches(rt, obj):
                        continue
                    if limit and len(out) >= limit:
                        more = True
                        remaining = len(names) - index
                        break
                    out.append(entry)
                    last = (ns, name)
                if more and not plain:
                    break  # a real server gives no remainingItemCount for a filtered list
            token = encode_continue(rv, last) if more else None
            return Page(out, rv, token, remaining if more and plain else None)

    def _as_of(self, rt: ResourceType, rv: int) -> dict[str, dict[str, Entry | None]]:
        """The objects written after resourceVersion `rv`, as they were at `rv` (None: not there
        yet), by namespace and name; 410 Expired when the history no longer reaches back to `rv`."""
        if rv < self._floor[rt]:
            raise errors.expired(
                "The provided continue parameter is too old to display a consistent list result. "
                "You can start a new list without the continue parameter."
            )
        then: dict[str, dict[str, Entry | None]] = {}
        for event in reversed(self._history[rt]):
            if event.rv <= rv:
                break
            ns = event.entry.namespace if rt.namespaced else ""
            then.setdefault(ns, {})[event.entry.name] = None if event.type == ADDED else event.old
        return then  # (walking back, the earliest write after `rv` is the last one set: it wins)

    def _sorted_names(self, rt: ResourceType, ns: str) -> list[str]:
        names = self._sorted.get((rt, ns))
        if names is None:
            names = sorted(self._data[rt].get(ns, {}))
            self._sorted[(rt, ns)] = names
        return names

    def list(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        label_selector: str | LabelSelector | None = None,
        field_selector: str | FieldSelector | None = None,
    ) -> builtins.list[Obj]:
        """Copies of the matching objects (selectors as strings, as a client writes them)."""
        labels = (
            label_selector
            if isinstance(label_selector, LabelSelector)
            else parse_label_selector(label_selector)
        )
        fields = (
            field_selector
            if isinstance(field_selector, FieldSelector)
            else parse_field_selector(field_selector, rt)
        )
        return [clone(e.obj) for e in self.select(rt, namespace, labels, fields).entries]

    def dependents(self, owner_uid: str) -> builtins.list[tuple[ResourceType, Obj]]:
        """Objects whose ownerReferences name this uid (read-only references)."""
        with self._lock:
            out = []
            for rt, ns, name in self._dependents.get(owner_uid, ()):
                entry = self._data[rt].get(ns, {}).get(name)
                if entry is not None:
                    out.append((rt, entry.obj))
            return out

    # ---- writing -------------------------------------------------------------------------------

    @staticmethod
    def _new_uid(rng: random.Random) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    @staticmethod
    def _random_suffix(rng: random.Random, length: int = 5) -> str:
        return "".join(rng.choice(_GENERATE_ALPHABET) for _ in range(length))

    def create(
        self,
        rt: ResourceType,
        obj: Obj,
        namespace: str | None = None,
        *,
        copy: bool = True,
        dry_run: bool = False,
    ) -> Obj:
        """Store a new object; fills apiVersion, kind, uid, resourceVersion, creationTimestamp, generation.

        A creationTimestamp already present is kept (scenarios age their objects). Returns a copy.
        With dry_run, returns the object as it would be created (no resourceVersion) and stores nothing.
        """
        obj = clone(obj) if copy else obj
        with self._lock:
            entry = self._create(rt, obj, namespace, dry_run=dry_run)
            if dry_run:
                return clone(entry.obj)
            events = [self._record(ADDED, rt, entry, None)]
        self._notify(events)
        return clone(entry.obj)

    def create_many(self, rt: ResourceType, objs: Iterable[Obj]) -> builtins.list[Obj]:
        """Store new objects (each in its metadata.namespace) as `create` does, but without copies:
        the store keeps the given objects, so don't change them afterwards, and returns the stored
        ones, to read only. For bulk builders (50,000 filler pods): about three times faster than
        `create` one by one. On an error (a name taken) the objects before it stay created."""
        events: list[Event] = []
        try:
            with self._lock:
                for obj in objs:
                    entry = self._create(rt, obj, None)
                    events.append(self._record(ADDED, rt, entry, None))
        finally:
            self._notify(events)
        return [event.entry.obj for event in events]

    def _create(self, rt: ResourceType, obj: Obj, namespace: str | None, *, dry_run: bool = False) -> Entry:
        meta = obj.setdefault("metadata", {})
        rng = self._dry_rng if dry_run else self._rng
        if not meta.get("name"):
            prefix = meta.get("generateName")
            if not prefix:
                raise errors.invalid(
                    rt, "", [("metadata.name", "Required value: name or generateName is required")]
                )
            meta["name"] = prefix + self._random_suffix(rng)
        ns = ""
        if rt.namespaced:
            ns = namespace or meta.get("namespace") or "default"
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        name = meta["name"]
        if name in self._data[rt].get(ns, {}):
            raise errors.already_exists(rt, name)
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        meta["uid"] = self._new_uid(rng)
        if dry_run:
            meta.pop("resourceVersion", None)
        else:
            self._rv += 1
            meta["resourceVersion"] = str(self._rv)
        if not meta.get("creationTimestamp"):  # clients send null; scenarios send an aged one
            meta["creationTimestamp"] = self.now()
        if rt.group:  # core objects (pods, configmaps, ...) carry no generation on a real server
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        meta.pop("deletionTimestamp", None)
        if "managedFields" in meta:
            del meta["managedFields"]
        _omit_empty(meta)
        entry = _entry_in_server_order(obj)
        if dry_run:
            return entry
        self._data[rt].setdefault(ns, {})[name] = entry
        self._sorted.pop((rt, ns), None)
        self._index(rt, entry, None)
        return entry

    def update(self, rt: ResourceType, obj: Obj, *, check_version: bool = False, copy: bool = True) -> Obj:
        """Replace an object (found by namespace/name). With check_version, a stale
        metadata.resourceVersion gives 409 Conflict. A no-op keeps the resourceVersion."""
        obj = clone(obj) if copy else obj
        with self._lock:
            meta = obj.get("metadata") or {}
            old = self.entry(rt, meta.get("namespace"), meta.get("name", ""))
            if old is None:
                raise errors.not_found(rt, meta.get("name", ""))
            if (
                check_version
                and meta.get("resourceVersion")
                and (meta["resourceVersion"] != old.obj["metadata"]["resourceVersion"])
            ):
                raise errors.conflict(rt, old.name)
            entry, events = self._replace(rt, old, obj)
        self._notify(events)
        return clone(entry.obj)

    def put(self, rt: ResourceType, obj: Obj) -> None:
        """Replace an object with `obj` as `update` does, but without a copy in or out: the store
        keeps `obj` (don't change it afterwards) and returns nothing. `obj` may share unchanged
        parts with the stored version (stored objects are never changed in place): a writer that
        builds each version itself (the churn, thousands a second) copies only what it changes."""
        with self._lock:
            meta = obj.get("metadata") or {}
            old = self.entry(rt, meta.get("namespace"), meta.get("name", ""))
            if old is None:
                raise errors.not_found(rt, meta.get("name", ""))
            _entry, events = self._replace(rt, old, obj)
        self._notify(events)

    def patch(
        self, rt: ResourceType, namespace: str | None, name: str, patch: Any, kind: str = "merge"
    ) -> Obj:
        """Apply a patch as the API would: kind "merge" (RFC 7386), "json" (RFC 6902) or "strategic"."""
        apply = {"merge": merge_patch, "json": json_patch, "strategic": strategic_merge}.get(kind)
        if apply is None:
            raise ValueError(f"unknown patch kind {kind!r}: use merge, json or strategic")
        return self.mutate(rt, namespace, name, lambda current: apply(current, patch))

    def mutate(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        change: Callable[[Obj], Obj | None],
        *,
        dry_run: bool = False,
    ) -> Obj:
        """Read-modify-write under the lock: `change` gets a copy, edits it (or returns a new one).
        With dry_run, returns the object as it would be stored and changes nothing."""
        with self._lock:
            old = self.entry(rt, namespace, name)
            if old is None:
                raise errors.not_found(rt, name)
            draft = clone(old.obj)
            result = change(draft)
            if dry_run:
                would = self._as_replacement(rt, old, draft if result is None else result)
                return clone(old.obj) if would is None else _entry_in_server_order(would).obj
            entry, events = self._replace(rt, old, draft if result is None else result)
        self._notify(events)
        return clone(entry.obj)

    def _as_replacement(self, rt: ResourceType, old: Entry, obj: Obj) -> Obj | None:
        """`obj` as it replaces `old`: the server's bookkeeping kept, generation counted up on a
        spec change; None when nothing would change. The resourceVersion stays the old one."""
        old_meta = old.obj["metadata"]
        meta = obj.setdefault("metadata", {})
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        meta["name"] = old_meta["name"]
        if rt.namespaced:
            meta["namespace"] = old_meta["namespace"]
        for field in _BOOKKEEPING:
            if field in old_meta:
                meta[field] = old_meta[field]
            else:
                meta.pop(field, None)
        if "deletionTimestamp" in old_meta:
            meta["deletionTimestamp"] = old_meta["deletionTimestamp"]
        _omit_empty(meta)
        if obj == old.obj:
            return None
        if rt.group and _spec_of(obj) != _spec_of(old.obj):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        return obj

    def _replace(self, rt: ResourceType, old: Entry, obj: Obj) -> tuple[Entry, builtins.list[Event]]:
        replacement = self._as_replacement(rt, old, obj)
        if replacement is None:
            return old, []
        obj, old_meta = replacement, old.obj["metadata"]
        meta = obj["metadata"]
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        entry = _entry_in_server_order(obj)
        ns = old.namespace if rt.namespaced else ""
        self._data[rt][ns][entry.name] = entry
        self._index(rt, entry, old)
        events = [self._record(MODIFIED, rt, entry, old)]
        if "deletionTimestamp" in meta and not meta.get("finalizers") and old_meta.get("finalizers"):
            events += self._remove(rt, entry, "Background")  # the last finalizer is gone
        return entry, events

    def delete(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        propagation: str | None = None,
        *,
        uid: str | None = None,
        resource_version: str | None = None,
    ) -> tuple[Obj, bool]:
        """Delete one object; returns (its last state, deleted_now). An object with finalizers, or a
        Foreground deletion, is only marked (deletionTimestamp) until its finalizers are gone."""
        with self._lock:
            entry, policy = self._deletable(rt, namespace, name, propagation, uid, resource_version)
            meta = entry.obj["metadata"]
            events: builtins.list[Event] = []
            if meta.get("finalizers") or policy == "Foreground":
                marked = clone(entry.obj)
                marked["metadata"].setdefault("deletionTimestamp", self.now())
                if policy == "Foreground":
                    self._collect(rt, entry, "Foreground", events)
                    marked["metadata"]["finalizers"] = [
                        f for f in marked["metadata"].get("finalizers", []) if f != "foregroundDeletion"
                    ]
                if policy == "Orphan":
                    self._orphan(entry, events)
                if marked["metadata"].get("finalizers"):
                    new, more = self._replace(rt, entry, marked)
                    events += more
                    result, gone = new.obj, False
                else:
                    events += self._remove(rt, entry, "Background", marked=marked)
                    result, gone = marked, True
            else:
                events += self._remove(rt, entry, policy)
                result, gone = entry.obj, True
        self._notify(events)
        return clone(result), gone

    def _deletable(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        propagation: str | None,
        uid: str | None,
        resource_version: str | None,
    ) -> tuple[Entry, str]:
        """The entry a delete would act on and its propagation policy, after the server's checks
        (404, the uid and resourceVersion preconditions, the policy's spelling)."""
        entry = self.entry(rt, namespace, name)
        if entry is None:
            raise errors.not_found(rt, name)
        meta = entry.obj["metadata"]
        if uid and uid != meta["uid"]:
            raise errors.conflict(
                rt,
                name,
                f"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta['uid']}",
            )
        if resource_version and resource_version != meta["resourceVersion"]:
            raise errors.conflict(
                rt,
                name,
                f"Precondition failed: ResourceVersion in precondition: "
                f"{resource_version}, ResourceVersion in object meta: "
                f"{meta['resourceVersion']}",
            )
        policy = propagation or ("Orphan" if rt is JOBS else "Background")
        if policy not in ("Background", "Foreground", "Orphan"):
            raise errors.bad_request(
                f'DeleteOptions.propagationPolicy: Unsupported value: "{policy}": '
                f'supported values: "Foreground", "Background", "Orphan"'
            )
        return entry, policy

    def would_delete(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        propagation: str | None = None,
        *,
        uid: str | None = None,
        resource_version: str | None = None,
    ) -> tuple[Obj, bool]:
        """What `delete` would answer (dryRun=All), changing nothing: (the object's state, whether
        it would be gone now rather than marked while finalizers remain)."""
        with self._lock:
            entry, policy = self._deletable(rt, namespace, name, propagation, uid, resource_version)
            meta = entry.obj["metadata"]
            if not meta.get("finalizers") and policy != "Foreground":
                return clone(entry.obj), True
            marked = clone(entry.obj)
            marked["metadata"].setdefault("deletionTimestamp", self.now())
            left = [f for f in marked["metadata"].get("finalizers", []) if f != "foregroundDeletion"]
            if policy == "Foreground":
                marked["metadata"]["finalizers"] = left
                _omit_empty(marked["metadata"])
            return marked, not left

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        labels: LabelSelector | None = None,
        fields: FieldSelector | None = None,
        propagation: str | None = None,
    ) -> builtins.list[Obj]:
        """Delete every matching object; returns their last states."""
        out = []
        for entry in self.select(rt, namespace, labels, fields).entries:
            try:
                obj, _ = self.delete(rt, entry.namespace, entry.name, propagation)
            except errors.ApiError:
                continue  # already gone (garbage collected with an earlier one)
            out.append(obj)
        return out

    def _remove(
        self, rt: ResourceType, entry: Entry, policy: str, marked: Obj | None = None
    ) -> builtins.list[Event]:
        events: builtins.list[Event] = []
        if policy == "Orphan":
            self._orphan(entry, events)
        ns = entry.namespace if rt.namespaced else ""
        bucket = self._data[rt].get(ns, {})
        if bucket.get(entry.name) is not entry:
            return events
        del bucket[entry.name]
        self._sorted.pop((rt, ns), None)
        if not bucket:
            del self._data[rt][ns]
        self._unindex(rt, entry)
        self._rv += 1
        last = marked if marked is not None else entry.obj  # the rest is shared: never changed in place
        final = {**last, "metadata": {**last["metadata"], "resourceVersion": str(self._rv)}}
        events.append(self._record(DELETED, rt, Entry(final), entry))
        if policy != "Orphan":
            self._collect(rt, entry, policy, events)
        if rt is NAMESPACES:
            for other in RESOURCES:
                if other.namespaced:
                    for child in list(self._data[other].get(entry.name, {}).values()):
                        events += self._remove(other, child, "Background")
        return events

    def _collect(self, rt: ResourceType, owner: Entry, policy: str, events: builtins.list[Event]) -> None:
        """Garbage-collect the dependents of a deleted owner whose other owners are gone too."""
        uid = owner.obj["metadata"]["uid"]
        for drt, dns, dname in sorted(self._dependents.get(uid, ()), key=lambda k: (k[0].plural, k[1], k[2])):
            child = self._data[drt].get(dns, {}).get(dname)
            if child is None:
                continue
            others = [
                r
                for r in child.obj["metadata"].get("ownerReferences", [])
                if r.get("uid") != uid and r.get("uid") in self._uids
            ]
            if others:
                continue
            events += self._remove(drt, child, policy)

    def _orphan(self, owner: Entry, events: builtins.list[Event]) -> None:
        uid = owner.obj["metadata"]["uid"]
        for drt, dns, dname in list(self._dependents.get(uid, ())):
            child = self._data[drt].get(dns, {}).get(dname)
            if child is None:
                continue
            draft = clone(child.obj)
            refs = [r for r in draft["metadata"].get("ownerReferences", []) if r.get("uid") != uid]
            if refs:
                draft["metadata"]["ownerReferences"] = refs
            else:
                draft["metadata"].pop("ownerReferences", None)
            _, more = self._replace(drt, child, draft)
            events += more

    # ---- indexes and events --------------------------------------------------------------------

    def _index(self, rt: ResourceType, entry: Entry, old: Entry | None) -> None:
        key = (rt, entry.namespace if rt.namespaced else "", entry.name)
        if old is not None:
            self._unindex(rt, old)
        self._uids[entry.obj["metadata"]["uid"]] = key
        for ref in entry.obj["metadata"].get("ownerReferences") or []:
            if ref.get("uid"):
                self._dependents.setdefault(ref["uid"], set()).add(key)

    def _unindex(self, rt: ResourceType, entry: Entry) -> None:
        key = (rt, entry.namespace if rt.namespaced else "", entry.name)
        self._uids.pop(entry.obj["metadata"]["uid"], None)
        for ref in entry.obj["metadata"].get("ownerReferences") or []:
            deps = self._dependents.get(ref.get("uid", ""))
            if deps is not None:
                deps.discard(key)
                if not deps:
                    del self._dependents[ref["uid"]]

    def _record(self, kind: str, rt: ResourceType, entry: Entry, old: Entry | None) -> Event:
        event = Event(kind, rt, entry, old, self._rv)
        history = self._history[rt]
        if len(history) == history.maxlen:
            self._floor[rt] = history[0].rv
        history.append(event)
        for watch in self._watches[rt]:
            watch.offer(event)
        return event

    def _notify(self, events: Iterable[Event]) -> None:
        subscribers = list(self._subscribers)
        for event in events:
            for callback in subscribers:
                callback(event.type, event.rt, event.entry.obj)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event_type, resource_type, obj)` after every change; returns an unsubscribe.
        The object is the stored one: read it, don't change it (copy first)."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def watch(
        self,
        rt: ResourceType,
        namespace: str | None,
        resource_version: str | None,
        labels: LabelSelector,
        fields: FieldSelector,
        deliver: Deliver,
    ) -> Watch:
        """Register an API watch. RV ""/"0"/None: ADDED for every current match first; an RV: the
        events after it (410 Expired if they are no longer kept); then live events."""
        watch = Watch(self, rt, namespace, labels, fields, deliver)
        with self._lock:
            if resource_version in (None, "", "0"):
                for entry in self.select(rt, namespace, labels, fields).entries:
                    deliver(ADDED, entry, int(entry.obj["metadata"]["resourceVersion"]))
            else:
                try:
                    since = int(resource_version)
                except ValueError:
                    raise errors.bad_request(f'invalid resource version "{resource_version}"') from None
                floor = self._floor[rt]
                if since < floor:
                    raise errors.expired(f"too old resource version: {since} ({floor + 1})")
                for event in self._history[rt]:
                    if event.rv > since:
                        watch.offer(event)
            self._watches[rt].append(watch)
        return watch

    def _cancel_watch(self, watch: Watch) -> None:
        with self._lock:
            if watch in self._watches[watch.rt]:
                self._watches[watch.rt].remove(watch)

    def terminate(
        self, rt: ResourceType, namespace: str | None, name: str, grace: float, shutdown: float
    ) -> Obj:
        """Graceful deletion (a pod given its grace period): the object gets deletionTimestamp
        (now + grace) and deletionGracePeriodSeconds, shows as Terminating, and is removed
        `shutdown` seconds later by `reap()`. Returns its marked state."""
        with self._lock:
            entry = self.entry(rt, namespace, name)
            if entry is None:
                raise errors.not_found(rt, name)
            if "deletionTimestamp" in entry.obj["metadata"]:
                return clone(entry.obj)  # already going
            marked = clone(entry.obj)
            marked["metadata"]["deletionTimestamp"] = timestamp(self.clock() + grace)
            marked["metadata"]["deletionGracePeriodSeconds"] = int(grace)
            new, events = self._replace(rt, entry, marked)
            self._due[(rt, new.namespace if rt.namespaced else "", name)] = self.clock() + shutdown
        self._notify(events)
        return clone(new.obj)

    def reap(self) -> int:
        """Remove the gracefully deleted objects whose shutdown is over; returns how many went."""
        now = self.clock()
        events: list[Event] = []
        with self._lock:
            for key in [k for k, due in self._due.items() if due <= now]:
                del self._due[key]
                rt, ns, name = key
                entry = self._data[rt].get(ns, {}).get(name)
                if entry is not None and "deletionTimestamp" in entry.obj["metadata"]:
                    events += self._remove(rt, entry, "Background")
        self._notify(events)
        return sum(1 for e in events if e.type == DELETED)

    def compact(self) -> int:
        """Forget the event history (as etcd compaction does): watches from an older
        resourceVersion get 410 Expired. Returns the resourceVersion compacted to."""
        with self._lock:
            for rt in RESOURCES:
                self._history[rt].clear()
                self._floor[rt] = self._rv
            return self._rv


def _entry_in_server_order(obj: Obj) -> Entry:
    """Key order as a real server prints it: apiVersion, kind, metadata, spec, status."""
    ordered = {"apiVersion": obj.pop("apiVersion"), "kind": obj.pop("kind"), "metadata": obj.pop("metadata")}
    ordered.update(obj)
    return Entry(ordered)


def _omit_empty(meta: Obj) -> None:
    """Drop empty or null metadata maps and lists, as a real server's encoding (omitempty) does."""
    for key in ("labels", "annotations", "finalizers", "ownerReferences", "generateName"):
        if key in meta and not meta[key]:
            del meta[key]


def _spec_of(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}
