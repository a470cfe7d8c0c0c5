"""A small, honest PromQL subset for the sandbox's VictoriaMetrics.

Supported: number literals; instant vector selectors with label matchers (`=`, `!=`, `=~`, `!~`);
comparisons (`==`, `!=`, `>`, `<`, `>=`, `<=`) between a vector and a scalar (a filter that keeps
the matching series, or `bool` for 0/1) or between scalars with `bool`; `count`, `sum`, `min`,
`max`, `avg` with an optional `by (...)`; parentheses. Anything else raises `Unsupported`, so the
answer is an error, never a wrong number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]  # sorted (name, value) pairs, __name__ included
Sample = tuple[Labels, float]
Selector = Callable[[Sequence["Matcher"], float], list[Sample]]
AGGREGATIONS = ("count", "sum", "min", "max", "avg")
COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")
_OTHER_AGGREGATIONS = ("stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group")


class PromQLError(ValueError):
    """The query cannot be parsed (Prometheus' bad_data)."""


class Unsupported(PromQLError):
    """Valid PromQL the sandbox does not evaluate."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not supported by the cockpit sandbox")


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        got = labels.get(self.name, "")
        if self.op == "=":
            return got == self.value
        if self.op == "!=":
            return got != self.value
        found = re.fullmatch(self.value, got) is not None
        return found if self.op == "=~" else not found


# ---- syntax tree -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class VectorSelector:
    matchers: tuple[Matcher, ...]


@dataclass(frozen=True)
class Aggregate:
    op: str
    by: tuple[str, ...] | None
    arg: Node


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node
    bool_: bool


Node = Number | VectorSelector | Aggregate | Compare

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0x[0-9a-fA-F]+|[Nn]a[Nn]|[Ii]nf)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<op>=~|!~|==|!=|>=|<=|[-+*/%^<>=(){}\[\],@])
  )""",
    re.VERBOSE,
)


def _tokens(query: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    text = query.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            where = len(text[:pos]) + len(text[pos:]) - len(text[pos:].lstrip())
            raise PromQLError(f"1:{where + 1}: parse error: unexpected character {text[where]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    return out


def _unquote(raw: str) -> str:
    if raw[0] == "`":
        return raw[1:-1]
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Parser:
    def __init__(self, query: str) -> None:
        self.toks = _tokens(query)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, str, int] | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise PromQLError(f"unexpected end of input{f', expected {value!r}' if value else ''}")
        if value is not None and tok[1] != value:
            raise PromQLError(f"1:{tok[2] + 1}: parse error: unexpected {tok[1]!r}, expected {value!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise PromQLError("empty query")
        node = self.expr()
        tok = self.peek()
        if tok is not None:
            if tok[1] in ("+", "-", "*", "/", "%", "^"):
                raise Unsupported(f"the arithmetic operator {tok[1]!r}")
            if tok[1] in ("and", "or", "unless"):
                raise Unsupported(f"the set operator {tok[1]!r}")
            raise PromQLError(f"1:{tok[2] + 1}: parse error: unexpected {tok[1]!r}")
        return node

    def expr(self) -> Node:
        left = self.operand()
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in COMPARISONS:
            self.take()
            use_bool = False
            nxt = self.peek()
            if nxt is not None and nxt[1] == "bool":
                self.take()
                use_bool = True
            if (nxt := self.peek()) is not None and nxt[1] in ("on", "ignoring", "group_left", "group_right"):
                raise Unsupported(f"vector matching ({nxt[1]})")
            right = self.operand()
            after = self.peek()
            if after is not None and after[0] == "op" and after[1] in COMPARISONS:
                raise Unsupported("a chain of comparisons")
            return Compare(tok[1], left, right, use_bool)
        return left

    def operand(self) -> Node:
        tok = self.take()
        kind, text, pos = tok
        if kind == "number":
            return Number(float(int(text, 16)) if text.lower().startswith("0x") else float(text))
        if text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if text in ("-", "+"):
            raise Unsupported("a unary operator")
        if text == "{":
            return self.selector(None)
        if kind == "ident":
            nxt = self.peek()
            if text in AGGREGATIONS:
                return self.aggregate(text)
            if text in _OTHER_AGGREGATIONS or text in ("without",):
                raise Unsupported(f"the aggregation {text}()")
            if nxt is not None and nxt[1] == "(":
                raise Unsupported(f"the function {text}()")
            return self.selector(text)
        raise PromQLError(f"1:{pos + 1}: parse error: unexpected {text!r}")

    def aggregate(self, op: str) -> Node:
        by = self.grouping()
        self.take("(")
        if (
            (nxt := self.peek()) is not None
            and nxt[0] == "number"
            and ((after := self.peek(1)) is not None and after[1] == ",")
        ):
            raise Unsupported(f"a parameter to {op}()")
        arg = self.expr()
        self.take(")")
        later = self.grouping()
        if by is not None and later is not None:
            raise PromQLError(f"{op}(): a grouping given twice")
        return Aggregate(op, by if by is not None else later, arg)

    def grouping(self) -> tuple[str, ...] | None:
        tok = self.peek()
        if tok is None or tok[1] not in ("by", "without"):
            return None
        if tok[1] == "without":
            raise Unsupported("grouping with without(...)")
        self.take()
        self.take("(")
        names: list[str] = []
        while (tok := self.peek()) is not None and tok[1] != ")":
            kind, text, pos = self.take()
            if kind != "ident":
                raise PromQLError(f"1:{pos + 1}: parse error: unexpected {text!r} in grouping")
            names.append(text)
            if (sep := self.peek()) is not None and sep[1] == ",":
                self.take()
        self.take(")")
        return tuple(names)

    def selector(self, name: str | None) -> Node:
        matchers: list[Matcher] = []
        if name is not None:
            if name in ("bool", "by", "on", "ignoring", "offset", "and", "or", "unless"):
                raise PromQLError(f"parse error: unexpected keyword {name!r}")
            matchers.append(Matcher("__name__", "=", name))
            if (tok := self.peek()) is not None and tok[1] == "{":
                self.take()
                matchers += self.matchers()
        else:
            matchers += self.matchers()
        if not any(
            (m.op == "=" and m.value) or (m.op == "=~" and not re.fullmatch(m.value, "")) for m in matchers
        ):
            raise PromQLError("vector selector must contain at least one non-empty matcher")
        if (tok := self.peek()) is not None and tok[1] == "[":
            raise Unsupported("a range vector selector")
        if (tok := self.peek()) is not None and tok[1] in ("offset", "@"):
            raise Unsupported(f"the {tok[1]!r} modifier")
        return VectorSelector(tuple(matchers))

    def matchers(self) -> list[Matcher]:
        out: list[Matcher] = []
        while True:
            tok = self.peek()
            if tok is not None and tok[1] == "}":
                self.take()
                return out
            kind, label, pos = self.take()
            if kind != "ident":
                raise PromQLError(f"1:{pos + 1}: parse error: unexpected {label!r} in label matching")
            op = self.take()[1]
            if op not in ("=", "!=", "=~", "!~"):
                raise PromQLError(f"1:{pos + 1}: parse error: unexpected {op!r} in label matching")
            kind, raw, pos = self.take()
            if kind != "string":
                raise PromQLError(f"1:{pos + 1}: parse error: expected a string in label matching")
            value = _unquote(raw)
            if op in ("=~", "!~"):
                try:
                    re.compile(value)
                except re.error as exc:
                    raise PromQLError(f"invalid regular expression {value!r}: {exc}") from None
            out.append(Matcher(label, op, value))
            sep = self.peek()
            if sep is not None and sep[1] == ",":
                self.take()


def parse(query: str) -> Node:
    """The syntax tree of `query`; PromQLError (or Unsupported) when it cannot be evaluated."""
    return _Parser(query).parse()


# ---- evaluation ------------------------------------------------------------------------------------


def _compare(op: str, a: float, b: float) -> bool:
    return {
        "==": a == b,
        "!=": a != b,
        ">": a > b,
        "<": a < b,
        ">=": a >= b,
        "<=": a <= b,
    }[op]


def _drop_name(labels: Labels) -> Labels:
    return tuple(p for p in labels if p[0] != "__name__")


def evaluate(node: Node, at: float, select: Selector) -> float | list[Sample]:
    """A scalar, or an instant vector of (labels, value) at time `at`."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, VectorSelector):
        return select(node.matchers, at)
    if isinstance(node, Aggregate):
        arg = evaluate(node.arg, at, select)
        if not isinstance(arg, list):
            raise PromQLError("expected type instant vector in aggregation expression, got scalar")
        return _aggregate(node.op, node.by, arg)
    left, right = evaluate(node.left, at, select), evaluate(node.right, at, select)
    if isinstance(left, list):
        if isinstance(right, list):
            raise Unsupported("a comparison between two vectors")
        vector, scalar, scalar_first = left, right, False
    elif isinstance(right, list):
        vector, scalar, scalar_first = right, left, True
    else:
        if not node.bool_:
            raise PromQLError("comparisons between scalars must use BOOL modifier")
        return 1.0 if _compare(node.op, left, right) else 0.0
    out: list[Sample] = []
    for labels, value in vector:
        a, b = (scalar, value) if scalar_first else (value, scalar)
        hit = _compare(node.op, float(a), float(b))
        if node.bool_:
            out.append((_drop_name(labels), 1.0 if hit else 0.0))
        elif hit:
            out.append((labels, value))
    return out


def _aggregate(op: str, by: tuple[str, ...] | None, samples: list[Sample]) -> list[Sample]:
    groups: dict[Labels, list[float]] = {}
    for labels, value in samples:
        key: Labels = tuple(p for p in labels if p[0] in by) if by else ()
        groups.setdefault(key, []).append(value)
    out: list[Sample] = []
    for key, values in groups.items():
        if op == "count":
            result = float(len(values))
        elif op == "sum":
            result = math.fsum(values)
        elif op == "min":
            result = min(values)
        elif op == "max":
            result = max(values)
        else:
            result = math.fsum(values) / len(values)
        out.append((key, result))
    return sorted(out)


def format_value(value: float) -> str:
    """A sample value as the Prometheus API writes it ("1", "0.5", "NaN", "+Inf")."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
