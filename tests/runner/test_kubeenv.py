"""The session's kube context pinned into a private minified kubeconfig."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
import yaml

from cockpit.kubeconfig import kubeconfig_paths
from cockpit.runner.kubeenv import KubeconfigError, list_contexts, pin_kube_context
from cockpit.runner.process import CommandRun

MAIN = """
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://prod.example:6443
    certificate-authority: certs/prod-ca.crt
- name: sandbox-cluster
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
contexts:
- name: prod
  context: {cluster: prod-cluster, user: oidc-user, namespace: data-platform}
- name: sandbox
  context: {cluster: sandbox-cluster, user: sandbox-admin}
- name: broken
  context: {cluster: nowhere, user: sandbox-admin}
users:
- name: oidc-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubectl
      args: [oidc-login, get-token, --oidc-issuer-url=https://issuer.example, --oidc-client-id=k8s]
      env: [{name: FOO, value: bar}]
      interactiveMode: IfAvailable
      provideClusterInfo: false
- name: sandbox-admin
  user:
    client-certificate: certs/admin.crt
    client-key: /abs/admin.key
    token: sandbox-token
"""

EXTRA = """
apiVersion: v1
kind: Config
current-context: sandbox
clusters:
- name: prod-cluster
  cluster: {server: https://shadowed.example}
- name: staging-cluster
  cluster: {server: https://staging.example}
contexts:
- name: staging
  context: {cluster: staging-cluster, user: gcp}
users:
- name: gcp
  user:
    auth-provider:
      name: oidc
      config: {client-id: x, id-token: y, idp-issuer-url: https://accounts.example}
"""


@pytest.fixture
def kubeconfigs(tmp_path: Path) -> tuple[Path, Path]:
    main = tmp_path / "home" / ".kube" / "config"
    main.parent.mkdir(parents=True)
    main.write_text(MAIN)
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA)
    return main, extra


def test_default_path_and_kubeconfig_list(tmp_path: Path) -> None:
    assert kubeconfig_paths(environ={"HOME": str(tmp_path)}) == [tmp_path / ".kube" / "config"]
    assert kubeconfig_paths(environ={"KUBECONFIG": "/a:/b::", "HOME": "/h"}) == [Path("/a"), Path("/b")]
    assert kubeconfig_paths(["/x", Path("/y")]) == [Path("/x"), Path("/y")]


def test_pins_the_current_context_with_its_namespace(kubeconfigs: tuple[Path, Path], tmp_path: Path) -> None:
    main, _ = kubeconfigs
    session = tmp_path / "session"
    kube = pin_kube_context(session, environ={"HOME": str(tmp_path / "home")})
    assert (kube.context, kube.namespace, kube.cluster, kube.user) == (
        "prod",
        "data-platform",
        "prod-cluster",
        "oidc-user",
    )
    assert kube.server == "https://prod.example:6443"
    assert kube.kubeconfig == session / "kubeconfig"
    assert stat.S_IMODE(kube.kubeconfig.stat().st_mode) == 0o600
    assert kube.env == {
        "KUBECONFIG": str(kube.kubeconfig),
        "HELM_KUBECONTEXT": "prod",
        "HELM_NAMESPACE": "data-platform",
    }
    written = yaml.safe_load(kube.kubeconfig.read_text())
    assert written["current-context"] == "prod"
    assert [c["name"] for c in written["clusters"]] == ["prod-cluster"]
    assert [c["name"] for c in written["contexts"]] == ["prod"]
    assert [u["name"] for u in written["users"]] == ["oidc-user"]
    original_exec = yaml.safe_load(MAIN)["users"][0]["user"]["exec"]
    assert written["users"][0]["user"]["exec"] == original_exec, "exec auth must be kept intact"
    ca = written["clusters"][0]["cluster"]["certificate-authority"]
    assert ca == str(main.parent / "certs" / "prod-ca.crt"), "relative paths resolve against the source file"


def test_pins_another_context_and_namespace(kubeconfigs: tuple[Path, Path], tmp_path: Path) -> None:
    main, _ = kubeconfigs
    kube = pin_kube_context(tmp_path / "s", context="sandbox", namespace="argocd", kubeconfig=main)
    written = yaml.safe_load(kube.kubeconfig.read_text())
    assert written["contexts"] == [
        {
            "name": "sandbox",
            "context": {"cluster": "sandbox-cluster", "user": "sandbox-admin", "namespace": "argocd"},
        }
    ]
    user = written["users"][0]["user"]
    assert user["client-certificate"] == str(main.parent / "certs" / "admin.crt")
    assert user["client-key"] == "/abs/admin.key"
    assert pin_kube_context(tmp_path / "t", context="sandbox", kubeconfig=main).namespace == "default"


def test_kubeconfig_list_merges_like_kubectl(kubeconfigs: tuple[Path, Path], tmp_path: Path) -> None:
    main, extra = kubeconfigs
    environ = {"KUBECONFIG": f"{tmp_path / 'missing'}:{main}:{extra}"}
    names, current = list_contexts(environ=environ)
    assert names == ["prod", "sandbox", "broken", "staging"]
    assert current == "prod", "the first file's current-context wins"
    kube = pin_kube_context(tmp_path / "s", context="staging", environ=environ)
    written = yaml.safe_load(kube.kubeconfig.read_text())
    assert written["users"][0]["user"]["auth-provider"]["name"] == "oidc"
    assert (
        pin_kube_context(tmp_path / "p", context="prod", environ=environ).server
        == "https://prod.example:6443"
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
async def test_commands_see_the_pinned_context(kubeconfigs: tuple[Path, Path], tmp_path: Path) -> None:
    main, _ = kubeconfigs
    kube = pin_kube_context(tmp_path / "s", context="sandbox", namespace="monitoring", kubeconfig=main)
    chunks: list[str] = []
    run = CommandRun(
        "kubectl config view --minify -o jsonpath='{.current-context}/{.contexts[0].context.namespace}'",
        env={**kube.env, "KUBECONFIG": kube.env["KUBECONFIG"]},
        on_output=chunks.append,
    )
    result = await run.run()
    assert result.ok, "".join(chunks)
    assert "".join(chunks).strip() == "sandbox/monitoring"


def test_clear_errors(kubeconfigs: tuple[Path, Path], tmp_path: Path) -> None:
    main, _ = kubeconfigs
    with pytest.raises(KubeconfigError, match=r"kubeconfig not found: .*nope \(set KUBECONFIG"):
        pin_kube_context(tmp_path / "s", kubeconfig=tmp_path / "nope")
    with pytest.raises(
        KubeconfigError, match=r"context 'qa' not found in .*config \(available: prod, sandbox, broken\)"
    ):
        pin_kube_context(tmp_path / "s", context="qa", kubeconfig=main)
    with pytest.raises(
        KubeconfigError, match=r"context 'broken' refers to cluster 'nowhere', which is not defined"
    ):
        pin_kube_context(tmp_path / "s", context="broken", kubeconfig=main)
    bad = tmp_path / "bad.yaml"
    bad.write_text("clusters:\n  - name: x\n   bad: [\n")
    with pytest.raises(KubeconfigError, match=rf"{bad}:\d+: kubeconfig is not valid YAML"):
        pin_kube_context(tmp_path / "s", kubeconfig=bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(
        KubeconfigError, match=r"no current-context in .*empty\.yaml; choose a context: none defined"
    ):
        pin_kube_context(tmp_path / "s", kubeconfig=empty)
