"""What `kubectl exec` finds in the world's containers: health endpoints that follow the component's
state, a few configuration files, its main process."""

from __future__ import annotations

from cockpit.sandbox.resources import JOBS, PODS
from cockpit.sandbox.world import World

from .world_helpers import advance, make_world

HEALTH = ["curl", "-sf", "http://localhost:12345/dolphinscheduler/actuator/health"]


def _ds_api_pod(world: World) -> str:
    pods = world.store.list(
        PODS, "data-platform", label_selector="app.kubernetes.io/name=dolphinscheduler-api"
    )
    return sorted(p["metadata"]["name"] for p in pods)[0]


def _running(world: World, name: str) -> bool:
    entry = world.store.entry(PODS, "data-platform", name)
    assert entry is not None
    return "running" in entry.obj["status"]["containerStatuses"][0]["state"]


def test_dolphinscheduler_health_follows_the_schema_job_fix() -> None:
    world, store, clock = make_world(time_scale=5)  # the port opens 1 s after a start, crashes at 9 s
    pod = _ds_api_pod(world)
    for _ in range(400):  # wait for a crash-looping instance to start
        if _running(world, pod):
            break
        advance(world, clock, 0.5, step=0.5)
    assert _running(world, pod)
    refused = world.exec("data-platform", pod, "dolphinscheduler-api", HEALTH)
    assert refused is not None and (refused.exit_code, refused.stdout, refused.stderr) == (7, "", "")
    loud = world.exec("data-platform", pod, "dolphinscheduler-api", ["curl", "-sSf", HEALTH[-1]])
    assert loud is not None and loud.stderr == (
        "curl: (7) Failed to connect to localhost port 12345 after 0 ms: Connection refused\n"
    )
    advance(world, clock, 1.5, step=0.5)  # the server listens, its database check fails
    assert _running(world, pod)
    down = world.exec("data-platform", pod, "dolphinscheduler-api", ["curl", "-sSf", HEALTH[-1]])
    assert down is not None and down.exit_code == 22
    assert down.stderr == "curl: (22) The requested URL returned error: 503\n"
    body = world.exec("data-platform", pod, "dolphinscheduler-api", ["curl", "-s", HEALTH[-1]])
    assert body is not None and (body.exit_code, body.stdout) == (0, '{"status":"DOWN"}')

    store.delete(JOBS, "data-platform", "dolphinscheduler-full-schema-init", "Background")
    advance(world, clock, 90, step=1.0)  # the next restart, at most 5 min / 5 of back-off away
    up = world.exec("data-platform", pod, "dolphinscheduler-api", HEALTH)
    assert up is not None and (up.exit_code, up.stdout) == (0, '{"status":"UP"}')
    missing = world.exec(
        "data-platform", pod, "dolphinscheduler-api", ["curl", "-sf", "localhost:12345/nope"]
    )
    assert missing is not None and missing.exit_code == 22
    elsewhere = world.exec(
        "data-platform", pod, "dolphinscheduler-api", ["curl", "-sS", "http://minio-x:9000/"]
    )
    assert elsewhere is not None and elsewhere.exit_code == 6
    assert elsewhere.stderr == "curl: (6) Could not resolve host: minio-x\n"


def test_trino_config_agrees_with_its_crash_and_ls_and_ps_answer() -> None:
    world, store, _ = make_world()
    pod = store.list(PODS, "data-platform", label_selector="app.kubernetes.io/name=trino-worker")[0]
    name = pod["metadata"]["name"]
    config = world.exec("data-platform", name, "trino-worker", ["cat", "/etc/trino/config.properties"])
    assert config is not None and "query.max-memory-per-node=6GB\n" in config.stdout
    assert "coordinator=false\n" in config.stdout
    listing = world.exec("data-platform", name, "trino-worker", ["ls", "-la", "/etc/trino"])
    assert listing is not None
    assert listing.stdout.split() == ["catalog", "config.properties", "jvm.config", "node.properties"]
    missing = world.exec("data-platform", name, "trino-worker", ["cat", "/etc/trino/nope"])
    assert missing is not None and missing.exit_code == 1
    assert missing.stderr == "cat: /etc/trino/nope: No such file or directory\n"
    ps = world.exec("data-platform", name, "trino-worker", ["ps", "aux"])
    assert ps is not None and "io.trino.server.TrinoServer" in ps.stdout and f"-Dnode.id={name}" in ps.stdout
    shell = world.exec("data-platform", name, "trino-worker", ["sh", "-c", "cat /etc/hostname"])
    assert shell is not None and shell.stdout == name + "\n"
    assert world.exec("data-platform", name, "trino-worker", ["sh", "-c", "cat /etc/hosts | wc -l"]) is None
    assert world.exec("data-platform", name, "trino-worker", ["trino", "--execute", "select 1"]) is None


def test_curl_to_a_service_reaches_a_ready_pod_or_is_refused() -> None:
    world, store, clock = make_world(time_scale=30)
    grafana = store.list(PODS, "monitoring", label_selector="app.kubernetes.io/name=grafana")[0]
    name, c = grafana["metadata"]["name"], grafana["spec"]["containers"][0]["name"]
    url = "http://dolphinscheduler-api.data-platform.svc.cluster.local:12345/dolphinscheduler/actuator/health"

    def curl(*args: str) -> tuple[int, str, str]:
        done = world.exec("monitoring", name, c, ["curl", "-sS", *args])
        assert done is not None
        return done.exit_code, done.stdout, done.stderr

    host = "dolphinscheduler-api.data-platform.svc.cluster.local"
    assert curl(url) == (
        7,
        "",
        f"curl: (7) Failed to connect to {host} port 12345 after 0 ms: Connection refused\n",
    )
    info = curl("http://trino-coordinator.data-platform:8080/v1/info")
    assert info[0] == 0 and '"coordinator":true' in info[1]
    assert curl("http://nowhere:80/")[2] == "curl: (6) Could not resolve host: nowhere\n"
    assert curl("http://trino-coordinator.data-platform:9999/")[0] == 28
    store.delete(JOBS, "data-platform", "dolphinscheduler-full-schema-init", "Background")
    advance(world, clock, 20, step=0.5)
    assert curl(url) == (0, '{"status":"UP"}', "")
