"""`cockpit transcript JOURNAL [-o FILE.md]`: render a session's transcript from its journal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cockpit.session.export import FORMATS, export, format_for
from cockpit.session.journal import JOURNAL_NAME, JournalError
from cockpit.session.transcript import TRANSCRIPT_NAME


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit transcript",
        description="Render a session's transcript from its journal (journal.jsonl): Markdown, JSON "
        "(schema cockpit-transcript/1), a self-contained HTML report, or asciicast recordings of its runs.",
    )
    parser.add_argument("journal", type=Path, help=f"the session's {JOURNAL_NAME}, or its session folder")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        help=f"file to write (default: {TRANSCRIPT_NAME} or .json/.html next to the journal); "
        "with --format cast, the folder for the .cast files (default: the session's output/)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="md, json, html or cast (default: from the -o suffix, else md)",
    )
    return parser


def build_stats_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit plan stats",
        description="What each task of PLAN took in earlier sessions, beside the plan's estimate.",
    )
    parser.add_argument("plan", type=Path, help="plan file (.md or .yaml)")
    return parser


def stats_main(argv: Sequence[str]) -> int:
    """`cockpit plan stats PLAN`: the estimate history of the plan's tasks."""
    from cockpit.paths import data_dir
    from cockpit.plan import PlanError, load_plan
    from cockpit.plan.timebox import format_minutes
    from cockpit.session.history import HISTORY_NAME, History

    args = build_stats_parser().parse_args(list(argv))
    try:
        plan = load_plan(args.plan)
    except PlanError as exc:
        print(f"cockpit plan stats: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cockpit plan stats: {args.plan}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    learned = History(data_dir() / HISTORY_NAME).learned(plan)
    if not learned:
        print(f"no history yet for '{plan.title}': it grows with every session that ends")
        return 0
    print(f"{plan.title}: {len(learned)} of {len(plan.tasks())} tasks have a history")
    for task in plan.tasks():
        usual = learned.get(task.id)
        if usual is None:
            continue
        box = format_minutes(task.timebox) if task.timebox is not None else "no estimate"
        spread = f"{usual.low_seconds / 60:.0f}-{usual.high_seconds / 60:.0f} min"
        print(f"  {task.id:<8} {task.title[:50]:<50} {box:>12}  {usual.text()}  range {spread}")
    return 0


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    journal: Path = args.journal
    if journal.is_dir():
        journal = journal / JOURNAL_NAME
    try:
        written, warnings = export(journal, format_for(args.output, args.format), args.output)
    except JournalError as exc:
        print(f"cockpit transcript: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        target = exc.filename or args.output
        print(f"cockpit transcript: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"cockpit transcript: warning: {warning}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("no command run has output to record")
    return 0
