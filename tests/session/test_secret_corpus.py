"""A corpus of secrets in every form the redactor knows, run end to end through a session: printed by
real commands in a PTY (also through decoders the redactor cannot follow), written in the plan and
in notes. Afterwards not one of them is anywhere in the session folder, every file there is 0600
and every folder 0700, and what merely looks like a secret (pod names, image digests, UIDs,
resourceVersions, sha256 sums) is untouched.

The values are generated (seeded), so no token-shaped literal sits in the source tree.
"""

from __future__ import annotations

import asyncio
import base64
import random
import stat
import string
import sys
from pathlib import Path

import pytest

from cockpit.plan.model import Node, NodeKind, Plan, TimeBox
from cockpit.runner.process import CommandRun
from cockpit.session import FakeClock, Session
from cockpit.session.redact import output_policy, redact
from cockpit.session.transcript import write_transcript

_rng = random.Random(20261205)
B62 = string.ascii_letters + string.digits


def _rand(n: int, alphabet: str = B62) -> str:
    while True:  # mixed case and a digit, like every generated token
        value = "".join(_rng.choice(alphabet) for _ in range(n))
        kinds = (str.isupper, str.islower, str.isdigit)
        if all(any(kind(c) for c in value) for kind in kinds):
            return value


def _b64(n: int) -> str:
    return base64.b64encode(bytes(_rng.randrange(256) for _ in range(n))).decode()


def _pem(kind: str) -> tuple[str, list[str]]:
    body = [_b64(48) for _ in range(4)]
    return "\n".join([f"-----BEGIN {kind}PRIVATE KEY-----", *body, f"-----END {kind}PRIVATE KEY-----"]), body


CORPUS: list[tuple[str, str]] = []  # (line as printed, the secret in it)


def _add(line: str, secret: str) -> None:
    assert secret in line
    CORPUS.append((line, secret))


for prefix in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"):
    token = prefix + _rand(36)
    _add(f"GITHUB_TOKEN={token}", token)
    _add(f"git remote set-url origin https://x-access-token:{token}@github.com/org/repo", token)
    _add(f"using token {token} for the mirror", token)
pat = "github_pat_" + _rand(22) + "_" + _rand(59)
_add(f"export GH_PAT={pat}", pat)
_add(f"token {pat} expires in 30 days", pat)
for prefix in ("glpat-", "glpat-"):
    token = prefix + _rand(20, B62 + "-_")
    _add(f"gitlab ci token {token}", token)
for _ in range(2):
    key = "AIza" + _rand(35, B62 + "-_")
    _add(f"maps key={key}", key)
    _add(f'"apiKey": "{key}",', key)
for prefix in ("sk_live_", "rk_live_", "sk_test_"):
    key = prefix + _rand(24)
    _add(f"stripe: {key}", key)
for prefix in ("sk-", "sk-proj-", "sk-proj-"):
    key = prefix + _rand(48 if prefix == "sk-" else 120, B62 + "-_")
    _add(f"OPENAI_API_KEY={key}", key)
    _add(f"calling the model with {key} now", key)
for _ in range(2):
    token = "npm_" + _rand(36)
    _add(f"//registry.npmjs.org/:_authToken={token}", token)
    _add(f"npm token {token} created", token)
for _ in range(2):
    token = "hvs." + _rand(90, B62 + "-_")
    _add(f"VAULT_TOKEN={token}", token)
    _add(f"vault login {token}", token)
legacy = "s." + _rand(24)
_add(f"token: {legacy}", legacy)
_add(f"Using vault token {legacy} (legacy)", legacy)
account_key = _b64(64)
_add(
    f"DefaultEndpointsProtocol=https;AccountName=dpstore;AccountKey={account_key};EndpointSuffix=core.windows.net",
    account_key,
)
sas_sig = _rand(43) + "%3D"
_add(f"SharedAccessSignature=sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-12-31&sig={sas_sig}", sas_sig)
sas_sig2 = _rand(43) + "%3D"
_add(f"https://dpstore.blob.core.windows.net/backups?sv=2022-11-02&sr=c&sig={sas_sig2}", sas_sig2)
bus_key = _b64(32)
_add(f"Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={bus_key}", bus_key)
docker_auth = base64.b64encode(f"robot$ci:{_rand(32)}".encode()).decode()
_add(f'{{"auths":{{"harbor.254carbon.com":{{"auth":"{docker_auth}"}}}}}}', docker_auth)
_add(f'        "auth": "{docker_auth}"', docker_auth)
hook = f"T{_rand(10).upper()}/B{_rand(10).upper()}/{_rand(24)}"
_add(f"SLACK_WEBHOOK=https://hooks.slack.com/services/{hook}", hook)
_add(f"curl -X POST https://hooks.slack.com/services/{hook} -d @msg.json", hook)
for _ in range(3):
    jwt = "eyJ" + _rand(33, B62 + "-_") + ".eyJ" + _rand(80, B62 + "-_") + "." + _rand(43, B62 + "-_")
    _add(f"id_token: {jwt}", jwt)
    _add(f"kubectl --token {jwt} get pods", jwt)
user_pass = _rand(14)
_add(f"curl -u admin:{user_pass} https://grafana.254carbon.com/api/health", user_pass)
_add(f"curl --user deploy:{user_pass}x https://nexus/api", user_pass + "x")
for scheme in ("postgres", "postgresql", "mysql", "redis", "amqp", "mongodb+srv", "https"):
    pw = _rand(16)
    _add(f"DATABASE_URL={scheme}://app:{pw}@db.data-platform.svc:5432/app", pw)
for flag in ("--password=", "--password ", "--client-secret=", "--api-key "):
    pw = _rand(18)
    _add(f"psql -h db {flag}{pw} -c 'select 1'", pw)
pw = _rand(15)
_add(f"PGPASSWORD={pw} psql -h postgres -U app", pw)
pw = _rand(15)
_add(f"MYSQL_PWD={pw} mysql -h db -u root", pw)
pw = _rand(15)
_add(f"mysql -u root -p{pw} dolphinscheduler", pw)
pw = _rand(15)
_add(f"docker login -u bot -p {pw} harbor.254carbon.com", pw)
aws = "AKIA" + "".join(_rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
_add(f"aws_access_key_id = {aws}", aws)
aws_secret = _rand(40, B62 + "/+")
_add(f"aws_secret_access_key = {aws_secret}", aws_secret)
slack_bot = "xoxb-" + "".join(_rng.choice(string.digits) for _ in range(12)) + "-" + _rand(24)
_add(f"SLACK_BOT_TOKEN={slack_bot}", slack_bot)
bearer = _rand(40)
_add(f"Authorization: Bearer {bearer}", bearer)
basic = base64.b64encode(f"admin:{_rand(12)}".encode()).decode()
_add(f"curl -H 'Authorization: Basic {basic}' https://argocd", basic)
for key in ("password", "db_password", "apiToken", "client_secret", "REDIS_PASSWORD"):
    pw = _rand(17)
    _add(f"  {key}: {pw}", pw)
    pw = _rand(17)
    _add(f'  "{key}": "{pw}",', pw)
rsa_pem, rsa_body = _pem("RSA ")
ec_pem, ec_body = _pem("EC ")
ssh_pem, ssh_body = _pem("OPENSSH ")
for body in (rsa_body, ec_body, ssh_body):
    for line in body:
        CORPUS.append((line, line))  # a key's body lines: carried by the PEM blocks below
CORPUS_LINES = [line for line, _secret in CORPUS if not line.startswith(tuple(rsa_body + ec_body + ssh_body))]
CORPUS_TEXT = (
    "\n".join(CORPUS_LINES)
    + "\n"
    + rsa_pem
    + "\n"
    + "tls.key: |\n  "
    + ec_pem.replace("\n", "\n  ")
    + "\n"
    + '{"key": "'
    + ssh_pem.replace("\n", "\\n")
    + '"}\n'
)

# The Secret a stub kubectl prints; its values come out decoded through decoders the redactor
# cannot follow, and later in a log line of another command.
DB_PASSWORD = "Zq8-" + _rand(20)
API_TOKEN = _rand(32)
SECRET_VALUES = [DB_PASSWORD, API_TOKEN]
ALL_SECRETS = sorted(
    {s for _line, s in CORPUS if s}
    | set(SECRET_VALUES)
    | {base64.b64encode(v.encode()).decode() for v in SECRET_VALUES}
)

UID = "3f1c2b7e-9a4d-4c1b-8e2f-6d5a4b3c2d1e"
DIGEST = "sha256:" + "".join(_rng.choice("0123456789abcdef") for _ in range(64))
SUM = "".join(_rng.choice("0123456789abcdef") for _ in range(64))
NO_FALSE_REDACTION = [
    "data-platform   spark-worker-7f9c8d6b5-x2kq          1/1     Running   0          3d",
    "data-platform   sk-worker-0                          1/1     Running   2          3d",
    "kube-system     secrets-store-csi-driver-5b7kq       3/3     Running   0          9d",
    "argocd          argocd-repo-server-6c8d9f7b5-tok3n   1/1     Running   1          2d",
    "vault           vault-agent-injector-5d8c9b-hvs4x    1/1     Running   0          1d",
    f"    Image ID:       docker.io/bitnami/postgresql@{DIGEST}",
    f"  uid: {UID}",
    f'    "uid": "{UID}",',
    '  resourceVersion: "48213377"',
    '    "resourceVersion": "48213377",',
    f"{SUM}  dolphinscheduler-3.2.1.tar.gz",
    "  secretName: spark-history-tls",
    "      serviceAccountName: spark-operator",
    "NAME                 TYPE                                  DATA   AGE",
    "app-creds            Opaque                                2      41d",
    "default-token-x2kq   kubernetes.io/service-account-token   3      90d",
    "  tokenExpirationSeconds: 3600",
    "Normal  Pulled  kubelet  Successfully pulled image in 1.2s (1.2s including waiting)",
    "certificate.cert-manager.io/spark-history-tls condition met",
]

_SECRET_YAML = f"""apiVersion: v1
data:
  api-token: {base64.b64encode(API_TOKEN.encode()).decode()}
  password: {base64.b64encode(DB_PASSWORD.encode()).decode()}
  username: {base64.b64encode(b"app").decode()}
kind: Secret
metadata:
  name: app-creds
  namespace: data-platform
  uid: {UID}
type: Opaque
"""

_KUBECTL = f"""#!{sys.executable}
import base64, json, sys
args = sys.argv[1:]
secret = {{"apiVersion": "v1", "kind": "Secret",
          "data": {{"api-token": {base64.b64encode(API_TOKEN.encode()).decode()!r},
                   "password": {base64.b64encode(DB_PASSWORD.encode()).decode()!r},
                   "username": "YXBw"}},
          "metadata": {{"name": "app-creds", "namespace": "data-platform"}}, "type": "Opaque"}}
if any(a.startswith("secret") for a in args):
    fmt = next((a for a in args if a.startswith("jsonpath") or a in ("json", "yaml")), "")
    if fmt == "json":
        print(json.dumps(secret, indent=4))
    elif fmt == "yaml":
        sys.stdout.write({_SECRET_YAML!r})
    elif fmt.startswith("jsonpath"):
        sys.stdout.write(secret["data"]["password"])
    else:
        print("NAME        TYPE     DATA   AGE")
        print("app-creds   Opaque   3      41d")
else:
    print("NAMESPACE       NAME                                 READY   STATUS    RESTARTS   AGE")
    print("data-platform   spark-worker-7f9c8d6b5-x2kq          1/1     Running   0          3d")
"""

DECODE_PY = (
    'python3 -c \'import json,sys,base64; d=json.load(sys.stdin)["data"]; '
    'print("password:", base64.b64decode(d["password"]).decode()); '
    'print(base64.b64decode(d["api-token"]).decode())\''
)
COMMANDS = [
    "cat corpus.txt",
    "cat nofalse.txt",
    "kubectl get pods -A",
    "kubectl get secrets -n data-platform",
    "kubectl get secret app-creds -n data-platform -o yaml",
    "kubectl get secret app-creds -n data-platform -o json",
    f"kubectl get secret app-creds -n data-platform -o json | {DECODE_PY}",
    "kubectl get secret app-creds -n data-platform -o jsonpath='{.data.password}' | base64 -d",
    "kubectl get secret app-creds -n data-platform -o json | jq -r '.data[\"api-token\"]' | base64 -d",
    "echo \"pw=$(kubectl get secret app-creds -o jsonpath='{.data.password}' | base64 -d)\"",
    "bash -c \"kubectl get secret app-creds -o json | python3 -c 'import sys; print(sys.stdin.read())'\"",
    'printf "app started, connecting as app with %s and %s\\n" "$APP_PW" "$APP_TOKEN"',
    *[f"echo '{line}'" for line in CORPUS_LINES[::7] if "'" not in line],
    'printf "Password: %s" "$APP_PW"',  # a half-line (a prompt) at the very end
]


def _plan(source: Path) -> Plan:
    tasks = [
        Node(
            f"1.{i}",
            NodeKind.TASK,
            line[:200],
            i + 1,
            TimeBox(5, 10),
            manual_steps=[line, CORPUS_LINES[(i * 5 + 3) % len(CORPUS_LINES)]],
        )
        for i, line in enumerate(CORPUS_LINES[::3])
    ]
    return Plan("corpus", str(source), sections=[Node("1", NodeKind.SECTION, "All", 1, children=tasks)])


async def _run(session: Session, run_id: str, cmd: str, folder: Path, env: dict[str, str]) -> None:
    session.record_command_started(run_id, "1.0", cmd, "kind-254", "data-platform")
    run = CommandRun(cmd, env=env, cwd=folder, on_output=lambda chunk: session.record_output(run_id, chunk))
    result = await run.run()
    session.record_command_finished(run_id, result.exit_code, result.duration, error=result.error)


def test_the_corpus_is_big_enough() -> None:
    assert len({s for _l, s in CORPUS if s}) >= 60


def test_no_secret_of_the_corpus_reaches_the_session_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "bin").mkdir(parents=True)
    (work / "corpus.txt").write_text(CORPUS_TEXT)
    (work / "nofalse.txt").write_text("\n".join(NO_FALSE_REDACTION) + "\n")
    kubectl = work / "bin" / "kubectl"
    kubectl.write_text(_KUBECTL)
    kubectl.chmod(0o755)
    env = {
        "PATH": f"{work / 'bin'}:/usr/local/bin:/usr/bin:/bin:{Path(sys.executable).parent}",
        "APP_PW": DB_PASSWORD,
        "APP_TOKEN": API_TOKEN,
    }
    plan_file = tmp_path / "corpus-plan.md"
    plan_file.write_text(CORPUS_TEXT)
    session = Session.start(_plan(plan_file), tmp_path / "session", context="kind-254", clock=FakeClock())
    session.activate("1.0")
    session.add_note(CORPUS_TEXT, "1.0")

    async def drive() -> None:
        for index, cmd in enumerate(COMMANDS):
            await _run(session, f"run-{index}", cmd, work, env)

    asyncio.run(drive())
    for line in CORPUS_LINES[::5]:
        session.add_note(f"seen during the incident: {line}")
    session.add_note(f"the app logs showed {DB_PASSWORD} in clear")  # learned: masked though bare
    session.end()
    session.close()
    transcript, _warnings = write_transcript(session.journal_path)

    folder = tmp_path / "session"
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert transcript in files and len(list((folder / "output").glob("*.log"))) == len(COMMANDS)
    everything = {p: p.read_bytes().decode("utf-8", errors="replace") for p in files}
    leaks = [(s, p.name) for s in ALL_SECRETS for p, text in everything.items() if s in text]
    assert leaks == []
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"

    outputs = {run.cmd: (folder / run.output).read_text() for run in session.runs()}
    shown = outputs["cat nofalse.txt"]
    for line in NO_FALSE_REDACTION:
        assert line in shown, line
    listing = outputs["kubectl get secrets -n data-platform"]
    assert "app-creds   Opaque   3      41d" in listing
    assert "password: ***" in outputs["kubectl get secret app-creds -n data-platform -o yaml"]
    decoded = [text for cmd, text in outputs.items() if "python3 -c" in cmd and "json.load" in cmd]
    assert decoded == [
        "*** (output withheld: this command decodes Secret data-platform/app-creds with another program)\n"
    ]
    log = next(text for cmd, text in outputs.items() if cmd.startswith('printf "app started'))
    assert log.startswith("app started, connecting as app with *** and ***")
    prompt = next(text for cmd, text in outputs.items() if cmd.startswith('printf "Password'))
    assert prompt == "Password: ***"


@pytest.mark.parametrize(
    ("cmd", "withheld"),
    [
        ("kubectl get secret x -o yaml", False),
        ("kubectl get secret x -o json | less", False),
        ("kubectl get secrets -A", False),
        ("kubectl describe secret x", False),
        ("kubectl get secret x -o json | python3 -c 'import sys'", True),
        ("kubectl get secret x -o json | jq -r .data.password | base64 -d", True),
        ("kubectl get secret x -o yaml | grep password", True),
        ("kubectl get secret x -ojsonpath='{.data.password}'", True),
        ("kubectl get secret/x --output=go-template='{{.data.password}}'", True),
        ("kubectl -n ns get secrets x -o custom-columns=P:.data.password", True),
        ("echo $(kubectl get secret x -o json)", True),
        ("sh -c 'kubectl get secret x -o json | base64 -d'", True),
        ("kubectl view-secret x password", True),
        ("vault kv get secret/app", True),
        ("sops -d secrets.enc.yaml", True),
        ("kubectl get cm,secret -o yaml | awk '{print}'", True),
        ("kubectl get pods -o json | jq .", False),
    ],
)
def test_output_policy_withholds_secret_values_sent_through_a_decoder(cmd: str, withheld: bool) -> None:
    assert output_policy(cmd).withhold is withheld


def test_learned_values_stay_masked_in_later_text_however_decoded() -> None:
    from cockpit.session.redact import SecretBook, StreamRedactor

    book = SecretBook()
    reader = StreamRedactor.for_command("kubectl get secret app-creds -n data-platform -o yaml", book)
    out = reader.feed(_SECRET_YAML) + reader.flush()
    assert DB_PASSWORD not in out and "password: ***" in out
    later = f"connected with {DB_PASSWORD}; token {API_TOKEN}; user app; ns data-platform\n"
    assert redact(later, book=book) == "connected with ***; token ***; user app; ns data-platform\n"
