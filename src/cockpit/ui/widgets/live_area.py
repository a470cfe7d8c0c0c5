"""The live-panes area: where the cluster panes (pods, ArgoCD, certificates, logs, metrics) mount.

The app hands it an optional cluster hub. Without one it says, in one line, what is missing and
how to connect, and still shows the Platform pane (its URL checks need no cluster). With one, it
asks `cockpit.ui.panes.build_live_panes(hub, plan)` for (title, widget) pairs and shows them as
tabs; each pane explains its own missing data.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

PANES_MODULE = "cockpit.ui.panes"


def panes_for(hub: Any, plan: Any = None) -> list[tuple[str, Widget]]:
    """The live panes for a hub, from the panes package (empty if it offers none)."""
    try:
        module = import_module(PANES_MODULE)
    except ImportError:
        return []
    build = getattr(module, "build_live_panes", None)
    return list(build(hub, plan)) if callable(build) else []


def platform_pane(plan: Any) -> Widget | None:
    """The Platform pane on its own (service URL checks, Prometheus, Loki), when it is available."""
    try:
        module = import_module(f"{PANES_MODULE}.platform")
    except ImportError:
        return None
    build = getattr(module, "build_platform_pane", None)
    return build(plan) if callable(build) else None


def tab_id(title: str) -> str:
    """`live-pods`, `live-argocd`: the tab of a pane, for `:pods` and the like."""
    return "live-" + "".join(ch for ch in title.lower() if ch.isalnum())


class LiveArea(Vertical):
    def __init__(
        self, hub: Any = None, missing: str = "", *, plan: Any = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.hub = hub
        self.missing = missing
        self.plan = plan

    def compose(self) -> ComposeResult:
        panes = panes_for(self.hub, self.plan) if self.hub is not None else []
        if not panes:
            reason = self.missing or "No cluster connected"
            yield Static(f"{reason}. Connect: cockpit --sandbox, or --context CTX", id="live-missing")
            platform = platform_pane(self.plan)
            if platform is not None:  # its URL checks need no cluster
                yield platform
            return
        with TabbedContent(id="live-tabs"):
            for title, widget in panes:
                with TabPane(title, id=tab_id(title)):
                    yield widget
