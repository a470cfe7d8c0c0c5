"""The start-up heap: no cyclic garbage collection while the screen is built and the pods listed.

Start-up grows the heap from nothing to ~250k tracked objects at 10k pods (Textual's DOM and
styles, then the rows). Python's collector runs a full pass each time the old generation grows by
a quarter, and each pass scans everything: 15-290 ms apiece, three or four of them before the
pods pane is painted. Almost everything made at start-up lives as long as the app, and the
decode and the rows make no reference cycles, so the collector is held off from the app's load
(from `cockpit`'s start, before the UI's modules load, when the CLI opens it; at the latest
before `build_app` starts the pods list, whose page decodes pause the collector themselves: a
hold that came second would find it off and stay out) until the pods pane shows its first whole
list (or the first screen, without a cluster, or SETTLE_AFTER_S at the latest); then what is
alive is frozen (`gc.freeze`: never scanned again, still freed by reference counting) and the
collector runs again, over what comes after only.
The cost: the few cycles left by start-up (~20k objects, ~3 MB at 10k pods) are never collected.
"""

from __future__ import annotations

import gc

SETTLE_AFTER_S = 10.0  # the app settles the heap by then whatever happens (a slow or absent list)


class StartupHeap:
    """Hold the collector off once, at start; `settle` freezes what is alive and turns it back on."""

    def __init__(self) -> None:
        self.state = "new"  # -> "held" -> "settled"

    @property
    def held(self) -> bool:
        return self.state == "held"

    def hold(self) -> None:
        """At the app's load: no collections until `settle` (once per process; a no-op after)."""
        if self.state == "new" and gc.isenabled():
            gc.disable()
            self.state = "held"

    def settle(self) -> None:
        """Freeze what is alive (start-up state, long-lived) and turn the collector back on."""
        if self.state != "held":
            return
        self.state = "settled"
        gc.freeze()
        gc.enable()


STARTUP = StartupHeap()
