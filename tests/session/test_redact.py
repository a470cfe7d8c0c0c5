"""Secrets never reach the journal, the output side files or the transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.plan.model import Node, NodeKind, Plan, TimeBox
from cockpit.session import FakeClock, Session, StreamRedactor
from cockpit.session.redact import SecretBook, redact
from cockpit.session.transcript import write_transcript

SEED_SECRETS = ("datahub_admin_password", "dolphinscheduler123")


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("# Login: admin / datahub_admin_password", "datahub_admin_password", "# Login: admin / "),
        (
            "4. Access UI: https://dolphin.254carbon.com (admin / dolphinscheduler123)",
            "dolphinscheduler123",
            "(admin / ***)",
        ),
        ("password: hunter2", "hunter2", "password: "),
        ("db_password: 123456", "123456", "db_password: "),
        ('{"password": "hunter2", "user": "bob"}', "hunter2", '"user": "bob"'),
        ("psql --password hunter2 -h db", "hunter2", "-h db"),
        ("psql --password=hunter2", "hunter2", "--password="),
        ("argocd login x --auth-token eyJabc.def", "eyJabc", "--auth-token"),
        ("helm repo add x --token ghs123456", "ghs123456", "--token"),
        ("curl -H 'Authorization: Bearer abc.def.ghi123' https://api", "abc.def.ghi123", "Bearer"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "Authorization: Basic"),
        ("curl -u admin:s3cr3t https://grafana", "s3cr3t", "-u admin:"),
        ("git clone https://bob:pa55@github.com/x/y", "pa55", "https://bob:***@github.com"),
        ("export DB_PASSWORD=hunter2 API_TOKEN='a b c' AWS_SECRET=xyz", "hunter2", "DB_PASSWORD="),
        ("export DB_PASSWORD=hunter2 API_TOKEN='a b c' AWS_SECRET=xyz", "a b c", "API_TOKEN="),
        ("export DB_PASSWORD=hunter2 API_TOKEN='a b c' AWS_SECRET=xyz", "xyz", "AWS_SECRET="),
        ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "aws_access_key_id"),
        ("id AKIAIOSFODNN7EXAMPLE in logs", "AKIAIOSFODNN7EXAMPLE", "in logs"),
        ("mysql -u root -ps3cret dolphinscheduler", "s3cret", "dolphinscheduler"),
        ("docker login -u bob -p hunter2 harbor.254carbon.com", "hunter2", "harbor.254carbon.com"),
        ("helm --set auth.password=hunter2 install redis", "hunter2", "install redis"),
        ("PGPASSWORD=hunter2 psql -h db", "hunter2", "psql -h db"),
        ("client-key-data: LS0tLS1CRUdJTi", "LS0tLS1CRUdJTi", "client-key-data:"),
        (
            "kubectl create secret generic x --from-literal=password=hunter2",
            "hunter2",
            "--from-literal=password=",
        ),
    ],
)
def test_secrets_in_one_line_are_masked(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out
    assert kept in out
    assert redact(out) == out  # masking is stable


def test_ascii_and_unicode_output_are_masked_alike() -> None:
    """ASCII output is searched as bytes (fast, other threads run meanwhile), other output as
    text: the same lines come out either way, learned values included."""
    lines = ["password: hunter2", "curl -u admin:s3cr3t https://grafana", "harmless line", PEM, SECRET_YAML]
    book_a, book_b = SecretBook(), SecretBook()
    ascii_out = redact("\n".join(lines), secret_context=True, book=book_a)
    unicode_out = redact("\n".join(lines) + "\ncafé", secret_context=True, book=book_b)
    assert ascii_out.isascii() and unicode_out == ascii_out + "\ncafé"
    assert "hunter2" not in ascii_out and "s3cr3t" not in ascii_out and "ZG9s" not in ascii_out
    learned = "a line naming ZG9scGhpbnNjaGVkdWxlcjEyMw== again"
    assert book_a.mask(learned) == book_b.mask(learned + " é")[:-2] != learned


@pytest.mark.parametrize(
    "text",
    [
        "kubectl -n data-platform delete certificaterequest spark-history-tls-1 graphql-gateway-tls-1",
        "kubectl annotate application data-platform -n argocd argocd.argoproj.io/refresh=hard --overwrite",
        "secretName: spark-history-tls",
        "Phase 1 (30-45 min), read / write split (30 / 45)",
        "kubectl get pods -n data-platform -l 'app in (dolphinscheduler-master,dolphinscheduler-worker)'",
        "curl -sf http://localhost:12345/dolphinscheduler/actuator/health",
        "password: ${DB_PASSWORD}",
        "automountServiceAccountToken: false",
        "  expirationSeconds: 3607\n  tokenExpirationSeconds: 3600",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


SECRET_YAML = """\
apiVersion: v1
data:
  password: ZG9scGhpbnNjaGVkdWxlcjEyMw==
  username: YWRtaW4=
kind: Secret
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","data":{"password":"ZG9scGhpbnNjaGVkdWxlcjEyMw=="},"kind":"Secret"}
  name: dolphinscheduler-db
  namespace: data-platform
type: Opaque
"""

SECRET_JSON = """\
{
    "apiVersion": "v1",
    "data": {
        "password": "ZG9scGhpbnNjaGVkdWxlcjEyMw==",
        "username": "YWRtaW4="
    },
    "kind": "Secret",
    "metadata": {"name": "dolphinscheduler-db"}
}
"""

PEM = """\
tls.key: |
  -----BEGIN RSA PRIVATE KEY-----
  MIIEowIBAAKCAQEA1234567890abcdefghijklmnopqrstuvwxyz
  QWERTYUIOPASDFGHJKLZXCVBNM0987654321
  -----END RSA PRIVATE KEY-----
done
"""


@pytest.mark.parametrize("chunk", [1, 7, 64, 100_000])
@pytest.mark.parametrize(("doc", "gone"), [(SECRET_YAML, "ZG9s"), (SECRET_JSON, "ZG9s"), (PEM, "MIIEow")])
def test_multi_line_secrets_are_masked_however_output_is_chunked(doc: str, gone: str, chunk: int) -> None:
    redactor = StreamRedactor()
    out = "".join(redactor.feed(doc[i : i + chunk]) for i in range(0, len(doc), chunk)) + redactor.flush()
    assert gone not in out
    assert "YWRtaW4=" not in out
    assert "QWERTY" not in out
    # the shape of the output stays readable
    assert out.count("\n") >= doc.count("\n") - 3
    for keep in ("name: dolphinscheduler-db", '"kind": "Secret"', "-----END RSA PRIVATE KEY-----", "done"):
        if keep in doc:
            assert keep in out


def test_configmap_plain_values_stay_readable() -> None:
    doc = "apiVersion: v1\ndata:\n  LOG_LEVEL: debug\n  mode: production\nkind: ConfigMap\n"
    assert redact(doc) == doc


def _seed_plan(seed_text: str, source: Path) -> Plan:
    """A plan whose task titles, steps and commands are the seed's own lines (no loader needed)."""
    lines = [line for line in seed_text.splitlines() if line.strip()]
    tasks = [
        Node(f"1.{i}", NodeKind.TASK, line.strip()[:200], i + 1, TimeBox(10, 10), manual_steps=[line])
        for i, line in enumerate(lines)
    ]
    return Plan("254Carbon", str(source), sections=[Node("1", NodeKind.SECTION, "All", 1, children=tasks)])


def test_recording_the_seed_leaves_no_seed_password_in_any_file(tmp_path: Path, seed_plan_path: Path) -> None:
    seed = seed_plan_path.read_text(encoding="utf-8")
    assert all(s in seed for s in SEED_SECRETS)  # the test means something
    plan = _seed_plan(seed, seed_plan_path)
    clock = FakeClock()
    s = Session.start(plan, tmp_path / "session", context="kind-254", clock=clock)
    lines = [line for line in seed.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        task_id = f"1.{i}"
        s.activate(task_id)
        s.add_note(line, task_id)
        run_id = f"run-{i}"
        s.record_command_started(run_id, task_id, line)
        s.record_output(run_id, "\n".join(seed.splitlines()[i % 400 :][:12]))  # chunk ends mid-line
        s.record_output(run_id, " (continued)\n")
        s.record_output(run_id, line + "\n")
        s.record_command_finished(run_id, 0, 0.1, error=line if i % 5 == 0 else None)
        clock.advance(30)
        s.tick(task_id)
    s.add_note(seed)
    s.end()
    s.close()
    transcript, _ = write_transcript(s.journal_path)
    files = [p for p in (tmp_path / "session").rglob("*") if p.is_file()]
    assert transcript in files and len(files) > len(lines)
    for path in files:
        data = path.read_text(encoding="utf-8")
        for secret in SEED_SECRETS:
            assert secret not in data, f"{secret} leaked into {path}"
    assert "admin / ***" in transcript.read_text()


@pytest.mark.parametrize(
    "cmd",
    [
        "kubectl get secret db -n data-platform -o jsonpath='{.data.password}' | base64 -d",
        "kubectl get secrets db -o go-template='{{.data.password | base64decode}}'",
        "kubectl view-secret db password",
        "vault kv get secret/datahub",
        "sops -d secrets.enc.yaml",
    ],
)
def test_commands_that_print_decoded_secrets_have_their_output_withheld(tmp_path: Path, cmd: str) -> None:
    s = Session.start(_seed_plan("x", tmp_path / "p.md"), tmp_path / "s", clock=FakeClock())
    side = s.record_command_started("r", None, cmd)
    s.record_output("r", "hunter2\n")
    s.record_output("r", "second-secret")
    run = s.record_command_finished("r", 0, 0.1)
    s.close()
    assert "hunter2" not in side.read_text() and "second-secret" not in side.read_text()
    assert "output withheld" in run.excerpt


def test_ordinary_secret_listings_are_still_shown(tmp_path: Path) -> None:
    redactor = StreamRedactor.for_command("kubectl get secrets -n data-platform")
    out = redactor.feed("NAME            TYPE     DATA   AGE\ndatahub-admin   Opaque   2      3d\n")
    assert "datahub-admin   Opaque" in out
