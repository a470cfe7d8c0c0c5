"""The live panes in a small app: rows, problem pods first, filters, degradation sentences."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Log, Static

from cockpit.cluster.hub import ClusterHub
from cockpit.plan.model import Metric, Plan
from cockpit.ui.panes import ArgoPane, CertsPane, LogsPane, MetricsPane, PodsPane, build_live_panes
from cockpit.ui.widgets.virtual_table import VirtualTable
from tests.cluster.fakeapi import FakeApi
from tests.cluster.podjson import cs, pod
from tests.pane_app import PaneApp


def pod_obj(name: str, *, crash: bool = False, ns: str = "data-platform") -> dict[str, Any]:
    containers = [cs(waiting="CrashLoopBackOff", restarts=5, last="OOMKilled")] if crash else None
    obj = pod(name, namespace=ns, containers=containers)
    return {k: obj[k] for k in ("spec", "status")}


@pytest.fixture
def fake() -> Iterator[FakeApi]:
    api = FakeApi().start()
    yield api
    api.stop()


@pytest.fixture
def hub(fake: FakeApi, tmp_path: Any) -> Iterator[ClusterHub]:
    cfg = tmp_path / "kubeconfig"
    cfg.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
        f"clusters: [{{name: c, cluster: {{server: '{fake.url}'}}}}]\n"
        "users: [{name: u, user: {token: abc}}]\n"
        "contexts: [{name: test, context: {cluster: c, user: u, namespace: data-platform}}]\n"
    )
    h = ClusterHub.connect(kubeconfig=cfg, env={}, informer_options={"denied_retry": 0.2})
    assert h.connected, h.problem
    yield h
    h.stop()


async def wait_until(pilot: Any, predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if predicate():
            return
    assert predicate()


def column(table: DataTable[Any] | VirtualTable, key: str) -> list[str]:
    index = table.get_column_index(key)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def names(table: DataTable[Any] | VirtualTable) -> list[str]:
    return column(table, "name")


async def test_pods_pane_lists_problem_pods_first_and_follows_changes(fake: FakeApi, hub: ClusterHub) -> None:
    fake.put("api-1", **pod_obj("api-1"))
    fake.put("trino-worker-1", **pod_obj("trino-worker-1", crash=True))
    fake.put("minio-1", **pod_obj("minio-1"))
    app = PaneApp(PodsPane(hub))
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one("#pods-table", VirtualTable)
        await wait_until(pilot, lambda: table.row_count == 3)
        assert names(table) == ["trino-worker-1", "api-1", "minio-1"]
        assert column(table, "status") == ["CrashLoopBackOff", "Running", "Running"]
        headers = [c.header for c in table.columns]
        assert headers[:6] == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]  # kubectl's order
        summary = str(app.query_one("#pods-summary", Static).render())
        assert "Pod health 67% (2/3 pods)" in summary and "CrashLoopBackOff 1" in summary
        assert "Running or Completed" in str(app.query_one("#pods-formula", Static).render())
        fake.delete("trino-worker-1")
        await wait_until(pilot, lambda: table.row_count == 2)
        assert "trino-worker-1" not in names(table)
        await pilot.press("slash")
        await pilot.press(*"minio")
        await wait_until(pilot, lambda: names(table) == ["minio-1"])


async def test_crd_absent_and_no_cluster_are_explained(fake: FakeApi, hub: ClusterHub) -> None:
    app = PaneApp(ArgoPane(hub), CertsPane(hub))
    async with app.run_test(size=(160, 40)) as pilot:
        argo_status = app.query_one("#argo-pane .pane-status", Static)
        await wait_until(pilot, lambda: "not installed" in str(argo_status.render()))
        assert str(argo_status.render()).startswith(
            "ArgoCD is not installed: this cluster has no applications"
        )
        certs_status = app.query_one("#certs-pane .pane-status", Static)
        await wait_until(pilot, lambda: "cert-manager is not installed" in str(certs_status.render()))

    nohub = ClusterHub.connect(kubeconfig=None, env={"HOME": "/nonexistent"})
    app2 = PaneApp(*(w for _t, w in build_live_panes(nohub)[:5]))
    async with app2.run_test(size=(160, 40)) as pilot:
        await pilot.pause(0.1)
        texts = [str(s.render()) for s in app2.query(".pane-status").results(Static)]
        assert len(texts) == 5 and all(t.startswith("No kubeconfig found") for t in texts)


async def test_unreachable_server_shows_stale_age_and_recovers(fake: FakeApi, hub: ClusterHub) -> None:
    fake.put("api-1", **pod_obj("api-1"))
    app = PaneApp(PodsPane(hub))
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one("#pods-table", VirtualTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        port = fake.port
        fake.stop()
        status = app.query_one(".pane-status", Static)
        await wait_until(pilot, lambda: "Cannot reach the API server" in str(status.render()))
        await wait_until(pilot, lambda: "s ago (stale)" in str(status.render()), timeout=3)
        assert table.row_count == 1  # last known rows stay visible
        fake.put("api-2", **pod_obj("api-2"))
        fake.compact()
        fake.start(port)
        await wait_until(pilot, lambda: table.row_count == 2, timeout=10)
        await wait_until(pilot, lambda: not status.display)


async def test_logs_pane_interleaves_searches_and_pauses(hub: ClusterHub) -> None:
    pane = LogsPane(hub, max_lines=100)
    app = PaneApp(pane)
    async with app.run_test(size=(160, 40)) as pilot:
        pane.buffer.on_lines = pane._lines_arrived
        pane.buffer.extend("api-1", "app", [("", "started"), ("", "ERROR db refused")])
        pane.buffer.extend("api-2", "app", [("", "started")])
        log = app.query_one("#logs-view", Log)
        await wait_until(pilot, lambda: log.line_count == 3)
        assert list(log.lines) == ["api-1 │ started", "api-1 │ ERROR db refused", "api-2 │ started"]
        assert pane.search("error") == 1
        log.focus()
        await pilot.press("a")  # pause
        pane.buffer.extend("api-1", "app", [("", f"line {i}") for i in range(150)])
        await pilot.pause(0.2)
        assert log.line_count == 3
        await pilot.press("a")  # resume: catch up from the bounded buffer
        await wait_until(pilot, lambda: list(log.lines)[-1] == "api-1 │ line 149")
        assert pane.skipped == 50  # 150 written while paused, the buffer holds the last 100
        assert log.line_count <= 100


async def test_metrics_pane_shows_live_values_against_targets(fake: FakeApi, hub: ClusterHub) -> None:
    for i in range(3):
        fake.put(f"ok-{i}", **pod_obj(f"ok-{i}"))
    fake.put("bad-0", **pod_obj("bad-0", crash=True))
    metrics = [Metric("Pod Health", "75%", "80%", 1), Metric("Running Pods", "104", "110+", 2)]
    app = PaneApp(MetricsPane(hub, plan=Plan("t", "<string>", metrics=metrics)))
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one("#metrics-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2 and str(table.get_row_at(0)[1]) != "-")
        assert [str(c) for c in table.get_row_at(0)] == [
            "Pod Health",
            "75% (3/4 pods)",
            "80%",
            "✗ not met",
            "75% (3/4 pods)",
            "75%",
        ]
        fake.delete("bad-0")
        await wait_until(pilot, lambda: str(table.get_row_at(0)[3]) == "✓ met")
        assert str(table.get_row_at(0)[4]) == "75% (3/4 pods)"  # baseline kept


async def test_a_task_whose_check_turns_true_is_offered_not_ticked(fake: FakeApi, hub: ClusterHub) -> None:
    from cockpit.plan.model import Node, NodeKind

    fake.put("ok-0", **pod_obj("ok-0"))
    fake.put("bad-0", **pod_obj("bad-0", crash=True))
    task = Node("1", NodeKind.TASK, "Stabilise pods", 3, success_criteria=["Fewer than 1 pods not running"])
    plan = Plan("t", "<string>", sections=[task])
    pane = MetricsPane(hub, plan=plan)
    app = PaneApp(pane)
    offered: list[str] = []
    async with app.run_test(size=(160, 40)) as pilot:
        app.notify = lambda message, **kw: offered.append(message)  # type: ignore[method-assign]
        checks = app.query_one("#checks-table", DataTable)
        await wait_until(
            pilot, lambda: checks.row_count == 1 and str(checks.get_row_at(0)[0]).startswith("✗")
        )
        assert [str(c) for c in checks.get_row_at(0)] == [
            "✗ 1 not Running",
            "Stabilise pods",
            "fewer than 1 pods not Running",
        ]
        fake.delete("bad-0")
        await wait_until(pilot, lambda: str(checks.get_row_at(0)[0]).startswith("✓"))
        assert offered == ["Stabilise pods: its check is now true. Tick it in the plan if you agree."]


def test_logs_pane_size_comes_from_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub: ClusterHub
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("logs:\n  max_lines: 2500\n")
    monkeypatch.setenv("COCKPIT_CONFIG", str(config))
    panes = dict(build_live_panes(hub))
    logs = panes["Logs"]
    assert isinstance(logs, LogsPane) and logs.max_lines == 2500 and logs.buffer.max_lines == 2500


async def test_ages_and_restart_times_age_like_kubectls(
    fake: FakeApi, hub: ClusterHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AGE and RESTARTS' '(Xs ago)' move on with the clock while no pod changes (kubectl's texts)."""
    created = 1_761_300_000.0
    crash = pod_obj("db-0", crash=True)
    crash["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"] = "2025-10-24T10:00:30Z"
    fake.put(
        "db-0",
        metadata={
            "name": "db-0",
            "namespace": "ns",
            "uid": "uid-db-0",
            "resourceVersion": "1",
            "creationTimestamp": "2025-10-24T10:00:00Z",
        },
        **crash,
    )
    now = [created + 65]
    monkeypatch.setattr(PodsPane, "clock", staticmethod(lambda: now[0]))
    app = PaneApp(PodsPane(hub))
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.query_one("#pods-table", VirtualTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        assert column(table, "age") == ["65s"] and column(table, "restarts") == ["5 (35s ago)"]
        pane = app.query_one(PodsPane)
        pane._tick()  # nothing is due yet: the same second
        now[0] += 10
        pane._tick()
        await wait_until(pilot, lambda: column(table, "age") == ["75s"])
        assert column(table, "restarts") == ["5 (45s ago)"]


async def test_pods_pane_batches_redraw_only_what_changed_and_match_a_full_render(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300 pods, then batches of restarts, crashes, recoveries, deletions and new pods: the table
    the incremental renders built equals a render of every row from scratch, a pod changing off
    screen repaints nothing, and one changing on screen repaints its row only."""
    import random

    from cockpit.cluster.informer import ChangeSet
    from cockpit.cluster.pods import summarize_pod
    from cockpit.ui.panes.base import InformerBatch

    monkeypatch.setattr(PodsPane, "clock", staticmethod(lambda: 1_761_400_000.0))
    key = ("", "v1", "pods", "")

    def summary(name: str, restarts: int = 0, crash: bool = False) -> Any:
        state = cs(waiting="CrashLoopBackOff", restarts=restarts) if crash else cs(running=True, ready=True)
        state["restartCount"] = restarts
        return summarize_pod(pod(name, containers=[state]))

    nohub = ClusterHub.connect(kubeconfig=None, env={"HOME": "/nonexistent"})
    pane = PodsPane(nohub)
    app = PaneApp(pane)
    layouts: list[object] = []
    async with app.run_test(size=(160, 30), message_hook=layouts.append) as pilot:
        table = app.query_one("#pods-table", VirtualTable)
        pods = {f"uid-p-{i:03d}": summary(f"p-{i:03d}", crash=i % 50 == 0) for i in range(300)}
        pane.on_informer_batch(InformerBatch(ChangeSet(key, dict(pods), set(), True)))
        pane.render_rows()
        assert table.row_count == 300
        rng = random.Random(7)
        made = 300
        for _ in range(40):
            upserts, deletes = {}, set()
            for uid in rng.sample(sorted(pods), 8):
                p = pods[uid]
                roll = rng.random()
                if roll < 0.5:
                    upserts[uid] = summary(p.name, p.restarts + 1, crash=p.status != "Running")
                elif roll < 0.7:
                    upserts[uid] = summary(p.name, p.restarts, crash=p.status == "Running")
                else:
                    deletes.add(uid)
                    made += 1
                    fresh = summary(f"p-{made:03d}")
                    upserts[fresh.uid] = fresh
            for uid in deletes:
                del pods[uid]
            pods.update(upserts)
            pane.on_informer_batch(InformerBatch(ChangeSet(key, upserts, deletes)))
            pane.render_rows()
        incremental = (table.row_keys, [tuple(map(str, table.get_row_at(i))) for i in range(table.row_count)])
        summary_text = str(pane.query_one("#pods-summary", Static).render())
        pane._redraw = True
        pane.render_rows()
        assert (table.row_keys, [tuple(map(str, table.get_row_at(i))) for i in range(table.row_count)]) == (
            incremental
        )
        assert sorted(table.row_keys) == sorted(pods)
        crashing = sum(p.status != "Running" for p in pods.values())
        assert f"Running {300 - crashing} · CrashLoopBackOff {crashing}" in summary_text

        await pilot.pause()
        painted = table.paints

        def restart(uid: str) -> None:
            p = pods[uid] = summary(
                pods[uid].name, pods[uid].restarts + 1, crash=pods[uid].status != "Running"
            )
            pane.on_informer_batch(InformerBatch(ChangeSet(key, {uid: p}, set())))
            pane.render_rows()

        restart(table.row_keys[250])  # far off screen
        await pilot.pause()
        assert table.paints == painted
        restart(table.row_keys[2])
        await pilot.pause()
        assert table.paints == painted + 1
        layouts.clear()  # a pod crashing changes the counts in the summary line, not its height
        uid = next(k for k in reversed(table.row_keys) if pods[k].status == "Running")
        pods[uid] = summary(pods[uid].name, crash=True)
        pane.on_informer_batch(InformerBatch(ChangeSet(key, {uid: pods[uid]}, set())))
        pane.render_rows()
        await pilot.pause()
        assert f"CrashLoopBackOff {crashing + 1}" in str(pane.query_one("#pods-summary", Static).render())
        assert not [m for m in layouts if type(m).__name__ == "Layout"]


async def test_the_pods_summary_grows_a_line_when_its_counts_wrap(monkeypatch: pytest.MonkeyPatch) -> None:
    """New counts in the health line repaint it without a screen layout, unless it needs another
    line: then the pane makes room (the counts are never cut off)."""
    from cockpit.cluster.informer import ChangeSet
    from cockpit.cluster.pods import summarize_pod
    from cockpit.ui.panes.base import InformerBatch

    monkeypatch.setattr(PodsPane, "clock", staticmethod(lambda: 1_761_400_000.0))
    key = ("", "v1", "pods", "")
    pane = PodsPane(ClusterHub.connect(kubeconfig=None, env={"HOME": "/nonexistent"}))
    app = PaneApp(pane)
    async with app.run_test(size=(70, 30)) as pilot:
        box = pane.query_one("#pods-summary", Static)
        running = {f"uid-r-{i}": summarize_pod(pod(f"r-{i}")) for i in range(3)}
        pane.on_informer_batch(InformerBatch(ChangeSet(key, running, set(), True)))
        pane.render_rows()
        await pilot.pause()
        assert box.size.height == 1
        waiting = ("CrashLoopBackOff", "ImagePullBackOff", "CreateContainerConfigError", "ErrImagePull")
        broken = {
            f"uid-w-{i}": summarize_pod(pod(f"w-{i}", containers=[cs(waiting=reason)]))
            for i, reason in enumerate(waiting)
        }
        pane.on_informer_batch(InformerBatch(ChangeSet(key, broken, set())))
        pane.render_rows()
        await pilot.pause()
        text = str(box.render())
        assert all(f"{reason} 1" in text for reason in waiting) and box.size.height >= 2
