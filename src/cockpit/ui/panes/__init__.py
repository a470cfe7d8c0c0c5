"""The live cluster panes, built from a `cockpit.cluster.hub.ClusterHub` for the app's live area.

`build_live_panes(hub, plan=None)` returns (title, widget) pairs: Pods, ArgoCD, Certificates, Logs,
Metrics and Platform. Each pane explains in one sentence when its data is missing (no cluster,
unreachable, forbidden, CRD absent) and shows stale age.

The pane classes load on first use (`from cockpit.ui.panes import PodsPane` works as usual): with
no cluster only the Platform pane is shown, and importing it must not pull in the cluster panes,
the hub and its HTTP stack (~0.1 s of every start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from textual.widget import Widget

if TYPE_CHECKING:
    from cockpit.ui.panes.argo import ArgoPane
    from cockpit.ui.panes.certs import CertsPane
    from cockpit.ui.panes.logs import LogsPane
    from cockpit.ui.panes.metrics import MetricsPane
    from cockpit.ui.panes.pods import PodsPane

__all__ = ["ArgoPane", "CertsPane", "LogsPane", "MetricsPane", "PodsPane", "build_live_panes"]

_HOMES = {
    "ArgoPane": "argo",
    "CertsPane": "certs",
    "LogsPane": "logs",
    "MetricsPane": "metrics",
    "PodsPane": "pods",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def build_live_panes(hub: Any, plan: Any = None) -> list[tuple[str, Widget]]:
    from cockpit.config import load_config
    from cockpit.ui.panes.argo import ArgoPane
    from cockpit.ui.panes.certs import CertsPane
    from cockpit.ui.panes.logs import LogsPane
    from cockpit.ui.panes.metrics import MetricsPane
    from cockpit.ui.panes.platform import build_platform_pane
    from cockpit.ui.panes.pods import PodsPane

    # a broken config is reported once, by the app; its defaults are in force here
    logs = LogsPane(hub, max_lines=load_config().config.logs.max_lines)
    panes: list[tuple[str, Widget]] = [
        ("Pods", PodsPane(hub, namespace=getattr(hub, "watch_namespace", None))),
        ("ArgoCD", ArgoPane(hub)),
        ("Certificates", CertsPane(hub)),
        ("Logs", logs),
        ("Metrics", MetricsPane(hub, plan)),
    ]
    options = getattr(hub, "options", None)
    panes.append(
        (
            "Platform",
            build_platform_pane(
                plan,
                hub=hub,
                prometheus_url=getattr(options, "prometheus_url", None),
                loki_url=getattr(hub, "loki_url", None),
            ),
        )
    )
    return panes
