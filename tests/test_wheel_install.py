"""The built wheel installs into a fresh venv and works from there, as a user's `pip install` would:
no file the app needs is left out of the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stderr[-2000:]}")
    [wheel] = dist.glob("cockpit-*.whl")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    install = subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
    )
    if install.returncode != 0:
        pytest.fail(f"pip install of the wheel failed:\n{install.stderr[-2000:]}")
    return env_dir / "bin"


def _run(bin_dir: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COCKPIT_HOME": str(home)}
    return subprocess.run(
        [str(bin_dir / "cockpit"), *args], capture_output=True, text=True, env=env, cwd=home
    )


def test_installed_wheel_runs(installed: Path, tmp_path: Path) -> None:
    version = _run(installed, "--version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("cockpit ")
    bundled = subprocess.run(
        [str(installed / "python"), "-c", "from cockpit.paths import bundled_plan; print(bundled_plan())"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert "site-packages" in bundled
    shown = _run(installed, "plan", "show", bundled, home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Phase 1" in shown.stdout and "Cloudflare Access" in shown.stdout
    info = _run(installed, "info", home=tmp_path)
    assert info.returncode == 0 and str(tmp_path) in info.stdout
