"""The sandbox as a load generator: it answers while churning hard, says what churn it achieved,
sends followed logs in multi-line chunks, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from cockpit.sandbox import Sandbox
from cockpit.sandbox.world.churn import STAMP

GENEROUS = 60  # seconds: a deadline for a stuck process, not a performance figure


def test_serve_churning_hard_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "COCKPIT_HOME": str(tmp_path / "home")}
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cockpit",
            "sandbox",
            "serve",
            "--pods",
            "3000",
            "--churn",
            "2000",
            "--kubeconfig",
            str(kubeconfig),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert banner.startswith("sandbox serving at"), banner
        url = banner.split()[3]
        stamped = 0
        for _ in range(5):  # it keeps answering lists while it churns
            reply = httpx.get(f"{url}/api/v1/pods", params={"limit": 500}, timeout=GENEROUS)
            assert reply.status_code == 200
            items = reply.json()["items"]
            stamped += sum(1 for p in items if STAMP in (p["metadata"].get("annotations") or {}))
        assert stamped > 0  # changed pods carry the server's stamp of the change
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=GENEROUS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "sandbox stopped after" in out
    report = next(line for line in out.splitlines() if line.startswith("churn: "))
    assert "/s achieved of 2000/s asked" in report and "dropped" in report


def test_followed_logs_come_in_multi_line_chunks() -> None:
    with Sandbox(log_rate=20_000, time_scale=1e-6) as box:
        pods = httpx.get(f"{box.url}/api/v1/namespaces/kong/pods", timeout=GENEROUS).json()["items"]
        pod = pods[0]["metadata"]["name"]
        chunks = lines = 0
        with httpx.stream(
            "GET",
            f"{box.url}/api/v1/namespaces/kong/pods/{pod}/log",
            params={"follow": "true"},
            timeout=GENEROUS,
        ) as reply:
            for chunk in reply.iter_raw():
                chunks += 1
                lines += chunk.count(b"\n")
                if lines > 5000:
                    break
        assert lines > 5000 and chunks < lines / 10  # not one HTTP chunk per line


def test_a_watcher_that_stops_reading_is_ended_not_queued_for_without_end(monkeypatch: Any) -> None:
    """A client that stops reading its watch while the cluster keeps changing: past MAX_BEHIND
    queued changes its stream ends (as kube-apiserver ends a slow watcher), so the sandbox does not
    keep every change for it; the client gets what was queued, then the end."""
    import socket

    from cockpit.sandbox import watchstream
    from cockpit.sandbox.resources import CONFIGMAPS
    from cockpit.sandbox.store import Store

    monkeypatch.setattr(watchstream, "MAX_BEHIND", 50)
    store = Store()
    with Sandbox(world=False, store=store) as box:
        rv = httpx.get(f"{box.url}/api/v1/configmaps", timeout=GENEROUS).json()["metadata"]["resourceVersion"]
        sock = socket.create_connection(("127.0.0.1", box.port), timeout=GENEROUS)
        sock.sendall(
            f"GET /api/v1/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=600 HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\n\r\n".encode()
        )
        written = 2000
        for i in range(written):  # ~20 MB of changes while the client reads nothing (its buffers fill)
            big = {"metadata": {"name": f"c{i}", "namespace": "default"}, "data": {"x": "y" * 10_000}}
            store.create(CONFIGMAPS, big)
        received = b""
        while not received.endswith(b"\r\n0\r\n\r\n"):  # the stream's last chunk: it ended
            chunk = sock.recv(1 << 20)
            assert chunk, "the connection closed before the stream ended"
            received += chunk
        sock.close()
    events = received.count(b'"type":"ADDED"')
    assert 0 < events < written
