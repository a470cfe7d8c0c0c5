"""What a service check asks: one URL and what counts as healthy there.

Built from a plan (YAML `checks:`, or `curl` commands in a Markdown plan) or the config file's
`checks:` list. Parsing errors name the file and the entry (`config.yaml: checks[2]: ...`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import msgspec

from cockpit.plan.checks import parse_check
from cockpit.plan.model import UrlCheck
from cockpit.plan.yamlspot import plain_message

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


def service_check(check: UrlCheck, origin: str) -> ServiceCheck:
    """The runtime check from the one URL-check schema's result (`cockpit.plan.checks`)."""
    return ServiceCheck(
        url=check.url,
        name=check.name,
        method=check.method,
        expect_status=frozenset(check.expect_status),
        contains=check.body_contains,
        max_latency_s=check.max_latency_ms / 1000 if check.max_latency_ms is not None else None,
        timeout_s=check.timeout_ms / 1000 if check.timeout_ms is not None else DEFAULT_TIMEOUT_S,
        follow_redirects=check.follow_redirects,
        verify=check.verify,
        login_ok=check.login_ok,
        origin=origin,
    )


def check_from_entry(entry: Any, where: str) -> ServiceCheck:
    """One `checks:` entry: a URL string, or a mapping with `url` and optional fields."""
    try:
        return service_check(parse_check(entry), where)
    except msgspec.ValidationError as exc:
        raise CheckSpecError(f"{where}: {plain_message(exc)}") from None


def checks_from_list(entries: Any, where: str) -> list[ServiceCheck]:
    """A whole `checks:` list; `where` names the file (errors add the index)."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise CheckSpecError(f"{where}: 'checks' must be a list")
    return [check_from_entry(e, f"{where}: checks[{i}]") for i, e in enumerate(entries)]
