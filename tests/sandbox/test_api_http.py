"""The REST API at the HTTP level: discovery, Tables, paging, watch semantics, patches, scale,
status, deletes and logs, as real clients send them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox

from .minicluster import make_sandbox

DP = "data-platform"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = make_sandbox().start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def http(box: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=box.url, timeout=10) as client:
        yield client


@pytest.fixture
def own() -> Iterator[tuple[Sandbox, httpx.Client]]:
    sandbox = make_sandbox(bookmark_interval=0.2).start()
    with httpx.Client(base_url=sandbox.url, timeout=10) as client:
        yield sandbox, client
    sandbox.stop()


def test_version_and_health(http: httpx.Client) -> None:
    assert http.get("/version").json()["gitVersion"].startswith("v1.31.")
    assert http.get("/healthz").text == "ok" and http.get("/readyz").status_code == 200


@pytest.mark.parametrize("version", ["v2", "v2beta1"])
def test_aggregated_discovery_echoes_the_media_type(http: httpx.Client, version: str) -> None:
    accept = f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList,application/json"
    reply = http.get("/apis", headers={"Accept": accept})
    assert (
        reply.headers["content-type"]
        == f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
    )
    groups = {g["metadata"]["name"]: g for g in reply.json()["items"]}
    apps = groups["argoproj.io"]["versions"][0]["resources"][0]
    assert apps["resource"] == "applications" and apps["shortNames"] == ["app", "apps"]
    assert apps["responseKind"] == {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application"}
    deploy = next(x for x in groups["apps"]["versions"][0]["resources"] if x["resource"] == "deployments")
    scale = next(s for s in deploy["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"]["kind"] == "Scale" and deploy["scope"] == "Namespaced"
    core = http.get("/api", headers={"Accept": accept}).json()["items"][0]
    assert core["metadata"]["name"] == "" and any(
        x["resource"] == "pods" for x in core["versions"][0]["resources"]
    )


def test_legacy_discovery(http: httpx.Client) -> None:
    assert http.get("/api").json()["versions"] == ["v1"]
    names = [g["name"] for g in http.get("/apis").json()["groups"]]
    assert {
        "apps",
        "batch",
        "argoproj.io",
        "cert-manager.io",
        "acme.cert-manager.io",
        "velero.io",
        "networking.k8s.io",
    } <= set(names)
    batch = http.get("/apis/batch/v1").json()
    cj = next(x for x in batch["resources"] if x["name"] == "cronjobs")
    assert cj["shortNames"] == ["cj"] and cj["namespaced"] is True and cj["kind"] == "CronJob"
    core = {x["name"]: x for x in http.get("/api/v1").json()["resources"]}
    assert core["pods/log"]["verbs"] == ["get"] and core["nodes"]["namespaced"] is False
    assert http.get("/apis/nope.io/v1").status_code == 404


def test_list_is_raw_json_with_kind_and_version(http: httpx.Client) -> None:
    doc = http.get(f"/apis/batch/v1/namespaces/{DP}/jobs").json()
    assert doc["kind"] == "JobList" and doc["apiVersion"] == "batch/v1"
    assert int(doc["metadata"]["resourceVersion"]) > 0 and len(doc["items"]) == 4
    empty = http.get("/apis/velero.io/v1/namespaces/velero/backups").json()
    assert empty["items"] == []


def test_table_include_object_variants(http: httpx.Client) -> None:
    url = f"/api/v1/namespaces/{DP}/pods"
    meta = http.get(url, headers={"Accept": TABLE}).json()
    assert meta["kind"] == "Table" and meta["columnDefinitions"][0]["name"] == "Name"
    assert meta["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    full = http.get(url, params={"includeObject": "Object"}, headers={"Accept": TABLE}).json()
    assert full["rows"][0]["object"]["kind"] == "Pod"
    bare = http.get(url, params={"includeObject": "None"}, headers={"Accept": TABLE}).json()
    assert "object" not in bare["rows"][0]


def test_paging_with_limit_and_continue(http: httpx.Client) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 3}
    while True:
        page = http.get("/api/v1/pods", params=params).json()
        seen += [p["metadata"]["name"] for p in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            break
        assert page["metadata"]["remainingItemCount"] > 0
        params = {"limit": 3, "continue": token}
    everything = [p["metadata"]["name"] for p in http.get("/api/v1/pods").json()["items"]]
    assert seen == everything and len(seen) == 10


def test_paged_list_is_a_snapshot_and_an_expired_token_is_410(
    own: tuple[Sandbox, httpx.Client],
) -> None:
    box, http = own
    first = http.get("/api/v1/pods", params={"limit": 3}).json()
    listed = [p["metadata"]["name"] for p in first["items"]]
    rv = first["metadata"]["resourceVersion"]
    # created between the pages, in front of the cursor and behind it: in no page, but in the watch
    for name in ("aaa-between", "zzz-between"):
        http.post(f"/api/v1/namespaces/{DP}/pods", json={"metadata": {"name": name}, "spec": {}})
    token = first["metadata"]["continue"]
    while token:
        page = http.get("/api/v1/pods", params={"limit": 3, "continue": token}).json()
        assert page["metadata"]["resourceVersion"] == rv
        listed += [p["metadata"]["name"] for p in page["items"]]
        token = page["metadata"].get("continue")
    assert len(listed) == 10 and not {"aaa-between", "zzz-between"} & set(listed)
    with http.stream(
        "GET", "/api/v1/pods", params={"watch": "true", "resourceVersion": rv, "timeoutSeconds": 1}
    ) as watch:
        added = [json.loads(line)["object"]["metadata"]["name"] for line in watch.iter_lines() if line]
    assert added == ["aaa-between", "zzz-between"]
    again = http.get("/api/v1/pods", params={"limit": 3}).json()
    http.delete(f"/api/v1/namespaces/{DP}/pods/aaa-between")
    box.store.compact()  # the history back to the first page's version is gone
    gone = http.get("/api/v1/pods", params={"limit": 3, "continue": again["metadata"]["continue"]})
    assert gone.status_code == 410
    assert gone.json()["reason"] == "Expired" and "continue parameter is too old" in gone.json()["message"]


def test_field_and_label_selectors(http: httpx.Client) -> None:
    pods = http.get("/api/v1/pods", params={"fieldSelector": "status.phase=Failed"}).json()["items"]
    assert len(pods) == 3
    pods = http.get("/api/v1/pods", params={"fieldSelector": "spec.nodeName=k8s-master"}).json()["items"]
    assert [p["metadata"]["name"] for p in pods] == ["grafana-6f9-zzz"]
    pods = http.get(
        "/api/v1/pods", params={"labelSelector": "app,app notin (minio,grafana),app!=portal-services"}
    )
    assert len(pods.json()["items"]) == 3
    bad = http.get("/apis/batch/v1/jobs", params={"fieldSelector": "status.failed=1"})
    assert bad.status_code == 400 and bad.json()["reason"] == "BadRequest"
    assert bad.json()["message"] == "field label not supported: status.failed"


def test_not_found_status_is_exact(http: httpx.Client) -> None:
    reply = http.get(f"/apis/batch/v1/namespaces/{DP}/jobs/x")
    assert reply.status_code == 404
    assert reply.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'jobs.batch "x" not found',
        "reason": "NotFound",
        "details": {"name": "x", "group": "batch", "kind": "jobs"},
        "code": 404,
    }


def _events(reply: httpx.Response) -> Iterator[dict]:  # type: ignore[type-arg]
    for line in reply.iter_lines():
        if line.strip():
            yield json.loads(line)


def test_watch_from_zero_lists_then_streams_and_honours_timeout(own: tuple[Sandbox, httpx.Client]) -> None:
    _box, http = own
    with http.stream(
        "GET",
        f"/api/v1/namespaces/{DP}/pods",
        params={"watch": "1", "resourceVersion": "0", "timeoutSeconds": "1"},
    ) as reply:
        assert reply.headers["transfer-encoding"] == "chunked"
        events = list(_events(reply))  # the stream ends: the server honoured timeoutSeconds
    assert {e["type"] for e in events} == {"ADDED"} and len(events) == 9


def test_watch_from_a_version_sends_only_later_changes_and_bookmarks_when_asked(
    own: tuple[Sandbox, httpx.Client],
) -> None:
    box, http = own
    rv = http.get(f"/api/v1/namespaces/{DP}/pods").json()["metadata"]["resourceVersion"]
    box.store.mutate(r.PODS, DP, "minio-0", lambda p: p["metadata"].update(labels={"app": "minio", "v": "2"}))
    params = {"watch": "true", "resourceVersion": rv, "timeoutSeconds": "1", "allowWatchBookmarks": "true"}
    with http.stream("GET", f"/api/v1/namespaces/{DP}/pods", params=params) as reply:
        events = list(_events(reply))
    assert events[0]["type"] == "MODIFIED" and events[0]["object"]["metadata"]["labels"]["v"] == "2"
    bookmarks = [e for e in events if e["type"] == "BOOKMARK"]
    assert bookmarks and bookmarks[-1]["object"]["metadata"]["resourceVersion"] == str(
        box.store.resource_version
    )
    params.pop("allowWatchBookmarks")
    with http.stream("GET", f"/api/v1/namespaces/{DP}/pods", params=params) as reply:
        assert [e["type"] for e in _events(reply)] == ["MODIFIED"]


def test_watch_too_old_gets_410_expired_event(own: tuple[Sandbox, httpx.Client]) -> None:
    box, http = own
    box.store.compact()
    box.store.mutate(r.PODS, DP, "minio-0", lambda p: p["metadata"].update(labels={"app": "minio", "v": "3"}))
    with http.stream("GET", "/api/v1/pods", params={"watch": "1", "resourceVersion": "2"}) as reply:
        events = list(_events(reply))
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert status["code"] == 410 and status["reason"] == "Expired"
    assert status["message"].startswith("too old resource version: 2 (")


def test_watch_as_table_sends_rows(own: tuple[Sandbox, httpx.Client]) -> None:
    _box, http = own
    params = {
        "watch": "1",
        "resourceVersion": "0",
        "timeoutSeconds": "1",
        "fieldSelector": "metadata.name=minio-0",
    }
    with http.stream(
        "GET", f"/api/v1/namespaces/{DP}/pods", params=params, headers={"Accept": TABLE}
    ) as reply:
        events = list(_events(reply))
    assert len(events) == 1 and events[0]["object"]["kind"] == "Table"
    assert events[0]["object"]["rows"][0]["cells"][:3] == ["minio-0", "1/1", "Running"]


def test_merge_json_and_strategic_patches(own: tuple[Sandbox, httpx.Client]) -> None:
    _box, http = own
    url = f"/apis/apps/v1/namespaces/{DP}/deployments/dolphinscheduler-api"
    merged = http.patch(
        url,
        content=b'{"metadata":{"labels":{"tier":"api"}}}',
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()
    assert merged["metadata"]["labels"]["tier"] == "api"
    rv = merged["metadata"]["resourceVersion"]
    again = http.patch(
        url,
        content=b'{"metadata":{"labels":{"tier":"api"}}}',
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()
    assert again["metadata"]["resourceVersion"] == rv  # a no-op keeps the version
    ops = json.dumps(
        [
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "test", "path": "/spec/replicas", "value": 3},
        ]
    ).encode()
    patched = http.patch(url, content=ops, headers={"Content-Type": "application/json-patch+json"}).json()
    assert patched["spec"]["replicas"] == 3
    failing = http.patch(
        url,
        content=b'[{"op":"remove","path":"/spec/nothing"}]',
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert failing.status_code in (400, 422)
    smp = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "env": [{"name": "TZ", "$patch": "delete"}, {"name": "X", "value": "1"}],
                        },
                        {"name": "sidecar", "image": "busybox"},
                    ]
                }
            }
        }
    }
    result = http.patch(
        url, json=smp, headers={"Content-Type": "application/strategic-merge-patch+json"}
    ).json()
    containers = result["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["main", "sidecar"]
    assert containers[0]["env"] == [{"name": "X", "value": "1"}] and containers[0]["image"].startswith(
        "apache/"
    )
    crd = http.patch(
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/data-platform",
        json={"spec": {}},
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )
    assert crd.status_code == 415 and crd.json()["reason"] == "UnsupportedMediaType"


def test_status_subresource_and_main_resource_keep_to_their_part(own: tuple[Sandbox, httpx.Client]) -> None:
    _box, http = own
    base = f"/apis/cert-manager.io/v1/namespaces/{DP}/certificates/spark-history-tls"
    ready = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}, "spec": {"secretName": "other"}}
    via_status = http.patch(
        f"{base}/status", json=ready, headers={"Content-Type": "application/merge-patch+json"}
    )
    doc = via_status.json()
    assert (
        doc["status"]["conditions"][0]["status"] == "True"
        and doc["spec"]["secretName"] == "spark-history-tls"
    )
    via_main = http.patch(
        base,
        json={"status": {"conditions": []}, "metadata": {"labels": {"a": "b"}}},
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()
    assert via_main["status"]["conditions"][0]["status"] == "True" and via_main["metadata"]["labels"] == {
        "a": "b"
    }


def test_scale_subresource(own: tuple[Sandbox, httpx.Client]) -> None:
    box, http = own
    url = f"/apis/apps/v1/namespaces/{DP}/deployments/datahub-mce-consumer/scale"
    scale = http.get(url).json()
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"]["replicas"] == 2 and scale["status"]["selector"] == "app=datahub-mce-consumer"
    scale["spec"]["replicas"] = 5
    assert http.put(url, json=scale).json()["spec"]["replicas"] == 5
    stale = http.put(url, json=scale)
    assert stale.status_code == 409 and stale.json()["reason"] == "Conflict"
    negative = http.patch(
        url, json={"spec": {"replicas": -1}}, headers={"Content-Type": "application/merge-patch+json"}
    )
    assert negative.status_code == 422
    assert box.store.get(r.DEPLOYMENTS, DP, "datahub-mce-consumer")["spec"]["replicas"] == 5


def test_create_put_and_conflicts(own: tuple[Sandbox, httpx.Client]) -> None:
    _box, http = own
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    created = http.post(f"/api/v1/namespaces/{DP}/configmaps", json=body)
    assert created.status_code == 201 and created.json()["metadata"]["namespace"] == DP
    dup = http.post(f"/api/v1/namespaces/{DP}/configmaps", json=body)
    assert dup.status_code == 409 and dup.json()["message"] == 'configmaps "c" already exists'
    nowhere = http.post("/api/v1/namespaces/nowhere/configmaps", json=body)
    assert nowhere.status_code == 404 and nowhere.json()["message"] == 'namespaces "nowhere" not found'
    obj = created.json()
    obj["data"] = {"a": "2"}
    assert http.put(f"/api/v1/namespaces/{DP}/configmaps/c", json=obj).json()["data"] == {"a": "2"}
    stale = http.put(f"/api/v1/namespaces/{DP}/configmaps/c", json=obj)
    assert stale.status_code == 409 and "the object has been modified" in stale.json()["message"]
    wrong = http.post(f"/api/v1/namespaces/{DP}/configmaps", json={**body, "kind": "Secret"})
    assert wrong.status_code == 400
    stamped = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": {},
        "metadata": {"name": "d", "creationTimestamp": None, "uid": "forged", "annotations": {}},
    }
    made = http.post(f"/api/v1/namespaces/{DP}/configmaps", json=stamped).json()["metadata"]
    assert made["creationTimestamp"].endswith("Z") and made["uid"] != "forged" and "annotations" not in made
    emptied = http.patch(
        f"/api/v1/namespaces/{DP}/configmaps/d",
        json={"metadata": {"annotations": {"x": None}}},
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()["metadata"]
    assert "annotations" not in emptied and emptied["resourceVersion"] == made["resourceVersion"]


def test_delete_replies_and_propagation(own: tuple[Sandbox, httpx.Client]) -> None:
    box, http = own
    reply = http.request(
        "DELETE",
        f"/apis/batch/v1/namespaces/{DP}/jobs/datahub-init-db",
        json={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan"},
    )
    status = reply.json()
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert status["details"]["name"] == "datahub-init-db" and status["details"]["kind"] == "jobs"
    orphan = box.store.get(r.PODS, DP, "datahub-init-db-abc12")
    assert "ownerReferences" not in orphan["metadata"]
    pod = http.delete(f"/api/v1/namespaces/{DP}/pods/minio-0").json()
    assert pod["kind"] == "Pod"  # pods reply with the object itself
    gone = http.request(
        "DELETE",
        f"/apis/apps/v1/namespaces/{DP}/deployments",
        params={"labelSelector": "app=dolphinscheduler-api"},
    ).json()
    assert gone["kind"] == "DeploymentList" and [d["metadata"]["name"] for d in gone["items"]] == [
        "dolphinscheduler-api"
    ]
    assert not box.store.exists(r.PODS, DP, "dolphinscheduler-api-7d9f-x2k4q")  # background GC


def test_pod_log_parameters(http: httpx.Client) -> None:
    url = f"/api/v1/namespaces/{DP}/pods/dolphinscheduler-api-7d9f-x2k4q/log"
    tail = http.get(url, params={"tailLines": "2", "timestamps": "true"})
    assert tail.headers["content-type"].startswith("text/plain")
    lines = tail.text.splitlines()
    assert len(lines) == 2 and lines[0][:2] == "20" and lines[0].split(" ", 1)[0].endswith("Z")
    assert len(http.get(url, params={"limitBytes": "10"}).content) == 10
    assert len(http.get(url, params={"sinceSeconds": "100000"}).text.splitlines()) == 150
    assert http.get(url, params={"sinceSeconds": "1"}).text == ""  # the last line is minutes old
    stamped = http.get(url, params={"timestamps": "1"}).text.splitlines()
    since = stamped[100].split(".", 1)[0] + "Z"  # whole seconds, as RFC 3339 allows
    recent = http.get(url, params={"sinceTime": since}).text.splitlines()
    assert len(recent) == 50 and recent[0].endswith("schema check 100")
    two = http.get(f"/api/v1/namespaces/{DP}/pods/trino-coordinator-0/log")
    assert two.status_code == 400 and "choose one of: [trino jmx]" in two.json()["message"]
    bad = http.get(f"/api/v1/namespaces/{DP}/pods/minio-0/log", params={"container": "nope"})
    assert bad.json()["message"] == "container nope is not valid for pod minio-0"
    missing = http.get(f"/api/v1/namespaces/{DP}/pods/minio-0/log", params={"previous": "true"})
    assert missing.json()["message"] == 'previous terminated container "main" in pod "minio-0" not found'


def test_openapi_v3_advertises_server_side_field_validation(http: httpx.Client) -> None:
    index = http.get("/openapi/v3").json()["paths"]
    doc = http.get("/" + index["apis/apps/v1"]["serverRelativeURL"].lstrip("/")).json()
    op = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert op["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    assert any(p["name"] == "fieldValidation" for p in op["parameters"])


def test_keep_alive_serves_many_requests_on_one_connection(http: httpx.Client) -> None:
    for _ in range(20):
        assert http.get("/api/v1/namespaces/argocd/pods").status_code == 200


def test_watch_list_sends_every_object_then_the_initial_events_end_bookmark(
    own: tuple[Sandbox, httpx.Client],
) -> None:
    _, http = own
    params = {
        "watch": "1",
        "sendInitialEvents": "true",
        "resourceVersionMatch": "NotOlderThan",
        "allowWatchBookmarks": "true",
        "timeoutSeconds": "1",
    }
    with http.stream("GET", f"/api/v1/namespaces/{DP}/pods", params=params) as reply:
        events = list(_events(reply))
    kinds = [e["type"] for e in events]
    assert kinds[:9] == ["ADDED"] * 9 and kinds[9] == "BOOKMARK"
    assert events[9]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
