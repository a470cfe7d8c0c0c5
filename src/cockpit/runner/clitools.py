"""Per-tool verdicts for the safety classifier: kubectl, helm, velero, argocd, ctr, docker, git,
curl, SQL clients... Each function takes the program name and its arguments and says whether the
command changes the cluster (or a service it runs) and whether it needs the real terminal.
A tool's unknown sub-command counts as changing: the cockpit asks rather than guesses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    changes: bool
    what: str  # "kubectl delete"
    reason: str = ""  # overrides the default wording
    terminal: str = ""  # why it needs the terminal, "" if it does not


def words_flags(words: list[str], value_flags: frozenset[str] = frozenset()) -> tuple[set[str], list[str]]:
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


def has_tty_stdin(args: list[str]) -> bool:
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
_CONFIG_READ = {"view", "get-contexts", "current-context", "get-clusters", "get-users"}
_AUTH_READ = {"can-i", "whoami"}


def _kubectl(prog: str, args: list[str]) -> Verdict:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _KUBECTL_VALUE_FLAGS else 1
    if i >= len(args):
        return Verdict(False, prog)
    verb, rest = args[i], args[i + 1 :]
    what = f"{prog} {verb}"
    flags, positional = words_flags(rest)
    terminal = ""
    if verb == "edit":
        terminal = f"{what} opens an editor"
    elif verb in ("exec", "attach", "run", "debug") and has_tty_stdin(rest):
        terminal = f"{what} -it is interactive"
    if (
        verb in ("exec", "attach", "run", "debug")
        and not terminal
        and not any(f.startswith("--dry-run") for f in flags)
    ):
        return Verdict(True, what, f"{what} runs a process in the cluster; treated as changing")
    if verb == "config" and positional and positional[0] not in _CONFIG_READ:
        what = f"{what} {positional[0]}"
        return Verdict(True, what, f"{what} changes the session's pinned kubeconfig (where commands go)")
    if verb in _KUBECTL_READ:
        return Verdict(False, what, terminal=terminal)
    if verb not in _KUBECTL_CHANGE:
        return Verdict(True, what, f"unknown command {what}; treated as changing", terminal)
    sub = positional[0] if positional else ""
    if verb == "rollout" and sub in _ROLLOUT_READ:
        return Verdict(False, f"{what} {sub}")
    if verb == "rollout" and sub:
        what = f"{what} {sub}"
    if verb == "auth" and sub in _AUTH_READ:
        return Verdict(False, f"{what} {sub}")
    if verb == "cp":
        targets = [p for p in positional if not p.startswith("-")]
        if len(targets) >= 2 and ":" not in targets[-1]:
            return Verdict(False, what, f"{what} copies out of a pod (read-only)")
        return Verdict(True, what, f"{what} copies into a pod")
    dry = [f for f in args if f == "--dry-run" or f.startswith("--dry-run=")]
    if dry and dry[-1].partition("=")[2] not in ("none", "false"):
        return Verdict(False, what, f"{what} {dry[-1]} does not change the cluster", terminal)
    return Verdict(True, what, terminal=terminal)


# --- other cluster tools -----------------------------------------------------------------------

_HELM_READ = {
    "list", "ls", "status", "get", "history", "hist", "show", "inspect", "template", "search",
    "repo", "version", "lint", "dependency", "dep", "env", "diff", "help", "completion", "verify",
    "pull", "fetch", "package", "plugin", "create", "registry",
}  # fmt: skip


def _helm(prog: str, args: list[str]) -> Verdict:
    flags, positional = words_flags(args, _GLOBAL_VALUE_FLAGS)
    verb = positional[0] if positional else ""
    what = f"{prog} {verb}".strip()
    if not verb or verb in _HELM_READ:
        return Verdict(False, what)
    if "--dry-run" in flags or any(f.startswith("--dry-run=") and not f.endswith("=none") for f in flags):
        return Verdict(False, what, f"{what} --dry-run does not change the cluster")
    return Verdict(True, what)


_VELERO_READ = {"get", "describe", "logs", "version", "download", "help", "completion"}


def _velero(prog: str, args: list[str]) -> Verdict:
    _flags, positional = words_flags(args, _GLOBAL_VALUE_FLAGS)
    words = positional[:2]
    what = " ".join([prog, *words])
    if not words or words[0] in _VELERO_READ or (len(words) > 1 and words[1] in _VELERO_READ):
        return Verdict(False, what)
    if words[0] == "client":  # local client config
        return Verdict(False, what)
    return Verdict(True, what)


_ARGOCD_READ = {
    "get", "list", "diff", "history", "manifests", "logs", "resources", "wait", "version", "help",
    "completion", "context", "get-user-info", "can-i", "list-tokens", "ls",
}  # fmt: skip


def _argocd(prog: str, args: list[str]) -> Verdict:
    _flags, positional = words_flags(args, _GLOBAL_VALUE_FLAGS)
    words = positional[:2]
    what = " ".join([prog, *words])
    if not words:
        return Verdict(False, what)
    if words[0] in ("login", "relogin"):
        what = f"{prog} {words[0]}"
        return Verdict(False, what, terminal=f"{what} prompts for credentials")
    if words[0] in ("version", "context", "logout", "help", "completion"):
        return Verdict(False, what)
    if len(words) > 1 and words[1] in _ARGOCD_READ:
        return Verdict(False, what)
    if words[0] == "account" and len(words) > 1 and words[1] == "update-password":
        return Verdict(True, what, terminal=f"{what} prompts for a password")
    return Verdict(True, what)


def _subverb(read: set[str]) -> Callable[[str, list[str]], Verdict]:
    """Tools whose first (or second) positional word says read or write: anything unknown changes."""

    def check(prog: str, args: list[str]) -> Verdict:
        i = 0
        while i < len(args) and args[i].startswith("-"):
            i += 2 if args[i] in ("-n", "--namespace", "-a", "--address") else 1
        _flags, positional = words_flags(args[i:])
        words = positional[:2]
        what = " ".join([prog, *words])
        if not words or words[0] in read or (len(words) > 1 and words[1] in read):
            return Verdict(False, what)
        terminal = f"{what} -it is interactive" if has_tty_stdin(args) else ""
        return Verdict(True, what, terminal=terminal)

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


def _docker(prog: str, args: list[str]) -> Verdict:
    _flags, positional = words_flags(args)
    changing = [w for w in positional[:3] if w in _DOCKER_CHANGE]
    verb = changing[0] if changing else (positional[0] if positional else "")
    what = f"{prog} {verb}".strip()
    terminal = f"{what} -it is interactive" if has_tty_stdin(args) else ""
    return Verdict(bool(changing), what, terminal=terminal)


def _git(prog: str, args: list[str]) -> Verdict:
    flags, positional = words_flags(args)
    verb = positional[0] if positional else ""
    what = f"{prog} {verb}".strip()
    if verb == "push":
        return Verdict(True, what, f"{what} may change what GitOps deploys")
    terminal = ""
    if verb == "commit" and not ({"-m", "-F", "--no-edit"} & flags or any(f.startswith("-m") for f in flags)):
        terminal = f"{what} opens an editor"
    return Verdict(False, what, terminal=terminal)


def _curl(prog: str, args: list[str]) -> Verdict:
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
        return Verdict(False, f"{prog} {method}")
    return Verdict(True, f"{prog} {method}", f"{prog} {method} may change a service")


def _wget(prog: str, args: list[str]) -> Verdict:
    if any(a.startswith(("--post-data", "--post-file", "--method", "--body-data")) for a in args):
        return Verdict(True, f"{prog} POST", f"{prog} POST may change a service")
    return Verdict(False, prog)


_SQL_WRITE = ("insert", "update", "delete", "drop", "alter", "create", "truncate", "grant", "revoke", "merge")


def _sql(prog: str, args: list[str]) -> Verdict:
    query_flags = {"psql": ("-c", "--command", "-f", "--file"), "mysql": ("-e", "--execute")}.get(
        prog, ("-e", "--execute", "-c")
    )
    for i, word in enumerate(args):
        name, _, value = word.partition("=")
        if name in query_flags:
            query = value or (args[i + 1] if i + 1 < len(args) else "")
            if any(k in query.lower().split() for k in _SQL_WRITE) or name in ("-f", "--file"):
                return Verdict(True, prog, f"{prog} runs SQL that may change data")
            return Verdict(False, prog)
    return Verdict(True, prog, f"{prog} opens an interactive session", terminal=f"{prog} is interactive")


TOOLS: dict[str, Callable[[str, list[str]], Verdict]] = {
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
