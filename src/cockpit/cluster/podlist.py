"""Decoding a pod list with only the fields the pods pane reads (the informer's list hook).

A full pod is ~6 KB of JSON, most of it in `spec` (containers' env, volumes, probes) and
`metadata.managedFields`/annotations; the pane's row needs a few hundred bytes. msgspec skips
the rest while parsing (in C), so a 10k-pod list decodes in a fraction of the time and memory
of parsing every object whole. What comes out is plain dicts shaped like the API's JSON (straight
from the parser, no conversion pass), so `summarize_pod` reads it exactly as it reads a full
object (a test holds the two equal).
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec
import orjson

from cockpit.cluster.pods import PodSummary, summarize_pod


# TypedDicts: msgspec fills plain dicts with the keys named here and skips every other field while
# parsing. Leaves are `Any`: a value of an unexpected type is passed on as it came, for
# `summarize_pod` to read as it would the whole object; `None` wherever the API may send null.
class _Owner(TypedDict, total=False):
    kind: Any
    name: Any


class _Meta(TypedDict, total=False):
    uid: Any
    name: Any
    namespace: Any
    creationTimestamp: Any
    deletionTimestamp: Any
    resourceVersion: Any
    labels: Any
    ownerReferences: list[_Owner] | None


class _Container(TypedDict, total=False):
    name: Any
    restartPolicy: Any


class _Spec(TypedDict, total=False):
    nodeName: Any
    containers: list[_Container] | None
    initContainers: list[_Container] | None


# `status` as far as kubectl's READY/STATUS/RESTARTS, LAST TERMINATION and WHY read it: the
# images, IDs, IPs and probe times beside these fields are skipped.
class _StateDetail(TypedDict, total=False):
    reason: Any
    message: Any
    signal: Any
    exitCode: Any
    finishedAt: Any


class _State(TypedDict, total=False):
    waiting: _StateDetail | None
    running: _StateDetail | None
    terminated: _StateDetail | None


class _ContainerStatus(TypedDict, total=False):
    name: Any
    ready: Any
    started: Any
    restartCount: Any
    state: _State | None
    lastState: _State | None


class _Condition(TypedDict, total=False):
    type: Any
    status: Any
    reason: Any
    message: Any


class _Status(TypedDict, total=False):
    phase: Any
    reason: Any
    conditions: list[_Condition] | None
    initContainerStatuses: list[_ContainerStatus] | None
    containerStatuses: list[_ContainerStatus] | None


class _Pod(TypedDict, total=False):
    metadata: _Meta | None
    spec: _Spec | None
    status: _Status | None


_ListMeta = TypedDict(  # `continue` is a Python keyword
    "_ListMeta", {"resourceVersion": Any, "continue": Any, "remainingItemCount": Any}, total=False
)


class _PodList(TypedDict, total=False):
    items: list[_Pod] | None
    metadata: _ListMeta | None
    kind: Any


_DECODER = msgspec.json.Decoder(_PodList)


def decode_pod_list(body: bytes) -> Any:
    """A PodList body -> {"items": [...], "metadata": {...}} with only the fields rows need. A body
    of another shape is parsed whole (orjson), so its errors read as they always did."""
    try:
        return _DECODER.decode(body)
    except msgspec.DecodeError:
        return orjson.loads(body)


class PodRows:
    """The pods informer's `summarize`, carrying the list decoder it reads pages with."""

    def __call__(self, pod: Any) -> PodSummary:
        return summarize_pod(pod)

    @staticmethod
    def decode_list(body: bytes) -> Any:
        return decode_pod_list(body)


POD_ROWS = PodRows()
