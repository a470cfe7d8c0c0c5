"""`kubectl exec` against the sandbox: pods/exec over WebSocket (v5/v4.channel.k8s.io, what kubectl
1.30+ speaks first). SPDY (older kubectl) is refused with a clear message. Commands run nowhere: the
world answers those it simulates (ExecSource), the server a few generic ones, the rest say so."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import orjson

from cockpit.sandbox import errors
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.resources import PODS
from cockpit.sandbox.store import Store
from cockpit.sandbox.websocket import BINARY, accept_key, close_frame, frame
from cockpit.sandbox.worldapi import ExecResult, ExecSource

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDOUT, STDERR, ERROR = 1, 2, 3


def builtin(pod: dict[str, Any], container: str, command: list[str], now: float) -> ExecResult:
    """The generic commands every container answers the same way; anything else is not simulated."""
    name = pod["metadata"]["name"]
    program, args = command[0], command[1:]
    if program == "true":
        return ExecResult(0)
    if program == "false":
        return ExecResult(1)
    if program == "echo":
        return ExecResult(0, " ".join(args) + "\n")
    if program == "hostname" or command == ["cat", "/etc/hostname"]:
        return ExecResult(0, name + "\n")
    if program == "date":
        return ExecResult(0, time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(now)) + "\n")
    if program in ("env", "printenv"):
        spec: dict[str, Any] = next(
            (c for c in pod["spec"].get("containers", []) if c.get("name") == container), {}
        )
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME": name}
        env.update({e["name"]: str(e.get("value", "")) for e in spec.get("env") or [] if "name" in e})
        if program == "printenv" and args:
            values = [env[a] for a in args if a in env]
            return ExecResult(0 if len(values) == len(args) else 1, "".join(v + "\n" for v in values))
        return ExecResult(0, "".join(f"{k}={v}\n" for k, v in env.items()))
    return ExecResult(
        126,
        stderr=f"cockpit sandbox: {program!r} is not simulated in container {container!r} of pod {name!r}\n",
    )


def _status(result: ExecResult, command: list[str]) -> dict[str, Any]:
    if result.exit_code == 0:
        return {"metadata": {}, "status": "Success"}
    return {
        "metadata": {},
        "status": "Failure",
        "message": (
            f"command terminated with non-zero exit code: error executing command "
            f"[{' '.join(command)}], exit code {result.exit_code}"
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(result.exit_code)}]},
    }


def _container(pod: dict[str, Any], requested: str | None) -> str:
    names = [c.get("name", "") for c in pod["spec"].get("containers") or []]
    if requested:
        if requested not in names:
            raise errors.bad_request(f"container {requested} is not valid for pod {pod['metadata']['name']}")
        return requested
    if not names:
        raise errors.bad_request(f"pod {pod['metadata']['name']} has no containers")
    return str(names[0])


async def serve_exec(
    req: Request, store: Store, source: ExecSource | None, namespace: str, name: str, now: float
) -> Response:
    pod = store.get(PODS, namespace, name)
    container = _container(pod, req.param("container"))
    command = req.query.get("command") or []
    if not command:
        raise errors.bad_request("you must specify at least 1 command")
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    state = next((c.get("state") or {} for c in statuses if c.get("name") == container), {})
    if "running" not in state or pod["metadata"].get("deletionTimestamp"):
        return _kubelet_refusal(404, f'container not found ("{container}")')
    offered = [p.strip() for p in req.header("sec-websocket-protocol").split(",")]
    protocol = next((p for p in PROTOCOLS if p in offered), None)
    if req.header("upgrade").lower() != "websocket" or protocol is None:
        raise errors.bad_request(
            "the sandbox serves exec over WebSocket (v4/v5.channel.k8s.io) only: use kubectl 1.30 or newer"
        )
    result = (source.exec(namespace, name, container, command) if source is not None else None) or builtin(
        pod, container, command, now
    )
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Accept": accept_key(req.header("sec-websocket-key")),
        "Sec-WebSocket-Protocol": protocol,
    }
    return Response(status=101, headers=headers, upgraded=True, stream=_frames(result, command))


def _kubelet_refusal(status: int, text: str) -> Response:
    """The kubelet's plain-text refusal the API server passes on; kubectl prints it as
    `error: unable to upgrade connection: TEXT`."""
    return Response(status=status, body=text.encode(), content_type="text/plain; charset=utf-8")


async def _frames(result: ExecResult, command: list[str]) -> AsyncIterator[bytes]:
    if result.stdout:
        yield frame(BINARY, bytes([STDOUT]) + result.stdout.encode())
    if result.stderr:
        yield frame(BINARY, bytes([STDERR]) + result.stderr.encode())
    yield frame(BINARY, bytes([ERROR]) + orjson.dumps(_status(result, command)))
    yield close_frame()
