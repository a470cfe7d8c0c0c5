"""Properties of the time-box rules for headings and step fields: every box form is read with its
figures and survives `plan convert`; a window or a schedule never becomes a box."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.plan import load_plan_text
from cockpit.plan.serialize import to_yaml

COMMAND = "```bash\nkubectl get pods\n```"
figures = st.integers(min_value=1, max_value=500)
minute_words = st.sampled_from(["min", "mins", "minutes", "m"])
hour_words = st.sampled_from(["h", "hr", "hours"])

# (template, factor) -> the text with {a}/{b} figures; factor turns the figure into minutes.
HEADING_BOXES = [
    "({a} {mu})",
    "(~{a} {mu})",
    "({a}-{b} {mu})",
    "- {a} {mu}",
    "⏰ {a} {mu}",
    "(optional, {a} {mu})",
]
FIELD_BOXES = [
    "**Estimated Time**: {a} {mu}",
    "**Duration:** {a} {mu}",
    "Estimated time: ~{a}{mu}",
    "*ETA*: {a}-{b} {mu}",
    "Time: {a} {mu}",
    "⏱️ {a} {mu}",
    "| Duration | {a} {mu} |\n|---|---|",
    "- Time: {a}{mu}\n- Drain the node",
]
HEADING_WINDOWS = [
    "(within {a} {mu})",
    "(after {a} {mu})",
    "(every {a} {mu})",
    "(Within {a} {mu})",
    "(within {a} {mu}, optional)",
]
FIELD_WINDOWS = [
    "T+{a}{mu}: DNS switched",
    "Page if replication lag > {a} {mu}",
    "retention: {a}d",
    "Run every {a} {mu}",
    "timeout: {a}s",
    "Alert after {a} {mu}",
    "Escalate (within {a} {mu}).",
    "Time: 14:{a2} UTC",
]


def _plan(heading_suffix: str, body: str):
    text = f"# Runbook\n\n## Drain the node {heading_suffix}\n\n{body}\n\n{COMMAND}\n"
    return load_plan_text(text, "p.md")


def _box(plan) -> tuple[float, float] | None:
    (task,) = plan.tasks()
    return None if task.timebox is None else (task.timebox.min_minutes, task.timebox.max_minutes)


def _fill(template: str, a: int, b: int, mu: str) -> str:
    return template.format(a=a, b=a + b, mu=mu, a2=f"{a % 60:02d}")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(HEADING_BOXES + FIELD_BOXES), figures, figures, minute_words | hour_words)
def test_every_box_form_is_read_and_survives_convert(template: str, a: int, b: int, unit: str) -> None:
    text = _fill(template, a, b, unit)
    in_heading = template in HEADING_BOXES
    plan = _plan(text if in_heading else "", "" if in_heading else text)
    factor = 60 if unit in {"h", "hr", "hours"} else 1
    high = a + b if "{b}" in template else a
    assert _box(plan) == (a * factor, high * factor)
    again = load_plan_text(to_yaml(plan), "p.yaml")
    assert _box(again) == _box(plan)
    assert [t.title for t in again.tasks()] == [t.title for t in plan.tasks()]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(HEADING_WINDOWS + FIELD_WINDOWS), figures, figures, minute_words | hour_words)
def test_windows_and_schedules_are_never_boxes(template: str, a: int, b: int, unit: str) -> None:
    text = _fill(template, a, b, unit)
    in_heading = template in HEADING_WINDOWS
    plan = _plan(text if in_heading else "", "" if in_heading else text)
    assert _box(plan) is None
    assert not [w for w in plan.warnings if "time estimate" in w]
