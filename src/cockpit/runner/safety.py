"""Does a command change the cluster, and does it need the real terminal?

`classify(cmd)` splits the command line into its simple commands (`a && b; c | d`, `$(...)`
included, see shellsplit), classifies each, and reports the first one that changes the cluster.
Wrappers that run arbitrary text (`sh -c`, `bash -c`, `eval`, `xargs`, scripts) count as changing:
the cockpit cannot know what they do; so do programs it does not know. Local utilities (grep,
jq, curl GET, date...) and read-only verbs of cluster tools (kubectl get, helm list...) do not.
`kubectl ... --dry-run[=client|server]` and `helm ... --dry-run` are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.runner.clitools import TOOLS, Verdict
from cockpit.runner.shellsplit import ShellSyntaxError, simple_commands


@dataclass(frozen=True, slots=True)
class Safety:
    """`changes_cluster`: ask for confirmation (and refuse in --read-only). `reason`: one line
    naming the command that decided it ("kubectl delete changes the cluster", "read-only: kubectl
    get"). `needs_terminal`: run with the app suspended (an editor, a pager, a prompt);
    `terminal_reason` says why. `retarget` names what in the command overrides the session's pinned
    kube target (`--context prod`, `--kubeconfig x`, `KUBECONFIG=...`), "" when nothing does: the
    confirmation should show it, since the pinned context is then not what the command hits."""

    changes_cluster: bool
    reason: str
    needs_terminal: bool = False
    terminal_reason: str = ""
    retarget: str = ""  # e.g. "--context prod": the command aims somewhere else than the pinned target


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


def _classify_words(words: list[str]) -> Verdict:
    # Leading assignments (FOO=bar cmd) and harmless wrappers.
    while (
        words
        and "=" in words[0]
        and not words[0].startswith(("=", "-"))
        and words[0].split("=")[0].isidentifier()
    ):
        words = words[1:]
    if not words:
        return Verdict(False, "variable assignment")
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
        return Verdict(inner.changes, f"sudo {inner.what}", inner.reason, terminal)
    if prog == "watch":
        rest = [a for a in args if not a.startswith("-") and not a.replace(".", "").isdigit()]
        inner = _classify_words(rest)
        return Verdict(inner.changes, f"watch {inner.what}", inner.reason, inner.terminal)
    if prog in _SHELLS:
        if "-c" in args or any(a.startswith("-") and "c" in a[1:] and not a.startswith("--") for a in args):
            return Verdict(True, f"{prog} -c", f"{prog} -c runs arbitrary shell code; treated as changing")
        if not [a for a in args if not a.startswith("-")]:
            return Verdict(
                True, prog, f"an interactive {prog}; treated as changing", f"{prog} is interactive"
            )
        return Verdict(True, prog, f"{prog} runs a script; treated as changing")
    if prog in _RUNS_TEXT:
        return Verdict(True, prog, f"{prog} runs commands it builds; treated as changing")
    if prog in ("source", "."):
        return Verdict(True, prog, f"{prog} runs a script; treated as changing")
    if prog == "read":
        terminal = "read -p prompts for input" if any(a.startswith("-") and "p" in a for a in args) else ""
        return Verdict(False, "read", terminal=terminal)
    tool = TOOLS.get(prog)
    if tool is not None:
        return tool(prog, args)
    if "/" in prog_path or prog.endswith(".sh"):
        return Verdict(True, prog_path, f"script {prog_path} may do anything; treated as changing")
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
        return Verdict(False, prog, terminal=terminal)
    return Verdict(True, prog, f"unknown command {prog}; treated as changing")


def _skip_wrapper_options(prog: str, args: list[str]) -> list[str]:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if prog in ("nice", "ionice", "chrt", "taskset") and args[i] in ("-n", "-c", "-p") else 1
    return args[i:]


def _with_interactive(words: list[str], verdict: Verdict) -> Verdict:
    """Any command given `--interactive` prompts (kubectl delete --interactive, ...)."""
    asked = [w for w in words if w == "--interactive" or w.startswith("--interactive=")]
    if verdict.terminal or not asked or asked[-1].endswith(("=false", "=0")):
        return verdict
    return Verdict(verdict.changes, verdict.what, verdict.reason, f"{verdict.what} --interactive prompts")


_KUBE_TOOLS = {"kubectl", "k", "oc", "helm", "velero", "argocd", "flux", "istioctl", "cmctl"}
_TARGET_FLAGS = ("--context", "--kube-context", "--kubeconfig", "--server", "--cluster")


def _retarget(commands: list[list[str]]) -> str:
    """What in the command line points kube tools away from the pinned target, or ""."""
    found: list[str] = []
    for words in commands:
        found += [w for w in words if w.startswith(("KUBECONFIG=", "HELM_KUBECONTEXT="))]
        tools = [i for i, w in enumerate(words) if w.rsplit("/", 1)[-1] in _KUBE_TOOLS]
        if not tools:
            continue
        args = words[tools[0] + 1 :]
        for i, word in enumerate(args):
            if word == "--":
                break
            name, eq, _value = word.partition("=")
            if name in _TARGET_FLAGS:
                found.append(word if eq else f"{word} {args[i + 1] if i + 1 < len(args) else ''}".strip())
    return ", ".join(dict.fromkeys(found))


def classify(cmd: str) -> Safety:
    """Classify a whole command line (pipelines, lists, substitutions, continuations)."""
    try:
        commands = simple_commands(cmd)
    except ShellSyntaxError as exc:
        return Safety(True, f"cannot parse the command ({exc}); treated as changing")
    verdicts = [_with_interactive(words, _classify_words(words)) for words in commands]
    terminal = next((v.terminal for v in verdicts if v.terminal), "")
    retarget = _retarget(commands)
    changing = next((v for v in verdicts if v.changes), None)
    if changing is not None:
        reason = changing.reason or f"{changing.what} changes the cluster"
        return Safety(True, reason, bool(terminal), terminal, retarget)
    if not verdicts:
        return Safety(False, "nothing to run", bool(terminal), terminal, retarget)
    names = list(dict.fromkeys(v.what for v in verdicts))
    reason = next((v.reason for v in verdicts if v.reason), "") or "read-only: " + ", ".join(names)
    return Safety(False, reason, bool(terminal), terminal, retarget)
