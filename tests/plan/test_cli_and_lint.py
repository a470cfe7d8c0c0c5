"""`cockpit plan show|check|convert` and the lint behind `check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cockpit.cli import main as cockpit_main
from cockpit.plan import load_plan, load_plan_text
from cockpit.plan.lint import check
from cockpit.runner import classify

from ..conftest import SEED_PLAN


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cockpit_main(["plan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_show_prints_the_tree(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", str(SEED_PLAN)], capsys)
    assert code == 0
    assert "Phase 1: Unblock External Access & Critical Pods" in out
    assert "[30-45 min]" in out and "(parts: 45 min)" in out
    assert "kubectl port-forward -n monitoring svc/grafana 3000:3000" in out
    assert "Pod Health" in out and "12/17" in out
    assert "‚úÖ" not in out


def test_show_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", str(SEED_PLAN), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert {"title", "sections", "metrics"} <= data.keys()
    phase1 = data["sections"][1]["children"][0]
    assert phase1["minutes"] == [30, 45] and phase1["title"].startswith("Phase 1")
    task = phase1["children"][0]
    assert {
        "title",
        "line",
        "minutes",
        "commands",
        "manual_steps",
        "success_criteria",
        "children",
    } <= task.keys()
    assert set(task["commands"][0]) >= {"cmd", "line", "description", "background"}
    assert data["metrics"][0] == {
        "name": "Pod Health",
        "current": "75%",
        "target": "80%",
        "status": "⏰ Achievable",
        "line": data["metrics"][0]["line"],
    }
    briefing = data["sections"][0]
    assert briefing["minutes"] is None and [c["kind"] for c in briefing["children"]] == ["section"] * 3


def test_check_seed_warns_but_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(SEED_PLAN)], capsys)
    assert code == 0
    assert "task 'Validate' has no time box" in out
    assert "kubectl -n data-platform delete certificaterequest" in out and "no read-only check" in out
    assert "0 errors" in out


def test_check_exits_one_on_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "notes.md"
    plan.write_text("# Notes\n\nJust some prose about the cluster.\n")
    code, out, _ = run(["check", str(plan)], capsys)
    assert code == 1 and "no tasks" in out


def test_convert_writes_yaml_that_loads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "seed.yaml"
    code, out, _ = run(["convert", str(SEED_PLAN), "-o", str(out_file)], capsys)
    assert code == 0 and "wrote" in out
    again = load_plan(out_file)
    assert [t.title for t in again.tasks()] == [t.title for t in load_plan(SEED_PLAN).tasks()]


def test_errors_are_one_line_and_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\ntasks:\n  - title: a\n    minutes: [1, 2, 3]\n")
    code, out, err = run(["show", str(bad)], capsys)
    assert code == 2 and out == ""
    assert err == f"cockpit plan: {bad}:4:14: expected minutes as [min, max], got a list of 3\n"
    code, _, err = run(["check", str(tmp_path / "missing.md")], capsys)
    assert code == 2 and err.strip().endswith("missing.md: no such file")
    code, _, err = run(["convert", str(SEED_PLAN), "-o", str(tmp_path / "no" / "dir" / "x.yaml")], capsys)
    assert code == 2 and "cannot write" in err and "Traceback" not in err


def _messages(text: str) -> list[str]:
    return [f"{f.severity}: {f.message}" for f in check(load_plan_text(text, "p.md"), classify)]


def test_mutating_command_needs_a_check_before_it_in_the_phase() -> None:
    head = "# P\n\n## Fix (10 min)\n\n"
    scale = "### Scale - 5 min\n\n```bash\nkubectl scale deploy/api --replicas=0\n```\n"
    unchecked = head + scale
    assert any("no read-only check" in m and "kubectl scale" in m for m in _messages(unchecked))
    checked = unchecked.replace("```bash\n", "```bash\nkubectl get deploy/api\n")
    assert not any("no read-only check" in m for m in _messages(checked))
    earlier_task = head + "### Look - 2 min\n\nRun `kubectl get pods -A` first.\n\n" + scale
    assert not any("no read-only check" in m for m in _messages(earlier_task))
    echo_only = unchecked.replace("```bash\n", "```bash\necho starting\n")
    assert any("no read-only check" in m for m in _messages(echo_only))


def test_missing_boxes_overruns_and_bad_boxes() -> None:
    text = "# P\n\n## Phase (20 min)\n\n### A - 15 min\n\n- [ ] x\n\n### B - 10 min\n\n- [ ] y\n\n"
    text += "### C\n\n- [ ] z\n"
    messages = _messages(text)
    assert "warning: task 'C' has no time box" in messages
    assert any("add up to 25 min, over its 20 min box" in m for m in messages)
    backwards = _messages("# P\n\n## Task (45-30 min)\n\n```bash\nkubectl get pods\n```\n")
    assert any(m.startswith("error:") and "ends before it starts" in m for m in backwards)


def test_verify_must_be_read_only() -> None:
    plan = load_plan_text(
        "title: p\ntasks:\n  - title: t\n    minutes: 5\n    verify: kubectl delete pod x\n", "p.yaml"
    )
    findings = check(plan, classify)
    assert any(f.severity == "error" and "verify must not change the cluster" in f.message for f in findings)
    assert findings[0].line == 5


def test_check_names_file_and_line_of_what_it_could_not_read(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent / "fixtures" / "corpus" / "22-unreadable-bits.md"
    code, out, _ = run(["check", str(path)], capsys)
    lines = " ".join(out.split())  # rich wraps long lines
    assert code == 0
    assert f"{path}:6: warning: could not read the time estimate 'Duration: TBD'" in lines
    assert f"{path}:14: warning: the ``` code block opened here is never closed" in lines


def test_show_prints_a_commands_example_output_under_it(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent / "fixtures" / "corpus" / "10-cert-manager.md"
    code, out, _ = run(["show", str(path)], capsys)
    assert code == 0
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "$ kubectl get certificate -n web" in line)
    assert "NAME      READY" in lines[at + 1] and "web-tls   False" in lines[at + 2]
