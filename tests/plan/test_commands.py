"""Shell blocks split into the commands an operator runs one by one."""

from __future__ import annotations

import pytest

from cockpit.plan.commands import inline_command, is_shell_command, looks_like_shell, split_shell


def test_comment_above_is_description_and_lines_are_counted() -> None:
    block = split_shell("# Remove old jobs\nkubectl delete jobs -n x\n\nkubectl get jobs -n x", 20)
    assert [(c.cmd, c.line, c.description) for c in block.commands] == [
        ("kubectl delete jobs -n x", 21, "Remove old jobs"),
        ("kubectl get jobs -n x", 23, None),
    ]


def test_comment_right_below_a_command_is_kept_as_its_note() -> None:
    code = (
        "# Pod health\n"
        'kubectl get pods -A | grep -v "Running\\|Completed" | wc -l\n'
        "# Target: <15 pods\n"
        "\n"
        "# Service URLs\n"
        "curl -I https://dolphin.example.com\n"
        "# then\n"
        "curl -I https://grafana.example.com\n"
        "\n"
        "# Afterwards check the dashboards"
    )
    block = split_shell(code, 400)
    assert [(c.description, c.notes) for c in block.commands] == [
        ("Pod health", ["Target: <15 pods"]),
        ("Service URLs", []),
        ("then", []),  # a comment right above the next command describes that one
    ]
    # Comments that describe no command stay the block's notes (manual steps) as before.
    assert block.notes == [(402, "Target: <15 pods"), (409, "Afterwards check the dashboards")]


def test_numbered_comment_descriptions_lose_their_numbers() -> None:
    block = split_shell(
        "# 1. Clean up failed jobs\nkubectl delete jobs --field-selector status.successful==0", 1
    )
    assert block.commands[0].description == "Clean up failed jobs"


def test_backslash_continuations_are_joined() -> None:
    code = (
        "helm upgrade --install web ./chart \\\n"
        "  --namespace web \\\n"
        "  --set image.tag=1.2.3\n"
        "helm list -n web"
    )
    block = split_shell(code, 1)
    assert [c.cmd for c in block.commands] == [
        "helm upgrade --install web ./chart --namespace web --set image.tag=1.2.3",
        "helm list -n web",
    ]
    assert block.commands[1].line == 4


def test_heredoc_is_kept_whole() -> None:
    code = (
        "cat <<'EOF' | kubectl apply -f -\n"
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\nEOF\n"
        "kubectl get ns x"
    )
    block = split_shell(code, 1)
    assert len(block.commands) == 2
    assert block.commands[0].cmd.endswith("name: x\nEOF")
    assert block.commands[0].cmd.count("\n") == 5
    assert block.commands[1].cmd == "kubectl get ns x"


def test_compound_commands_and_quotes_spanning_lines() -> None:
    code = (
        "for ns in a b; do\n  kubectl get pods -n $ns\ndone\n"
        "echo 'two\nlines'\n"
        "kubectl get pods &&\n  kubectl get svc"
    )
    cmds = [c.cmd for c in split_shell(code, 1).commands]
    assert cmds == [
        "for ns in a b; do\n  kubectl get pods -n $ns\ndone",
        "echo 'two\nlines'",
        "kubectl get pods &&\n  kubectl get svc",
    ]


def test_background_and_watch() -> None:
    code = (
        "kubectl port-forward svc/grafana 3000:3000 &\n"
        "watch -n 5 kubectl get pods\n"
        "watch 'kubectl get apps -n argocd'\n"
        "a && b"
    )
    bg, watched, quoted, both = split_shell(code, 1).commands
    assert bg.background and bg.cmd == "kubectl port-forward svc/grafana 3000:3000"
    assert watched.watch and watched.cmd == "kubectl get pods" and watched.watch_interval == 5
    assert quoted.watch and quoted.cmd == "kubectl get apps -n argocd" and quoted.watch_interval == 2
    assert not both.background and both.cmd == "a && b"


def test_a_watch_with_an_unreadable_interval_is_kept_as_a_plain_command() -> None:
    code = (
        "watch --interval=abc kubectl get pods\n"
        "watch -n x kubectl get pods\n"
        "watch --interval=3 kubectl get po"
    )
    odd, spaced, fine = split_shell(code, 1).commands
    assert not odd.watch and odd.cmd == "watch --interval=abc kubectl get pods"
    assert not spaced.watch and spaced.cmd == "watch -n x kubectl get pods"
    assert fine.watch and fine.cmd == "kubectl get po" and fine.watch_interval == 3


def test_comments_that_describe_no_command_are_notes() -> None:
    block = split_shell("kubectl get pods\n\n# Access: http://localhost:3000\n# - check the dashboard", 1)
    assert [text for _line, text in block.notes] == ["Access: http://localhost:3000", "check the dashboard"]


def test_console_keeps_prompt_lines_and_drops_output() -> None:
    code = (
        "$ kubectl get nodes\nNAME   STATUS\nn1     Ready\n"
        "user@host:~$ kubectl drain n1 \\\n>   --ignore-daemonsets\n"
        "node/n1 drained"
    )
    block = split_shell(code, 10, "console")
    assert [(c.cmd, c.line) for c in block.commands] == [
        ("kubectl get nodes", 10),
        ("kubectl drain n1 --ignore-daemonsets", 13),
    ]


def test_unterminated_heredoc_is_reported() -> None:
    block = split_shell("cat <<EOF > x\nnever closed", 5)
    assert block.problems and "EOF" in block.problems[0][1] and block.problems[0][0] == 5


@pytest.mark.parametrize(
    "text",
    [
        "kubectl logs trino-worker",
        "kubectl get pods -n data-platform -l app=dolphinscheduler-api",
        "curl https://dolphin.254carbon.com/health",
        "ctr -n k8s.io images import",
        "KUBECONFIG=/tmp/k sudo kubectl get nodes",
        "./scripts/rotate.sh --now",
        "$ helm list -A",
    ],
)
def test_inline_commands(text: str) -> None:
    assert is_shell_command(text)
    assert inline_command(text, 3) is not None


@pytest.mark.parametrize(
    "text",
    [
        "kubectl",
        "count(up == 1)",
        "/.well-known/acme-challenge/*",
        "scripts/configure-cloudflare-tunnel-token.sh",
        "replicas: 1",
        'up{kubernetes_namespace="data-platform"}',
        "spark-history.254carbon.com",
        "Alerting → Alert rules",
    ],
)
def test_not_commands(text: str) -> None:
    assert not is_shell_command(text)


def test_unlabelled_blocks_are_sniffed() -> None:
    assert looks_like_shell("kubectl get pods\nhelm list -A")
    assert not looks_like_shell(
        "Alerting → Alert rules → New alert rule\nQuery: up == 0\nCondition: Any pod down"
    )
    assert not looks_like_shell("apiVersion: v1\nkind: Pod")


def test_case_if_and_substitutions_stay_whole() -> None:
    code = (
        'case "$1" in\n  start) kubectl scale deploy/a --replicas=1 ;;\n  stop) echo stop ;;\nesac\n'
        "if kubectl get ns x; then\n  echo yes\nfi\n"
        "echo ${HOME} $(date)\n"
        "kubectl get pods"
    )
    lines = [c.line for c in split_shell(code, 1).commands]
    assert lines == [1, 5, 8, 9]


def test_output_lines_in_a_shell_block_are_the_commands_output() -> None:
    code = (
        "kubectl get pods -n web\n"
        "NAME              READY   STATUS             RESTARTS   AGE\n"
        "web-5c7d9-x2k4q   0/1     CrashLoopBackOff   12         3h\n"
        "web-5c7d9-x2k4q 0/1 CrashLoopBackOff 12 3h\n"
        "0 3 * * * /opt/backup/run.sh\n"
        "apiVersion: v1\n"
        '{"kind": "Pod"}\n'
        "2024-05-01T10:00:00Z ERROR failed\n"
        "deployment.apps/web restarted\n"
        "kubectl rollout status deploy/web"
    )
    first, second = split_shell(code, 1).commands
    assert first.cmd == "kubectl get pods -n web"
    assert first.output.splitlines()[0].startswith("NAME")
    assert "0 3 * * * /opt/backup/run.sh" in first.output and "restarted" in first.output
    assert second.cmd == "kubectl rollout status deploy/web" and second.line == 10


@pytest.mark.parametrize(
    "text",
    [
        "oc get pods",
        "argocd app sync web",
        "velero backup create b1",
        "cmctl renew cert",
        "flux reconcile ks app",
        "kustomize build . | kubectl apply -f -",
        "terraform plan",
        "etcdctl endpoint health",
        "ceph status",
        "psql -c 'select 1'",
        "echo aGVsbG8= | base64 -d",
        "export NS=web",
        "NS=web",
        "./scripts/fix.sh",
        "/usr/local/bin/tool --x",
        "patronictl list",
        "for i in 1 2; do",
        "[ -f /etc/x ] && echo yes",
    ],
)
def test_lines_that_start_like_a_command(text: str) -> None:
    from cockpit.plan.commands import starts_command

    assert starts_command(text)


@pytest.mark.parametrize(
    "text",
    [
        "NAME   READY   STATUS",
        "web-5c7d9-x2k4q 0/1 CrashLoopBackOff 12 3h",
        "vault-0   1/1   Running   0   10d",
        "0 3 * * * /opt/backup/run.sh",
        "*/5 * * * * /usr/bin/backup",
        "apiVersion: v1",
        "  name: web",
        "- name: c",
        '{"a": 1}',
        "2024-05-01T10:00:00Z ERROR failed",
        "I0501 10:00:00.123 1 main.go:12] started",
        "[2024-05-01 10:00:00] WARN x",
        "error: the server doesn't have a resource type",
        "Error from server (NotFound): pods not found",
        "deployment.apps/web restarted",
        'pod "web-1" deleted',
        "drwxr-xr-x 2 root root 4096 Jan 1 x",
        "ok",
        'ts=2024 level=info msg="started"',
    ],
)
def test_lines_that_are_output(text: str) -> None:
    from cockpit.plan.commands import starts_command

    assert not starts_command(text)


def test_prompts_only_prompt_lines_are_commands() -> None:
    code = (
        "(venv) $ pip install -r requirements.txt\nSuccessfully installed x\n"
        "PS> kubectl get pods\nNAME READY\n"
        "[root@node1 ~]# systemctl restart kubelet\n"
        "$KUBECONFIG is not a prompt\n"
    )
    block = split_shell(code, 1, "console")
    assert [c.cmd for c in block.commands] == [
        "pip install -r requirements.txt",
        "kubectl get pods",
        "systemctl restart kubelet",
    ]
    assert block.commands[0].output == "Successfully installed x"


def test_root_hash_prompt_in_a_transcript() -> None:
    block = split_shell("# systemctl status kubelet\n● kubelet.service\n   Active: active (running)", 1)
    assert [c.cmd for c in block.commands] == ["systemctl status kubelet"]
    plain = split_shell("# restart the kubelet\nsystemctl restart kubelet", 1)
    assert [(c.cmd, c.description) for c in plain.commands] == [
        ("systemctl restart kubelet", "restart the kubelet")
    ]


def test_multiline_constructs_are_one_command() -> None:
    code = (
        "POD=$(kubectl get pods \\\n  -o name |\n  head -1)\n"
        "kubectl apply -f - <<'YAML'\napiVersion: v1\nkind: Namespace\nYAML\n"
        "restart() {\n  kubectl rollout restart deploy/$1\n}\n"
        "while true; do\n  kubectl get pods\n  sleep 5\ndone\n"
        "kubectl get pods |\n  grep web &&\n  echo found"
    )
    cmds = split_shell(code, 1).commands
    assert [c.line for c in cmds] == [1, 4, 8, 11, 15]
    assert cmds[1].cmd.endswith("YAML") and "kind: Namespace" in cmds[1].cmd


def test_commented_out_commands_are_comments_not_a_root_transcript() -> None:
    block = split_shell("# kubectl delete pod web-1\n# kubectl get pods", 1)
    assert block.commands == [] and [text for _line, text in block.notes] == [
        "kubectl delete pod web-1",
        "kubectl get pods",
    ]


def test_root_prompt_after_sudo_in_a_dollar_transcript() -> None:
    code = "$ sudo -i\n# systemctl restart kubelet\n# check that it is back\n$ kubectl get nodes\nNAME STATUS"
    block = split_shell(code, 1)
    assert [c.cmd for c in block.commands] == ["sudo -i", "systemctl restart kubelet", "kubectl get nodes"]
    assert block.commands[2].output == "NAME STATUS"


@pytest.mark.parametrize("text", ["read replica", "test suite", "set up", "sort names"])
def test_inline_words_that_name_things_are_not_commands(text: str) -> None:
    assert inline_command(text, 1) is None


def test_code_that_opens_a_list_item_and_says_what_for_is_its_action() -> None:
    from cockpit.plan import load_plan_text

    text = (
        "# R\n\n## Apply (5 min)\n\n1. `tf plan` to check the plan output.\n"
        '2. `admission webhook "x.svc" denied the request`, seen in the alerts channel.\n'
        "3. Nothing to run here.\n"
    )
    (task,) = load_plan_text(text, "r.md").tasks()
    assert [c.cmd for c in task.commands] == ["tf plan"]


def test_stack_traces_after_a_command_are_its_output() -> None:
    code = (
        "kubectl -n api logs deploy/api --previous\n"
        'Exception in thread "main" java.lang.IllegalStateException: boom\n'
        "\tat com.example.Main.run(Main.java:42)\n"
        "\tat com.example.Main.main(Main.java:10)\n"
        "goroutine 1 [running]:\n"
        "main.main()\n"
        "\t/usr/local/go/src/runtime/proc.go:250 +0x1d\n"
        "kubectl -n api rollout restart deploy/api"
    )
    first, second = split_shell(code, 1).commands
    assert first.output.count("\n") == 5 and "proc.go:250" in first.output
    assert second.cmd == "kubectl -n api rollout restart deploy/api"
