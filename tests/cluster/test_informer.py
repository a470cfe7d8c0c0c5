"""The shared informer: paging, batching, and no gap or duplicate after 410, silence or a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes.client import ApiClient, Configuration

from cockpit.cluster.backoff import Backoff
from cockpit.cluster.health import Deadlines
from cockpit.cluster.informer import ChangeSet, Dispatcher, Informer, InformerState
from cockpit.cluster.kubeapi import PODS, KubeApi, ResourceKind

from .fakeapi import FakeApi


def _name(obj: dict[str, Any]) -> tuple[str, str]:
    return (obj["metadata"]["name"], str(obj.get("value", "")))


class Recorder:
    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.batches: list[ChangeSet[Any]] = []
        self.lock = threading.Lock()

    def __call__(self, batch: ChangeSet[Any]) -> None:
        with self.lock:
            self.batches.append(batch)
            batch.apply_to(self.rows)

    def view(self) -> dict[str, str]:
        with self.lock:
            return {k[4:]: v[1] for k, v in self.rows.items()}

    def wait(self, expected: dict[str, str], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.view() == expected:
                return
            time.sleep(0.02)
        assert self.view() == expected


@pytest.fixture
def fake() -> Iterator[FakeApi]:
    api = FakeApi().start()
    yield api
    api.stop()


def make(fake: FakeApi, kind: ResourceKind = PODS, **kw: Any) -> tuple[Informer[Any], Recorder, Dispatcher]:
    cfg = Configuration(host=fake.url)
    cfg.retries = False
    client = ApiClient(cfg)
    dispatcher = Dispatcher(rate=20)
    kw.setdefault("backoff", Backoff(initial=0.05, cap=0.2))
    informer = Informer(KubeApi(client), kind, None, _name, dispatcher, **kw)
    rec = Recorder()
    informer.subscribe(rec)
    return informer.start(), rec, dispatcher


def test_lists_in_pages_then_follows_changes(fake: FakeApi) -> None:
    for i in range(5):
        fake.put(f"p{i}", value=i)
    informer, rec, disp = make(fake, page_size=2)
    assert informer.wait_synced(5)
    rec.wait({f"p{i}": str(i) for i in range(5)})
    assert fake.lists == 3  # 2 + 2 + 1
    fake.put("p1", value="changed")
    fake.delete("p0")
    fake.put("p9", value=9)
    rec.wait({"p1": "changed", "p2": "2", "p3": "3", "p4": "4", "p9": "9"})
    assert informer.health.state is InformerState.CONNECTED
    informer.stop()
    disp.stop()


def test_changes_are_coalesced_into_few_batches(fake: FakeApi) -> None:
    informer, rec, disp = make(fake)
    assert informer.wait_synced(5)
    for i in range(300):
        fake.put(f"p{i}", value=i)
    rec.wait({f"p{i}": str(i) for i in range(300)})
    data_batches = [b for b in rec.batches if not b.empty]
    assert len(data_batches) < 30  # 300 events, delivered at most ~20 times a second
    informer.stop()
    disp.stop()


def test_a_whole_list_is_delivered_without_waiting_to_coalesce(fake: FakeApi) -> None:
    """Changes wait 1/rate s for company; a list is everything at once and goes out at once (here
    the dispatcher would hold a change for 1000 s)."""
    for i in range(3):
        fake.put(f"p{i}", value=i)
    cfg = Configuration(host=fake.url)
    cfg.retries = False
    dispatcher = Dispatcher(rate=0.001)
    informer = Informer(KubeApi(ApiClient(cfg)), PODS, None, _name, dispatcher, page_size=2)
    rec = Recorder()
    informer.subscribe(rec)
    informer.start()
    rec.wait({f"p{i}": str(i) for i in range(3)})
    assert informer.health.synced
    informer.stop()
    dispatcher.stop()


def test_410_relists_and_emits_exactly_the_missed_changes(fake: FakeApi) -> None:
    for name in ("a", "b", "c"):
        fake.put(name, value=1)
    informer, rec, disp = make(fake)
    rec.wait({"a": "1", "b": "1", "c": "1"})
    time.sleep(0.1)
    before = len(rec.batches)
    fake.silent = True  # the open watch delivers nothing from here on
    fake.delete("a")
    fake.put("b", value=2)
    fake.put("d", value=1)
    fake.compact()  # history gone: resuming the watch gets 410
    time.sleep(0.3)
    fake.silent = False
    rec.wait({"b": "2", "c": "1", "d": "1"})
    assert informer.relists == 2
    time.sleep(0.2)
    after = rec.batches[before:]
    upserted = [k for b in after for k in b.upserts]
    deleted = [k for b in after for k in b.deletes]
    assert sorted(upserted) == ["uid-b", "uid-d"]  # c unchanged: not re-sent
    assert deleted == ["uid-a"]
    informer.stop()
    disp.stop()


def test_silent_stream_is_cut_by_read_timeout_and_resumed(fake: FakeApi) -> None:
    fake.put("a", value=1)
    informer, rec, disp = make(fake, deadlines=Deadlines(silence=0.4))
    rec.wait({"a": "1"})
    fake.silent = True
    fake.put("a", value=2)
    time.sleep(1.0)
    assert rec.view() == {"a": "1"}
    fake.silent = False
    rec.wait({"a": "2"})
    assert fake.watches >= 2  # reconnected after the read timeout
    assert informer.relists == 1  # resumed from its resourceVersion, no relist
    informer.stop()
    disp.stop()


def test_server_restart_recovers_without_duplicates(fake: FakeApi) -> None:
    for name in ("a", "b"):
        fake.put(name, value=1)
    informer, rec, disp = make(fake)
    rec.wait({"a": "1", "b": "1"})
    port = fake.port
    fake.stop()
    deadline = time.monotonic() + 5
    while "Cannot reach" not in informer.health.error and time.monotonic() < deadline:
        time.sleep(0.02)  # (the watch the stop ended first counts as a watch ended at once)
    health = informer.health
    assert health.state is InformerState.RECONNECTING
    assert health.error.startswith("Cannot reach the API server at http://127.0.0.1:")
    assert health.stale_seconds() is not None
    fake.delete("a")
    fake.put("c", value=1)
    fake.compact()
    fake.start(port)
    rec.wait({"b": "1", "c": "1"})
    deadline = time.monotonic() + 5
    while informer.health.state is not InformerState.CONNECTED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert informer.health.stale_seconds() is None
    informer.stop()
    disp.stop()


def test_forbidden_and_missing_crd_say_so(fake: FakeApi) -> None:
    fake.status = 403
    informer, _rec, disp = make(fake, denied_retry=0.1)
    deadline = time.monotonic() + 5
    while informer.health.state is not InformerState.FORBIDDEN and time.monotonic() < deadline:
        time.sleep(0.02)
    assert informer.health.state is InformerState.FORBIDDEN
    assert "Forbidden (403)" in informer.health.error
    fake.status = 200
    deadline = time.monotonic() + 5
    while informer.health.state is not InformerState.CONNECTED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert informer.health.state is InformerState.CONNECTED  # recovers by itself
    informer.stop()
    disp.stop()
    apps = ResourceKind("argoproj.io", "v1alpha1", "applications", "Application")
    informer2, _r, disp2 = make(fake, kind=apps)
    deadline = time.monotonic() + 5
    while informer2.health.state is not InformerState.NOT_INSTALLED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert informer2.health.error.startswith(
        "ArgoCD is not installed: this cluster has no applications.argoproj.io API"
    )
    informer2.stop()
    disp2.stop()


def test_forbidden_cluster_wide_list_falls_back_to_the_namespace(fake: FakeApi) -> None:
    fake.paths.add("/api/v1/namespaces/ns/pods")
    fake.forbidden.add("/api/v1/pods")
    fake.put("a", value=1)
    informer, rec, disp = make(fake, fallback_namespace="ns")
    rec.wait({"a": "1"})
    assert informer.health.state is InformerState.CONNECTED
    assert informer.scope_note == "namespace ns only: listing pods in all namespaces is forbidden"
    fake.put("b", value=2)
    rec.wait({"a": "1", "b": "2"})
    informer.stop()
    disp.stop()


def test_a_paged_first_list_says_loading_until_it_is_whole(fake: FakeApi) -> None:
    for i in range(6):
        fake.put(f"p{i}", value=i)
    fake.page_delay = 0.3  # each page takes a while: the pane must not look live and empty meanwhile
    informer, rec, disp = make(fake, page_size=2)
    seen: list[tuple[InformerState, int]] = []
    deadline = time.monotonic() + 10
    while not informer.health.synced and time.monotonic() < deadline:
        seen.append((informer.health.state, len(rec.view())))
        time.sleep(0.01)
    rec.wait({f"p{i}": str(i) for i in range(6)})
    assert seen and all(state is InformerState.STARTING for state, _ in seen)
    assert informer.health.state is InformerState.CONNECTED
    informer.stop()
    disp.stop()


@pytest.mark.parametrize("which", ["official client", "plain-credential client"])
def test_lists_are_asked_compressed_and_inflated(fake: FakeApi, which: str) -> None:
    """A list asks for gzip, as kubectl does (a real API server then sends 10k pods in a few MB
    instead of 63); what arrives compressed is inflated to the same rows. A damaged compressed
    body is one sentence, never a half-read list."""
    from cockpit.cluster.kubeapi import ClusterError
    from cockpit.cluster.kubeclient import SimpleClient

    for i in range(50):
        fake.put(f"p{i}", value=i)
    if which == "official client":
        cfg = Configuration(host=fake.url)
        cfg.retries = False
        api = KubeApi(ApiClient(cfg))
    else:
        api = KubeApi(SimpleClient(fake.url))
    doc = api.get_json("/api/v1/pods")
    assert fake.gzipped == 1
    assert sorted(item["metadata"]["name"] for item in doc["items"]) == sorted(f"p{i}" for i in range(50))
    informer = Informer(api, PODS, None, _name, Dispatcher(rate=20), backoff=Backoff(initial=0.05, cap=0.2))
    rec = Recorder()
    informer.subscribe(rec)
    informer.start()
    try:
        assert informer.wait_synced(5)
        rec.wait({f"p{i}": str(i) for i in range(50)})
        assert fake.gzipped >= 2  # the informer's list came compressed too
    finally:
        informer.stop()
    fake.corrupt_gzip = True
    with pytest.raises(ClusterError) as failed:
        api.get_json("/api/v1/pods", what="list pods")
    assert str(failed.value).endswith("for list pods.")  # "sent data that is not JSON ..."
