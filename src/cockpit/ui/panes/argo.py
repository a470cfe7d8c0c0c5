"""The ArgoCD pane: applications with sync, health and operation; hard refresh and sync go through
the gate (confirmed, journaled, refused in a read-only session)."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from cockpit.cluster.argocd import counts, sort_apps
from cockpit.kubeprint import human_duration
from cockpit.session import actions
from cockpit.ui.panes.base import TablePane, write_bindings
from cockpit.ui.rows import Palette
from cockpit.ui.widgets.virtual_table import Column

TABLE_COLUMNS = (
    Column("name", "APPLICATION", priority=10, min_width=12, cut="middle"),
    Column("sync", "SYNC", priority=9, cut=None),
    Column("health", "HEALTH", priority=8, cut=None),
    Column("operation", "OPERATION", priority=6, min_width=9),
    Column("revision", "REVISION", priority=4, min_width=8),
    Column("last_sync", "LAST SYNC", priority=5, cut=None),
    Column("message", "MESSAGE", priority=1, min_width=12),
)
COLUMNS = tuple(c.key for c in TABLE_COLUMNS)
# sync, health and operation values -> (theme role, bold)
ROLES = {
    "Synced": ("success", False),
    "OutOfSync": ("warning", False),
    "Healthy": ("success", False),
    "Progressing": ("accent", False),
    "Degraded": ("error", True),
    "Missing": ("error", False),
    "Suspended": ("muted", False),
    "Failed": ("error", True),
    "Error": ("error", True),
    "Running": ("accent", False),
    "Succeeded": ("success", False),
}


def styled(value: str, palette: Palette) -> Text:
    role, bold = ROLES.get(value, ("", False))
    return Text(value, style=palette.style(role, bold=bold))


class ArgoPane(TablePane):
    """ArgoCD Applications. `R` hard-refreshes and `S` syncs the selected one (the gate asks first)."""

    WHAT = "ArgoCD applications"
    TABLE_ID = "argo-table"
    PLURAL = "applications"
    KIND = "Application"
    BINDINGS: ClassVar[list[BindingType]] = [
        *write_bindings("R", "hard_refresh", "Hard refresh app", id="argo.hard_refresh"),
        *write_bindings("S", "sync", "Sync app", id="argo.sync"),
    ]
    WRITES = frozenset({"hard_refresh", "sync"})

    def __init__(self, hub: Any, *, id: str | None = "argo-pane") -> None:
        super().__init__(hub, id=id)

    def compose(self) -> ComposeResult:
        yield self.status_widget()
        yield Static("", id="argo-summary", classes="pane-summary")
        yield self.row_table(TABLE_COLUMNS)

    def on_mount(self) -> None:
        self.watch_informer(self.hub.apps())

    def render_rows(self) -> None:
        c = counts(self.rows.values())
        self.query_one("#argo-summary", Static).update(
            Text.assemble(
                (c.synced_text, "bold"),
                "   ",
                (c.healthy_text, "bold"),
                f"   Synced or Healthy {c.synced_or_healthy}/{c.total}",
            )
        )
        now = time.time()
        palette = self.palette
        rows = []
        shown = (
            a for a in self.rows.values() if self.matches_filter(a.name, a.sync, a.health, a.failed_message)
        )
        for a in sort_apps(shown):
            op = a.operation + (" (refresh requested)" if a.refreshing else "")
            if a.sync_requested and not a.operation:
                op = "sync requested"
            rows.append(
                (
                    a.uid,
                    (
                        a.name,
                        styled(a.sync, palette),
                        styled(a.health, palette),
                        styled(op, palette),
                        a.target_revision + (f" ({a.synced_revision})" if a.synced_revision else ""),
                        human_duration(now - a.last_sync) + " ago" if a.last_sync else "never",
                        a.failed_message[:140],
                    ),
                )
            )
        self.show_rows(rows)

    def action_hard_refresh(self) -> None:
        if (app := self.selected()) is not None:
            self.request_write(actions.hard_refresh(app.namespace, app.name))

    def action_sync(self) -> None:
        if (app := self.selected()) is not None:
            self.request_write(actions.sync(app.namespace, app.name))
