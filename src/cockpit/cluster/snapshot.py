"""A point-in-time view of the watched objects that metrics and checks are computed from."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.cluster.argocd import AppStatus
from cockpit.cluster.certs import CertStatus
from cockpit.cluster.pods import PodSummary


@dataclass(frozen=True, slots=True)
class ClusterSnapshot:
    """None for a kind means "not known" (not connected, forbidden, CRD absent), unlike an empty list."""

    pods: tuple[PodSummary, ...] | None = None
    apps: tuple[AppStatus, ...] | None = None
    certs: tuple[CertStatus, ...] | None = None
