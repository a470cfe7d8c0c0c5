"""Budgets a plan must fit before any parser works on it, so every input loads or is refused
with one clear line within about a second (never minutes: a fuzzer found YAML alias bombs,
megabyte single lines and pathological Markdown nesting that took over 5 s).

Each budget is checked by a cheap linear pass BEFORE the expensive work it protects:

- size and line length, for every plan (`check_text`);
- Markdown (`check_markdown`): lines of structure outside code fences (markdown-it and the loader
  spend most per such line), the inline markup characters among them (emphasis, links, tables:
  markdown-it's inline pass costs tens of microseconds each), list/quote markers nested on one
  line, and per paragraph the `[` and `<` that make its link and HTML scanning quadratic;
- shell lines the loader will split into commands (`check_shell_lines`), once fences are known;
- YAML (`yaml_over_budget`): size, nesting and the number of values with aliases expanded, read
  from the event stream before anything is composed, so an alias bomb costs its written size.

The limits are far above any runbook people write (the 25 KB seed has 577 lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from cockpit.plan.errors import PlanError

MAX_CHARS = 12_000_000
MAX_YAML_CHARS = 500_000  # a YAML plan (PyYAML composes about 1 MB a second here)
MAX_LINE = 100_000
MAX_WORK_LINES = 8_000  # lines of structure outside code blocks, plus lines in shell blocks
MAX_SHELL_LINES = 3_000  # lines in shell blocks (the shell parser reads each)
MAX_NESTING = 48
MAX_IN_PARAGRAPH = 10_000  # `[` or `<` in one paragraph
# markdown-it looks for the `]` (`>`) of every `[` (`<`) up to the end of its paragraph: unclosed
# ones times the paragraph's length is the work, kept under this many characters scanned.
MAX_SCAN = 30_000_000
MAX_MARKUP = 40_000  # inline markup characters outside code blocks (the seed has 780)
_MARKUP = "*_~[]()<>&!|`"
MAX_CELLS = 1_000  # `|` on one line outside code blocks
MAX_INDENT = 200  # spaces before a list marker

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def outside_fences(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(index, line) of the lines that are not inside a fenced code block nor a fence line: the
    one reading of CommonMark fences (same character, at least as long) the pre-parse checks share."""
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is not None:
            if match is not None and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match is not None:
            fence = match.group(1)
            continue
        yield index, line


_MARKERS_RE = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))+")
_MARKER_RE = re.compile(r">|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])")


def _refuse(path: str, line: int | None, message: str) -> PlanError:
    return PlanError(path, line, None, message)


def check_text(text: str, path: str) -> None:
    """Any plan: at most MAX_CHARS characters, no line over MAX_LINE characters."""
    if len(text) > MAX_CHARS:
        size = f"{len(text) / 1e6:.1f} MB"
        raise _refuse(path, None, f"the plan is {size}; plans over {MAX_CHARS // 1_000_000} MB are not read")
    if len(text) <= MAX_LINE:
        return
    start = 0
    number = 1
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        if end - start > MAX_LINE:
            raise _refuse(
                path, number, f"line is {end - start:,} characters long; lines over {MAX_LINE:,} are not read"
            )
        start = end + 1
        number += 1


def check_markdown(text: str, path: str) -> int:
    """Markdown structure within budget, before markdown-it parses it; returns the number of
    lines of structure (outside code blocks) for `check_shell_lines`."""
    structure = 0
    brackets = angles = 0  # in the current paragraph
    unclosed = 0  # `[` and `<` not closed on their line, in the current paragraph
    size = 0  # characters in the current paragraph
    markup = 0  # in the document
    paragraph_line = 0
    for index, line in outside_fences(text.split("\n")):
        number = index + 1
        if not line.strip():
            brackets = angles = unclosed = size = 0
            continue
        structure += 1
        if structure > MAX_WORK_LINES:
            raise _refuse(path, number, f"more than {MAX_WORK_LINES:,} lines of headings, lists and prose")
        if size == 0:
            paragraph_line = number
        opened, angled = line.count("["), line.count("<")
        brackets, angles, size = brackets + opened, angles + angled, size + len(line) + 1
        unclosed += max(0, opened - line.count("]")) + max(0, angled - line.count(">"))
        if max(brackets, angles) > MAX_IN_PARAGRAPH or unclosed * size > MAX_SCAN:
            char = "[" if brackets >= angles else "<"
            raise _refuse(path, paragraph_line, f"a paragraph holds too many '{char}' to be read as Markdown")
        markup += sum(line.count(c) for c in _MARKUP) if any(c in line for c in _MARKUP) else 0
        if markup > MAX_MARKUP:
            what = f"more than {MAX_MARKUP:,} characters of inline markup (*_[]<>|` ...) outside code"
            raise _refuse(path, number, what)
        if line.count("|") > MAX_CELLS:
            raise _refuse(path, number, f"a table row with more than {MAX_CELLS:,} cells")
        markers = _MARKERS_RE.match(line)
        if markers is not None and (
            len(_MARKER_RE.findall(markers.group())) > MAX_NESTING
            or len(line) - len(line.lstrip()) > MAX_INDENT
        ):
            raise _refuse(path, number, f"lists or quotes nested deeper than {MAX_NESTING} levels")
    return structure


def check_shell_lines(count: int, structure: int, path: str, line: int) -> None:
    """The shell blocks' lines the loader is about to split into commands, with the structure."""
    if count > MAX_SHELL_LINES:
        raise _refuse(path, line, f"more than {MAX_SHELL_LINES:,} lines in shell blocks")
    if count + structure > MAX_WORK_LINES:
        raise _refuse(
            path, line, f"more than {MAX_WORK_LINES:,} lines of headings, lists, prose and shell blocks"
        )


def yaml_over_budget(text: str, loader: Any, max_values: int, max_depth: int) -> tuple[str, Any] | None:
    """Why a YAML text is over budget (and the event's mark), or None, from its event stream
    alone, before anything is composed: nesting deeper than `max_depth`, or more than
    `max_values` values once every alias is expanded. An anchored collection's expanded size is
    known when it ends, so an alias bomb is measured at the cost of its written size.
    YAML syntax errors propagate as PyYAML raises them."""
    depth = 0
    expanded = 0  # values so far, aliases expanded
    sizes: dict[str, int] = {}
    opened: list[tuple[str | None, int]] = []  # (anchor, expanded count when it opened)
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                return f"is nested deeper than {max_depth} levels", event.start_mark
            opened.append((event.anchor, expanded))
            expanded += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor, start = opened.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            # the parser always names an alias's anchor; the stubs allow None
            expanded += sizes.get(event.anchor, 1) if event.anchor is not None else 1
        if expanded > max_values:
            return f"expands to more than {max_values:,} values (anchors and aliases?)", event.start_mark
    return None
