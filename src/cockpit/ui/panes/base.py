"""What every live pane shares: the hub, a status line with the data's freshness, and batches in.

Informer batches arrive on the dispatcher thread; the pane posts them to itself as a message
(`post_message` is the thread-safe way in) and applies them on the event loop. The status line says
in one sentence why data is missing (no cluster, unreachable, forbidden, CRD absent) and how old the
shown data is ("stale: 12 s"); it is re-rendered every second only while the data is not live.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from cockpit.cluster.describe import describe_text, object_yaml
from cockpit.cluster.errors import ClusterError
from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.informer import ChangeSet, Health, Informer, InformerState
from cockpit.session.actions import PaneAction
from cockpit.ui.clock import every_second
from cockpit.ui.rows import Palette, palette_of
from cockpit.ui.screens.dialogs import TextPrompt
from cockpit.ui.screens.viewer import TextViewer
from cockpit.ui.widgets.virtual_table import Column, Row, VirtualTable


class InformerBatch(Message):
    """A batch of changes from one informer, delivered on the event loop."""

    def __init__(self, batch: ChangeSet[Any]) -> None:
        super().__init__()
        self.batch = batch


def health_line(health: Health | None, hub: ClusterHub, what: str, now: float | None = None) -> str:
    """The pane's status sentence for an informer's health (markup-free)."""
    if hub.api is None:
        return hub.problem or "No cluster connected."
    if health is None:
        return f"Loading {what}…"
    if health.state is InformerState.CONNECTED:
        return ""
    if health.state is InformerState.STARTING and not health.failures:
        return f"Loading {what} from {hub.target.server if hub.target else 'the cluster'}…"
    return health.describe(now)  # the reason, the data's age and the next try, from the informer


READ_ONLY_ACTION = "read_only_write"  # the twin a write key shows in a read-only session


def write_bindings(key: str, action: str, description: str, id: str) -> list[Binding]:
    """A pane key that changes the cluster, and its read-only twin: in a read-only session the
    footer and help show `<description>: read-only session` instead of the key, and pressing it
    asks the gate anyway, which refuses it, says why and records the attempt."""
    return [
        Binding(key, action, description, id=id),
        Binding(
            key, f"{READ_ONLY_ACTION}('{action}')", f"{description}: read-only session", id=f"{id}.read_only"
        ),
    ]


class GateRequest(Message):
    """A pane asks for a write; the app hands it to the gate (which confirms, records, runs)."""

    def __init__(self, action: PaneAction) -> None:
        super().__init__()
        self.action = action


class LivePane(Vertical):
    """Base of the live panes: subscribe to informers, keep their health, show a status line."""

    WHAT = "data"
    DEFAULT_CSS = """
    LivePane { height: 1fr; }
    LivePane > DataTable { height: 1fr; }
    LivePane > VirtualTable { height: 1fr; }
    LivePane > Log { height: 1fr; }
    LivePane > .pane-status { color: $text-muted; }
    LivePane > .pane-status.-problem { color: $warning; text-style: bold; }
    LivePane > .pane-help { color: $text-muted; }
    LivePane > .pane-detail {
        height: auto;
        max-height: 14;
        overflow-y: auto;
        border-top: solid $primary;
    }
    """

    def __init__(self, hub: ClusterHub, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="live-pane")
        self.hub = hub
        self.health: Health | None = None
        self._unsubscribe: list[Any] = []
        self._status = Static("", classes="pane-status")
        self._render_owed = False
        self._status_shown: tuple[str, bool] | None = None

    WRITES: ClassVar[frozenset[str]] = frozenset()  # actions that change the cluster (`write_bindings`)

    @property
    def palette(self) -> Palette:
        """The theme's colours for Rich text: every colour a pane draws comes from the theme."""
        return palette_of(self.app)

    def render_rows(self) -> None:
        """Show the pane's rows (subclasses); called through `request_render`."""

    def _writes_allowed(self) -> bool | None:
        """True: the session may write; False: a read-only session; None: no gate to ask (a pane
        outside the cockpit app has nothing to record a write in)."""
        gate = getattr(self.app, "gate", None)
        return None if gate is None else not gate.read_only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Write keys: enabled in a normal session; in a read-only one hidden behind their
        read-only twin (which asks anyway, to be refused and recorded); shown disabled where there
        is no gate."""
        if action in self.WRITES:
            allowed = self._writes_allowed()
            return None if allowed is None else allowed
        if action == READ_ONLY_ACTION:
            return self._writes_allowed() is False
        return True

    async def action_read_only_write(self, action: str) -> None:
        """A write key pressed in a read-only session: the write is asked for all the same, so the
        gate refuses it, says why and journals the attempt (a key that did nothing at all left
        the operator guessing and the record silent)."""
        if action not in self.WRITES:
            return
        done = getattr(self, f"action_{action}")()
        if inspect.isawaitable(done):
            await done

    def request_write(self, action: PaneAction) -> None:
        """Ask the gate (through the app) for a write; nothing here touches the cluster."""
        self.post_message(GateRequest(action))

    def request_render(self) -> None:
        """Render now if the pane is on screen; a hidden pane (another tab) renders when shown."""
        if self.is_on_screen:
            self._render_owed = False
            self.render_rows()
        else:
            self._render_owed = True

    def on_show(self) -> None:
        if self._render_owed:
            self._render_owed = False
            self.render_rows()

    def status_widget(self) -> Static:
        return self._status

    def watch_informer(self, informer: Informer[Any] | None) -> None:
        """Subscribe; batches come back as InformerBatch messages to this pane."""
        if informer is None:
            self.refresh_status()
            return
        self._unsubscribe.append(informer.subscribe(lambda b: self.post_message(InformerBatch(b))))

    def on_mount(self) -> None:
        # Textual runs the on_mount of every class in the MRO: a subclass's own on_mount must not
        # call this one again (each pane had two one-second timers and two theme subscriptions)
        every_second(self, self._tick)
        self.refresh_status()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.retheme())

    def retheme(self) -> None:
        """A new theme: draw the rows again in its colours (they are Rich text, not CSS)."""
        self.request_render()

    def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _tick(self) -> None:
        if self.health is None or self.health.state is not InformerState.CONNECTED:
            self.refresh_status()

    def refresh_status(self) -> None:
        text = health_line(self.health, self.hub, self.WHAT, time.time())
        problem = bool(text) and (self.health is None or self.health.state is not InformerState.STARTING)
        if (text, problem) == self._status_shown:
            return  # unchanged: no repaint
        self._status_shown = (text, problem)
        self._status.update(text)
        self._status.display = bool(text)
        self._status.set_class(problem, "-problem")


class TablePane(LivePane):
    """A live pane showing one informer's objects (by uid, in `rows`) in a VirtualTable `TABLE_ID`.

    Batches are applied to `rows` (`batch_coming(batch)` sees them before), then `batch_taken(batch)`
    asks for a render (the pods pane throttles there); `selected()` is the object under the table's
    cursor. `d` describes and `y` shows the YAML of the selected object (kind `PLURAL`, read from
    the API when asked); `/` filters the rows by words (`matches_filter`).
    """

    TABLE_ID: ClassVar[str] = ""
    PLURAL: ClassVar[str] = ""  # the API's plural for `d` and `y`
    KIND: ClassVar[str] = ""  # the kind events name (involvedObject.kind)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "start_filter", "Filter rows", id="pane.filter"),
        Binding("d", "describe", "Describe", id="pane.describe"),
        Binding("y", "yaml", "YAML", id="pane.yaml"),
    ]

    def __init__(self, hub: ClusterHub, *, id: str | None = None) -> None:
        super().__init__(hub, id=id)
        self.rows: dict[str, Any] = {}
        self.filter_text = ""

    # -- / filter ---------------------------------------------------------------------------------
    def action_start_filter(self) -> None:
        """/ on this pane: words every shown row must contain (empty shows all)."""
        self.app.push_screen(
            TextPrompt(f"Filter {self.WHAT} (empty shows all)", self.filter_text, placeholder="words"),
            self._filter_chosen,
        )

    def _filter_chosen(self, text: str | None) -> None:
        if text is None:
            return
        self.filter_text = text.strip()
        self.request_render()

    def matches_filter(self, *cells: object) -> bool:
        words = self.filter_text.lower().split()
        if not words:
            return True
        hay = " ".join(str(c) for c in cells).lower()
        return all(w in hay for w in words)

    # -- d / y ------------------------------------------------------------------------------------
    def object_ref(self, obj: Any) -> tuple[str, str]:
        return str(getattr(obj, "namespace", "") or ""), str(getattr(obj, "name", ""))

    def action_describe(self) -> None:
        self._show_object(describe=True)

    def action_yaml(self) -> None:
        self._show_object(describe=False)

    def _show_object(self, describe: bool) -> None:
        obj = self.selected()
        if obj is None or not self.PLURAL:
            return
        namespace, name = self.object_ref(obj)
        what = "Describe" if describe else "YAML of"
        viewer = TextViewer(f"{what} {self.KIND or self.PLURAL} {namespace}/{name}", "loading…")
        self.app.push_screen(viewer)
        self._load_object(viewer, namespace, name, describe)

    @work(thread=True, group="object-view", exit_on_error=False, description="read an object for d / y")
    def _load_object(self, viewer: TextViewer, namespace: str, name: str, describe: bool) -> None:
        try:
            obj = self.hub.get_object(self.PLURAL, namespace, name)
            if describe:
                events = self.hub.events_of(self.KIND, namespace, name) if self.KIND else []
                text = describe_text(obj, events)
            else:
                text = object_yaml(obj)
        except ClusterError as err:
            text = err.sentence
        if viewer.is_attached:
            self.app.call_from_thread(viewer.set_text, text)

    def row_table(self, columns: tuple[Column, ...]) -> VirtualTable:
        return VirtualTable(columns, id=self.TABLE_ID, zebra_stripes=True)

    def table(self) -> VirtualTable:
        return self.query_one(f"#{self.TABLE_ID}", VirtualTable)

    def show_rows(self, rows: Iterable[Row]) -> None:
        """Hand the rows (key, cells) in order to the table; it repaints only what changed."""
        self.table().update(rows)

    def on_informer_batch(self, message: InformerBatch) -> None:
        message.stop()
        self.batch_coming(message.batch)
        message.batch.apply_to(self.rows)
        self.health = message.batch.health
        self.refresh_status()
        self.batch_taken(message.batch)

    def batch_coming(self, batch: ChangeSet[Any]) -> None:
        """Before `batch` is applied to `rows` (the rows it replaces or deletes are still there)."""

    def batch_taken(self, batch: ChangeSet[Any]) -> None:
        del batch
        self.request_render()

    def selected(self) -> Any | None:
        key = self.table().cursor_key
        return None if key is None else self.rows.get(key)
