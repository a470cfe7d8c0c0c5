"""The certificates pane: Ready, reason, expiry and renewal; enter drills down to the challenge."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from cockpit.cluster.certs import CertChain, CertStatus, ready_counts
from cockpit.cluster.errors import ClusterError
from cockpit.cluster.informer import ChangeSet
from cockpit.cluster.tlsprobe import probe_host
from cockpit.session import actions
from cockpit.ui.panes.base import TablePane, write_bindings
from cockpit.ui.rows import Palette
from cockpit.ui.widgets.virtual_table import Column, VirtualTable

TABLE_COLUMNS = (
    Column("name", "CERTIFICATE", priority=10, min_width=12, cut="middle"),
    Column("ready", "READY", priority=9, cut=None),
    Column("reason", "REASON", priority=7, min_width=8),
    Column("days", "DAYS LEFT", priority=8, cut=None, align="right"),
    Column("not_after", "NOT AFTER", priority=4, cut=None),
    Column("renewal", "RENEWAL", priority=3, cut=None),
    Column("namespace", "NAMESPACE", priority=5, min_width=9, cut="middle"),
    Column("message", "MESSAGE", priority=1, min_width=12),
)
COLUMNS = tuple(c.key for c in TABLE_COLUMNS)


def _date(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M") if ts else "-"


def format_chain(chain: CertChain, palette: Palette) -> Text:
    c = chain.certificate
    out = Text(f"Certificate {c.namespace}/{c.name}: Ready={c.ready} {c.reason}", style="bold")
    if not chain.links:
        out.append("\n  no CertificateRequest found for it", style="dim")
    for link in chain.links:
        bad = link.state.lower() not in ("ready", "valid")
        out.append(f"\n{'  ' * link.depth}{link.kind} {link.name}: ", style="")
        out.append(link.state, style=palette.error if bad else palette.success)
        if link.reason:
            out.append(f" — {link.reason[:160]}", style="dim")
    if chain.explanation:
        out.append("\nWhy: ", style="bold")
        out.append(chain.explanation, style=palette.warning)
    return out


class CertsPane(TablePane):
    """cert-manager Certificates. `enter` explains the selected one (and keeps following it);
    `T` probes its hosts over TLS; `R` re-issues it (deletes its newest CertificateRequest, through
    the gate)."""

    WHAT = "certificates"
    TABLE_ID = "certs-table"
    PLURAL = "certificates"
    KIND = "Certificate"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "drill", "Why not Ready", id="certs.drill"),
        Binding("T", "probe", "TLS probe", id="certs.probe"),
        *write_bindings("R", "reissue", "Re-issue certificate", id="certs.reissue"),
    ]
    WRITES = frozenset({"reissue"})

    def __init__(self, hub: Any, *, id: str | None = "certs-pane") -> None:
        super().__init__(hub, id=id)
        self.drilled: CertStatus | None = None  # the certificate the "why" panel follows

    def compose(self) -> ComposeResult:
        yield self.status_widget()
        yield Static("", id="certs-summary", classes="pane-summary")
        yield self.row_table(TABLE_COLUMNS)
        yield Static("", id="certs-detail", classes="pane-detail")

    def on_mount(self) -> None:
        self.query_one("#certs-detail", Static).display = False
        self.watch_informer(self.hub.certs())

    def render_rows(self) -> None:
        ready, total = ready_counts(self.rows.values())
        self.query_one("#certs-summary", Static).update(Text(f"Ready {ready}/{total}", style="bold"))
        now = time.time()
        shown = (
            c for c in self.rows.values() if self.matches_filter(c.namespace, c.name, c.reason, c.message)
        )
        ordered = sorted(shown, key=lambda c: (c.is_ready, c.namespace, c.name))
        palette = self.palette
        bad = palette.style("error", bold=True)
        rows = []
        for c in ordered:
            days = c.days_left(now)
            rows.append(
                (
                    c.uid,
                    (
                        c.name,
                        Text(c.ready, style=palette.style("success") if c.is_ready else bad),
                        c.reason,
                        Text(
                            "-" if days is None else str(days),
                            style=palette.error if days is not None and days < 14 else "",
                        ),
                        _date(c.not_after),
                        _date(c.renewal_time),
                        c.namespace,
                        c.message[:140],
                    ),
                )
            )
        self.show_rows(rows)

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def batch_taken(self, batch: ChangeSet[Any]) -> None:
        """The drill-down follows its certificate: when the informer brings a change to it, the
        chain is read again, so the panel never contradicts the row above it."""
        super().batch_taken(batch)
        drilled = self.drilled
        if drilled is None:
            return
        now = self.rows.get(drilled.uid)
        if now is None:
            self.drilled = None
            self.query_one("#certs-detail", Static).update(
                Text(f"Certificate {drilled.namespace}/{drilled.name} was deleted.", style="yellow")
            )
        elif now != drilled:
            self.drilled = now
            self._drill(now)

    def action_drill(self) -> None:
        cert = self.selected()
        if cert is None or self.hub.api is None:
            return
        self.drilled = cert
        panel = self.query_one("#certs-detail", Static)
        panel.display = True
        panel.update(f"Following {cert.name} through CertificateRequest → Order → Challenge…")
        self._drill(cert)

    @work(
        thread=True, exclusive=True, group="cert-drill", exit_on_error=False, description="certificate chain"
    )
    def _drill(self, cert: CertStatus) -> None:
        try:
            text = format_chain(self.hub.cert_chain(cert), self.palette)
        except ClusterError as err:
            text = Text(err.sentence, style=self.palette.error)
        self.app.call_from_thread(self.query_one("#certs-detail", Static).update, text)

    def action_reissue(self) -> None:
        if (cert := self.selected()) is not None:
            self.request_write(actions.reissue_certificate(cert.namespace, cert.name, cert.uid))

    def action_probe(self) -> None:
        cert = self.selected()
        if cert is None or not cert.dns_names:
            return
        self.drilled = None  # the panel shows the probe now
        panel = self.query_one("#certs-detail", Static)
        panel.display = True
        panel.update(f"Probing {', '.join(cert.dns_names)} over TLS and HTTP…")
        self._probe(cert)

    @work(thread=True, exclusive=True, group="cert-probe", exit_on_error=False, description="TLS probe")
    def _probe(self, cert: CertStatus) -> None:
        out = Text(f"TLS probe of {cert.name}", style="bold")
        for host in cert.dns_names[:4]:
            result = probe_host(host)
            out.append(f"\n  {host}: {result.summary}", style=self.palette.warning if result.problem else "")
        self.app.call_from_thread(self.query_one("#certs-detail", Static).update, out)
