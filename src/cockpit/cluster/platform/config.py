"""Platform settings from the config file (`cockpit.paths.config_file()`) and the command line.

```yaml
checks:                       # service URLs (see spec.ServiceCheck)
  - url: https://grafana.254carbon.com
    expect: [200, 302]
platform:
  interval: 30                # seconds between rounds (checks, metrics, Grafana/Loki)
  prometheus_url: http://127.0.0.1:8428     # or: prometheus_service: auto | NS/NAME:PORT
  queries: ['count(up == 1)']               # default: the PromQL the plan mentions
  metrics: {Running Pods: 'count(up == 1)'} # plan success metric -> query feeding its live value
  range_minutes: 30
  grafana: {url: https://grafana.example, token_env: GRAFANA_TOKEN, datasources: [VictoriaMetrics]}
                              # or user: admin, password_env: GRAFANA_PASSWORD (basic auth)
  loki: {url: http://loki:3100, selector: '{namespace="data-platform"}', tenant: null}
```
A mistake is a `PlatformConfigError` naming the file and the key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cockpit.cluster.platform.spec import CheckSpecError, ServiceCheck, checks_from_list


class PlatformConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    url: str
    token: str | None = None
    selector: str | None = None  # Loki: LogQL stream selector
    tenant: str | None = None  # Loki: X-Scope-OrgID
    datasources: tuple[str, ...] = ()  # Grafana: names/uids to test (empty: all)
    verify: bool = True
    user: str | None = None  # basic auth (Grafana admin / Loki behind a proxy); password from password_env
    password: str | None = None

    @property
    def basic(self) -> tuple[str, str] | None:
        return (self.user, self.password or "") if self.user else None


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    checks: list[ServiceCheck] = field(default_factory=list)
    interval_s: float = 30.0
    prometheus_url: str | None = None
    prometheus_service: str | None = None  # "auto" or "NS/NAME:PORT"
    queries: list[str] = field(default_factory=list)
    metric_queries: dict[str, str] = field(default_factory=dict)
    range_minutes: float = 30.0
    grafana: EndpointConfig | None = None
    loki: EndpointConfig | None = None
    source: str = ""


def _endpoint(raw: Any, where: str, key: str) -> EndpointConfig | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, Mapping) or not isinstance(raw.get("url"), str):
        raise PlatformConfigError(f"{where}: platform.{key} needs a 'url'")
    token = raw.get("token")
    token_env = raw.get("token_env")
    if token_env:
        token = os.environ.get(str(token_env)) or token
    ds = raw.get("datasources") or []
    if not isinstance(ds, list):
        raise PlatformConfigError(f"{where}: platform.{key}.datasources must be a list of names")
    password = os.environ.get(str(raw["password_env"])) if raw.get("password_env") else None
    return EndpointConfig(
        user=str(raw["user"]) if raw.get("user") else None,
        password=password,
        url=str(raw["url"]),
        token=str(token) if token else None,
        selector=str(raw["selector"]) if raw.get("selector") else None,
        tenant=str(raw["tenant"]) if raw.get("tenant") else None,
        datasources=tuple(str(d) for d in ds),
        verify=bool(raw.get("verify", True)),
    )


def _positive(raw: Any, default: float, where: str, key: str) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise PlatformConfigError(f"{where}: platform.{key} must be a number, not {raw!r}") from None
    if value <= 0:
        raise PlatformConfigError(f"{where}: platform.{key} must be positive")
    return value


def parse_platform_config(doc: Any, where: str) -> PlatformConfig:
    if doc is None:
        return PlatformConfig(source=where)
    if not isinstance(doc, Mapping):
        raise PlatformConfigError(f"{where}: the config file must be a YAML mapping")
    try:
        checks = checks_from_list(doc.get("checks"), where)
    except CheckSpecError as exc:
        raise PlatformConfigError(str(exc)) from None
    plat = doc.get("platform") or {}
    if not isinstance(plat, Mapping):
        raise PlatformConfigError(f"{where}: 'platform' must be a mapping")
    queries = plat.get("queries") or []
    if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
        raise PlatformConfigError(f"{where}: platform.queries must be a list of PromQL strings")
    metrics = plat.get("metrics") or {}
    if not isinstance(metrics, Mapping):
        raise PlatformConfigError(f"{where}: platform.metrics maps a plan metric name to a PromQL query")
    return PlatformConfig(
        checks=checks,
        interval_s=_positive(plat.get("interval"), 30.0, where, "interval"),
        prometheus_url=str(plat["prometheus_url"]) if plat.get("prometheus_url") else None,
        prometheus_service=str(plat["prometheus_service"]) if plat.get("prometheus_service") else None,
        queries=list(queries),
        metric_queries={str(k): str(v) for k, v in metrics.items()},
        range_minutes=_positive(plat.get("range_minutes"), 30.0, where, "range_minutes"),
        grafana=_endpoint(plat.get("grafana"), where, "grafana"),
        loki=_endpoint(plat.get("loki"), where, "loki"),
        source=where,
    )


def load_platform_config(
    path: Path | None = None, prometheus_url: str | None = None, loki_url: str | None = None
) -> PlatformConfig:
    """Read the config file (missing file: defaults) and apply command-line URLs on top."""
    from dataclasses import replace

    from cockpit.paths import config_file

    path = path or config_file()
    doc = None
    if path.is_file():
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise PlatformConfigError(
                f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
            ) from None
        except OSError as exc:
            raise PlatformConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    config = parse_platform_config(doc, str(path))
    if prometheus_url:
        config = replace(config, prometheus_url=prometheus_url)
    if loki_url:
        loki = config.loki
        config = replace(config, loki=replace(loki, url=loki_url) if loki else EndpointConfig(url=loki_url))
    return config
