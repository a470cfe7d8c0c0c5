"""Choosing the cluster like kubectl, and one clear sentence for each way it can fail."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cockpit.cluster.connect import connect, probe
from cockpit.cluster.errors import ClusterError, Problem
from cockpit.cluster.hub import ClusterHub
from cockpit.cluster.kubeapi import KubeApi
from cockpit.sandbox import Sandbox


def write(path: Path, contexts: dict[str, str], current: str, server: str = "http://127.0.0.1:1") -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current,
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [
            {"name": n, "context": {"cluster": "c", "user": "u", "namespace": ns}}
            for n, ns in contexts.items()
        ],
    }
    path.write_text(yaml.safe_dump(doc))
    return path


def test_kubeconfig_list_merges_and_context_namespace_apply(tmp_path: Path) -> None:
    a = write(tmp_path / "a", {"prod": "web"}, "prod")
    b = write(tmp_path / "b", {"staging": "api"}, "staging")
    env = {"KUBECONFIG": f"{a}:{tmp_path / 'missing'}:{b}"}
    target, _client = connect(env=env)
    assert (target.context, target.namespace) == ("prod", "web")  # first file's current-context wins
    target, _client = connect(context="staging", env=env)
    assert (target.context, target.namespace, target.server) == ("staging", "api", "http://127.0.0.1:1")
    target, _client = connect(context="staging", namespace="kong", env=env)
    assert target.namespace == "kong"
    target, _client = connect(all_namespaces=True, env=env)
    assert target.namespace is None and target.scope == "all namespaces"
    target, _client = connect(kubeconfig=b, env=env)  # --kubeconfig beats KUBECONFIG
    assert target.context == "staging"


@pytest.mark.parametrize(
    ("kwargs", "env", "start"),
    [
        ({}, {"HOME": "/nonexistent"}, "No kubeconfig found: set KUBECONFIG"),
        ({"kubeconfig": "/nonexistent/kc"}, {}, "Kubeconfig /nonexistent/kc does not exist."),
        ({}, {"KUBECONFIG": "/nope/a:/nope/b"}, "No file of KUBECONFIG=/nope/a:/nope/b exists"),
    ],
)
def test_missing_kubeconfig_is_one_sentence(kwargs: dict, env: dict, start: str) -> None:
    with pytest.raises(ClusterError) as err:
        connect(env=env, **kwargs)
    assert str(err.value).startswith(start) and err.value.problem is Problem.NO_CLUSTER


def test_unknown_context_names_the_known_ones(tmp_path: Path) -> None:
    kc = write(tmp_path / "kc", {"prod": "web", "dev": "x"}, "prod")
    with pytest.raises(
        ClusterError, match=r"Context 'stage' is not in kubeconfig .* \(known contexts: dev, prod\)\."
    ):
        connect(context="stage", env={"KUBECONFIG": str(kc)})
    hub = ClusterHub.connect(context="stage", env={"KUBECONFIG": str(kc)})
    assert not hub.connected and hub.label.startswith("Context 'stage' is not in kubeconfig")


def test_unreachable_server(tmp_path: Path) -> None:
    kc = write(tmp_path / "kc", {"prod": "web"}, "prod", server="http://127.0.0.1:9")
    _target, client = connect(env={"KUBECONFIG": str(kc)})
    with pytest.raises(ClusterError) as err:
        probe(KubeApi(client))
    assert str(err.value) == (
        "Cannot reach the API server at http://127.0.0.1:9 (connection refused); "
        "check the context and that the cluster is up."
    )


def test_tokens_401_and_read_only_403(tmp_path: Path) -> None:
    with Sandbox(seed=0, world=False, read_only_token="viewer-token") as box:
        good = box.write_kubeconfig(tmp_path / "good")
        target, client = connect(kubeconfig=good, env={})
        assert probe(KubeApi(client))
        assert target.server.startswith("https://127.0.0.1:")
        doc = yaml.safe_load(good.read_text())
        doc["users"][0]["user"]["token"] = "wrong"
        bad = tmp_path / "bad"
        bad.write_text(yaml.safe_dump(doc))
        _t, client = connect(kubeconfig=bad, env={})
        with pytest.raises(ClusterError) as err:
            probe(KubeApi(client))
        assert err.value.problem is Problem.UNAUTHORIZED
        assert "rejected the credentials (401 Unauthorized)" in str(err.value)
        doc["users"][0]["user"]["token"] = "viewer-token"
        viewer = tmp_path / "viewer"
        viewer.write_text(yaml.safe_dump(doc))
        _t, client = connect(kubeconfig=viewer, env={})
        api = KubeApi(client)
        with pytest.raises(ClusterError) as err:
            api.merge_patch(
                "/api/v1/namespaces/default", {"metadata": {"labels": {"a": "b"}}}, what="namespace default"
            )
        assert err.value.problem is Problem.FORBIDDEN
        assert str(err.value).startswith("Forbidden (403) for namespace default:")


def test_exec_plugin_credentials_are_used(tmp_path: Path) -> None:
    with Sandbox(seed=0, world=False, token="exec-token") as box:
        doc = box.kubeconfig("exec-ctx")
        plugin = tmp_path / "plugin.sh"
        plugin.write_text(
            '#!/bin/sh\necho \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",'
            '"status":{"token":"exec-token"}}\'\n'
        )
        plugin.chmod(0o755)
        doc["users"][0]["user"] = {
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": str(plugin),
                "interactiveMode": "Never",
            }
        }
        kc = tmp_path / "kc"
        kc.write_text(yaml.safe_dump(doc))
        before = kc.read_text()
        _t, client = connect(kubeconfig=kc, env={})
        assert probe(KubeApi(client))
        assert kc.read_text() == before  # persist_config=False: the user's file is never rewritten


PLAIN_CREDENTIALS = """
import base64, json, ssl, sys
from pathlib import Path
import yaml
from cockpit.cluster.connect import connect, probe
from cockpit.cluster.kubeapi import KubeApi
from cockpit.sandbox import Sandbox

folder = Path(sys.argv[1])
out = {}
with Sandbox(seed=0, world=False, token="tok") as box:
    port = int(box.url.rsplit(":", 1)[1])
    pem = ssl.get_server_certificate(("127.0.0.1", port))  # the sandbox's own self-signed one
    (folder / "certs").mkdir()
    (folder / "certs" / "ca.crt").write_text(pem)
    (folder / "token.txt").write_text("tok")
    base = box.kubeconfig("plain")
    ca_data = base64.b64encode(pem.encode()).decode()
    variants = {
        "ca data + token": ({"certificate-authority-data": ca_data}, {"token": "tok"}),
        "relative ca file + token file": (
            {"certificate-authority": "certs/ca.crt"},
            {"tokenFile": "token.txt"},
        ),
        "insecure + token": ({"insecure-skip-tls-verify": True}, {"token": "tok"}),
        "system CAs": ({}, {"token": "tok"}),
    }
    for name, (cluster, user) in variants.items():
        doc = json.loads(json.dumps(base))
        doc["clusters"][0]["cluster"] = {"server": box.url, **cluster}
        doc["users"][0]["user"] = user
        kc = folder / (name.replace(" ", "-") + ".yaml")
        kc.write_text(yaml.safe_dump(doc))
        _target, client = connect(kubeconfig=kc, env={})
        try:
            out[name] = bool(probe(KubeApi(client)))
        except Exception as exc:
            out[name] = str(exc)
out["kubernetes loaded"] = "kubernetes" in sys.modules
print(json.dumps(out))
"""


def test_plain_credentials_need_no_kubernetes_client(tmp_path: Path) -> None:
    """A token, a token file, a CA (data, or a file relative to the kubeconfig) or
    insecure-skip-tls-verify work without loading the kubernetes client (~0.1 s of every start);
    a certificate no CA vouches for is refused as a TLS failure."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", PLAIN_CREDENTIALS, str(tmp_path)], capture_output=True, text=True, check=True
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out.pop("kubernetes loaded") is False
    refused = out.pop("system CAs")
    assert out == {"ca data + token": True, "relative ca file + token file": True, "insecure + token": True}
    assert refused.startswith("Cannot reach the API server at https://127.0.0.1:")
    assert "(TLS failed: certificate verify failed: " in refused  # as the official client says it
    assert "_ssl.c" not in refused


def test_other_credentials_go_through_the_kubernetes_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the plain path does not know (a proxy in the kubeconfig or the environment, basic
    auth, an exec plugin...) is left to the official loader, with its own messages."""
    from cockpit.cluster.kubeclient import SimpleClient

    kc = write(tmp_path / "kc", {"prod": "web"}, "prod")
    _t, client = connect(env={"KUBECONFIG": str(kc)})
    assert isinstance(client, SimpleClient)
    doc = yaml.safe_load(kc.read_text())
    doc["clusters"][0]["cluster"]["proxy-url"] = "http://127.0.0.1:3"
    doc["users"][0]["user"] = {"username": "u", "password": "p"}
    kc.write_text(yaml.safe_dump(doc))
    _t, client = connect(env={"KUBECONFIG": str(kc)})
    assert not isinstance(client, SimpleClient)
    assert client.configuration.proxy == "http://127.0.0.1:3"
    kc = write(tmp_path / "kc2", {"prod": "web"}, "prod")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3")
    _t, client = connect(env={"KUBECONFIG": str(kc)})
    assert not isinstance(client, SimpleClient)


def test_client_certificate_data_stays_off_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kubeconfig's client-certificate-data and client-key-data (a private key) are handed to
    urllib3 as in-memory files: nothing is written under the temporary folder, and TLS loads the
    certificate and key from them."""
    import base64
    import ssl
    import sys
    from datetime import UTC, datetime, timedelta

    from cockpit.cluster.kubeclient import simple_client
    from tests.platform.certs import make_cert

    if not sys.platform.startswith("linux"):
        pytest.skip("in-memory files (memfd) are Linux's")
    now = datetime.now(UTC)
    cert, key = make_cert(tmp_path / "certs", "client", now - timedelta(days=1), now + timedelta(days=1))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "c",
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
        "clusters": [
            {"name": "k", "cluster": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True}}
        ],
        "users": [
            {
                "name": "u",
                "user": {
                    "client-certificate-data": base64.b64encode(cert.read_bytes()).decode(),
                    "client-key-data": base64.b64encode(key.read_bytes()).decode(),
                },
            }
        ],
    }
    kc = tmp_path / "kc"
    kc.write_text(yaml.safe_dump(doc))
    made = simple_client([kc], "c")
    assert made is not None
    pool = made[0].pool_manager.connection_pool_kw
    assert pool["cert_file"].startswith("/proc/self/fd/") and pool["key_file"].startswith("/proc/self/fd/")
    assert Path(pool["key_file"]).read_bytes() == key.read_bytes()
    ssl.create_default_context().load_cert_chain(pool["cert_file"], pool["key_file"])
    assert list(scratch.iterdir()) == []
