"""Themes as data: YAML files of Textual theme colours, registered with the app.

The house themes live in `themes/` at the top of the project (shipped in the wheel as
`cockpit/themes/`); an operator's own go in `themes/` beside the config file (`cockpit info` names
the folder) and win over a house theme of the same name. A file that is not a valid theme is one
line naming file:line:column and is skipped; the cockpit opens in its default theme.

```yaml
name: my-theme            # required; what --theme, the palette and `theme:` in the config use
dark: true
primary: "#4C9BE8"        # required; every other colour is optional (Textual derives it)
secondary / accent / foreground / background / surface / panel / boost: "#rrggbb"
success / warning / error: "#rrggbb"   # the status colours every pane uses
text_alpha: 0.95
variables: {footer-key-foreground: "#4C9BE8"}   # any Textual design variable
```

The choice made in the palette is remembered (`ui-state.json` in the data folder) and used next
time; `--theme` wins over it, and it wins over `theme:` in the config.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import msgspec
import yaml
from textual.color import Color, ColorParseError
from textual.theme import Theme

from cockpit.paths import config_file, data_dir
from cockpit.plan.yamlspot import locate_error

DEFAULT_THEME = "cockpit-dark"
HOUSE_DIR = Path(__file__).resolve().parent.parent / "themes"
STATE_NAME = "ui-state.json"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Colour = Annotated[str, msgspec.Meta(min_length=1, description="a colour: #rrggbb, rgb(...), a name")]


class ThemeSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][\w.-]*$")]
    primary: Colour
    dark: bool = True
    secondary: Colour | None = None
    accent: Colour | None = None
    foreground: Colour | None = None
    background: Colour | None = None
    surface: Colour | None = None
    panel: Colour | None = None
    boost: Colour | None = None
    success: Colour | None = None
    warning: Colour | None = None
    error: Colour | None = None
    text_alpha: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.95
    luminosity_spread: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.15
    variables: dict[str, str] = {}


_COLOURS = (
    *("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost"),
    *("success", "warning", "error"),
)


def user_themes_dir() -> Path:
    return config_file().parent / "themes"


def read_theme(path: Path) -> Theme:
    """One theme file as a Textual Theme; ValueError with `file:line:column: why` if it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise ValueError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if node is None:
        raise ValueError(f"{path}: empty theme file")
    try:
        spec = msgspec.convert(yaml.load(text, Loader=_Loader), ThemeSpec, strict=False)
    except msgspec.ValidationError as exc:
        spot, message = locate_error(node, exc)
        raise ValueError(
            f"{path}:{spot.start_mark.line + 1}:{spot.start_mark.column + 1}: {message}"
        ) from None
    for key in _COLOURS:
        value = getattr(spec, key)
        if value is None:
            continue
        try:
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"{_where(path, node, key)}: {key}: '{value}' is not a colour") from None
    return Theme(
        name=spec.name,
        dark=spec.dark,
        text_alpha=spec.text_alpha,
        luminosity_spread=spec.luminosity_spread,
        variables=dict(spec.variables),
        **{key: getattr(spec, key) for key in _COLOURS},
    )


def _where(path: Path, node: yaml.Node, key: str) -> str:
    for k, v in getattr(node, "value", []):
        if getattr(k, "value", None) == key:
            return f"{path}:{v.start_mark.line + 1}:{v.start_mark.column + 1}"
    return str(path)


def load_themes(*folders: Path) -> tuple[list[Theme], list[str]]:
    """(themes, one-line problems) from the theme files of `folders`, later folders winning."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                theme = read_theme(path)
            except ValueError as exc:
                problems.append(f"{exc}; theme not loaded")
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems


def all_themes() -> tuple[list[Theme], list[str]]:
    """The house themes and the operator's own (which win on a shared name)."""
    return load_themes(HOUSE_DIR, user_themes_dir())


def saved_theme() -> str | None:
    """The theme last chosen in the palette, if any."""
    try:
        value = json.loads((data_dir() / STATE_NAME).read_text(encoding="utf-8")).get("theme")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def save_theme(name: str) -> None:
    path = data_dir() / STATE_NAME
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state, dict):
            state = {}
    except (OSError, ValueError):
        state = {}
    state["theme"] = name
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(state, fh)
    tmp.replace(path)
