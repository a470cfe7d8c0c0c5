"""Repair UTF-8 text that was once mis-decoded as Mac Roman or Windows-1252.

The seed plan reads `‚úÖ` `‚è∞` `üìä` `‚Äô` where its author wrote ✅ ⏰ 📊 ’: each UTF-8 byte
became one Mac Roman character. `repair(text)` finds runs of characters that such a codepage
produces for bytes >= 0x80, re-encodes each run in that codepage, and keeps the result only when
the bytes decode as UTF-8 cleanly (or, inside a longer run, where a complete 3- or 4-byte sequence
does). Text that is already correct is left alone: a correct accented
word, CJK or emoji never re-encodes into valid multi-byte UTF-8 (a lone "é" is the Mac Roman byte
0x8E, a continuation byte with no lead; "日本" has no Mac Roman bytes at all).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache


@cache
def _codepage(name: str) -> dict[str, int]:
    """Character -> byte for the bytes 0x80-0xFF of a codepage.

    Windows-1252 is taken "sloppily" as mis-decoders do: its five undefined bytes (and every
    byte 0x80-0x9F, as Latin-1 reads them) map to the C1 control characters.
    """
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode(name)
        except UnicodeDecodeError:
            char = chr(byte)
        table[char] = byte
    if name == "cp1252":
        for byte in range(0x80, 0xA0):
            table.setdefault(chr(byte), byte)
    return table


CODEPAGES = ("mac_roman", "cp1252")


@cache
def _run_pattern(name: str) -> re.Pattern[str]:
    chars = "".join(sorted(_codepage(name)))
    return re.compile("[" + re.escape(chars) + "]{2,}")


def _runs(text: str, name: str) -> list[tuple[int, int]]:
    """Spans of two or more consecutive characters the codepage produces for bytes >= 0x80."""
    return [m.span() for m in _run_pattern(name).finditer(text)]


def _acceptable(decoded: str) -> bool:
    """A repair must give printable text: no control characters, no unassigned code points, and
    no combining mark with nothing to combine with."""
    if not decoded or unicodedata.category(decoded[0]).startswith("M"):
        return False
    for char in decoded:
        category = unicodedata.category(char)
        if category in {"Cc", "Cn", "Cs"} and char not in "\t\n\r":
            return False
    return True


def _decode_run(run: str, table: dict[str, int]) -> tuple[str, bool] | None:
    """(repaired run, whether the whole run decoded cleanly) or None when nothing decodes."""
    raw = bytes(table[c] for c in run)
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        partial = _decode_long_sequences(raw, run)
        return None if partial is None else (partial, False)
    return (decoded, True) if _acceptable(decoded) else None


def _decode_long_sequences(raw: bytes, run: str) -> str | None:
    """Within a run that is not UTF-8 as a whole, repair only complete 3- and 4-byte sequences
    (emoji, symbols, CJK): those are too specific to occur by chance in correct text, unlike a
    2-byte pair such as "—é"."""
    out: list[str] = []
    changed = False
    i = 0
    while i < len(raw):
        lead = raw[i]
        size = 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
        if size and i + size <= len(raw):
            try:
                piece = raw[i : i + size].decode("utf-8")
            except UnicodeDecodeError:
                piece = ""
            if piece and _acceptable(piece):
                out.append(piece)
                changed = True
                i += size
                continue
        out.append(run[i])
        i += 1
    return "".join(out) if changed else None


def _repair_with(text: str, name: str) -> tuple[str, tuple[int, int]]:
    """The text repaired with one codepage, and how many characters it explained: (in runs
    repaired whole, in runs repaired in part)."""
    table = _codepage(name)
    pieces: list[str] = []
    last = 0
    whole = partial = 0
    for start, end in _runs(text, name):
        found = _decode_run(text[start:end], table)
        if found is None or found[0] == text[start:end]:
            continue
        pieces.append(text[last:start])
        pieces.append(found[0])
        last = end
        if found[1]:
            whole += end - start
        else:
            partial += end - start
    pieces.append(text[last:])
    return "".join(pieces), (whole, partial)


def repair(text: str) -> str:
    """`text` with Mac Roman / Windows-1252 mojibake repaired; correct text comes back unchanged.

    One codepage is chosen per text, the one whose repairs explain more characters (runs
    repaired whole count first): a document is mis-decoded
    one way, and trying the other codepage on what the first produced could alter correct text.
    """
    if text.isascii():
        return text
    best_text, best_score = text, (0, 0)
    for name in CODEPAGES:
        fixed, score = _repair_with(text, name)
        if score > best_score:
            best_text, best_score = fixed, score
    return best_text
