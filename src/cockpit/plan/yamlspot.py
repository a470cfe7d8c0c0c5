"""Where in a YAML document a validation error points: msgspec names the bad value by its path
(`Expected int, got str - at $.logs.max_lines`); this walks the composed YAML nodes along that path
so the message can name file:line:column, the way every cockpit error about a file does."""

from __future__ import annotations

import re

import msgspec
from yaml.nodes import MappingNode, Node, SequenceNode

_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[(['\"])(.*?)\3\]")
_AT = re.compile(r"\s+-\s+at\s+`?\$(?P<path>[^`]*)`?\s*$")


# The stubs leave a node's `value` untyped: a mapping's is its (key, value) node pairs, a
# sequence's its item nodes.
def _pairs(node: MappingNode) -> list[tuple[Node, Node]]:
    pairs: list[tuple[Node, Node]] = node.value
    return pairs


def _child(node: Node, key: str | int) -> Node | None:
    if isinstance(node, MappingNode):
        for k, v in _pairs(node):
            if getattr(k, "value", None) == key:
                return v
    elif isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
        items: list[Node] = node.value
        return items[key]
    return None


def _key_node(node: Node, key: str) -> Node | None:
    """The key node itself (for 'unknown field' errors, which point at the key, not a value)."""
    if isinstance(node, MappingNode):
        for k, _v in _pairs(node):
            if getattr(k, "value", None) == key:
                return k
    return None


def locate_error(root: Node, exc: msgspec.ValidationError) -> tuple[Node, str]:
    """(the deepest node the error's path reaches, the message without its `- at $...` tail)."""
    text = str(exc)
    match = _AT.search(text)
    message = text[: match.start()] if match else text
    node = root
    if match:
        for name, index, _q, quoted in _STEP.findall(match.group("path")):
            key: str | int = int(index) if index else (name or quoted)
            nxt = _child(node, key)
            if nxt is None:
                break
            node = nxt
    unknown = re.match(r"Object contains unknown field `(.+)`", message)
    if unknown:
        node = _key_node(node, unknown.group(1)) or node
        message = f"unknown key '{unknown.group(1)}'"
    return node, _plain(message)


def _plain(message: str) -> str:
    """msgspec's wording in the operator's words (backticks dropped, first letter lower-case)."""
    message = message.replace("`", "'").strip()
    message = re.sub(r"^Expected", "expected", message)
    message = re.sub(r"^Object missing required field '(.+)'$", r"expected '\1:'", message)
    message = re.sub(
        r"^expected 'str' matching regex '\^https\?://.*$", "expected an http:// or https:// URL", message
    )
    message = re.sub(
        r"^expected 'int' >= 100$|^expected 'int' <= 599$", "expected an HTTP status code", message
    )
    for kind, words in (("int", "a whole number"), ("float", "a number"), ("bool", "true or false")):
        message = re.sub(rf"^expected '{kind}', got '\w+'$", f"expected {words}", message)
    message = re.sub(r"^expected 'int' >= 1$", "expected a whole number of at least 1", message)
    return message


def plain_message(exc: msgspec.ValidationError) -> str:
    """The error in the operator's words, with the key it is about when it names one."""
    text = str(exc)
    match = _AT.search(text)
    message = _plain(text[: match.start()] if match else text)
    names = [name or quoted for name, _i, _q, quoted in _STEP.findall(match.group("path"))] if match else []
    names = [n for n in names if n]
    if names and not message.startswith("unknown key"):
        message = f"{names[-1]}: {message}"
    return message
