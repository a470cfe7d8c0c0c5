"""Plans: the model, the Markdown and YAML loaders, time boxes, lint and serialisation.

`load_plan(path)` is the one entry point the app, the session and the CLI use.
"""

from __future__ import annotations

from pathlib import Path

from cockpit.plan.errors import PlanError
from cockpit.plan.model import Command, Metric, Node, NodeKind, Plan, TimeBox, UrlCheck

__all__ = [
    "Command",
    "Metric",
    "Node",
    "NodeKind",
    "Plan",
    "PlanError",
    "TimeBox",
    "UrlCheck",
    "load_plan",
    "load_plan_text",
]

YAML_SUFFIXES = {".yaml", ".yml"}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".txt"}


def _decode(data: bytes, path: str) -> str:
    """Plan bytes as text: UTF-8 (with or without BOM), else Windows-1252; binary data is refused."""
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise PlanError(path, None, None, f"not a text file (binary data at byte {offset})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        controls = sum(1 for b in data if b < 0x20 and b not in (9, 10, 12, 13))
        if controls * 100 > len(data) or exc.start < 4:
            raise PlanError(
                path, None, None, f"not a text file (undecodable byte at offset {exc.start})"
            ) from None
        return data.decode("cp1252", errors="replace")


def _looks_like_yaml(text: str) -> bool:
    """For a file without a known extension: YAML when its first line that is neither blank nor
    a comment/heading is `---` or the plan's `title:` key."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped == "---" or stripped.startswith(("title:", "%YAML"))
    return False


def load_plan_text(text: str, path: str = "<string>", fmt: str | None = None) -> Plan:
    """Load plan text; `fmt` is "markdown", "yaml" or None to decide from `path` and the text."""
    from cockpit.plan.budget import check_text
    from cockpit.plan.markdown import load_markdown
    from cockpit.plan.yaml_loader import load_yaml

    check_text(text, path)
    if fmt is None:
        suffix = Path(path).suffix.lower()
        if suffix in YAML_SUFFIXES:
            fmt = "yaml"
        elif suffix in MARKDOWN_SUFFIXES:
            fmt = "markdown"
        else:
            fmt = "yaml" if _looks_like_yaml(text) else "markdown"
    return load_yaml(text, path) if fmt == "yaml" else load_markdown(text, path)


def load_plan(path: str | Path) -> Plan:
    """Read and load a plan file (Markdown or YAML, by extension, else by content).

    Every problem a user can cause (missing file, binary data, bad YAML, absurd nesting) raises
    PlanError with a one-line message naming the file, and the line and column when known.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise PlanError(name, None, None, "no such file") from None
    except IsADirectoryError:
        raise PlanError(name, None, None, "is a directory, not a plan file") from None
    except PermissionError:
        raise PlanError(name, None, None, "permission denied") from None
    except OSError as exc:
        raise PlanError(name, None, None, f"cannot read: {exc.strerror or exc}") from None
    text = _decode(data, name)
    try:
        return load_plan_text(text, name)
    except RecursionError:
        raise PlanError(name, None, None, "the plan is nested too deeply to read") from None
