"""Any text at all ends in a Plan or a PlanError: never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.plan import PlanError, load_plan_text
from cockpit.plan.serialize import to_json, to_yaml

PIECES = [
    "# ",
    "## ",
    "### ",
    "#### ",
    "- ",
    "* ",
    "1. ",
    "2) ",
    "- [ ] ",
    "- [x] ",
    "> ",
    "> [!NOTE]\n",
    "!!! note\n",
    "```bash\n",
    "```\n",
    "~~~\n",
    "```console\n$ ",
    "    ",
    "\n",
    "\n\n",
    "**Time**: ",
    "**Success Criteria**: ",
    "(10 min)",
    " - 5 min",
    "⏰ 20 min",
    "(15 min each)",
    "(2-4 hours)",
    "half an hour",
    "kubectl get pods",
    "kubectl delete pod x &",
    "watch -n 2 kubectl get pods",
    "cat <<EOF\n",
    "EOF\n",
    "\\\n",
    "'",
    '"',
    "`",
    "| a | Current | Target |\n|---|---|---|\n| x | 1 | 2 |\n",
    "<!-- c -->",
    "<div>\n",
    "---\n",
    "‚úÖ",
    "üìä",
    "for x in a; do\n",
    "done\n",
    "Title",
    "text",
    "é",
    "日本",
    "\t",
    "\r\n",
]
markdownish = st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_markdown_never_crashes(text: str) -> None:
    try:
        plan = load_plan_text(text, "fuzz.md")
    except PlanError as err:
        assert "\n" not in str(err)
        return
    to_json(plan)
    again = load_plan_text(to_yaml(plan), "fuzz.yaml")
    assert [n.id for n in again.walk()] == [n.id for n in plan.walk()]


YAML_PIECES = [
    "title: ",
    "tasks:\n",
    "phases:\n",
    "sections:\n",
    "  - ",
    "    ",
    "title: t\n",
    "minutes: ",
    "10",
    "[1, 2]",
    "commands:\n",
    "- kubectl get pods\n",
    "verify: ",
    "expect: ",
    "checks:\n",
    "url: ",
    "https://x\n",
    "{",
    "}",
    "[",
    "]",
    ":",
    "&a ",
    "*a",
    "\n",
    "'",
    '"',
    "kind: ",
    "task",
    "phase",
    "nope",
    "- ",
    "children:\n",
    "|\n",
]
yamlish = st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=6), max_size=50).map("".join)


@settings(max_examples=150, deadline=None)
@given(yamlish)
def test_yaml_never_crashes(text: str) -> None:
    try:
        load_plan_text(text, "fuzz.yaml")
    except PlanError as err:
        assert "\n" not in str(err)
