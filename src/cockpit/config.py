"""The config file, typed and read once: `$COCKPIT_CONFIG`, else `config.yaml` in cockpit's config
folder (`cockpit info` names it). Every key is checked against the schema below; a mistake is one
line naming file:line:column, and then the whole file is set aside and the defaults are used (one
policy for every section, so a half-read config never surprises). `cockpit config check` says the
same before a session; `cockpit config schema` prints the JSON Schema for editors
(`# yaml-language-server: $schema=...` at the top of the file).

```yaml
theme: cockpit-dark            # see `cockpit info` for the themes folder; --theme wins
keymap: {app.quit: ctrl+q, plan.tick: "space,t"}   # binding ids as `?` lists them
logs: {max_lines: 20000}       # lines the Logs pane keeps
estimates: {use_history: true} # projections use what tasks usually took
checks: [...]                  # URL checks, the same schema as a YAML plan's (cockpit.plan.checks)
platform: {...}                # Prometheus, Grafana, Loki (cockpit.cluster.platform.config)
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import msgspec
import yaml

from cockpit.paths import config_file
from cockpit.plan.checks import CheckSpec
from cockpit.plan.yamlspot import locate_error

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Positive = Annotated[float, msgspec.Meta(gt=0)]
DEFAULT_LOG_LINES = 10_000


class _Section(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    pass


class Logs(_Section):
    max_lines: Annotated[int, msgspec.Meta(gt=0, description="lines the Logs pane keeps")] = DEFAULT_LOG_LINES


class Estimates(_Section):
    use_history: bool = False  # projections use what tasks usually took in earlier sessions


class Endpoint(_Section):
    """Grafana or Loki: a URL, with a token (or token_env) or user + password_env."""

    url: Annotated[str, msgspec.Meta(min_length=1)]
    token: str | None = None
    token_env: str | None = None
    user: str | None = None
    password_env: str | None = None
    selector: str | None = None  # Loki: LogQL stream selector
    tenant: str | None = None  # Loki: X-Scope-OrgID
    datasources: list[str] = []  # Grafana: names/uids to test (empty: all)
    verify: bool = True


class Platform(_Section):
    interval: Positive = 30.0  # seconds between rounds (checks, metrics, Grafana/Loki)
    prometheus_url: str | None = None
    prometheus_service: str | None = None  # "auto" or "NS/NAME:PORT"
    queries: list[str] = []
    metrics: dict[str, str] = {}  # plan success metric -> PromQL feeding its live value
    range_minutes: Positive = 30.0
    grafana: Endpoint | str | None = None
    loki: Endpoint | str | None = None


class Config(_Section):
    theme: str | None = None
    keymap: dict[str, str] = {}
    logs: Logs = msgspec.field(default_factory=Logs)
    estimates: Estimates = msgspec.field(default_factory=Estimates)
    checks: list[CheckSpec | str] = []
    platform: Platform = msgspec.field(default_factory=Platform)


@dataclass(frozen=True)
class LoadedConfig:
    """The config in force and where it came from; `problems` are one-line messages (file:line)."""

    config: Config
    path: Path
    problems: list[str] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def where(self, *keys: str) -> str:
        """`file:line:column` of a key (`where("keymap", "app.quit")`), for messages about it."""
        try:
            node = yaml.compose(self.path.read_text(encoding="utf-8"), Loader=_Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return str(self.path)
        spot = node
        for key in keys:
            found = None
            if isinstance(spot, yaml.MappingNode):
                found = next(((k, v) for k, v in spot.value if getattr(k, "value", None) == key), None)
            if found is None:
                break
            mark_node, spot = found
        else:
            spot = mark_node if keys else spot
        mark = spot.start_mark if spot is not None else None
        return f"{self.path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(self.path)


_cache: dict[Path, tuple[float | None, LoadedConfig]] = {}


def load_config(path: Path | None = None) -> LoadedConfig:
    """The config file read and validated; read again only when the file changed."""
    path = path or config_file()
    try:
        stamp: float | None = path.stat().st_mtime
    except OSError:
        stamp = None
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    loaded = LoadedConfig(Config(), path) if stamp is None else _read(path)
    _cache[path] = (stamp, loaded)
    return loaded


def _read(path: Path) -> LoadedConfig:
    def refused(where: str, why: str) -> LoadedConfig:
        return LoadedConfig(
            Config(), path, [f"{where}: {why}; the config file is not used (defaults in use)"]
        )

    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError) as exc:
        return refused(str(path), f"cannot be read ({getattr(exc, 'strerror', None) or exc})")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        return refused(where, f"not valid YAML ({getattr(exc, 'problem', None) or exc})")
    if node is None:
        return LoadedConfig(Config(), path)
    data = yaml.load(text, Loader=_Loader)
    try:
        config = msgspec.convert(data, Config, strict=False)
    except msgspec.ValidationError as exc:
        spot, message = locate_error(node, exc)
        where = f"{path}:{spot.start_mark.line + 1}:{spot.start_mark.column + 1}"
        if not isinstance(data, dict):
            message = "the config file must be a mapping of sections (keymap:, logs:, platform: ...)"
        return refused(where, message)
    return LoadedConfig(config, path)


def schema() -> dict[str, object]:
    """The JSON Schema of the config file (for editors and `cockpit config schema`)."""
    document = msgspec.json.schema(Config)
    document["title"] = "cockpit config file"
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return document
