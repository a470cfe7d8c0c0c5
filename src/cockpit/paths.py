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


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can open (0700), created with its parents if missing;
    session folders hold journals, output and kubeconfigs."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def write_private(path: Path, data: str | bytes) -> Path:
    """Write a file readable by its owner only (0600 from its creation, never wider)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return path


def data_dir() -> Path:
    home = os.environ.get("COCKPIT_HOME")
    path = Path(home) / "data" if home else user_data_path(APP)
    return private_dir(path)


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
    return private_dir(data_dir() / "sessions")


def new_session_dir(plan_stem: str, now: datetime | None = None) -> Path:
    """A fresh folder for one session: journal, transcript, command output side files."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in plan_stem)[:60] or "plan"
    base = sessions_dir() / f"{stamp}-{safe}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    path.mkdir(mode=0o700, parents=True)
    return private_dir(path)


def latest_session_dir() -> Path | None:
    """The most recently started session folder that holds a journal, or None."""
    candidates = [p for p in sessions_dir().iterdir() if (p / "journal.jsonl").exists()]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p / "journal.jsonl").stat().st_mtime)


def bundled_plan() -> Path:
    """The plan shipped with cockpit (the 254Carbon next-steps plan)."""
    return Path(__file__).parent / "bundled" / "254carbon-next-steps.md"
