"""Remapping keys: `keymap:` in the config file maps binding ids (see `?`) to keys.

    # ~/.config/cockpit/config.yaml (or $COCKPIT_CONFIG)
    keymap:
      app.quit: ctrl+q
      plan.tick: space,t

A config that cannot be read leaves the defaults and says why in one line (never a traceback).
"""

from __future__ import annotations

from pathlib import Path

from cockpit.config import read_config


def load_keymap(path: Path) -> tuple[dict[str, str], list[str]]:
    """(binding id -> keys, warnings) from the config file; empty when it does not exist."""
    data, warnings = read_config(path)
    if warnings:
        return {}, [w.replace("defaults in use", "default keys in use") for w in warnings]
    keymap = data.get("keymap") or {}
    if not isinstance(keymap, dict):
        return {}, [f"{path}: `keymap` should map binding ids to keys; default keys in use"]
    good = {str(k): str(v) for k, v in keymap.items() if isinstance(v, str) and v.strip()}
    bad = sorted(str(k) for k in keymap if str(k) not in good)
    warnings = [f"{path}: keymap entries without keys ignored: {', '.join(bad)}"] if bad else []
    return good, warnings
