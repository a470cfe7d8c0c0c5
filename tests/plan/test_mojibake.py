"""Mis-decoded UTF-8 is repaired; correct text never changes."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cockpit.plan.mojibake import repair

from ..conftest import SEED_PLAN


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("‚úÖ What's Working", "✅ What's Working"),
        ("Priority 1 ‚è∞ 20 min", "Priority 1 ⏰ 20 min"),
        ("## \uf8ffüìä Current State", "## 📊 Current State"),
        ("Let‚Äôs Encrypt", "Let’s Encrypt"),
        ("Configuration ‚Üí Data sources", "Configuration → Data sources"),
        ("cafÃ© dÃ©jÃ\xa0 vu", "café déjà vu"),  # Windows-1252
        ("donâ€™t â€œquoteâ€\x9d", "don’t “quote”"),  # Windows-1252 with an undefined byte
    ],
)
def test_repairs(broken: str, fixed: str) -> None:
    assert repair(broken) == fixed


CORRECT = [
    "Größe, Straße, Äpfel und Öl",
    "ações, coração, não",
    "naïve façade, crème brûlée, élève",
    "El niño pidió más años",
    "日本語のテキストと漢字",
    "한국어 텍스트",
    "Привет, мир! Ёлка",
    "Ελληνικά γράμματα",
    "مرحبا بالعالم",
    "שלום עולם",
    "हिन्दी पाठ",
    "✅ done ⏰ 20 min 📊 🚀 🎯 ⚠️ 👩‍💻",
    "Temperature 21°C ± 0.5, 1 € and ½ £, © ® ™",
    "“quoted” ‘single’ — dash – en … ellipsis • bullet",
    "ß ü ö ä é è à ç ñ ø å æ œ",
]


@pytest.mark.parametrize("text", CORRECT)
def test_correct_text_is_left_alone(text: str) -> None:
    assert repair(text) == text


def test_seed_repaired_with_line_structure_kept() -> None:
    raw = SEED_PLAN.read_text(encoding="utf-8")
    fixed = repair(raw)
    assert len(fixed.splitlines()) == len(raw.splitlines())
    assert "‚úÖ" not in fixed and fixed.count("✅") == 15
    assert repair(fixed) == fixed


readable = st.text(
    alphabet=st.characters(
        whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Sm", "So", "Pd", "Po", "Zs"),
        blacklist_characters="\u00a0",
    ),
    min_size=1,
    max_size=30,
)


def _sloppy_cp1252(data: bytes) -> str:
    out = []
    for byte in data:
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def _also_reads_as(mojibake: str, codepage: str) -> bool:
    """Does the mis-decoded text re-encode to valid UTF-8 through the other codepage too? Then it
    is ambiguous ('§łĢ' as Windows-1252 mojibake reads as '夁•' through Mac Roman) and no repair
    can know which was meant."""
    try:
        mojibake.encode(codepage).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


@given(readable)
def test_mac_roman_mojibake_round_trips(text: str) -> None:
    mojibake = text.encode("utf-8").decode("mac_roman")
    assume(not _also_reads_as(mojibake, "cp1252"))
    assert repair(mojibake) == text


@given(readable)
def test_windows_1252_mojibake_round_trips(text: str) -> None:
    mojibake = _sloppy_cp1252(text.encode("utf-8"))
    assume(not _also_reads_as(mojibake, "mac_roman"))
    assert repair(mojibake) == text
