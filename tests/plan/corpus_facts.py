"""Hand-read facts about the fixture corpus (`fixtures/corpus/*.md`), checked against a loaded plan.

Each runbook `NAME.md` has `NAME.facts.yaml`, written by reading the runbook, not the loader's
output: `title`, `metadata`, `nodes` (every node's title in document order), `boxes` (title ->
[min, max] minutes or null for "no box"), `commands` (title -> the exact commands the step
offers, in order, and nothing else), `steps` (title -> its manual steps, exactly),
`not_commands` (text that no command may contain) and
`check` (lines `cockpit plan check` must print, by prefix). Each fact counts once: the test
asserts all of them, `bench/bench_plan.py` prints the share that holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cockpit.plan import Plan, load_plan
from cockpit.plan.model import Node

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str
    what: str
    holds: bool
    found: str = ""

    @property
    def name(self) -> str:
        return f"{self.kind}: {self.what}"


def runbooks() -> list[Path]:
    return sorted(CORPUS.glob("*.md"))


def facts_of(runbook: Path) -> dict[str, Any]:
    return yaml.safe_load(runbook.with_suffix(".facts.yaml").read_text(encoding="utf-8"))


def _node(plan: Plan, title: str) -> Node | None:
    return next((n for n in plan.walk() if n.title == title), None)


def check_facts(runbook: Path, plan: Plan | None = None) -> list[Fact]:
    """Every fact of `runbook`, each marked as holding or not for the loaded plan."""
    from cockpit.plan.lint import check
    from cockpit.runner import classify

    expected = facts_of(runbook)
    plan = plan or load_plan(runbook)
    out: list[Fact] = []
    if "title" in expected:
        out.append(Fact("title", expected["title"], plan.title == expected["title"], plan.title))
    for key, value in (expected.get("metadata") or {}).items():
        got = plan.metadata.get(key)
        out.append(Fact("metadata", f"{key}={value}", got == value, repr(got)))
    titles = [n.title for n in plan.walk()]
    for index, title in enumerate(expected.get("nodes") or []):
        got = titles[index] if index < len(titles) else None
        out.append(Fact("node", f"#{index + 1} {title}", got == title, repr(got)))
    if "nodes" in expected:
        extra = titles[len(expected["nodes"]) :]
        out.append(Fact("node", "no other nodes", not extra, repr(extra)))
    for title, box in (expected.get("boxes") or {}).items():
        node = _node(plan, title)
        box_of = None if node is None else node.timebox
        got = None if box_of is None else [box_of.min_minutes, box_of.max_minutes]
        want = None if box is None else [float(box[0]), float(box[1])]
        out.append(Fact("box", f"{title}: {box}", node is not None and got == want, repr(got)))
    all_commands = [c for n in plan.walk() for c in n.commands]
    for title, commands in (expected.get("commands") or {}).items():
        node = _node(plan, title)
        got = [c.cmd for c in node.commands] if node is not None else []
        for command in commands:
            out.append(Fact("command", f"{title}: {command}", command in got, repr(got)))
        extra = [c for c in got if c not in commands]
        out.append(Fact("command", f"{title}: nothing else", node is not None and not extra, repr(extra)))
    for title, steps in (expected.get("steps") or {}).items():
        node = _node(plan, title)
        got = [s.strip() for s in node.manual_steps] if node is not None else None
        out.append(Fact("steps", f"{title}: {steps}", got == steps, repr(got)))
    for text in expected.get("not_commands") or []:
        found = [c.cmd for c in all_commands if text in c.cmd]
        out.append(Fact("not-command", text, not found, repr(found)))
    if expected.get("check"):
        printed = [f.format(runbook.name) for f in check(plan, classify)]
        for prefix in expected["check"]:
            holds = any(line.startswith(prefix) for line in printed)
            out.append(Fact("check", prefix, holds, repr(printed)))
    return out
