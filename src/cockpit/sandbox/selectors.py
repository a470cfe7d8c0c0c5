"""Label and field selectors, parsed and matched the way the Kubernetes API server does.

Label selectors: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k`
(does not exist), `k>N`, `k<N`, comma-separated (all must hold). Field selectors: `f=v`, `f==v`,
`f!=v`, comma-separated, over the field labels each resource type supports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cockpit.sandbox.resources import ResourceType


class SelectorError(ValueError):
    """A selector the server refuses (400 BadRequest); the message is the server's wording."""


_KEY = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!", "gt", "lt"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "=" or self.op == "in":
            return present and value in self.values
        if self.op == "!=" or self.op == "notin":
            return not present or value not in self.values
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if not present:
            return False
        try:
            number = int(value or "")
        except ValueError:
            return False
        bound = int(self.values[0])
        return number > bound if self.op == "gt" else number < bound


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _check_key(key: str, raw: str) -> str:
    if not key or not _KEY.match(key) or len(key.rpartition("/")[2]) > 63:
        raise SelectorError(f'unable to parse requirement: invalid label key "{key}" in "{raw}"')
    return key


def _check_value(value: str, raw: str) -> str:
    if len(value) > 63 or not _VALUE.match(value):
        raise SelectorError(f'unable to parse requirement: invalid label value: "{value}" in "{raw}"')
    return value


_SET_RE = re.compile(r"^(?P<key>\S+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")
_CMP_RE = re.compile(r"^(?P<key>[^=!<>\s]+)\s*(?P<op>==|=|!=|>|<)\s*(?P<value>.*)$")


def _parse_requirement(part: str) -> Requirement:
    if m := _SET_RE.match(part):
        values = tuple(_check_value(v.strip(), part) for v in m["values"].split(","))
        if values == ("",):
            raise SelectorError(
                f"unable to parse requirement: for 'in', 'notin' operators, values set can't "
                f'be empty: "{part}"'
            )
        return Requirement(_check_key(m["key"], part), m["op"], values)
    if m := _CMP_RE.match(part):
        key, op, value = m["key"], m["op"], m["value"].strip()
        _check_key(key, part)
        if op in (">", "<"):
            if not value.isdigit():
                raise SelectorError(
                    f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be "
                    f'an integer: "{part}"'
                )
            return Requirement(key, "gt" if op == ">" else "lt", (value,))
        return Requirement(key, "!=" if op == "!=" else "=", (_check_value(value, part),))
    if part.startswith("!"):
        return Requirement(_check_key(part[1:].strip(), part), "!")
    return Requirement(_check_key(part, part), "exists")


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()
    text: str = ""

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements


def parse_label_selector(text: str | None) -> LabelSelector:
    text = (text or "").strip()
    if not text:
        return LabelSelector()
    return LabelSelector(tuple(_parse_requirement(p) for p in _split_top_level(text) if p), text)


# Field labels whose value lives somewhere else than their dotted path says.
_FIELD_PATHS: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
    ("jobs", "status.successful"): lambda o: (o.get("status") or {}).get("succeeded", 0),
    ("events", "source"): lambda o: (o.get("source") or {}).get("component", ""),
    ("pods", "status.podIPs"): lambda o: ",".join(
        ip.get("ip", "") for ip in (o.get("status") or {}).get("podIPs") or []
    ),
}


def _field_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_value(rt: ResourceType, obj: dict[str, Any], label: str) -> str:
    special = _FIELD_PATHS.get((rt.plural, label))
    if special is not None:
        return _field_text(special(obj))
    node: Any = obj
    for part in label.split("."):
        if not isinstance(node, dict):
            return ""
        node = node.get(part)
    if label == "spec.unschedulable" or label == "spec.hostNetwork":
        node = bool(node)
    return _field_text(node)


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[tuple[str, bool, str], ...] = ()  # (label, equal?, value)
    text: str = ""

    def matches(self, rt: ResourceType, obj: dict[str, Any]) -> bool:
        return all((field_value(rt, obj, label) == value) == equal for label, equal, value in self.terms)

    @property
    def empty(self) -> bool:
        return not self.terms

    def value_of(self, label: str) -> str | None:
        """The value required by an `label=value` term, e.g. metadata.name for a get-by-name watch."""
        for term_label, equal, value in self.terms:
            if term_label == label and equal:
                return value
        return None


def parse_field_selector(text: str | None, rt: ResourceType) -> FieldSelector:
    text = (text or "").strip()
    if not text:
        return FieldSelector()
    terms: list[tuple[str, bool, str]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        m = re.match(r"^([^=!]+)(==|=|!=)(.*)$", part)
        if not m:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
        label, op, value = m[1].strip(), m[2], m[3].strip()
        if not rt.supports_field(label):
            raise SelectorError(f"field label not supported: {label}")
        terms.append((label, op != "!=", value))
    return FieldSelector(tuple(terms), text)
