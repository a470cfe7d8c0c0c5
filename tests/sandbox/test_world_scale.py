"""Scale knobs: filler pods up to N, churn at R events per second, both deterministic for a seed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

from cockpit.sandbox.resources import NAMESPACES, PODS
from cockpit.sandbox.world.pods import display_status

from .world_helpers import advance, make_world


def test_pods_knob_fills_the_cluster_to_n_with_realistic_pods() -> None:
    _, store, _ = make_world(pods=1200)
    pods = store.list(PODS)
    assert len(pods) == 1200
    filler = [p for p in pods if p["metadata"]["labels"].get("cockpit.sandbox/filler")]
    assert len(filler) == 1200 - 138
    assert len({p["metadata"]["namespace"] for p in filler}) >= 4
    assert all(ns["status"]["phase"] == "Active" for ns in store.list(NAMESPACES))
    sizes = [len(orjson.dumps(p)) for p in filler[:100]]
    assert min(sizes) >= 4000 and max(sizes) <= 7200
    sample = filler[0]
    assert sample["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    assert sample["spec"]["containers"][0]["env"] and sample["spec"]["containers"][0]["volumeMounts"]
    assert {c["type"] for c in sample["status"]["conditions"]} >= {"Ready", "PodScheduled"}
    assert Counter(display_status(p) for p in filler) == {"Running": len(filler)}
    # the scenario is untouched by the filler
    assert Counter(display_status(p) for p in pods if p not in filler)["Running"] == 104


def test_pods_knob_below_the_scenario_adds_nothing() -> None:
    _, store, _ = make_world(pods=50)
    assert len(store.list(PODS)) == 138


def _churn_run(seed: int) -> tuple[int, list[tuple[str, int, bool]], int]:
    world, store, clock = make_world(seed=seed, pods=400, churn=200.0)
    events: list[str] = []

    def count(kind: str, rt: Any, obj: dict[str, Any]) -> None:
        if rt is PODS and obj["metadata"]["labels"].get("cockpit.sandbox/filler"):
            events.append(kind)

    store.subscribe(count)
    advance(world, clock, 2.0, step=0.1)
    pods = sorted(
        (
            p["metadata"]["name"],
            p["status"]["containerStatuses"][0]["restartCount"],
            p["status"]["containerStatuses"][0]["ready"],
        )
        for p in store.list(PODS)
        if p["metadata"]["labels"].get("cockpit.sandbox/filler")
    )
    return world.churn.count, pods, len(events)


def test_churn_makes_r_pod_events_per_second_deterministically() -> None:
    count, pods, events = _churn_run(5)
    assert 380 <= count <= 400  # 200/s for 2 s
    assert events >= count  # replacements are two events (DELETED + ADDED)
    assert len(pods) == 400 - 138
    assert any(restarts for _, restarts, _ in pods) and not all(ready for _, _, ready in pods)
    again = _churn_run(5)
    assert again[:2] == (count, pods)


def test_a_churned_pod_shares_its_unchanged_spec_with_the_version_before() -> None:
    """Thousands of new versions a second: each copies only the status it changes (and its
    metadata), the spec (most of a pod) is the stored one, and the version before stays as it was."""
    world, store, clock = make_world(seed=3, pods=300, churn=100.0)
    before = {
        (e.obj["metadata"]["namespace"], e.obj["metadata"]["name"]): e.obj
        for e in (store.entry(PODS, ns, name) for ns, name in world.churn.pods)
        if e is not None
    }
    frozen = {key: orjson.dumps(obj) for key, obj in before.items()}
    advance(world, clock, 1.0, step=0.1)
    changed = 0
    for (ns, name), old in before.items():
        entry = store.entry(PODS, ns, name)
        if entry is not None and entry.obj is not old:
            changed += 1
            assert entry.obj["spec"] is old["spec"] and entry.obj["status"] is not old["status"]
        assert orjson.dumps(old) == frozen[(ns, name)]  # no version is changed in place
    assert changed > 20
