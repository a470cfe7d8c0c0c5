"""Pod logs: believable per component, stable for a seed, previous instances, tail/since, follow."""

from __future__ import annotations

import asyncio

import pytest

from cockpit.sandbox.resources import PODS
from cockpit.sandbox.world import ScenarioError
from cockpit.sandbox.worldapi import LogSource

from .world_helpers import advance, make_world


def _pod(store, ns: str, app: str, label: str = "app") -> str:  # type: ignore[no-untyped-def]
    return store.list(PODS, ns, label_selector=f"{label}={app}")[0]["metadata"]["name"]


def test_world_logs_are_a_log_source() -> None:
    world, _, _ = make_world()
    assert isinstance(world.logs, LogSource)


def test_crashing_components_say_why() -> None:
    world, store, _ = make_world()
    logs = world.logs
    api = logs.read(
        "data-platform",
        _pod(store, "data-platform", "dolphinscheduler-api"),
        "dolphinscheduler-api",
        False,
        None,
        100,
    )
    text = "\n".join(line for _, line in api)
    assert 'relation "t_ds_version" already exists' in text and "\tat org.postgresql" in text
    assert text.splitlines()[-1].startswith("\t... ")  # ends with the stack trace, as a crashed JVM does
    trino = "\n".join(
        line
        for _, line in logs.read(
            "data-platform", _pod(store, "data-platform", "trino-worker"), "trino-worker", False, None, 50
        )
    )
    assert "Insufficient memory" in trino and "Catalog 'iceberg' failed to load" in trino
    gms = "\n".join(
        line
        for _, line in logs.read(
            "data-platform", _pod(store, "data-platform", "datahub-gms"), "datahub-gms", False, None, 200
        )
    )
    assert "Connection refused" in gms and "datahub-kafka:9092" in gms
    job = _pod(store, "data-platform", "dolphinscheduler-full-schema-init", "job-name")
    schema = "\n".join(line for _, line in logs.read("data-platform", job, "", False, None, None))
    assert "Table 't_ds_version' already exists" in schema


def test_healthy_pods_write_steady_timestamped_lines() -> None:
    world, store, clock = make_world()
    kong = _pod(store, "kong", "kong-kong")
    lines = world.logs.read("kong", kong, "kong-kong", False, None, 100)
    assert len(lines) == 100
    times = [t for t, _ in lines]
    assert times == sorted(times) and times[-1] <= clock.t and clock.t - times[-1] < 10
    assert all('"GET ' in line or '"POST ' in line for _, line in lines)
    assert "{" not in lines[0][1].split("kong_request_id")[0]  # every field filled in
    since = world.logs.read("kong", kong, "kong-kong", False, clock.t - 30, None)
    assert since and all(t >= clock.t - 30 for t, _ in since) and len(since) < 40
    everything = world.logs.read("kong", kong, "kong-kong", False, None, None)
    assert len(everything) == 10_000  # older lines rotated away
    assert world.logs.read("kong", kong, "kong-kong", False, None, 0) == []


def test_same_seed_same_lines() -> None:
    first, store1, _ = make_world(seed=3)
    second, store2, _ = make_world(seed=3)
    pod = _pod(store1, "monitoring", "grafana")
    assert pod == _pod(store2, "monitoring", "grafana")
    assert first.logs.read("monitoring", pod, "grafana", False, None, 50) == second.logs.read(
        "monitoring", pod, "grafana", False, None, 50
    )


def test_previous_container_logs_of_a_restarted_pod() -> None:
    world, store, clock = make_world()
    pod = _pod(store, "data-platform", "doris-fe")
    before = world.logs.read("data-platform", pod, "doris-fe", True, None, None)
    assert before and "will exit" in "\n".join(line for _, line in before)
    advance(world, clock, 320, step=2)  # the next restart happens within the 5-minute back-off
    cs = store.get(PODS, "data-platform", pod)["status"]["containerStatuses"][0]
    previous = world.logs.read("data-platform", pod, "doris-fe", True, None, None)
    finished = cs["lastState"]["terminated"]["finishedAt"]
    assert previous[-1][0] <= clock.t and previous != before
    assert finished[:16] in __import__("time").strftime(
        "%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(previous[-1][0])
    )


def test_a_static_pod_without_a_previous_instance_has_no_previous_logs() -> None:
    world, store, _ = make_world()
    pod = _pod(store, "monitoring", "grafana")
    assert world.logs.read("monitoring", pod, "grafana", True, None, None) == []


async def test_follow_yields_new_lines_as_time_passes() -> None:
    world, store, clock = make_world()
    pod = _pod(store, "kong", "kong-kong")
    got: list[tuple[float, str]] = []

    async def consume() -> None:
        async for line in world.logs.follow("kong", pod, "kong-kong", clock.t):
            got.append(line)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    assert got == []
    clock.t += 30
    await asyncio.sleep(0.4)
    task.cancel()
    assert 10 <= len(got) <= 30 and all(t > clock.t - 30 for t, _ in got)


async def test_follow_ends_when_the_container_crashes() -> None:
    world, store, clock = make_world()
    pod = _pod(store, "data-platform", "doris-fe")
    store.delete(PODS, "data-platform", pod, "Background")
    advance(world, clock, 5)  # the statefulset's new doris-fe-0 is running
    got: list[tuple[float, str]] = []

    async def consume() -> None:
        async for line in world.logs.follow("data-platform", "doris-fe-0", "doris-fe", clock.t - 5):
            got.append(line)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    advance(world, clock, 20)
    await asyncio.wait_for(task, 2)
    assert "will exit" in "\n".join(line for _, line in got)


async def test_follow_rate_for_benchmarks() -> None:
    world, store, clock = make_world()
    world.logs.follow_rate = 5000
    pod = _pod(store, "kong", "kong-kong")
    got: list[tuple[float, str]] = []

    async def consume() -> None:
        async for line in world.logs.follow("kong", pod, "kong-kong", clock.t):
            got.append(line)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    clock.t += 1.0
    await asyncio.sleep(0.3)
    task.cancel()
    assert len(got) == 5000


def test_log_rate_is_an_option_and_checked() -> None:
    world, _, _ = make_world(log_rate=2500)
    assert world.logs.follow_rate == 2500
    with pytest.raises(
        ScenarioError, match=r"log rate must be between 0\.1 and 50000 lines per second, not 90000"
    ):
        make_world(log_rate=90000)


def test_log_times_read_pod_stamps_as_utc_in_a_summer_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Log lines are placed from the pod's startedAt; a local DST offset must not shift them."""
    import time

    from cockpit.sandbox.world.names import parse_rfc3339, rfc3339

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert rfc3339(parse_rfc3339("2025-10-24T14:30:00Z")) == "2025-10-24T14:30:00Z"
        assert parse_rfc3339("2025-07-01T12:00:00.5Z") == 1751371200.5
    finally:
        monkeypatch.undo()
        time.tzset()
