"""Where cockpit keeps its files: one place, overridable for tests.

`COCKPIT_HOME` points every path below one folder (tests set it to a tmp dir);
otherwise the platform's user data and config directories are used (platformdirs).
`COCKPIT_CONFIG` names the config file directly.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

APP = "cockpit"


def data_dir() -> Path:
    home = os.environ.get("COCKPIT_HOME")
    path = Path(home) / "data" if home else user_data_path(APP)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """Where cockpit's own log (`cockpit.log`, rotated) goes: the platform's user log folder."""
    home = os.environ.get("COCKPIT_HOME")
    path = Path(home) / "logs" if home else user_log_path(APP)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def config_file() -> Path:
    explicit = os.environ.get("COCKPIT_CONFIG")
    if explicit:
        return Path(explicit)
    home = os.environ.get("COCKPIT_HOME")
    base = Path(home) / "config" if home else user_config_path(APP)
    return base / "config.yaml"


def sessions_dir() -> Path:
    path = data_dir() / "sessions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_session_dir(plan_stem: str, now: datetime | None = None) -> Path:
    """A fresh folder for one session: journal, transcript, command output side files."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in plan_stem)[:60] or "plan"
    base = sessions_dir() / f"{stamp}-{safe}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    path.mkdir(parents=True)
    return path


def latest_session_dir() -> Path | None:
    """The most recently started session folder that holds a journal, or None."""
    candidates = [p for p in sessions_dir().iterdir() if (p / "journal.jsonl").exists()]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p / "journal.jsonl").stat().st_mtime)


def bundled_plan() -> Path:
    """The plan shipped with cockpit (the 254Carbon next-steps plan)."""
    return Path(__file__).parent / "bundled" / "254carbon-next-steps.md"
