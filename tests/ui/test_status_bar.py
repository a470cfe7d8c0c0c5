"""The status line keeps what matters when the terminal is narrow: the target and the forecast."""

from __future__ import annotations

from cockpit.ui.rows import Palette
from cockpit.ui.widgets.status_bar import StatusInfo, status_text

INFO = StatusInfo(
    session_seconds=600,
    active_title="1.2 Stabilize DolphinScheduler control plane",
    active_seconds=65,
    active_box_minutes=15,
    finish_group="Phase 1",
    finish_at="06:20–06:35",
    context="cockpit-sandbox",
    namespace="data-platform",
    sandbox=True,
)


def test_narrow_line_keeps_banner_target_and_forecast_within_80_columns() -> None:
    line = status_text(INFO, Palette(), 80).plain
    assert len(line) <= 80
    assert "SANDBOX" in line and "1:05/15m" in line
    assert "cockpit-sandbox/data-platform" in line and "Phase 1 by 06:35" in line


def test_wide_line_names_the_task_and_says_done() -> None:
    line = status_text(INFO, Palette(), 160).plain
    assert "1.2 Stabilize DolphinScheduler control plane" in line
    assert "Phase 1 done ≈ 06:20–06:35" in line


def test_over_the_estimate_is_said_not_a_past_time() -> None:
    info = StatusInfo(finish_group="Phase 2", finish_at=None, context="c")
    assert "Phase 2 over its estimate" in status_text(info, Palette(), 160).plain
