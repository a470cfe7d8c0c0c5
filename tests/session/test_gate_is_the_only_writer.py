"""The gate is the only way to the cluster's writes: outside `cockpit.cluster` (where they are
defined) only `cockpit.session.actions` (which the gate calls once a write is allowed) calls them."""

from __future__ import annotations

import ast
from pathlib import Path

import cockpit

SRC = Path(cockpit.__file__).parent
WRITE_FUNCTIONS = {"cockpit.cluster.argocd": {"hard_refresh", "sync"}, "cockpit.cluster.certs": {"reissue"}}
WRITE_METHODS = {"merge_patch", "send_json"}  # KubeApi's writes (`delete` is checked by its path argument)
ALLOWED = {SRC / "session" / "actions.py"}


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in WRITE_FUNCTIONS:
            names = {a.name for a in node.names} & WRITE_FUNCTIONS[node.module]
            found += [f"{path}:{node.lineno} imports {node.module}.{n}" for n in sorted(names)]
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "cockpit.cluster"
            and any(a.name == "argocd" for a in node.names)
        ):
            found.append(f"{path}:{node.lineno} imports cockpit.cluster.argocd (its writes)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr in WRITE_METHODS:
                found.append(f"{path}:{node.lineno} calls .{attr}()")
            if attr == "delete" and node.args and "path" in ast.unparse(node.args[0]):
                found.append(f"{path}:{node.lineno} deletes {ast.unparse(node.args[0])}")
    return found


def test_only_the_gates_actions_call_cluster_writes() -> None:
    files = [
        p
        for p in SRC.rglob("*.py")
        if p.relative_to(SRC).parts[0] not in ("cluster", "sandbox") and p not in ALLOWED
    ]
    assert files, "no source files found"
    problems = [o for path in files for o in offences(path)]
    assert problems == []


def test_the_check_sees_a_write() -> None:
    # the same check on the module that is allowed to write: it finds its calls
    found = offences(SRC / "session" / "actions.py")
    assert any("deletes PODS.path" in f for f in found)
