"""What the Platform pane journals for the transcript reads as the pane shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from cockpit.cluster.platform.promql import MetricReading, Sample
from cockpit.cluster.platform.snapshot import PlatformSnapshot


def test_recorded_promql_values_read_as_on_screen() -> None:
    now = datetime.now(UTC)
    count = MetricReading("count(up == 1)", now, samples=(Sample({}, 104.0),))
    api = MetricReading(
        'up{app="dolphinscheduler-api"}',
        now,
        samples=tuple(Sample({"pod": str(i)}, 0.0) for i in range(6)),
    )
    broken = MetricReading("rate(x[5m])", now, error="rate() is not supported")
    snap = PlatformSnapshot(
        metrics=(count, api, broken), metrics_at=now, bindings={"Running Pods": "count(up == 1)"}
    )
    values = snap.record()
    assert values["PromQL count(up == 1)"] == "104"  # not 104.0
    assert values['PromQL up{app="dolphinscheduler-api"}'] == "0/6 series = 1"
    assert values["PromQL rate(x[5m])"] == "rate() is not supported"
    assert values["Running Pods (PromQL)"] == "104"
