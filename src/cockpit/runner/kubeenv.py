"""Pin the session's kube context for every command it runs.

`pin_kube_context(session_dir, context=..., namespace=...)` reads the operator's kubeconfig (the
`KUBECONFIG` list, merged the way kubectl merges it: the first file to define a name wins, the
first current-context wins, missing files in the list are skipped; or ~/.kube/config), keeps only
that context with its cluster and user (exec / OIDC / auth-provider entries intact, relative file
paths made absolute), sets current-context and the namespace, writes it to
`<session_dir>/kubeconfig` with mode 600, and returns a `KubeEnv` whose `env` runs commands
against exactly that target: what the operator sees is what the command hits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cockpit.kubeconfig import kubeconfig_paths

PINNED_NAME = "kubeconfig"
_CLUSTER_PATHS = ("certificate-authority",)
_USER_PATHS = ("client-certificate", "client-key", "tokenFile")


class KubeconfigError(Exception):
    """A kubeconfig problem the operator can fix: missing file, bad YAML, unknown context."""


@dataclass(frozen=True, slots=True)
class KubeEnv:
    """The pinned target. `env` holds KUBECONFIG (the pinned file) plus HELM_KUBECONTEXT and
    HELM_NAMESPACE so helm hits the same place; lay it over the process environment."""

    kubeconfig: Path
    context: str
    namespace: str
    cluster: str
    user: str
    server: str
    sources: tuple[Path, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Merged:
    clusters: dict[str, tuple[dict[str, Any], Path]] = field(default_factory=dict)
    users: dict[str, tuple[dict[str, Any], Path]] = field(default_factory=dict)
    contexts: dict[str, tuple[dict[str, Any], Path]] = field(default_factory=dict)
    current: str | None = None
    sources: list[Path] = field(default_factory=list)


def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KubeconfigError(f"cannot read kubeconfig {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise KubeconfigError(f"{where}: kubeconfig is not valid YAML ({problem})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KubeconfigError(f"{path}: kubeconfig is not a mapping")
    return data


def _merge(paths: list[Path]) -> _Merged:
    existing = [p for p in paths if p.exists()]
    if not existing:
        shown = ", ".join(str(p) for p in paths)
        raise KubeconfigError(f"kubeconfig not found: {shown} (set KUBECONFIG or pass --kubeconfig)")
    merged = _Merged(sources=existing)
    for path in existing:
        data = _load(path)
        for key, body, table in (
            ("clusters", "cluster", merged.clusters),
            ("users", "user", merged.users),
            ("contexts", "context", merged.contexts),
        ):
            for entry in data.get(key) or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise KubeconfigError(f"{path}: an entry of {key} has no name")
                table.setdefault(entry["name"], (dict(entry.get(body) or {}), path))
        if not merged.current and data.get("current-context"):
            merged.current = str(data["current-context"])
    return merged


def list_contexts(
    kubeconfig: str | Path | Sequence[str | Path] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[list[str], str | None]:
    """(context names in file order, current-context) of the merged kubeconfig."""
    merged = _merge(kubeconfig_paths(kubeconfig, environ))
    return list(merged.contexts), merged.current


def _absolute(entry: dict[str, Any], keys: tuple[str, ...], base: Path) -> dict[str, Any]:
    out = dict(entry)
    for key in keys:
        value = out.get(key)
        if isinstance(value, str) and value and not os.path.isabs(os.path.expanduser(value)):
            out[key] = str((base / value).resolve())
    exec_cfg = out.get("exec")
    if isinstance(exec_cfg, dict):
        command = exec_cfg.get("command")
        # client-go resolves a command with a path separator against the kubeconfig's folder.
        if isinstance(command, str) and os.sep in command and not os.path.isabs(command):
            out["exec"] = {**exec_cfg, "command": str((base / command).resolve())}
    return out


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def pin_kube_context(
    session_dir: str | Path,
    *,
    context: str | None = None,
    namespace: str | None = None,
    kubeconfig: str | Path | Sequence[str | Path] | None = None,
    environ: Mapping[str, str] | None = None,
) -> KubeEnv:
    """Write the minified kubeconfig for `context` (default: current-context) and `namespace`
    (default: the context's, else "default"). Raises KubeconfigError with a one-line message."""
    merged = _merge(kubeconfig_paths(kubeconfig, environ))
    where = ", ".join(str(p) for p in merged.sources)
    name = context or merged.current
    if not name:
        choices = ", ".join(merged.contexts) or "none defined"
        raise KubeconfigError(f"no current-context in {where}; choose a context: {choices}")
    if name not in merged.contexts:
        choices = ", ".join(merged.contexts) or "none defined"
        raise KubeconfigError(f"context {name!r} not found in {where} (available: {choices})")
    ctx, ctx_file = merged.contexts[name]
    cluster_name = str(ctx.get("cluster") or "")
    user_name = str(ctx.get("user") or "")
    if cluster_name not in merged.clusters:
        raise KubeconfigError(
            f"{ctx_file}: context {name!r} refers to cluster {cluster_name!r}, which is not defined"
        )
    if user_name and user_name not in merged.users:
        raise KubeconfigError(
            f"{ctx_file}: context {name!r} refers to user {user_name!r}, which is not defined"
        )
    cluster, cluster_file = merged.clusters[cluster_name]
    ns = namespace or str(ctx.get("namespace") or "") or "default"
    pinned_ctx = {**ctx, "namespace": ns}
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": cluster_name, "cluster": _absolute(cluster, _CLUSTER_PATHS, cluster_file.parent)}
        ],
        "contexts": [{"name": name, "context": pinned_ctx}],
        "current-context": name,
        "preferences": {},
        "users": [],
    }
    if user_name:
        user, user_file = merged.users[user_name]
        config["users"] = [{"name": user_name, "user": _absolute(user, _USER_PATHS, user_file.parent)}]
    folder = Path(session_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PINNED_NAME
    _write_private(target, yaml.safe_dump(config, sort_keys=False, default_flow_style=False))
    env = {"KUBECONFIG": str(target), "HELM_KUBECONTEXT": name, "HELM_NAMESPACE": ns}
    return KubeEnv(
        kubeconfig=target,
        context=name,
        namespace=ns,
        cluster=cluster_name,
        user=user_name,
        server=str(cluster.get("server") or ""),
        sources=tuple(merged.sources),
        env=env,
    )
