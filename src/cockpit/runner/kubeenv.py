"""Pin the session's kube context for every command it runs.

`pin_kube_context(session_dir, context=..., namespace=...)` reads the operator's kubeconfig (the
`KUBECONFIG` list, merged the way kubectl merges it, or ~/.kube/config), keeps only that context
with its cluster and user (exec / OIDC / auth-provider entries intact, relative file paths made
absolute), sets current-context and the namespace, writes it to `<session_dir>/kubeconfig` with
mode 600, and returns a `KubeEnv` whose `env` runs commands against exactly that target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


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
    env: dict[str, str] = field(default_factory=dict)


def kubeconfig_paths(
    kubeconfig: str | Path | Sequence[str | Path] | None = None, environ: Mapping[str, str] | None = None
) -> list[Path]:
    """The files to read: `kubeconfig` if given, else the KUBECONFIG list, else ~/.kube/config."""
    ...


def list_contexts(
    kubeconfig: str | Path | Sequence[str | Path] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[list[str], str | None]:
    """(context names, current-context) of the merged kubeconfig."""
    ...


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
    ...
