"""Does a command change the cluster, and does it need the real terminal?

`classify(cmd)` splits the command line into its simple commands (`a && b; c | d`, `$(...)`
included, see shellsplit), classifies each, and reports the first one that changes the cluster.
Wrappers that run arbitrary text (`sh -c`, `bash -c`, `eval`, `xargs`, scripts) count as changing:
the cockpit cannot know what they do; so do programs it does not know. Local utilities (grep,
jq, curl GET, date...) and read-only verbs of cluster tools (kubectl get, helm list...) do not.
`kubectl ... --dry-run[=client|server]` and `helm ... --dry-run` are read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cockpit.runner.shellsplit import ShellSyntaxError, simple_commands


@dataclass(frozen=True, slots=True)
class Safety:
    """`changes_cluster`: ask for confirmation (and refuse in --read-only). `reason`: one line
    naming the command that decided it ("kubectl delete changes the cluster", "read-only: kubectl
    get"). `needs_terminal`: run with the app suspended (an editor, a pager, a prompt);
    `terminal_reason` says why."""

    changes_cluster: bool
    reason: str
    needs_terminal: bool = False
    terminal_reason: str = ""


@dataclass(frozen=True, slots=True)
class _Verdict:
    changes: bool
    what: str  # "kubectl delete"
    reason: str = ""  # overrides the default wording
    terminal: str = ""  # why it needs the terminal, "" if it does not


# --- local programs ---------------------------------------------------------------------------

_LOCAL = set(
    """
    echo printf cat tac grep egrep fgrep zgrep rg awk gawk mawk sed jq yq wc head tail sort uniq cut
    tr column paste join comm diff cmp date sleep true false test [ [[ ls ll pwd cd pushd popd export
    unset set shopt alias which type whereis hash basename dirname realpath readlink stat file find
    tee base64 base32 md5sum sha1sum sha256sum sha512sum openssl dig nslookup host ping traceroute
    tracepath mtr nc ncat netcat telnet whois ss netstat ip ifconfig arp route df du free uptime uname
    hostname whoami id groups ps pgrep pidof lsof kill pkill killall jobs wait fg bg disown printenv
    seq xxd od hexdump strings less more most vi vim nvim view nano emacs pico top htop btop atop
    iotop man info mkdir rmdir touch cp mv rm ln chmod chown tar gzip gunzip zcat bzip2 xz unzip zip
    envsubst column fold fmt nl expand rev shuf split csplit numfmt bc expr yes timeout clear reset
    tput stty history source . ssh scp sftp rsync tmux screen python python3 node ruby perl tree
    cksum sum logger mktemp tty lscpu lsblk mount findmnt nproc getent locale
    """.split()  # noqa: SIM905 - a word list reads better than 200 quoted strings
)
# Local programs that are not read-only on their own terms but never reach the cluster API.
_SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "fish", "ash"}
_RUNS_TEXT = {"eval", "xargs", "parallel", "exec_script"}
_UNWRAP = {
    "nohup",
    "time",
    "command",
    "builtin",
    "exec",
    "nice",
    "ionice",
    "stdbuf",
    "chrt",
    "taskset",
    "unbuffer",
}
_PAGERS_EDITORS = {
    "less",
    "more",
    "most",
    "vi",
    "vim",
    "nvim",
    "view",
    "nano",
    "emacs",
    "pico",
    "man",
    "info",
}
_FULLSCREEN = {"top", "htop", "btop", "atop", "iotop", "tmux", "screen", "k9s", "mtr"}
_REPLS = {"python", "python3", "node", "ruby", "perl", "irb"}


def _words_flags(words: list[str], value_flags: frozenset[str] = frozenset()) -> tuple[set[str], list[str]]:
    """(flags, positional words) of an argument list; `--` ends the flags; a flag in
    `value_flags` (written `-n x`, not `-n=x`) takes the next word as its value."""
    flags: set[str] = set()
    rest: list[str] = []
    ended = False
    skip = False
    for word in words:
        if skip:
            skip = False
        elif ended or not word.startswith("-") or word == "-":
            rest.append(word)
        elif word == "--":
            ended = True
        else:
            flags.add(word)
            skip = word in value_flags
    return flags, rest


_GLOBAL_VALUE_FLAGS = frozenset(
    {
        "-n",
        "--namespace",
        "--kube-context",
        "--kubeconfig",
        "--context",
        "--server",
        "--auth-token",
        "--config",
    }
)


def _has_tty_stdin(args: list[str]) -> bool:
    """-it / -ti / -i -t / --stdin --tty (flags before `--` only)."""
    stdin = tty = False
    for word in args:
        if word == "--":
            break
        if word.startswith("--"):
            name, _, value = word[2:].partition("=")
            on = value.lower() not in ("false", "0")
            if name == "stdin":
                stdin = on
            elif name == "tty":
                tty = on
        elif word.startswith("-") and len(word) > 1 and word[1:].isalpha():
            stdin = stdin or "i" in word[1:]
            tty = tty or "t" in word[1:]
    return stdin and tty


# --- kubectl ----------------------------------------------------------------------------------

_KUBECTL_VALUE_FLAGS = {
    "-n", "--namespace", "--context", "--cluster", "--user", "--kubeconfig", "-s", "--server",
    "--token", "--as", "--as-group", "--as-uid", "--request-timeout", "-v", "--v", "--cache-dir",
    "--certificate-authority", "--client-certificate", "--client-key", "--tls-server-name",
    "--log-file", "--profile", "--profile-output", "--password", "--username",
}  # fmt: skip
_KUBECTL_READ = {
    "get", "describe", "logs", "log", "top", "wait", "explain", "version", "api-resources",
    "api-versions", "cluster-info", "diff", "events", "kustomize", "completion", "port-forward",
    "proxy", "config", "plugin", "options", "help", "alpha", "neat", "tree", "view-secret", "whoami",
}  # fmt: skip
_KUBECTL_CHANGE = {
    "delete", "scale", "patch", "annotate", "label", "apply", "create", "replace", "edit", "set",
    "drain", "cordon", "uncordon", "taint", "exec", "attach", "run", "expose", "autoscale", "debug",
    "certificate", "rollout", "cp", "auth", "krew",
}  # fmt: skip
_ROLLOUT_READ = {"status", "history"}
_AUTH_READ = {"can-i", "whoami"}


def _kubectl(prog: str, args: list[str]) -> _Verdict:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _KUBECTL_VALUE_FLAGS else 1
    if i >= len(args):
        return _Verdict(False, prog)
    verb, rest = args[i], args[i + 1 :]
    what = f"{prog} {verb}"
    flags, positional = _words_flags(rest)
    terminal = ""
    if verb == "edit":
        terminal = f"{what} opens an editor"
    elif verb in ("exec", "attach", "run", "debug") and _has_tty_stdin(rest):
        terminal = f"{what} -it is interactive"
    if (
        verb in ("exec", "attach", "run", "debug")
        and not terminal
        and not any(f.startswith("--dry-run") for f in flags)
    ):
        return _Verdict(True, what, f"{what} runs a process in the cluster; treated as changing")
    if verb in _KUBECTL_READ:
        return _Verdict(False, what, terminal=terminal)
    if verb not in _KUBECTL_CHANGE:
        return _Verdict(True, what, f"unknown command {what}; treated as changing", terminal)
    sub = positional[0] if positional else ""
    if verb == "rollout" and sub in _ROLLOUT_READ:
        return _Verdict(False, f"{what} {sub}")
    if verb == "rollout" and sub:
        what = f"{what} {sub}"
    if verb == "auth" and sub in _AUTH_READ:
        return _Verdict(False, f"{what} {sub}")
    if verb == "cp":
        targets = [p for p in positional if not p.startswith("-")]
        if len(targets) >= 2 and ":" not in targets[-1]:
            return _Verdict(False, what, f"{what} copies out of a pod (read-only)")
        return _Verdict(True, what, f"{what} copies into a pod")
    dry = [f for f in args if f == "--dry-run" or f.startswith("--dry-run=")]
    if dry and dry[-1].partition("=")[2] not in ("none", "false"):
        return _Verdict(False, what, f"{what} {dry[-1]} does not change the cluster", terminal)
    return _Verdict(True, what, terminal=terminal)


# --- other cluster tools -----------------------------------------------------------------------

_HELM_READ = {
    "list", "ls", "status", "get", "history", "hist", "show", "inspect", "template", "search",
    "repo", "version", "lint", "dependency", "dep", "env", "diff", "help", "completion", "verify",
    "pull", "fetch", "package", "plugin", "create", "registry",
}  # fmt: skip


def _helm(prog: str, args: list[str]) -> _Verdict:
    flags, positional = _words_flags(args, _GLOBAL_VALUE_FLAGS)
    verb = positional[0] if positional else ""
    what = f"{prog} {verb}".strip()
    if not verb or verb in _HELM_READ:
        return _Verdict(False, what)
    if "--dry-run" in flags or any(f.startswith("--dry-run=") and not f.endswith("=none") for f in flags):
        return _Verdict(False, what, f"{what} --dry-run does not change the cluster")
    return _Verdict(True, what)


_VELERO_READ = {"get", "describe", "logs", "version", "download", "help", "completion"}


def _velero(prog: str, args: list[str]) -> _Verdict:
    _flags, positional = _words_flags(args, _GLOBAL_VALUE_FLAGS)
    words = positional[:2]
    what = " ".join([prog, *words])
    if not words or words[0] in _VELERO_READ or (len(words) > 1 and words[1] in _VELERO_READ):
        return _Verdict(False, what)
    if words[0] == "client":  # local client config
        return _Verdict(False, what)
    return _Verdict(True, what)


_ARGOCD_READ = {
    "get", "list", "diff", "history", "manifests", "logs", "resources", "wait", "version", "help",
    "completion", "context", "get-user-info", "can-i", "list-tokens", "ls",
}  # fmt: skip


def _argocd(prog: str, args: list[str]) -> _Verdict:
    _flags, positional = _words_flags(args, _GLOBAL_VALUE_FLAGS)
    words = positional[:2]
    what = " ".join([prog, *words])
    if not words:
        return _Verdict(False, what)
    if words[0] in ("login", "relogin"):
        what = f"{prog} {words[0]}"
        return _Verdict(False, what, terminal=f"{what} prompts for credentials")
    if words[0] in ("version", "context", "logout", "help", "completion"):
        return _Verdict(False, what)
    if len(words) > 1 and words[1] in _ARGOCD_READ:
        return _Verdict(False, what)
    if words[0] == "account" and len(words) > 1 and words[1] == "update-password":
        return _Verdict(True, what, terminal=f"{what} prompts for a password")
    return _Verdict(True, what)


def _subverb(read: set[str]) -> Callable[[str, list[str]], _Verdict]:
    """Tools whose first (or second) positional word says read or write: anything unknown changes."""

    def check(prog: str, args: list[str]) -> _Verdict:
        i = 0
        while i < len(args) and args[i].startswith("-"):
            i += 2 if args[i] in ("-n", "--namespace", "-a", "--address") else 1
        _flags, positional = _words_flags(args[i:])
        words = positional[:2]
        what = " ".join([prog, *words])
        if not words or words[0] in read or (len(words) > 1 and words[1] in read):
            return _Verdict(False, what)
        terminal = f"{what} -it is interactive" if _has_tty_stdin(args) else ""
        return _Verdict(True, what, terminal=terminal)

    return check


_DOCKER_CHANGE = {
    "push",
    "run",
    "exec",
    "rm",
    "stop",
    "kill",
    "restart",
    "load",
    "import",
    "prune",
    "up",
    "down",
}


def _docker(prog: str, args: list[str]) -> _Verdict:
    _flags, positional = _words_flags(args)
    changing = [w for w in positional[:3] if w in _DOCKER_CHANGE]
    verb = changing[0] if changing else (positional[0] if positional else "")
    what = f"{prog} {verb}".strip()
    terminal = f"{what} -it is interactive" if _has_tty_stdin(args) else ""
    return _Verdict(bool(changing), what, terminal=terminal)


def _git(prog: str, args: list[str]) -> _Verdict:
    flags, positional = _words_flags(args)
    verb = positional[0] if positional else ""
    what = f"{prog} {verb}".strip()
    if verb == "push":
        return _Verdict(True, what, f"{what} may change what GitOps deploys")
    terminal = ""
    if verb == "commit" and not ({"-m", "-F", "--no-edit"} & flags or any(f.startswith("-m") for f in flags)):
        terminal = f"{what} opens an editor"
    return _Verdict(False, what, terminal=terminal)


def _curl(prog: str, args: list[str]) -> _Verdict:
    method = "GET"
    for i, word in enumerate(args):
        nxt = args[i + 1] if i + 1 < len(args) else ""
        if word in ("-X", "--request"):
            method = nxt.upper()
        elif word.startswith("-X") and len(word) > 2:
            method = word[2:].upper()
        elif word.startswith("--request="):
            method = word.split("=", 1)[1].upper()
        elif word.startswith(("-d", "--data", "-F", "--form", "--json")) or word in ("-T", "--upload-file"):
            method = "POST" if method in ("GET", "HEAD") else method
        elif word in ("-I", "--head"):
            method = "HEAD"
    if method in ("GET", "HEAD", "OPTIONS"):
        return _Verdict(False, f"{prog} {method}")
    return _Verdict(True, f"{prog} {method}", f"{prog} {method} may change a service")


def _wget(prog: str, args: list[str]) -> _Verdict:
    if any(a.startswith(("--post-data", "--post-file", "--method", "--body-data")) for a in args):
        return _Verdict(True, f"{prog} POST", f"{prog} POST may change a service")
    return _Verdict(False, prog)


_SQL_WRITE = ("insert", "update", "delete", "drop", "alter", "create", "truncate", "grant", "revoke", "merge")


def _sql(prog: str, args: list[str]) -> _Verdict:
    query_flags = {"psql": ("-c", "--command", "-f", "--file"), "mysql": ("-e", "--execute")}.get(
        prog, ("-e", "--execute", "-c")
    )
    for i, word in enumerate(args):
        name, _, value = word.partition("=")
        if name in query_flags:
            query = value or (args[i + 1] if i + 1 < len(args) else "")
            if any(k in query.lower().split() for k in _SQL_WRITE) or name in ("-f", "--file"):
                return _Verdict(True, prog, f"{prog} runs SQL that may change data")
            return _Verdict(False, prog)
    return _Verdict(True, prog, f"{prog} opens an interactive session", terminal=f"{prog} is interactive")


_TOOLS: dict[str, Callable[[str, list[str]], _Verdict]] = {
    "kubectl": _kubectl,
    "k": _kubectl,
    "oc": _kubectl,
    "helm": _helm,
    "velero": _velero,
    "argocd": _argocd,
    "ctr": _subverb({"ls", "list", "info", "check", "version", "help", "namespaces", "ns", "plugins"}),
    "crictl": _subverb(
        {
            "ps",
            "pods",
            "images",
            "img",
            "inspect",
            "inspecti",
            "inspectp",
            "logs",
            "stats",
            "statsp",
            "info",
            "version",
            "help",
            "config",
            "imagefsinfo",
        }
    ),
    "docker": _docker,
    "podman": _docker,
    "nerdctl": _docker,
    "git": _git,
    "curl": _curl,
    "wget": _wget,
    "psql": _sql,
    "mysql": _sql,
    "kind": _subverb({"get", "version", "help", "export", "completion"}),
    "k3d": _subverb({"list", "get", "version", "help", "completion"}),
    "minikube": _subverb({"status", "ip", "version", "logs", "profile", "help", "ssh-key"}),
    "flux": _subverb(
        {
            "get",
            "check",
            "logs",
            "stats",
            "version",
            "tree",
            "diff",
            "export",
            "trace",
            "events",
            "help",
            "completion",
        }
    ),
    "istioctl": _subverb(
        {
            "analyze",
            "proxy-status",
            "ps",
            "proxy-config",
            "pc",
            "version",
            "verify-install",
            "help",
            "dashboard",
            "describe",
        }
    ),
    "cmctl": _subverb({"status", "check", "inspect", "version", "help", "completion", "convert"}),
    "terraform": _subverb(
        {
            "plan",
            "show",
            "validate",
            "output",
            "fmt",
            "init",
            "version",
            "providers",
            "graph",
            "help",
            "list",
            "console",
        }
    ),
    "kustomize": _subverb({"build", "version", "help", "cfg"}),
    "vault": _subverb({"read", "get", "list", "status", "version", "help", "login", "lookup"}),
    "mc": _subverb(
        {"ls", "cat", "stat", "du", "find", "diff", "ping", "version", "alias", "head", "tree", "help"}
    ),
}


def _classify_words(words: list[str]) -> _Verdict:
    # Leading assignments (FOO=bar cmd) and harmless wrappers.
    while (
        words
        and "=" in words[0]
        and not words[0].startswith(("=", "-"))
        and words[0].split("=")[0].isidentifier()
    ):
        words = words[1:]
    if not words:
        return _Verdict(False, "variable assignment")
    prog_path, args = words[0], words[1:]
    prog = prog_path.rsplit("/", 1)[-1]
    if prog in _UNWRAP:
        return _classify_words(_skip_wrapper_options(prog, args))
    if prog == "env":
        rest = [a for a in args if not a.startswith("-")]
        return _classify_words(rest)
    if prog == "timeout":
        rest = [a for a in args if not a.startswith("-")]
        return _classify_words(rest[1:])
    if prog == "sudo":
        i, flags = 0, set()
        while i < len(args) and args[i].startswith("-"):
            flags.add(args[i])
            i += 2 if args[i] in ("-u", "-g", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-h") else 1
        inner = _classify_words(args[i:])
        prompts = not ({"-n", "--non-interactive"} & flags)
        terminal = inner.terminal or ("sudo may prompt for a password" if prompts else "")
        return _Verdict(inner.changes, f"sudo {inner.what}", inner.reason, terminal)
    if prog == "watch":
        rest = [a for a in args if not a.startswith("-") and not a.replace(".", "").isdigit()]
        inner = _classify_words(rest)
        return _Verdict(inner.changes, f"watch {inner.what}", inner.reason, inner.terminal)
    if prog in _SHELLS:
        if "-c" in args or any(a.startswith("-") and "c" in a[1:] and not a.startswith("--") for a in args):
            return _Verdict(True, f"{prog} -c", f"{prog} -c runs arbitrary shell code; treated as changing")
        if not [a for a in args if not a.startswith("-")]:
            return _Verdict(
                True, prog, f"an interactive {prog}; treated as changing", f"{prog} is interactive"
            )
        return _Verdict(True, prog, f"{prog} runs a script; treated as changing")
    if prog in _RUNS_TEXT:
        return _Verdict(True, prog, f"{prog} runs commands it builds; treated as changing")
    if prog in ("source", "."):
        return _Verdict(True, prog, f"{prog} runs a script; treated as changing")
    if prog == "read":
        terminal = "read -p prompts for input" if any(a.startswith("-") and "p" in a for a in args) else ""
        return _Verdict(False, "read", terminal=terminal)
    tool = _TOOLS.get(prog)
    if tool is not None:
        return tool(prog, args)
    if "/" in prog_path or prog.endswith(".sh"):
        return _Verdict(True, prog_path, f"script {prog_path} may do anything; treated as changing")
    if prog in _LOCAL:
        terminal = ""
        if prog in _PAGERS_EDITORS:
            terminal = f"{prog} needs the terminal"
        elif prog in _FULLSCREEN:
            terminal = f"{prog} is a full-screen program"
        elif prog in ("ssh",):
            terminal = "ssh may prompt and opens a remote shell"
        elif prog in _REPLS and not args:
            terminal = f"{prog} without arguments is interactive"
        return _Verdict(False, prog, terminal=terminal)
    return _Verdict(True, prog, f"unknown command {prog}; treated as changing")


def _skip_wrapper_options(prog: str, args: list[str]) -> list[str]:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if prog in ("nice", "ionice", "chrt", "taskset") and args[i] in ("-n", "-c", "-p") else 1
    return args[i:]


def _with_interactive(words: list[str], verdict: _Verdict) -> _Verdict:
    """Any command given `--interactive` prompts (kubectl delete --interactive, ...)."""
    asked = [w for w in words if w == "--interactive" or w.startswith("--interactive=")]
    if verdict.terminal or not asked or asked[-1].endswith(("=false", "=0")):
        return verdict
    return _Verdict(verdict.changes, verdict.what, verdict.reason, f"{verdict.what} --interactive prompts")


def classify(cmd: str) -> Safety:
    """Classify a whole command line (pipelines, lists, substitutions, continuations)."""
    try:
        commands = simple_commands(cmd)
    except ShellSyntaxError as exc:
        return Safety(True, f"cannot parse the command ({exc}); treated as changing")
    verdicts = [_with_interactive(words, _classify_words(words)) for words in commands]
    terminal = next((v.terminal for v in verdicts if v.terminal), "")
    changing = next((v for v in verdicts if v.changes), None)
    if changing is not None:
        reason = changing.reason or f"{changing.what} changes the cluster"
        return Safety(True, reason, bool(terminal), terminal)
    if not verdicts:
        return Safety(False, "nothing to run", bool(terminal), terminal)
    names = list(dict.fromkeys(v.what for v in verdicts))
    reason = next((v.reason for v in verdicts if v.reason), "") or "read-only: " + ", ".join(names)
    return Safety(False, reason, bool(terminal), terminal)
