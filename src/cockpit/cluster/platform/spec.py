"""What a service check asks: one URL and what counts as healthy there.

Built from a plan (YAML `checks:`, or `curl` commands in a Markdown plan) or the config file's
`checks:` list. Parsing errors name the file and the entry (`config.yaml: checks[2]: ...`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

DEFAULT_TIMEOUT_S = 5.0


class CheckSpecError(ValueError):
    """A check entry a user wrote is wrong; the message names where."""


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    """One URL to check.

    `expect_status` is the set of status codes that count as healthy (empty: any 2xx or 3xx).
    `contains` is a body substring that must be present (forces GET). `max_latency_s` turns a slow
    but otherwise good answer into a failure. `verify` is True (system CAs), False (no
    verification) or a path to a CA bundle. `login_ok` accepts a redirect to a login page as
    healthy (the service is up behind an auth proxy). `origin` says where the check came from
    ("plan.md:412", "config.yaml: checks[0]").
    """

    url: str
    name: str = ""
    method: str = "GET"
    expect_status: frozenset[int] = field(default_factory=frozenset)
    contains: str | None = None
    max_latency_s: float | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    follow_redirects: bool = False
    verify: bool | str = True
    login_ok: bool = False
    origin: str = ""

    @property
    def key(self) -> str:
        """Stable id for the check (rows, change tracking)."""
        return f"{self.method} {self.url}"

    @property
    def label(self) -> str:
        return self.name or short_url(self.url)

    def status_ok(self, status: int) -> bool:
        if self.expect_status:
            return status in self.expect_status
        return 200 <= status < 400


def short_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if parts.path not in ("", "/") else ""
    return f"{parts.netloc}{path}"


def _statuses(value: Any, where: str) -> frozenset[int]:
    items: list[Any]
    if value is None:
        return frozenset()
    if isinstance(value, int | str):
        items = [p for p in str(value).replace(",", "/").split("/") if p.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise CheckSpecError(f"{where}: 'expect' must be a status code or a list of them, not {value!r}")
    codes: set[int] = set()
    for item in items:
        try:
            code = int(str(item).strip())
        except ValueError:
            raise CheckSpecError(f"{where}: 'expect' holds {item!r}, which is not a status code") from None
        if not 100 <= code <= 599:
            raise CheckSpecError(f"{where}: 'expect' holds {code}, which is not an HTTP status code")
        codes.add(code)
    return frozenset(codes)


def _seconds(entry: Mapping[str, Any], key_s: str, key_ms: str, where: str) -> float | None:
    if key_ms in entry and entry[key_ms] is not None:
        raw, scale = entry[key_ms], 1000.0
        key = key_ms
    elif key_s in entry and entry[key_s] is not None:
        raw, scale = entry[key_s], 1.0
        key = key_s
    else:
        return None
    try:
        value = float(raw) / scale
    except (TypeError, ValueError):
        raise CheckSpecError(f"{where}: {key!r} must be a number, not {raw!r}") from None
    if value <= 0:
        raise CheckSpecError(f"{where}: {key!r} must be positive, not {raw!r}")
    return value


KNOWN_KEYS = {
    "expect_status",  # the YAML plan's spelling of 'expect'
    "body_contains",  # the YAML plan's spelling of 'contains'
    "url",
    "name",
    "method",
    "expect",
    "contains",
    "max_latency",
    "max_latency_ms",
    "timeout",
    "timeout_ms",
    "follow_redirects",
    "verify",
    "login_ok",
}


def check_from_entry(entry: Any, where: str) -> ServiceCheck:
    """One `checks:` entry: a URL string, or a mapping with `url` and optional fields."""
    if isinstance(entry, str):
        entry = {"url": entry}
    if not isinstance(entry, Mapping):
        raise CheckSpecError(f"{where}: a check is a URL or a mapping with 'url', not {entry!r}")
    unknown = sorted(set(entry) - KNOWN_KEYS)
    if unknown:
        raise CheckSpecError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
    url = entry.get("url")
    if not isinstance(url, str) or not url.strip():
        raise CheckSpecError(f"{where}: 'url' is missing")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CheckSpecError(f"{where}: {url!r} is not an http(s) URL")
    method = str(entry.get("method") or "GET").upper()
    if method not in ("GET", "HEAD"):
        raise CheckSpecError(f"{where}: 'method' must be GET or HEAD, not {method!r}")
    contains = entry.get("contains", entry.get("body_contains"))
    if contains is not None:
        contains = str(contains)
        method = "GET"
    verify = entry.get("verify", True)
    if not isinstance(verify, bool | str):
        raise CheckSpecError(f"{where}: 'verify' must be true, false or a CA bundle path")
    return ServiceCheck(
        url=url,
        name=str(entry.get("name") or ""),
        method=method,
        expect_status=_statuses(entry.get("expect", entry.get("expect_status")), where),
        contains=contains,
        max_latency_s=_seconds(entry, "max_latency", "max_latency_ms", where),
        timeout_s=_seconds(entry, "timeout", "timeout_ms", where) or DEFAULT_TIMEOUT_S,
        follow_redirects=bool(entry.get("follow_redirects", False)),
        verify=verify,
        login_ok=bool(entry.get("login_ok", False)),
        origin=where,
    )


def checks_from_list(entries: Any, where: str) -> list[ServiceCheck]:
    """A whole `checks:` list; `where` names the file (errors add the index)."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise CheckSpecError(f"{where}: 'checks' must be a list")
    return [check_from_entry(e, f"{where}: checks[{i}]") for i, e in enumerate(entries)]
