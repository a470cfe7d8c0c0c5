"""Load an authored YAML plan (`plans/*.yaml`) into the same Plan model as Markdown.

The document is composed into YAML nodes (which keep their line and column) and read by hand, so
every mistake is reported as "plan.yaml:12:5: expected ..." naming the key or value at fault.
The format is described in README.md ("## Plans").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import msgspec
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.nodes import Node as YamlNode

from cockpit.plan.budget import MAX_YAML_CHARS, yaml_over_budget
from cockpit.plan.checks import parse_check
from cockpit.plan.commands import make_command
from cockpit.plan.errors import PlanError
from cockpit.plan.markdown import assign_ids
from cockpit.plan.model import Command, Metric, Node, NodeKind, Plan, TimeBox, UrlCheck
from cockpit.plan.timebox import parse_timebox
from cockpit.plan.yamlspot import locate_error

MAX_DEPTH = 64
MAX_NODES = 100_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PLAN_KEYS = {
    "title",
    "text",
    "briefing",
    "metrics",
    "checks",
    "sections",
    "phases",
    "tasks",
    "version",
    "metadata",
}
NODE_KEYS = {
    "title",
    "kind",
    "minutes",
    "each",
    "auto",
    "text",
    "briefing",
    "commands",
    "manual_steps",
    "steps",
    "success_criteria",
    "criteria",
    "verify",
    "expect",
    "children",
    "sections",
    "phases",
    "tasks",
}
COMMAND_KEYS = {"cmd", "description", "background", "watch", "interval", "inline", "notes", "output"}
METRIC_KEYS = {"name", "current", "target", "status"}
_CHILD_KINDS = {
    "sections": NodeKind.SECTION,
    "phases": NodeKind.PHASE,
    "tasks": NodeKind.TASK,
    "children": None,
}
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.visited = 0

    def error(self, node: YamlNode | None, message: str) -> PlanError:
        if node is None:
            return PlanError(self.path, None, None, message)
        return PlanError(self.path, node.start_mark.line + 1, node.start_mark.column + 1, message)

    def count(self, node: YamlNode) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self.error(node, f"the plan expands to more than {MAX_NODES} values (anchors and aliases?)")

    def mapping(self, node: YamlNode, what: str, allowed: set[str]) -> dict[str, tuple[YamlNode, YamlNode]]:
        self.count(node)
        if not isinstance(node, MappingNode):
            raise self.error(node, f"expected {what} (a mapping of keys), got {_describe(node)}")
        out: dict[str, tuple[YamlNode, YamlNode]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise self.error(key, f"expected a key name in {what}, got {_describe(key)}")
            name = str(key.value)
            if name == "<<":
                raise self.error(key, "merge keys (<<) are not supported in plans")
            if name not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.error(key, f"unknown key '{name}' in {what} (expected one of: {expected})")
            if name in out:
                raise self.error(key, f"key '{name}' appears twice in {what}")
            out[name] = (key, value)
        return out

    def sequence(self, node: YamlNode, what: str) -> list[YamlNode]:
        self.count(node)
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return []
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"expected a list of {what}, got {_describe(node)}")
        return list(node.value)

    def text(self, node: YamlNode, what: str, *, allow_numbers: bool = False) -> str:
        self.count(node)
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return str(node.value)
        if allow_numbers and isinstance(node, ScalarNode) and node.tag in {_INT, _FLOAT, _BOOL}:
            return str(node.value)
        raise self.error(node, f"expected {what} as text, got {_describe(node)}")

    def number(self, node: YamlNode, what: str) -> float:
        self.count(node)
        if isinstance(node, ScalarNode) and node.tag in {_INT, _FLOAT}:
            try:
                value = float(str(node.value).replace("_", ""))
            except ValueError:
                pass
            else:
                if math.isfinite(value):
                    return value
                raise self.error(node, f"{what} {node.value} is too large")
        raise self.error(node, f"expected {what} as a number, got {_describe(node)}")

    def flag(self, node: YamlNode, what: str) -> bool:
        self.count(node)
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return str(node.value).lower() in {"true", "yes", "on", "y"}
        raise self.error(node, f"expected {what} as true or false, got {_describe(node)}")

    def texts(self, node: YamlNode, what: str) -> list[str]:
        return [self.text(item, what, allow_numbers=True) for item in self.sequence(node, what)]

    # -- plan parts ------------------------------------------------------------------------
    def timebox(self, node: YamlNode, each: bool, auto: bool) -> TimeBox:
        self.count(node)
        if isinstance(node, ScalarNode) and node.tag in {_INT, _FLOAT}:
            value = self.number(node, "minutes")
            return TimeBox(value, value, text=f"{value:g} min", each=each, auto=auto)
        if isinstance(node, SequenceNode):
            values = [self.number(v, "minutes") for v in node.value]
            if len(values) != 2:
                raise self.error(node, f"expected minutes as [min, max], got a list of {len(values)}")
            return TimeBox(
                values[0], values[1], text=f"{values[0]:g}-{values[1]:g} min", each=each, auto=auto
            )
        raw = self.text(node, "minutes")
        box = parse_timebox(raw) or parse_timebox(f"{raw} min")  # minutes is the default unit
        if box is None:
            raise self.error(node, f"expected a time box such as 10, [30, 45] or '30-45 min', got '{raw}'")
        return TimeBox(box.min_minutes, box.max_minutes, box.text, box.each or each, box.auto or auto)

    def command(self, node: YamlNode) -> Command:
        line = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            return make_command(self.text(node, "a command"), line)
        keys = self.mapping(node, "a command", COMMAND_KEYS)
        if "cmd" not in keys:
            raise self.error(node, "expected 'cmd:' in a command")
        cmd = self.text(keys["cmd"][1], "cmd").strip()
        if not cmd:
            raise self.error(keys["cmd"][1], "expected a non-empty command")
        command = Command(cmd=cmd, line=line)
        if "description" in keys:
            command.description = self.text(keys["description"][1], "description")
        if "background" in keys:
            command.background = self.flag(keys["background"][1], "background")
        if "watch" in keys:
            command.watch = self.flag(keys["watch"][1], "watch")
        if "interval" in keys:
            command.watch_interval = self.number(keys["interval"][1], "interval")
        if "inline" in keys:
            command.inline = self.flag(keys["inline"][1], "inline")
        if "notes" in keys:
            command.notes = self.texts(keys["notes"][1], "command notes")
        if "output" in keys:
            command.output = self.text(keys["output"][1], "output").rstrip("\n")
        return command

    def node(self, yaml_node: YamlNode, default_kind: NodeKind | None, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.error(yaml_node, f"sections nested deeper than {MAX_DEPTH} levels")
        keys = self.mapping(yaml_node, "a plan item", NODE_KEYS)
        if "title" not in keys:
            raise self.error(yaml_node, "expected 'title:' in a plan item")
        title = self.text(keys["title"][1], "title", allow_numbers=True).strip()
        node = Node("", NodeKind.TASK, title, yaml_node.start_mark.line + 1)
        each = self.flag(keys["each"][1], "each") if "each" in keys else False
        auto = self.flag(keys["auto"][1], "auto") if "auto" in keys else False
        if "minutes" in keys:
            node.timebox = self.timebox(keys["minutes"][1], each, auto)
        for name in ("text", "briefing"):
            if name in keys:
                node.text = self.text(keys[name][1], name).strip("\n")
        if "commands" in keys:
            node.commands = [self.command(c) for c in self.sequence(keys["commands"][1], "commands")]
        for name in ("manual_steps", "steps"):
            if name in keys:
                node.manual_steps.extend(self.texts(keys[name][1], "manual steps"))
        for name in ("success_criteria", "criteria"):
            if name in keys:
                node.success_criteria.extend(self.texts(keys[name][1], "success criteria"))
        if "verify" in keys:
            node.verify = self.command(keys["verify"][1])
        if "expect" in keys:
            node.expect = self.text(keys["expect"][1], "expect", allow_numbers=True)
        child_keys = [name for name in _CHILD_KINDS if name in keys]
        if len(child_keys) > 1:
            raise self.error(keys[child_keys[1]][0], f"use one of {', '.join(child_keys)}, not both")
        for name in child_keys:
            items = self.sequence(keys[name][1], name)
            node.children = [self.node(item, _CHILD_KINDS[name], depth + 1) for item in items]
        node.kind = self.kind(keys, node, default_kind)
        return node

    def kind(
        self, keys: dict[str, tuple[YamlNode, YamlNode]], node: Node, default: NodeKind | None
    ) -> NodeKind:
        if "kind" in keys:
            raw = self.text(keys["kind"][1], "kind").strip().lower()
            try:
                return NodeKind(raw)
            except ValueError:
                names = ", ".join(k.value for k in NodeKind)
                raise self.error(
                    keys["kind"][1], f"expected kind to be one of {names}, got '{raw}'"
                ) from None
        if default is not None and default is not NodeKind.SECTION:
            return default
        if node.children:
            return NodeKind.PHASE if node.timebox is not None else NodeKind.SECTION
        if node.timebox or node.commands or node.manual_steps or node.verify:
            return NodeKind.TASK
        return NodeKind.SECTION

    def metric(self, node: YamlNode) -> Metric:
        keys = self.mapping(node, "a metric", METRIC_KEYS)
        for required in ("name", "current", "target"):
            if required not in keys:
                raise self.error(node, f"expected '{required}:' in a metric")

        def get(name: str) -> str:
            return self.text(keys[name][1], name, allow_numbers=True) if name in keys else ""

        return Metric(get("name"), get("current"), get("target"), node.start_mark.line + 1, get("status"))

    def check(self, node: YamlNode) -> UrlCheck:
        """One `checks:` entry, validated by the schema the config file shares (plan.checks)."""
        try:
            return parse_check(self.python(node), node.start_mark.line + 1)
        except msgspec.ValidationError as exc:
            where, message = locate_error(node, exc)
            raise self.error(where, message) from None

    def python(self, node: YamlNode) -> Any:
        """The plain Python value of a node (scalars as YAML's safe loader reads them)."""
        return yaml.SafeLoader("").construct_object(node, deep=True)

    def plan(self, root: YamlNode) -> Plan:
        keys = self.mapping(root, "the plan", PLAN_KEYS)
        if "title" not in keys:
            raise self.error(root, "expected 'title:' at the top of the plan")
        plan = Plan(title=self.text(keys["title"][1], "title", allow_numbers=True).strip(), source=self.path)
        for name in ("text", "briefing"):
            if name in keys:
                plan.text = self.text(keys[name][1], name).strip("\n")
        child_keys = [name for name in ("sections", "phases", "tasks") if name in keys]
        if not child_keys:
            raise self.error(root, "expected 'sections:', 'phases:' or 'tasks:' in the plan")
        if len(child_keys) > 1:
            raise self.error(keys[child_keys[1]][0], f"use one of {', '.join(child_keys)}, not both")
        name = child_keys[0]
        items = self.sequence(keys[name][1], name)
        plan.sections = [self.node(item, _CHILD_KINDS[name], 1) for item in items]
        read: dict[str, Callable[[YamlNode], Any]] = {"metrics": self.metric, "checks": self.check}
        if "metrics" in keys:
            plan.metrics = [read["metrics"](m) for m in self.sequence(keys["metrics"][1], "metrics")]
        if "checks" in keys:
            plan.checks = [read["checks"](c) for c in self.sequence(keys["checks"][1], "checks")]
        if "metadata" in keys:
            plan.metadata = self.metadata(keys["metadata"][1])
        assign_ids(plan.sections)
        return plan

    def metadata(self, node: YamlNode) -> dict[str, str | list[str]]:
        """`metadata:` (owner, severity, tags...): each value text or a list of texts."""
        self.count(node)
        if not isinstance(node, MappingNode):
            raise self.error(node, f"expected metadata as a mapping of keys, got {_describe(node)}")
        out: dict[str, str | list[str]] = {}
        for key, value in node.value:
            name = self.text(key, "a metadata key", allow_numbers=True)
            if isinstance(value, SequenceNode):
                out[name] = self.texts(value, f"metadata '{name}'")
            else:
                out[name] = self.text(value, f"metadata '{name}'", allow_numbers=True)
        return out


def _describe(node: YamlNode) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    value = str(node.value)
    shown = value if len(value) <= 40 else value[:37] + "..."
    kind = {_INT: "number", _FLOAT: "number", _BOOL: "true/false"}.get(node.tag, "text")
    return f"{kind} '{shown}'"


def _check_budgets(text: str, path: str) -> None:
    """Refuse a plan too big, nested too deeply (PyYAML's composer recurses per level) or
    expanding to too many values, before composing it."""
    if len(text) > MAX_YAML_CHARS:
        raise PlanError(path, None, None, f"a YAML plan over {MAX_YAML_CHARS // 1000} KB is not read")
    try:
        over = yaml_over_budget(text, _Loader, MAX_NODES, MAX_DEPTH * 3)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, path) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    except yaml.YAMLError as exc:
        raise PlanError(path, None, None, f"not valid YAML: {exc}") from None
    if over is not None:
        reason, mark = over
        message = "YAML nested too deeply" if "nested" in reason else f"the plan {reason}"
        raise PlanError(path, mark.line + 1, mark.column + 1, message)


def _reader_error(exc: yaml.reader.ReaderError, text: str, path: str) -> PlanError:
    """A character YAML refuses (control characters, a BOM in the middle), located."""
    position = max(0, min(int(exc.position), len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return PlanError(path, line, column, f"YAML does not allow the character {char!r} ({exc.reason})")


def _yaml_error(exc: yaml.MarkedYAMLError, path: str) -> PlanError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "not valid YAML"
    if exc.context:
        problem = f"{exc.context}: {problem}"
    if mark is None:
        return PlanError(path, None, None, problem)
    return PlanError(path, mark.line + 1, mark.column + 1, problem)


def load_yaml(text: str, path: str = "<string>") -> Plan:
    """Load a YAML plan; any mistake raises PlanError naming file:line:column."""
    if not text.strip():
        raise PlanError(path, None, None, "the plan is empty")
    _check_budgets(text, path)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, path) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    except yaml.YAMLError as exc:
        raise PlanError(path, None, None, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise PlanError(path, None, None, "YAML nested too deeply") from None
    if root is None:
        raise PlanError(path, None, None, "the plan is empty")
    return _Reader(path).plan(root)
