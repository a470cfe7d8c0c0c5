"""Where the session's commands and pane actions land: the pinned kube context and namespace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cockpit.runner import command_namespace


@dataclass(frozen=True, slots=True)
class KubeTarget:
    """Where commands go: the pinned context/namespace and the environment that pins them."""

    context: str | None = None
    namespace: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    sandbox: bool = False
    read_only: bool = False
    problem: str = ""  # why there is no kube target (shown in the live area)
    kubeconfig: Path | None = None  # the pinned kubeconfig file

    def describe(self, cmd: str = "") -> str:
        """`context prod, namespace data-platform`: where `cmd` lands (its own -n wins)."""
        if not self.context:
            return "no kube context (commands use your shell's environment)"
        named = command_namespace(cmd) if cmd else None
        if named and named != self.namespace:
            return f"context {self.context}, namespace {named} (from the command)"
        return f"context {self.context}, namespace {self.namespace or 'default'}"

    def namespace_of(self, cmd: str) -> str | None:
        """The namespace `cmd` lands in: its own `-n` wins over the pinned one."""
        return command_namespace(cmd) or self.namespace

    @property
    def mode(self) -> str:
        """The session's mode in the operator's words, for confirmations and refusals."""
        if self.read_only:
            return "read-only session"
        return "sandbox session" if self.sandbox else "live session (changes are real)"
