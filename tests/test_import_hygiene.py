"""The core layers never import Textual (DESIGN.md: layers point downwards only)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = ["cockpit.plan", "cockpit.session", "cockpit.runner", "cockpit.cluster", "cockpit.sandbox"]


@pytest.mark.parametrize("package", CORE)
def test_core_layer_does_not_import_textual(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{package} pulls in Textual: {out.stdout.strip()}"


def test_bundled_plan_is_the_seed_unchanged() -> None:
    from cockpit.paths import bundled_plan

    from .conftest import SEED_PLAN

    assert bundled_plan().read_bytes() == SEED_PLAN.read_bytes()
