"""`cockpit sandbox serve` keeps its credentials out of sight: the token comes from a file or the
environment (never argv, where `ps` shows it to every user), and the TLS key never outlives the
moment it is loaded, whatever way the process ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.tools import ensure_program

TOKEN = "s3cr3t-sandbox-token-4f1c9a"


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    for program, package in (("openssl", "openssl"), ("ps", "procps")):
        found, why = ensure_program(program, package)
        if found is None:
            pytest.skip(why)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir(exist_ok=True)
    base = {**os.environ, "COCKPIT_HOME": str(tmp_path / "home"), "TMPDIR": str(tmpdir)}
    base.pop("COCKPIT_SANDBOX_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "cockpit", "sandbox", "serve", "--empty", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**base, **(env or {})},
    )


def _url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("sandbox serving at https://"), first
    return first.split()[3]


def _leftovers(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "tmp").rglob("*")]


def test_a_token_on_the_command_line_is_refused_without_echoing_it(tmp_path: Path) -> None:
    proc = _serve(tmp_path, "--token", TOKEN)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "--token-file" in err and "COCKPIT_SANDBOX_TOKEN" in err
    assert TOKEN not in out + err


@pytest.mark.parametrize("how", ["file", "env"])
def test_the_token_comes_from_a_file_or_the_environment_and_ps_never_shows_it(
    tmp_path: Path, how: str
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    if how == "file":
        proc = _serve(tmp_path, "--token-file", str(token_file))
    else:
        proc = _serve(tmp_path, env={"COCKPIT_SANDBOX_TOKEN": TOKEN})
    try:
        url = _url(proc)
        ps = ["ps", "-ww", "-o", "args=", "-p", str(proc.pid)]
        args = subprocess.run(ps, capture_output=True, text=True, check=False)
        assert "sandbox serve" in args.stdout and TOKEN not in args.stdout
        assert httpx.get(f"{url}/api/v1/namespaces", verify=False).status_code == 401
        ok = httpx.get(f"{url}/api/v1/namespaces", verify=False, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        assert _leftovers(tmp_path) == []  # the key was unlinked as soon as it was loaded
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert _leftovers(tmp_path) == []


def test_a_sigkilled_tls_sandbox_leaves_no_key_behind(tmp_path: Path) -> None:
    proc = _serve(tmp_path, "--tls")
    try:
        _url(proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=15)
    assert proc.returncode == -signal.SIGKILL
    assert _leftovers(tmp_path) == []
    kubeconfig = tmp_path / "home" / "data" / "sandbox" / "kubeconfig"
    assert kubeconfig.stat().st_mode & 0o777 == 0o600
    assert kubeconfig.parent.stat().st_mode & 0o777 == 0o700
