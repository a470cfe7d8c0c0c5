"""What `kubectl exec` prints in a simulated container: the world's ExecSource.

Commands run nowhere. `curl` to the pod's own ports answers from the component's health endpoints
as its state allows (a container that is Ready serves them; one starting or about to crash refuses
the connection, then answers 503 while its health is DOWN); a Service name or cluster IP reaches
one of its ready pods, or is refused when it has none; `cat` and `ls` see a few believable
files per component (configuration that matches what its logs say), `ps` its main process.
`sh -c '...'` runs one such command (no pipes or redirections). Anything else is left to the
server's generic answers (None).
"""

from __future__ import annotations

import posixpath
import shlex
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from cockpit.sandbox.resources import PODS, SERVICES
from cockpit.sandbox.world.pods import is_ready
from cockpit.sandbox.world.shellfiles import files_for, main_process
from cockpit.sandbox.worldapi import ExecResult

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
PORT_OPENS_AFTER = 5.0  # seconds after a container starts before its server listens
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]")
_CURL_TAKES_VALUE = frozenset("oXHdmuAewrTKE") | {
    "--output",
    "--request",
    "--header",
    "--data",
    "--max-time",
    "--user",
    "--user-agent",
    "--write-out",
    "--connect-timeout",
    "--retry",
}
_SHELL_SYNTAX = ("|", ">", "<", "&&", "||", ";", "$(", "`")


def _health_json(status: str) -> str:
    return orjson.dumps({"status": status}).decode()


def endpoints(profile: str, status: str) -> dict[str, tuple[int, str]]:
    """HTTP paths a component answers, as (code, body), while its health is `status` (UP/DOWN)."""
    code = 200 if status == "UP" else 503
    spring = (code, _health_json(status))
    table: dict[str, tuple[int, str]] = {
        "/healthz": (code, "ok" if code == 200 else "unhealthy"),
        "/livez": (200, "ok"),
        "/readyz": (code, "ok" if code == 200 else "not ready"),
        "/health": (code, '{"status":"ok"}' if code == 200 else '{"status":"unavailable"}'),
        "/ready": (code, "ready" if code == 200 else "not ready"),
        "/-/healthy": (code, "OK"),
        "/-/ready": (code, "OK"),
        "/metrics": (200, "# HELP process_start_time_seconds Start time of the process.\n"),
        "/actuator/health": spring,
        "/actuator/health/liveness": (200, _health_json("UP")),
        "/actuator/health/readiness": spring,
    }
    if profile == "dolphinscheduler-api":
        for path in ("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"):
            table["/dolphinscheduler" + path] = table[path]
    if profile == "grafana":
        table["/api/health"] = (
            code,
            '{\n  "database": "%s",\n  "version": "11.2.0"\n}' % ("ok" if code == 200 else "failing"),
        )
    if profile == "minio":
        table["/minio/health/live"] = (code, "")
        table["/minio/health/ready"] = (code, "")
    if profile.startswith("trino"):
        table["/v1/info"] = (
            code,
            orjson.dumps(
                {
                    "nodeVersion": {"version": "463"},
                    "environment": "production",
                    "coordinator": profile == "trino-coordinator",
                    "starting": code != 200,
                }
            ).decode(),
        )
    return table


class Shell:
    def __init__(self, world: World) -> None:
        self.world = world

    def exec(self, namespace: str, pod: str, container: str, command: list[str]) -> ExecResult | None:
        entry = self.world.store.entry(PODS, namespace, pod)
        if entry is None or not command:
            return None
        obj = entry.obj
        program, args = posixpath.basename(command[0]), command[1:]
        if program in ("sh", "bash", "ash") and len(args) >= 2 and args[0] == "-c":
            script = args[1]
            if any(mark in script for mark in _SHELL_SYNTAX):
                return None
            try:
                words = shlex.split(script)
            except ValueError as exc:
                return ExecResult(2, stderr=f"{program}: syntax error: {exc}\n")
            return self.exec(namespace, pod, container, words) if words else ExecResult(0)
        profile = self.world.logs.profile_name(namespace, obj)
        if program == "curl":
            return self._curl(obj, container, profile, args)
        if program == "cat":
            return self._cat(obj, profile, args)
        if program == "ls":
            return self._ls(obj, profile, args)
        if program == "ps":
            return self._ps(obj, container, profile)
        return None

    # ---- state -----------------------------------------------------------------------------------

    def health(self, pod: Obj, container: str) -> str:
        """UP (serving, healthy), DOWN (listening, unhealthy) or CLOSED (nothing listens yet)."""
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        status = next((c for c in statuses if c.get("name") == container), {})
        if status.get("ready"):
            return "UP"
        started = ((status.get("state") or {}).get("running") or {}).get("startedAt")
        meta = pod["metadata"]
        run = self.world.kubelet.runs.get((meta["namespace"], meta["name"]))
        if (
            run is None
            or not started
            or self.world.now() - run.started < PORT_OPENS_AFTER / self.world.time_scale
        ):
            return "CLOSED"
        return "DOWN" if self.world.kubelet.crashes(run, pod) else "CLOSED"

    # ---- commands --------------------------------------------------------------------------------

    def _curl(self, pod: Obj, container: str, profile: str, args: list[str]) -> ExecResult:
        flags: set[str] = set()
        values: dict[str, str] = {}
        url = ""
        i = 0
        while i < len(args):
            arg = args[i]
            if arg.startswith("-") and len(arg) > 1:
                named = [arg] if arg.startswith("--") else list(arg[1:])
                flags.update(named)
                if named[-1] in _CURL_TAKES_VALUE:
                    values[named[-1]] = args[i + 1] if i + 1 < len(args) else ""
                    i += 1
                i += 1
                continue
            url = url or arg
            i += 1
        out_file = values.get("o", values.get("--output"))
        write_out = values.get("w", values.get("--write-out", ""))
        silent = "s" in flags or "--silent" in flags
        show_error = not silent or "S" in flags or "--show-error" in flags
        fail = "f" in flags or "--fail" in flags
        head_only = "I" in flags or "--head" in flags

        def error(code: int, message: str) -> ExecResult:
            return ExecResult(code, stderr=f"curl: ({code}) {message}\n" if show_error else "")

        if not url:
            return ExecResult(
                2, stderr="curl: no URL specified!\ncurl: try 'curl --help' for more information\n"
            )
        parts = urlsplit(url if "://" in url else f"http://{url}")
        host, scheme = parts.hostname or "", parts.scheme
        port = parts.port or (443 if scheme == "https" else 80)
        meta, status = pod["metadata"], pod.get("status") or {}
        local = (*_LOCAL_HOSTS, meta["name"], status.get("podIP", ""), "::1")
        if host not in local:  # a Service: kube-proxy sends it to one of its ready pods
            found = self._service_backend(meta.get("namespace", "default"), host, port)
            if isinstance(found, tuple):
                code, message = found
                return error(code, message.format(host=host, port=port))
            pod, port = found["pod"], found["port"]
            container = pod["spec"]["containers"][0]["name"]
            profile = self.world.logs.profile_name(pod["metadata"]["namespace"], pod)
        ports = {
            int(p["containerPort"])
            for c in pod["spec"].get("containers") or []
            for p in c.get("ports") or []
            if "containerPort" in p
        }
        health = self.health(pod, container)
        if port not in ports or health == "CLOSED":
            return error(7, f"Failed to connect to {host} port {port} after 0 ms: Connection refused")
        if scheme == "https":
            return error(35, "OpenSSL/3.0.15: error:0A00010B:SSL routines::wrong version number")
        code, body = endpoints(profile, health).get(parts.path or "/", (404, '{"error":"Not Found"}'))
        if fail and code >= 400:
            return error(22, f"The requested URL returned error: {code}")
        if head_only:
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}.get(code, "")
            body = f"HTTP/1.1 {code} {reason}\r\ncontent-length: {len(body)}\r\n\r\n"
        shown = "" if out_file is not None and out_file != "-" else body
        return ExecResult(0, shown + write_out.replace("%{http_code}", str(code)).replace("\\n", "\n"))

    def _service_backend(self, namespace: str, host: str, port: int) -> Obj | tuple[int, str]:
        """The pod and port a Service name (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`) or cluster
        IP sends a connection to, or curl's (exit code, message) when it goes nowhere."""
        labels = host.split(".")
        service: Obj | None = None
        if host.count(".") == 3 and all(part.isdigit() for part in labels):
            service = next(
                (o for o in self.world.store.list(SERVICES) if o["spec"].get("clusterIP") == host), None
            )
        elif len(labels) <= 2 or ".".join(labels[2:]) in ("svc", "svc.cluster.local"):
            ns = labels[1] if len(labels) > 1 else namespace
            entry = self.world.store.entry(SERVICES, ns, labels[0])
            service = entry.obj if entry is not None else None
        if service is None:
            return 6, "Could not resolve host: {host}"
        served = next((p for p in service["spec"].get("ports") or [] if p.get("port") == port), None)
        if served is None:  # nothing listens on that port of the cluster IP: the SYN goes nowhere
            return 28, "Failed to connect to {host} port {port} after 130000 ms: Couldn't connect to server"
        selector = ",".join(f"{k}={v}" for k, v in sorted((service["spec"].get("selector") or {}).items()))
        ready = [
            p
            for p in self.world.store.list(
                PODS, service["metadata"]["namespace"], label_selector=selector or None
            )
            if selector and is_ready(p) and not p["metadata"].get("deletionTimestamp")
        ]
        if not ready:  # no endpoints: kube-proxy rejects the connection
            return 7, "Failed to connect to {host} port {port} after 0 ms: Connection refused"
        backend = min(ready, key=lambda p: p["metadata"]["name"])
        target = served.get("targetPort", port)
        if isinstance(target, str):
            target = next(
                (
                    int(cp["containerPort"])
                    for c in backend["spec"].get("containers") or []
                    for cp in c.get("ports") or []
                    if cp.get("name") == target
                ),
                0,
            )
        return {"pod": backend, "port": int(target)}

    def _cat(self, pod: Obj, profile: str, args: list[str]) -> ExecResult:
        files, _ = files_for(pod, profile)
        out, err, code = [], [], 0
        for path in (a for a in args if not a.startswith("-")):
            text = files.get(posixpath.normpath(path))
            if text is None:
                directories = _directories(files)
                reason = (
                    "Is a directory"
                    if posixpath.normpath(path) in directories
                    else "No such file or directory"
                )
                err.append(f"cat: {path}: {reason}\n")
                code = 1
            else:
                out.append(text)
        return ExecResult(code, "".join(out), "".join(err))

    def _ls(self, pod: Obj, profile: str, args: list[str]) -> ExecResult:
        files, workdir = files_for(pod, profile)
        directories = _directories(files)
        paths = [a for a in args if not a.startswith("-")] or [workdir]
        out, err, code = [], [], 0
        for n, path in enumerate(paths):
            full = posixpath.normpath(posixpath.join(workdir, path))
            if full in files:
                out.append(path + "\n")
            elif full in directories:
                if len(paths) > 1:
                    out.append(("\n" if n else "") + f"{path}:\n")
                out.extend(name + "\n" for name in directories[full])
            else:
                err.append(f"ls: cannot access '{path}': No such file or directory\n")
                code = 2
        return ExecResult(code, "".join(out), "".join(err))

    def _ps(self, pod: Obj, container: str, profile: str) -> ExecResult:
        spec = next((c for c in pod["spec"].get("containers") or [] if c.get("name") == container), {})
        main = main_process(profile, str(spec.get("image", ""))).replace(
            "${HOSTNAME}", pod["metadata"]["name"]
        )
        user = "1001"
        return ExecResult(
            0,
            "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
            f"{user:<8}       1  2.1  9.4 5392040 781244 ?     Ssl  12:01   4:12 {main}\n"
            f"{user:<8}     187  0.0  0.0   8088  3968 ?      Rs   12:40   0:00 ps aux\n",
        )


def _directories(files: dict[str, str]) -> dict[str, list[str]]:
    """Every directory above the given files, with its sorted entries."""
    tree: dict[str, set[str]] = {}
    for path in files:
        child = path
        parent = posixpath.dirname(child)
        while child != "/":
            tree.setdefault(parent, set()).add(posixpath.basename(child))
            child, parent = parent, posixpath.dirname(parent)
    return {directory: sorted(names) for directory, names in tree.items()}
