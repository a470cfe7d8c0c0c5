"""Safety classification: which commands change the cluster, which need the real terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.runner.safety import classify
from cockpit.shell import parse
from tests.conftest import SEED_PLAN

# Every command of the seed plan's code blocks, plus the ones it names inline:
# (command, changes the cluster, needs the terminal).
SEED = [
    (
        "kubectl -n data-platform delete certificaterequest spark-history-tls-1 graphql-gateway-tls-1",
        True,
        False,
    ),
    ("kubectl -n data-platform get certificate spark-history-tls", False, False),
    ("kubectl delete job -n data-platform dolphinscheduler-full-schema-init", True, False),
    ("kubectl logs -n data-platform deploy/dolphinscheduler-api --tail=100", False, False),
    ("kubectl logs -n data-platform deploy/dolphinscheduler-master --tail=100", False, False),
    (
        "kubectl annotate application data-platform -n argocd argocd.argoproj.io/refresh=hard --overwrite",
        True,
        False,
    ),
    (
        "kubectl annotate application platform-policies -n argocd "
        "argocd.argoproj.io/refresh=hard --overwrite",
        True,
        False,
    ),
    (
        "kubectl annotate application api-gateway -n argocd argocd.argoproj.io/refresh=hard --overwrite",
        True,
        False,
    ),
    (
        "kubectl annotate application portal-services -n argocd argocd.argoproj.io/refresh=hard --overwrite",
        True,
        False,
    ),
    ("kubectl -n data-platform get ingress spark-history-server", False, False),
    ("kubectl -n kong get networkpolicy", False, False),
    (
        "kubectl delete jobs -n data-platform -l 'job-name in (dolphinscheduler-full-schema-init,"
        "dolphinscheduler-init-db,datahub-init-db)' --field-selector status.successful==0",
        True,
        False,
    ),
    ("kubectl delete jobs -n data-platform --field-selector status.successful==1", True, False),
    ("kubectl delete jobs -n data-platform --field-selector status.successful==0", True, False),
    ("kubectl scale deployment datahub-mce-consumer -n data-platform --replicas=0", True, False),
    (
        'kubectl patch cronjob iceberg-compaction -n data-platform -p \'{"spec":{"suspend":true}}\'',
        True,
        False,
    ),
    ("kubectl get pods -A > cluster-status-$(date +%Y%m%d).txt", True, False),  # writes a file
    ("kubectl get applications -n argocd > argocd-status-$(date +%Y%m%d).txt", True, False),
    (
        "kubectl wait --for=condition=ready pod -l app=dolphinscheduler-api -n data-platform --timeout=300s",
        False,
        False,
    ),
    (
        "kubectl get pods -n data-platform -l "
        "'app in (dolphinscheduler-master,dolphinscheduler-worker,trino-coordinator,minio,superset)'",
        False,
        False,
    ),
    (
        "kubectl exec -n data-platform deploy/dolphinscheduler-api -- "
        "curl -sf http://localhost:12345/dolphinscheduler/actuator/health",
        False,  # a health check in the pod (issue 9: read-only)
        False,
    ),
    ("watch kubectl get applications -n argocd", False, False),
    ("kubectl port-forward -n monitoring svc/grafana 3000:3000 &", False, False),
    ('kubectl get pods -A | grep -v "Running\\|Completed" | wc -l', False, False),
    ("curl -I https://dolphin.254carbon.com", False, False),
    ("curl -I https://grafana.254carbon.com", False, False),
    ("curl -I https://superset.254carbon.com", False, False),
    ("curl -I https://trino.254carbon.com", False, False),
    ("velero backup create manual-test-$(date +%s) --include-namespaces data-platform", True, False),
    ("velero backup get", False, False),
    # named inline in the plan's prose
    ("ctr -n k8s.io images import portal-services.tar", True, False),
    ("kubectl logs trino-worker", False, False),
    ("kubectl get pods -n data-platform -l app=dolphinscheduler-api", False, False),
    ("curl https://dolphin.254carbon.com/dolphinscheduler/actuator/health", False, False),
]

OTHERS = [
    # kubectl verbs that change the cluster
    ("kubectl annotate pod x a=b", True, False),
    ("kubectl label node n1 role=db --overwrite", True, False),
    ("kubectl apply -f deploy.yaml", True, False),
    ("kubectl create namespace x", True, False),
    ("kubectl replace -f x.yaml", True, False),
    ("kubectl set image deploy/x c=img:2", True, False),
    ("kubectl rollout restart deployment/trino-worker -n data-platform", True, False),
    ("kubectl rollout undo deploy/x", True, False),
    ("kubectl rollout pause deploy/x", True, False),
    ("kubectl rollout resume deploy/x", True, False),
    ("kubectl drain k8s-worker --ignore-daemonsets", True, False),
    ("kubectl cordon k8s-worker", True, False),
    ("kubectl uncordon k8s-worker", True, False),
    ("kubectl taint nodes k8s-worker key=value:NoSchedule", True, False),
    ("kubectl cp ./fix.sql data-platform/postgres-0:/tmp/fix.sql", True, False),
    ("kubectl --context prod -n x delete pod y", True, False),
    ("kubectl run tmp --image=busybox --restart=Never -- true", True, False),
    ("k delete pod x", True, False),
    # read-only kubectl
    ("kubectl describe pod x", False, False),
    ("kubectl top pods -A", False, False),
    ("kubectl explain deployment.spec", False, False),
    ("kubectl version", False, False),
    ("kubectl api-resources", False, False),
    ("kubectl auth can-i delete pods -n x", False, False),
    ("kubectl rollout status deploy/x", False, False),
    ("kubectl rollout history deploy/x", False, False),
    ("kubectl cp data-platform/postgres-0:/tmp/dump.sql ./dump.sql", True, False),  # writes a local file
    ("kubectl diff -f x.yaml", False, False),
    ("kubectl get pods -w", False, False),
    ("kubectl delete pod x --dry-run=client", False, False),
    ("kubectl apply -f x.yaml --dry-run=server", False, False),
    ("kubectl delete pod x --dry-run=none", True, False),
    ("kubectl get secret x -o jsonpath='{.data.password}' | base64 -d", False, False),
    ("kubectl config view --minify", False, False),
    ("kubectl config current-context", False, False),
    ("kubectl config get-contexts", False, False),
    # the session's target is pinned: re-pointing it is not a read
    ("kubectl config use-context prod", True, False),
    ("kubectl config set-context --current --namespace=kube-system", True, False),
    # needs the terminal
    ("kubectl edit deploy x", True, True),
    ("kubectl exec -it postgres-0 -- psql", True, True),
    ("kubectl exec -ti postgres-0 -- bash", True, True),
    ("kubectl exec --stdin --tty postgres-0 -- sh", True, True),
    ("kubectl attach -it x", True, True),
    ("kubectl get pods -A | less", False, True),
    ("kubectl logs x | more", False, True),
    ("vi values.yaml", True, True),  # an editor writes files
    ("vim values.yaml", True, True),
    ("nano values.yaml", True, True),
    ("top", False, True),
    ("htop", False, True),
    ("ssh k8s-worker", True, True),  # remote execution (issue 9)
    ("sudo ctr -n k8s.io images ls", False, True),
    ("sudo ctr -n k8s.io images import /tmp/portal.tar", True, True),
    ("psql -h db -U postgres", True, True),
    ("psql -h db -c 'select 1'", False, False),
    ("psql -h db -c 'DELETE FROM t'", True, False),
    ("read -p 'Continue? ' answer", False, True),
    ("argocd login argocd.254carbon.com", False, True),
    ("kubectl delete pod x --interactive", True, True),
    ("helm upgrade x chart --interactive", True, True),
    # helm
    ("helm install x ./chart", True, False),
    ("helm upgrade --install x ./chart -n data-platform", True, False),
    ("helm uninstall x", True, False),
    ("helm rollback x 3", True, False),
    ("helm delete x", True, False),
    ("helm list -A", False, False),
    ("helm status x", False, False),
    ("helm template x ./chart", False, False),
    ("helm upgrade x ./chart --dry-run", False, False),
    # velero
    ("velero restore create --from-backup b1", True, False),
    ("velero backup describe b1 --details", False, False),
    ("velero restore get", False, False),
    ("velero backup delete b1", True, False),
    # argocd
    ("argocd app sync data-platform", True, False),
    ("argocd app delete x", True, False),
    ("argocd app set x --revision main", True, False),
    ("argocd app rollback x 2", True, False),
    ("argocd app get data-platform", False, False),
    ("argocd app list", False, False),
    ("argocd app diff x", False, False),
    # wrappers that run arbitrary text
    ("sh -c 'kubectl get pods'", False, False),  # a literal inner command is read like any other
    ("bash -c 'echo hi'", False, False),
    ("sh -c 'kubectl delete pod x'", True, False),
    ("eval $CMD", True, False),
    (
        "kubectl get pods -o name | xargs kubectl describe",
        False,
        False,
    ),  # describe reads, whatever it is given
    ("kubectl get pods -o name | xargs kubectl delete", True, False),
    ("./scripts/configure-cloudflare-tunnel-token.sh", True, False),
    ("bash scripts/fix.sh", True, False),
    # other tools
    ("docker push registry/portal:1.0", True, False),
    ("docker images", False, False),
    ("git push origin main", True, False),
    ("git status", False, False),
    ("git log --oneline", False, False),
    ("curl -X POST https://api/x -d '{}'", True, False),
    ("curl -sf --data-binary @x https://api/x", True, False),
    ("curl -X GET https://api/x", False, False),
    # lists, substitutions, loops, comments
    ("kubectl get pods && kubectl delete pod x", True, False),
    ("kubectl get pods; echo done", False, False),
    ('echo "pods: $(kubectl delete pod x)"', True, False),
    ("echo `kubectl scale deploy x --replicas=0`", True, False),
    ("for p in a b; do kubectl delete pod $p -n x; done", True, False),
    ("for p in a b; do kubectl get pod $p -n x; done", False, False),
    ("kubectl get pods # then kubectl delete pod x", False, False),
    ("NS=data-platform kubectl get pods -n $NS", False, False),
    ("timeout 10 kubectl get pods", False, False),
    ("echo $((1 + 2))", False, False),
    ("kubectl get pods 2>&1 | tee out.txt", True, False),  # tee writes a file
    ("kubectl get pods 2>&1 | tee /dev/null", False, False),
    ("some-unknown-tool --fix", True, False),
    ("kubectl get pods 'unbalanced", True, False),
]


def _seed_commands() -> list[str]:
    """Every command line of the seed plan's bash code blocks (comments and blanks dropped)."""
    commands: list[str] = []
    fence = None
    for line in Path(SEED_PLAN).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:]
            continue
        if fence == "bash" and stripped and not stripped.startswith("#"):
            commands.append(stripped)
    return commands


def test_table_covers_every_seed_command() -> None:
    table = {cmd for cmd, _, _ in SEED}
    missing = [cmd for cmd in _seed_commands() if cmd not in table]
    assert missing == []
    assert len(set(_seed_commands())) >= 25


@pytest.mark.parametrize(("cmd", "changes", "terminal"), SEED + OTHERS)
def test_classify(cmd: str, changes: bool, terminal: bool) -> None:
    safety = classify(cmd)
    assert (safety.changes_cluster, safety.needs_terminal) == (changes, terminal), safety
    assert safety.reason
    assert bool(safety.terminal_reason) == terminal


@pytest.mark.parametrize(
    ("cmd", "reason"),
    [
        ("kubectl -n data-platform delete certificaterequest a", "kubectl delete changes the cluster"),
        ("kubectl get pods -A | grep -v Running | wc -l", "read-only: kubectl get, grep, wc"),
        ("sh -c 'kubectl delete pod x'", "sh -c: kubectl delete changes the cluster"),
        ("sh -c 'kubectl get pods'", "read-only: sh -c kubectl get"),
        (
            "kubectl delete pod x --dry-run=server",
            "kubectl delete --dry-run=server does not change the cluster",
        ),
        ("kubectl rollout restart deploy/x", "kubectl rollout restart changes the cluster"),
        ("velero restore create --from-backup b", "velero restore create changes the cluster"),
        ("helm -n data-platform upgrade x ./chart", "helm upgrade changes the cluster"),
        ("argocd --server argocd.example app sync data-platform", "argocd app sync changes the cluster"),
        ("velero -n velero backup create b1", "velero backup create changes the cluster"),
        (
            "kubectl --dry-run=server delete pod x",
            "kubectl delete --dry-run=server does not change the cluster",
        ),
        ("helm -n data-platform list", "read-only: helm list"),
    ],
)
def test_reason_names_the_deciding_command(cmd: str, reason: str) -> None:
    assert classify(cmd).reason == reason


def test_terminal_reason_says_why() -> None:
    assert classify("kubectl edit deploy x").terminal_reason == "kubectl edit opens an editor"
    assert re.search(r"less", classify("kubectl get pods | less").terminal_reason)


def test_every_simple_command_is_found_in_lists_pipes_and_substitutions() -> None:
    def commands(text: str) -> list[list[str | None]]:
        return [c.values for _depth, c in parse(text).walk() if c.kind == "simple"]

    assert commands("a && b | c; X=$(d e) f > out 2>&1") == [["a"], ["b"], ["c"], ["f"], ["d", "e"]]
    assert commands("kubectl get pods \\\n  -n x") == [["kubectl", "get", "pods", "-n", "x"]]
    assert commands("diff <(kubectl get a) <(kubectl get b)")[1:] == [
        ["kubectl", "get", "a"],
        ["kubectl", "get", "b"],
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="kubectl delete get sh -c'\"$()`|&;<>#{}\\ \nabc=", max_size=60))
def test_classify_never_fails_on_any_line(line: str) -> None:
    safety = classify(line)
    assert safety.reason
    if parse(line).all_problems():
        assert safety.changes_cluster, "a line that cannot be read with certainty is treated as changing"


@pytest.mark.parametrize(
    ("cmd", "retarget"),
    [
        ("kubectl --context prod -n x delete pod y", "--context prod"),
        ("kubectl get pods --kubeconfig=/tmp/other", "--kubeconfig=/tmp/other"),
        ("KUBECONFIG=/tmp/other kubectl get pods", "KUBECONFIG=/tmp/other"),
        ("helm --kube-context prod list", "--kube-context prod"),
        ("kubectl -n data-platform get pods", ""),
        ("kubectl exec x -- curl --context y", ""),
        ("curl --server x", ""),
    ],
)
def test_retarget_names_what_overrides_the_pinned_target(cmd: str, retarget: str) -> None:
    assert classify(cmd).retarget == retarget


def test_every_command_the_plan_loader_offers_is_classified_as_the_table_says() -> None:
    from cockpit.plan import load_plan

    table = {cmd: (changes, terminal) for cmd, changes, terminal in SEED}
    commands = [c for node in load_plan(SEED_PLAN).walk() for c in node.commands]
    assert len(commands) >= 30
    for command in commands:
        typed = (
            f"watch {command.cmd}"
            if command.watch
            else f"{command.cmd} &"
            if command.background
            else command.cmd
        )
        expected = table.get(typed)
        if expected is None:  # named inline without arguments, e.g. `ctr -n k8s.io images import`
            assert command.inline, typed
            expected = next(v for k, v in table.items() if k.startswith(typed))
        safety = classify(typed)
        assert (safety.changes_cluster, safety.needs_terminal) == expected, typed


@pytest.mark.parametrize(
    ("cmd", "changes"),
    [
        ("kubectl logs <pod> -n <namespace>", False),  # not a redirection: a placeholder
        ("kubectl delete pod <pod>", True),
        ("kubectl exec <pod> -- cat /etc/hosts", False),
        ("kubectl get pods -n {{ns}} > out.txt", True),
    ],
)
def test_plan_commands_are_tagged_with_their_placeholders_read_as_names(cmd: str, changes: bool) -> None:
    from cockpit.runner import classify_template

    assert classify_template(cmd).changes_cluster is changes


def test_command_namespace_and_background_read_the_shell_like_the_classifier() -> None:
    from cockpit.runner import command_namespace, is_background

    assert command_namespace("watch -n 2 kubectl get applications -n argocd") == "argocd"
    assert command_namespace("echo -n x; kubectl get pods") is None
    assert command_namespace("FOO=1 /usr/bin/kubectl -n'data-platform' get pods") == "data-platform"
    assert command_namespace("kubectl exec p -- sh -c 'kubectl -n other get pods'") is None
    assert is_background("kubectl port-forward svc/x 8080:80 &")
    assert not is_background("kubectl get pods && echo done")
    assert not is_background("echo 'a &'")
