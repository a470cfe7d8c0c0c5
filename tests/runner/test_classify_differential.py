"""Differential test of the classifier against a real bash.

Thousands of generated shell lines (seeded: wrappers, quoting, chains, substitutions, heredocs,
redirects, interpreters, dry-run spellings, functions, arithmetic…) are run by a real `bash`
with PATH set to a folder of stub programs: kubectl, helm, argocd, velero, curl, python3, perl,
ruby, node, ssh, scp, rsync… append their argv to a log and touch nothing; the harmless local
tools (sed, awk, find, xargs, grep, env, timeout…) are the real ones, so `awk system()`,
`sed e`, `find -exec` and `xargs` really call the stubs. Each line runs in its own folder.

From the log and the folder, the test decides whether the line *did* change something (a kubectl
write without an exact dry-run, an interpreter given code, curl with a write method, ssh
invoked, a file written…) and asserts that no such line is classified read-only, and that lines
built only from known read-only forms stay read-only.
"""

from __future__ import annotations

import random
import re
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cockpit.runner import classify
from tests.tools import ensure_program

SEED = 20261205
LINES = 3000
SEP = "\x1f"
END = "\x1e"

# --- the stub programs -------------------------------------------------------------------------

# one printf, one write: a record is never split by another process appending at the same time
_LOG = f"""printf '%s{SEP}' "$COCKPIT_LINE" "${{0##*/}}" "$@" '{END}' >> "$COCKPIT_LOG"
"""
_STUBS = {
    # kubectl lists two pods for `get … -o name`, and runs `exec … -- sh -c TEXT` locally (the
    # generator only puts harmless text there) so that what TEXT does is seen like anything else
    "kubectl": _LOG
    + """for a; do [ "$a" = get ] && { echo pod/a; echo pod/b; break; }; done
seen=""; for a; do
  if [ -n "$seen" ]; then case "$a" in sh|bash) exec "$@" ;; *) exit 0 ;; esac; fi
  [ "$a" = "--" ] && seen=1; shift
done
""",
    "curl": _LOG + "echo '{}'\n",
    # procps watch joins its words and runs them with sh -c (once here), or execs them with -x
    "watch": _LOG
    + """x=""; while [ $# -gt 0 ]; do case "$1" in
  -n|--interval|-q|--equexit) shift 2 ;; -x|--exec) x=1; shift ;; --) shift; break ;; -*) shift ;; *) break ;;
esac; done
[ -n "$x" ] && exec "$@"; exec sh -c "$*"
""",
    "sudo": _LOG
    + """while [ $# -gt 0 ]; do
  case "$1" in -u|-g) shift 2 ;; --) shift; break ;; -*) shift ;; *) break ;; esac
done
exec "$@"
""",
}
_LOG_ONLY = """
    helm argocd velero wget python python3 perl ruby node ssh scp rsync sftp deploy-tool
""".split()  # noqa: SIM905 - a word list
_REAL = """
    sh bash env timeout nohup nice stdbuf xargs find sed awk grep cat head tail wc sort tr cut echo
    printf base64 date sleep tee true false ls test [ rm mv cp touch mkdir jq uniq seq dirname
    basename expr
""".split()  # noqa: SIM905 - a word list

_FIXTURES = {
    "pods.txt": "pod/a\npod/b\n",
    "x.yaml": "kind: ConfigMap\n",
    "x.json": "{}\n",
    "fix.sh": "#!/bin/sh\nkubectl delete pod from-script\n",
    "names.txt": "n1\nn2\n",  # what xargs reads (never written by a line: xargs must end)
}


# --- what a line did (the oracle) --------------------------------------------------------------

_KUBE_READ = {"get", "describe", "logs", "top", "explain", "api-resources", "api-versions", "version",
              "cluster-info", "diff", "wait", "events", "port-forward"}  # fmt: skip
_KUBE_VALUE = {"-n", "--namespace", "--context", "-o", "--output", "-l", "--selector", "-c", "--container"}
_HEALTH = {"curl", "cat", "ls", "env", "ps", "df", "echo", "hostname", "date", "grep", "head", "wc"}


def _kubectl_changes(argv: list[str]) -> bool:
    words = [a for a in argv]
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in _KUBE_VALUE else 1
    if i >= len(words):
        return False
    verb, rest = words[i], words[i + 1 :]
    head = rest[: rest.index("--")] if "--" in rest else rest
    if verb in _KUBE_READ:
        return False
    if verb == "auth" and head[:1] in (["can-i"], ["whoami"]):
        return False
    if verb == "config" and head[:1] in (["view"], ["get-contexts"], ["current-context"]):
        return False
    if verb == "rollout" and head[:1] in (["status"], ["history"]):
        return False
    if verb == "exec":
        inner = rest[rest.index("--") + 1 :] if "--" in rest else []
        if not inner:
            return True
        if inner[0] in ("sh", "bash"):
            return False  # the stub ran it: what it did is in the log and the folder
        return inner[0] not in _HEALTH or (inner[0] == "curl" and _curl_changes(inner[1:]))
    dry = [w for w in head if w == "--dry-run" or w.startswith("--dry-run=")]
    return not (dry and dry[-1] in ("--dry-run=client", "--dry-run=server"))


def _curl_changes(argv: list[str]) -> bool:
    get = any(w in ("-G", "--get") or re.fullmatch(r"-[a-zA-Z]*G[a-zA-Z]*", w) for w in argv)
    for i, word in enumerate(argv):
        if re.fullmatch(r"-[a-zA-Z]*[XdFT].*", word):  # a short cluster: -sX DELETE, -sfd x=1
            letters = re.match(r"-([a-zA-Z]*?)([XdFT])(.*)", word)
            assert letters is not None
            if letters.group(2) != "X":
                if get and letters.group(2) == "d":
                    continue  # -G sends the data as a query string
                return True
            method = letters.group(3) or (argv[i + 1] if i + 1 < len(argv) else "")
            if method.upper() not in ("GET", "HEAD"):
                return True
        if word in ("-X", "--request") and i + 1 < len(argv) and argv[i + 1].upper() not in ("GET", "HEAD"):
            return True
        if word.startswith("-X") and word[2:] and word[2:].upper() not in ("GET", "HEAD"):
            return True
        if word.startswith(("--request=",)) and word.split("=", 1)[1].upper() not in ("GET", "HEAD"):
            return True
        if word.startswith(("-d", "--data")) and get:
            continue
        if word.startswith(("-d", "--data", "-F", "--form", "-T", "--upload-file", "--json")):
            return True
    return False


def changed(calls: list[list[str]]) -> str:
    """Why the recorded calls changed something, or ""."""
    for prog, *argv in calls:
        if prog == "kubectl" and _kubectl_changes(argv):
            return f"kubectl {' '.join(argv)}"
        if prog == "helm":
            verb = next((a for a in argv if not a.startswith("-")), "")
            dry = [a for a in argv if a.startswith("--dry-run")]
            if verb not in ("list", "ls", "status", "get", "history", "template", "show") and not (
                dry and dry[-1] in ("--dry-run", "--dry-run=client", "--dry-run=server")
            ):
                return f"helm {' '.join(argv)}"
        if prog == "argocd":
            words = [a for a in argv if not a.startswith("-")]
            refresh = any(a in ("--refresh", "--hard-refresh") for a in argv)
            if refresh or words[1:2] not in (["get"], ["list"], ["diff"], ["history"]):
                return f"argocd {' '.join(argv)}"
        if prog == "velero" and not {"get", "describe"} & set(argv):
            return f"velero {' '.join(argv)}"
        if prog == "curl" and _curl_changes(argv):
            return f"curl {' '.join(argv)}"
        harmless = argv in (["--version"], ["-V"]) or argv[:2] == ["-m", "json.tool"]
        if prog in ("python", "python3") and not harmless:
            return f"{prog} {' '.join(argv)}"
        if prog in ("perl", "ruby", "node", "ssh", "scp", "rsync", "sftp", "wget", "deploy-tool"):
            return f"{prog} {' '.join(argv)}"
    return ""


# --- the lines -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str
    known_read_only: bool  # built only from read-only forms with transparent transformations


READ_ATOMS = [
    "kubectl get pods",
    "kubectl get pods -n data-platform -o wide",
    "kubectl describe pod a",
    "kubectl logs deploy/api --tail=5",
    "kubectl top pods",
    "kubectl auth can-i delete pods",
    "kubectl config current-context",
    "kubectl delete pod a --dry-run=client",
    "kubectl apply -f x.yaml --dry-run=server",
    "kubectl scale deploy/api --replicas=0 --dry-run=client",
    "kubectl exec a -- cat /etc/hostname",
    "kubectl exec a -- curl -s http://127.0.0.1:1/health",
    "kubectl exec a -- sh -c 'cat pods.txt'",
    "helm list -A",
    "helm status redis",
    "helm upgrade r ./chart --dry-run",
    "argocd app get data-platform",
    "argocd app list",
    "velero backup get",
    "curl -s http://127.0.0.1:1/health",
    "curl -I http://127.0.0.1:1/",
    "curl -sG -d q=1 http://127.0.0.1:1/search",
    "if [ -f pods.txt ]; then kubectl get pods; fi",
    "python3 -m json.tool x.json",
    "grep pod pods.txt",
    "cat pods.txt",
    "wc -l pods.txt",
    "echo hello",
    "awk '{print $1}' pods.txt",
    "awk '$1 > 1 {print}' pods.txt",
    "sed -n 1p pods.txt",
    "find . -name '*.txt'",
    "base64 -d <<< aGk=",
    "jq -n 1",
    "sort pods.txt",
    "date +%s",
]
WRITE_ATOMS = [
    "kubectl delete pod a",
    "kubectl scale deploy/api --replicas=0",
    "kubectl annotate app x a=b --overwrite",
    "kubectl delete pod a --dry-run=none",
    "kubectl delete pod a --dry-run=0",
    "kubectl delete pod a --dry-run=False",
    "kubectl delete pod a --dry-run=f",
    "kubectl delete pod a --dry-run",
    "kubectl delete pod a -- --dry-run=client",
    "kubectl delete pod a --dry-run=client --dry-run=none",
    "kubectl rollout restart deploy/api",
    "kubectl exec a -- kubectl delete pod b",
    "kubectl exec a -- sh -c 'kubectl delete pod b'",
    "kubectl exec a -- sh -c 'rm pods.txt'",
    "kubectl exec a -- psql -c 'drop table t'",
    "helm upgrade r ./chart",
    "helm uninstall r",
    "argocd app sync data-platform",
    "argocd app get data-platform --hard-refresh",
    "velero backup create b1",
    "curl -X DELETE http://127.0.0.1:1/api/v1/namespaces/x",
    "curl -XPOST http://127.0.0.1:1/x",
    "curl -sX DELETE http://127.0.0.1:1/x",
    "curl -sfd a=1 http://127.0.0.1:1/x",
    "curl -d a=1 http://127.0.0.1:1/x",
    "python3 -c 'print(1)'",
    "python3 fix.py",
    "perl -e 'print 1'",
    "ruby -e 'p 1'",
    "node -e '1'",
    "python3 - <<'EOF'\nprint(1)\nEOF",
    "awk 'BEGIN{system(\"kubectl delete pod z\")}'",
    "awk '{print | \"kubectl delete -f -\"}' pods.txt",
    "awk '{print > \"out.txt\"}' pods.txt",
    "find . -name pods.txt -exec kubectl delete pod {} \\;",
    "find . -name pods.txt -delete",
    "sed -e '1e kubectl delete pod q' pods.txt",
    "sed -n 's/pod/kubectl delete pod/ep' pods.txt",
    "sed -i s/pod/x/ pods.txt",
    "sed -n 'w out.txt' pods.txt",
    "ssh node1 true",
    "scp pods.txt node1:/tmp/",
    "rsync pods.txt node1:/tmp/",
    "./fix.sh",
    "bash fix.sh",
    "sh ./fix.sh",
    "deploy-tool --go",
    "rm pods.txt",
    "echo x > out.txt",
    "echo x >> pods.txt",
    "echo x | tee out.txt",
    "sort -o out.txt pods.txt",
    "cat pods.txt | xargs kubectl delete",
    "cat pods.txt | xargs -I{} kubectl delete {}",
    "echo 'kubectl delete pod p' | sh",
    "eval 'kubectl delete pod e'",
]
DRY_SPELLINGS = [
    ("--dry-run=client", True),
    ("--dry-run=server", True),
    ('--dry-run="client"', True),
    ("--dry-run=cli''ent", True),
    ("--dry-run=$'server'", True),
    ("'--dry-run=client'", True),
    ("--dry-run", False),
    ("--dry-run=none", False),
    ("--dry-run=0", False),
    ("--dry-run=False", False),
    ("--dry-run=f", False),
    ("--dry-run=true", False),
    ("--dry-run=Client", False),
    ("-- --dry-run=client", False),
    ("--dry-run=client --dry-run=none", False),
    ("--dry-run=none --dry-run=server", True),
    ("--dry-run={client,none}", False),
    ("--dry-run=${X:-client}", False),
    ("--dry-run client", False),
]


def _quote_word(rng: random.Random, word: str) -> str:
    """The same word in another spelling bash reads back as `word`."""
    style = rng.randrange(7)
    if style == 0:
        return shlex.quote(word) if "'" not in word else word
    if style == 1:
        return (
            '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`") + '"'
        )
    if style == 2:
        return "$'" + "".join(f"\\x{ord(c):02x}" for c in word) + "'"
    if style == 3:
        return "".join("\\" + c if c.isalnum() else shlex.quote(c) for c in word)
    if style == 4 and len(word) > 2:
        cut = rng.randrange(1, len(word))
        return shlex.quote(word[:cut]) + '""' + shlex.quote(word[cut:])
    if style == 5:
        return "$'" + "".join(f"\\{ord(c):03o}" for c in word) + "'"
    return word


def _requote(rng: random.Random, line: str) -> str:
    """Respell one or two plain words of a one-line command."""
    if any(c in line for c in "\n'\"\\$`(){}"):
        return line  # respell plain lines only: a word inside quotes is not a word
    words = line.split(" ")
    for _ in range(rng.randrange(1, 3)):
        k = rng.randrange(len(words))
        reserved = words[k] in ("if", "then", "else", "fi", "for", "do", "done", "case", "esac", "[", "]")
        if words[k] and not reserved and all(c.isalnum() or c in "-./=_" for c in words[k]):
            words[k] = _quote_word(rng, words[k])
    return " ".join(words)


Transform = Callable[[random.Random, str], str]


def _posix(text: str) -> bool:
    """Does `text` read the same in a POSIX sh (dash) as in bash? (`sh -c` and watch use sh)"""
    return not any(b in text for b in ("$'", '$"', "<<<", "<(", ">(", "&>", "|&", "[[", "function "))


def _simple(text: str) -> bool:
    """Does `text` start with a program (a wrapper in front of it stays valid shell)?"""
    first = text.split(" ", 1)[0]
    return (
        "\n" not in text
        and first not in ("if", "for", "case", "while", "function")
        and (first[:1] not in ("(", "{") and "=" not in first and "()" not in first)
    )


def _close(text: str) -> str:
    """`text` ready to be followed by `)`: a heredoc's delimiter must stay alone on its line."""
    return text + "\n" if "\n" in text else text


def _wrap(prefix: str) -> Transform:
    return lambda r, c: f"{prefix} {c}" if _simple(c) else c


# transformations that keep a read-only line read-only for the classifier as well
TRANSPARENT: list[Transform] = [
    _requote,
    _wrap("env"),
    _wrap("env -u FOO"),
    _wrap("command"),
    _wrap("timeout 20"),
    _wrap("nice -n 1"),
    _wrap("nohup"),
    _wrap("stdbuf -oL"),
    _wrap("sudo -n"),
    lambda r, c: f"{'sh' if _posix(c) else 'bash'} -c {shlex.quote(c)}",
    lambda r, c: f"bash -c {shlex.quote(c)}",
    lambda r, c: f"watch -n 1 {shlex.quote(c)}" if "\n" not in c and _posix(c) else c,  # sh -c
    lambda r, c: f"echo $( {_close(c)})",
    lambda r, c: f"X=$( {_close(c)}); echo $X",
    lambda r, c: f"echo `{c}`" if "`" not in c and "\\" not in c else c,
    lambda r, c: f"cat <( {_close(c)})",
    lambda r, c: f"cat <<EOF\n$( {_close(c)})\nEOF",
    lambda r, c: f"if true; then {c}; fi" if "\n" not in c else c,
    lambda r, c: f"for i in 1; do {c}; done" if "\n" not in c else c,
    lambda r, c: f"case x in x) {c};; esac" if "\n" not in c else c,
    lambda r, c: f"( {_close(c)})",
    lambda r, c: f"{{ {c}; }}" if "\n" not in c else c,
    lambda r, c: f"{c} > /dev/null 2>&1" if "\n" not in c else c,
    lambda r, c: f"{c} # kubectl delete pod in-comment\n" if "\n" not in c else c,
    lambda r, c: f"true && {c}",
    lambda r, c: f"false || {c}",
    lambda r, c: f"echo start; {c}",
    lambda r, c: f"{c} | cat" if "\n" not in c else c,
    lambda r, c: f"{c} \\\n  | wc -l" if "\n" not in c else c,
]
# transformations the classifier may (rightly or not) find changing
OPAQUE: list[Transform] = [
    lambda r, c: f"V=x; {c}",
    lambda r, c: f"f() {{ {c}; }}; f" if "\n" not in c else c,
    lambda r, c: f"function g {{ {c}; }}; g" if "\n" not in c else c,
    lambda r, c: f"f() {{ {c}; }}" if "\n" not in c else c,
    lambda r, c: f"while false; do {c}; done" if "\n" not in c else c,
    lambda r, c: f"eval {shlex.quote(c)}",
    lambda r, c: f"x='a[$({c})]'; echo $((x))" if "'" not in c and "\n" not in c else c,
    lambda r, c: f"echo $(( $({c} | wc -l) + 1 ))" if "\n" not in c else c,
    lambda r, c: f"echo hi\\ # ; {c}",
    lambda r, c: f"echo hi # ; {c}",
    lambda r, c: f"echo '>' /dev/null; {c}",
    # a quoted '>' is an argument: the file after it must be the line's own (with /dev/null, a
    # generated `sed -i …` or `mv …` run as root replaced the device with a regular file)
    lambda r, c: f"{c} '>' null.txt" if "\n" not in c else c,
    lambda r, c: f"{c} > out.txt" if "\n" not in c else c,
    lambda r, c: f"sh <<EOF\n{c}\nEOF" if "\n" not in c and "$" not in c and "`" not in c else c,
    lambda r, c: f"echo {shlex.quote(c)} | bash",
    lambda r, c: f"xargs -I{{}} sh -c {shlex.quote(c)} < names.txt",
    lambda r, c: f"env -S {shlex.quote(c)}" if _simple(c) else c,
    lambda r, c: f"{c} &\nwait",
    lambda r, c: f"P=$PATH; PATH=.:$PATH; {c}",
]


def _kube_verb_variants(rng: random.Random) -> tuple[str, bool]:
    """`kubectl <write verb> … <dry-run spelling>` and whether that stays read-only."""
    verb = rng.choice(
        ["delete pod a", "scale deploy/api --replicas=0", "apply -f x.yaml", "annotate pod a x=y"]
    )
    spelling, dry = rng.choice(DRY_SPELLINGS)
    return f"kubectl {verb} {spelling}", dry


def generate(count: int, seed: int = SEED) -> list[Line]:
    rng = random.Random(seed)
    lines: list[Line] = []
    while len(lines) < count:
        roll = rng.random()
        known = False
        if roll < 0.35:
            text = rng.choice(READ_ATOMS)
            known = True
            text = _requote(rng, text) if rng.random() < 0.5 else text
        elif roll < 0.5:
            text, known = _kube_verb_variants(rng)
            known = known and "{" not in text and "$" not in text.replace("$'", "")
        else:
            text = rng.choice(WRITE_ATOMS)
        for _ in range(rng.randrange(0, 4)):
            if rng.random() < 0.25:
                other = rng.choice(READ_ATOMS if rng.random() < 0.6 else WRITE_ATOMS)
                other_known = other in READ_ATOMS
                op = rng.choice([" && ", " || ", "; ", " | "])
                text = f"{text}{op}{other}" if rng.random() < 0.5 else f"{other}{op}{text}"
                known = known and other_known and "\n" not in text
            elif rng.random() < 0.75:
                text = rng.choice(TRANSPARENT)(rng, text)
            else:
                text = rng.choice(OPAQUE)(rng, text)
                known = False
        lines.append(Line(text, known))
    return lines


# --- running them --------------------------------------------------------------------------------


def _install(bin_dir: Path) -> None:
    bin_dir.mkdir()
    for name in _REAL:
        path = ensure_program(name)[0] if name not in ("[", "test") else "/usr/bin/" + name
        if path and Path(path).exists():
            (bin_dir / name).symlink_to(path)
    sh = Path(ensure_program("sh")[0] or "/bin/sh")
    for name, body in [*_STUBS.items(), *((n, _LOG) for n in _LOG_ONLY)]:
        stub = bin_dir / name
        stub.write_text(f"#!{sh}\n{body}", encoding="utf-8")
        stub.chmod(0o755)


_DRIVER = r"""
__cl_i=$1
while IFS= read -r -d '' __cl_line; do
  export COCKPIT_LINE=$__cl_i
  printf '%s\n' "$__cl_i" >> "$COCKPIT_DONE"
  ( cd "$COCKPIT_WORK/$__cl_i" && eval "$__cl_line" ) </dev/null >/dev/null 2>&1
  __cl_i=$((__cl_i + 1))
done
"""


def run_lines(root: Path, lines: list[Line], batches: int = 2) -> tuple[dict[int, list[list[str]]], set[int]]:
    """Run every line with bash; (calls each line made, lines that changed files in their folder)."""
    bin_dir = root / "bin"
    _install(bin_dir)
    work = root / "work"
    for i in range(len(lines)):
        folder = work / str(i)
        folder.mkdir(parents=True)
        for name, text in _FIXTURES.items():
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "fix.sh").chmod(0o755)
    bash = ensure_program("bash")[0]
    assert bash is not None
    env = {"PATH": str(bin_dir), "HOME": str(root), "LANG": "C.UTF-8", "COCKPIT_WORK": str(work)}
    size = -(-len(lines) // batches)
    procs = []
    for b in range(batches):  # each batch logs to files of its own
        env = {
            **env,
            "COCKPIT_LOG": str(root / f"calls-{b}.log"),
            "COCKPIT_DONE": str(root / f"done-{b}.log"),
        }
        chunk = lines[b * size : (b + 1) * size]
        data = "".join(line.text + "\0" for line in chunk).encode()
        proc = subprocess.Popen(
            [bash, "--norc", "--noprofile", "-c", _DRIVER, "driver", str(b * size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=root,
        )
        procs.append((proc, data))
    for proc, data in procs:
        proc.communicate(data, timeout=300)
    done = {int(x) for b in range(batches) for x in (root / f"done-{b}.log").read_text().split()}
    assert done == set(range(len(lines))), "every line was run"
    calls: dict[int, list[list[str]]] = {}
    for log in root.glob("calls-*.log"):
        for record in log.read_text(encoding="utf-8", errors="replace").split(END + SEP):
            if record:
                fields = record.split(SEP)  # line, program, its arguments, "" (the last SEP)
                calls.setdefault(int(fields[0]), []).append(fields[1:-1])
    touched = set()
    for i in range(len(lines)):
        folder = work / str(i)
        names = {p.name for p in folder.iterdir()}
        if names != set(_FIXTURES) or any(
            (folder / n).read_text(encoding="utf-8", errors="replace") != t for n, t in _FIXTURES.items()
        ):
            touched.add(i)
    return calls, touched


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Line], dict[int, str]]:
    if ensure_program("bash")[0] is None:
        pytest.skip("bash is needed to run the generated lines")
    root = tmp_path_factory.mktemp("differential")
    lines = generate(LINES)
    calls, touched = run_lines(root, lines)
    # the lines run real sed/rm/mv/cp in their own folders only: nothing outside may have changed
    assert Path("/dev/null").is_char_device(), "a generated line replaced /dev/null"
    why: dict[int, str] = {}
    for i in range(len(lines)):
        reason = changed(calls.get(i, []))
        if not reason and i in touched:
            reason = "changed files in its folder"
        if reason:
            why[i] = reason
    return lines, why


def test_no_line_that_changed_something_is_classified_read_only(
    outcome: tuple[list[Line], dict[int, str]],
) -> None:
    lines, why = outcome
    assert len(why) > len(lines) // 3, "the generated lines must really exercise changes"
    misses = [
        (lines[i].text, reason) for i, reason in why.items() if not classify(lines[i].text).changes_cluster
    ]
    false_positives = sum(
        1 for i, line in enumerate(lines) if i not in why and classify(line.text).changes_cluster
    )
    print(f"\n{len(lines)} lines, {len(why)} changed something, {len(misses)} classified read-only; "
          f"{false_positives} of {len(lines) - len(why)} unchanged lines classified changing")  # fmt: skip
    assert misses == []


def test_known_read_only_forms_stay_read_only(outcome: tuple[list[Line], dict[int, str]]) -> None:
    lines, why = outcome
    known = [i for i, line in enumerate(lines) if line.known_read_only]
    assert len(known) > len(lines) // 10
    assert [lines[i].text for i in known if i in why] == [], "the oracle agrees they change nothing"
    wrong = [
        (lines[i].text, classify(lines[i].text).reason)
        for i in known
        if classify(lines[i].text).changes_cluster
    ]
    assert wrong == []


def test_the_stubs_record_what_bash_ran(tmp_path: Path) -> None:
    """The harness itself: quoting tricks reach the stubs as bash resolves them."""
    lines = [
        Line("kubectl $'\\x64elete' pod a", False),
        Line("kubectl get pods\\ # ; kubectl delete pod b", False),
        Line("awk 'BEGIN{system(\"kubectl delete pod c\")}'", False),
        Line("watch -n 1 'kubectl get pods; kubectl delete pod d'", False),
        Line("kubectl get pods # ; kubectl delete pod e", True),
        Line("echo x > out.txt", False),
    ]
    calls, touched = run_lines(tmp_path, lines)
    assert changed(calls[0]) == "kubectl delete pod a"
    assert changed(calls[1]) == "kubectl delete pod b"
    assert changed(calls[2]) == "kubectl delete pod c"
    assert changed(calls[3]) == "kubectl delete pod d"
    assert changed(calls[4]) == ""
    assert touched == {5}
