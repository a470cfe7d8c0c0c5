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
The file is read and checked by `cockpit.config` (one schema, one error policy); a mistake is a
`PlatformConfigError` naming file:line and the key, and the pane says it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from cockpit.cluster.platform.spec import CheckSpecError, ServiceCheck, check_from_entry
from cockpit.config import Endpoint, LoadedConfig, load_config


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


def _endpoint(raw: Endpoint | str | None) -> EndpointConfig | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return EndpointConfig(url=raw)
    token = (os.environ.get(raw.token_env) if raw.token_env else None) or raw.token
    return EndpointConfig(
        url=raw.url,
        token=token or None,
        selector=raw.selector,
        tenant=raw.tenant,
        datasources=tuple(raw.datasources),
        verify=raw.verify,
        user=raw.user,
        password=os.environ.get(raw.password_env) if raw.password_env else None,
    )


def platform_config(loaded: LoadedConfig) -> PlatformConfig:
    """The platform settings of a loaded config file (its problems raise, naming file:line)."""
    if loaded.problems:
        raise PlatformConfigError(loaded.problems[0])
    config, where = loaded.config, str(loaded.path)
    plat = config.platform
    try:
        checks = [check_from_entry(entry, f"{where}: checks[{i}]") for i, entry in enumerate(config.checks)]
    except CheckSpecError as exc:
        raise PlatformConfigError(str(exc)) from None
    return PlatformConfig(
        checks=checks,
        interval_s=plat.interval,
        prometheus_url=plat.prometheus_url,
        prometheus_service=plat.prometheus_service,
        queries=list(plat.queries),
        metric_queries=dict(plat.metrics),
        range_minutes=plat.range_minutes,
        grafana=_endpoint(plat.grafana),
        loki=_endpoint(plat.loki),
        source=where,
    )


def load_platform_config(
    path: Path | None = None, prometheus_url: str | None = None, loki_url: str | None = None
) -> PlatformConfig:
    """Read the config file (missing file: defaults) and apply command-line URLs on top."""
    config = platform_config(load_config(path))
    if prometheus_url:
        config = replace(config, prometheus_url=prometheus_url)
    if loki_url:
        loki = config.loki
        config = replace(config, loki=replace(loki, url=loki_url) if loki else EndpointConfig(url=loki_url))
    return config
