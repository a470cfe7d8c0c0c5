"""`cockpit info`: where cockpit keeps things and what it runs on (like `k9s info`), for bug reports
and for finding a session folder, the log or the config file without reading the docs."""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
from collections.abc import Sequence
from importlib import metadata

from cockpit import __version__
from cockpit.logsetup import configured_file, default_log_file
from cockpit.paths import config_file, data_dir, sessions_dir

LIBRARIES = ("textual", "rich", "kubernetes", "httpx", "pyyaml", "markdown-it-py", "orjson")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def report() -> list[tuple[str, str]]:
    """(label, value) rows, in the order they are printed."""
    config = config_file()
    rows = [
        ("cockpit", __version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
    ]
    rows += [(name, _version(name)) for name in LIBRARIES]
    rows += [
        ("kubectl", shutil.which("kubectl") or "not on PATH"),
        ("config", f"{config}{'' if config.is_file() else ' (not there: defaults in use)'}"),
        ("themes", str(config.parent / "themes")),
        ("data", str(data_dir())),
        ("sessions", str(sessions_dir())),
        ("log", str(configured_file() or default_log_file())),
    ]
    return rows


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="cockpit info", description="Print versions and where cockpit keeps its files."
    )
    parser.parse_args(list(argv))
    rows = report()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label + ':':<{width + 1}} {value}")
    return 0
