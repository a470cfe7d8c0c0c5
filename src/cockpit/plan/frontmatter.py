"""Front matter: the `---` YAML block at the top of a Markdown runbook (title, owner, severity, tags).

Static-site generators and runbook repositories put the page's metadata there; it is the plan's
metadata, not a section. `split_front_matter(text)` returns the metadata and the text with the
block blanked out (same number of lines, so every later line keeps its number).

The YAML is composed, never constructed, and read within budgets checked as it is read: at most
`MAX_BYTES` of front matter, `MAX_DEPTH` levels and `MAX_VALUES` values (an alias counts as the
size of what it points at, measured on the event stream before anything is composed, so an alias
bomb is refused cheaply). Front matter that
is not valid YAML or breaks a budget is not metadata: the plan loads without it and says why in
a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.nodes import Node as YamlNode

from cockpit.plan.budget import yaml_over_budget

MAX_BYTES = 64_000
MAX_VALUES = 2_000
MAX_DEPTH = 16
_OPEN_RE = re.compile(r"\A(?:\ufeff)?---[ \t]*\n")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_KEY_RE = re.compile(r"^[A-Za-z_][\w .-]*:(?:\s|$)", re.M)
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Metadata = dict[str, "str | list[str]"]


@dataclass(slots=True)
class FrontMatter:
    metadata: Metadata = field(default_factory=dict)
    text: str = ""  # the document with the front matter replaced by blank lines
    warnings: list[str] = field(default_factory=list)


def _scalar_text(node: YamlNode) -> str | None:
    if isinstance(node, ScalarNode):
        return str(node.value).strip()
    return None


def _value(node: YamlNode) -> str | list[str] | None:
    """A metadata value as text, or a list of texts (`tags: [a, b]`); mappings are flattened to
    `key: value` texts so nothing the author wrote is silently lost."""
    if isinstance(node, ScalarNode):
        return str(node.value).strip()
    if isinstance(node, SequenceNode):
        out: list[str] = []
        for item in node.value:
            value = _value(item)
            if isinstance(value, list):
                out.extend(value)
            elif value:
                out.append(value)
        return out
    if isinstance(node, MappingNode):
        pairs = []
        for key, value in node.value:
            name = _scalar_text(key)
            inner = _value(value)
            if name is None or inner is None:
                continue
            shown = ", ".join(inner) if isinstance(inner, list) else inner
            pairs.append(f"{name}: {shown}")
        return pairs
    return None


def split_front_matter(text: str) -> FrontMatter:
    """Read the front matter at the very top of `text` (first line `---`, closed by `---`/`...`)."""
    match = _OPEN_RE.match(text)
    if match is None:
        return FrontMatter(text=text)
    close = _CLOSE_RE.search(text, match.end())
    if close is None:
        return FrontMatter(text=text)
    body = text[match.end() : close.start()]
    if not _KEY_RE.search(body):
        return FrontMatter(text=text)  # a rule and a setext heading, not metadata
    lines = text[: close.end()].count("\n") + 1
    rest = text[close.end() :]
    blanked = "\n" * (lines - 1) + rest
    result = FrontMatter(text=blanked)
    if len(body) > MAX_BYTES:
        result.warnings.append(f"line 1: front matter over {MAX_BYTES // 1000} KB is not read")
        return result
    try:
        over = yaml_over_budget(body, _Loader, MAX_VALUES, MAX_DEPTH)
        if over is not None:
            result.warnings.append(f"line 1: front matter not read: it {over[0]}")
            return result
        root = yaml.compose(body, Loader=_Loader)
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "not valid YAML"
        result.warnings.append(f"line {line}: front matter is not valid YAML ({problem}); not read")
        return result
    if not isinstance(root, MappingNode):
        return result
    try:
        for key, value in root.value:
            name = _scalar_text(key)
            read = _value(value)
            if name and read is not None and read != "":
                result.metadata[name] = read
    except RecursionError:
        result.metadata = {}
        result.warnings.append("line 1: front matter nested too deeply; not read")
    return result
