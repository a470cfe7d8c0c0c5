"""cert-manager Certificates, and the drill-down that explains why one is not Ready.

Certificate (conditions Ready/Issuing, notAfter, renewalTime) -> CertificateRequest (owned by the
Certificate) -> Order (owned by the request) -> Challenge (owned by the order). Each link is found
through ownerReferences, with the `cert-manager.io/certificate-name` annotation and name prefixes
as fallbacks. `explain_challenge` turns a failing HTTP-01/DNS-01 challenge into one sentence.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cockpit.cluster.errors import ClusterError
from cockpit.cluster.explain import login_page_in_text
from cockpit.cluster.kubeapi import CERTIFICATE_REQUESTS, CHALLENGES, ORDERS, KubeApi
from cockpit.cluster.pods import parse_time

DAY = 86400.0
FAILED_ORDER = ("invalid", "errored")


def _condition(status: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    for cond in status.get("conditions") or []:
        if cond.get("type") == kind:
            return cond
    return {}


@dataclass(frozen=True, slots=True)
class CertStatus:
    uid: str
    namespace: str
    name: str
    ready: str  # "True" / "False" / "Unknown"
    reason: str
    message: str
    not_after: float | None
    renewal_time: float | None
    dns_names: tuple[str, ...] = ()
    secret: str = ""
    issuer: str = ""  # "ClusterIssuer/letsencrypt-prod"
    issuing: bool = False
    revision: int = 0

    @property
    def is_ready(self) -> bool:
        return self.ready == "True"

    def days_left(self, now: float | None = None) -> int | None:
        if self.not_after is None:
            return None
        return int((self.not_after - (now or time.time())) // DAY)


def summarize_certificate(cert: Mapping[str, Any]) -> CertStatus:
    meta = cert.get("metadata") or {}
    spec = cert.get("spec") or {}
    status = cert.get("status") or {}
    ready = _condition(status, "Ready")
    issuer = spec.get("issuerRef") or {}
    return CertStatus(
        uid=str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}"),
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name") or ""),
        ready=str(ready.get("status") or "Unknown"),
        reason=str(ready.get("reason") or ""),
        message=str(ready.get("message") or ""),
        not_after=parse_time(status.get("notAfter")),
        renewal_time=parse_time(status.get("renewalTime")),
        dns_names=tuple(spec.get("dnsNames") or ()),
        secret=str(spec.get("secretName") or ""),
        issuer=f"{issuer.get('kind', 'Issuer')}/{issuer.get('name', '')}" if issuer else "",
        issuing=_condition(status, "Issuing").get("status") == "True",
        revision=int(status.get("revision") or 0),
    )


def ready_counts(certs: Iterable[CertStatus]) -> tuple[int, int]:
    rows = list(certs)
    return sum(c.is_ready for c in rows), len(rows)


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One object of the drill-down: its kind, name, state and reason, and a line of explanation."""

    kind: str
    name: str
    state: str
    reason: str
    depth: int
    explanation: str = ""
    created: float | None = None


@dataclass(slots=True)
class CertChain:
    certificate: CertStatus
    links: list[ChainLink] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        """The most specific explanation found down the chain (the deepest failing link)."""
        for link in reversed(self.links):
            if link.explanation:
                return link.explanation
        if not self.certificate.is_ready:
            c = self.certificate
            why = c.reason or "no reason"
            return f"Certificate {c.name} is not Ready ({why}): {c.message or 'no message'}."
        return ""


_REDIRECT = re.compile(r"\b(30[1278])\b|redirect", re.IGNORECASE)
_STATUS = re.compile(
    r"(?:status code|wrong status code|Invalid response from \S+:?)\s*'?(\d{3})", re.IGNORECASE
)


def explain_challenge(challenge: Mapping[str, Any]) -> str:
    """One sentence on why a Challenge is not valid, "" when it is valid or has nothing to say."""
    spec = challenge.get("spec") or {}
    status = challenge.get("status") or {}
    state = str(status.get("state") or "pending")
    reason = str(status.get("reason") or "")
    domain = str(spec.get("dnsName") or (challenge.get("metadata") or {}).get("name", ""))
    ctype = str(spec.get("type") or "HTTP-01").upper()
    if state == "valid":
        return ""
    if ctype == "HTTP-01":
        path = f"http://{domain}/.well-known/acme-challenge/"
        code_match = _STATUS.search(reason)
        code = code_match.group(1) if code_match else ""
        page = login_page_in_text(reason)
        if page is not None or (_REDIRECT.search(reason) and "login" in reason.lower()):
            who = page.name if page is not None and page.name else "an auth proxy"
            return (
                f"HTTP-01 for {domain} fails because {path} answers {code or 'a redirect'} to a login page "
                f"({who} intercepts it): exempt /.well-known/acme-challenge/* from it, then delete the "
                "challenge or certificate request to retry."
            )
        if code in ("301", "302", "303", "307", "308") or _REDIRECT.search(reason):
            return (
                f"HTTP-01 for {domain} fails because {path} answers {code or 'a redirect'} instead of "
                "the token, which is an access proxy's login page (such as Cloudflare Access) intercepting "
                "the ACME path: exempt /.well-known/acme-challenge/* from it, then delete the challenge "
                "or certificate request to retry."
            )
        if code == "404":
            return (
                f"HTTP-01 for {domain} fails: {path} answers 404, so the solver's ingress is not reached "
                "(check the ingress class and that port 80 routes to the solver)."
            )
        if re.search(r"timeout|connection refused|no route|dial tcp", reason, re.IGNORECASE):
            return f"HTTP-01 for {domain} fails: {path} is not reachable from outside ({reason[:120]})."
        if re.search(r"no such host|NXDOMAIN|DNS problem", reason, re.IGNORECASE):
            return f"HTTP-01 for {domain} fails: the name does not resolve publicly ({reason[:120]})."
    if reason:
        return f"{ctype} challenge for {domain} is {state}: {reason}"
    if state in ("pending", ""):
        presented = (status.get("presented"), status.get("processing"))
        if presented == (True, True):
            return f"{ctype} challenge for {domain} is presented; waiting for the ACME server to validate it."
        return f"{ctype} challenge for {domain} is pending."
    return f"{ctype} challenge for {domain} is {state}."


def _owned_by(obj: Mapping[str, Any], owner_uid: str, owner_name: str, owner_kind: str) -> bool:
    meta = obj.get("metadata") or {}
    for ref in meta.get("ownerReferences") or []:
        if ref.get("uid") == owner_uid or (ref.get("kind") == owner_kind and ref.get("name") == owner_name):
            return True
    annotations = meta.get("annotations") or {}
    return owner_kind == "Certificate" and annotations.get("cert-manager.io/certificate-name") == owner_name


def _ready_state(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    cond = _condition(obj.get("status") or {}, "Ready")
    state = {"True": "Ready", "False": "NotReady"}.get(str(cond.get("status")), "Unknown")
    return state, str(cond.get("reason") or ""), str(cond.get("message") or "")


def certificate_chain(api: KubeApi, cert: CertStatus) -> CertChain:
    """Fetch the Certificate's requests, orders and challenges (blocking: call it from a worker)."""
    chain = CertChain(cert)
    ns = cert.namespace
    requests = api.get_json(CERTIFICATE_REQUESTS.path(ns)).get("items") or []
    orders = api.get_json(ORDERS.path(ns)).get("items") or []
    challenges = api.get_json(CHALLENGES.path(ns)).get("items") or []
    mine = [r for r in requests if _owned_by(r, cert.uid, cert.name, "Certificate")]
    mine.sort(key=lambda r: parse_time((r.get("metadata") or {}).get("creationTimestamp")) or 0.0)
    for req in mine:
        rmeta = req.get("metadata") or {}
        state, reason, message = _ready_state(req)
        if _condition(req.get("status") or {}, "Denied").get("status") == "True":
            state, reason = "Denied", "Denied"
        explanation = ""
        if state != "Ready" and reason in ("Failed", "Denied"):
            explanation = f"CertificateRequest {rmeta.get('name')} {reason.lower()}: {message}"
        chain.links.append(
            ChainLink(
                "CertificateRequest",
                str(rmeta.get("name")),
                state,
                reason or message[:80],
                1,
                explanation,
                parse_time(rmeta.get("creationTimestamp")),
            )
        )
        for order in orders:
            if not _owned_by(order, str(rmeta.get("uid", "")), str(rmeta.get("name")), "CertificateRequest"):
                continue
            ometa = order.get("metadata") or {}
            ostatus = order.get("status") or {}
            ostate = str(ostatus.get("state") or "pending")
            oreason = str(ostatus.get("reason") or "")
            chain.links.append(
                ChainLink(
                    "Order",
                    str(ometa.get("name")),
                    ostate,
                    oreason,
                    2,
                    f"Order {ometa.get('name')} is {ostate}: {oreason}" if ostate in FAILED_ORDER else "",
                    parse_time(ometa.get("creationTimestamp")),
                )
            )
            for ch in challenges:
                if not _owned_by(ch, str(ometa.get("uid", "")), str(ometa.get("name")), "Order"):
                    continue
                cmeta = ch.get("metadata") or {}
                cstatus = ch.get("status") or {}
                chain.links.append(
                    ChainLink(
                        "Challenge",
                        str(cmeta.get("name")),
                        str(cstatus.get("state") or "pending"),
                        str(cstatus.get("reason") or ""),
                        3,
                        explain_challenge(ch),
                        parse_time(cmeta.get("creationTimestamp")),
                    )
                )
    return chain


def latest_request(api: KubeApi, namespace: str, name: str, uid: str = "") -> str | None:
    """The name of Certificate namespace/name's newest CertificateRequest, None without one (blocking)."""
    requests = api.get_json(CERTIFICATE_REQUESTS.path(namespace)).get("items") or []
    mine = [r for r in requests if _owned_by(r, uid, name, "Certificate")]
    mine.sort(key=lambda r: parse_time((r.get("metadata") or {}).get("creationTimestamp")) or 0.0)
    return str((mine[-1].get("metadata") or {}).get("name")) if mine else None


def reissue(api: KubeApi, namespace: str, name: str, uid: str = "") -> str:
    """Make cert-manager issue Certificate namespace/name again: delete its newest CertificateRequest
    (the request controller then creates the next one). Returns what was done, in one line."""
    request = latest_request(api, namespace, name, uid)
    if request is None:
        raise ClusterError(
            f"Certificate {namespace}/{name} has no CertificateRequest to delete;"
            " cert-manager has not started issuing it"
        )
    what = f"certificaterequest {namespace}/{request}"
    api.delete(CERTIFICATE_REQUESTS.path(namespace, request), what=what)
    return f"CertificateRequest {namespace}/{request} deleted: cert-manager issues the certificate again"
