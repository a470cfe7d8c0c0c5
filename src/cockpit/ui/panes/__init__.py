"""The live cluster panes, built from a `cockpit.cluster.hub.ClusterHub` for the app's live area.

`build_live_panes(hub, plan=None)` returns (title, widget) pairs: Pods, ArgoCD, Certificates, Logs,
Metrics and Platform. Each pane explains in one sentence when its data is missing (no cluster,
unreachable, forbidden, CRD absent) and shows stale age.
"""

from __future__ import annotations

from typing import Any

from textual.widget import Widget

from cockpit.config import load_config
from cockpit.ui.panes.argo import ArgoPane
from cockpit.ui.panes.certs import CertsPane
from cockpit.ui.panes.logs import LogsPane
from cockpit.ui.panes.metrics import MetricsPane
from cockpit.ui.panes.platform import build_platform_pane
from cockpit.ui.panes.pods import PodsPane

__all__ = ["ArgoPane", "CertsPane", "LogsPane", "MetricsPane", "PodsPane", "build_live_panes"]


def build_live_panes(hub: Any, plan: Any = None) -> list[tuple[str, Widget]]:
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
