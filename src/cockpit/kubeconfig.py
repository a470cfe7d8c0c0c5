"""Which kubeconfig files kubectl would read; shared by the runner (pinning) and the cluster layer
(connecting), so both name the same target."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path


def kubeconfig_paths(
    kubeconfig: str | Path | Sequence[str | Path] | None = None, environ: Mapping[str, str] | None = None
) -> list[Path]:
    """The files to read: `kubeconfig` if given (a path, an os.pathsep list, or a sequence), else
    the KUBECONFIG list, else ~/.kube/config. Existence is not checked."""
    environ = os.environ if environ is None else environ
    if kubeconfig is None:
        listed = environ.get("KUBECONFIG", "")
        if listed.strip():
            kubeconfig = listed
        else:
            home = environ.get("HOME") or str(Path.home())
            return [Path(home) / ".kube" / "config"]
    if isinstance(kubeconfig, (str, Path)):
        parts = str(kubeconfig).split(os.pathsep)
    else:
        parts = [str(p) for p in kubeconfig]
    return [Path(p).expanduser() for p in parts if p.strip()]
