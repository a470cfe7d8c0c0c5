"""Shell code in a plan, split into the commands an operator runs one at a time.

`split_shell(code, first_line)` turns the body of a shell block into Commands: one per shell
command, the `#` comment lines right above a command as its description, backslash continuations
joined, heredocs, multi-line quotes and compound commands (`if ... fi`, `for ... done`) kept whole,
a trailing `&` read as a background job and `watch [-n N] CMD` as a watch of CMD. Comment lines
that describe no command come back as the block's notes (the loader makes them manual steps);
those right below a command (before a blank line) are also kept as that command's `notes`.
`console` blocks keep the `$ ` prompt lines and drop the printed output.

`is_shell_command(text)` decides whether inline code or an unlabelled block is a shell command:
its first word is a known command-line tool or a path to a script, or it uses shell syntax
(`VAR=value cmd`, `sudo cmd`, `./script`), never from the words of one document.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache

from cockpit.plan.model import Command

SHELL_LANGUAGES = frozenset(
    {
        "bash",
        "sh",
        "shell",
        "zsh",
        "ksh",
        "dash",
        "console",
        "shell-session",
        "shellsession",
        "sh-session",
        "terminal",
    }
)
CONSOLE_LANGUAGES = frozenset({"console", "shell-session", "shellsession", "sh-session", "terminal"})
# Fences that are data or queries, shown as text; an unlabelled or `text` fence that is not shell
# holds instructions for a person (manual steps).
PROSE_LANGUAGES = frozenset({"", "text", "txt", "plain", "plaintext", "none", "steps"})

_TOOLS = """
    kubectl k kubeadm kubelet kubens kubectx kustomize helm helmfile k9s kind minikube k3s k3d oc
    argocd flux fluxctl istioctl linkerd cilium calicoctl velero stern kubeseal cmctl crictl ctr
    nerdctl docker podman buildah skopeo crane cosign trivy etcdctl vault consul nomad terraform
    tofu terragrunt packer ansible ansible-playbook aws gcloud gsutil bq az doctl oci eksctl
    curl wget http httpie grpcurl nc ncat telnet ssh scp rsync sftp ping traceroute mtr dig nslookup
    host openssl ip ifconfig ss netstat iptables nft tcpdump
    git gh glab make cmake go cargo npm npx yarn pnpm node python python3 pip pip3 pipx uv poetry
    ruby gem java mvn gradle dotnet
    psql pg_dump pg_restore pg_isready mysql mysqldump mongosh mongo redis-cli cqlsh clickhouse-client
    trino sqlite3 kafka-topics kafka-console-consumer kafka-consumer-groups mc rclone s3cmd
    systemctl service journalctl dmesg lsblk df du free top htop ps kill pkill killall uptime lsof
    mount umount chmod chown chgrp mkdir rmdir rm cp mv ln touch cat less more head tail tee grep egrep
    fgrep rg sed awk cut sort uniq wc tr xargs find ls stat file diff patch tar gzip gunzip zip unzip
    jq yq base64 sha256sum md5sum date sleep watch timeout time env export unset source echo printf
    test true false cd pwd which whoami id hostname uname sudo su bash sh zsh exec eval alias
    apt apt-get yum dnf apk brew snap
    promtool amtool logcli vmctl grafana-cli
"""
KNOWN_TOOLS = frozenset(_TOOLS.split())

_PROMPT_RE = re.compile(r"^\s*(?:\([\w.-]+\)\s*)?(?:[\w.-]+@[\w.-]+(?::[^\s$#%]*)?\s*)?[$%❯]\s?(?=\S)")
_ASSIGN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")
_HEREDOC_RE = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][\w.-]*)\2")
_OPENERS = {"if": "fi", "case": "esac", "for": "done", "while": "done", "until": "done", "select": "done"}
_CLOSERS = {"fi", "esac", "done"}
_CLOSES = {
    "fi": ("if",),
    "done": ("for", "while", "until", "select"),
    "esac": ("case",),
    "}": ("{",),
    ")": ("(", "$("),
}
_COMMAND_POSITION = {";", "&", "&&", "||", "|", "(", "{", "then", "do", "else", "elif", "!", "`", "$("}


@dataclass(slots=True)
class ShellBlock:
    """What a shell block holds: its commands, and comment lines that describe none of them."""

    commands: list[Command] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class _LineState:
    quote: str = ""  # "'" or '"' while a quoted string spans lines
    open: list[str] = field(default_factory=list)  # open `if`, `for`, `case`, `{`, `(`, `$(`
    heredocs: list[tuple[str, bool]] = field(default_factory=list)  # pending (delimiter, strip tabs)

    @property
    def depth(self) -> int:
        return len(self.open)

    def close(self, closer: str) -> None:
        """Close the innermost construct `closer` ends; a stray closer changes nothing."""
        if self.open and self.open[-1] in _CLOSES.get(closer, ()):
            self.open.pop()


def _scan(line: str, state: _LineState) -> tuple[str, bool]:
    """Advance the lexer over one line; return (the line without a trailing comment, continues).

    `continues` is true when the line ends inside a quote, with a backslash, or with an operator
    that needs a right-hand side (`|`, `&&`, `||`).
    """
    i = 0
    n = len(line)
    words: list[str] = []
    word = ""
    code_end = n
    prev_sep = True  # at command position
    while i < n:
        c = line[i]
        if state.quote:
            if c == "\\" and state.quote == '"' and i + 1 < n:
                i += 2
                continue
            if c == state.quote:
                state.quote = ""
            i += 1
            continue
        if c in "'\"":
            state.quote = c
            word += c
            i += 1
            continue
        if c == "\\":
            if i + 1 >= n:
                code_end = i
                break
            word += line[i : i + 2]
            i += 2
            continue
        if c == "#" and not word:
            code_end = i
            break
        if c.isspace() or c in ";|&(){}`":
            if word:
                words.append(word)
                word = ""
            if c in ";|&(){}`":
                op = c
                if c in "|&" and i + 1 < n and line[i + 1] == c:
                    op = c * 2
                words.append(op)
                i += len(op)
                continue
            i += 1
            continue
        if c == "$" and i + 1 < n and line[i + 1] == "(":
            if word:
                words.append(word)
                word = ""
            words.append("$(")
            i += 2
            continue
        word += c
        i += 1
    if word:
        words.append(word)
    for w in words:
        if prev_sep and w in _OPENERS:
            state.open.append(w)
        elif w in _CLOSERS and prev_sep:
            state.close(w)
        elif w in {"{", "(", "$("}:
            state.open.append(w)
        elif w in {"}", ")"}:
            state.close(w)
        prev_sep = w in _COMMAND_POSITION or (prev_sep and _ASSIGN_RE.match(w) is not None)
    code = line[:code_end]
    for m in _HEREDOC_RE.finditer(code):
        state.heredocs.append((m.group(3), m.group(1) == "-"))
    stripped = code.rstrip()
    continues = bool(state.quote) or (code_end < n and line[code_end] == "\\" and code_end == n - 1)
    continues = continues or stripped.endswith(("|", "&&", "||"))
    return code, continues


def _parse_watch(cmd: str) -> tuple[str, float] | None:
    """`watch [-n N] [-d] CMD` -> (CMD, N); None when `cmd` is not a watch."""
    try:
        words = shlex.split(cmd)
    except ValueError:
        return None
    if not words or words[0] != "watch" or len(words) < 2:
        return None
    interval = 2.0
    i = 1
    while i < len(words) and words[i].startswith("-"):
        flag = words[i]
        if flag in {"-n", "--interval"} and i + 1 < len(words):
            value, i = words[i + 1], i + 2
        elif flag.startswith("--interval="):
            value, i = flag.split("=", 1)[1] or "2", i + 1
        elif re.fullmatch(r"-n\d+(\.\d+)?", flag):
            value, i = flag[2:], i + 1
        else:
            i += 1
            continue
        try:
            interval = float(value)
        except ValueError:
            return None  # not an interval watch reads: keep the line as the command it is
    rest = words[i:]
    if not rest:
        return None
    inner = rest[0] if len(rest) == 1 else shlex.join(rest)
    if len(rest) > 1:
        # Keep the author's spelling of the inner command (quotes, globs) rather than re-quoting it.
        match = re.search(re.escape(rest[0]), cmd)
        if match:
            inner = cmd[match.start() :].strip()
    return inner, interval


def make_command(text: str, line: int, description: str | None = None, *, inline: bool = False) -> Command:
    """A Command for one complete shell command, reading `&` (background) and `watch`."""
    cmd = text.strip()
    background = False
    probe = _LineState()
    last = cmd.splitlines()[-1] if cmd else ""
    code, _ = _scan(last, probe)
    code = code.rstrip()
    if code.endswith("&") and not code.endswith("&&") and "\n" not in cmd:
        background = True
        cmd = code[:-1].rstrip()
    command = Command(cmd=cmd, line=line, description=description, background=background, inline=inline)
    watched = _parse_watch(cmd) if cmd.startswith("watch") and "\n" not in cmd else None
    if watched is not None:
        command.cmd, command.watch_interval = watched
        command.watch = True
    return command


def _is_console(code: str) -> bool:
    lines = [ln for ln in code.splitlines() if ln.strip()]
    return bool(lines) and any(_PROMPT_RE.match(ln) for ln in lines)


def split_shell(code: str, first_line: int, language: str = "bash") -> ShellBlock:
    """Commands of a shell block whose first line is `first_line` (1-based) in the plan."""
    if language.lower() in CONSOLE_LANGUAGES or _is_console(code):
        return _split_console(code, first_line)
    block = ShellBlock()
    comments: list[tuple[int, str]] = []
    after: Command | None = None  # the command the comment lines being read directly follow
    lines = code.split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped:
            _keep_comments(block, after, comments)
            comments, after = [], None
            i += 1
            continue
        if stripped.startswith("#"):
            text = re.sub(r"^[-*]\s+", "", stripped.lstrip("#").strip())
            if text and not stripped.startswith("#!"):
                comments.append((first_line + i, text))
            i += 1
            continue
        start = i
        state = _LineState()
        text = ""
        after_backslash = False
        while i < len(lines):
            line = lines[i]
            _code, continues = _scan(line, state)
            ends_with_backslash = line.rstrip().endswith("\\") and not state.quote
            piece = line.rstrip()[:-1].rstrip() if ends_with_backslash else line.rstrip()
            if not text:
                text = piece.strip()
            elif after_backslash:
                text += " " + piece.strip()
            else:
                text += "\n" + piece
            after_backslash = ends_with_backslash
            i += 1
            while state.heredocs:
                delimiter, strip_tabs = state.heredocs.pop(0)
                body_end = i
                while body_end < len(lines):
                    candidate = lines[body_end].lstrip("\t") if strip_tabs else lines[body_end]
                    if candidate.strip() == delimiter:
                        break
                    body_end += 1
                if body_end >= len(lines):
                    block.problems.append((first_line + start, f"heredoc '{delimiter}' is never closed"))
                    body_end = len(lines) - 1
                text += "".join("\n" + body for body in lines[i : body_end + 1])
                i = body_end + 1
                after_backslash = False
            if ends_with_backslash or continues or state.depth > 0:
                if i >= len(lines) and not ends_with_backslash:
                    what = "quote" if state.quote else "compound command"
                    block.problems.append((first_line + start, f"unterminated {what} in shell block"))
                continue
            break
        after = make_command(text, first_line + start, _description(comments))
        block.commands.append(after)
        comments = []
    _keep_comments(block, after, comments)
    return block


def _keep_comments(block: ShellBlock, after: Command | None, comments: list[tuple[int, str]]) -> None:
    """Comment lines that describe no command stay the block's notes (manual steps); those right
    below a command ("# Target: <15 pods", "# apply fixes then restart") are also its notes, since
    nothing in their shape tells a remark on the output from a step to do next."""
    if after is not None:
        after.notes.extend(text for _line, text in comments)
    block.notes.extend(comments)


def _description(comments: list[tuple[int, str]]) -> str | None:
    """The comment lines right above a command, without list numbering ("# 1. Clean up jobs")."""
    text = " ".join(re.sub(r"^(?:\d{1,3}[.)]|[-*])\s+", "", c) for _, c in comments).strip()
    return text or None


def _split_console(code: str, first_line: int) -> ShellBlock:
    """`console` transcript: lines after a prompt are commands, the rest is printed output."""
    block = ShellBlock()
    lines = code.split("\n")
    comments: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        match = _PROMPT_RE.match(raw)
        if match is None:
            if raw.strip().startswith("#"):
                text = raw.strip().lstrip("#").strip()
                if text:
                    comments.append((first_line + i, text))
            i += 1
            continue
        start = i
        command = raw[match.end() :]
        state = _LineState()
        _code, continues = _scan(command, state)
        pieces = [command.rstrip()[:-1].rstrip() if command.rstrip().endswith("\\") else command]
        i += 1
        while (continues or state.depth > 0 or state.heredocs) and i < len(lines):
            nxt = re.sub(r"^\s*>\s?", "", lines[i])
            if state.heredocs:
                delimiter, _strip = state.heredocs[0]
                pieces.append(nxt)
                if nxt.strip() == delimiter:
                    state.heredocs.pop(0)
                i += 1
                continue
            _code, continues = _scan(nxt, state)
            pieces.append(nxt.rstrip()[:-1].rstrip() if nxt.rstrip().endswith("\\") else nxt.strip())
            i += 1
        joined = " ".join(p for p in pieces if p)
        block.commands.append(make_command(joined, first_line + start, _description(comments)))
        comments = []
    block.notes.extend(comments)
    return block


def first_word(text: str) -> tuple[str, list[str]] | None:
    """The program a command line runs and its arguments (prompt, `VAR=x`, `sudo` skipped)."""
    text = text.strip()
    match = _PROMPT_RE.match(text)
    if match:
        text = text[match.end() :]
    words = text.split(maxsplit=8)
    while words and (_ASSIGN_RE.match(words[0]) or words[0] in {"sudo", "time", "exec", "nohup", "command"}):
        words = words[1:]
    if not words:
        return None
    return words[0], words[1:]


@lru_cache(maxsize=4096)
def is_shell_command(text: str, *, need_arguments: bool = True) -> bool:
    """Does `text` read as a shell command (a known tool, a `./script`, shell syntax)?

    `need_arguments`: inline code such as `kubectl` or `helm` alone names a tool in prose; a command
    offered to run must have at least one argument.
    """
    found = first_word(text)
    if found is None:
        return False
    word, args = found
    if need_arguments and not args:
        return False
    if word in KNOWN_TOOLS:
        return True
    if re.fullmatch(r"(?:\./|~/|\.\./)[\w./-]+", word):
        return True
    if re.fullmatch(r"/(?:usr/)?(?:local/)?s?bin/[\w.-]+", word):
        return True
    return bool(re.fullmatch(r"[\w.-]+\.(?:sh|bash|py)", word)) and bool(args)


@lru_cache(maxsize=1024)
def looks_like_shell(code: str) -> bool:
    """An unlabelled block is shell when most of its commands start with a tool or a prompt."""
    if _is_console(code):
        return True
    starts = []
    state = _LineState()
    continuing = False
    for line in code.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not continuing and state.depth == 0 and not state.quote:
            starts.append(stripped)
            if len(starts) >= 40:  # enough to judge; a pasted log may have 100k lines
                break
        _c, continuing = _scan(line, state)
        continuing = continuing or stripped.endswith("\\")
    if not starts:
        return False
    good = sum(1 for s in starts if is_shell_command(s, need_arguments=False))
    return good * 5 >= len(starts) * 4


def inline_command(code: str, line: int, description: str | None = None) -> Command | None:
    """A Command for inline code in prose when it is one, else None."""
    if "\n" in code or not is_shell_command(code):
        return None
    return make_command(code, line, description, inline=True)
