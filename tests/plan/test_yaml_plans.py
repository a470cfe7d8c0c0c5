"""Authored YAML plans: the same model, verify/expect/checks, and errors that point at the spot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cockpit.plan import PlanError, load_plan, load_plan_text
from cockpit.plan.model import NodeKind
from cockpit.plan.serialize import to_dict, to_yaml

from ..conftest import REPO, SEED_PLAN
from .conftest import FIXTURES, by_title, minutes

EXAMPLE = REPO / "plans" / "example-runbook.yaml"


def test_example_runbook_loads() -> None:
    plan = load_plan(EXAMPLE)
    assert plan.title == "Restore TLS and sync for the data platform"
    assert [p.kind for p in plan.sections] == [NodeKind.PHASE, NodeKind.PHASE]
    assert minutes(plan.sections[0]) == (25, 35)
    exempt = by_title(plan, "Exempt the ACME path")
    assert exempt.verify is not None and exempt.verify.cmd.startswith("curl -s -o /dev/null")
    assert exempt.expect == "404"
    assert len(exempt.manual_steps) == 2
    reissue = by_title(plan, "Re-issue the certificates")
    assert minutes(reissue) == (10, 20)
    assert reissue.commands[1].watch and reissue.commands[1].watch_interval == 5
    confirm = by_title(plan, "Confirm sync and health")
    assert (
        confirm.commands[0].background and confirm.commands[0].description == "Grafana for the sync dashboard"
    )
    assert [c.expect_status for c in plan.checks] == [[200, 302], [200]]
    assert plan.checks[1].body_contains == '"database": "ok"' and plan.checks[0].max_latency_ms == 1500
    assert plan.metrics[1].name == "ArgoCD Synced" and plan.metrics[1].target == "12/17"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert (
        by_title(plan, "Look at the stuck certificates").line
        == lines.index("      - title: Look at the stuck certificates") + 1
    )


def test_command_notes_load_and_convert_back() -> None:
    text = (
        "title: t\n"
        "tasks:\n"
        "  - title: count\n"
        "    minutes: 5\n"
        "    commands:\n"
        "      - cmd: kubectl get pods -A --no-headers | wc -l\n"
        "        notes: [Target below 15]\n"
    )
    plan = load_plan_text(text, "notes.yaml")
    assert plan.tasks()[0].commands[0].notes == ["Target below 15"]
    again = load_plan_text(to_yaml(plan), "again.yaml")
    assert again.tasks()[0].commands[0].notes == ["Target below 15"]
    wrong = _error(text.replace("[Target below 15]", "{a: 1}"))
    assert str(wrong) == "bad.yaml:7:16: expected a list of command notes, got a mapping"


def _comparable(data: Any) -> Any:
    """The JSON form without what depends on the file: source lines, path, loader warnings."""
    if isinstance(data, dict):
        return {k: _comparable(v) for k, v in data.items() if k not in {"line", "source", "warnings"}}
    if isinstance(data, list):
        return [_comparable(v) for v in data]
    return data


@pytest.mark.parametrize(
    "source",
    [
        SEED_PLAN,
        FIXTURES / "gitlab-incident.md",
        FIXTURES / "k8s-upgrade.md",
        FIXTURES / "levels-and-html.md",
        EXAMPLE,
    ],
    ids=lambda p: Path(p).name,
)
def test_convert_round_trips(source: Path, tmp_path: Path) -> None:
    plan = load_plan(source)
    out = tmp_path / "plan.yaml"
    out.write_text(to_yaml(plan), encoding="utf-8")
    again = load_plan(out)
    assert _comparable(to_dict(again)) == _comparable(to_dict(plan))
    assert [n.id for n in again.walk()] == [n.id for n in plan.walk()]


def _error(text: str) -> PlanError:
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, "bad.yaml")
    return caught.value


def test_a_number_too_large_for_a_float_is_refused_where_it_is_written() -> None:
    checks = "checks:\n  - url: https://a\n    expect_status: [1.0e+400]\n"
    err = _error("title: x\n" + checks + "tasks:\n  - title: t\n")
    assert (err.line, err.message) == (4, "expected a whole number")
    err = _error("title: x\ntasks:\n  - title: t\n    minutes: [1, 1.0e+400]\n")
    assert (err.line, err.message) == (4, "minutes 1.0e+400 is too large")


def test_unknown_key_names_line_column_and_choices() -> None:
    err = _error("title: x\ntasks:\n  - title: a\n    comands: [ls]\n")
    assert (err.line, err.column) == (4, 5)
    assert str(err).startswith("bad.yaml:4:5: unknown key 'comands' in a plan item (expected one of:")
    assert "commands" in str(err)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("title: x\ntasks:\n  - title: a\n    minutes: soon\n", (4, 14), "expected a time box"),
        ("title: x\ntasks: hello\n", (2, 8), "expected a list of tasks, got text 'hello'"),
        (
            "title: x\ntasks:\n  - title: a\n    commands: [{description: no cmd}]\n",
            (4, 16),
            "expected 'cmd:'",
        ),
        ("title: x\ntasks:\n  - title: a\n    kind: chore\n", (4, 11), "expected kind to be one of"),
        ("tasks: []\n", (1, 1), "expected 'title:'"),
        ("title: x\n", (1, 1), "expected 'sections:', 'phases:' or 'tasks:'"),
        ("title: x\nchecks: [{url: ftp://x}]\ntasks: []\n", (2, 16), "http:// or https://"),
        ("title: x\ntasks:\n  - title: a\n    verify: {cmd: ''}\n", (4, 19), "non-empty command"),
    ],
)
def test_mistakes_are_located(text: str, where: tuple[int, int], words: str) -> None:
    err = _error(text)
    assert (err.line, err.column) == where
    assert words in err.message


def test_truncated_yaml_is_a_located_error() -> None:
    full = EXAMPLE.read_text(encoding="utf-8")
    cut = full[: full.index("current: 5/7")]  # stops inside a {flow mapping}
    err = _error(cut)
    assert err.line is not None and err.line >= cut.count("\n") + 1  # at or just past the cut
    assert "expected" in err.message
    assert "\n" not in str(err)


def _nested_tasks(levels: int) -> str:
    return "title: deep\ntasks:\n" + "".join(
        "  " * i + "- title: t\n" + "  " * i + "  children:\n" for i in range(1, levels)
    )


def test_deeply_nested_yaml_is_refused() -> None:
    # a little past the plan's own limit: the reader names the item that goes too deep
    err = _error(_nested_tasks(70))
    assert err.message == "sections nested deeper than 64 levels" and err.line == 131
    # far past it: refused while parsing, before PyYAML's recursive composer can overflow
    err = _error(_nested_tasks(200))
    assert err.message == "YAML nested too deeply" and err.line is not None
    err = _error("title: x\ntasks: " + "[" * 1000 + "]" * 1000 + "\n")
    assert "nest" in err.message and err.line == 2


def test_alias_bombs_are_refused() -> None:
    lines = ["title: bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    with pytest.raises(PlanError):
        load_plan_text("\n".join(lines) + "\ntasks: []\n", "bomb.yaml")
