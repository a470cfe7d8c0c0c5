"""Markdown as a tree of blocks, built from markdown-it-py's token stream.

The loader (`markdown.py`) decides what is a section, phase, task or step; this module only says
what the document's structure is: headings, paragraphs split into lines (with their bold labels,
inline code and source line numbers), lists with their items and checkboxes, fenced and indented
code, tables, block quotes and admonitions, HTML and rules.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from cockpit.plan.budget import outside_fences
from cockpit.plan.errors import PlanError

MAX_NESTING = 50
_CHECKBOX_RE = re.compile(r"^\[([ xX])\]\s+")
_ITEM_MARKER_RE = re.compile(r"^\s*(?:>\s*)*(?:(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?)?")
# `## Overview {#overview}`, `## Steps {: .note}`: attribute lists of Hugo, kramdown, Pandoc.
_HEADING_ATTRS_RE = re.compile(r"\{\s*[#.:][^{}]*\}\s*$")
_ADMONITION_RE = re.compile(r"^(?:!!!|\?\?\?\+?)\s*([\w-]+)")


@dataclass(slots=True)
class Line:
    """One line of a paragraph: its text (bold markers dropped, inline code kept in backticks),
    the inline code spans on it, and its bold label ("Time" for `**Time**: 10 min`)."""

    text: str
    line: int
    codes: list[str] = field(default_factory=list)
    label: str | None = None
    value: str = ""
    bold_lead: str | None = None
    source: str = ""


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    line: int
    source: str


@dataclass(slots=True)
class Para:
    lines: list[Line]
    span: tuple[int, int]


@dataclass(slots=True)
class Item:
    blocks: list[Block]
    span: tuple[int, int]
    checked: bool | None = None

    @property
    def line(self) -> int:
        return self.span[0] + 1

    @property
    def first_line(self) -> Line | None:
        if self.blocks and isinstance(self.blocks[0], Para) and self.blocks[0].lines:
            return self.blocks[0].lines[0]
        return None


@dataclass(slots=True)
class ListBlock:
    ordered: bool
    items: list[Item]
    span: tuple[int, int]


@dataclass(slots=True)
class Code:
    language: str
    content: str
    first_line: int  # 1-based line of the first content line
    span: tuple[int, int]
    indented: bool = False


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    span: tuple[int, int]


@dataclass(slots=True)
class Quote:
    """A block quote or an admonition (`> **Note**`, `> [!WARNING]`, `!!! note`)."""

    blocks: list[Block]
    span: tuple[int, int]
    admonition: str | None = None
    indented: bool = False  # MkDocs style: "!!! note" and an indented body

    def as_markdown(self) -> str:
        """An indented admonition as a block quote, which every Markdown renderer shows."""
        body = [ln.text for b in self.blocks if isinstance(b, Para) for ln in b.lines]
        title = (self.admonition or "note").capitalize()
        return "\n".join([f"> **{title}**", *(f"> {line}" for line in body)])


@dataclass(slots=True)
class Html:
    content: str
    span: tuple[int, int]

    @property
    def is_comment(self) -> bool:
        return self.content.lstrip().startswith("<!--")


@dataclass(slots=True)
class Rule:
    span: tuple[int, int]


Block = Heading | Para | ListBlock | Code | Table | Quote | Html | Rule


_UNSPACED_HEADING_RE = re.compile(r"^(#{1,6})(?=[A-Z])")


def space_headings(text: str) -> tuple[str, list[int]]:
    """`#Title` on a line of its own (outside code) is a heading its author wrote without the
    space Markdown needs: the space is added. Returns the text and the 1-based lines changed."""
    if "\n#" not in "\n" + text:
        return text, []
    lines = text.split("\n")
    changed: list[int] = []
    for i, line in outside_fences(lines):
        heading = _UNSPACED_HEADING_RE.match(line)
        before = lines[i - 1].strip() if i else ""
        alone = (not before or before.endswith("-->")) and (i + 1 == len(lines) or not lines[i + 1].strip())
        if heading is not None and alone:
            lines[i] = heading.group(1) + " " + line[heading.end() :]
            changed.append(i + 1)
    return ("\n".join(lines), changed) if changed else (text, [])


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    return md


def _tokens(text: str) -> list[Token]:
    """markdown-it's tokens; the cyclic GC is paused meanwhile for big plans (a 10 MB plan makes
    millions of objects, none of them cyclic garbage, and collection passes cost a third of the time)."""
    if len(text) < 1_000_000 or not gc.isenabled():
        return _parser().parse(text)
    gc.disable()
    try:
        return _parser().parse(text)
    finally:
        gc.enable()


def _span(token: Token) -> tuple[int, int]:
    return (token.map[0], token.map[1]) if token.map else (0, 0)


def _inline_lines(token: Token, first_line: int, source_lines: list[str]) -> list[Line]:
    """Split an inline token at its line breaks into Lines with labels and code spans."""
    lines: list[Line] = []
    parts: list[str] = []
    codes: list[str] = []
    strong_depth = 0
    lead: list[str] | None = None  # text of a bold run that opens the line
    lead_closed = False
    wrote = False  # the line has text so far (a bold run after it is no lead)
    line_no = first_line

    def flush() -> None:
        nonlocal parts, codes, lead, lead_closed, line_no, wrote
        text = "".join(parts).strip()
        label = None
        value = ""
        bold = "".join(lead).strip() if lead is not None and lead_closed else None
        if bold is not None:
            rest = text[len(bold) :].lstrip() if text.startswith(bold) else ""
            if bold.endswith(":"):
                label, value = bold[:-1].strip(), rest
            elif rest.startswith(":"):
                label, value = bold.strip(), rest[1:].strip()
        raw = source_lines[line_no - 1] if 0 < line_no <= len(source_lines) else text
        lines.append(
            Line(
                text=text,
                line=line_no,
                codes=codes,
                label=label,
                value=value,
                bold_lead=bold.rstrip(":").strip() if bold else None,
                source=_ITEM_MARKER_RE.sub("", raw).lstrip() if raw.strip() else text,
            )
        )
        parts, codes, lead, lead_closed, wrote = [], [], None, False, False
        line_no += 1

    for child in token.children or []:
        kind = child.type
        if kind in {"softbreak", "hardbreak"}:
            flush()
            continue
        if kind == "strong_open":
            if lead is None and not wrote:
                lead = []
            strong_depth += 1
            continue
        if kind == "strong_close":
            strong_depth -= 1
            if lead is not None and strong_depth == 0:
                lead_closed = True
            continue
        if kind == "code_inline":
            piece = f"`{child.content}`"
            codes.append(child.content)
        elif kind == "text":
            piece = child.content
        elif kind == "image":
            piece = child.content or ""
        elif kind == "html_inline":
            piece = "" if child.content.startswith("<!--") else child.content
        else:
            piece = ""
        parts.append(piece)
        wrote = wrote or bool(piece.strip())
        if lead is not None and not lead_closed and strong_depth > 0:
            lead.append(piece)
    flush()
    return lines


def parse_blocks(text: str, path: str, problems: list[str] | None = None) -> list[Block]:
    """The document's top-level blocks (headings included, in order). What could not be read as
    written (a code fence never closed) is added to `problems` as "line N: ..."."""
    tokens = _tokens(text)
    deepest = max((t.level for t in tokens), default=0)
    if deepest >= MAX_NESTING - 2:
        token = next(t for t in tokens if t.level >= MAX_NESTING - 2)
        line = token.map[0] + 1 if token.map else None
        raise PlanError(path, line, None, f"lists or quotes nested deeper than {MAX_NESTING - 2} levels")
    source_lines = text.split("\n")
    root: list[Block] = []
    stack: list[ListBlock | Item | Quote] = []  # the open containers, innermost last

    def current() -> list[Block]:
        for container in reversed(stack):
            if isinstance(container, (Item, Quote)):
                return container.blocks
        return root

    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            inline = tokens[i + 1]
            lines = _inline_lines(inline, _span(token)[0] + 1, source_lines)
            text_ = _HEADING_ATTRS_RE.sub("", " ".join(ln.text for ln in lines)).strip()
            current().append(
                Heading(int(token.tag[1]), text_, _span(token)[0] + 1, source_lines[_span(token)[0]])
            )
            i += 3
            continue
        if kind == "paragraph_open":
            inline = tokens[i + 1]
            para = Para(_inline_lines(inline, _span(token)[0] + 1, source_lines), _span(token))
            head = para.lines[0].text if para.lines else ""
            if len(para.lines) > 1 and _ADMONITION_RE.match(head):
                # "!!! note" with its indented body read as a lazy continuation of the paragraph
                body = Para(para.lines[1:], para.span)
                kind = _admonition_kind(head)
                current().append(Quote([body], para.span, admonition=kind, indented=True))
            else:
                current().append(para)
            i += 3
            continue
        if kind in {"bullet_list_open", "ordered_list_open"}:
            block = ListBlock(kind == "ordered_list_open", [], _span(token))
            current().append(block)
            stack.append(block)
        elif kind == "list_item_open":
            item = Item([], _span(token))
            parent = stack[-1]
            assert isinstance(parent, ListBlock)
            parent.items.append(item)
            stack.append(item)
        elif kind == "blockquote_open":
            quote = Quote([], _span(token))
            current().append(quote)
            stack.append(quote)
        elif kind in {"bullet_list_close", "ordered_list_close", "list_item_close", "blockquote_close"}:
            closed = stack.pop()
            if isinstance(closed, Item):
                _read_checkbox(closed)
            elif isinstance(closed, Quote):
                _read_admonition(closed)
        elif kind == "fence":
            language = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
            language = language.strip("{}.")
            current().append(Code(language, token.content, _span(token)[0] + 2, _span(token)))
            if problems is not None and not _fence_closed(token, source_lines):
                problems.append(
                    f"line {_span(token)[0] + 1}: the {token.markup} code block opened here is never "
                    "closed; everything after it was read as code"
                )
        elif kind == "code_block":
            container = current()
            if container and isinstance(container[-1], Para) and _is_admonition_head(container[-1]):
                lead = container.pop()
                assert isinstance(lead, Para)
                body_lines = [Line(ln.strip(), 0) for ln in token.content.splitlines() if ln.strip()]
                span = (lead.span[0], _span(token)[1])
                kind = _admonition_kind(lead.lines[0].text)
                container.append(Quote([Para(body_lines, span)], span, admonition=kind, indented=True))
            else:
                current().append(_indented_code(token))
        elif kind == "table_open":
            i = _read_table(tokens, i, current())
            continue
        elif kind == "html_block":
            current().append(Html(token.content, _span(token)))
        elif kind == "hr":
            current().append(Rule(_span(token)))
        i += 1
    return root


_FENCE_OPEN_RE = re.compile(r"^(`{3,}|~{3,})\s*\{?\.?([\w+-]*)[^`]*$")


def _indented_code(token: Token) -> Code:
    """An indented code block. A fence indented too far under a list item (8 spaces under `1.`) is
    one too, still holding its fence lines: then it is read as the fence it was meant to be."""
    span = _span(token)
    lines = token.content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None:
        match = _FENCE_OPEN_RE.match(lines[first].strip())
        if match is not None:
            fence = match.group(1)
            body = lines[first + 1 :]
            end = next((i for i in range(len(body) - 1, -1, -1) if body[i].strip()), None)
            if (
                end is not None
                and body[end].strip().startswith(fence[0] * len(fence))
                and not body[end].strip().strip(fence[0])
            ):
                body = body[:end]
            content = "\n".join(body) + ("\n" if body else "")
            return Code(match.group(2).lower(), content, span[0] + first + 2, span, indented=True)
    return Code("", token.content, span[0] + 1, span, indented=True)


def _fence_closed(token: Token, source_lines: list[str]) -> bool:
    """Does the fence's last line close it (markdown-it runs an unclosed fence to the end of its
    container without saying so)?"""
    start, end = _span(token)
    if end - start < 2 or end > len(source_lines):
        return False
    last = re.sub(r"^(?:\s*>)*\s*", "", source_lines[end - 1]).rstrip()
    marker = token.markup
    return len(last) >= len(marker) and set(last) == {marker[0]}


def _admonition_kind(head: str) -> str:
    """ "note" for `!!! note "Title"` and `!!!note`."""
    match = _ADMONITION_RE.match(head)
    return match.group(1).lower() if match else "note"


def _is_admonition_head(para: Para) -> bool:
    return len(para.lines) == 1 and bool(_ADMONITION_RE.match(para.lines[0].text))


def _read_checkbox(item: Item) -> None:
    first = item.first_line
    if first is None:
        return
    match = _CHECKBOX_RE.match(first.text)
    if match:
        item.checked = match.group(1) != " "
        first.text = first.text[match.end() :]


def _read_admonition(quote: Quote) -> None:
    """`> **Note**` / `> [!WARNING]` as the first line of a quote marks an admonition."""
    if not quote.blocks or not isinstance(quote.blocks[0], Para) or not quote.blocks[0].lines:
        return
    first = quote.blocks[0].lines[0]
    match = re.match(r"^\[!(\w+)\]", first.text)
    if match:
        quote.admonition = match.group(1).lower()
    elif first.bold_lead and first.bold_lead.lower().rstrip(":") in {
        "note",
        "warning",
        "caution",
        "important",
        "tip",
        "danger",
        "info",
    }:
        quote.admonition = first.bold_lead.lower().rstrip(":")


def _read_table(tokens: list[Token], i: int, into: list[Block]) -> int:
    span = _span(tokens[i])
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] | None = None
    in_head = False
    while i < len(tokens) and tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            if in_head:
                header = row
            else:
                rows.append(row)
            row = None
        elif token.type == "inline" and row is not None:
            row.append(" ".join(ln.text for ln in _inline_lines(token, 0, [])).strip())
        i += 1
    into.append(Table(header, rows, span))
    return i + 1
