"""Sandbox figures: start time, followed-log rate, listing 10,000 / 50,000 pods (JSON, Tables, kubectl).

    python bench/bench_sandbox.py [--sizes 10000 50000] [--no-kubectl] [--log-rate 5000]

Pods come from the world's generator (`Sandbox(pods=N)`) when it is available; otherwise the
bench fills the store with pods shaped like a real cluster's (about 5 KB of JSON each).
Prints figures; not a pass/fail test.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson

from cockpit.sandbox import resources as r
from cockpit.sandbox.server import Sandbox
from cockpit.sandbox.store import Store, timestamp


def realistic_pod(i: int, now: float) -> dict:  # type: ignore[type-arg]
    app = f"svc-{i % 97}"
    name = f"{app}-{i:06d}-x{i % 7}k{i % 5}q"
    env = [{"name": f"ENV_{k}", "value": f"value-{k}-{i % 13}"} for k in range(24)]
    mounts = [
        {"name": f"vol-{k}", "mountPath": f"/var/run/data/{k}", "readOnly": k % 2 == 0} for k in range(6)
    ]
    return {
        "metadata": {
            "name": name,
            "namespace": f"ns-{i % 40}",
            "generateName": f"{app}-{i:06d}-",
            "labels": {"app": app, "pod-template-hash": f"{i % 9999:04d}abc", "tier": "backend"},
            "annotations": {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9090",
                "kubectl.kubernetes.io/restartedAt": timestamp(now - 3600),
            },
            "creationTimestamp": timestamp(now - i % 86400),
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": f"{app}-{i % 9999:04d}abc",
                    "uid": f"00000000-0000-4000-8000-{i % 97:012d}",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "main",
                    "image": f"registry.254carbon.com/{app}:1.{i % 30}.0",
                    "imagePullPolicy": "IfNotPresent",
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                    "env": env,
                    "volumeMounts": mounts,
                    "resources": {
                        "limits": {"cpu": "1", "memory": "1Gi"},
                        "requests": {"cpu": "100m", "memory": "256Mi"},
                    },
                    "readinessProbe": {
                        "httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
                        "periodSeconds": 10,
                        "timeoutSeconds": 1,
                        "successThreshold": 1,
                        "failureThreshold": 3,
                    },
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }
            ],
            "volumes": [
                {"name": f"vol-{k}", "configMap": {"name": f"{app}-config-{k}", "defaultMode": 420}}
                for k in range(6)
            ],
            "nodeName": f"k8s-worker-{i % 12}",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "serviceAccountName": "default",
            "dnsPolicy": "ClusterFirst",
            "priority": 0,
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                }
            ],
        },
        "status": {
            "phase": "Running",
            "hostIP": f"10.0.0.{i % 12}",
            "podIP": f"10.244.{i % 250}.{i % 251}",
            "podIPs": [{"ip": f"10.244.{i % 250}.{i % 251}"}],
            "qosClass": "Burstable",
            "startTime": timestamp(now - i % 86400),
            "conditions": [
                {
                    "type": t,
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": timestamp(now - 3600),
                }
                for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": [
                {
                    "name": "main",
                    "ready": True,
                    "restartCount": i % 4,
                    "started": True,
                    "image": f"registry.254carbon.com/{app}:1.{i % 30}.0",
                    "imageID": f"registry.254carbon.com/{app}@sha256:{i:064x}",
                    "containerID": f"containerd://{i:064x}",
                    "state": {"running": {"startedAt": timestamp(now - 3600)}},
                }
            ],
        },
    }


def fill(store: Store, count: int) -> None:
    now = time.time()
    for ns in range(40):
        store.create(r.NAMESPACES, {"metadata": {"name": f"ns-{ns}"}}, copy=False)
    for i in range(count):
        store.create(r.PODS, realistic_pod(i, now), copy=False)


def world_available() -> bool:
    try:
        box = Sandbox(pods=10).start()
    except Exception:
        return False
    box.stop()
    return box.simulation is not None


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def watch_latency_during_list(box: Sandbox) -> tuple[float, int]:
    """Worst delay between a pod change and its watch event while the full pod list is being served."""
    first = box.store.select(r.PODS, limit=1).entries[0]
    ns, name = first.namespace, first.name
    sent: dict[str, float] = {}
    worst = [0.0]
    seen = [0]
    stop = threading.Event()

    def watch() -> None:
        params = {
            "watch": "1",
            "fieldSelector": f"metadata.name={name}",
            "resourceVersion": "0",
            "timeoutSeconds": "60",
        }
        with (
            httpx.Client(base_url=box.url, timeout=120) as http,
            http.stream("GET", f"/api/v1/namespaces/{ns}/pods", params=params) as reply,
        ):
            for line in reply.iter_lines():
                marker = (orjson.loads(line)["object"]["metadata"].get("labels") or {}).get("bench")
                if marker in sent:
                    worst[0] = max(worst[0], time.perf_counter() - sent[marker])
                    seen[0] += 1
                if stop.is_set():
                    return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    time.sleep(0.3)
    lister = threading.Thread(target=lambda: httpx.get(f"{box.url}/api/v1/pods", timeout=600), daemon=True)
    lister.start()
    i = 0
    while lister.is_alive():
        marker = str(i)
        sent[marker] = time.perf_counter()
        box.store.mutate(
            r.PODS, ns, name, lambda o, m=marker: o["metadata"].setdefault("labels", {}).update(bench=m)
        )
        i += 1
        time.sleep(0.05)
    time.sleep(0.3)
    stop.set()
    box.store.mutate(r.PODS, ns, name, lambda o: o["metadata"].setdefault("labels", {}).update(bench="end"))
    watcher.join(5)
    return worst[0], seen[0]


def bench_size(count: int, use_world: bool, run_kubectl: bool) -> None:
    began = time.perf_counter()
    if use_world:
        box = Sandbox(pods=count).start()
    else:
        box = Sandbox(world=False)
        fill(box.store, count)
        box.start()
    pods = box.store.count(r.PODS)
    print(
        f"\n{pods:,} pods ({'world generator' if use_world else 'bench generator'}): "
        f"ready in {time.perf_counter() - began:.2f} s, server RSS peak {rss_mb():.0f} MB"
    )
    with httpx.Client(base_url=box.url, timeout=600) as http:
        for label, params in (("cold", {}), ("warm", {})):
            t = time.perf_counter()
            reply = http.get("/api/v1/pods", params=params)
            elapsed = time.perf_counter() - t
            body = reply.content
            print(
                f"  list /api/v1/pods ({label}):      {elapsed:6.2f} s  {len(body) / 1e6:7.1f} MB  "
                f"{len(body) / max(pods, 1) / 1024:.1f} KB/pod"
            )
        gc.disable()
        t = time.perf_counter()
        items = orjson.loads(body)["items"]
        print(f"  client orjson parse (gc off):     {time.perf_counter() - t:6.2f} s  {len(items):,} items")
        gc.enable()
        del items, body
        t = time.perf_counter()
        pages = 0
        token = None
        while True:
            params = {"limit": "500"} | ({"continue": token} if token else {})
            page = http.get(
                "/api/v1/pods",
                params=params,
                headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
            ).json()
            pages += 1
            token = page["metadata"].get("continue")
            if not token:
                break
        print(f"  Table pages of 500 (kubectl's way): {time.perf_counter() - t:6.2f} s  {pages} pages")
        sample = box.store.select(r.PODS, limit=1).entries[0].obj["metadata"].get("labels") or {}
        selector = ",".join(f"{k}={v}" for k, v in list(sample.items())[:1])
        t = time.perf_counter()
        reply = http.get(
            "/api/v1/pods", params={"labelSelector": selector, "fieldSelector": "status.phase=Running"}
        )
        print(
            f"  selector list ({selector}): {time.perf_counter() - t:6.2f} s  "
            f"{len(reply.json()['items']):,} items"
        )
    worst, seen = watch_latency_during_list(box)
    print(f"  watch event delay during a full list: worst {worst * 1000:.0f} ms over {seen} events")
    if run_kubectl and shutil.which("kubectl"):
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = box.write_kubeconfig(Path(tmp) / "kubeconfig")
            t = time.perf_counter()
            done = subprocess.run(
                [
                    "kubectl",
                    "--kubeconfig",
                    str(kubeconfig),
                    "--cache-dir",
                    f"{tmp}/cache",
                    "get",
                    "pods",
                    "-A",
                    "--no-headers",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            print(
                f"  kubectl get pods -A:              {time.perf_counter() - t:6.2f} s  "
                f"{len(done.stdout.splitlines()):,} lines (rc {done.returncode})"
            )
    box.stop()


def followed_log_rate(rate: float, seconds: float = 3.0) -> None:
    """Lines per second `kubectl logs -f` receives from a sandbox started with log_rate=rate."""
    with Sandbox(log_rate=rate) as box, tempfile.TemporaryDirectory() as tmp:
        pod = box.store.list(r.PODS, "kong")[0]["metadata"]["name"]
        if shutil.which("kubectl"):
            kubeconfig = box.write_kubeconfig(Path(tmp) / "kubeconfig", namespace="kong")
            cmd = [
                "kubectl",
                "--kubeconfig",
                str(kubeconfig),
                "--cache-dir",
                f"{tmp}/cache",
                "logs",
                "-f",
                "--tail=0",
                pod,
            ]
            how = "kubectl logs -f"
        else:
            cmd = [
                sys.executable,
                "-c",
                f"import httpx,sys\nwith httpx.stream('GET','{box.url}/api/v1/"
                f"namespaces/kong/pods/{pod}/log?follow=1&tailLines=0',timeout=None) as r:\n"
                "  [sys.stdout.write(x) for x in r.iter_text()]",
            ]
            how = "HTTP follow"
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout is not None
        lines, began = 0, 0.0
        for _ in proc.stdout:  # from the first new line: start-up is not the rate
            if not began:
                began = time.perf_counter()
                continue
            lines += 1
            if time.perf_counter() - began >= seconds:
                break
        elapsed = time.perf_counter() - began
        proc.kill()
        proc.wait()
    print(f"{how} at log_rate={rate:g}: {lines / elapsed:,.0f} lines/s received over {elapsed:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--no-kubectl", action="store_true")
    parser.add_argument("--bench-generator", action="store_true", help="don't use the world's pod generator")
    parser.add_argument("--log-rate", type=float, default=5000.0, help="followed-log rate to measure")
    args = parser.parse_args()
    starts = []
    for _ in range(5):
        box = Sandbox(world=False).start()
        starts.append(box.started_in)
        box.stop()
    print(f"empty sandbox start: best {min(starts) * 1000:.1f} ms, worst {max(starts) * 1000:.1f} ms")
    try:
        t = time.perf_counter()
        box = Sandbox().start()
        print(
            f"default world (seed 0) start: {box.started_in:.3f} s ({time.perf_counter() - t:.3f} s wall), "
            f"{box.store.count(r.PODS)} pods"
        )
        box.stop()
    except Exception as exc:
        print(f"default world start: unavailable ({exc})")
    use_world = not args.bench_generator and world_available()
    if use_world:
        followed_log_rate(args.log_rate)
    for size in args.sizes:
        bench_size(size, use_world, not args.no_kubectl)
    print(f"\npython {sys.version.split()[0]}, {os.cpu_count()} cpus")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
