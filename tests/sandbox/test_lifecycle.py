"""Starting and stopping the sandbox: in-process handle, `async with`, and `cockpit sandbox serve`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from cockpit.sandbox import Sandbox, SandboxError
from cockpit.sandbox import resources as r


def test_start_and_stop_frees_the_port(tmp_path: Path) -> None:
    box = Sandbox(world=False).start()
    assert box.started_in > 0 and box.url.startswith("http://127.0.0.1:")
    config = yaml.safe_load(box.write_kubeconfig(tmp_path / "kc", context_name="rehearsal").read_text())
    assert config["current-context"] == "rehearsal" and config["clusters"][0]["cluster"]["server"] == box.url
    assert httpx.get(f"{box.url}/version").status_code == 200
    port = box.port
    box.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/version", timeout=2)


def test_a_taken_port_is_a_clear_error() -> None:
    with (
        Sandbox(world=False) as first,
        pytest.raises(SandboxError, match=rf"cannot listen on 127\.0\.0\.1:{first.port}"),
    ):
        Sandbox(port=first.port, world=False).start()


async def test_async_with_serves_while_the_callers_loop_runs() -> None:
    async with Sandbox(world=False) as box:
        box.store.create(r.NAMESPACES, {"metadata": {"name": "kong"}})
        async with httpx.AsyncClient(base_url=box.url) as client:
            reply = await client.get("/api/v1/namespaces")
    assert [n["metadata"]["name"] for n in reply.json()["items"]] == ["kong"]


def test_cockpit_sandbox_serve_prints_url_and_kubeconfig(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "sandbox.kubeconfig"
    env = {**os.environ, "COCKPIT_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cockpit", "sandbox", "serve", "--empty", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline().rstrip("\n") for _ in range(7)]
        assert re.fullmatch(
            r"sandbox serving at http://127\.0\.0\.1:\d+ \(an empty cluster, started in \d+\.\d\d s\)",
            banner[0],
        ), banner[0]
        assert banner[1:] == [
            f"kubeconfig: {kubeconfig}",
            "",
            f"    export KUBECONFIG={kubeconfig}",
            "    kubectl version",
            "",
            "Ctrl-C to stop.",
        ]
        url = banner[0].split()[3]
        assert httpx.get(f"{url}/version").json()["gitVersion"].startswith("v1.31.")
        assert yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"] == url
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and err == ""
    assert re.fullmatch(r"\nsandbox stopped after \d+s\n", out), out  # below the terminal's ^C
    bad = subprocess.run(
        [sys.executable, "-m", "cockpit", "sandbox", "serve", "--scenario", str(tmp_path / "no.yaml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (
        bad.returncode == 2
        and bad.stderr.strip() == f"cockpit sandbox: scenario file not found: {tmp_path / 'no.yaml'}"
    )


def test_time_scale_and_log_rate_are_options_that_reach_the_world(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COCKPIT_SANDBOX_TIME_SCALE", raising=False)
    with Sandbox(time_scale=20, log_rate=2000) as box:
        assert box.simulation.time_scale == 20
        pod = box.store.list(r.PODS, "kong")[0]["metadata"]["name"]
        lines = 0
        started: float | None = None  # from the first line: a loaded machine may be slow to connect
        with httpx.stream(
            "GET", f"{box.url}/api/v1/namespaces/kong/pods/{pod}/log", params={"follow": "true"}, timeout=5
        ) as reply:
            for _ in reply.iter_lines():
                lines += 1
                started = time.monotonic() if started is None else started
                if time.monotonic() - started > 0.5:
                    break
        assert lines > 400  # 2,000 lines/s; unhurried, a healthy pod writes one every few seconds


def test_the_environment_sets_them_when_no_option_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCKPIT_SANDBOX_TIME_SCALE", "10")
    monkeypatch.setenv("COCKPIT_SANDBOX_LOG_RATE", "300")
    box = Sandbox(world=False)
    assert (box.time_scale, box.log_rate) == (10, 300)
    assert Sandbox(world=False, time_scale=2).time_scale == 2
    monkeypatch.setenv("COCKPIT_SANDBOX_TIME_SCALE", "fast")
    with pytest.raises(SandboxError, match=r"\$COCKPIT_SANDBOX_TIME_SCALE must be a number, not 'fast'"):
        Sandbox(world=False)


def test_serve_refuses_a_log_rate_out_of_range(tmp_path: Path) -> None:
    env = {**os.environ, "COCKPIT_HOME": str(tmp_path / "home")}
    bad = subprocess.run(
        [sys.executable, "-m", "cockpit", "sandbox", "serve", "--log-rate", "90000"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "cockpit sandbox: --log-rate must be between 0.1 and 50000, not 90000"


_STOP_WITH_STREAMS_OPEN = """
import socket, ssl, time
from cockpit.sandbox import Sandbox
from cockpit.sandbox.resources import PODS
box = Sandbox(tls=True, token="t", log_rate=2000).start()
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
pod = box.store.list(PODS, "kong")[0]["metadata"]["name"]
auth = "Host: x\\r\\nAuthorization: Bearer t\\r\\n\\r\\n"
socks = []
for path in ("/version", f"/api/v1/namespaces/kong/pods/{pod}/log?follow=true", "/api/v1/pods?watch=1"):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", box.port)))
    s.sendall(f"GET {path} HTTP/1.1\\r\\n{auth}".encode())
    socks.append(s)
socks[0].recv(65536)  # an idle keep-alive connection; the stream readers never read
socks.append(socket.create_connection(("127.0.0.1", box.port)))  # a handshake never started
time.sleep(1.0)
box.stop()
for s in socks:
    s.close()
print("stopped")
"""


def test_stopping_a_tls_sandbox_with_streams_open_is_quiet() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", _STOP_WITH_STREAMS_OPEN],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "stopped\n", "")


def test_a_tls_sandbox_always_has_a_token_its_kubeconfig_carries(tmp_path: Path) -> None:
    # Without credentials in the kubeconfig, kubectl over HTTPS prompts for a username and password.
    with Sandbox(world=False, tls=True) as box:
        config = yaml.safe_load(box.write_kubeconfig(tmp_path / "kc").read_text())
        assert box.token and config["users"][0]["user"] == {"token": box.token}
        ok = httpx.get(
            f"{box.url}/api/v1/namespaces", verify=False, headers={"Authorization": f"Bearer {box.token}"}
        )
        assert ok.status_code == 200
        assert httpx.get(f"{box.url}/api/v1/namespaces", verify=False).status_code == 401
