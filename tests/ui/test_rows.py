"""Plan rows: state icon, time box, and an elapsed bar that turns warning at 80% and error past 100%."""

from __future__ import annotations

from cockpit.plan.model import Node, NodeKind, TimeBox
from cockpit.ui.rows import Palette, RowState, clock, row_label

PALETTE = Palette(success="green", warning="yellow", error="red", muted="grey50", accent="blue")
TASK = Node("1.1", NodeKind.TASK, "Look at the pods", 5, timebox=TimeBox(10, 10, "10 min"))


def bar_colours(elapsed: float) -> set[str]:
    label = row_label(TASK, RowState("active", elapsed, TASK.timebox), PALETTE)
    return {str(span.style) for span in label.spans if "▰" in label.plain[span.start : span.end]}


def test_row_reads_state_box_bar_title() -> None:
    label = row_label(TASK, RowState("active", 360, TASK.timebox), PALETTE).plain
    assert label == "▶    10m ▰▰▰▱▱ Look at the pods"
    done = row_label(TASK, RowState("done", 600, TASK.timebox), PALETTE).plain
    assert done.startswith("✓")


def test_bar_turns_warning_at_80_percent_and_error_past_the_box() -> None:
    assert bar_colours(7.9 * 60) == {"green"}
    assert bar_colours(8 * 60) == {"yellow"}
    assert bar_colours(10 * 60) == {"yellow"}
    assert bar_colours(10 * 60 + 1) == {"red"}


def test_clock_format() -> None:
    assert clock(65) == "1:05"
    assert clock(3725) == "1:02:05"


def test_emoji_presentation_selectors_are_dropped_from_plan_rows() -> None:
    from rich.cells import cell_len

    from cockpit.ui.rows import screen_text

    title = "⚠️ Issues Remaining (focus)"
    assert screen_text(title) == "⚠ Issues Remaining (focus)"
    assert cell_len(screen_text(title)) == len(screen_text(title))
