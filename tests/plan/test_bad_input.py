"""Whatever a user feeds the loader ends in a plan or a one-line PlanError, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cockpit.plan import PlanError, load_plan, load_plan_text
from cockpit.plan.serialize import to_yaml


def _fails(path: Path) -> PlanError:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    err = caught.value
    assert str(err).startswith(str(path)) and "\n" not in str(err)
    return err


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert _fails(tmp_path / "nope.md").message == "no such file"
    assert "directory" in _fails(tmp_path).message


def test_empty_files(tmp_path: Path) -> None:
    for name, content in [
        ("empty.md", ""),
        ("blank.md", "\n  \n"),
        ("empty.yaml", ""),
        ("comment.yaml", "# x\n"),
    ]:
        path = tmp_path / name
        path.write_text(content)
        assert "empty" in _fails(path).message


def test_binary_data(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(os.urandom(4096) + b"\x00" + os.urandom(100))
    assert "not a text file" in _fails(path).message
    png = tmp_path / "diagram.yaml"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "not a text file" in _fails(png).message


def test_windows_1252_file_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(
        "# Runbook\n\n## Café check - 5 min\n\n```bash\nkubectl get pods\n```\n".encode("cp1252")
    )
    plan = load_plan(path)
    assert plan.tasks()[0].title == "Café check"


def test_deeply_nested_lists_and_quotes() -> None:
    lists = "".join("  " * i + "- item\n" for i in range(1000))
    with pytest.raises(PlanError) as caught:
        load_plan_text("# Plan\n\n## Steps - 5 min\n\n" + lists, "deep.md")
    assert "nested deeper" in caught.value.message and caught.value.line is not None
    with pytest.raises(PlanError):
        load_plan_text(">" * 1000 + " deep\n", "quotes.md")


def test_a_thousand_heading_levels_load() -> None:
    text = "".join("#" * i + f" Level {i} - 5 min\n\n" for i in range(1, 1001))
    plan = load_plan_text(text, "headings.md")
    assert plan.title == "Level 1"
    (task,) = plan.tasks()  # Markdown has six heading levels; deeper "#######" lines are text
    assert task.title == "Level 6" and task.id == "1.1.1.1.1"
    assert "####### Level 7" in task.text


def test_deeply_nested_emphasis_and_brackets_load() -> None:
    text = "# Plan\n\n## Task - 5 min\n\n" + "*" * 5000 + "x" + "*" * 5000 + "\n\n" + "[" * 5000 + "\n"
    plan = load_plan_text(text, "odd.md")
    assert plan.tasks()[0].title == "Task"


def test_ten_megabyte_plan_loads(tmp_path: Path) -> None:
    log = "\n".join(
        f"2025-10-24T10:{i % 60:02d}:00Z INFO pod/trino-worker-{i} restarted" for i in range(170_000)
    )
    text = (
        "# Incident\n\n## Collect logs - 10 min\n\n```\n"
        + log
        + "\n```\n\n```bash\nkubectl get pods -A\n```\n"
    )
    assert len(text.encode()) > 10_000_000
    path = tmp_path / "big.md"
    path.write_text(text)
    plan = load_plan(path)
    (task,) = plan.tasks()
    assert task.timebox is not None and [c.cmd for c in task.commands] == ["kubectl get pods -A"]
    assert task.manual_steps == []  # a pasted log is briefing text, not 170k steps
    assert task.commands[0].line == text.count("\n") - 1


BOMB = "title: x\nv0: &v0 [a, a, a, a, a, a, a, a, a, a]\n" + "".join(
    f"v{i}: &v{i} [*v{i - 1}, *v{i - 1}, *v{i - 1}, *v{i - 1}, *v{i - 1}, *v{i - 1}, *v{i - 1}, *v{i - 1}]\n"
    for i in range(1, 10)
)


def test_yaml_alias_bomb_is_refused_before_it_is_read() -> None:
    text = BOMB + "tasks:\n  - title: t\n    steps: *v9\n"
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, "bomb.yaml")
    assert "expands to more than" in caught.value.message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x " * 600_000, "characters long"),
        ("# P\n\n```bash\nkubectl " + "a" * 200_000 + "\n```\n", "characters long"),
        ("[a](" * 20_000, "too many '['"),
        ("![" * 20_000, "too many '['"),
        ("<" * 50_000, "too many '<'"),
        ("\n".join(["*a **a " * 25] * 2_000), "characters of inline markup"),
        ("|" + "a|" * 5_000 + "\n|" + "-|" * 5_000 + "\n", "more than 1,000 cells"),
        ("> " * 100 + "deep\n", "nested deeper"),
        ("".join("  " * i + "- x\n" for i in range(150)), "nested deeper"),
        ("".join(f"## h{i}\n\ntext\n\n" for i in range(8_000)), "lines of headings"),
        ("# P\n\n```bash\n" + "kubectl get pods |\n" * 30_000 + "```\n", "lines in shell blocks"),
    ],
)
def test_pathological_markdown_is_refused_with_one_line(text: str, says: str) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, "odd.md")
    assert says in caught.value.message and "\n" not in str(caught.value)


def test_front_matter_bomb_and_bad_front_matter_leave_the_plan_readable() -> None:
    plan = load_plan_text("---\n" + BOMB + "---\n\n## Step (5 min)\n\nDo it.\n", "f.md")
    assert plan.metadata == {} and [t.title for t in plan.tasks()] == ["Step"]
    broken = load_plan_text("---\ntitle: [unclosed\nowner: x\n---\n\n## Step (5 min)\n\nDo it.\n", "g.md")
    assert any("front matter is not valid YAML" in w for w in broken.warnings)


def test_an_unclosed_fence_is_reported_with_its_line() -> None:
    plan = load_plan_text("# P\n\n## Fix (5 min)\n\n```bash\nkubectl get pods\n\n## Next\n", "u.md")
    assert plan.warnings == [
        "line 5: the ``` code block opened here is never closed; everything after it was read as code"
    ]


def test_watch_with_an_unusable_interval_is_a_plain_command_and_converts_back() -> None:
    plan = load_plan_text("# P\n\n## W (5 min)\n\n```bash\nwatch -n 1e400 kubectl get pods\n```\n", "w.md")
    (command,) = plan.tasks()[0].commands
    assert not command.watch and command.cmd == "watch -n 1e400 kubectl get pods"
    again = load_plan_text(to_yaml(plan), "w.yaml")
    assert again.tasks()[0].commands[0].cmd == command.cmd


def test_admonition_without_a_space_after_the_marks_loads() -> None:
    plan = load_plan_text("# P\n\n## S (5 min)\n\n!!!note\n    body\n\n!!!warning\nlazy\n", "a.md")
    assert "> **Note**" in plan.tasks()[0].text and "> **Warning**" in plan.tasks()[0].text


def test_a_yaml_plan_over_its_size_budget_is_refused_before_composing() -> None:
    text = "title: big\ntasks:\n" + "".join(f"  - title: task {i}\n    minutes: 5\n" for i in range(20_000))
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, "big.yaml")
    assert caught.value.message == "a YAML plan over 500 KB is not read"
