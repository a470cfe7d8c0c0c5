"""A kubeconfig's plain credentials without the kubernetes client (~0.1 s of every start).

The official client's loader (`kubernetes.config`, which brings requests, oauthlib and pydantic)
is what exec plugins, auth providers (OIDC, GCP), proxies and the in-cluster account need. Most
contexts need none of them: a server, its CA (a file, base64 data, or insecure-skip-tls-verify)
and a bearer token, a token file or a client certificate, or nothing at all (the sandbox). For
those, `simple_client` returns a `SimpleClient` that sends the same requests through urllib3
directly, built the way the official loader builds its configuration (paths relative to the
kubeconfig file that names them, client certificates only over https). It is the part of the
official `ApiClient` that `KubeApi` uses (`configuration.host`, `param_serialize`, `call_api`)
and nothing more. For anything else (another key in the cluster or user entry, a proxy in the
environment, a file that does not parse) it returns None and the official client is used.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import ssl
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote
from urllib.request import getproxies

import yaml

from cockpit import __version__

CLUSTER_KEYS = frozenset(
    {"server", "certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify"}
)
USER_KEYS = frozenset(
    {"token", "tokenFile", "client-certificate", "client-certificate-data", "client-key", "client-key-data"}
)
USER_AGENT = f"cockpit/{__version__}"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "OPTIONS", "DELETE"})


class ApiClientLike(Protocol):
    """What `KubeApi` uses of a client: the official `ApiClient` and `SimpleClient` both are."""

    @property
    def configuration(self) -> Any: ...

    def param_serialize(self, method: str, resource_path: str, *args: Any, **kwargs: Any) -> Any: ...

    def call_api(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any: ...


class SimpleConfiguration:
    """The fields of the official client's Configuration that other code reads."""

    def __init__(self, host: str, verify_ssl: bool, token: str | None) -> None:
        self.host = host
        self.verify_ssl = verify_ssl
        self.api_key: dict[str, str] = {"BearerToken": token} if token else {}


class SimpleResponse:
    """What `call_api` returns: the open urllib3 response (read by the caller, as a stream)."""

    __slots__ = ("response",)

    def __init__(self, response: Any) -> None:
        self.response = response


class SimpleClient:
    """Requests to one API server with a plain credential; see the module docstring."""

    def __init__(
        self,
        host: str,
        *,
        token: str | None = None,
        verify_ssl: bool = True,
        ca_file: str | None = None,
        ca_data: str | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
        socket_options: Sequence[tuple[int, int, int]] | None = None,
    ) -> None:
        import urllib3

        self.configuration = SimpleConfiguration(host, verify_ssl, token)
        self._headers = {"User-Agent": USER_AGENT}
        if token:
            self._headers["authorization"] = token
        pool_args: dict[str, Any] = {
            "cert_reqs": ssl.CERT_REQUIRED if verify_ssl else ssl.CERT_NONE,
            "ca_certs": ca_file,
            "ca_cert_data": ca_data,
            "cert_file": cert_file,
            "key_file": key_file,
            "retries": False,
            "maxsize": (os.cpu_count() or 1) * 5,  # the official client's default
        }
        if socket_options is not None:
            pool_args["socket_options"] = list(socket_options)
        self.pool_manager = urllib3.PoolManager(**pool_args)

    def param_serialize(
        self,
        method: str,
        resource_path: str,
        query_params: Sequence[tuple[str, Any]] | None = None,
        header_params: Mapping[str, str] | None = None,
        body: Any = None,
        auth_settings: Sequence[str] | None = None,
    ) -> tuple[str, str, dict[str, str], Any, list[Any]]:
        """(method, url, headers, body, post params), as the official client's."""
        del auth_settings  # the one credential there is goes on every request
        headers = {**dict(header_params or {}), **self._headers}
        url = self.configuration.host + resource_path
        if query_params:
            url += "?" + "&".join(f"{k}={quote(_query_text(v))}" for k, v in query_params)
        return method, url, headers, body, []

    def call_api(
        self,
        method: str,
        url: str,
        header_params: Mapping[str, str] | None = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: float | tuple[float, float] | None = None,
    ) -> SimpleResponse:
        import urllib3

        del post_params
        timeout = None
        if isinstance(_request_timeout, tuple):
            timeout = urllib3.Timeout(connect=_request_timeout[0], read=_request_timeout[1])
        elif _request_timeout:
            timeout = urllib3.Timeout(total=_request_timeout)
        headers = dict(header_params or {})
        method = method.upper()
        if method in BODY_METHODS:
            payload = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
            response = self.pool_manager.request(
                method, url, body=payload, timeout=timeout, headers=headers, preload_content=False
            )
        else:
            response = self.pool_manager.request(
                method, url, fields={}, timeout=timeout, headers=headers, preload_content=False
            )
        return SimpleResponse(response)

    def close(self) -> None:
        self.pool_manager.clear()


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


class _Entry:
    """A named cluster, user or context of the merged kubeconfig, with the file it came from."""

    def __init__(self, value: Mapping[str, Any], path: Path) -> None:
        self.value = value
        self.base = path.parent.resolve()

    def path_of(self, key: str) -> str:
        """A file named by `key`, relative to the kubeconfig that names it (as kubectl reads it)."""
        return str(self.base / os.path.expanduser(str(self.value[key])))


def _merged(files: Sequence[Path]) -> dict[str, dict[str, _Entry]] | None:
    """clusters, users and contexts by name; the first file naming one wins (like kubectl)."""
    merged: dict[str, dict[str, _Entry]] = {"clusters": {}, "users": {}, "contexts": {}}
    singular = {"clusters": "cluster", "users": "user", "contexts": "context"}
    for path in files:
        try:
            doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None
        if doc is None:
            continue
        if not isinstance(doc, dict):
            return None
        for section, inner in singular.items():
            for item in doc.get(section) or []:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    return None
                body = item.get(inner) or {}
                if not isinstance(body, dict):
                    return None
                merged[section].setdefault(item["name"], _Entry(body, path))
    return merged


def _env_proxies() -> bool:
    """True when the environment names a proxy (HTTP(S)_PROXY, ALL_PROXY): the official client
    honours them (and NO_PROXY) its own way; that case is left to it."""
    return any(scheme != "no" for scheme in getproxies())


def _data_file(data: str, folder: list[str]) -> str:
    """Base64 kubeconfig data (a client certificate or its private key) as a path urllib3 can
    load it from: an in-memory file (`memfd`, named by /proc/self/fd/N, never on disk) where the
    system has them; else a private file in a 0700 folder removed at exit, as the official loader
    does it."""
    content = base64.standard_b64decode(data)
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None:
        try:
            fd = memfd("cockpit-kube")
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        except OSError:
            pass
        else:
            path = f"/proc/self/fd/{fd}"
            if os.path.exists(path):
                _MEMORY_FILES.append(fd)  # open for the process's life: each connection reads it
                return path
            os.close(fd)
    if not folder:
        made = tempfile.mkdtemp(prefix="cockpit-kube-")
        atexit.register(shutil.rmtree, made, True)
        folder.append(made)
    fd, name = tempfile.mkstemp(dir=folder[0])
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return name


_MEMORY_FILES: list[int] = []
_DATA_FOLDER: list[str] = []


def simple_client(
    files: Sequence[Path],
    context: str,
    socket_options: Sequence[tuple[int, int, int]] | None = None,
) -> tuple[SimpleClient, Mapping[str, Any]] | None:
    """(client, the context's entry) for `context` when its cluster and user are plain (see the
    module docstring); None when the official client must load it (or say what is wrong)."""
    merged = _merged(files)
    if merged is None or context not in merged["contexts"]:
        return None
    ctx = merged["contexts"][context].value
    cluster = merged["clusters"].get(str(ctx.get("cluster", "")))
    user = merged["users"].get(str(ctx.get("user", ""))) if ctx.get("user") else None
    if (
        cluster is None
        or not set(cluster.value) <= CLUSTER_KEYS
        or not isinstance(cluster.value.get("server"), str)
    ):
        return None
    if ctx.get("user") and user is None:
        return None
    user_value: Mapping[str, Any] = user.value if user is not None else {}
    if not set(user_value) <= USER_KEYS:
        return None
    server = str(cluster.value["server"])
    if _env_proxies():
        return None
    try:
        token: str | None = None
        if user_value.get("tokenFile") and user is not None:
            token = Path(user.path_of("tokenFile")).read_text()
        elif user_value.get("token"):
            token = str(user_value["token"])
        https = server.startswith("https")
        ca_file = ca_data = cert_file = key_file = None
        if https:
            if cluster.value.get("certificate-authority-data"):
                ca_data = base64.standard_b64decode(str(cluster.value["certificate-authority-data"])).decode()
            elif cluster.value.get("certificate-authority"):
                ca_file = cluster.path_of("certificate-authority")
            if user is not None:
                if user_value.get("client-certificate-data"):
                    cert_file = _data_file(str(user_value["client-certificate-data"]), _DATA_FOLDER)
                elif user_value.get("client-certificate"):
                    cert_file = user.path_of("client-certificate")
                if user_value.get("client-key-data"):
                    key_file = _data_file(str(user_value["client-key-data"]), _DATA_FOLDER)
                elif user_value.get("client-key"):
                    key_file = user.path_of("client-key")
        insecure = cluster.value.get("insecure-skip-tls-verify", False)
        client = SimpleClient(
            server.rstrip("/"),
            token=f"Bearer {token}" if token else None,
            verify_ssl=not insecure,
            ca_file=ca_file,
            ca_data=ca_data,
            cert_file=cert_file,
            key_file=key_file,
            socket_options=socket_options,
        )
    except (OSError, ValueError, ssl.SSLError):  # unreadable files, bad base64: the official loader says why
        return None
    return client, ctx
