"""Writing a session's transcript in each format, all from the journal and all redacted:

- `md`: the Markdown transcript (`transcript.md`), for pasting into a ticket or a post-mortem;
- `json`: the structured report (`transcript.json`, schema `cockpit-transcript/1`);
- `html`: one self-contained page with the estimate chart (`transcript.html`);
- `cast`: an asciicast v2 recording per command run (`output/<run>.cast`, `asciinema play FILE`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cockpit.paths import write_private
from cockpit.session.asciicast import cast_from_side_file
from cockpit.session.journal import JOURNAL_NAME
from cockpit.session.report import build_report
from cockpit.session.report_html import render_html
from cockpit.session.transcript import TRANSCRIPT_NAME, write_transcript

FORMATS = ("md", "json", "html", "cast")
SUFFIX = {".json": "json", ".html": "html", ".htm": "html", ".md": "md"}


def format_for(out: Path | None, explicit: str | None) -> str:
    """The format asked for, else the one the output file's suffix names, else Markdown."""
    if explicit:
        return explicit
    return SUFFIX.get(out.suffix.lower(), "md") if out is not None else "md"


def _journal(path: Path) -> Path:
    path = Path(path)
    return path / JOURNAL_NAME if path.is_dir() else path


def _private_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, text)  # 0600 from creation, never wider for an instant


def export(journal: Path, fmt: str, out: Path | None = None) -> tuple[list[Path], list[str]]:
    """Write the transcript of `journal` in `fmt`; returns (files written, journal warnings)."""
    journal = _journal(journal)
    session_dir = journal.parent
    if fmt == "md":
        path, warnings = write_transcript(journal, out)
        return [path], warnings
    if fmt in ("json", "html"):
        target = Path(out) if out else session_dir / Path(TRANSCRIPT_NAME).with_suffix(f".{fmt}")
        if target.is_dir():
            target = target / Path(TRANSCRIPT_NAME).with_suffix(f".{fmt}")
        report = build_report(journal, target.parent)
        text = (
            json.dumps(report, indent=2, ensure_ascii=False) + "\n"
            if fmt == "json"
            else render_html(report, target.parent)
        )
        _private_write(target, text)
        return [target], list(report["warnings"])
    if fmt == "cast":
        return _casts(journal, out), []
    raise ValueError(f"unknown transcript format {fmt!r} (expected one of: {', '.join(FORMATS)})")


def _casts(journal: Path, out: Path | None) -> list[Path]:
    """One asciicast per command run with output: the one recorded live (real timing), else one
    made from the side file (all output at the run's end: no timing was recorded)."""
    report = build_report(journal, journal.parent)
    target_dir = Path(out) if out else journal.parent / "output"
    written = []
    for run in report["runs"]:
        if not run["output_file"]:
            continue
        side = journal.parent / run["output_file"]
        recorded = side.with_suffix(".cast")
        dest = target_dir / recorded.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if recorded.is_file():
            if recorded.resolve() != dest.resolve():
                shutil.copyfile(recorded, dest)
        else:
            _private_write(
                dest, cast_from_side_file(side, run["command"], run["duration_seconds"], run["started"])
            )
        written.append(dest)
    return written
