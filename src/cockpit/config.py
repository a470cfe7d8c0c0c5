"""The config file (`$COCKPIT_CONFIG`, else config.yaml in cockpit's config folder): read once,
with a one-line warning instead of a traceback when it is unreadable or not a mapping.

    keymap: {app.quit: ctrl+q}      # see cockpit.ui.keymap
    logs: {max_lines: 20000}        # lines the Logs pane keeps (default 10,000)
    checks: [...]                   # URL checks; platform: {...}  (see cockpit.cluster.platform.config)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """(the config mapping, warnings); ({}, []) when there is no config file."""
    if not path.is_file():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: cannot read config ({exc}); defaults in use"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        return {}, [f"{where}: config is not valid YAML; defaults in use"]
    if not isinstance(data, dict):
        return {}, [f"{path}: config should be a mapping; defaults in use"]
    return data, []


def positive_int(config: dict[str, Any], section: str, key: str, default: int) -> tuple[int, list[str]]:
    """config[section][key] as a positive whole number, else `default` with a warning naming it."""
    part = config.get(section)
    value = part.get(key, default) if isinstance(part, dict) else default
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return default, [f"config: {section}.{key} should be a positive whole number; using {default}"]
    return value, []
