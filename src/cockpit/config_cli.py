"""`cockpit config check|schema|path`: the config file's sub-command.

Apart from `cockpit.config` so that module stays a plain reader every layer may import: the
check looks the keymap's binding ids up in the UI (`cockpit.ui.keymap`), which the cluster layer
must never reach, even through a function-level import (see the import-linter contracts).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from cockpit.config import load_config, schema
from cockpit.paths import config_file


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cockpit config", description="Check or describe the config file.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{check,schema,path}")
    check = sub.add_parser("check", help="validate the config file (and its keymap ids): exit 1 on problems")
    check.add_argument("file", nargs="?", type=Path, help="default: the config file in use")
    sub.add_parser("schema", help="print the config file's JSON Schema (for editors)")
    sub.add_parser("path", help="print where the config file is read from")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    if args.command == "schema":
        print(json.dumps(schema(), indent=2))
        return 0
    if args.command == "path":
        print(config_file())
        return 0
    loaded = load_config(args.file)
    if not loaded.exists:
        print(f"{loaded.path}: no config file (defaults in use)")
        return 0 if args.file is None else 2
    problems = list(loaded.problems)
    if not problems:
        from cockpit.ui.keymap import unknown_binding_ids  # Textual only for this check

        problems += unknown_binding_ids(loaded)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{loaded.path}: ok")
    return 0
