"""Time estimates written as a field of a step, wherever they sit in the step's body.

People state a step's estimate as a labelled field rather than in the heading:
`**Estimated Time**: 3 minutes`, `**Duration:** 15 min`, `Estimated time: ~10m`, `*ETA*: 1-2 hours`,
`Time: 5 min`, `⏱️ 20 minutes`, a table row `| Duration | 30 min |`, a list item `- Time: 10m`.
A field is a line (a paragraph line, a list item's first line, a block quote's line, or a two-cell
table row) whose label names an estimate and whose value is a time box. It belongs to the nearest
heading above it, before or after the step's commands.

What is not an estimate, by rule rather than by word lists of one document: a label that names
something else (`retention: 7d`, `timeout: 300s`, `T+20m: DNS switched`), and a value that is not
a time box (`every 5 minutes`, `page if lag > 10 minutes`, `14:32 UTC`). An estimate label whose
value cannot be read (`**Duration**: TBD`) is reported, with its line, so `plan check` can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.plan.mdblocks import Block, ListBlock, Para, Quote, Table
from cockpit.plan.model import TimeBox
from cockpit.plan.timebox import parse_timebox

# A label names an estimate: an optional qualifier, then a word for the time a step takes.
_TIME_LABEL_RE = re.compile(
    r"^(?:(?:estimated|expected|approx(?:imate)?|approx\.|est\.?|total|planned|rough|allotted|"
    r"allocated|typical|average|target)\s+)?"
    r"(?:time(?:[\s-]*(?:box|estimate|required|needed|budget|taken|spent|to\s+\w+))?|duration|"
    r"effort|eta|timebox|estimate|time-box|timing)$"
)
_CLOCKS = "⏱⏰⌛⏳🕐🕑🕒🕓🕔🕕🕖🕗🕘🕙🕚🕛"
_FIELD_RE = re.compile(r"^(?P<label>[^\W\d_][\w .'/()-]{0,40}?)\s*[:：]\s*(?P<value>.*)$")
# A value that is a moment, not an amount: "14:32 UTC", "2024-05-01", "Mon 09:00".
_MOMENT_RE = re.compile(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|\b(?:utc|gmt|am|pm)\b", re.I)


def _plain(text: str) -> str:
    """A label without emphasis marks, emoji or decoration: "**⏱️ Est. Time**" -> "est. time"."""
    text = re.sub(r"[*_`~]", "", text)
    text = re.sub(r"^[^\w(]+", "", text)
    return " ".join(text.split()).strip(" .").lower()


def is_time_label(label: str) -> bool:
    return bool(_TIME_LABEL_RE.match(_plain(label)))


@dataclass(frozen=True, slots=True)
class TimeField:
    """An estimate field found in a step's body: its box (None when unreadable) and line."""

    box: TimeBox | None
    line: int
    text: str


def read_field(text: str) -> tuple[TimeBox | None, str] | None:
    """The estimate a line states, as (box or None when unreadable, value text); None when the
    line is not an estimate field at all."""
    stripped = text.strip()
    if not stripped:
        return None
    bare = re.sub(r"[*_]", "", stripped).strip()
    if bare[:1] in _CLOCKS:
        value = bare.lstrip(_CLOCKS + "\ufe0f ").strip()
        match = _FIELD_RE.match(value)
        if match is not None and is_time_label(match.group("label")):
            value = match.group("value").strip()
        box = parse_timebox(value)
        return (box, value) if box is not None else None
    match = _FIELD_RE.match(bare)
    if match is None or not is_time_label(match.group("label")):
        return None
    value = match.group("value").strip()
    if not value:
        return None  # "**Time**:" introducing what follows
    box = parse_timebox(value)
    if box is None and _MOMENT_RE.search(value):
        return None  # "Time: 14:32 UTC" is when something happened (a timeline), not an estimate
    return box, value


def _row_field(row: list[str]) -> tuple[TimeBox | None, str] | None:
    cells = [c.strip() for c in row if c.strip()]
    if len(cells) != 2 or not is_time_label(cells[0]):
        return None
    return read_field(f"{_plain(cells[0])}: {cells[1]}")


def find_time_fields(blocks: list[Block]) -> list[TimeField]:
    """Every estimate field in a step's own blocks (not in sub-headings), in document order."""
    found: list[TimeField] = []

    def para(block: Para) -> None:
        for line in block.lines:
            read = read_field(line.text)
            if read is not None:
                found.append(TimeField(read[0], line.line, line.text))

    for block in blocks:
        if isinstance(block, Para):
            para(block)
        elif isinstance(block, ListBlock):
            for item in block.items:
                first = item.first_line
                if first is None:
                    continue
                read = read_field(first.text)
                if read is not None:
                    found.append(TimeField(read[0], first.line, first.text))
        elif isinstance(block, Quote):
            for inner in block.blocks:
                if isinstance(inner, Para):
                    para(inner)
        elif isinstance(block, Table):
            rows = ([block.header] if block.header else []) + block.rows
            for index, row in enumerate(rows):
                read = _row_field(row)
                if read is not None:
                    line = block.span[0] + 1 + (index if index == 0 else index + 1)
                    found.append(TimeField(read[0], line, " | ".join(row)))
    return found
