"""Reading a scenario file with line numbers, so every mistake is reported as `file:line: what`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar, cast

import yaml

from cockpit.sandbox.world.names import parse_duration

T = TypeVar("T")


class ScenarioError(ValueError):
    """A scenario file the world cannot build; the message names file:line."""


class LineDict(dict[str, Any]):
    """A mapping from the YAML file that remembers the line it started on."""

    line: int = 0


_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class _Loader(_BASE):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> LineDict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ScenarioError(f"{where}: invalid YAML: {exc.problem}") from None
    if not isinstance(data, LineDict):
        raise ScenarioError(f"{path}:1: a scenario is a mapping (name, nodes, namespaces, workloads, ...)")
    return data


class Fields:
    """Typed access to one mapping of the scenario, failing with file:line."""

    def __init__(self, path: Path, data: Any, what: str, line: int = 0) -> None:
        self.path = path
        self.what = what
        if not isinstance(data, dict):
            raise ScenarioError(f"{path}:{line}: {what} must be a mapping, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        self.line = getattr(data, "line", line)

    def error(self, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}:{self.line}: {self.what}: {message}")

    def has(self, key: str) -> bool:
        return key in self.data

    def req(self, key: str, kind: type[T]) -> T:
        value = self.opt(key, kind, None)
        if value is None:  # absent, or written without a value (`image:`)
            raise self.error(f"missing '{key}'")
        return value

    def opt(self, key: str, kind: type[T], default: T | None) -> T | None:
        value = self.data.get(key, default)
        if value is None:
            return default
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return cast(T, float(value))  # kind is float: mypy does not narrow T from `kind is`
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            return cast(T, str(value))
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"'{key}' must be {kind.__name__}, got {value!r}")
        return value

    def duration(self, key: str, default: float | None = None) -> float:
        value = self.data.get(key)
        if value is None:
            if default is None:
                raise self.error(f"missing '{key}'")
            return default
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise self.error(f"'{key}': {exc}") from None

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.opt(key, str, default) or default
        if value not in choices:
            raise self.error(f"'{key}' must be one of {', '.join(choices)}, got {value!r}")
        return value

    def strings(self, key: str) -> list[str]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"'{key}' must be a list of strings")
        return list(value)

    def str_map(self, key: str) -> dict[str, str]:
        value = self.data.get(key) or {}
        if not isinstance(value, dict):
            raise self.error(f"'{key}' must be a mapping")
        return {str(k): str(v) for k, v in value.items()}

    def items(self, key: str, what: str) -> list[Fields]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise self.error(f"'{key}' must be a list")
        return [Fields(self.path, item, f"{what} #{i + 1}", self.line) for i, item in enumerate(value)]

    def sub(self, key: str) -> Fields:
        return Fields(self.path, self.data.get(key) or LineDict(), f"{self.what}.{key}", self.line)
