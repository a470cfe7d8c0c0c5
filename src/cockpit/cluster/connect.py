"""Choosing the cluster the way kubectl does, and saying clearly why it cannot be used.

Order: `--kubeconfig` file, else every file of `$KUBECONFIG` (colon list, merged like kubectl),
else `~/.kube/config`, else the in-cluster service account. `--context` picks a context (default:
current-context), `-n` a namespace (default: the context's, else "default"), `-A` all namespaces.
Exec and OIDC auth plugins run through the kubernetes client's loader (`persist_config=False`, so
refreshed tokens are never written back to the user's file); a plain token, token file or client
certificate needs no client library at all (`cockpit.cluster.kubeclient`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.kubeapi import KubeApi
from cockpit.cluster.kubeclient import ApiClientLike, simple_client
from cockpit.kubeconfig import kubeconfig_paths

if TYPE_CHECKING:  # the kubernetes client loads only once there is a kubeconfig to use
    from kubernetes.client import ApiClient

SANDBOX_MARK = "cockpit-sandbox"  # a context or cluster whose name starts with this is the sandbox
IN_CLUSTER_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


@dataclass(frozen=True, slots=True)
class ClusterTarget:
    """Which cluster the cockpit (and the commands it runs) talks to. `namespace` None means -A."""

    context: str
    server: str
    namespace: str | None
    user: str
    is_sandbox: bool = False
    kubeconfig: str = ""  # the file list used ("" for in-cluster)

    @property
    def scope(self) -> str:
        return "all namespaces" if self.namespace is None else f"namespace {self.namespace}"

    @property
    def label(self) -> str:
        """The one-line name shown on screen: context, server and scope."""
        sandbox = " [sandbox]" if self.is_sandbox else ""
        return f"{self.context}{sandbox} · {self.server} · {self.scope}"


def keepalive_options() -> list[tuple[int, int, int]]:
    """TCP keepalive like client-go (probe after 30 s idle) so a dead peer is noticed."""
    from urllib3.connection import HTTPConnection

    opts = [*HTTPConnection.default_socket_options, (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            opts.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    return opts


def kubeconfig_files(kubeconfig: str | Path | None, env: Mapping[str, str]) -> list[Path]:
    """The kubeconfig files kubectl would read, in order; [] when there are none."""
    if kubeconfig:
        path = Path(kubeconfig).expanduser()
        if not path.is_file():
            raise ClusterError(f"Kubeconfig {path} does not exist.", Problem.NO_CLUSTER)
        return [path]
    existing = [p for p in kubeconfig_paths(None, env) if p.is_file()]
    listed = env.get("KUBECONFIG", "")
    if listed.strip() and not existing:
        raise ClusterError(
            f"No file of KUBECONFIG={listed} exists; fix KUBECONFIG or pass --kubeconfig.",
            Problem.NO_CLUSTER,
        )
    return existing


def _first_current_context(files: list[Path]) -> str:
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(doc, dict) and doc.get("current-context"):
            return str(doc["current-context"])
    return ""


def _in_cluster(namespace: str | None, all_namespaces: bool) -> tuple[ClusterTarget, ApiClient]:
    from kubernetes import config as kube_config
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.config.config_exception import ConfigException

    cfg = Configuration()
    try:
        kube_config.load_incluster_config(client_configuration=cfg)
    except ConfigException as exc:
        raise ClusterError(f"In-cluster configuration failed: {exc}.", Problem.NO_CLUSTER) from exc
    ns_file = IN_CLUSTER_TOKEN.parent / "namespace"
    own_ns = ns_file.read_text().strip() if ns_file.is_file() else "default"
    cfg.socket_options = keepalive_options()
    cfg.retries = False
    target = ClusterTarget(
        context="in-cluster",
        server=str(cfg.host),
        namespace=None if all_namespaces else (namespace or own_ns),
        user="serviceaccount",
    )
    return target, ApiClient(cfg)


def connect(
    kubeconfig: str | Path | None = None,
    context: str | None = None,
    namespace: str | None = None,
    all_namespaces: bool = False,
    env: Mapping[str, str] | None = None,
) -> tuple[ClusterTarget, ApiClientLike]:
    """Load the cluster selection; never touches the network. Raises ClusterError with a sentence.
    A context with a plain credential gets a `SimpleClient`, any other the official client."""
    env = os.environ if env is None else env
    files = kubeconfig_files(kubeconfig, env)
    if not files:
        if env.get("KUBERNETES_SERVICE_HOST") and IN_CLUSTER_TOKEN.is_file():
            return _in_cluster(namespace, all_namespaces)
        raise ClusterError(
            "No kubeconfig found: set KUBECONFIG, pass --kubeconfig, create ~/.kube/config, "
            "or use --sandbox.",
            Problem.NO_CLUSTER,
        )
    import urllib3

    chosen_name = context if context is not None else _first_current_context(files)
    simple = simple_client(files, chosen_name, keepalive_options()) if chosen_name else None
    if simple is not None:  # a plain credential: no need to load the official client (~0.1 s)
        light, light_ctx = simple
        if not light.configuration.verify_ssl:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        return _target(
            chosen_name, light.configuration.host, light_ctx, namespace, all_namespaces, files
        ), light
    from kubernetes import config as kube_config
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.config.config_exception import ConfigException

    joined = os.pathsep.join(str(p) for p in files)
    try:
        contexts, current = kube_config.list_kube_config_contexts(config_file=joined)
    except (ConfigException, OSError, ValueError) as exc:
        raise ClusterError(f"Kubeconfig {joined} cannot be read: {exc}.", Problem.NO_CLUSTER) from exc
    by_name = {c["name"]: c for c in contexts or []}
    if context is not None and context not in by_name:
        known = ", ".join(sorted(by_name)) or "none"
        raise ClusterError(
            f"Context '{context}' is not in kubeconfig {joined} (known contexts: {known}).",
            Problem.NO_CLUSTER,
        )
    if context is None:
        first = _first_current_context(files)  # kubectl: the first file that sets it wins
        current = by_name.get(first, current) if first else current
    chosen = by_name[context] if context is not None else current
    if not chosen:
        raise ClusterError(
            f"Kubeconfig {joined} has no current-context; pass --context NAME.", Problem.NO_CLUSTER
        )
    cfg = Configuration()
    try:
        kube_config.load_kube_config(
            config_file=joined, context=chosen["name"], client_configuration=cfg, persist_config=False
        )
    except (ConfigException, OSError, ValueError) as exc:
        raise ClusterError(
            f"Context '{chosen['name']}' in {joined} cannot be used: {exc}.", Problem.NO_CLUSTER
        ) from exc
    cfg.socket_options = keepalive_options()
    cfg.retries = False
    if not cfg.verify_ssl:  # insecure-skip-tls-verify was asked for: no warning on the screen
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    target = _target(
        str(chosen["name"]), str(cfg.host), chosen.get("context") or {}, namespace, all_namespaces, files
    )
    return target, ApiClient(cfg)


def _target(
    name: str,
    server: str,
    ctx: Mapping[str, Any],
    namespace: str | None,
    all_namespaces: bool,
    files: list[Path],
) -> ClusterTarget:
    cluster_name = str(ctx.get("cluster", ""))
    return ClusterTarget(
        context=name,
        server=server,
        namespace=None if all_namespaces else (namespace or ctx.get("namespace") or "default"),
        user=str(ctx.get("user", "")),
        is_sandbox=name.startswith(SANDBOX_MARK) or cluster_name.startswith(SANDBOX_MARK),
        kubeconfig=os.pathsep.join(str(p) for p in files),
    )


def probe(api: KubeApi) -> str:
    """GET /version: returns the server's gitVersion, or raises ClusterError (unreachable, 401, ...)."""
    doc = api.get_json("/version", timeout=(3.0, 5.0))
    return str(doc.get("gitVersion", "")) if isinstance(doc, dict) else ""
