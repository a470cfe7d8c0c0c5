"""Shared test fixtures: every test gets its own COCKPIT_HOME so nothing touches the user's files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_PLAN = REPO / "plans" / "254carbon-next-steps.md"


@pytest.fixture(autouse=True)
def cockpit_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cockpit-home"
    monkeypatch.setenv("COCKPIT_HOME", str(home))
    monkeypatch.delenv("COCKPIT_CONFIG", raising=False)
    # kubectl caches discovery per host:port under ~/.kube/cache; sandboxes of earlier tests (or runs)
    # on a reused port must not answer for this one
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kube-cache"))
    return home


@pytest.fixture
def seed_plan_path() -> Path:
    return SEED_PLAN
