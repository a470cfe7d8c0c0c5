"""Time boxes in every form authors write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.plan.timebox import find_timebox, format_minutes, parse_timebox


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("10 min", 10, 10),
        ("(30-45 min)", 30, 45),
        ("(2-4 hours)", 120, 240),
        ("1 hour", 60, 60),
        ("⏰ 20 min", 20, 20),
        ("(Next 60 Minutes)", 60, 60),
        ("60 minutes", 60, 60),
        ("1h30m", 90, 90),
        ("1h 30m", 90, 90),
        ("1.5 h", 90, 90),
        ("1,5 h", 90, 90),
        ("~20m", 20, 20),
        ("20 mins", 20, 20),
        ("half an hour", 30, 30),
        ("an hour", 60, 60),
        ("a quarter of an hour", 15, 15),
        ("one hour and a half", 90, 90),
        ("ten minutes", 10, 10),
        ("1 to 2 hours", 60, 120),
        ("30–45 min", 30, 45),
        ("up to 20 min", 20, 20),
        ("50-75 minutes total", 50, 75),
        ("5-minute", 5, 5),
        ("90s", 1.5, 1.5),
        ("1-1.5h", 60, 90),
        ("30 min – 1 hour", 30, 60),
        ("⏱️ 10m", 10, 10),
    ],
)
def test_forms(text: str, low: float, high: float) -> None:
    box = parse_timebox(text)
    assert box is not None, text
    assert (box.min_minutes, box.max_minutes) == (low, high)


def test_each_and_auto_qualifiers() -> None:
    each = parse_timebox("(15 min each)")
    auto = parse_timebox("(5 min - auto)")
    assert each is not None and each.each and not each.auto and each.as_list == [15, 15]
    assert auto is not None and auto.auto and not auto.each and auto.as_list == [5, 5]
    assert auto.text == "5 min - auto"


@pytest.mark.parametrize(
    "text", ["Week 2", "Optional", "90 min setup", "10", "> 5 min", "Session 1", "", "Critical"]
)
def test_not_time_boxes(text: str) -> None:
    assert parse_timebox(text) is None


@pytest.mark.parametrize(
    ("title", "clean", "low", "high"),
    [
        ("1.1 Cloudflare Access bypass for ACME - 10 min", "1.1 Cloudflare Access bypass for ACME", 10, 10),
        (
            "Phase 1: Unblock External Access & Critical Pods (30-45 min)",
            "Phase 1: Unblock External Access & Critical Pods",
            30,
            45,
        ),
        (
            "Priority 1: Stabilize Current Services ⏰ 20 min",
            "Priority 1: Stabilize Current Services",
            20,
            20,
        ),
        ("Today (Session 1) - 1 hour", "Today (Session 1)", 60, 60),
        (
            "Phase 6: Advanced Features (Optional) (2-4 hours)",
            "Phase 6: Advanced Features (Optional)",
            120,
            240,
        ),
        ("Immediate Action Items (Next 60 Minutes)", "Immediate Action Items", 60, 60),
        ("Verify from outside (1 min): `curl x`", "Verify from outside: `curl x`", 1, 1),
        ("Drain nodes — 1h30m", "Drain nodes", 90, 90),
    ],
)
def test_find_in_titles(title: str, clean: str, low: float, high: float) -> None:
    found = find_timebox(title)
    assert found is not None
    box, rest = found
    assert rest == clean
    assert (box.min_minutes, box.max_minutes) == (low, high)


@pytest.mark.parametrize(
    "title",
    [
        "Service down > 5 min (Critical)",
        "If still initializing, wait 5 more minutes",
        "Now: Requires Elasticsearch, Kafka, Neo4j (90 min setup)",
        "Performance Optimization (Week 2)",
        "Session Focus: Complete Phase 2, Verify Stability",
        "Upgrade to 1.30",
    ],
)
def test_figures_mentioned_in_prose_are_not_boxes(title: str) -> None:
    assert find_timebox(title) is None


units = st.sampled_from(["min", "mins", "minutes", "m", "minute"])
hour_units = st.sampled_from(["h", "hr", "hrs", "hour", "hours"])
figures = st.integers(min_value=0, max_value=999)


@given(figures, figures, units, st.sampled_from(["-", "–", " - ", " to "]))
def test_any_range_round_trips(a: int, b: int, unit: str, dash: str) -> None:
    box = parse_timebox(f"{a}{dash}{b} {unit}")
    assert box is not None
    assert (box.min_minutes, box.max_minutes) == (a, b)
    again = parse_timebox(format_minutes(box))
    assert again is not None and (again.min_minutes, again.max_minutes) == (a, b)


@given(st.integers(min_value=0, max_value=500), units, hour_units)
def test_hours_are_sixty_minutes(n: int, unit: str, hour_unit: str) -> None:
    as_minutes = parse_timebox(f"{n} {unit}")
    as_hours = parse_timebox(f"{n} {hour_unit}")
    assert as_minutes is not None and as_hours is not None
    assert as_hours.min_minutes == 60 * as_minutes.min_minutes


@given(st.integers(min_value=0, max_value=48), st.integers(min_value=0, max_value=59))
def test_compound_hours_and_minutes(h: int, m: int) -> None:
    box = parse_timebox(f"{h}h{m}m")
    assert box is not None and box.min_minutes == 60 * h + m


@given(st.integers(min_value=1, max_value=300), st.sampled_from(["Deploy", "1.2 Fix ACME", "Phase 3: Tune"]))
def test_title_box_placements_agree(n: int, title: str) -> None:
    for written in (f"{title} - {n} min", f"{title} ({n} min)", f"{title} ⏰ {n} min"):
        found = find_timebox(written)
        assert found is not None, written
        assert found[0].min_minutes == n and found[1] == title
