"""Pane actions: the writes a live pane offers (ArgoCD hard refresh and sync, certificate
re-issue, pod delete), as requests the gate decides on, journals and performs.

A pane builds a `PaneAction` naming what it wants done to which object; it never calls the
cluster's write functions itself. `perform(action, api)` is what the gate calls once the action
is allowed (and confirmed): it is the only caller of the cluster's write functions.
Each action also says which kubectl command does the same, for the transcript and the operator.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.cluster.errors import ClusterError

if TYPE_CHECKING:  # the cluster client is imported when an action is performed, not at start-up
    from cockpit.cluster.kubeapi import KubeApi

HARD_REFRESH = "hard refresh"
SYNC = "sync"
REISSUE = "re-issue"
DELETE_POD = "delete"


@dataclass(frozen=True, slots=True)
class PaneAction:
    """One write a pane asks for: `verb` on `kind` `namespace/name` (`uid` when the object has one)."""

    verb: str
    kind: str
    namespace: str
    name: str
    uid: str = ""

    @property
    def label(self) -> str:
        """How the run list, journal and transcript name it: `⎈ hard refresh application argocd/x`."""
        return f"⎈ {self.verb} {self.kind} {self.namespace}/{self.name}"

    @property
    def equivalent(self) -> str:
        """The kubectl command that does the same (shown in the confirmation and transcript)."""
        from cockpit.cluster.argocd import REFRESH_ANNOTATION

        ns, name = shlex.quote(self.namespace), shlex.quote(self.name)
        if self.verb == HARD_REFRESH:
            return f"kubectl annotate application {name} -n {ns} {REFRESH_ANNOTATION}=hard --overwrite"
        if self.verb == SYNC:
            return (
                f"kubectl patch application {name} -n {ns} --type merge"
                """ -p '{"operation":{"sync":{"prune":false},"initiatedBy":{"username":"cockpit"}}}'"""
            )
        if self.verb == REISSUE:
            return f"kubectl delete certificaterequest -n {ns} <newest request of certificate {name}>"
        return f"kubectl delete pod {name} -n {ns}"

    @property
    def effect(self) -> str:
        """What it changes, in one sentence (the confirmation's reason)."""
        return {
            HARD_REFRESH: "ArgoCD re-reads the application's manifests from Git and compares them again",
            SYNC: "ArgoCD applies the application's Git state to the cluster",
            REISSUE: "its newest CertificateRequest is deleted and cert-manager issues the certificate again",
            DELETE_POD: "the pod is deleted; its controller (if any) starts a new one",
        }.get(self.verb, f"{self.verb} changes the cluster")


def hard_refresh(namespace: str, name: str) -> PaneAction:
    return PaneAction(HARD_REFRESH, "application", namespace, name)


def sync(namespace: str, name: str) -> PaneAction:
    return PaneAction(SYNC, "application", namespace, name)


def reissue_certificate(namespace: str, name: str, uid: str = "") -> PaneAction:
    return PaneAction(REISSUE, "certificate", namespace, name, uid)


def delete_pod(namespace: str, name: str) -> PaneAction:
    return PaneAction(DELETE_POD, "pod", namespace, name)


def perform(action: PaneAction, api: KubeApi) -> str:
    """Do it (blocking: the gate calls this from a thread). Returns one line saying what was done;
    raises ClusterError with the API server's reason when it was not."""
    from cockpit.cluster import argocd
    from cockpit.cluster.certs import reissue
    from cockpit.cluster.kubeapi import PODS

    ns, name = action.namespace, action.name
    if action.verb == HARD_REFRESH:
        argocd.hard_refresh(api, ns, name)
        return f"annotation {argocd.REFRESH_ANNOTATION}=hard set on application {ns}/{name}"
    if action.verb == SYNC:
        argocd.sync(api, ns, name)
        return f"sync operation requested on application {ns}/{name}"
    if action.verb == REISSUE:
        return reissue(api, ns, name, action.uid)
    if action.verb == DELETE_POD:
        api.delete(PODS.path(ns, name), what=f"pod {ns}/{name}")
        return f"pod {ns}/{name} deleted"
    raise ClusterError(f"cockpit does not know how to {action.verb} a {action.kind}")
