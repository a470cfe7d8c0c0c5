"""The object store: versions, selectors, garbage collection and watch history."""

from __future__ import annotations

import pytest

from cockpit.sandbox.errors import ApiError
from cockpit.sandbox.resources import DEPLOYMENTS, JOBS, NAMESPACES, PODS, REPLICASETS
from cockpit.sandbox.selectors import parse_field_selector, parse_label_selector
from cockpit.sandbox.store import Store


def _pod(name: str, ns: str = "data-platform", labels: dict[str, str] | None = None, **status: str) -> dict:
    return {"metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "spec": {}, "status": status}


@pytest.fixture
def store() -> Store:
    s = Store(seed=1)
    s.create(NAMESPACES, {"metadata": {"name": "data-platform"}})
    return s


def test_create_assigns_identity_and_global_versions(store: Store) -> None:
    a = store.create(PODS, _pod("a"))
    b = store.create(PODS, _pod("b"))
    assert a["kind"] == "Pod" and a["apiVersion"] == "v1" and a["metadata"]["uid"]
    assert int(b["metadata"]["resourceVersion"]) == int(a["metadata"]["resourceVersion"]) + 1
    with pytest.raises(ApiError) as exc:
        store.create(PODS, _pod("a"))
    assert exc.value.code == 409 and exc.value.message == 'pods "a" already exists'


def test_same_seed_gives_same_uids() -> None:
    uids = [
        Store(seed=7).create(NAMESPACES, {"metadata": {"name": "x"}})["metadata"]["uid"] for _ in range(2)
    ]
    assert uids[0] == uids[1]


def test_noop_update_keeps_version_and_emits_nothing(store: Store) -> None:
    pod = store.create(PODS, _pod("a"))
    seen: list[str] = []
    store.subscribe(lambda kind, rt, obj: seen.append(kind))
    same = store.update(PODS, pod)
    assert same["metadata"]["resourceVersion"] == pod["metadata"]["resourceVersion"] and seen == []
    pod["metadata"]["labels"] = {"x": "1"}
    changed = store.update(PODS, pod)
    assert changed["metadata"]["resourceVersion"] != pod["metadata"]["resourceVersion"] and seen == [
        "MODIFIED"
    ]
    assert "generation" not in changed["metadata"]  # core objects carry none


def test_generation_counts_spec_changes_only(store: Store) -> None:
    deploy = store.create(DEPLOYMENTS, {"metadata": {"name": "d", "namespace": "data-platform"}, "spec": {}})
    assert deploy["metadata"]["generation"] == 1
    deploy["metadata"]["labels"] = {"a": "b"}
    deploy["status"] = {"replicas": 1}
    assert store.update(DEPLOYMENTS, deploy)["metadata"]["generation"] == 1
    deploy["spec"] = {"replicas": 0}
    assert store.update(DEPLOYMENTS, deploy)["metadata"]["generation"] == 2


def test_stale_update_conflicts(store: Store) -> None:
    pod = store.create(PODS, _pod("a"))
    store.mutate(PODS, "data-platform", "a", lambda o: o["metadata"].update(labels={"v": "2"}))
    with pytest.raises(ApiError) as exc:
        store.update(PODS, pod, check_version=True)
    assert exc.value.code == 409 and "the object has been modified" in exc.value.message


def test_label_and_field_selectors(store: Store) -> None:
    store.create(PODS, _pod("a", labels={"app": "api"}, phase="Running"))
    store.create(PODS, _pod("b", labels={"app": "master"}, phase="Failed"))
    store.create(PODS, _pod("c", phase="Running"))
    names = lambda sel, fs=None: [p["metadata"]["name"] for p in store.list(PODS, None, sel, fs)]  # noqa: E731
    assert names("app in (api,master)") == ["a", "b"]
    assert names("app notin (api)") == ["b", "c"]
    assert names("app!=api") == ["b", "c"]
    assert names("app") == ["a", "b"] and names("!app") == ["c"]
    assert names(None, "status.phase=Running") == ["a", "c"]
    assert names("app", "status.phase!=Running") == ["b"]
    with pytest.raises(ValueError, match=r"field label not supported: spec\.foo"):
        parse_field_selector("spec.foo=1", PODS)
    with pytest.raises(ValueError):
        parse_label_selector("app in ()")


def test_jobs_status_successful_reads_succeeded(store: Store) -> None:
    store.create(JOBS, {"metadata": {"name": "ok", "namespace": "data-platform"}, "status": {"succeeded": 1}})
    store.create(JOBS, {"metadata": {"name": "bad", "namespace": "data-platform"}, "status": {"failed": 3}})
    assert [
        j["metadata"]["name"] for j in store.list(JOBS, "data-platform", None, "status.successful==0")
    ] == ["bad"]


def test_paging_walks_every_object_once(store: Store) -> None:
    for i in range(7):
        store.create(PODS, _pod(f"p{i}"))
    seen, token = [], None
    while True:
        page = store.select(PODS, None, limit=3, continue_token=token)
        seen += [e.name for e in page.entries]
        token = page.continue_token
        if not token:
            break
    assert seen == [f"p{i}" for i in range(7)]


def test_continue_pages_are_one_snapshot_of_the_first_pages_version(store: Store) -> None:
    for i in range(0, 10, 2):
        store.create(PODS, _pod(f"p{i}", phase="Pending"))
    first = store.select(PODS, None, limit=2)
    assert [e.name for e in first.entries] == ["p0", "p2"]
    # between the pages: creates before and after the cursor, a change, a delete, a delete + re-create
    store.create(PODS, _pod("p1"))
    store.create(PODS, _pod("p5"))
    store.patch(PODS, "data-platform", "p4", {"status": {"phase": "Running"}})
    store.delete(PODS, "data-platform", "p6")
    store.delete(PODS, "data-platform", "p8")
    store.create(PODS, _pod("p8", phase="Failed"))
    rest = store.select(PODS, None, limit=100, continue_token=first.continue_token)
    assert rest.resource_version == first.resource_version  # the list's version, as on the first page
    assert [(e.name, e.obj["status"]["phase"]) for e in rest.entries] == [
        ("p4", "Pending"),
        ("p6", "Pending"),
        ("p8", "Pending"),
    ]
    # a watch from the list's version then brings exactly what the snapshot did not show
    seen: list[tuple[str, str]] = []
    watch = store.watch(
        PODS,
        None,
        str(first.resource_version),
        parse_label_selector(""),
        parse_field_selector("", PODS),
        lambda kind, entry, rv: seen.append((kind, entry.name if entry else "")),
    )
    watch.cancel()
    assert seen == [
        ("ADDED", "p1"),
        ("ADDED", "p5"),
        ("MODIFIED", "p4"),
        ("DELETED", "p6"),
        ("DELETED", "p8"),
        ("ADDED", "p8"),
    ]


def test_a_continue_token_older_than_the_history_is_410_expired(store: Store) -> None:
    for i in range(4):
        store.create(PODS, _pod(f"p{i}"))
    first = store.select(PODS, None, limit=2)
    store.create(PODS, _pod("p9"))
    store.compact()
    with pytest.raises(ApiError) as exc:
        store.select(PODS, None, limit=2, continue_token=first.continue_token)
    assert exc.value.code == 410 and exc.value.reason == "Expired"
    assert "too old to display a consistent list result" in exc.value.message


def _owned(store: Store, rt, name: str, owner: dict) -> dict:  # type: ignore[no-untyped-def]
    ref = {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
    }
    return store.create(
        rt, {"metadata": {"name": name, "namespace": "data-platform", "ownerReferences": [ref]}}
    )


def test_background_delete_collects_the_whole_tree(store: Store) -> None:
    deploy = store.create(
        DEPLOYMENTS, {"metadata": {"name": "api", "namespace": "data-platform"}, "spec": {}}
    )
    rs = _owned(store, REPLICASETS, "api-1", deploy)
    _owned(store, PODS, "api-1-x", rs)
    store.delete(DEPLOYMENTS, "data-platform", "api", "Background")
    assert store.count(REPLICASETS) == 0 and store.count(PODS) == 0


def test_orphan_delete_keeps_dependents_without_owner(store: Store) -> None:
    job = store.create(JOBS, {"metadata": {"name": "init", "namespace": "data-platform"}})
    _owned(store, PODS, "init-x", job)
    store.delete(JOBS, "data-platform", "init", "Orphan")
    pod = store.get(PODS, "data-platform", "init-x")
    assert "ownerReferences" not in pod["metadata"]


def test_deleting_a_namespace_deletes_its_objects(store: Store) -> None:
    store.create(PODS, _pod("a"))
    store.delete(NAMESPACES, None, "data-platform")
    assert store.count(PODS) == 0


def test_watch_replays_after_version_and_expires_after_compaction(store: Store) -> None:
    a = store.create(PODS, _pod("a", labels={"app": "x"}))
    rv = a["metadata"]["resourceVersion"]
    got: list[tuple[str, str]] = []
    store.create(PODS, _pod("b", labels={"app": "x"}))
    w = store.watch(
        PODS,
        "data-platform",
        rv,
        parse_label_selector("app=x"),
        parse_field_selector(None, PODS),
        lambda kind, entry, _rv: got.append((kind, entry.name)),
    )
    store.mutate(PODS, "data-platform", "a", lambda o: o["metadata"].update(labels={"app": "y"}))
    w.cancel()
    store.create(PODS, _pod("c", labels={"app": "x"}))
    assert got == [("ADDED", "b"), ("DELETED", "a")]  # a left the selection
    store.compact()
    with pytest.raises(ApiError) as exc:
        store.watch(
            PODS, None, rv, parse_label_selector(None), parse_field_selector(None, PODS), lambda *_: None
        )
    assert exc.value.code == 410 and exc.value.reason == "Expired"


def test_filtered_paging_finds_matches_across_namespaces_and_counts_only_plain_lists(store: Store) -> None:
    store.create(NAMESPACES, {"metadata": {"name": "kong"}})
    for i in range(5):
        store.create(PODS, _pod(f"a{i}", labels={"app": "x" if i % 2 == 0 else "y"}))
        store.create(PODS, _pod(f"k{i}", ns="kong", labels={"app": "x"}))
    x = parse_label_selector("app=x")
    first = store.select(PODS, None, x, limit=4)
    assert [e.name for e in first.entries] == ["a0", "a2", "a4", "k0"] and first.remaining is None
    second = store.select(PODS, None, x, limit=4, continue_token=first.continue_token)
    assert [e.name for e in second.entries] == ["k1", "k2", "k3", "k4"] and second.continue_token is None
    plain = store.select(PODS, None, limit=4)
    assert plain.remaining == 6
    store.delete(PODS, "data-platform", "a4")  # deleted after the first page: still in the snapshot
    rest = store.select(PODS, None, limit=100, continue_token=plain.continue_token)
    assert [e.name for e in rest.entries] == ["a4", "k0", "k1", "k2", "k3", "k4"]


def test_patch_helper_speaks_the_three_formats(store: Store) -> None:
    store.create(
        DEPLOYMENTS,
        {
            "metadata": {"name": "d", "namespace": "data-platform"},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a"}]}}},
        },
    )
    store.patch(DEPLOYMENTS, "data-platform", "d", {"spec": {"replicas": 0}})
    store.patch(
        DEPLOYMENTS,
        "data-platform",
        "d",
        [{"op": "add", "path": "/metadata/labels", "value": {"x": "1"}}],
        "json",
    )
    out = store.patch(
        DEPLOYMENTS,
        "data-platform",
        "d",
        {"spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}},
        "strategic",
    )
    assert out["spec"]["replicas"] == 0 and out["metadata"]["labels"] == {"x": "1"}
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["a", "b"]


def test_graceful_termination_then_reap() -> None:
    now = [1_000_000.0]
    store = Store(clock=lambda: now[0])
    store.create(NAMESPACES, {"metadata": {"name": "data-platform"}})
    store.create(PODS, _pod("a"))
    marked = store.terminate(PODS, "data-platform", "a", grace=30, shutdown=2)
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30 and marked["metadata"]["deletionTimestamp"]
    assert store.reap() == 0 and store.exists(PODS, "data-platform", "a")
    store.mutate(PODS, "data-platform", "a", lambda p: p["status"].update(phase="Running"))  # still going
    assert store.exists(PODS, "data-platform", "a")
    now[0] += 2
    assert store.reap() == 1 and not store.exists(PODS, "data-platform", "a")


def test_finalizers_hold_a_deleted_object_until_removed(store: Store) -> None:
    store.create(
        PODS, {**_pod("a"), "metadata": {"name": "a", "namespace": "data-platform", "finalizers": ["x"]}}
    )
    obj, gone = store.delete(PODS, "data-platform", "a")
    assert not gone and obj["metadata"]["deletionTimestamp"]
    store.mutate(PODS, "data-platform", "a", lambda p: p["metadata"].update(finalizers=[]))
    assert not store.exists(PODS, "data-platform", "a")


def test_create_many_stores_the_given_objects_and_tells_watchers(store: Store) -> None:
    seen: list[tuple[str, str]] = []
    store.subscribe(lambda kind, rt, obj: seen.append((kind, obj["metadata"]["name"])))
    given = [_pod("a"), _pod("b", ns="tenant-000")]
    stored = store.create_many(PODS, given)
    assert [p["metadata"]["namespace"] for p in stored] == ["data-platform", "tenant-000"]
    assert stored[0]["kind"] == "Pod" and stored[0]["metadata"]["uid"]
    assert store.get(PODS, "tenant-000", "b")["metadata"]["uid"] == stored[1]["metadata"]["uid"]
    assert seen == [("ADDED", "a"), ("ADDED", "b")]
    with pytest.raises(ApiError, match='pods "a" already exists'):
        store.create_many(PODS, [_pod("c"), _pod("a")])
    assert store.exists(PODS, "data-platform", "c") and seen[-1] == ("ADDED", "c")


def test_put_keeps_the_given_version_which_may_share_the_unchanged_parts(store: Store) -> None:
    store.create(PODS, {**_pod("a"), "spec": {"containers": [{"name": "app"}]}})
    seen: list[tuple[str, str]] = []
    store.subscribe(lambda kind, rt, obj: seen.append((kind, obj["metadata"]["resourceVersion"])))
    stored = store.entry(PODS, "data-platform", "a")
    assert stored is not None
    old = stored.obj
    new = {**old, "metadata": {**old["metadata"]}, "status": {"phase": "Running"}}
    store.put(PODS, new)
    now = store.entry(PODS, "data-platform", "a")
    assert now is not None and now.obj["spec"] is old["spec"]  # shared, not copied
    assert now.obj["status"] == {"phase": "Running"} and old["status"] == {}  # the old version intact
    assert seen == [("MODIFIED", now.obj["metadata"]["resourceVersion"])]
    store.put(PODS, {**now.obj, "metadata": {**now.obj["metadata"]}})  # the same again: no event
    assert len(seen) == 1
    store.delete(PODS, "data-platform", "a")
    assert seen[-1][0] == "DELETED" and now.obj["metadata"]["resourceVersion"] == seen[0][1]
    with pytest.raises(ApiError, match='pods "a" not found'):
        store.put(PODS, {**old, "metadata": {**old["metadata"]}})
