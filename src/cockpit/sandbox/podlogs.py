"""GET /api/v1/namespaces/NS/pods/NAME/log: container, follow, tailLines, timestamps,
sinceSeconds, sinceTime, previous, limitBytes; text/plain, streamed when following."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from cockpit.kubeprint import parse_time
from cockpit.sandbox import errors
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.query import parse_bool
from cockpit.sandbox.resources import PODS
from cockpit.sandbox.store import Store
from cockpit.sandbox.worldapi import LogLine, LogSource

QUEUE_LINES = 100_000  # followed lines waiting for a slow reader; beyond this the producer waits
CHUNK_LINES = 5_000  # at most this many lines in one HTTP chunk
WAITING_MESSAGES = {
    "ContainerCreating": "ContainerCreating",
    "PodInitializing": "PodInitializing",
    "ErrImagePull": "trying and failing to pull image",
    "ImagePullBackOff": "trying and failing to pull image",
    "InvalidImageName": "InvalidImageName",
    "CreateContainerConfigError": "CreateContainerConfigError",
}


def rfc3339nano(ts: float) -> str:
    whole = int(ts)
    nanos = round((ts - whole) * 1e9)
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{nanos:09d}Z"


def _int_param(req: Request, name: str) -> int | None:
    value = req.param(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise errors.bad_request(f'strconv.ParseInt: parsing "{value}": invalid syntax for {name}') from None


def _flag(req: Request, name: str) -> bool:
    return parse_bool(name, req.param(name))


def _container_status(pod: dict[str, Any], container: str) -> dict[str, Any]:
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if cs.get("name") == container:
            return dict(cs)
    return {}


def _pick_container(pod: dict[str, Any], requested: str | None) -> str:
    spec = pod.get("spec") or {}
    name = pod["metadata"]["name"]
    containers = [c.get("name", "") for c in spec.get("containers") or []]
    init = [c.get("name", "") for c in spec.get("initContainers") or []]
    if requested:
        if requested not in containers and requested not in init:
            raise errors.bad_request(f"container {requested} is not valid for pod {name}")
        return requested
    if len(containers) == 1:
        return str(containers[0])
    if not containers:
        raise errors.bad_request(f"pod {name} has no containers")
    choices = " ".join(containers)
    text = f"a container name must be specified for pod {name}, choose one of: [{choices}]"
    if init:
        text += f" or one of the init containers: [{' '.join(init)}]"
    raise errors.bad_request(text)


def _format(line: LogLine, timestamps: bool) -> bytes:
    text = line[1] + "\n"
    if timestamps:
        text = f"{rfc3339nano(line[0])} {text}"
    return text.encode("utf-8", "replace")


async def serve_logs(
    req: Request, store: Store, logs: LogSource, namespace: str, name: str, clock: Callable[[], float]
) -> Response:
    pod = store.get(PODS, namespace, name)
    container = _pick_container(pod, req.param("container"))
    previous = _flag(req, "previous")
    follow = _flag(req, "follow") and not previous
    timestamps = _flag(req, "timestamps")
    tail = _int_param(req, "tailLines")
    limit = _int_param(req, "limitBytes")
    since_seconds = _int_param(req, "sinceSeconds")
    since: float | None = None
    if since_seconds is not None:
        if since_seconds < 1:
            raise errors.bad_request("sinceSeconds: Invalid value: must be greater than 0")
        since = clock() - since_seconds
    elif req.param("sinceTime"):
        since = parse_time(req.param("sinceTime"))
        if since is None:
            raise errors.bad_request(f'sinceTime: Invalid value: "{req.param("sinceTime")}": not RFC3339')
    status = _container_status(pod, container)
    state = status.get("state") or {}
    if previous:
        if not (status.get("lastState") or {}).get("terminated"):
            raise errors.bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
    elif (state.get("waiting") or {}).get("reason") in WAITING_MESSAGES:
        why = WAITING_MESSAGES[state["waiting"]["reason"]]
        raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: {why}')
    now = clock()  # before the read: a line written meanwhile is followed, not lost
    lines = logs.read(namespace, name, container, previous, since, tail)
    body = b"".join(_format(line, timestamps) for line in lines)
    if limit is not None and limit >= 0:
        body = body[:limit]
    if not follow or "running" not in state:
        # As the kubelet does: following a container that is not running (crash-looping, exited)
        # gives what it wrote and ends.
        return Response(body=body, content_type="text/plain")
    after = lines[-1][0] if lines else now
    budget = None if limit is None else max(0, limit - len(body))
    return Response(
        content_type="text/plain",
        stream=_follow(req, logs, namespace, name, container, after, body, timestamps, budget),
    )


async def _follow(
    req: Request,
    logs: LogSource,
    namespace: str,
    pod: str,
    container: str,
    after: float,
    head: bytes,
    timestamps: bool,
    budget: int | None,
) -> AsyncIterator[bytes]:
    if head:
        yield head
    if budget == 0:
        return
    queue: asyncio.Queue[LogLine | None] = asyncio.Queue(QUEUE_LINES)  # a slow reader slows the pump

    async def pump() -> None:
        try:
            async for line in logs.follow(namespace, pod, container, after):
                await queue.put(line)
        finally:
            queue.put_nowait(None)

    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                async with asyncio.timeout(0.5):  # not wait_for: in 3.11 it can swallow a cancel
                    line = await queue.get()
            except TimeoutError:
                if req.client_gone():
                    return
                continue
            if line is None:
                return
            # what is queued goes out as one chunk, as a kubelet writes a stream's buffered lines
            parts = [_format(line, timestamps)]
            ended = False
            while not queue.empty() and len(parts) < CHUNK_LINES:
                more = queue.get_nowait()
                if more is None:
                    ended = True
                    break
                parts.append(_format(more, timestamps))
            chunk = b"".join(parts)
            if budget is not None:
                chunk = chunk[:budget]
                budget -= len(chunk)
            yield chunk
            if budget == 0 or ended:
                return
    finally:
        task.cancel()
