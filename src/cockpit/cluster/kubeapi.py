"""A thin raw-JSON layer over the official client's transport.

The kubernetes client does auth (tokens, client certificates, exec and OIDC plugins with refresh)
and TLS; this module only builds paths, sends requests with `_preload_content=False`-style raw
responses and parses bodies with orjson. No per-object model classes (they are slow for thousands
of objects, see KUBE-API-NOTES.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import urllib3
from kubernetes.client import ApiClient

from cockpit.cluster.errors import ClusterError, Problem, problem_for_status

BIG_BODY = 1 << 20  # parses above 1 MB run with the garbage collector frozen (3-4x faster)
Query = Sequence[tuple[str, str | int | bool]]


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """An API resource: group ("" for core), version, plural, and the words a pane uses for it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """`plural.group` as kubectl and RBAC messages name it (e.g. applications.argoproj.io)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
        if sub:
            base += f"/{sub}"
        return base


PODS = ResourceKind("", "v1", "pods", "Pod")
EVENTS = ResourceKind("", "v1", "events", "Event")
DEPLOYMENTS = ResourceKind("apps", "v1", "deployments", "Deployment")
APPLICATIONS = ResourceKind("argoproj.io", "v1alpha1", "applications", "Application")
CERTIFICATES = ResourceKind("cert-manager.io", "v1", "certificates", "Certificate")
CERTIFICATE_REQUESTS = ResourceKind("cert-manager.io", "v1", "certificaterequests", "CertificateRequest")
ORDERS = ResourceKind("acme.cert-manager.io", "v1", "orders", "Order")
CHALLENGES = ResourceKind("acme.cert-manager.io", "v1", "challenges", "Challenge")


@contextmanager
def gc_paused(size: int) -> Iterator[None]:
    """Freeze and disable the collector around one big parse (the notes measure 3-4x)."""
    if size < BIG_BODY or not gc.isenabled():
        yield
        return
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def loads(body: bytes) -> Any:
    with gc_paused(len(body)):
        return orjson.loads(body)


def status_message(body: bytes) -> str:
    """The `message` of a Kubernetes Status body (or the `error` of a Prometheus-style answer that
    came through the service proxy), or the body's first line."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", "replace").strip()
        return text.splitlines()[0][:200] if text else ""
    if isinstance(doc, dict):
        return str(doc.get("message") or doc.get("error") or doc.get("reason") or "")
    return ""


def transport_sentence(server: str, exc: BaseException) -> str:
    """One sentence for a failure below HTTP (refused, DNS, TLS, timeout)."""
    text = str(exc)
    low = text.lower()
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        text = str(exc.reason)
        low = text.lower()
    if "refused" in low:
        why = "connection refused"
    elif "timed out" in low or isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
        why = "timed out"
    elif "name or service not known" in low or "nodename nor servname" in low or "resolution" in low:
        why = "host name not found"
    elif "certificate" in low or "ssl" in low:
        why = "TLS failed: " + text.split(":")[-1].strip()[:120]
    else:
        why = text[:160] or type(exc).__name__
    return f"Cannot reach the API server at {server} ({why}); check the context and that the cluster is up."


class KubeApi:
    """Raw requests against one cluster, authenticated by the official client's configuration."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    @property
    def server(self) -> str:
        return str(self.client.configuration.host)

    def open(
        self,
        method: str,
        path: str,
        query: Query | None = None,
        body: Any = None,
        content_type: str | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        what: str = "",
    ) -> urllib3.BaseHTTPResponse:
        """Send a request; return the open response (2xx) or raise ClusterError with a sentence."""
        headers: dict[str, str] = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            _m, url, hdrs, payload, _p = self.client.param_serialize(
                method=method,
                resource_path=path,
                query_params=list(query or []),
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
            )
            resp = self.client.call_api(
                method, url, header_params=hdrs, body=payload, _request_timeout=timeout
            )
        except ClusterError:
            raise
        except Exception as exc:  # transport and auth-plugin failures from urllib3 / the loader
            raise ClusterError(transport_sentence(self.server, exc), Problem.UNREACHABLE) from exc
        raw: urllib3.BaseHTTPResponse = resp.response
        if 200 <= raw.status < 300:
            return raw
        data = raw.read()
        raw.release_conn()
        raise self.error(raw.status, status_message(data), what or f"{method} {path}")

    def error(self, status: int, message: str, what: str) -> ClusterError:
        problem = problem_for_status(status)
        if problem is Problem.UNAUTHORIZED:
            sentence = (
                f"The API server at {self.server} rejected the credentials (401 Unauthorized); "
                "log in again or refresh the token in your kubeconfig."
            )
        elif problem is Problem.FORBIDDEN:
            sentence = (
                f"Forbidden (403) for {what}: {message or 'RBAC denies it'}; ask for a role that allows it."
            )
        elif problem is Problem.NOT_FOUND:
            sentence = f"Not found (404): {what}" + (f": {message}" if message else "") + "."
        else:
            sentence = (
                f"The API server answered {status} for {what}" + (f": {message}" if message else "") + "."
            )
        return ClusterError(sentence, problem, status)

    def get_json(
        self, path: str, query: Query | None = None, timeout: tuple[float, float] = (5.0, 30.0)
    ) -> Any:
        raw = self.open("GET", path, query, timeout=timeout)
        try:
            data = raw.read()
        except Exception as exc:
            raise ClusterError(transport_sentence(self.server, exc), Problem.UNREACHABLE) from exc
        finally:
            raw.release_conn()
        return loads(data)

    def send_json(
        self, method: str, path: str, body: Any, content_type: str = "application/json", what: str = ""
    ) -> Any:
        raw = self.open(method, path, body=body, content_type=content_type, what=what)
        try:
            data = raw.read()
        finally:
            raw.release_conn()
        return loads(data) if data else None

    def merge_patch(self, path: str, patch: Mapping[str, Any], what: str = "") -> Any:
        return self.send_json("PATCH", path, dict(patch), "application/merge-patch+json", what)

    def delete(self, path: str, what: str = "") -> Any:
        return self.send_json("DELETE", path, {"propagationPolicy": "Background"}, what=what)
