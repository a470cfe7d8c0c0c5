"""cockpit's own log: a rotating file in the user log folder, so that an error raised in a worker or
a background thread is never lost behind the screen (Textual owns the terminal, stderr is hidden).

`configure(debug=..., log_file=...)` is called once by the CLI before the app opens; it also routes
uncaught exceptions of background threads (`threading.excepthook`) into the log. Nothing here
imports Textual: the UI adds its own handler for failed workers and calls `log_failure`.
"""

from __future__ import annotations

import logging
import os
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

from cockpit.paths import log_dir

LOG_NAME = "cockpit.log"
MAX_BYTES = 2 * 1024 * 1024  # per file; three old files are kept
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

logger = logging.getLogger("cockpit")
_configured: list[Path] = []


def default_log_file() -> Path:
    return log_dir() / LOG_NAME


def configure(*, debug: bool = False, log_file: Path | None = None) -> Path:
    """Send the `cockpit` logger to a rotating file (0600); returns its path. Idempotent."""
    path = (log_file or default_log_file()).expanduser()
    if _configured and _configured[0] == path:
        logger.setLevel(logging.DEBUG if debug else logging.INFO)
        return path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    for old in list(logger.handlers):
        if isinstance(old, RotatingFileHandler):
            logger.removeHandler(old)
            old.close()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    _touch_private(path)
    _configured[:] = [path]
    threading.excepthook = _thread_excepthook
    return path


def configured_file() -> Path | None:
    """The log file in use, or None before `configure`."""
    return _configured[0] if _configured else None


def log_failure(what: str, exc: BaseException) -> None:
    """Record a failure with its traceback (the operator sees one sentence; the log keeps the rest)."""
    logger.error("%s failed: %s", what, exc, exc_info=(type(exc), exc, exc.__traceback__))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    logger.error(
        "uncaught error in %s: %s",
        name,
        args.exc_value,
        exc_info=args.exc_value,  # logging takes the type and traceback from the exception
    )


def _touch_private(path: Path) -> None:
    """Create the log file 0600 before the handler opens it (it holds commands and hosts)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
