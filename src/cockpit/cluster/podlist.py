"""Decoding a pod list with only the fields the pods pane reads (the informer's list hook).

A full pod is ~6 KB of JSON, most of it in `spec` (containers' env, volumes, probes) and
`metadata.managedFields`/annotations; the pane's row needs a few hundred bytes. msgspec skips
the rest while parsing (in C), so a 10k-pod list decodes in a fraction of the time and memory
of parsing every object whole. What comes out is plain dicts shaped like the API's JSON, so
`summarize_pod` reads it exactly as it reads a full object (a test holds the two equal).
"""

from __future__ import annotations

from typing import Any

import msgspec
import orjson

from cockpit.cluster.pods import PodSummary, summarize_pod


class _Owner(msgspec.Struct, omit_defaults=True):
    kind: str = ""
    name: str = ""


class _Meta(msgspec.Struct, omit_defaults=True):
    uid: str | None = None
    name: str | None = None
    namespace: str | None = None
    creationTimestamp: str | None = None
    deletionTimestamp: str | None = None
    resourceVersion: str | None = None
    labels: dict[str, str] | None = None
    ownerReferences: list[_Owner] | None = None


class _Container(msgspec.Struct, omit_defaults=True):
    name: str | None = None
    restartPolicy: str | None = None


class _Spec(msgspec.Struct, omit_defaults=True):
    nodeName: str | None = None
    containers: list[_Container] | None = None
    initContainers: list[_Container] | None = None


# `status` as far as kubectl's READY/STATUS/RESTARTS, LAST TERMINATION and WHY read it: the
# images, IDs, IPs and probe times beside these fields are skipped. Leaves are `Any`: a value of an
# unexpected type is passed on as it came, for `summarize_pod` to read as it would the whole object.
class _StateDetail(msgspec.Struct, omit_defaults=True):
    reason: Any = None
    message: Any = None
    signal: Any = None
    exitCode: Any = None
    finishedAt: Any = None


class _State(msgspec.Struct, omit_defaults=True):
    waiting: _StateDetail | None = None
    running: _StateDetail | None = None
    terminated: _StateDetail | None = None


class _ContainerStatus(msgspec.Struct, omit_defaults=True):
    name: Any = None
    ready: Any = None
    started: Any = None
    restartCount: Any = None
    state: _State | None = None
    lastState: _State | None = None


class _Condition(msgspec.Struct, omit_defaults=True):
    type: Any = None
    status: Any = None
    reason: Any = None
    message: Any = None


class _Status(msgspec.Struct, omit_defaults=True):
    phase: Any = None
    reason: Any = None
    conditions: list[_Condition] | None = None
    initContainerStatuses: list[_ContainerStatus] | None = None
    containerStatuses: list[_ContainerStatus] | None = None


class _Pod(msgspec.Struct, omit_defaults=True):
    metadata: _Meta | None = None
    spec: _Spec | None = None
    status: _Status | None = None


class _ListMeta(msgspec.Struct, omit_defaults=True):
    resourceVersion: str | None = None
    # `continue` is a Python keyword
    continue_: str | None = msgspec.field(default=None, name="continue")


class _PodList(msgspec.Struct, omit_defaults=True):
    items: list[_Pod] | None = None
    metadata: _ListMeta | None = None
    kind: str | None = None


_DECODER = msgspec.json.Decoder(_PodList)


def decode_pod_list(body: bytes) -> Any:
    """A PodList body -> {"items": [...], "metadata": {...}} with only the fields rows need. A body
    of another shape is parsed whole (orjson), so its errors read as they always did."""
    try:
        doc = _DECODER.decode(body)
    except msgspec.DecodeError:
        return orjson.loads(body)
    out: dict[str, Any] = msgspec.to_builtins(doc)
    meta = out.get("metadata") or {}
    if "continue_" in meta:
        meta["continue"] = meta.pop("continue_")
    return out


class PodRows:
    """The pods informer's `summarize`, carrying the list decoder it reads pages with."""

    def __call__(self, pod: Any) -> PodSummary:
        return summarize_pod(pod)

    @staticmethod
    def decode_list(body: bytes) -> Any:
        return decode_pod_list(body)


POD_ROWS = PodRows()
