"""Redaction runs in linear time on any input, and chunked redaction equals line-by-line redaction.

No clocks: linearity is shown by the shape of every pattern (no match attempt can backtrack over
an unbounded stretch) and by counting what the rules are handed (each rule sees each character
of a stream at most once), over long random lines full of trigger words.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.session import redact as redact_module
from cockpit.session.redact import StreamRedactor, redact

from .test_redact import PEM, SECRET_JSON, SECRET_YAML
from .test_secret_corpus import CORPUS_TEXT, NO_FALSE_REDACTION

MAX_BOUND = 1024
REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)


def _patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for name, value in vars(redact_module).items():
        if isinstance(value, re.Pattern):
            yield name, value
    for rule in redact_module._RULES:
        pattern = getattr(rule.apply, "pattern", None)
        if isinstance(pattern, re.Pattern):
            yield f"rule {rule.name}", pattern


def _min_width(state: sre_parse.State, items: list) -> int:
    return sre_parse.SubPattern(state, items).getwidth()[0]


def _anchored(items: list) -> bool:
    """The pattern can only start at a literal, a line start or behind a lookbehind guard."""
    for op, av in items:
        if op is sre_constants.AT and av is sre_constants.AT_BOUNDARY:
            continue
        if op is sre_constants.AT:
            return av in (sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING)
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            return av[0] == -1  # a lookbehind
        if op is sre_constants.LITERAL:
            return True
        if op is sre_constants.IN:
            return len(av) <= 8
        if op is sre_constants.SUBPATTERN:
            return _anchored(av[3].data)
        if op is sre_constants.BRANCH:
            return all(_anchored(branch.data) for branch in av[1])
        return False
    return False


def _shape_problems(pattern: re.Pattern[str]) -> list[str]:
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    problems: list[str] = []
    possessive = False

    def walk(items: list, tail: bool) -> None:
        nonlocal possessive
        for i, (op, av) in enumerate(items):
            at_tail = tail and _min_width(tree.state, items[i + 1 :]) == 0
            if op in REPEATS or op is sre_constants.POSSESSIVE_REPEAT:
                _low, high, sub = av
                if high == sre_constants.MAXREPEAT:
                    if op is sre_constants.POSSESSIVE_REPEAT:
                        possessive = True
                    elif not at_tail:
                        problems.append(f"unbounded backtracking repeat not at the end: {sub}")
                elif high > MAX_BOUND:
                    problems.append(f"repeat bound {high} > {MAX_BOUND}")
                walk(sub.data, False)
            elif op is sre_constants.SUBPATTERN:
                walk(av[3].data, at_tail)
            elif op is sre_constants.BRANCH:
                for branch in av[1]:
                    walk(branch.data, at_tail)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(av[1].data, False)
            elif op is sre_constants.ATOMIC_GROUP:
                walk(av.data, False)
            elif op is sre_constants.GROUPREF:
                problems.append("backreference")

    walk(tree.data, True)
    if possessive and not _anchored(tree.data):
        problems.append("a possessive unbounded repeat in a pattern that may start anywhere")
    return problems


@pytest.mark.parametrize(("name", "pattern"), list(_patterns()), ids=[name for name, _p in _patterns()])
def test_every_pattern_does_bounded_work_per_start(name: str, pattern: re.Pattern[str]) -> None:
    assert _shape_problems(pattern) == [], name


def test_the_shape_check_catches_the_old_quadratic_key_value_pattern() -> None:
    old = re.compile(
        r"(?i)(?P<key>[\"']?(?P<name>[A-Za-z0-9_.-]*(?:password|token)[A-Za-z0-9_.-]*)[\"']?)"
        r"(?P<sep>\s*[:=]\s*)(?P<value>[^\s]+)"
    )
    assert _shape_problems(old)
    assert _shape_problems(re.compile(r"[a-z]++x"))  # possessive, but may start anywhere in a run


TRIGGERS = [
    "password",
    "passwd",
    "token",
    "secret",
    "key",
    "cred",
    "Bearer ",
    "Authorization: ",
    "://",
    "-u ",
    "--password=",
    "mysql -p",
    "login: ",
    "(admin / ",
    "admin / ",
    "AKIA",
    "ghp_",
    "github_pat_",
    "glpat-",
    "AIza",
    "sk_live_",
    "sk-",
    "npm_",
    "hvs.",
    " s.",
    "AccountKey=",
    "sig=",
    '"auth": "',
    "hooks.slack.com/services/",
    "xoxb-",
    "eyJ",
    "-----BEGIN RSA PRIVATE KEY-----",
    '"data": {',
    "data:",
    "kind: Secret",
    "=",
    ":",
    '"',
    "'",
    "/",
    "@",
    " ",
    "(",
    ")",
    "{",
    "}",
    ".",
    "-",
    "_",
]
FILLER = st.text(alphabet="abcXYZ019._-/:=@ ", min_size=0, max_size=40)
LONG_LINE = st.lists(st.one_of(st.sampled_from(TRIGGERS), FILLER), min_size=50, max_size=600).map("".join)


class _Counting:
    """Wraps a rule to count the characters it is handed."""

    def __init__(self, apply, seen: list[int]) -> None:
        self.apply = apply
        self.seen = seen
        self.pattern = getattr(apply, "pattern", None)

    def __call__(self, text: str) -> str:
        self.seen.append(len(text))
        return self.apply(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LONG_LINE, min_size=1, max_size=8))
def test_rules_see_each_character_at_most_once(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    seen: list[int] = []
    counted = tuple(
        redact_module._Rule(r.name, r.triggers, _Counting(r.apply, seen), r.batch)
        for r in redact_module._RULES
    )
    original = redact_module._RULES
    redact_module._RULES = counted
    try:
        redactor = StreamRedactor()
        out = redactor.feed(text) + redactor.flush()
    finally:
        redact_module._RULES = original
    assert sum(seen) <= len(counted) * len(text)
    assert out.count("\n") <= text.count("\n") + text.count("-----BEGIN")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LONG_LINE, min_size=1, max_size=6), cuts=st.lists(st.integers(1, 5000), max_size=20))
def test_chunked_redaction_equals_line_by_line_on_random_lines(lines: list[str], cuts: list[int]) -> None:
    _assert_chunking_does_not_matter("\n".join(lines) + "\n", cuts)


OPENERS = ("-----BEGIN RSA PRIVATE KEY-----", '"data": {', "data:", "kind: Secret")
STATELESS = [t for t in TRIGGERS if t not in OPENERS]
STATELESS_LINE = st.lists(st.one_of(st.sampled_from(STATELESS), FILLER), min_size=50, max_size=600).map(
    "".join
)


@settings(max_examples=40, deadline=None)
@given(line=STATELESS_LINE)
def test_a_line_doubled_is_redacted_as_two_copies(line: str) -> None:
    """Output equality on doubled input: the second copy is redacted exactly as the first (no rule
    reaches across a line, nothing a line leaves behind changes the next one)."""
    once = redact(line + "\n")
    assert redact(line + "\n" + line + "\n") == once + once


def _line_by_line(text: str) -> str:
    redactor = StreamRedactor()
    return "".join(redactor.feed(line) for line in text.splitlines(keepends=True)) + redactor.flush()


def _chunked(text: str, cuts: list[int]) -> str:
    redactor = StreamRedactor()
    out: list[str] = []
    pos = 0
    for cut in cuts:
        out.append(redactor.feed(text[pos : pos + cut]))
        pos += cut
    out.append(redactor.feed(text[pos:]))
    return "".join(out) + redactor.flush()


def _assert_chunking_does_not_matter(text: str, cuts: list[int]) -> None:
    expected = _line_by_line(text)
    assert _chunked(text, cuts) == expected
    assert _chunked(text, []) == expected  # the whole text as one chunk
    assert redact(text) == expected


@pytest.mark.parametrize(
    "doc",
    [SECRET_YAML, SECRET_JSON, PEM, CORPUS_TEXT, "\n".join(NO_FALSE_REDACTION) + "\n"],
    ids=["secret-yaml", "secret-json", "pem", "corpus", "no-false-redaction"],
)
@pytest.mark.parametrize("cut", [1, 7, 64, 4096, 10**6])
def test_chunked_redaction_equals_line_by_line_on_the_secret_tests(doc: str, cut: int) -> None:
    _assert_chunking_does_not_matter(doc, [cut] * (len(doc) // cut + 1))


def test_the_one_line_cases_read_the_same_through_a_stream() -> None:
    from .test_redact import test_secrets_in_one_line_are_masked

    for mark in test_secrets_in_one_line_are_masked.pytestmark:
        if mark.name == "parametrize":
            for text, _secret, _kept in mark.args[1]:
                _assert_chunking_does_not_matter(text + "\n", [3] * 200)
                assert redact(text) == redact_module.redact_line(text)


TWINNED = [r for r in redact_module._RULES if getattr(r.apply, "_twin", None) is not None]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=LONG_LINE.map(lambda s: s.swapcase() if len(s) % 2 else s))
def test_a_rule_searched_in_lower_case_masks_what_its_pattern_masks(line: str) -> None:
    for rule in TWINNED:
        assert rule.apply(line) == rule.apply.pattern.sub(rule.apply.repl, line), rule.name


def test_the_lower_case_search_covers_the_corpus() -> None:
    assert {r.name for r in TWINNED} == {"key-value", "account-pair", "azure"}
    for line in CORPUS_TEXT.splitlines() + [line.upper() for line in CORPUS_TEXT.splitlines()]:
        for rule in TWINNED:
            assert rule.apply(line) == rule.apply.pattern.sub(rule.apply.repl, line), (rule.name, line)
