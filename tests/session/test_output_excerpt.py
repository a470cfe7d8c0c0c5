"""The excerpt the journal and transcript keep of a command's output: its last whole lines."""

from __future__ import annotations

from pathlib import Path

from cockpit.session.output import read_excerpt


def test_excerpt_keeps_the_last_lines(tmp_path: Path) -> None:
    side = tmp_path / "run.log"
    side.write_text("".join(f"line {i}\n" for i in range(100)))
    assert read_excerpt(side, lines=3) == "line 97\nline 98\nline 99"


def test_excerpt_never_starts_mid_line_when_long_lines_exceed_the_budget(tmp_path: Path) -> None:
    side = tmp_path / "run.log"
    side.write_text("".join(f"[INFO] {i:04d} " + "x" * 150 + "\n" for i in range(40)))
    excerpt = read_excerpt(side, lines=20, chars=2000)
    assert len(excerpt) <= 2000
    assert all(line.startswith("[INFO] ") for line in excerpt.split("\n"))
    assert excerpt.endswith("0039 " + "x" * 150)


def test_one_huge_line_is_marked_as_cut(tmp_path: Path) -> None:
    side = tmp_path / "run.log"
    side.write_text("y" * 10_000 + "\n")
    excerpt = read_excerpt(side, chars=100)
    assert len(excerpt) == 100 and excerpt.startswith("…")


def test_missing_side_file_gives_nothing(tmp_path: Path) -> None:
    assert read_excerpt(tmp_path / "gone.log") == ""
