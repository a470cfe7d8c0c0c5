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

from cockpit.sandbox.resources import PODS
from cockpit.sandbox.world.httpd import Unreachable, container_ports
from cockpit.sandbox.world.shellfiles import files_for, main_process
from cockpit.sandbox.worldapi import ExecResult

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
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
        return self.world.http.health(pod, container)

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
            service = self.world.http.resolve_host(meta.get("namespace", "default"), host)
            if service is None:
                return error(6, f"Could not resolve host: {host}")
            found = self.world.http.service_backend(service, port)
            if isinstance(found, Unreachable):
                return error(found.curl_code, found.curl_message.format(host=host, port=port))
            pod, port = found
        ports = container_ports(pod)
        if (
            scheme == "https"
            and port in ports
            and self.world.http.health(pod, ports[port] or container) != "CLOSED"
        ):
            return error(35, "OpenSSL/3.0.15: error:0A00010B:SSL routines::wrong version number")
        method = values.get("X", values.get("--request", "HEAD" if head_only else "GET"))
        data = values.get("d", values.get("--data"))
        if data is not None and "X" not in values and "--request" not in values:
            method = "POST"
        reply = self.world.http.request(
            pod,
            port,
            method,
            parts.path or "/",
            parts.query,
            (data or "").encode(),
            "application/x-www-form-urlencoded" if data is not None else "",
        )
        if reply is None:
            return error(7, f"Failed to connect to {host} port {port} after 0 ms: Connection refused")
        code, body = reply.status, reply.text
        if fail and code >= 400:
            return error(22, f"The requested URL returned error: {code}")
        if head_only:
            reason = {200: "OK", 302: "Found", 404: "Not Found", 503: "Service Unavailable"}.get(code, "")
            extra = "".join(f"{k.lower()}: {v}\r\n" for k, v in reply.headers.items())
            body = f"HTTP/1.1 {code} {reason}\r\ncontent-length: {len(reply.body)}\r\n{extra}\r\n"
        shown = "" if out_file is not None and out_file != "-" else body
        return ExecResult(0, shown + write_out.replace("%{http_code}", str(code)).replace("\\n", "\n"))

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
        spec: Obj = next((c for c in pod["spec"].get("containers") or [] if c.get("name") == container), {})
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
