"""`cockpit transcript JOURNAL [-o FILE.md]`: render a session's transcript from its journal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cockpit.session.journal import JOURNAL_NAME, JournalError
from cockpit.session.transcript import TRANSCRIPT_NAME, write_transcript


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit transcript",
        description="Render the Markdown transcript of a session from its journal (journal.jsonl).",
    )
    parser.add_argument("journal", type=Path, help=f"the session's {JOURNAL_NAME}, or its session folder")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        help=f"Markdown file to write (default: {TRANSCRIPT_NAME} next to the journal)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    journal: Path = args.journal
    if journal.is_dir():
        journal = journal / JOURNAL_NAME
    try:
        out, warnings = write_transcript(journal, args.output)
    except JournalError as exc:
        print(f"cockpit transcript: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        target = exc.filename or args.output
        print(f"cockpit transcript: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"cockpit transcript: warning: {warning}", file=sys.stderr)
    print(f"wrote {out}")
    return 0
