"""cert-manager: Certificates, CertificateRequests, ACME Orders and HTTP-01 Challenges.

Behind Cloudflare Access, `/.well-known/acme-challenge/TOKEN` answers 302 to the Access login page,
so HTTP-01 challenges stay pending (`wrong status code '302', expected '200'`) or end invalid. The
ACME bypass is in place for a host when the ConfigMap kube-system/cloudflare-access has
`data.bypassAcme: "true"`, or the Ingress serving the host is annotated
`cockpit.sandbox/acme-bypass=true`. Then a pending challenge passes its self-check, the order and
request complete, and the Certificate becomes Ready (notAfter +90 days, renewalTime +60 days).
Deleting a CertificateRequest of a Certificate that is not Ready makes cert-manager issue again
(`NAME-<revision+1>`, as cert-manager names them; a never-issued certificate gets `NAME-1` again).
"""

from __future__ import annotations

import base64
import contextlib
import urllib.parse
from typing import TYPE_CHECKING, Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import (
    CERTIFICATEREQUESTS,
    CERTIFICATES,
    CHALLENGES,
    CONFIGMAPS,
    INGRESSES,
    ORDERS,
    SECRETS,
    ResourceType,
)
from cockpit.sandbox.store import ADDED, DELETED
from cockpit.sandbox.world.names import rfc3339
from cockpit.sandbox.world.objects import tls_secret
from cockpit.sandbox.world.pods import owner_ref

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]
BYPASS_ANNOTATION = "cockpit.sandbox/acme-bypass"
BYPASS_CONFIGMAP = ("kube-system", "cloudflare-access")
PROPAGATION_302 = "Waiting for HTTP-01 challenge propagation: wrong status code '302', expected '200'"
ACME = "https://acme-v02.api.letsencrypt.org/acme"
CHECK_PERIOD = 10.0
DAY = 86400.0


class CertManager:
    def __init__(self, world: World) -> None:
        self.world = world
        self._known: set[str] = set()  # certificate uids built or already issuing
        self._checking: set[str] = set()  # challenge uids with a self-check timer
        self.pending_reason: dict[str, str] = {}  # challenge uid -> the reason a snapshot recorded

    # ---- the ACME bypass switch -------------------------------------------------------------------

    def bypass(self, host: str) -> bool:
        store = self.world.store
        cm = store.entry(CONFIGMAPS, *BYPASS_CONFIGMAP)
        if cm is not None and str((cm.obj.get("data") or {}).get("bypassAcme", "")).lower() == "true":
            return True
        for e in store.select(INGRESSES).entries:
            rules = (e.obj.get("spec") or {}).get("rules") or []
            annotations = e.obj["metadata"].get("annotations") or {}
            if (
                any(r.get("host") == host for r in rules)
                and annotations.get(BYPASS_ANNOTATION, "").lower() == "true"
            ):
                return True
        return False

    def login_url(self, host: str, token: str) -> str:
        base = self.world.scenario.access_login.rstrip("/")
        redirect = urllib.parse.quote(f"/.well-known/acme-challenge/{token}", safe="")
        return f"{base}/{host}?kid={self.world.ids.hex(64)[:64]}&redirect_url={redirect}&meta=eyJ0eXAi"

    # ---- building ----------------------------------------------------------------------------------

    def populate(self, now: float) -> None:
        s = self.world.scenario
        for c in s.certs:
            cert = self._certificate(c.namespace, c.name, c.host, now - c.age)
            if c.state == "ready":
                issued = now - c.issued_age
                cert["metadata"]["creationTimestamp"] = rfc3339(
                    issued - 60 * DAY if c.issued_age < 30 * DAY else issued - DAY
                )
                cert["status"] = self._ready_status(issued, revision=1 + int(c.issued_age < 30 * DAY))
                created = self.world.store.create(CERTIFICATES, cert)
                self._known.add(created["metadata"]["uid"])
                self.world.store.create(SECRETS, tls_secret(c.namespace, c.name, c.host, issued, s.issuer))
                continue
            created = self.world.store.create(CERTIFICATES, cert)
            self._known.add(created["metadata"]["uid"])
            self._issue(created, now - min(c.age, 3600.0 * 6), failed=c.state == "invalid", initial=True)

    def adopt(self, certificates: list[Obj], challenges: list[Obj]) -> None:
        """Certificates and challenges a snapshot recorded: nothing is issued again on its own; a
        pending challenge keeps its recorded reason and is self-checked until its host answers."""
        for cert in certificates:
            self._known.add(cert["metadata"]["uid"])
        for ch in challenges:
            status = ch.get("status") or {}
            if status.get("state") == "pending":
                self.pending_reason[ch["metadata"]["uid"]] = str(status.get("reason") or PROPAGATION_302)
                self._check_later(ch, CHECK_PERIOD)

    def _certificate(self, ns: str, name: str, host: str, created: float) -> Obj:
        return {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(created)},
            "spec": {
                "dnsNames": [host],
                "issuerRef": {
                    "group": "cert-manager.io",
                    "kind": "ClusterIssuer",
                    "name": self.world.scenario.issuer,
                },
                "privateKey": {"rotationPolicy": "Always"},
                "secretName": name,
                "usages": ["digital signature", "key encipherment"],
            },
            "status": {},
        }

    def _ready_status(self, issued: float, revision: int) -> Obj:
        return {
            "conditions": [
                {
                    "lastTransitionTime": rfc3339(issued),
                    "message": "Certificate is up to date and has not expired",
                    "observedGeneration": 1,
                    "reason": "Ready",
                    "status": "True",
                    "type": "Ready",
                }
            ],
            "notAfter": rfc3339(issued + 90 * DAY),
            "notBefore": rfc3339(issued),
            "renewalTime": rfc3339(issued + 60 * DAY),
            "revision": revision,
        }

    # ---- issuing -----------------------------------------------------------------------------------

    def _issue(self, cert: Obj, at: float, *, failed: bool = False, initial: bool = False) -> None:
        """Create request, order and challenge for `cert` (pending; invalid when `failed`)."""
        w = self.world
        store = w.store
        ns, name = cert["metadata"]["namespace"], cert["metadata"]["name"]
        host = cert["spec"]["dnsNames"][0]
        revision = int((cert.get("status") or {}).get("revision") or 0) + 1
        issuer = cert["spec"]["issuerRef"]
        key_secret = f"{name}-{w.ids.suffix()}"
        csr = base64.b64encode(
            f"-----BEGIN CERTIFICATE REQUEST-----\n{host}\n-----END CERTIFICATE REQUEST-----\n".encode()
        ).decode()
        state = "invalid" if failed else "pending"
        cr_name = f"{name}-{revision}"
        order_name = f"{cr_name}-{w.ids.digits(10)}"
        cr_message = (
            f'Failed to wait for order resource "{order_name}" to become ready: order is in "invalid" state: '
            if failed
            else f'Waiting on certificate issuance from order {ns}/{order_name}: "pending"'
        )
        cr: Obj = {
            "apiVersion": "cert-manager.io/v1",
            "kind": "CertificateRequest",
            "metadata": {
                "name": cr_name,
                "namespace": ns,
                "annotations": {
                    "cert-manager.io/certificate-name": name,
                    "cert-manager.io/certificate-revision": str(revision),
                    "cert-manager.io/private-key-secret-name": key_secret,
                },
                "ownerReferences": [owner_ref(cert)],
                "creationTimestamp": rfc3339(at),
            },
            "spec": {
                "groups": [
                    "system:serviceaccounts",
                    "system:serviceaccounts:cert-manager",
                    "system:authenticated",
                ],
                "issuerRef": issuer,
                "request": csr,
                "usages": ["digital signature", "key encipherment"],
                "username": "system:serviceaccount:cert-manager:cert-manager",
            },
            "status": {
                "conditions": [
                    {
                        "lastTransitionTime": rfc3339(at),
                        "message": "Certificate request has been approved by cert-manager.io",
                        "reason": "cert-manager.io",
                        "status": "True",
                        "type": "Approved",
                    },
                    {
                        "lastTransitionTime": rfc3339(at + 1),
                        "message": cr_message,
                        "reason": "Failed" if failed else "Pending",
                        "status": "False",
                        "type": "Ready",
                    },
                ]
            },
        }
        if failed:
            cr["status"]["failureTime"] = rfc3339(at + 40)
        try:
            cr = store.create(CERTIFICATEREQUESTS, cr, ns)
        except errors.ApiError:
            return
        token = w.ids.token(43)
        authz = f"{ACME}/authz-v3/{w.ids.digits(12)}"
        order: Obj = {
            "apiVersion": "acme.cert-manager.io/v1",
            "kind": "Order",
            "metadata": {
                "name": order_name,
                "namespace": ns,
                "ownerReferences": [owner_ref(cr)],
                "annotations": {
                    "cert-manager.io/certificate-name": name,
                    "cert-manager.io/certificate-revision": str(revision),
                    "cert-manager.io/private-key-secret-name": key_secret,
                },
                "creationTimestamp": rfc3339(at + 1),
            },
            "spec": {"dnsNames": [host], "issuerRef": issuer, "request": csr},
            "status": {
                "authorizations": [
                    {
                        "challenges": [
                            {
                                "token": token,
                                "type": t,
                                "url": f"{ACME}/chall-v3/{w.ids.digits(12)}/{w.ids.suffix(6)}",
                            }
                            for t in ("http-01", "dns-01", "tls-alpn-01")
                        ],
                        "identifier": host,
                        "initialState": "pending",
                        "url": authz,
                        "wildcard": False,
                    }
                ],
                "finalizeURL": f"{ACME}/finalize/1994127317/{w.ids.digits(11)}",
                "state": state,
                "url": f"{ACME}/order/1994127317/{w.ids.digits(11)}",
            },
        }
        if failed:
            order["status"]["reason"] = ""
            order["status"]["failureTime"] = rfc3339(at + 40)
        order = store.create(ORDERS, order, ns)
        challenge_name = f"{order_name}-{w.ids.digits(10)}"
        challenge: Obj = {
            "apiVersion": "acme.cert-manager.io/v1",
            "kind": "Challenge",
            "metadata": {
                "name": challenge_name,
                "namespace": ns,
                "ownerReferences": [owner_ref(order)],
                "creationTimestamp": rfc3339(at + 2),
            },
            "spec": {
                "authorizationURL": authz,
                "dnsName": host,
                "issuerRef": issuer,
                "key": f"{token}.{w.ids.token(43)}",
                "solver": {"http01": {"ingress": {"ingressClassName": "nginx"}}},
                "token": token,
                "type": "HTTP-01",
                "url": order["status"]["authorizations"][0]["challenges"][0]["url"],
                "wildcard": False,
            },
            "status": {"presented": not failed, "processing": not failed, "reason": "", "state": state},
        }
        if failed:
            login = self.login_url(host, token)
            challenge["status"]["reason"] = (
                f"Error accepting authorization: acme: authorization error for {host}: 403 "
                f"urn:ietf:params:acme:error:unauthorized: 104.21.48.201: Invalid response from {login}: "
                '"<!DOCTYPE html><html lang=\\"en\\"><head><title>Sign in ・ Cloudflare Access</title>"'
            )
        elif initial:
            challenge["status"]["reason"] = PROPAGATION_302
        challenge = store.create(CHALLENGES, challenge, ns)
        self._issuing_status(cert, at, failed=failed, revision=revision, key_secret=key_secret)
        rec = w.events.record
        rec(cert, "Issuing", "Issuing certificate as Secret does not exist", at)
        rec(cert, "Generated", f'Stored new private key in temporary Secret resource "{key_secret}"', at)
        rec(cert, "Requested", f'Created new CertificateRequest resource "{cr_name}"', at)
        rec(cr, "cert-manager.io", "Certificate request has been approved by cert-manager.io", at)
        rec(cr, "OrderCreated", f"Created Order resource {ns}/{order_name}", at + 1)
        rec(order, "Created", f'Created Challenge resource "{challenge_name}" for domain "{host}"', at + 1)
        rec(challenge, "Started", "Challenge scheduled for processing", at + 2)
        if failed:
            rec(challenge, "Failed", challenge["status"]["reason"], at + 40, warning=True)
            rec(
                cr,
                "OrderFailed",
                f'Failed to wait for order resource "{order_name}" to become ready: order is in '
                '"invalid" state: ',
                at + 40,
                warning=True,
            )
            rec(
                cert,
                "Failed",
                f"The certificate request has failed to complete and will be retried: {cr_message}",
                at + 41,
                warning=True,
            )
            return
        rec(challenge, "Presented", "Presented challenge using HTTP-01 challenge mechanism", at + 3)
        self._check_later(challenge, 2.0 if not initial else CHECK_PERIOD)

    def _issuing_status(self, cert: Obj, at: float, *, failed: bool, revision: int, key_secret: str) -> None:
        ns, name = cert["metadata"]["namespace"], cert["metadata"]["name"]
        message = "Issuing certificate as Secret does not exist"

        def change(c: Obj) -> None:
            status = c.setdefault("status", {})
            conditions = [
                {
                    "lastTransitionTime": rfc3339(at),
                    "message": message,
                    "observedGeneration": 1,
                    "reason": "DoesNotExist",
                    "status": "False",
                    "type": "Ready",
                }
            ]
            if failed:
                conditions.append(
                    {
                        "lastTransitionTime": rfc3339(at + 41),
                        "message": (
                            "The certificate request has failed to complete and will be retried: "
                            "Failed to wait for order "
                            'resource to become ready: order is in "invalid" state: '
                        ),
                        "observedGeneration": 1,
                        "reason": "Failed",
                        "status": "False",
                        "type": "Issuing",
                    }
                )
                status["failedIssuanceAttempts"] = int(status.get("failedIssuanceAttempts", 0)) + 1
                status["lastFailureTime"] = rfc3339(at + 41)
            else:
                conditions.append(
                    {
                        "lastTransitionTime": rfc3339(at),
                        "message": message,
                        "observedGeneration": 1,
                        "reason": "DoesNotExist",
                        "status": "True",
                        "type": "Issuing",
                    }
                )
            if (status.get("conditions") or []) and any(
                x.get("type") == "Ready" and x.get("status") == "True" for x in status["conditions"]
            ):
                conditions = [x for x in status["conditions"] if x.get("type") == "Ready"] + conditions[1:]
            status["conditions"] = conditions
            status["nextPrivateKeySecretName"] = key_secret

        with contextlib.suppress(errors.ApiError):
            self.world.store.mutate(CERTIFICATES, ns, name, change)

    # ---- reacting ----------------------------------------------------------------------------------

    def on_change(self, kind: str, rt: ResourceType, obj: Obj) -> None:
        meta = obj["metadata"]
        if rt is CERTIFICATEREQUESTS and kind == DELETED:
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "Certificate":
                    self.world.after(2.0, self._reissue, meta["namespace"], ref["name"], ref["uid"])
        elif rt is CERTIFICATES and kind == ADDED and meta["uid"] not in self._known:
            self._known.add(meta["uid"])
            self.world.after(1.0, self._reissue, meta["namespace"], meta["name"], meta["uid"])
        elif rt is CHALLENGES and kind == DELETED:
            self._checking.discard(meta["uid"])
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "Order":
                    self.world.after(2.0, self._rechallenge, meta["namespace"], ref["name"], obj)

    def _reissue(self, ns: str, name: str, uid: str) -> None:
        entry = self.world.store.entry(CERTIFICATES, ns, name)
        if entry is None or entry.obj["metadata"]["uid"] != uid:
            return
        cert = entry.obj
        if _is_ready(cert) and (cert.get("status") or {}).get("revision"):
            return  # a request of an issued certificate: nothing to do until renewal
        revision = int((cert.get("status") or {}).get("revision") or 0) + 1
        if self.world.store.exists(CERTIFICATEREQUESTS, ns, f"{name}-{revision}"):
            return
        self._issue(cert, self.world.now())

    def _rechallenge(self, ns: str, order_name: str, old: Obj) -> None:
        """A Challenge deleted by hand is recreated by the order controller (a fresh self-check)."""
        order = self.world.store.entry(ORDERS, ns, order_name)
        if order is None or order.obj.get("status", {}).get("state") not in ("pending", "invalid"):
            return
        fresh = {k: v for k, v in old.items() if k in ("apiVersion", "kind", "spec")}
        fresh["metadata"] = {
            "name": f"{order_name}-{self.world.ids.digits(10)}",
            "namespace": ns,
            "ownerReferences": [owner_ref(order.obj)],
        }
        fresh["status"] = {"presented": True, "processing": True, "reason": "", "state": "pending"}
        created = self.world.store.create(CHALLENGES, fresh, ns)
        self.world.store.mutate(ORDERS, ns, order_name, lambda o: o["status"].update({"state": "pending"}))
        self.world.events.record(created, "Started", "Challenge scheduled for processing", self.world.now())
        self._check_later(created, 2.0)

    def _check_later(self, challenge: Obj, delay: float) -> None:
        uid = challenge["metadata"]["uid"]
        self._checking.add(uid)
        self.world.after(
            delay, self._self_check, challenge["metadata"]["namespace"], challenge["metadata"]["name"], uid
        )

    def _self_check(self, ns: str, name: str, uid: str) -> None:
        entry = self.world.store.entry(CHALLENGES, ns, name)
        if entry is None or entry.obj["metadata"]["uid"] != uid:
            self._checking.discard(uid)
            return
        ch = entry.obj
        if ch.get("status", {}).get("state") != "pending":
            self._checking.discard(uid)
            return
        host = ch["spec"]["dnsName"]
        if not self.bypass(host):
            reason = self.pending_reason.get(uid, PROPAGATION_302)
            if ch["status"].get("reason") != reason:
                self.world.store.mutate(
                    CHALLENGES, ns, name, lambda c: c["status"].update({"reason": reason})
                )
            self.world.after(CHECK_PERIOD, self._self_check, ns, name, uid)
            return
        self._checking.discard(uid)
        self._complete(ch)

    def _complete(self, ch: Obj) -> None:
        w = self.world
        store = w.store
        now = w.now()
        ns = ch["metadata"]["namespace"]
        host = ch["spec"]["dnsName"]
        store.mutate(
            CHALLENGES,
            ns,
            ch["metadata"]["name"],
            lambda c: c["status"].update(
                {
                    "presented": False,
                    "processing": False,
                    "reason": "Successfully authorized domain",
                    "state": "valid",
                }
            ),
        )
        w.events.record(ch, "DomainVerified", f'Domain "{host}" verified with "HTTP-01" validation', now)
        order_ref = (ch["metadata"].get("ownerReferences") or [{}])[0]
        order = store.entry(ORDERS, ns, order_ref.get("name", ""))
        if order is None:
            return
        store.mutate(
            ORDERS,
            ns,
            order.obj["metadata"]["name"],
            lambda o: o["status"].update(
                {"state": "valid", "certificate": base64.b64encode(f"cert for {host}".encode()).decode()}
            ),
        )
        w.events.record(order.obj, "Complete", "Order completed successfully", now)
        cr_ref = (order.obj["metadata"].get("ownerReferences") or [{}])[0]
        cr = store.entry(CERTIFICATEREQUESTS, ns, cr_ref.get("name", ""))
        if cr is None:
            return

        def cr_ready(o: Obj) -> None:
            o["status"]["conditions"] = [
                c for c in o["status"].get("conditions", []) if c["type"] != "Ready"
            ] + [
                {
                    "lastTransitionTime": rfc3339(now),
                    "message": "Certificate fetched from issuer successfully",
                    "reason": "Issued",
                    "status": "True",
                    "type": "Ready",
                }
            ]
            o["status"]["certificate"] = base64.b64encode(f"cert for {host}".encode()).decode()

        store.mutate(CERTIFICATEREQUESTS, ns, cr.obj["metadata"]["name"], cr_ready)
        w.events.record(cr.obj, "CertificateIssued", "Certificate fetched from issuer successfully", now)
        cert_ref = (cr.obj["metadata"].get("ownerReferences") or [{}])[0]
        cert = store.entry(CERTIFICATES, ns, cert_ref.get("name", ""))
        if cert is None:
            return
        revision = int(
            cr.obj["metadata"].get("annotations", {}).get("cert-manager.io/certificate-revision", "1")
        )
        name = cert.obj["metadata"]["name"]
        secret_name = cert.obj["spec"].get("secretName", name)

        def cert_ready(c: Obj) -> None:
            c["status"] = self._ready_status(now, revision)

        store.mutate(CERTIFICATES, ns, name, cert_ready)
        secret = tls_secret(ns, secret_name, host, now, w.scenario.issuer)
        if store.exists(SECRETS, ns, secret_name):
            store.mutate(SECRETS, ns, secret_name, lambda s: s.update({"data": secret["data"]}))
        else:
            store.create(SECRETS, secret, ns)
        w.events.record(cert.obj, "Issuing", "The certificate has been successfully issued", now)
        with contextlib.suppress(errors.ApiError):
            store.delete(CHALLENGES, ns, ch["metadata"]["name"], "Background")


def _is_ready(cert: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (cert.get("status") or {}).get("conditions") or []
    )
