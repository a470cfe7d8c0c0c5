"""Remapping keys: `keymap:` in the config file maps binding ids (see `?`) to keys.

    # ~/.config/cockpit/config.yaml (or $COCKPIT_CONFIG)
    keymap:
      app.quit: ctrl+q
      plan.tick: space,t

The config file is read and checked by `cockpit.config`; here the ids are checked against the
bindings the screens really have, so a misspelt id is named (file:line) instead of ignored.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from textual.binding import Binding
from textual.dom import DOMNode

from cockpit.config import LoadedConfig, load_config


def known_binding_ids() -> set[str]:
    """Every binding id the cockpit's app, screens, widgets and panes declare."""
    import_module("cockpit.ui.app")  # the app, its screens and widgets
    panes = import_module("cockpit.ui.panes")  # its pane modules load lazily: every one, listed or not
    for module in pkgutil.iter_modules(panes.__path__, f"{panes.__name__}."):
        import_module(module.name)
    ids: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("cockpit."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def unknown_binding_ids(loaded: LoadedConfig) -> list[str]:
    """One line per keymap id that no binding has, naming where it is written."""
    if not loaded.config.keymap:
        return []  # nothing to check: no walk over every widget class at start-up
    known = known_binding_ids()
    return [
        f"{loaded.where('keymap', name)}: keymap: no binding has the id '{name}' (`?` lists the ids)"
        for name in loaded.config.keymap
        if name not in known
    ]


def load_keymap(loaded: LoadedConfig | None = None) -> tuple[dict[str, str], list[str]]:
    """(binding id -> keys, warnings): the config's problems and unknown ids, each one line."""
    loaded = loaded or load_config()
    if loaded.problems:
        return {}, list(loaded.problems)
    keymap = {k: v for k, v in loaded.config.keymap.items() if v.strip()}
    empty = [k for k in loaded.config.keymap if k not in keymap]
    warnings = [f"{loaded.where('keymap', k)}: keymap: '{k}' has no keys; ignored" for k in empty]
    return keymap, warnings + unknown_binding_ids(loaded)
