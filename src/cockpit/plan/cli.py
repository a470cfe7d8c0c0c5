"""`cockpit plan show|check|convert`: look at a plan without opening the cockpit.

    cockpit plan show PLAN [--json]       the plan as a tree (or the JSON schema in README.md)
    cockpit plan check PLAN               lint; exit 1 when there are errors
    cockpit plan convert PLAN -o OUT.yaml  write the plan in the YAML plan format

A plan that cannot be loaded prints one line ("plan.md:12:3: ...") and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from cockpit.plan import PlanError, load_plan
from cockpit.plan.model import Node, NodeKind, Plan
from cockpit.plan.timebox import format_minutes

if TYPE_CHECKING:
    from cockpit.plan.lint import Classifier

_KIND_STYLE = {
    NodeKind.SECTION: "bold",
    NodeKind.PHASE: "bold cyan",
    NodeKind.TASK: "",
    NodeKind.STEP: "dim",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cockpit plan", description="Show, check or convert a plan.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{show,check,convert,stats}")
    show = sub.add_parser("show", help="print the plan as a tree (time boxes, commands, criteria, metrics)")
    show.add_argument("plan", type=Path)
    show.add_argument("--json", action="store_true", help="print the plan as JSON (schema in README.md)")
    show.add_argument("--brief", action="store_true", help="phases and tasks only, no commands or steps")
    check = sub.add_parser("check", help="lint the plan: exit 1 on errors, print warnings")
    check.add_argument("plan", type=Path)
    convert = sub.add_parser("convert", help="write the plan in the YAML plan format")
    convert.add_argument("plan", type=Path)
    convert.add_argument("-o", "--output", type=Path, required=True, help="the YAML file to write")
    # `plan stats` is answered by cockpit.session.cli (the history is session data); listed here
    # so that help and shell completion show it
    stats = sub.add_parser("stats", help="what each task took in earlier sessions (estimate history)")
    stats.add_argument("plan", type=Path)
    return parser


def _box(node: Node) -> Text:
    out = Text()
    if node.timebox is not None:
        out.append(f"  [{format_minutes(node.timebox)}]", style="yellow")
    summed = node.children_minutes()
    if summed is not None and node.children and any(c.kind is not NodeKind.STEP for c in node.children):
        low, high = summed
        figure = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        if node.timebox is None or (low, high) != (node.timebox.min_minutes, node.timebox.max_minutes):
            out.append(f"  (parts: {figure} min)", style="dim yellow")
    return out


def _add_node(parent: Tree, node: Node, brief: bool) -> None:
    label = Text()
    label.append(f"{node.id} ", style="dim")
    label.append(node.title, style=_KIND_STYLE[node.kind])
    if node.kind is not NodeKind.TASK:
        label.append(f"  {node.kind.value}", style="dim italic")
    label.append_text(_box(node))
    branch = parent.add(label)
    if not brief:
        for command in node.commands:
            line = Text("$ ", style="green")
            prefix = f"watch -n {command.watch_interval:g} " if command.watch else ""
            line.append(prefix + command.cmd.replace("\n", " ⏎ "), style="green")
            if command.background:
                line.append("  &", style="bold green")
            if command.description:
                line.append(f"  # {command.description}", style="dim")
            shown = branch.add(line)
            printed = command.output.splitlines()
            for example in printed[:3]:
                shown.add(Text(example.rstrip(), style="dim"))
            if len(printed) > 3:
                shown.add(Text(f"… {len(printed) - 3} more lines of example output", style="dim italic"))
        for step in node.manual_steps:
            branch.add(
                Text("☐ " + step.strip(), style="")
                if not step.startswith(" ")
                else Text("  · " + step.strip())
            )
        for criterion in node.success_criteria:
            branch.add(Text("✓ " + criterion, style="magenta"))
        if node.verify is not None:
            verify = Text("verify: ", style="magenta")
            verify.append(node.verify.cmd, style="green")
            if node.expect:
                verify.append(f"  expect {node.expect!r}", style="dim")
            branch.add(verify)
        if node.kind is NodeKind.SECTION and not node.children and node.text:
            first = node.text.strip().splitlines()[0]
            branch.add(Text(f"briefing: {first[:80]}", style="dim"))
    for child in node.children:
        _add_node(branch, child, brief)


def show(plan: Plan, console: Console, brief: bool = False) -> None:
    tasks = plan.tasks()
    low = sum(t.timebox.min_minutes for t in tasks if t.timebox)
    high = sum(t.timebox.max_minutes for t in tasks if t.timebox)
    root = Tree(Text(plan.title, style="bold underline"))
    for section in plan.sections:
        _add_node(root, section, brief)
    console.print(root)
    console.print(
        Text(f"{len(tasks)} tasks, {low:g}-{high:g} min in task time boxes  ({plan.source})", style="dim")
    )
    if plan.metrics:
        table = Table(title="Success metrics", title_justify="left")
        for column in ("Metric", "Current", "Target", "Status"):
            table.add_column(column)
        for metric in plan.metrics:
            table.add_row(
                escape(metric.name), escape(metric.current), escape(metric.target), escape(metric.status)
            )
        console.print(table)
    if plan.checks:
        for check in plan.checks:
            statuses = "/".join(str(s) for s in check.expect_status) or "any 2xx/3xx"
            console.print(Text(f"check {check.url} → {statuses}", style="cyan"))
    for warning in plan.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))


def main(argv: Sequence[str], classify: Classifier | None = None) -> int:
    """`classify` (the runner's classifier, handed in by `cockpit.cli`: plan sits below runner)
    is what `check` uses to tell commands that change the cluster."""
    args = build_parser().parse_args(list(argv))
    out = Console(highlight=False)
    try:
        plan = load_plan(args.plan)
    except PlanError as exc:
        sys.stderr.write(f"cockpit plan: {exc}\n")
        return 2
    if args.command == "show":
        if args.json:
            from cockpit.plan.serialize import to_json

            sys.stdout.write(to_json(plan) + "\n")
            return 0
        show(plan, out, brief=args.brief)
        return 0
    if args.command == "check":
        from cockpit.plan.lint import check

        if classify is None:
            sys.stderr.write("cockpit plan check: no command classifier was given\n")
            return 2
        findings = check(plan, classify)
        for finding in findings:
            style = "red" if finding.severity == "error" else "yellow"
            out.print(Text(finding.format(plan.source), style=style), soft_wrap=True)
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = len(findings) - errors
        out.print(Text(f"{len(plan.tasks())} tasks: {errors} errors, {warnings} warnings", style="bold"))
        return 1 if errors else 0
    from cockpit.plan.serialize import to_yaml

    try:
        args.output.write_text(to_yaml(plan), encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(f"cockpit plan: {args.output}: cannot write: {exc.strerror or exc}\n")
        return 2
    out.print(f"wrote {args.output} ({len(plan.tasks())} tasks)")
    return 0
