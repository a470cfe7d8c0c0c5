"""`cockpit sandbox snapshot` and snapshot scenarios: a cluster copied with read verbs only, served
again with the same `kubectl get` answers, and behaving on as it was recorded until a fix changes
the cause (the real kubectl, against sandboxes on 127.0.0.1)."""

from __future__ import annotations

import base64
import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import orjson
import pytest
import yaml

from cockpit.cli import main as cockpit_main
from cockpit.cluster.scenario_snapshot import PLACEHOLDER
from cockpit.kubeprint import parse_time
from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox
from cockpit.sandbox.world.names import rfc3339

from .conftest import Kubectl, kubectl_path

DP = "data-platform"
KINDS = "pods,deploy,jobs,certificates,applications"


def _kubectl(box: Sandbox, directory: Path) -> Kubectl:
    kubeconfig = box.write_kubeconfig(directory / "kubeconfig", namespace="default")
    return Kubectl(box, kubeconfig, directory / "cache", kubectl_path())


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _settled(box: Sandbox) -> None:
    """Past the world's first seconds, when the first failed pulls turn ErrImagePull into
    ImagePullBackOff: the rows compared stay put while both are read."""
    time.sleep(6.0)


def _snapshot(kubeconfig: Path, out: Path, *args: str) -> None:
    assert cockpit_main(["sandbox", "snapshot", "--kubeconfig", str(kubeconfig), *args, "-o", str(out)]) == 0


def _columns(kubectl: Kubectl) -> list[tuple[str, ...]]:
    """`kubectl get pods,deploy,jobs,certificates,applications -A`: every row less its ages, and
    RESTARTS as its count ('41 (3m ago)' -> '41'): what a copy must print the same."""
    rows = []
    for line in kubectl.ok("get", KINDS, "-A", "--no-headers").splitlines():
        cells = line.split()
        if cells[1].startswith("pod/"):  # NAMESPACE NAME READY STATUS RESTARTS [(Xs ago)] AGE
            rows.append(tuple(cells[:5]))
        elif cells[1].startswith(("deployment", "job")):  # ... READY/STATUS UP-TO-DATE ... AGE
            rows.append(tuple(cells[:-1] if not cells[1].startswith("job") else cells[:4]))
        else:
            rows.append(tuple(cells))
    return rows


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Kubectl, Path]]:
    directory = tmp_path_factory.mktemp("seed")
    box = Sandbox(seed=0).start()
    _settled(box)
    kubectl = _kubectl(box, directory)
    snap = directory / "scenario.yaml"
    _snapshot(kubectl.kubeconfig, snap)
    yield kubectl, snap
    box.stop()


def test_round_trip_prints_the_same_with_kubectl(seed: tuple[Kubectl, Path], tmp_path: Path) -> None:
    original, snap = seed
    before = _columns(original)
    copy = Sandbox(scenario=snap).start()
    try:
        after = _columns(_kubectl(copy, tmp_path))
        assert copy.simulation.errors == type(copy.simulation.errors)()
    finally:
        copy.stop()
    assert len(before) == 138 + 65 + 8 + 9 + 17
    assert after == before


def test_the_file_keeps_no_secret_value_and_no_runtime_noise(seed: tuple[Kubectl, Path]) -> None:
    original, snap = seed
    doc = _load(snap)
    assert doc["snapshot"]["skipped"] == [] and doc["snapshot"]["counts"]["pods"] == 138
    secrets = [o for o in doc["objects"] if o["kind"] == "Secret"]
    live = {
        (s["metadata"]["namespace"], s["metadata"]["name"]): s for s in original.box.store.list(r.SECRETS)
    }
    assert len(secrets) == len(live) > 0
    for s in secrets:
        real = live[(s["metadata"]["namespace"], s["metadata"]["name"])]
        assert sorted(s.get("data") or {}) == sorted(real.get("data") or {})
        assert {base64.b64decode(v).decode() for v in (s.get("data") or {}).values()} <= {PLACEHOLDER}
    for o in doc["objects"]:
        assert not {"managedFields", "resourceVersion", "selfLink"} & set(o["metadata"])


def test_one_namespace_only(seed: tuple[Kubectl, Path], tmp_path: Path) -> None:
    original, _ = seed
    out = tmp_path / "dp.yaml"
    _snapshot(original.kubeconfig, out, "-n", DP)
    doc = _load(out)
    namespaced = [o for o in doc["objects"] if o["kind"] not in ("Namespace", "Node")]
    assert {o["metadata"]["namespace"] for o in namespaced} == {DP}
    assert [o["metadata"]["name"] for o in doc["objects"] if o["kind"] == "Namespace"] == [DP]


class _Rbac(http.server.BaseHTTPRequestHandler):
    """An HTTP front of the sandbox's API that forbids listing secrets (403, as RBAC answers) and has
    no ArgoCD (404 for its API group, as a cluster without the CRD): reads only, relayed as is."""

    upstream = ""
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path}")
        path = self.path.split("?")[0]
        if path.endswith("/secrets"):
            self._status(
                403, "Forbidden", 'secrets is forbidden: User "viewer" cannot list resource "secrets"'
            )
        elif path.startswith("/apis/argoproj.io/"):
            self._status(404, "NotFound", "the server could not find the requested resource")
        else:
            reply = httpx.get(self.upstream + self.path, timeout=30)
            self._send(reply.status_code, reply.content)

    def do_POST(self) -> None:  # any write would show here
        self.seen.append(f"POST {self.path}")
        self._status(405, "MethodNotAllowed", "the snapshot may only read")

    def _status(self, code: int, reason: str, message: str) -> None:
        body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                "reason": reason, "code": code}  # fmt: skip
        self._send(code, orjson.dumps(body))

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_forbidden_list_and_a_missing_crd_are_skipped_with_a_line(
    seed: tuple[Kubectl, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original, _ = seed
    _Rbac.upstream, _Rbac.seen = original.box.url, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Rbac)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = yaml.safe_load(original.kubeconfig.read_text())
        config["clusters"][0]["cluster"]["server"] = f"http://127.0.0.1:{server.server_address[1]}"
        kubeconfig = tmp_path / "viewer"
        kubeconfig.write_text(yaml.safe_dump(config))
        out = tmp_path / "partial.yaml"
        _snapshot(kubeconfig, out)
    finally:
        server.shutdown()
        thread.join(5)
    said = capsys.readouterr().err
    doc = _load(out)
    assert doc["snapshot"]["skipped"] == [
        "secrets: forbidden (403), skipped",
        "argoproj.io: not installed (no applications.argoproj.io API), skipped",
    ]
    assert "  skipped: secrets: forbidden (403), skipped" in said.splitlines()
    kinds = Counter(o["kind"] for o in doc["objects"])
    assert kinds["Pod"] == 138 and "Secret" not in kinds and "Application" not in kinds
    assert _Rbac.seen and all(line.startswith("GET ") for line in _Rbac.seen)  # read verbs only
    copy = Sandbox(scenario=out).start()  # what it could read is a scenario the sandbox serves
    try:
        assert copy.store.count(r.PODS) == 138
    finally:
        copy.stop()


def test_the_copy_keeps_failing_as_recorded(seed: tuple[Kubectl, Path], tmp_path: Path) -> None:
    """Crash loops restart and crash again with their recorded exit code and a growing restart count,
    image pulls keep failing with the recorded reason, the pending challenge keeps its reason."""
    original, snap = seed
    copy = Sandbox(scenario=snap, time_scale=60).start()
    try:
        store = copy.store

        def restarts(name: str) -> int:
            pod = next(p for p in store.list(r.PODS, DP) if p["metadata"]["name"].startswith(name))
            return int(pod["status"]["containerStatuses"][0]["restartCount"])

        first = restarts("dolphinscheduler-api")
        deadline = time.time() + 30
        while time.time() < deadline and restarts("dolphinscheduler-api") == first:
            time.sleep(0.2)
        assert restarts("dolphinscheduler-api") == first + 1
        time.sleep(3)
        trino = [p for p in store.list(r.PODS, DP) if p["metadata"]["name"].startswith("trino-worker")]
        terminated = [
            (p["status"]["containerStatuses"][0].get("lastState") or {}).get("terminated") or {}
            for p in trino
        ]
        assert {t.get("exitCode") for t in terminated} == {100}
        redis = store.list(r.PODS, "redis")
        reasons = {
            p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason") for p in redis
        }
        assert reasons <= {"ImagePullBackOff", "ErrImagePull"} and len(redis) == 2
        challenges = {c["spec"]["dnsName"]: c["status"] for c in store.list(r.CHALLENGES, DP)}
        recorded = {c["spec"]["dnsName"]: c["status"] for c in original.box.store.list(r.CHALLENGES, DP)}
        assert {h: s["state"] for h, s in challenges.items()} == {h: s["state"] for h, s in recorded.items()}
        pending = [s for s in challenges.values() if s["state"] == "pending"]
        assert pending and all("wrong status code '302'" in s["reason"] for s in pending)
    finally:
        copy.stop()


def test_the_seed_plans_fix_still_heals_the_copy(seed: tuple[Kubectl, Path], tmp_path: Path) -> None:
    """The plan deletes the failed schema job; dolphinscheduler-api comes up, as in the seed world."""
    _, snap = seed
    copy = Sandbox(scenario=snap, time_scale=60).start()
    try:
        kubectl = _kubectl(copy, tmp_path)
        kubectl.ok("delete", "job", "-n", DP, "dolphinscheduler-full-schema-init")
        kubectl.ok(
            "wait",
            "--for=condition=ready",
            "pod",
            "-l",
            "app=dolphinscheduler-api",
            "-n",
            DP,
            "--timeout=60s",
            timeout=90,
        )
        # trino-worker heals only when its template changes: still failing, until it does
        pods = kubectl.ok("get", "pods", "-n", DP, "-l", "app=trino-worker", "--no-headers")
        assert all(line.split()[1] == "0/1" for line in pods.splitlines())
        kubectl.ok("set", "env", "deploy/trino-worker", "-n", DP, "JAVA_TOOL_OPTIONS=-Xmx3g")
        kubectl.ok("rollout", "status", "deploy/trino-worker", "-n", DP, "--timeout=60s", timeout=90)
    finally:
        copy.stop()


def test_a_2000_pod_world_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    box = Sandbox(seed=0, pods=2000).start()
    _settled(box)
    try:
        original = _kubectl(box, tmp_path / "a")
        snap = tmp_path / "big.yaml"
        _snapshot(original.kubeconfig, snap)
        said = capsys.readouterr().err.splitlines()
        assert "pods: 2,000…" in said and "pods: 2,000" in said  # progress while reading, then the count
        before = _columns(original)
    finally:
        box.stop()
    copy = Sandbox(scenario=snap).start()
    try:
        after = _columns(_kubectl(copy, tmp_path / "b"))
    finally:
        copy.stop()
    assert sum(1 for row in before if row[1].startswith("pod/")) >= 2000
    assert after == before


def test_a_terminating_pod_stays_terminating_then_goes(seed: tuple[Kubectl, Path], tmp_path: Path) -> None:
    _, snap = seed
    doc = _load(snap)
    taken = doc["snapshot"]["taken"]
    lines = snap.read_text().splitlines()
    index, pod = next(
        (i, orjson.loads(line[2:]))
        for i, line in enumerate(lines)
        if line.startswith("- {") and '"kind":"Pod"' in line and '"name":"graphql-gateway-' in line
    )
    # deleted as the snapshot was taken, with 10 s of its grace period left
    pod["metadata"]["deletionTimestamp"] = rfc3339(parse_time(taken) + 10)
    pod["metadata"]["deletionGracePeriodSeconds"] = 10
    lines[index] = "- " + orjson.dumps(pod).decode()
    edited = tmp_path / "terminating.yaml"
    edited.write_text("\n".join(lines) + "\n")
    copy = Sandbox(scenario=edited).start()
    try:
        kubectl = _kubectl(copy, tmp_path)
        name = pod["metadata"]["name"]
        row = kubectl.ok("get", "pod", "-n", DP, name, "--no-headers").split()
        assert row[2] == "Terminating"
        kubectl.ok("wait", "--for=delete", f"pod/{name}", "-n", DP, "--timeout=30s", timeout=60)
    finally:
        copy.stop()
