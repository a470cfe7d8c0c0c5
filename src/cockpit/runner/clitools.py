"""What each known tool's arguments make it do: the per-program rules of the classifier.

`safety.classify` reads the shell (one tokenizer: `cockpit.shell`) and calls `TOOLS[name]` with
the program name and its argument words. Each rule says whether the command changes the cluster
(or anything else: a service, a local file, a process) and whether it needs the real terminal.
Rules fail closed: an unknown verb, an option whose value expands, or a word that expands where
an option could be (`kubectl delete pod x $EXTRA`) counts as changing.

Interpreters, shells and wrappers are not here: `safety` handles them, since their arguments
are commands again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from cockpit.shell import Word


def _names(text: str) -> frozenset[str]:
    """A set of names written as one space-separated block (reads better than 50 quoted strings)."""
    return frozenset(text.split())


SINKS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "-"})


@dataclass(frozen=True, slots=True)
class Verdict:
    changes: bool
    what: str  # "kubectl delete"
    reason: str = ""  # overrides the default wording ("<what> changes the cluster")
    terminal: str = ""  # why it needs the terminal, "" if it does not


def read(what: str, terminal: str = "") -> Verdict:
    return Verdict(False, what, terminal=terminal)


def change(what: str, reason: str = "", terminal: str = "") -> Verdict:
    return Verdict(True, what, reason, terminal)


def could_be_option(word: Word) -> bool:
    """Can this word turn into an option (or into several words) when the shell expands it?
    `"pod/$NAME"` cannot; `$EXTRA`, `"$X"` and `pod-{a,b}` can."""
    if word.value is not None:
        return False
    return not (word.single and word.prefix and not word.prefix.startswith("-"))


def dynamic_option(args: list[Word]) -> Word | None:
    """The first word of `args` that could expand into an option, or None."""
    return next((w for w in args if could_be_option(w)), None)


def expands(prog: str, word: Word) -> Verdict:
    return change(prog, f"{prog} has an argument that expands ({word.text}); treated as changing")


def values(args: list[Word]) -> list[str]:
    """Literal values of `args` (a word that expands reads as its source text)."""
    return [w.value if w.value is not None else w.text for w in args]


def split_args(args: list[Word], value_flags: frozenset[str] = frozenset()) -> tuple[list[str], list[Word]]:
    """(flags, positional words): `--` ends the flags; a flag in `value_flags` written apart from
    its value (`-n x`) takes the next word as its value."""
    flags: list[str] = []
    positional: list[Word] = []
    ended = False
    skip = False
    for word in args:
        value = word.value
        if skip:
            skip = False
        elif ended or value is None or not value.startswith("-") or value == "-":
            positional.append(word)
        elif value == "--":
            ended = True
        else:
            flags.append(value)
            skip = value in value_flags
    return flags, positional


def has_flag(flags: list[str], *names: str) -> str:
    """The flag among `flags` spelled as one of `names` (`--x`, `--x=v`, or `-o` in `-no`), or ""."""
    for flag in flags:
        name = flag.split("=", 1)[0]
        if name in names:
            return flag
        short = not flag.startswith("--") and len(flag) > 2
        if short and any(len(n) == 2 and n[0] == "-" and n[1] in flag[1:] for n in names):
            return flag
    return ""


def has_tty_stdin(args: list[Word]) -> bool:
    """-it / -ti / -i -t / --stdin --tty (flags before `--` only)."""
    stdin = tty = False
    for word in values(args):
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


def verb_after_flags(
    prog: str, args: list[Word], value_flags: frozenset[str]
) -> tuple[int | None, Verdict | None]:
    """Index of the first positional word (the verb), skipping flags and their values;
    (None, verdict) when a word before it expands (it could be the verb, or shift it)."""
    i = 0
    while i < len(args):
        word = args[i]
        value = word.value
        if value is None:
            return None, change(
                prog, f"{prog}: a word before its verb expands ({word.text}); treated as changing"
            )
        if value == "--" or not value.startswith("-") or value == "-":
            return (i, None) if value != "--" else (None, change(prog, f"{prog} -- without a verb"))
        if "=" not in value and value in value_flags:
            nxt = args[i + 1] if i + 1 < len(args) else None
            if nxt is not None and nxt.value is None and not nxt.single:
                return None, expands(prog, nxt)
            i += 2
            continue
        i += 1
    return len(args), None


# --- kubectl ----------------------------------------------------------------------------------

_KUBECTL_VALUE_FLAGS = _names(
    """-n --namespace --context --cluster --user --kubeconfig -s --server --token --as --as-group
    --as-uid --request-timeout -v --v --cache-dir --certificate-authority --client-certificate
    --client-key --tls-server-name --log-file --profile --profile-output --password --username
    --log-dir --log-file-max-size --vmodule --kuberc"""
)
_KUBECTL_READ = _names(
    """get describe logs log top wait explain version api-resources api-versions diff events
    kustomize completion port-forward proxy options help neat tree view-secret whoami"""
)
_KUBECTL_CHANGE = _names(
    """delete scale patch annotate label apply create replace edit set drain cordon uncordon taint
    expose autoscale certificate rollout"""
)
_ROLLOUT_READ = {"status", "history"}
_KUSTOMIZE_EXEC = ("--enable-exec", "--enable-alpha-plugins", "--enable-helm", "--helm-command")
_CONFIG_READ = {"view", "get-contexts", "current-context", "get-clusters", "get-users"}
_AUTH_READ = {"can-i", "whoami"}
KUBE_EXEC_VERBS = ("exec", "attach", "run", "debug")


def dry_run(args: list[Word]) -> str:
    """The `--dry-run=client|server` that makes a write a no-op, or "": it must be an option
    (before `--`), the last `--dry-run` given, spelled exactly, and no word that could expand
    into another `--dry-run` may follow."""
    last = ""
    for word in args:
        value = word.value
        if value is None:
            if could_be_option(word):
                return ""
            continue
        if value == "--":
            break
        if value == "--dry-run" or value.startswith("--dry-run="):
            last = value
    return last if last in ("--dry-run=client", "--dry-run=server") else ""


def kubectl(prog: str, args: list[Word], inner: Callable[[list[Word]], Verdict]) -> Verdict:
    at, stop = verb_after_flags(prog, args, _KUBECTL_VALUE_FLAGS)
    if stop is not None:
        return stop
    assert at is not None
    if at >= len(args):
        return read(prog)
    verb = args[at].value or ""
    rest = args[:at] + args[at + 1 :]
    what = f"{prog} {verb}"
    _flags, positional = split_args(args[at + 1 :])
    sub = positional[0].value if positional else ""
    plugins = next((w.value for w in rest if (w.value or "").startswith(_KUSTOMIZE_EXEC)), None)
    if plugins:
        return change(what, f"{what} {plugins} runs programs the kustomization names; treated as changing")
    if verb in _KUBECTL_READ:
        return read(what)
    if verb == "cluster-info":
        if any(w.value is None or (w.value or "").startswith("--output-directory") for w in rest):
            return change(what, f"{what} dump --output-directory writes local files")
        return read(what)
    if verb == "plugin" and sub == "list":
        return read(f"{what} list")
    if verb == "auth":
        if sub in _AUTH_READ:
            return read(f"{what} {sub}")
        return change(f"{what} {sub or ''}".strip())
    if verb == "config":
        if sub in _CONFIG_READ:
            return read(f"{what} {sub}")
        what = f"{what} {sub or '…'}"
        return change(what, f"{what} changes the session's pinned kubeconfig (where commands go)")
    if verb == "exec":
        return _kubectl_exec(what, args[at + 1 :], inner)
    if verb in ("attach", "debug"):
        terminal = f"{what} -it is interactive" if has_tty_stdin(rest) else ""
        return change(what, f"{what} runs a process in the cluster; treated as changing", terminal)
    if verb == "run":
        dry = dry_run(rest)
        if dry:
            return read(what)
        terminal = f"{what} -it is interactive" if has_tty_stdin(rest) else ""
        return change(what, f"{what} runs a process in the cluster; treated as changing", terminal)
    if verb == "cp":
        return change(what, f"{what} copies files into a pod or onto this machine")
    if verb not in _KUBECTL_CHANGE:
        return change(what, f"unknown command {what}; treated as changing")
    terminal = f"{what} opens an editor" if verb == "edit" else ""
    if verb == "rollout" and sub in _ROLLOUT_READ:
        return read(f"{what} {sub}")
    if verb == "rollout":
        what = f"{what} {sub or ''}".strip()
    dry = dry_run(rest)
    if dry and verb != "edit":
        return Verdict(False, what, f"{what} {dry} does not change the cluster")
    return change(what, terminal=terminal)


def _kubectl_exec(what: str, args: list[Word], inner: Callable[[list[Word]], Verdict]) -> Verdict:
    """`kubectl exec POD -- CMD…`: read-only when CMD is (a health check: `curl -s`, `cat`…)."""
    terminal = f"{what} -it is interactive" if has_tty_stdin(args) else ""
    dash = next((i for i, w in enumerate(args) if w.value == "--"), None)
    if dash is None:
        return change(
            what, f"{what} without `--` runs a process in the cluster; treated as changing", terminal
        )
    loose = dynamic_option(args[:dash])
    if loose is not None:
        return expands(what, loose)
    command = args[dash + 1 :]
    if not command:
        return change(what, f"{what} runs a process in the cluster; treated as changing", terminal)
    verdict = inner(command)
    inner_what = f"{what} {verdict.what}"
    if verdict.changes:
        reason = verdict.reason or f"{verdict.what} changes something"
        return change(inner_what, f"{what}: {reason} (in the pod)", terminal or verdict.terminal)
    return read(inner_what, terminal or verdict.terminal)


# --- other cluster tools -----------------------------------------------------------------------

_GLOBAL_VALUE_FLAGS = _names(
    """-n --namespace --kube-context --kubeconfig --context --server --auth-token --config
    --kube-apiserver --kube-token --kube-as-user --kube-as-group --kube-ca-file --registry-config
    --repository-cache --repository-config --burst-limit --qps --header -H --grpc-web-root-path
    --port-forward-namespace --loglevel --logformat --client-crt --client-crt-key"""
)
_HELM_READ = _names(
    "list ls status get history hist show inspect template search version lint env verify help completion "
    "diff"
)
_HELM_LISTS = {"repo", "dependency", "dep", "plugin", "registry"}


def _positional_words(prog: str, args: list[Word], count: int) -> tuple[list[str], Verdict | None]:
    """The first `count` positional words, literal; a verdict when one of them (or a word that
    could shift them) expands."""
    words: list[str] = []
    skip = False
    for word in args:
        if len(words) >= count:
            break
        if skip:
            skip = False
            if word.value is None and not word.single:
                return words, expands(prog, word)
            continue
        if word.value is None:
            return words, expands(prog, word)
        if word.value == "--":
            break
        if word.value.startswith("-") and word.value != "-":
            skip = "=" not in word.value and word.value in _GLOBAL_VALUE_FLAGS
            continue
        words.append(word.value)
    return words, None


def helm(prog: str, args: list[Word]) -> Verdict:
    words, stop = _positional_words(prog, args, 2)
    if stop is not None and not words:
        return stop
    verb = words[0] if words else ""
    what = f"{prog} {verb}".strip()
    flags, _ = split_args(args, _GLOBAL_VALUE_FLAGS)
    if has_flag(flags, "--post-renderer"):
        return change(what, f"{what} --post-renderer runs a program; treated as changing")
    loose = dynamic_option(args)
    if not verb or verb in _HELM_READ:
        if loose is not None and verb == "template":  # it could be a --post-renderer
            return expands(what, loose)
        return read(what)
    if verb in _HELM_LISTS and len(words) > 1 and words[1] in ("list", "ls"):
        return read(f"{what} {words[1]}")
    if stop is not None and verb in _HELM_LISTS and len(words) < 2:
        return stop
    dry = [f for f in flags if f == "--dry-run" or f.startswith("--dry-run=")]
    if loose is None and dry and dry[-1] in ("--dry-run", "--dry-run=client", "--dry-run=server"):
        return Verdict(False, what, f"{what} {dry[-1]} does not change the cluster")
    return change(what)


_VELERO_READ = {"get", "describe", "logs", "version", "help", "completion"}


def velero(prog: str, args: list[Word]) -> Verdict:
    words, stop = _positional_words(prog, args, 3)
    if stop is not None and not words:
        return stop
    what = " ".join([prog, *words[:2]])
    if not words or words[0] in _VELERO_READ or (len(words) > 1 and words[1] in _VELERO_READ):
        return read(what)
    if stop is not None and len(words) < 2:
        return stop
    if words[:3] == ["client", "config", "get"]:
        return read(f"{prog} client config get")
    return change(what)


_ARGOCD_READ = {"get", "list", "ls", "diff", "history", "manifests", "resources", "logs", "wait"}
_ARGOCD_ACCOUNT_READ = {"get-user-info", "can-i", "list", "get"}


def argocd(prog: str, args: list[Word]) -> Verdict:
    words, stop = _positional_words(prog, args, 2)
    if stop is not None and not words:
        return stop
    loose = dynamic_option(args)
    if loose is not None:  # it could be a --refresh
        return expands(prog, loose)
    what = " ".join([prog, *words[:2]])
    if not words:
        return read(what)
    flags, _ = split_args(args, _GLOBAL_VALUE_FLAGS)
    if has_flag(flags, "--refresh", "--hard-refresh"):
        return change(what, f"{what} --refresh asks Argo CD to refresh the application")
    if words[0] in ("login", "relogin"):
        what = f"{prog} {words[0]}"
        return read(what, terminal=f"{what} prompts for credentials")
    if words[0] in ("version", "logout", "help", "completion") or words == ["context"]:
        return read(what)
    if words[0] == "account" and len(words) > 1:
        if words[1] in _ARGOCD_ACCOUNT_READ:
            return read(what)
        if words[1] == "update-password":
            return change(what, terminal=f"{what} prompts for a password")
    if len(words) > 1 and words[1] in _ARGOCD_READ:
        return read(what)
    if stop is not None and len(words) < 2:
        return stop
    return change(what)


def subverb(read_words: Collection[str]) -> Callable[[str, list[Word]], Verdict]:
    """Tools whose first (or second) positional word says read or write: anything else changes."""

    def check(prog: str, args: list[Word]) -> Verdict:
        words, stop = _positional_words(prog, args, 2)
        if stop is not None and not words:
            return stop
        what = " ".join([prog, *words])
        if not words or words[0] in read_words or (len(words) > 1 and words[1] in read_words):
            loose = dynamic_option(args)
            return read(what) if loose is None else expands(what, loose)
        if stop is not None and len(words) < 2:
            return stop
        terminal = f"{what} -it is interactive" if has_tty_stdin(args) else ""
        return change(what, terminal=terminal)

    return check


def _no_args_read(prog: str, args: list[Word]) -> Verdict:
    """kubectx/kubens: listing is read-only; switching changes where commands go."""
    if not args:
        return read(prog)
    return change(prog, f"{prog} switches the kube context or namespace (where commands go)")


def _kustomize(prog: str, args: list[Word]) -> Verdict:
    if any((w.value or "").startswith(_KUSTOMIZE_EXEC) for w in args):
        return change(prog, f"{prog} with plugins or helm runs programs; treated as changing")
    return subverb(_names("build version help"))(prog, args)


def _k9s(prog: str, args: list[Word]) -> Verdict:
    terminal = "k9s is a full-screen program"
    if any(w.value == "--readonly" for w in args):
        return read(f"{prog} --readonly", terminal)
    return change(
        prog, "k9s can change anything in the cluster; treated as changing (use --readonly)", terminal
    )


# --- local and network programs ----------------------------------------------------------------

_DOCKER_READ = _names(
    "ps images logs inspect version info stats top port history search diff events ls config"
)


_DOCKER_GROUPS = ("image", "container", "network", "volume", "system", "compose", "context")


def docker(prog: str, args: list[Word]) -> Verdict:
    words, stop = _positional_words(prog, args, 2)
    if stop is not None and not words:
        return stop
    loose = dynamic_option(args)
    what = " ".join([prog, *words[:1]])
    terminal = f"{what} -it is interactive" if has_tty_stdin(args) else ""
    if not words:
        return read(what)
    if words[0] in _DOCKER_READ or (
        words[0] in _DOCKER_GROUPS and len(words) > 1 and words[1] in _DOCKER_READ | {"df"}
    ):
        return read(" ".join([prog, *words]), terminal) if loose is None else expands(what, loose)
    if stop is not None and len(words) < 2 and words[0] in _DOCKER_GROUPS:
        return stop
    return change(what, terminal=terminal)


_GIT_READ = _names(
    "status log diff show blame ls-files ls-tree rev-parse describe grep shortlog "
    "cat-file rev-list whatchanged version help"
)


def git(prog: str, args: list[Word]) -> Verdict:
    flags_before: list[str] = []
    for word in args:
        if word.value is None or not word.value.startswith("-"):
            break
        flags_before.append(word.value)
    if has_flag(flags_before, "-c", "--config-env", "--exec-path"):
        return change(prog, f"{prog} -c sets configuration that can run programs; treated as changing")
    flags, positional = split_args(args, frozenset({"-C", "--git-dir", "--work-tree"}))
    if dynamic_option(args) is not None or any(p.value is None for p in positional[:1]):
        return expands(prog, dynamic_option(args) or positional[0])
    verb = positional[0].value if positional else ""
    rest = [p.value for p in positional[1:]]
    what = f"{prog} {verb}".strip()
    if verb in _GIT_READ and not has_flag(flags, "--output", "--ext-diff"):
        return read(what)
    if verb == "branch" and not rest and not has_flag(flags, "-d", "-D", "-m", "-M", "-c", "-C", "--delete"):
        return read(what)
    if verb in ("remote", "stash", "tag", "config", "worktree") and (
        (not rest and verb in ("remote", "tag")) or rest[:1] in (["-v"], ["show"], ["list"], ["get-url"])
    ):
        return read(what)
    if verb == "config" and has_flag(flags, "--get", "--get-all", "--list", "-l", "--get-regexp"):
        return read(what)
    if verb == "push":
        return change(what, f"{what} may change what GitOps deploys")
    terminal = ""
    if verb == "commit" and not has_flag(flags, "-m", "-F", "--no-edit", "--message", "--file"):
        terminal = f"{what} opens an editor"
    return change(what, f"{what} changes the repository", terminal)


_CURL_DATA = _names(
    """-d --data --data-raw --data-binary --data-urlencode --data-ascii --json -F --form
    --form-string -T --upload-file"""
)
_CURL_WRITES = _names(
    """-o --output -D --dump-header -c --cookie-jar --trace --trace-ascii --etag-save --hsts
    --alt-svc --libcurl --stderr"""
)
_CURL_VALUE = (
    _names(
        """-X --request -H --header -u --user -A --user-agent -e --referer -b --cookie -m --max-time
    --connect-timeout -w --write-out --cacert --cert --key -x --proxy --resolve --retry -r --range
    -K --config -E --url -U --proxy-user --retry-delay --retry-max-time -Y -y --limit-rate
    --max-filesize --interface"""
    )
    | frozenset(_CURL_DATA)
    | frozenset(_CURL_WRITES)
)


_CURL_SHORT_VALUE = "AbcCdDeEFHKmoPQrtTuUwxXyYz"  # short options that take a value (`-sXPOST` is -s -X POST)


def curl_options(words: list[str]) -> list[tuple[str, str]]:
    """(option, value) pairs of a curl command line, short clusters (`-sfX DELETE`) split and
    `--opt=value` / `--opt value` / `-Xvalue` read; other words are URLs and left out."""
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        i += 1
        if word.startswith("--"):
            name, eq, attached = word.partition("=")
            if eq:
                pairs.append((name, attached))
            elif name in _CURL_VALUE:
                pairs.append((name, nxt))
                i += 1
            else:
                pairs.append((name, ""))
        elif word.startswith("-") and len(word) > 1:
            for k, letter in enumerate(word[1:], start=2):
                if letter in _CURL_SHORT_VALUE:
                    rest = word[k:]
                    pairs.append((f"-{letter}", rest or nxt))
                    i += 0 if rest else 1
                    break
                pairs.append((f"-{letter}", ""))
    return pairs


def curl(prog: str, args: list[Word]) -> Verdict:
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    method = ""
    get = head = data = False
    for name, value in curl_options(values(args)):
        if name in ("-X", "--request"):
            method = value.upper()
        elif name in _CURL_DATA:
            data = True
        elif name in _CURL_WRITES:
            if value not in SINKS:
                return change(prog, f"{prog} {name} writes the file {value}")
        elif name in ("-O", "--remote-name", "--remote-name-all", "-J", "--remote-header-name"):
            return change(prog, f"{prog} {name} writes a local file")
        elif name in ("-K", "--config"):
            return change(prog, f"{prog} {name} reads its options from a file; treated as changing")
        elif name in ("-G", "--get"):
            get = True
        elif name in ("-I", "--head"):
            head = True
    if not method:
        method = "HEAD" if head else "GET" if get or not data else "POST"
    if method in ("GET", "HEAD", "OPTIONS"):
        return read(f"{prog} {method}")
    return change(f"{prog} {method}", f"{prog} {method} may change a service")


def wget(prog: str, args: list[Word]) -> Verdict:
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    words = values(args)
    if any(
        w.startswith(("--post-data", "--post-file", "--method", "--body-data", "--body-file")) for w in words
    ):
        return change(f"{prog} POST", f"{prog} POST may change a service")
    if "--spider" in words:
        return read(prog)
    for i, word in enumerate(words):
        target = ""
        if word in ("-O", "--output-document") and i + 1 < len(words):
            target = words[i + 1]
        elif word.startswith("--output-document="):
            target = word.split("=", 1)[1]
        elif re.fullmatch(r"-[a-zA-Z]*O.+", word):
            target = word[word.index("O") + 1 :]
        elif re.fullmatch(r"-[a-zA-Z]*O", word) and i + 1 < len(words):
            target = words[i + 1]
        if target:
            return read(prog) if target in SINKS else change(prog, f"{prog} writes the file {target}")
    return change(prog, f"{prog} saves what it downloads to a local file")


def nc(prog: str, args: list[Word]) -> Verdict:
    flags, _ = split_args(args)
    if has_flag(flags, "-z"):
        return read(f"{prog} -z")
    return change(prog, f"{prog} sends its input to a service; treated as changing")


def openssl(prog: str, args: list[Word]) -> Verdict:
    for word in args:
        value = word.value
        if value is None and could_be_option(word):
            return expands(prog, word)
        if (
            value
            and value.startswith("-")
            and value.lstrip("-").split("=")[0] in ("out", "keyout", "writerand")
        ):
            return change(prog, f"{prog} {value} writes a file")
    return read(prog)


_SQL_WRITE = _names(
    """insert update delete drop alter create truncate grant revoke merge copy into call do
    vacuum reindex cluster lock set reset comment refresh listen notify prepare execute"""
)
_SQL_READ_START = ("select", "show", "explain", "table", "values", "\\d", "\\l", "\\conninfo", "\\dt", "\\dn")
_SQL_FUNCS = _names(
    """pg_terminate_backend pg_cancel_backend set_config nextval setval lo_ dblink pg_reload_conf
    pg_rotate pg_switch pg_create pg_drop pg_advisory"""
)


def sql(prog: str, args: list[Word]) -> Verdict:
    query_flags = {"psql": ("-c", "--command"), "mysql": ("-e", "--execute"), "mariadb": ("-e", "--execute")}
    flags = query_flags.get(prog, ("-e", "--execute", "-c"))
    words = values(args)
    for i, word in enumerate(words):
        if word.startswith(("-f", "--file")) and prog == "psql":
            return change(prog, f"{prog} runs SQL from a file; treated as changing")
        name, eq, value = word.partition("=")
        short = word[:2] if word[:2] in flags and len(word) > 2 else ""
        if name in flags or short:
            query = (
                value if eq else word[2:] if short else (words[i + 1] if i + 1 < len(words) else "")
            ).strip()
            lowered = query.lower()
            tokens = re.findall(r"[a-z_\\]+", lowered)
            safe = (
                lowered.startswith(_SQL_READ_START)
                and ";" not in lowered.rstrip("; \n")
                and not any(t in _SQL_WRITE for t in tokens)
                and not any(f in lowered for f in _SQL_FUNCS)
                and "\\!" not in query
                and "analyze" not in tokens
            )
            if (
                (args[i].value is None or (i + 1 < len(args) and args[i + 1].value is None))
                and not short
                and not eq
            ):
                safe = False
            if safe:
                return read(prog)
            return change(prog, f"{prog} runs SQL that may change data")
    return change(prog, f"{prog} opens an interactive session", terminal=f"{prog} is interactive")


_REDIS_READ = _names(
    "ping info get mget keys scan ttl pttl type exists dbsize llen lrange hget "
    "hgetall hkeys smembers scard zrange zcard strlen memory slowlog client config "
    "--stat --bigkeys --scan --latency"
)


def redis_cli(prog: str, args: list[Word]) -> Verdict:
    flags, positional = split_args(args, frozenset({"-h", "-p", "-a", "-n", "-u", "--user", "--pass", "-s"}))
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    words = [p.value or "" for p in positional]
    if not words:
        if any(f in _REDIS_READ for f in flags):
            return read(prog)
        return change(prog, f"{prog} opens an interactive session", terminal=f"{prog} is interactive")
    command = words[0].lower()
    if command in ("config", "client", "memory", "slowlog"):
        sub = words[1].lower() if len(words) > 1 else ""
        if sub in ("get", "list", "info", "usage", "stats", "len", "doctor"):
            return read(f"{prog} {command} {sub}")
        return change(f"{prog} {command} {sub}".strip())
    if command in _REDIS_READ:
        return read(f"{prog} {command}")
    return change(f"{prog} {command}", f"{prog} {command} may change data")


def _dump(flag_names: tuple[str, ...]) -> Callable[[str, list[Word]], Verdict]:
    def check(prog: str, args: list[Word]) -> Verdict:
        flags, _ = split_args(args)
        if has_flag(flags, *flag_names):
            return change(prog, f"{prog} writes a file")
        return read(prog)

    return check


def _httpie(prog: str, args: list[Word]) -> Verdict:
    flags, positional = split_args(args)
    words = [p.value for p in positional]
    if any(w is None for w in words):
        return expands(prog, next(p for p in positional if p.value is None))
    method = words[0].upper() if words and words[0] and words[0].isalpha() and words[0].isupper() else ""
    items = words[2:] if method else words[1:]
    if method in ("", "GET", "HEAD") and not any(re.search(r"=|@", w or "") for w in items):
        if has_flag(flags, "-d", "--download", "-o", "--output"):
            return change(prog, f"{prog} writes a file")
        return read(f"{prog} {method or 'GET'}")
    return change(f"{prog} {method or 'POST'}", f"{prog} {method or 'POST'} may change a service")


def _cloud(prog: str, args: list[Word]) -> Verdict:
    """aws/gcloud/az/doctl/oci: read when an operation word is describe/list/get/show…"""
    words, stop = _positional_words(prog, args, 4)
    if stop is not None and not words:
        return stop
    what = " ".join([prog, *words[:3]])
    reads = ("describe", "list", "get", "show", "ls", "info", "whoami", "wait")
    found = any(w in reads or w.startswith(("describe-", "list-", "get-", "wait-")) for w in words[1:])
    if found or words[:2] in (["sts", "get-caller-identity"], ["config", "list"], ["auth", "list"]):
        loose = dynamic_option(args)
        return read(what) if loose is None else expands(what, loose)
    if stop is not None:
        return stop
    return change(what)


def _flag_read(
    read_flags: tuple[str, ...], write_flags: tuple[str, ...] = ()
) -> Callable[[str, list[Word]], Verdict]:
    """Read-only when one of `read_flags` is given (and none of `write_flags`): kafka-topics --list."""

    def check(prog: str, args: list[Word]) -> Verdict:
        flags, _ = split_args(args)
        if (
            dynamic_option(args) is None
            and has_flag(flags, *read_flags)
            and not has_flag(flags, *write_flags)
        ):
            return read(prog)
        return change(prog)

    return check


TOOLS: dict[str, Callable[[str, list[Word]], Verdict]] = {
    "helm": helm,
    "velero": velero,
    "argocd": argocd,
    "k9s": _k9s,
    "kubectx": _no_args_read,
    "kubens": _no_args_read,
    "stern": lambda prog, args: read(prog),
    "ctr": subverb({"ls", "list", "info", "check", "version", "help", "namespaces", "ns", "plugins"}),
    "crictl": subverb(
        _names("ps pods images img inspect inspecti inspectp logs stats statsp info version help imagefsinfo")
    ),
    "kind": subverb({"get", "version", "help", "completion"}),
    "k3d": subverb({"list", "get", "version", "help", "completion"}),
    "minikube": subverb({"status", "ip", "version", "logs", "profile", "help", "ssh-key"}),
    "flux": subverb(
        {"get", "check", "logs", "stats", "version", "tree", "diff", "export", "trace", "events", "help"}
    ),
    "istioctl": subverb(
        _names("analyze proxy-status ps proxy-config pc version verify-install help describe")
    ),
    "linkerd": subverb({"check", "version", "stat", "top", "tap", "routes", "edges", "help", "diagnostics"}),
    "cilium": subverb({"status", "version", "help", "observe"}),
    "cmctl": subverb({"status", "check", "inspect", "version", "help", "completion", "convert"}),
    "etcdctl": subverb({"get", "list", "health", "status", "version", "check", "help"}),
    "eksctl": subverb({"get", "version", "help", "info"}),
    "helmfile": subverb({"diff", "lint", "template", "list", "status", "build", "version", "help"}),
    "kubeadm": subverb({"version", "print", "check-expiration", "list", "help"}),
    "kustomize": _kustomize,
    "terraform": subverb(
        {"plan", "show", "validate", "output", "version", "providers", "graph", "help", "list", "console"}
    ),
    "tofu": subverb({"plan", "show", "validate", "output", "version", "providers", "graph", "help", "list"}),
    "vault": subverb({"read", "get", "list", "status", "version", "help", "lookup"}),
    "consul": subverb({"members", "info", "version", "help", "catalog"}),
    "nomad": subverb({"status", "version", "help"}),
    "mc": subverb(
        {"ls", "cat", "stat", "du", "find", "diff", "ping", "version", "head", "tree", "help", "list"}
    ),
    "rclone": subverb(
        {"ls", "lsd", "lsl", "lsf", "lsjson", "cat", "size", "check", "version", "help", "tree"}
    ),
    "s3cmd": subverb({"ls", "la", "info", "du", "--version", "help"}),
    "grpcurl": subverb({"list", "describe"}),
    "promtool": subverb({"check", "query", "test", "help"}),
    "amtool": subverb({"query", "check-config", "config", "help", "version"}),
    "logcli": subverb({"query", "labels", "series", "instant-query", "help", "version"}),
    "docker": docker,
    "podman": docker,
    "nerdctl": docker,
    "git": git,
    "curl": curl,
    "wget": wget,
    "nc": nc,
    "ncat": nc,
    "netcat": nc,
    "openssl": openssl,
    "psql": sql,
    "mysql": sql,
    "mariadb": sql,
    "redis-cli": redis_cli,
    "pg_isready": lambda prog, args: read(prog),
    "pg_dump": _dump(("-f", "--file")),
    "mysqldump": _dump(("-r", "--result-file")),
    "http": _httpie,
    "https": _httpie,
    "httpie": _httpie,
    "xh": _httpie,
    "aws": _cloud,
    "gcloud": _cloud,
    "gsutil": subverb({"ls", "cat", "du", "stat", "version", "help"}),
    "bq": subverb({"ls", "show", "head", "version", "help"}),
    "az": _cloud,
    "doctl": _cloud,
    "oci": _cloud,
    "kafka-topics": _flag_read(("--list", "--describe"), ("--create", "--delete", "--alter")),
    "kafka-consumer-groups": _flag_read(("--list", "--describe"), ("--reset-offsets", "--delete")),
    "kafka-console-consumer": lambda prog, args: read(prog),
}
