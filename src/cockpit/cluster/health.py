"""How fresh an informer's data is, derived from what actually arrived, and the deadlines behind it.

`Health` is what panes (and the status bar) show: a state, a one-sentence reason when the data is
not live, when data last arrived (a list page, a watch event, a bookmark, or the answer of a probe
of a silent watch), when the last change arrived, and when the next attempt is due.

    health.freshness            # LOADING, CONNECTED, STALE, DISCONNECTED or UNAVAILABLE
    health.reason               # "" when live, else one sentence ("... — re-listing.")
    health.age(now)             # seconds since data last arrived (None before any)
    health.retry_in(now)        # seconds until the next attempt while waiting after a failure
    health.describe(now)        # the pane's status line ("" when live)
    overall(registry.health())  # ConnectionHealth: the worst informer, for a status bar banner
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from cockpit.kubeprint import human_duration


class InformerState(StrEnum):
    STARTING = "starting"  # no data yet and nothing wrong yet
    CONNECTED = "connected"  # data arrived within the deadline
    STALE = "stale"  # connected, but nothing (not even a bookmark) arrived for too long: checking
    RECONNECTING = "reconnecting"  # the last attempt failed; waiting to retry (reason says why)
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_INSTALLED = "not-installed"
    STOPPED = "stopped"


class Freshness(StrEnum):
    """The one word a status bar shows for an informer (or for the worst of them)."""

    LOADING = "loading"
    CONNECTED = "connected"
    STALE = "stale"
    DISCONNECTED = "disconnected"
    UNAVAILABLE = "unavailable"  # denied or not installed: only someone acting fixes it

    @property
    def rank(self) -> int:
        """Higher is worse (for "the worst of the informers")."""
        return _RANK[self]


_RANK = {
    Freshness.CONNECTED: 0,
    Freshness.LOADING: 1,
    Freshness.UNAVAILABLE: 2,
    Freshness.STALE: 3,
    Freshness.DISCONNECTED: 4,
}
_FRESHNESS = {
    InformerState.STARTING: Freshness.LOADING,
    InformerState.CONNECTED: Freshness.CONNECTED,
    InformerState.STALE: Freshness.STALE,
    InformerState.RECONNECTING: Freshness.DISCONNECTED,
    InformerState.UNAUTHORIZED: Freshness.DISCONNECTED,
    InformerState.FORBIDDEN: Freshness.UNAVAILABLE,
    InformerState.NOT_INSTALLED: Freshness.UNAVAILABLE,
    InformerState.STOPPED: Freshness.DISCONNECTED,
}


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Every wait of an informer is bounded (seconds). The defaults notice a hung list or a silent
    watch within 15 s; tests pass short ones."""

    connect: float = 5.0  # TCP (and TLS) connect
    read: float = 10.0  # the longest wait for the next bytes of a list, or for a watch's headers
    silence: float = 10.0  # a watch with no byte this long (not even a bookmark) is probed
    probe: float = 4.0  # the probe's read deadline (a `limit=1` list of the same resource)
    stale_after: float = 15.0  # no data this long: health says stale (checked by the registry)
    short_watch: float = 1.0  # a watch that ends this soon with nothing in it counts as a failure


@dataclass(frozen=True, slots=True)
class Health:
    """A snapshot of one informer's freshness. Times are wall-clock seconds (time.time())."""

    state: InformerState
    error: str = ""  # the reason sentence; "" while live
    last_good: float | None = None  # data last arrived (list page, event, bookmark, probe answer)
    synced: bool = False  # a full list has been received at least once
    last_event: float | None = None  # the last change (a list or an ADDED/MODIFIED/DELETED event)
    retry_at: float | None = None  # the next attempt, while waiting after a failure
    failures: int = 0  # failed attempts in a row (0 while live)

    def arrived(self, now: float, changed: bool, synced: bool = True) -> Health:
        """The next health once data arrived at `now`: live, no failure counted; `changed`: the data
        changed something (else the last change's time stays)."""
        return Health(InformerState.CONNECTED, "", now, synced, now if changed else self.last_event, None, 0)

    def failed(
        self, state: InformerState, error: str, retry_at: float | None = None, failure: bool = True
    ) -> Health:
        """The next health after an attempt went wrong: the data's times stay (its age goes on
        growing); `failure` counts one more failed attempt in a row."""
        return Health(
            state,
            error,
            self.last_good,
            self.synced,
            self.last_event,
            retry_at,
            self.failures + 1 if failure else self.failures,
        )

    def quiet_for(self, now: float, stale_after: float) -> float | None:
        """Seconds a live source has sent nothing, once that reaches `stale_after`; else None."""
        if self.state is not InformerState.CONNECTED or self.last_good is None:
            return None
        quiet = now - self.last_good
        return quiet if quiet >= stale_after else None

    def stale(self, sentence: str) -> Health:
        """This health, seen as stale: `sentence` says what has gone quiet; the data's times stay."""
        return Health(
            InformerState.STALE, sentence, self.last_good, self.synced, self.last_event, None, self.failures
        )

    def follow_word(self) -> str:
        """One word for a log follow's footer: following, stale, starting (no failure yet) or
        reconnecting."""
        if self.state is InformerState.CONNECTED:
            return "following"
        if self.state is InformerState.STALE:
            return "stale"
        if self.state is InformerState.STARTING and not self.failures:
            return "starting"
        return "reconnecting"

    @property
    def reason(self) -> str:
        return self.error

    @property
    def freshness(self) -> Freshness:
        if self.state is InformerState.STARTING and self.failures:
            return Freshness.DISCONNECTED
        return _FRESHNESS[self.state]

    def age(self, now: float | None = None) -> float | None:
        """Seconds since data last arrived, or None before any did."""
        if self.last_good is None:
            return None
        return max(0.0, (time.time() if now is None else now) - self.last_good)

    def stale_seconds(self, now: float | None = None) -> float | None:
        """Seconds since the last good data when not connected (for "stale: 12 s"), else None."""
        if self.state is InformerState.CONNECTED:
            return None
        return self.age(now)

    def retry_in(self, now: float | None = None) -> float | None:
        if self.retry_at is None:
            return None
        return max(0.0, self.retry_at - (time.time() if now is None else now))

    def describe(self, now: float | None = None) -> str:
        """The status line for a pane: "" while live, else the reason, the data's age and the next try."""
        if self.state is InformerState.CONNECTED:
            return ""
        parts = [(self.error or self.state.value).rstrip(". ")]
        stale = self.stale_seconds(now)
        if stale is not None:
            parts.append(f"showing data from {human_duration(stale)} ago (stale)")
        retry = self.retry_in(now)
        if retry is not None and self.state is not InformerState.STALE:
            parts.append(f"next try in {max(1, round(retry))} s")
        return "; ".join(parts) + "."


@dataclass(frozen=True, slots=True)
class ConnectionHealth:
    """All informers of a cluster in one: what a status bar banner shows (worst first)."""

    freshness: Freshness
    reason: str = ""  # the worst informer's reason ("" when all are live)
    resource: str = ""  # which informer that is ("pods", "applications.argoproj.io")
    last_data: float | None = None  # the newest arrival of data across informers (wall clock)
    last_event: float | None = None  # the newest change across informers (wall clock)

    def since_data(self, now: float | None = None) -> float | None:
        if self.last_data is None:
            return None
        return max(0.0, (time.time() if now is None else now) - self.last_data)

    def since_event(self, now: float | None = None) -> float | None:
        if self.last_event is None:
            return None
        return max(0.0, (time.time() if now is None else now) - self.last_event)


def overall(healths: dict[str, Health]) -> ConnectionHealth:
    """The worst freshness of the informers (DISCONNECTED beats STALE beats LOADING...)."""
    if not healths:
        return ConnectionHealth(Freshness.LOADING)
    resource, worst = max(healths.items(), key=lambda item: item[1].freshness.rank)
    arrivals = [h.last_good for h in healths.values() if h.last_good is not None]
    changes = [h.last_event for h in healths.values() if h.last_event is not None]
    return ConnectionHealth(
        worst.freshness,
        worst.reason if worst.freshness is not Freshness.CONNECTED else "",
        resource,
        max(arrivals) if arrivals else None,
        max(changes) if changes else None,
    )
