"""The fixture corpus: runbooks in other styles than the seed, each with its hand-read facts
(`fixtures/corpus/NAME.facts.yaml`, see `corpus_facts.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.plan import load_plan, load_plan_text
from cockpit.plan.serialize import to_dict, to_yaml

from .corpus_facts import check_facts, facts_of, runbooks

RUNBOOKS = runbooks()


def test_the_corpus_has_twenty_runbooks_each_citing_its_source() -> None:
    assert len(RUNBOOKS) >= 20
    for runbook in RUNBOOKS:
        head = "\n".join(runbook.read_text(encoding="utf-8").splitlines()[:3])
        assert "source:" in head, runbook.name


@pytest.mark.parametrize("runbook", RUNBOOKS, ids=lambda p: p.stem)
def test_hand_read_facts_hold(runbook: Path) -> None:
    misses = set(facts_of(runbook).get("known_misses") or [])
    facts = check_facts(runbook)
    wrong = [f"{f.kind}: {f.what} (got {f.found})" for f in facts if not f.holds and f.name not in misses]
    fixed = [f.name for f in facts if f.holds and f.name in misses]
    assert not wrong and not fixed


def _shape(plan_dict: dict) -> dict:
    """A plan's data without what a conversion cannot keep: source lines and the file name."""

    def strip(node: dict) -> dict:
        out = {k: v for k, v in node.items() if k not in {"line", "id"}}
        out["commands"] = [{k: v for k, v in c.items() if k != "line"} for c in node["commands"]]
        out["children"] = [strip(c) for c in node["children"]]
        return out

    return {
        "title": plan_dict["title"],
        "metadata": plan_dict["metadata"],
        "sections": [strip(s) for s in plan_dict["sections"]],
    }


@pytest.mark.parametrize("runbook", RUNBOOKS, ids=lambda p: p.stem)
def test_convert_loads_back_to_the_same_plan(runbook: Path) -> None:
    plan = load_plan(runbook)
    again = load_plan_text(to_yaml(plan), "converted.yaml")
    assert _shape(to_dict(again)) == _shape(to_dict(plan))
