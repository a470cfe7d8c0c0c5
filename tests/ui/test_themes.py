"""Themes as data: the house themes load from themes/, an operator's own are added (a broken one is
one line naming file:line:column and the default stays), --theme / the config / the palette pick
one and the palette's choice is remembered; one snapshot per shipped theme."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from textual.color import Color

from cockpit.paths import config_file, data_dir
from cockpit.session.clock import FakeClock
from cockpit.ui.themes import DEFAULT_THEME, HOUSE_DIR, STATE_NAME, all_themes, load_themes, read_theme

from .conftest import AppFactory, wait_for

HOUSE = ["cockpit-colorblind", "cockpit-dark", "cockpit-high-contrast", "cockpit-light"]
REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"


def test_house_themes_are_the_files_in_themes_folder() -> None:
    assert HOUSE_DIR.resolve() == REPO_THEMES.resolve()
    themes, problems = load_themes(HOUSE_DIR)
    assert problems == [] and sorted(t.name for t in themes) == HOUSE
    assert {t.name: t.dark for t in themes}["cockpit-light"] is False


# Machado, Oliveira & Fernandes (2009) dichromacy matrices, applied in linear RGB
CVD = {
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.01182, 0.04294, 0.968881),
    ),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.3039),
    ),
}


def _seen(colour: str, matrix: tuple[tuple[float, float, float], ...]) -> tuple[float, ...]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    def gamma(c: float) -> float:
        c = min(1.0, max(0.0, c))
        return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055

    rgb = [linear(v / 255) for v in Color.parse(colour).rgb]
    return tuple(gamma(sum(row[i] * rgb[i] for i in range(3))) for row in matrix)


def _apart(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def test_colour_blind_theme_keeps_ok_warning_and_error_apart_for_every_dichromacy() -> None:
    safe = read_theme(HOUSE_DIR / "cockpit-colorblind.yaml")
    dark = read_theme(HOUSE_DIR / "cockpit-dark.yaml")
    for kind, matrix in CVD.items():
        ok, warn, bad = (_seen(c, matrix) for c in (safe.success, safe.warning, safe.error))  # type: ignore[arg-type]
        assert _apart(ok, bad) > 0.8 and _apart(ok, warn) > 0.8, kind  # never red against green alone
        assert _apart(warn, bad) > 0.2, kind
    # what the theme is for: the house dark theme's ok and error nearly meet for a deuteranope
    seen_dark = [_seen(c, CVD["deuteranopia"]) for c in (dark.success, dark.error)]  # type: ignore[arg-type]
    assert _apart(*seen_dark) < 0.5


def test_broken_theme_file_is_one_line_with_its_place(tmp_path: Path) -> None:
    folder = config_file().parent / "themes"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text("name: mine\nprimary: '#112233'\nsuccess: '#00aa55'\n")
    (folder / "typo.yaml").write_text("name: typo\nprimary: '#112233'\nsucces: '#00aa55'\n")
    (folder / "colour.yaml").write_text("name: colour\nprimary: 'not-a-colour'\n")
    (folder / "cockpit-dark.yaml").write_text("name: cockpit-dark\nprimary: '#ff0000'\n")  # overrides
    themes, problems = all_themes()
    names = {t.name: t for t in themes}
    assert "mine" in names and names["cockpit-dark"].primary == "#ff0000"
    assert sorted(problems) == [
        f"{folder / 'colour.yaml'}:2:10: primary: 'not-a-colour' is not a colour; theme not loaded",
        f"{folder / 'typo.yaml'}:3:1: unknown key 'succes'; theme not loaded",
    ]


async def test_theme_is_chosen_remembered_and_overridden(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == DEFAULT_THEME
        app.theme = "cockpit-light"  # what the palette's "Change theme" does
        await pilot.pause()
    state = json.loads((data_dir() / STATE_NAME).read_text())
    assert state["theme"] == "cockpit-light"
    assert (data_dir() / STATE_NAME).stat().st_mode & 0o077 == 0
    from cockpit.ui.themes import saved_theme

    assert saved_theme() == "cockpit-light"
    app = make_app(theme="no-such-theme")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        assert any("Unknown theme 'no-such-theme'" in n for n in app.notices)


async def test_broken_theme_is_reported_when_the_app_opens(make_app: AppFactory) -> None:
    folder = config_file().parent / "themes"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("name: bad\n")
    app = make_app(theme="bad")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        assert any("bad.yaml:1:1: expected 'primary:'; theme not loaded" in n for n in app.notices)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.parametrize("theme", HOUSE)
def test_theme_snapshot(theme: str, make_app: AppFactory, snap_compare, utc: None) -> None:  # type: ignore[no-untyped-def]
    app = make_app(clock=FakeClock(wall=1_761_300_000.0), theme=theme)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(lambda: app.current is not None and app.theme == theme, pilot)
        await pilot.pause(0.2)
        app.refresh_status()  # the status line's wording follows its width: lay it out first
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


@pytest.mark.parametrize("theme", ["cockpit-dark", "cockpit-light"])
async def test_the_first_screen_is_in_the_theme_and_styled_once(
    theme: str, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The theme the session opens in is on the first screen painted, and (for a theme as dark as
    Textual's default) neither the theme nor the layout's size classes cost another styling pass
    over every widget before it (each was one at every start)."""
    from textual.css.stylesheet import Stylesheet
    from textual.dom import DOMNode

    restyled: list[int] = []  # how many nodes each restyle covered
    update_nodes = Stylesheet.update_nodes

    def counted(self: Stylesheet, nodes: Iterable[DOMNode], animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.append(len(nodes))
        update_nodes(self, nodes, animate=animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counted)
    app = make_app(theme=theme)
    first: list[tuple[str, Color | None, int, int]] = []
    display = app._display

    def painted(screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(screen, renderable)
        if renderable is not None and not first:
            widgets = len(list(screen.walk_children(with_self=True)))
            first.append((app.theme, screen.styles.background, sum(n for n in restyled if n > 1), widgets))

    app._display = painted  # type: ignore[method-assign]
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(lambda: bool(first), pilot)
        background = Color.parse(app.theme_variables["background"])
    name, colour, nodes, widgets = first[0]
    assert name == theme and colour == background
    if theme == "cockpit-dark":  # Textual restyles the screen once when it is first shown; no more
        assert nodes <= widgets, f"{nodes} restyles of {widgets} widgets before the first paint"
