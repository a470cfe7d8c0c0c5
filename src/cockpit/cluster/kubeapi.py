"""A thin raw-JSON layer over the official client's transport.

The kubernetes client does auth (tokens, client certificates, exec and OIDC plugins with refresh)
and TLS; this module only builds paths, sends requests with `_preload_content=False`-style raw
responses and parses bodies with orjson. No per-object model classes (they are slow for thousands
of objects, see KUBE-API-NOTES.md).
"""

from __future__ import annotations

import contextlib
import email.utils
import gc
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from cockpit.cluster.errors import ClusterError, Problem, problem_for_status

if TYPE_CHECKING:  # the kubernetes client (and pydantic, urllib3) load only when a cluster is used
    import urllib3

    from cockpit.cluster.kubeclient import ApiClientLike

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
    """No collection during one big parse (the notes measure 3-4x): a parse makes thousands of
    objects and no cycles, and the collections it would trigger scan the whole heap. Only paused,
    never frozen and unfrozen: an unfreeze would hand back to the collector everything the app
    froze as long-lived (`cockpit.ui.app` freezes the start-up heap)."""
    if size < BIG_BODY or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def loads(body: bytes) -> Any:
    with gc_paused(len(body)):
        return orjson.loads(body)


def status_message(body: bytes) -> str:
    """The `message` of a Kubernetes Status body (or the `error` of a Prometheus-style answer that
    came through the service proxy), the title of an HTML error page, or the body's first line."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", "replace").strip()
        if looks_like_html(body):
            title = _HTML_TITLE.search(text)
            name = " ".join(title.group(1).split())[:120] if title else ""
            return (f"{name} " if name else "") + "(an HTML page: from a proxy or load balancer?)"
        return text.splitlines()[0][:200] if text else ""
    if isinstance(doc, dict):
        return str(doc.get("message") or doc.get("error") or doc.get("reason") or "")
    return ""


_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<center", b"<h1"))


def malformed_sentence(what: str, body: bytes, exc: BaseException | None = None) -> str:
    """One sentence for a body or watch line that is not the JSON object the API promises."""
    if not body.strip():
        found = "an empty body"
    elif looks_like_html(body):
        found = "an HTML page instead of JSON (an error page from a proxy or load balancer?)"
    elif isinstance(exc, orjson.JSONDecodeError) and "unexpected end of data" in str(exc):
        found = "JSON that is cut short (the connection or a proxy cut it?)"
    elif isinstance(exc, orjson.JSONDecodeError):
        found = "data that is not JSON (garbage from the network or a proxy?)"
    else:
        snippet = body[:40].decode("utf-8", "replace").strip()
        found = f"JSON that is not a Kubernetes object ({snippet})"
    return f"The API server sent {found} for {what}"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110); None when absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def transport_sentence(server: str, exc: BaseException) -> str:
    """One sentence for a failure below HTTP (refused, reset, cut short, DNS, TLS, timeout)."""
    import urllib3  # a transport failure came from it: it is loaded already

    text = str(exc)
    low = text.lower()
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        text = str(exc.reason)
        low = text.lower()
    if "refused" in low:
        why = "connection refused"
    elif "timed out" in low or isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
        why = "timed out"
    elif "reset by peer" in low or "connectionreseterror" in low:
        why = "connection reset"
    elif "incompleteread" in low or "incomplete read" in low or "response ended prematurely" in low:
        why = "the response was cut short"
    elif "badstatusline" in low or "invalid http" in low or "remotedisconnected" in low:
        why = "the connection closed without a valid HTTP answer"
    elif "name or service not known" in low or "nodename nor servname" in low or "resolution" in low:
        why = "host name not found"
    elif "certificate" in low or "ssl" in low:
        why = "TLS failed: " + tls_reason(exc, text)[:120]
    else:
        why = text[:160] or type(exc).__name__
    return f"Cannot reach the API server at {server} ({why}); check the context and that the cluster is up."


def tls_reason(exc: BaseException, text: str) -> str:
    """What a TLS failure says, without OpenSSL's source position: the certificate check's own
    message when there is one ("self-signed certificate in certificate chain"), else the text
    after the `[SSL: CODE]` tag ("wrong version number"), else the code."""
    import ssl

    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack:  # the SSL error may sit under MaxRetryError.reason, args, __cause__ or __context__
        err = stack.pop()
        if not isinstance(err, BaseException) or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, ssl.SSLCertVerificationError) and err.verify_message:
            return f"certificate verify failed: {err.verify_message}"
        stack.extend([getattr(err, "reason", None), err.__cause__, err.__context__, *err.args])
    found = _SSL_TEXT.search(text)
    if found is None:
        return text.strip()
    said = (found.group("said") or "").strip().rstrip(":").strip()
    return said or found.group("code").lower().replace("_", " ")


_SSL_TEXT = re.compile(
    r"\[SSL(?::\s*(?P<code>[A-Z0-9_]+))?\]\s*(?P<said>.*?)\s*(?:\(_ssl\.c:\d+\))?\)*'?\)*$", re.S
)


def release(raw: urllib3.BaseHTTPResponse, broken: bool = False) -> None:
    """Give the connection back to the pool; `broken` (a body not read to its end: a cut, a
    deadline, an abandoned watch) closes it first, so the next request can never be sent on a
    connection whose previous answer is still coming."""
    if broken:
        with contextlib.suppress(Exception):
            raw.close()
    raw.release_conn()


def is_timeout(exc: BaseException) -> bool:
    import urllib3  # the failure came from it: it is loaded already

    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # a subclass of ConnectTimeoutError
        return "timed out" in str(exc).lower()
    return isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError) or "timed out" in str(exc).lower()


def transport_error(server: str, exc: BaseException, what: str = "") -> ClusterError:
    """A ClusterError for a failure below HTTP: Problem.TIMEOUT when a deadline passed, else UNREACHABLE."""
    if is_timeout(exc):
        sentence = (
            f"The API server at {server} did not answer in time"
            + (f" ({what})" if what else "")
            + "; it may be overloaded, or the network drops packets."
        )
        return ClusterError(sentence, Problem.TIMEOUT)
    return ClusterError(transport_sentence(server, exc), Problem.UNREACHABLE)


class KubeApi:
    """Raw requests against one cluster, through the official client or a `SimpleClient`."""

    def __init__(self, client: ApiClientLike) -> None:
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
        compressed: bool = False,
    ) -> urllib3.BaseHTTPResponse:
        """Send a request; return the open response (2xx) or raise ClusterError with a sentence.
        `compressed` asks for a gzip body (as kubectl's Go transport always does): an API server
        compresses large answers, a list of 10k pods from 63 MB to a few, which is what a remote
        cluster's list waits for; urllib3 inflates it as it is read. Streams (watches, logs) are
        never asked to: a compressed stream would hold lines back until a block fills."""
        headers: dict[str, str] = {"Accept": "application/json"}
        if compressed:
            headers["Accept-Encoding"] = "gzip"
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
            raise transport_error(self.server, exc, what or f"{method} {path}") from exc
        raw: urllib3.BaseHTTPResponse = resp.response
        if 200 <= raw.status < 300:
            return raw
        try:
            data = raw.read()
            release(raw)
        except Exception:  # the error page itself was cut short: the status says enough
            data = b""
            release(raw, broken=True)
        retry = retry_after_seconds(raw.headers.get("Retry-After"))
        raise self.error(raw.status, status_message(data), what or f"{method} {path}", retry)

    def error(self, status: int, message: str, what: str, retry_after: float | None = None) -> ClusterError:
        problem = problem_for_status(status)
        if problem is Problem.THROTTLED or (status == 503 and retry_after is not None):
            wait = f"it asked to wait {retry_after:g} s" if retry_after is not None else "waiting"
            sentence = (
                f"The API server is overloaded and refused {what} ({status}"
                + (f": {message}" if message else "")
                + f"); {wait} before trying again."
            )
            return ClusterError(sentence, problem, status, retry_after)
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
        return ClusterError(sentence, problem, status, retry_after)

    def get_json(
        self,
        path: str,
        query: Query | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        what: str = "",
        decode: Callable[[bytes], Any] | None = None,
    ) -> Any:
        """GET and parse (with `decode`, e.g. one that reads only some fields, instead of orjson);
        a body that is not JSON raises ClusterError (Problem.MALFORMED)."""
        raw = self.open("GET", path, query, timeout=timeout, what=what, compressed=True)
        try:
            data = raw.read()
        except Exception as exc:
            release(raw, broken=True)
            raise transport_error(self.server, exc, what or f"GET {path}") from exc
        release(raw)
        try:
            if decode is None:
                return loads(data)
            with gc_paused(len(data)):
                return decode(data)
        except orjson.JSONDecodeError as exc:
            sentence = malformed_sentence(what or f"GET {path}", data, exc) + "."
            raise ClusterError(sentence, Problem.MALFORMED) from exc

    def send_json(
        self, method: str, path: str, body: Any, content_type: str = "application/json", what: str = ""
    ) -> Any:
        raw = self.open(method, path, body=body, content_type=content_type, what=what)
        try:
            data = raw.read()
        except BaseException:
            release(raw, broken=True)
            raise
        release(raw)
        return loads(data) if data else None

    def merge_patch(self, path: str, patch: Mapping[str, Any], what: str = "") -> Any:
        return self.send_json("PATCH", path, dict(patch), "application/merge-patch+json", what)

    def delete(self, path: str, what: str = "") -> Any:
        return self.send_json("DELETE", path, {"propagationPolicy": "Background"}, what=what)
