"""Remapping keys: `keymap:` in the config file maps binding ids (see `?`) to keys.

    # ~/.config/cockpit/config.yaml (or $COCKPIT_CONFIG)
    keymap:
      app.quit: ctrl+q
      plan.tick: space,t

A config that cannot be read leaves the defaults and says why in one line (never a traceback).
"""

from __future__ import annotations

from pathlib import Path

import yaml


def load_keymap(path: Path) -> tuple[dict[str, str], list[str]]:
    """(binding id -> keys, warnings) from the config file; empty when it does not exist."""
    if not path.is_file():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: cannot read config ({exc}); default keys in use"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        return {}, [f"{where}: config is not valid YAML; default keys in use"]
    if not isinstance(data, dict):
        return {}, [f"{path}: config should be a mapping; default keys in use"]
    keymap = data.get("keymap") or {}
    if not isinstance(keymap, dict):
        return {}, [f"{path}: `keymap` should map binding ids to keys; default keys in use"]
    good = {str(k): str(v) for k, v in keymap.items() if isinstance(v, str) and v.strip()}
    bad = sorted(str(k) for k in keymap if str(k) not in good)
    warnings = [f"{path}: keymap entries without keys ignored: {', '.join(bad)}"] if bad else []
    return good, warnings
