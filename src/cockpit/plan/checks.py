"""The one schema of a URL check, shared by YAML plans (`checks:`) and the config file (`checks:`).

An entry is a URL string, or a mapping:

```yaml
- url: https://grafana.example.com/api/health   # required, http(s)
  name: Grafana                                 # shown instead of the URL
  expect_status: [200, 302]                     # also 200, "200/302"; default: any 2xx or 3xx
  body_contains: '"database": "ok"'             # forces GET
  max_latency_ms: 1500                          # slower is a failure
  timeout_ms: 5000
  method: GET                                   # or HEAD
  follow_redirects: false
  verify: true                                  # false, or a CA bundle path
  login_ok: false                               # a redirect to a login page counts as up
```

`expect`, `contains`, `max_latency` and `timeout` (seconds) are accepted as the older spellings.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec

from cockpit.plan.model import UrlCheck

HTTP_URL = r"^https?://[^/?#\s]+"
Status = Annotated[int, msgspec.Meta(ge=100, le=599, description="an HTTP status code")]
Statuses = list[Status] | Status | str
Positive = Annotated[float, msgspec.Meta(gt=0)]


class CheckSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A URL check as written (validated in `__post_init__`; msgspec reports the field)."""

    url: Annotated[str, msgspec.Meta(pattern=HTTP_URL, description="an http(s) URL")]
    name: str = ""
    method: str = "GET"
    expect_status: Statuses | None = None
    expect: Statuses | None = None
    body_contains: str | int | float | None = None
    contains: str | int | float | None = None
    max_latency_ms: Positive | None = None
    max_latency: Positive | None = None  # seconds
    timeout_ms: Positive | None = None
    timeout: Positive | None = None  # seconds
    follow_redirects: bool = False
    verify: bool | str = True
    login_ok: bool = False

    def __post_init__(self) -> None:
        self.url = self.url.strip()
        if not urlsplit(self.url).hostname:
            raise ValueError(f"expected an http:// or https:// URL, got '{self.url}'")
        self.method = self.method.upper()
        if self.method not in ("GET", "HEAD"):
            raise ValueError(f"method must be GET or HEAD, not {self.method!r}")
        statuses(self.expect_status if self.expect_status is not None else self.expect)


def statuses(value: Statuses | None) -> list[int]:
    """`200`, `[200, 302]` or `"200/302"` as a list of HTTP status codes (empty: any 2xx/3xx)."""
    if value is None:
        return []
    items = (
        value
        if isinstance(value, list)
        else [p for p in str(value).replace(",", "/").split("/") if p.strip()]
    )
    codes = []
    for item in items:
        try:
            code = int(str(item).strip())
        except ValueError:
            raise ValueError(f"expected HTTP status codes, got {item!r}") from None
        if not 100 <= code <= 599:
            raise ValueError(f"{code} is not an HTTP status code")
        codes.append(code)
    return codes


def url_check(entry: CheckSpec | str, line: int = 0) -> UrlCheck:
    """The plan model's check from a validated entry."""
    spec = msgspec.convert({"url": entry}, CheckSpec) if isinstance(entry, str) else entry

    def seconds_ms(ms: float | None, s: float | None) -> float | None:
        return ms if ms is not None else s * 1000 if s is not None else None

    contains = spec.body_contains if spec.body_contains is not None else spec.contains
    return UrlCheck(
        url=spec.url,
        line=line,
        expect_status=statuses(spec.expect_status if spec.expect_status is not None else spec.expect),
        body_contains=str(contains) if contains is not None else None,
        max_latency_ms=seconds_ms(spec.max_latency_ms, spec.max_latency),
        name=spec.name,
        method="GET" if contains is not None else spec.method,
        timeout_ms=seconds_ms(spec.timeout_ms, spec.timeout),
        follow_redirects=spec.follow_redirects,
        verify=spec.verify,
        login_ok=spec.login_ok,
    )


def parse_check(raw: Any, line: int = 0) -> UrlCheck:
    """One entry as written (a URL or a mapping) -> UrlCheck; msgspec.ValidationError says why,
    with the path of the bad key (`$.expect_status`)."""
    return url_check(msgspec.convert(raw, CheckSpec | str, strict=False), line)
