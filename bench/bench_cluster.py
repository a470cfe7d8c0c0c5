"""Benchmarks for the live cluster layer. Prints figures; not a pass/fail test.

    python bench/bench_cluster.py [--seconds 5] [--rate 5000] [--pods 10000]

1. logs: a pod writing RATE lines/s, followed like `kubectl logs -f` by LogFollower
   a) through the sandbox API server (its own HTTP stack, one chunk per line), and
   b) through a bare streaming server that writes what accumulated every 10 ms (as a kubelet does),
   then the same stream shown in the LogsPane headless: lines received, lag, whether it kept up.
2. informer: list (paged 500) + watch of PODS pods from the sandbox: time to sync, and RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.logs import LogBuffer, LogRequest
from cockpit.sandbox import Sandbox
from cockpit.sandbox.resources import by_kind
from cockpit.sandbox.store import Store


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FastLogs:
    """A LogSource whose one pod writes `rate` lines a second for `seconds`."""

    def __init__(self, rate: int, seconds: float) -> None:
        self.rate, self.seconds = rate, seconds
        self.start = 0.0  # one writing window shared by every follow (a reconnect does not restart it)

    def read(self, *args: Any) -> list[tuple[float, str]]:
        return []

    async def follow(
        self, namespace: str, pod: str, container: str, after: float
    ) -> AsyncIterator[tuple[float, str]]:
        self.start = start = self.start or time.time()
        n = int((time.time() - start) * self.rate)
        while (now := time.time()) - start < self.seconds:
            due = int((now - start) * self.rate)
            while n < due:
                yield (time.time(), f"line {n} " + "x" * 80)
                n += 1
            await asyncio.sleep(0.005)


def pod_object(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "bench", "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "app", "image": "busybox"}], "nodeName": "node-1"},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": "app", "ready": True, "restartCount": 0, "state": {"running": {}}}
            ],
        },
    }


def measure(hub: ClusterHub, request: LogRequest, seconds: float, rate: int) -> dict[str, float]:
    buffer = LogBuffer(max_lines=10_000)
    lags: list[float] = []

    def sample() -> None:
        last = buffer.lines()[-1:] if len(buffer) else []
        if last and last[0].ts:
            ts = datetime.fromisoformat(last[0].ts.replace("Z", "+00:00")).timestamp()
            lags.append(time.time() - ts)

    follower = hub.follow_logs(request, buffer)
    began = time.time()
    while time.time() - began < seconds + 1.0:
        time.sleep(0.1)
        if time.time() - began < seconds:  # lag only while the pod is writing
            sample()
    follower.stop()
    received = buffer.last_seq
    return {
        "expected": rate * seconds,
        "received": received,
        "rate": received / seconds,
        "lag_p50_ms": 1000 * sorted(lags)[len(lags) // 2] if lags else float("nan"),
        "lag_max_ms": 1000 * max(lags) if lags else float("nan"),
        "held": len(buffer),
    }


def bare_server(rate: int, seconds: float) -> tuple[int, threading.Thread]:
    """A minimal API endpoint: GET .../pods/bench-0 (JSON) and .../log (chunked, 10 ms batches)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    import json

    window = {"start": 0.0}

    def handle(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(4096)
        path = data.split(b" ")[1].decode()
        if "/log" not in path:
            body = json.dumps(pod_object("bench-0")).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                + body
            )
            conn.close()
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
        window["start"] = start = window["start"] or time.time()
        n = int((time.time() - start) * rate)
        while (now := time.time()) - start < seconds:
            due = int((now - start) * rate)
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            chunk = b"".join(f"{stamp} line {i} {'x' * 80}\n".encode() for i in range(n, due))
            n = due
            if chunk:
                conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            time.sleep(0.01)
        conn.sendall(b"0\r\n\r\n")
        conn.close()

    def serve() -> None:
        srv.settimeout(seconds + 10)
        try:
            while True:
                conn, _ = srv.accept()
                threading.Thread(target=handle, args=(conn,), daemon=True).start()
        except OSError:
            return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return port, thread


async def pane_keeps_up(hub: ClusterHub, request: LogRequest, seconds: float) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Log

    from cockpit.ui.panes.logs import LogsPane

    pane = LogsPane(hub)

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield pane

    app = Bench()
    async with app.run_test(size=(160, 50)) as pilot:
        began = time.time()
        pane.follow(request)
        while time.time() - began < seconds + 1.0:
            await pilot.pause(0.1)
        log = app.query_one("#logs-view", Log)
        shown = pane.shown_seq
        produced = pane.buffer.last_seq
        return {"produced": produced, "shown": shown, "log_lines": log.line_count, "behind": produced - shown}


def report(label: str, r: dict[str, float]) -> None:
    print(
        f"{label}: received {r['received']:.0f}/{r['expected']:.0f} lines ({r['rate']:.0f}/s), "
        f"lag p50 {r['lag_p50_ms']:.0f} ms, max {r['lag_max_ms']:.0f} ms, held {r['held']:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=10_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cluster-"))

    print(f"== logs: one pod writing {args.rate} lines/s for {args.seconds:g} s")
    store = Store(seed=0)
    store.create(
        by_kind("v1", "Namespace"), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}
    )  # type: ignore[arg-type]
    store.create(by_kind("v1", "Pod"), pod_object("bench-0"), "bench")  # type: ignore[arg-type]
    with Sandbox(world=False, store=store, logs=FastLogs(args.rate, args.seconds)) as box:
        hub = ClusterHub.connect(kubeconfig=box.write_kubeconfig(tmp / "kc-logs"), env={})
        r = measure(hub, LogRequest("bench", pod="bench-0", tail=0), args.seconds, args.rate)
        report("sandbox API server", r)
    port, _thread = bare_server(args.rate, args.seconds)
    kc = tmp / "kc-bare"
    kc.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: b\n"
        f"clusters: [{{name: b, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
        "users: [{name: b, user: {}}]\ncontexts: [{name: b, context: {cluster: b, user: b}}]\n"
    )
    hub = ClusterHub.connect(kubeconfig=kc, env={})
    r = measure(hub, LogRequest("bench", pod="bench-0", tail=0), args.seconds, args.rate)
    report("bare streaming server", r)
    port, _thread = bare_server(args.rate, args.seconds)
    kc.write_text(
        kc.read_text().replace(kc.read_text().split("server: '")[1].split("'")[0], f"http://127.0.0.1:{port}")
    )
    hub = ClusterHub.connect(kubeconfig=kc, env={})
    p = asyncio.run(pane_keeps_up(hub, LogRequest("bench", pod="bench-0", tail=0), args.seconds))
    print(
        f"LogsPane (headless): produced {p['produced']:.0f}, shown {p['shown']:.0f}, "
        f"Log widget holds {p['log_lines']:.0f}, behind at the end {p['behind']:.0f}"
    )

    print(f"\n== informer: {args.pods} pods, list paged 500 then watch")
    began = time.perf_counter()
    with Sandbox(seed=0, pods=args.pods) as box:
        built = time.perf_counter() - began
        hub = ClusterHub.connect(kubeconfig=box.write_kubeconfig(tmp / "kc-pods"), env={})
        before = rss_mb()
        t0 = time.perf_counter()
        pods = hub.pods()
        assert pods is not None and pods.wait_synced(300)
        took = time.perf_counter() - t0
        print(
            f"world built in {built:.1f} s; informer synced {len(pods.values())} pods in {took:.2f} s; "
            f"peak RSS {rss_mb():.0f} MB (was {before:.0f} MB before the list)"
        )
        hub.stop()


if __name__ == "__main__":
    main()
