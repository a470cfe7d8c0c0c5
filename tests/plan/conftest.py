"""Plan-test helpers: the seed plan loaded once, fixtures by name, node lookup by title."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.plan import Plan, load_plan
from cockpit.plan.model import Node

from ..conftest import SEED_PLAN

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed() -> Plan:
    return load_plan(SEED_PLAN)


def by_title(plan: Plan, start: str) -> Node:
    """The first node whose title starts with `start` (fails the test when there is none)."""
    for node in plan.walk():
        if node.title.startswith(start):
            return node
    raise AssertionError(f"no node titled {start!r}: {[n.title for n in plan.walk()]}")


def seed_line(text: str) -> int:
    """1-based line of the first seed line containing `text`."""
    for number, line in enumerate(SEED_PLAN.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in the seed")


def minutes(node: Node) -> tuple[float, float] | None:
    return None if node.timebox is None else (node.timebox.min_minutes, node.timebox.max_minutes)
