"""The programs the tests need beyond Python (tmux, victoria-metrics, openssl, kubectl): found on
PATH, or installed from Debian's packages when the tests run as root (as CI does), or else the
tests that need them are skipped with the reason (pytest -ra prints it)."""

from __future__ import annotations

import os
import shutil
import subprocess

_tried: dict[str, str | None] = {}


def _apt_install(package: str) -> str | None:
    """Install a Debian package; None on success, else why not."""
    if os.geteuid() != 0:
        return f"{package} is not installed and the tests are not running as root to install it"
    if shutil.which("apt-get") is None:
        return f"{package} is not installed and apt-get is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", package]
    if subprocess.run(cmd, capture_output=True, env=env).returncode == 0:
        return None
    subprocess.run(["apt-get", "update"], capture_output=True, env=env)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return f"apt-get install {package} failed: {done.stderr.strip().splitlines()[-1:]}"
    return None


def ensure_program(program: str, package: str | None = None) -> tuple[str | None, str]:
    """(path to `program`, "") when it is there or could be installed, else (None, why not)."""
    path = shutil.which(program)
    if path:
        return path, ""
    package = package or program
    if package not in _tried:
        _tried[package] = _apt_install(package)
    why = _tried[package]
    path = shutil.which(program)
    if path:
        return path, ""
    return None, why or f"{program} is still not on PATH after installing {package}"
