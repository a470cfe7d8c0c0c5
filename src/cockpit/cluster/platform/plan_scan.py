"""Read what a plan says about platform health: URLs to check, PromQL queries, LogQL selectors.

General rules, not a list of the seed's strings:
- a command whose first word is `curl` with an http(s) URL becomes a service check (`-I` HEAD,
  `-L` follow redirects, `-k` no TLS verification, `-m N` timeout); the expected status codes come
  from the task's success criteria when they say so ("return 200/302", "returns HTTP 200"), else
  any 2xx/3xx. Commands run inside a pod (`kubectl exec ... -- curl`) are not checks from here.
- PromQL is recognised in inline code, commands and `Query:` lines: a selector with label matchers
  (`up{job="x"}`), an aggregation or function call (`count(up == 1)`), a comparison (`up == 1`),
  or a bare metric name right after the word "Query".
- LogQL stream selectors (`{namespace="data-platform"}`) are kept apart for the Loki check.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cockpit.cluster.platform.spec import ServiceCheck, check_from_entry, service_check, short_url
from cockpit.plan.model import Node, Plan, UrlCheck

_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_QUERY_LINE = re.compile(r"\bQuery:\s*(?P<q>[^`\n][^\n]*?)\s*$", re.MULTILINE)
_QUERY_WORD_BEFORE = re.compile(r"\bQuery:?\s*$", re.IGNORECASE)
_STATUS_CRITERIA = re.compile(
    r"\b(?:returns?|respond(?:s|ing)?(?:\s+with)?|answers?)\s+(?:HTTP\s+)?(\d{3}(?:\s*(?:/|,|or)\s*\d{3})*)\b",
    re.IGNORECASE,
)
_MATCHER = r'[A-Za-z_]\w*\s*(?:=~|!~|!=|=)\s*"[^"]*"'
_SELECTOR = re.compile(r"[A-Za-z_:][\w:]*\s*\{\s*" + _MATCHER + r"(?:\s*,\s*" + _MATCHER + r")*\s*,?\s*\}")
_LOGQL = re.compile(r"^\{\s*" + _MATCHER + r"(?:\s*,\s*" + _MATCHER + r")*\s*\}(?:\s*\|.*)?$")
_FUNCS = (
    "count|sum|avg|min|max|rate|irate|increase|topk|bottomk|histogram_quantile|absent|quantile|stddev|"
    "group|count_over_time|avg_over_time|max_over_time|min_over_time|sum_over_time|delta|deriv|"
    "predict_linear|label_replace|sort|sort_desc|clamp_min|clamp_max|abs|round|ceil|floor|time"
)
_FUNC_CALL = re.compile(rf"^(?:{_FUNCS})\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(")
_COMPARISON = re.compile(r"^[A-Za-z_:][\w:]*(?:\{[^}]*\})?\s*(?:==|!=|>=|<=|>|<)\s*-?[\d.]+$")
_BARE_METRIC = re.compile(r"^[a-z_:][a-z0-9_:]*$")
_SHELLISH = re.compile(r"\$\(|\s--?[a-zA-Z]|^\s*(?:kubectl|curl|helm|velero|watch|ctr|git|docker)\b|[;&|]{2}")


def _balanced(text: str) -> bool:
    depth = {"(": 0, "{": 0, "[": 0}
    pairs = {")": "(", "}": "{", "]": "["}
    in_str = False
    for ch in text:
        if ch == '"':
            in_str = not in_str
        elif in_str:
            continue
        elif ch in depth:
            depth[ch] += 1
        elif ch in pairs:
            depth[pairs[ch]] -= 1
            if depth[pairs[ch]] < 0:
                return False
    return not in_str and all(v == 0 for v in depth.values())


def looks_like_promql(text: str, after_query_word: bool = False) -> bool:
    """True when `text` reads as a PromQL expression (see the module rules)."""
    q = text.strip()
    if not q or q.startswith("{") or len(q) > 400 or not _balanced(q) or _SHELLISH.search(q):
        return False
    head = re.split(r"[{(]", q, maxsplit=1)[0].strip()
    if " " in head and not _FUNC_CALL.match(q) and not _COMPARISON.match(q):
        return False  # prose around it ("Query: up{...}"): the Query-line rule extracts the expression
    if _SELECTOR.search(q) or _FUNC_CALL.match(q) or _COMPARISON.match(q):
        return True
    return after_query_word and bool(_BARE_METRIC.match(q))


def looks_like_logql(text: str) -> bool:
    return bool(_LOGQL.match(text.strip()))


def _pieces(node: Node) -> Iterator[str]:
    yield node.title
    if node.text:
        yield node.text
    yield from node.manual_steps
    yield from node.success_criteria
    for cmd in node.commands:
        if cmd.description:
            yield cmd.description
        yield cmd.cmd
        yield from cmd.notes


def _candidates(text: str) -> Iterator[tuple[str, bool]]:
    """(candidate, came right after the word Query) from one piece of plan text."""
    for m in _INLINE_CODE.finditer(text):
        yield m.group(1), bool(_QUERY_WORD_BEFORE.search(text[: m.start()]))
    for m in _QUERY_LINE.finditer(text):
        yield m.group("q").strip().strip("`"), True
    if "`" not in text and "\n" not in text.strip():
        yield text.strip(), False


def _texts(plan: Plan) -> Iterator[str]:
    if getattr(plan, "text", ""):
        yield plan.text
    for node in plan.walk():
        yield from _pieces(node)


def _unique(items: Iterator[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(" ".join(item.split()), None)
    return list(seen)


def promql_in_text(text: str) -> list[str]:
    return _unique(c for c, after in _candidates(text) if looks_like_promql(c, after))


def logql_in_text(text: str) -> list[str]:
    return _unique(c.strip() for c, _ in _candidates(text) if looks_like_logql(c))


def promql_queries(plan: Plan) -> list[str]:
    """Every PromQL query the plan mentions, in plan order, without repeats."""
    return _unique(q for t in _texts(plan) for q in promql_in_text(t))


def logql_selectors(plan: Plan) -> list[str]:
    """Every LogQL stream selector the plan mentions, in plan order."""
    return _unique(q for t in _texts(plan) for q in logql_in_text(t))


def statuses_in_criteria(criteria: list[str]) -> frozenset[int]:
    """Status codes a success criterion asks for: "All critical URLs return 200/302" -> {200, 302}."""
    codes: set[int] = set()
    for text in criteria:
        for m in _STATUS_CRITERIA.finditer(text):
            codes.update(int(c) for c in re.findall(r"\d{3}", m.group(1)))
    return frozenset(c for c in codes if 100 <= c <= 599)


def check_from_curl(cmd: str, origin: str, expect: frozenset[int] = frozenset()) -> ServiceCheck | None:
    """A service check from a `curl ... URL` command line, or None when it is not one."""
    try:
        words = shlex.split(cmd, comments=True)
    except ValueError:
        return None
    if not words or words[0] != "curl":
        return None
    method, follow, verify, timeout = "GET", False, True, None
    url: str | None = None
    i = 1
    while i < len(words):
        w = words[i]
        if w in ("-I", "--head"):
            method = "HEAD"
        elif w in ("-L", "--location"):
            follow = True
        elif w in ("-k", "--insecure"):
            verify = False
        elif w in ("-m", "--max-time") and i + 1 < len(words):
            i += 1
            timeout = words[i]
        elif w in ("-X", "--request") and i + 1 < len(words):
            i += 1
            if words[i].upper() not in ("GET", "HEAD"):
                return None
            method = words[i].upper()
        elif w in ("-d", "--data", "--data-raw", "-F", "--form", "-T", "--upload-file"):
            return None  # sends data: not a health check
        elif w in ("-H", "--header", "-u", "--user", "-o", "--output", "-w", "--write-out", "-A"):
            i += 1
        elif w.startswith("-") and not w.startswith("--") and len(w) > 2:
            flags = w[1:]
            method = "HEAD" if "I" in flags else method
            follow = follow or "L" in flags
            verify = False if "k" in flags else verify
        elif w.startswith(("http://", "https://")) and url is None:
            url = w
        i += 1
    if url is None:
        return None
    entry: dict[str, Any] = {"url": url, "method": method, "follow_redirects": follow, "verify": verify}
    if timeout is not None:
        entry["timeout"] = timeout
    if expect:
        entry["expect"] = sorted(expect)
    try:
        check = check_from_entry(entry, origin)
    except ValueError:
        return None
    return check if check.name else _named(check)


def _named(check: ServiceCheck) -> ServiceCheck:
    from dataclasses import replace

    return replace(check, name=short_url(check.url))


def _curl_spans(text: str) -> Iterator[str]:
    for m in _INLINE_CODE.finditer(text):
        if m.group(1).lstrip().startswith("curl "):
            yield m.group(1)


def checks_from_markdown_plan(plan: Plan) -> list[ServiceCheck]:
    """Service checks from the plan's `curl` commands (and `curl` inline code in its prose)."""
    name = Path(plan.source).name
    parents: dict[str, Node] = {}
    for node in plan.walk():
        for child in node.children:
            parents[child.id] = node
    checks: dict[str, ServiceCheck] = {}
    for node in plan.walk():
        criteria: list[str] = list(node.success_criteria)
        up = parents.get(node.id)
        while up is not None and not criteria:
            criteria = list(up.success_criteria)
            up = parents.get(up.id)
        expect = statuses_in_criteria(criteria)
        found: list[tuple[str, int]] = [(c.cmd, c.line) for c in node.commands]
        for piece in [node.text, *node.manual_steps]:
            found.extend((span, node.line) for span in _curl_spans(piece))
        for cmd, line in found:
            check = check_from_curl(cmd, f"{name}:{line}", expect)
            if check is not None and check.key not in checks:
                checks[check.key] = check
    return list(checks.values())


def check_from_plan_entry(entry: Any, where: str) -> ServiceCheck:
    """A YAML plan's check: the loader's `UrlCheck`, or a raw mapping/URL string."""
    if isinstance(entry, ServiceCheck):
        return entry
    if isinstance(entry, UrlCheck):
        return service_check(entry, f"{where.split(':')[0]}:{entry.line}" if entry.line else where)
    return check_from_entry(entry, where)


def checks_from_plan(plan: Plan) -> list[ServiceCheck]:
    """The plan's checks: its YAML `checks:` (as loaded into `plan.checks`) plus recognised `curl` commands.

    A wrong entry raises CheckSpecError naming the file and line or entry.
    """
    name = Path(plan.source).name
    explicit = [
        check_from_plan_entry(c, f"{name}: checks[{i}]")
        for i, c in enumerate(getattr(plan, "checks", None) or [])
    ]
    merged = {c.key: c for c in explicit}
    for check in checks_from_markdown_plan(plan):
        merged.setdefault(check.key, check)
    return list(merged.values())


def bind_metrics_by_text(plan: Plan) -> dict[str, str]:
    """Plan metrics bound to a query by the plan's own words.

    A metric ("Running Pods") is bound to the first query that appears within three lines after a
    line that names it ("Add panel: Total running pods" / "Query: `count(up == 1)`"). Explicit
    bindings (a YAML plan metric's `query`, the config's `platform.metrics`) take precedence.
    """
    bound: dict[str, str] = {}
    for metric in plan.metrics:
        query = getattr(metric, "query", None)
        if query:
            bound[metric.name] = str(query)
    lines: list[str] = []
    for text in _texts(plan):
        lines.extend(text.splitlines())
    lowered = [ln.lower() for ln in lines]
    for metric in plan.metrics:
        if metric.name in bound:
            continue
        words = metric.name.lower()
        for i, low in enumerate(lowered):
            if words not in low:
                continue
            window = "\n".join(lines[i : i + 4])
            queries = promql_in_text(window)
            if queries:
                bound[metric.name] = queries[0]
                break
    return bound
