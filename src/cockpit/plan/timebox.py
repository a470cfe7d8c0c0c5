"""Time boxes as people write them: "10 min", "(30-45 min)", "(2-4 hours)", "⏰ 20 min", "1h30m",
"1.5 h", "~20m", "half an hour", "(15 min each)", "(5 min - auto)", "(Next 60 Minutes)".

`parse_timebox(text)` reads a string that is nothing but a time box (with its qualifiers);
`find_timebox(title)` finds one inside a heading or list-item title where authors put them
(in parentheses, after `⏰`, or at the end after a separator such as " - ") and returns the title
without it. A figure that is merely mentioned ("Service down > 5 min") is not a time box, and neither is a
window or a schedule ("(within 30 min)", "(after 10 min)", "(every 5 min)", "T+20m").
"""

from __future__ import annotations

import re
from functools import lru_cache

from cockpit.plan.model import TimeBox

_WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}

# Whole phrases first (longest first), each rewritten to a figure the grammar below reads.
_PHRASES = [
    (r"\b(?:an?|one) hours? and a half\b", "90 min"),
    (r"\b(?:one|1) and a half hours?\b", "90 min"),
    (r"\bthree quarters of an hour\b", "45 min"),
    (r"\b(?:a )?quarter(?: of an)?[- ]hour\b", "15 min"),
    (r"\bhalf(?: an)?[- ]hour\b", "30 min"),
    (r"\bhalf a day\b", "240 min"),
]

_PHRASE_RES = [(re.compile(pattern), figure) for pattern, figure in _PHRASES]

# Words allowed around the figure: they qualify it but do not change it.
_FILLER = {
    "next",
    "about",
    "approx",
    "approx.",
    "approximately",
    "around",
    "roughly",
    "circa",
    "ca.",
    "est",
    "est.",
    "estimated",
    "estimate",
    "total",
    "overall",
    "max",
    "max.",
    "maximum",
    "up",
    "to",
    "at",
    "most",
    "<",
    "≤",
    "<=",
    "under",
    "below",
    "less",
    "than",
    "wait",
    "waiting",
    "time",
    "duration",
    "eta",
    "timebox",
    "in",
    "for",
    "the",
    "budget",
}
_EACH_WORDS = {"each", "apiece"}
_AUTO_WORDS = {"auto", "automatic", "automated", "unattended", "background"}

_NUM = r"(?:\d+(?:\.\d+)?|\.\d+)"
_HOURS = r"(?:hours?|hrs?|h)"
_MINUTES = r"(?:minutes?|mins?|mn|m)"
_SECONDS = r"(?:seconds?|secs?|s)"
_UNIT = rf"(?:{_HOURS}|{_MINUTES}|{_SECONDS})"
_QTY = (
    rf"(?:(?P<{{p}}h>{_NUM})\s*{_HOURS}\s*(?:and\s*)?(?P<{{p}}hm>{_NUM})\s*{_MINUTES}?"
    rf"|(?P<{{p}}n>{_NUM})\s*(?P<{{p}}u>{_UNIT})?)"
)
_RANGE_RE = re.compile(
    rf"^{_QTY.format(p='a')}(?:\s*(?:-|to|or)\s*{_QTY.format(p='b')})?$",
)


def _unit_minutes(unit: str | None) -> float | None:
    if unit is None:
        return None
    if re.fullmatch(_HOURS, unit):
        return 60.0
    if re.fullmatch(_MINUTES, unit):
        return 1.0
    return 1 / 60


def _quantity(match: re.Match[str], p: str) -> tuple[float, float | None]:
    """(figure, minutes per unit or None when no unit was written) of one side of a range."""
    hours = match.group(f"{p}h")
    if hours is not None:
        return float(hours) * 60 + float(match.group(f"{p}hm")), 1.0
    return float(match.group(f"{p}n")), _unit_minutes(match.group(f"{p}u"))


def _clean(value: float) -> float:
    return float(round(value, 4))


def _normalise(text: str) -> tuple[str, bool, bool] | None:
    """Lower-case the text, drop qualifiers; return (core, each, auto) or None if a word is foreign."""
    s = text.strip().lower()
    s = s.replace("⏰", " ").replace("⏱", " ").replace("⌛", " ").replace("\ufe0f", "")
    s = re.sub(r"[–—−]", "-", s)
    s = re.sub(r"(\d),(\d)", r"\1.\2", s)
    s = re.sub(r"(\d)\s*-\s*(?=[a-z])", r"\1 ", s)
    s = s.strip().strip("()[]").strip()
    s = s.replace("~", " ").replace("≈", " ").replace("±", " ")
    for pattern, figure in _PHRASE_RES:
        s = pattern.sub(figure, s)
    each = auto = False
    kept: list[str] = []
    for word in re.findall(r"[a-z][a-z.\-]*[a-z.]|[a-z]|\d+(?:\.\d+)?|\.\d+|[-:/,]|\S", s):
        bare = word.strip(".") if word not in _FILLER else word
        if word in _WORD_NUMBERS and word not in {"a", "an"}:
            kept.append(str(_WORD_NUMBERS[word]))
        elif word in {"a", "an"}:
            kept.append("1")
        elif word in _EACH_WORDS:
            each = True
        elif word in {"per", "/"}:
            each = True
            kept.append("\x00per")
        elif bare in _AUTO_WORDS:
            auto = True
        elif word in _FILLER or bare in _FILLER:
            if word == "to":
                kept.append("to")
        elif word in {":", ","}:
            continue
        else:
            kept.append(word)
    # "per item" / "per task": the word after "per" is what the figure applies to.
    while "\x00per" in kept:
        i = kept.index("\x00per")
        del kept[i : i + 2]
    core = " ".join(kept).strip(" -")
    # "up to 20 min" leaves a leading "to"; "at most" leaves nothing.
    core = re.sub(r"^to\s+", "", core).strip()
    core = re.sub(r"\s+", " ", core)
    return core, each, auto


@lru_cache(maxsize=4096)
def parse_timebox(text: str) -> TimeBox | None:
    """The time box written as `text` (the whole string), or None if it is not one."""
    if not text or len(text) > 80 or not _HINT_RE.search(text):
        return None
    norm = _normalise(text)
    if norm is None:
        return None
    core, each, auto = norm
    core = re.sub(r"\s+", "", core) if re.fullmatch(r"[\d.\sa-z\-]+", core) else core
    match = _RANGE_RE.match(core)
    if match is None:
        return None
    first, first_unit = _quantity(match, "a")
    if match.group("bn") is None and match.group("bh") is None:
        if first_unit is None:
            return None
        low = high = first * first_unit
    else:
        second, second_unit = _quantity(match, "b")
        if second_unit is None:
            return None
        low, high = first * (first_unit or second_unit), second * second_unit
    shown = text.strip().strip("()").strip(" ⏰⏱⌛\ufe0f")
    return TimeBox(_clean(low), _clean(high), text=shown, each=each, auto=auto)


_HINT_RE = re.compile(r"\d|half|hour|quarter|minute", re.I)
_PAREN_RE = re.compile(r"\(([^()]{1,80})\)")
_ALARM_RE = re.compile(r"[⏰⏱⌛]\ufe0f?\s*([^()⏰]{1,80})")
_SEPARATOR_RE = re.compile(r"(?:\s[-–—|·]|:|\s⏰)\s*")


_UNIT_WORD_RE = re.compile(
    r"\d\s*(?:h|m|s|d)\b|\b(?:min|mins|minutes?|hours?|hrs?|secs?|seconds?|days?)\b", re.I
)


def _box_among_qualifiers(text: str) -> tuple[TimeBox, str] | None:
    """ "(optional, 5 min)", "(P1 - 10 min)": one part is a box and no other part speaks of time.
    Returns the box and the other parts, which stay in the title ("Step 3 (optional)")."""
    parts = [p.strip() for p in re.split(r"[,;|/]| - | – ", text) if p.strip()]
    if len(parts) < 2:
        return None
    boxes = [parse_timebox(p) for p in parts]
    found = [b for b in boxes if b is not None]
    others = [p for p, b in zip(parts, boxes, strict=True) if b is None]
    if len(found) != 1 or any(_UNIT_WORD_RE.search(p) for p in others):
        return None
    return found[0], ", ".join(others)


@lru_cache(maxsize=4096)
def find_timebox(title: str) -> tuple[TimeBox, str] | None:
    """The time box written in a title and the title without it, or None.

    Accepted places: a parenthesised box anywhere ("Deploy (30-45 min)"), after an alarm clock
    ("Stabilise ⏰ 20 min"), or the whole tail after a separator ("1.1 Fix ACME - 10 min").
    When several qualify, the one ending last wins.
    """
    if not _HINT_RE.search(title):
        return None
    candidates: list[tuple[int, int, int, TimeBox, str]] = []  # (end, length, start, box, kept)
    for m in _PAREN_RE.finditer(title):
        box = parse_timebox(m.group(1))
        kept = ""
        if box is None:
            found = _box_among_qualifiers(m.group(1))
            if found is not None:
                box, kept = found[0], f"({found[1]})"
        if box is not None:
            candidates.append((m.end(), m.end() - m.start(), m.start(), box, kept))
    for m in _ALARM_RE.finditer(title):
        box = parse_timebox(m.group(1).strip())
        if box is not None:
            end = m.start(1) + len(m.group(1).rstrip())
            candidates.append((end, end - m.start(), m.start(), box, ""))
    for m in _SEPARATOR_RE.finditer(title):
        tail = title[m.end() :].rstrip()
        box = parse_timebox(tail.rstrip(":").strip())
        if box is not None and tail:
            candidates.append((m.end() + len(tail), len(tail), m.start(), box, ""))
            break
    if not candidates:
        return None
    end, _length, start, box, kept = max(candidates, key=lambda c: (c[0], c[1]))
    rest = (title[:start] + " " + kept + " " + title[end:]).strip()
    rest = re.sub(r"\s{2,}", " ", rest).strip()
    rest = re.sub(r"(\S)\s+([:,.;])", r"\1\2", rest)  # anchored on a word: linear in long blanks
    rest = rest.rstrip()
    if rest[-1:] and rest[-1] in "-–—|·:⏰":  # a separator left at the end (no regex: long blanks)
        rest = rest[:-1].rstrip()
    rest = re.sub(r"\(\s*\)", "", rest).strip()
    return box, rest or title.strip()


def format_minutes(box: TimeBox) -> str:
    """Canonical text for a box: "10 min", "30-45 min", "2-4 h", with "each"/"auto" qualifiers."""

    def fig(value: float) -> str:
        return f"{value:g}"

    if box.min_minutes >= 60 and box.min_minutes % 60 == 0 and box.max_minutes % 60 == 0:
        lo, hi, unit = box.min_minutes / 60, box.max_minutes / 60, "h"
    else:
        lo, hi, unit = box.min_minutes, box.max_minutes, "min"
    text = f"{fig(lo)} {unit}" if lo == hi else f"{fig(lo)}-{fig(hi)} {unit}"
    if box.each:
        text += " each"
    if box.auto:
        text += " - auto"
    return text
