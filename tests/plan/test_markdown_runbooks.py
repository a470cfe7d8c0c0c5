"""Runbooks of other styles load by their structure, not by the seed's words."""

from __future__ import annotations

from cockpit.plan import load_plan, load_plan_text
from cockpit.plan.model import NodeKind

from .conftest import FIXTURES, by_title, minutes


def test_gitlab_checklist_items_are_tasks() -> None:
    plan = load_plan(FIXTURES / "gitlab-incident.md")
    assert plan.title == "Incident: PostgreSQL primary failover"
    assert "owner" not in plan.text and "| Severity | S2 |" in plan.text  # HTML comment dropped, table kept
    preflight = by_title(plan, "Pre-flight checks")
    assert preflight.kind is NodeKind.PHASE
    assert [t.title for t in preflight.children] == [
        "Page the database on-call and open a bridge",
        "Confirm replication lag on the standby",
        "Freeze deploys in the `orders` namespace",
    ]
    lag = preflight.children[1]
    assert lag.commands[0].inline and lag.commands[0].cmd.startswith(
        "kubectl exec -n orders orders-db-1 -- psql"
    )
    failover = by_title(plan, "Failover")
    point = failover.children[2]
    assert [c.watch for c in point.commands] == [False, True]
    assert point.commands[1].watch_interval == 5
    assert by_title(plan, "Summary").kind is NodeKind.SECTION
    rollback = by_title(plan, "Rollback")
    assert rollback.kind is NodeKind.TASK and rollback.commands[0].description == "Stop writers"


def test_kubernetes_upgrade_console_blocks_and_admonitions() -> None:
    plan = load_plan(FIXTURES / "k8s-upgrade.md")
    assert "[!WARNING]" in plan.text
    prep = by_title(plan, "1. Preparation")
    assert prep.kind is NodeKind.PHASE and minutes(prep) == (20, 20)
    assert "> **Note**" in prep.text
    health = by_title(plan, "1.1 Check cluster health")
    assert [c.cmd for c in health.commands] == [
        "kubectl get nodes -o wide",
        "kubectl get pods -A --field-selector=status.phase!=Running",
    ]
    etcd = by_title(plan, "1.2 Back up etcd")
    assert len(etcd.commands) == 1 and "--key=/etc/kubernetes/pki/etcd/server.key" in etcd.commands[0].cmd
    assert etcd.success_criteria and "snapshot status" in etcd.success_criteria[0]
    control = by_title(plan, "2. Upgrade the control plane")
    assert minutes(control) == (30, 30)
    kubeadm = by_title(plan, "2.1 Upgrade kubeadm")  # an h4 under an h2
    assert kubeadm.kind is NodeKind.TASK and len(kubeadm.commands) == 3
    assert all(not c.cmd.startswith("[upgrade") for c in kubeadm.commands)
    indented = by_title(plan, "2.3 Confirm the version")
    assert [c.cmd for c in indented.commands] == ["kubectl version", "kubectl get nodes"]
    workers = by_title(plan, "3. Worker nodes")
    assert [minutes(t) for t in workers.children] == [(15, 15), (15, 15)]
    assert "> **Note**" in workers.children[0].text and "!!!" not in workers.children[0].text
    assert workers.children[0].commands[0].cmd.startswith("kubectl drain node-1")
    assert by_title(plan, "Appendix").kind is NodeKind.SECTION
    assert plan.metrics == []  # a table without current/target columns is not metrics


def test_numbered_steps_with_tilde_fences() -> None:
    plan = load_plan(FIXTURES / "numbered-steps.md")
    assert plan.title == "Rotate the ingress TLS certificate"  # setext heading
    (phase,) = plan.sections
    assert phase.kind is NodeKind.PHASE
    assert [minutes(t) for t in phase.children] == [(2, 2), (5, 5), (10, 10), (1, 1), None]
    assert phase.children[1].commands[0].cmd.startswith("kubectl -n ingress delete certificaterequest")
    assert phase.children[3].title == "Verify from outside"
    assert phase.children[3].commands[0].cmd == "curl -vI https://www.example.com 2>&1 | grep expire"


def test_headings_of_any_depth_html_and_yaml_fences() -> None:
    plan = load_plan(FIXTURES / "levels-and-html.md")
    backup = by_title(plan, "Take a base backup")
    assert backup.kind is NodeKind.TASK and minutes(backup) == (20, 20)
    assert minutes(by_title(plan, "Check the backup")) == (10, 10)
    restore = by_title(plan, "Stage B: Restore")
    assert minutes(restore) == (30, 30)
    assert len(restore.commands) == 1 and restore.commands[0].cmd.startswith(
        "cat <<'YAML' | kubectl apply -f -"
    )
    assert "```yaml" in restore.text  # a data block stays briefing text
    assert restore.success_criteria == ["restored pods Ready within 15 minutes."]
    assert "owner" not in plan.text


def test_plan_without_headings_or_time_boxes() -> None:
    text = (
        "1. Check the pods: `kubectl get pods -A`\n2. Restart the API: `kubectl rollout restart deploy/api`\n"
    )
    plan = load_plan_text(text, "steps.md")
    assert plan.title == "steps"
    tasks = plan.tasks()
    assert len(tasks) == 1 and len(tasks[0].commands) == 2


def test_ids_survive_a_fresh_load() -> None:
    text = (FIXTURES / "k8s-upgrade.md").read_text()
    first, second = load_plan_text(text, "a.md"), load_plan_text(text, "a.md")
    assert [(n.id, n.title) for n in first.walk()] == [(n.id, n.title) for n in second.walk()]
    assert by_title(first, "2.2 Restart the kubelet").id == "2.2"


def test_text_fence_is_never_sniffed_as_shell() -> None:
    plan = load_plan_text(
        "# P\n\n## Look - 5 min\n\n```text\nkubectl get pods\n```\n\n```\nkubectl get svc\n```\n", "p.md"
    )
    (task,) = plan.tasks()
    assert [c.cmd for c in task.commands] == ["kubectl get svc"]
    assert task.manual_steps == ["kubectl get pods"]


def test_prose_step_inside_a_timed_phase_is_a_task() -> None:
    text = (
        "# Maintenance\n\n## Procedure (45 min)\n\n### Announce\n\nPost in #ops that maintenance starts.\n\n"
        "### Drain - 20 min\n\n```bash\nkubectl drain node-1 --ignore-daemonsets\n```\n\n"
        "## Background\n\nWhy we do this.\n"
    )
    plan = load_plan_text(text, "m.md")
    assert [t.title for t in plan.tasks()] == ["Announce", "Drain"]
    assert by_title(plan, "Announce").text == "Post in #ops that maintenance starts."
    assert by_title(plan, "Background").kind is NodeKind.SECTION


def test_correct_utf8_and_crlf_files_load_without_repairs() -> None:
    for name in ("gitlab-incident.md", "k8s-upgrade.md", "levels-and-html.md", "numbered-steps.md"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        plan = load_plan_text(text.replace("\n", "\r\n"), name)
        assert plan.warnings == [], name
        assert [n.title for n in plan.walk()] == [n.title for n in load_plan_text(text, name).walk()]
        assert not any("\r" in c.cmd for t in plan.tasks() for c in t.commands)
    assert load_plan(FIXTURES / "k8s-upgrade.md").title == "Kubernetes 1.29 → 1.30 node upgrade"


def test_a_lead_in_line_describes_the_command_below_it() -> None:
    text = (
        "# R\n\n## Resize (5 min)\n\nTo resize the volume run:\n\n```bash\nkubectl edit pvc data\n```\n\n"
        "```bash\n# Restart the pod\nkubectl delete pod web-0\n```\n"
    )
    (task,) = load_plan_text(text, "r.md").tasks()
    assert [c.description for c in task.commands] == ["To resize the volume run", "Restart the pod"]
