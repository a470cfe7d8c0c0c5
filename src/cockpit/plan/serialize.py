"""A Plan as JSON (`plan show --json`, the stable schema in README.md) and as YAML (`plan convert`).

JSON node: {"id", "kind", "title", "line", "minutes": [min, max] | null, "minutes_text",
"each", "auto", "children_minutes": [min, max] | null, "commands": [{"cmd", "line",
"description", "background", "watch", "watch_interval", "inline", "notes", "output"}],
"manual_steps",
"success_criteria", "text", "verify", "expect", "children"}.
JSON plan: {"title", "source", "text", "sections", "metrics", "checks", "warnings", "metadata"}.
The YAML written by `to_yaml` loads back (`load_yaml`) into the same plan, lines aside.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from cockpit.plan.commands import make_command
from cockpit.plan.model import Command, Node, Plan, TimeBox
from cockpit.plan.timebox import format_minutes, parse_timebox

SCHEMA_VERSION = 1


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _minutes(box: TimeBox | None) -> list[int | float] | None:
    return None if box is None else [_number(box.min_minutes), _number(box.max_minutes)]


def command_dict(command: Command) -> dict[str, Any]:
    return {
        "cmd": command.cmd,
        "line": command.line,
        "description": command.description,
        "background": command.background,
        "watch": command.watch,
        "watch_interval": _number(command.watch_interval),
        "inline": command.inline,
        "notes": list(command.notes),
        "output": command.output,
    }


def node_dict(node: Node) -> dict[str, Any]:
    summed = node.children_minutes()
    return {
        "id": node.id,
        "kind": node.kind.value,
        "title": node.title,
        "line": node.line,
        "minutes": _minutes(node.timebox),
        "minutes_text": node.timebox.text if node.timebox else None,
        "each": bool(node.timebox and node.timebox.each),
        "auto": bool(node.timebox and node.timebox.auto),
        "children_minutes": None if summed is None else [_number(summed[0]), _number(summed[1])],
        "commands": [command_dict(c) for c in node.commands],
        "manual_steps": list(node.manual_steps),
        "success_criteria": list(node.success_criteria),
        "text": node.text,
        "verify": command_dict(node.verify) if node.verify else None,
        "expect": node.expect,
        "children": [node_dict(c) for c in node.children],
    }


def to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as plain data in the documented schema."""
    return {
        "schema": SCHEMA_VERSION,
        "title": plan.title,
        "source": plan.source,
        "text": plan.text,
        "sections": [node_dict(s) for s in plan.sections],
        "metrics": [
            {"name": m.name, "current": m.current, "target": m.target, "status": m.status, "line": m.line}
            for m in plan.metrics
        ],
        "checks": [
            {
                "url": c.url,
                "name": c.name,
                "expect_status": list(c.expect_status),
                "body_contains": c.body_contains,
                "max_latency_ms": c.max_latency_ms,
                "method": c.method,
                "timeout_ms": c.timeout_ms,
                "follow_redirects": c.follow_redirects,
                "verify": c.verify,
                "login_ok": c.login_ok,
                "line": c.line,
            }
            for c in plan.checks
        ],
        "warnings": list(plan.warnings),
        "metadata": {k: (list(v) if isinstance(v, list) else v) for k, v in plan.metadata.items()},
    }


def to_json(plan: Plan, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(plan), indent=indent, ensure_ascii=False)


# -- YAML ------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, keys in the order written."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def _yaml_minutes(box: TimeBox) -> dict[str, Any]:
    """`minutes:` as the author wrote it when that reads back the same, else canonical text."""
    for text in (box.text, format_minutes(box)):
        again = parse_timebox(text) if text else None
        if again is not None and (again.min_minutes, again.max_minutes) == (box.min_minutes, box.max_minutes):
            out: dict[str, Any] = {"minutes": text}
            if box.each and not again.each:
                out["each"] = True
            if box.auto and not again.auto:
                out["auto"] = True
            if (again.each and not box.each) or (again.auto and not box.auto):
                continue
            return out
    out = {"minutes": [_number(box.min_minutes), _number(box.max_minutes)]}
    if box.each:
        out["each"] = True
    if box.auto:
        out["auto"] = True
    return out


def _yaml_command(command: Command) -> str | dict[str, Any]:
    plain = make_command(command.cmd, command.line)
    if (
        command.description is None
        and not command.background
        and not command.watch
        and not command.inline
        and not command.notes
        and not command.output
        and (plain.cmd, plain.background, plain.watch) == (command.cmd, False, False)
    ):
        return command.cmd
    out: dict[str, Any] = {"cmd": command.cmd}
    if command.description is not None:
        out["description"] = command.description
    if command.background:
        out["background"] = True
    if command.watch:
        out["watch"] = True
        out["interval"] = _number(command.watch_interval)
    if command.inline:
        out["inline"] = True
    if command.notes:
        out["notes"] = list(command.notes)
    if command.output:
        out["output"] = command.output
    return out


def _yaml_node(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"title": node.title, "kind": node.kind.value}
    if node.timebox is not None:
        out.update(_yaml_minutes(node.timebox))
    if node.text:
        out["text"] = node.text
    if node.commands:
        out["commands"] = [_yaml_command(c) for c in node.commands]
    if node.manual_steps:
        out["manual_steps"] = list(node.manual_steps)
    if node.success_criteria:
        out["success_criteria"] = list(node.success_criteria)
    if node.verify is not None:
        out["verify"] = _yaml_command(node.verify)
    if node.expect is not None:
        out["expect"] = node.expect
    if node.children:
        out["children"] = [_yaml_node(c) for c in node.children]
    return out


def to_yaml(plan: Plan) -> str:
    """The plan in the YAML plan format; `load_yaml` reads it back to the same plan."""
    doc: dict[str, Any] = {"title": plan.title}
    if plan.metadata:
        doc["metadata"] = {k: (list(v) if isinstance(v, list) else v) for k, v in plan.metadata.items()}
    if plan.text:
        doc["text"] = plan.text
    if plan.metrics:
        doc["metrics"] = [
            {
                "name": m.name,
                "current": m.current,
                "target": m.target,
                **({"status": m.status} if m.status else {}),
            }
            for m in plan.metrics
        ]
    if plan.checks:
        checks = []
        for c in plan.checks:
            entry: dict[str, Any] = {"url": c.url}
            if c.name:
                entry["name"] = c.name
            if c.expect_status:
                entry["expect_status"] = list(c.expect_status)
            if c.body_contains is not None:
                entry["body_contains"] = c.body_contains
            if c.max_latency_ms is not None:
                entry["max_latency_ms"] = _number(c.max_latency_ms)
            if c.timeout_ms is not None:
                entry["timeout_ms"] = _number(c.timeout_ms)
            if c.method != "GET" and c.body_contains is None:
                entry["method"] = c.method
            for key, default in (("follow_redirects", False), ("verify", True), ("login_ok", False)):
                if getattr(c, key) != default:
                    entry[key] = getattr(c, key)
            checks.append(entry)
        doc["checks"] = checks
    doc["sections"] = [_yaml_node(s) for s in plan.sections]
    header = f"# cockpit plan (converted from {plan.source})\n" if plan.source != "<string>" else ""
    return header + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
