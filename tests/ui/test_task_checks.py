"""The task view's live check line follows the cluster: ✓ when the certificate turns Ready."""

from __future__ import annotations

from dataclasses import replace

from cockpit.cluster.certs import CertStatus
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.session.state import TaskState

from .conftest import AppFactory
from .plans import make_plan

PENDING = CertStatus(
    uid="u1",
    namespace="data-platform",
    name="spark-history-tls",
    ready="False",
    reason="DoesNotExist",
    message="",
    not_after=None,
    renewal_time=None,
)


class Hub:
    """What the app reads of a cluster hub for checks: its latest snapshot."""

    def __init__(self) -> None:
        self.certs: tuple[CertStatus, ...] = (PENDING,)

    def snapshot(self) -> ClusterSnapshot:
        return ClusterSnapshot(certs=self.certs)


async def test_check_line_turns_green_when_the_cluster_agrees(make_app: AppFactory) -> None:
    plan = make_plan()
    plan.sections[0].children[0].success_criteria = ["certificate spark-history-tls is Ready"]
    app = make_app(plan=plan)
    hub = Hub()
    async with app.run_test(size=(120, 40)) as pilot:
        app.task_checks.hub = hub
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        line = app.query_one("#task-check")
        app.tick_clock()
        await pilot.pause()
        assert "✗ check not met yet" in str(line.render())
        assert "not Ready: DoesNotExist" in str(line.render())
        hub.certs = (replace(PENDING, ready="True", reason="Ready"),)
        app.tick_clock()  # what the one-second clock does
        await pilot.pause()
        assert "✓ check passed — press space to tick" in str(line.render())
        assert line.has_class("-passed")
        assert app.session.state_of("1.1") is TaskState.ACTIVE  # offered, never ticked by itself
        await pilot.press("t", "space")
        await pilot.pause()
        assert app.session.state_of("1.1") is TaskState.DONE


async def test_a_task_without_checks_shows_no_check_line(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.query_one("#task-check").display
