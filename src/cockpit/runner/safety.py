"""Does a command change the cluster, and does it need the real terminal?

`classify(cmd)` splits the command line into its simple commands (`a && b; c | d`, `$(...)`
included) with a shell-aware lexer, classifies each, and reports the most dangerous one.
Unknown wrappers that run arbitrary text (`sh -c`, `bash -c`, `eval`, `xargs`) count as changing:
the cockpit cannot know what they do. `kubectl ... --dry-run=client|server` is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Safety:
    """`changes_cluster`: ask for confirmation (and refuse in --read-only). `reason`: one line
    naming the command that decided it ("kubectl delete changes the cluster", "read-only: kubectl
    get"). `needs_terminal`: run with the app suspended (an editor, a pager, a prompt);
    `terminal_reason` says why."""

    changes_cluster: bool
    reason: str
    needs_terminal: bool = False
    terminal_reason: str = ""


def classify(cmd: str) -> Safety:
    """Classify a whole command line (pipelines, lists, continuations already joined)."""
    ...
