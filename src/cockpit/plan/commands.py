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

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from cockpit.plan.model import Command
from cockpit.shell import BUILTIN_CODE, KNOWN_PROGRAMS, READ, first_program, kind_of, literal_words, parse
from cockpit.shell.parser import RESERVED

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
# Fences in a language that is not shell: never sniffed for commands. A fence in a language this
# list does not name (`azurecli`, `command`) is sniffed like an unlabelled one.
_NOT_SHELL = """
    text txt plain plaintext none steps output log logs yaml yml json jsonc json5 toml ini conf cfg
    properties env xml html css sql psql plsql mysql pgsql promql logql metricsql traceql hcl tf
    terraform python py go golang java groovy kotlin scala javascript js typescript ts ruby rb rust
    c cpp csharp cs php perl lua r swift dockerfile docker makefile make diff patch markdown md rst
    mermaid plantuml dot graphql proto protobuf csv tsv jsonnet cue rego nginx apache haproxy
    powershell ps ps1 pwsh cmd bat batch vb vbnet elixir erlang haskell clojure jinja j2 tpl
    gotemplate helm mustache handlebars vim awk sed jq
"""
NOT_SHELL_LANGUAGES = frozenset(_NOT_SHELL.split())

# The one program table (`cockpit.shell`): a word it names starts a command, and so does a
# reserved word (`for`, `if`, `{`) of the one shell parser.
KNOWN_TOOLS = KNOWN_PROGRAMS | RESERVED


_PROMPT_RE = re.compile(
    r"^\s*(?:\([\w.-]+\)\s*)?"  # (venv)
    r"(?:"
    r"(?:[\w.-]+@[\w.-]+(?::[^\s$#%]*)?\s*)?[$%❯]\s+"  # $ , user@host:~$ , % , ❯
    r"|\[[\w.-]+@[\w.-]+[^\]]*\][$#]\s+"  # [root@host dir]#
    r"|[\w.-]+@[\w.-]+:[^\s$#]*#\s+"  # root@host:/#
    r"|(?:bash|sh|zsh)-[\d.]+[$#]\s+"  # bash-5.1#
    r"|[A-Za-z][\w.-]*\s+\$\s+"  # workstation $ , patroni-01 $
    r"|[A-Za-z][\w.]*(?:-|\d)[\w.-]*\s+#\s+"  # db-01 # (a host name has a digit or a hyphen)
    r"|PS(?:\s+[^>\n]*)?>\s+"  # PS> , PS C:\>
    r")(?=\S)"
)
_ROOT_PROMPT_RE = re.compile(r"^\s*#\s+(?=\S)")
_ASSIGN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")


@dataclass(slots=True)
class ShellBlock:
    """What a shell block holds: its commands, and comment lines that describe none of them."""

    commands: list[Command] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    output: list[tuple[int, str]] = field(default_factory=list)  # printed lines before any command


def _extent(lines: list[str], start: int) -> tuple[int, str]:
    """The index of the last line of the command that starts at `lines[start]`, and "" or why it
    never ends (an open quote, `for` without `done`, a heredoc never closed).

    The one shell parser (`cockpit.shell.parse`) reads a window of lines from `start` that grows
    fourfold while the first command in it is incomplete, so a one-line command costs one line
    and a long construct a few times its length, whatever follows it (printed output included).
    """
    size = 1
    total = len(lines)
    while True:
        end = min(total, start + size)
        script = parse("\n".join(lines[start:end]))
        statements = script.statements
        if statements and (len(statements) > 1 or not script.incomplete):
            last = start + statements[0].end_line - 1
            if not _ends_with_backslash(lines[last]) or last + 1 >= total:
                return last, ""
        if end >= total:
            why = script.incomplete or ("the line ends with a backslash" if statements else "")
            return total - 1, why
        size *= 4


def _join(lines: list[str]) -> str:
    """A command's lines as one text: backslash continuations joined with a space, the lines of
    a construct (`for … done`, a heredoc) kept on their own lines."""
    text = ""
    after_backslash = False
    for line in lines:
        ends = _ends_with_backslash(line)
        piece = line.rstrip()[:-1].rstrip() if ends else line.rstrip()
        if not text:
            text = piece.strip()
        elif after_backslash:
            text += " " + piece.strip()
        else:
            text += "\n" + piece
        after_backslash = ends
    return text


def _ends_with_backslash(line: str) -> bool:
    stripped = line.rstrip(" \t")
    return (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1


def _parse_watch(cmd: str) -> tuple[str, float] | None:
    """`watch [-n N] [-d] CMD` -> (CMD, N); None when `cmd` is not a watch."""
    words = literal_words(cmd)
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
        if not math.isfinite(interval) or interval <= 0:
            return None  # "-n 1e400", "-n nan", "-n 0": not a usable interval, a plain command
    rest = words[i:]
    if not rest:
        return None
    inner = rest[0]
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
    if "\n" not in cmd and cmd.endswith("&"):
        statements = parse(cmd).statements
        if len(statements) == 1 and statements[0].background:
            background = True
            cmd = statements[0].text.rstrip()[:-1].rstrip()
    command = Command(cmd=cmd, line=line, description=description, background=background, inline=inline)
    watched = _parse_watch(cmd) if cmd.startswith("watch") and "\n" not in cmd else None
    if watched is not None:
        command.cmd, command.watch_interval = watched
        command.watch = True
    return command


# -- is a line a command or output? ------------------------------------------------------------
# Decided by the line's first word and shape, never by the words of one document.

_STATUS = """
    running pending completed succeeded failed error crashloopbackoff imagepullbackoff errimagepull
    containercreating podinitializing terminating evicted oomkilled unknown ready notready
    schedulingdisabled bound available released active healthy degraded progressing synced outofsync
    missing suspended true false init:0/1 init:error init:crashloopbackoff
"""
_STATUS_WORDS = frozenset(_STATUS.split())
_CELL_RE = re.compile(
    r"^(?:\d+/\d+"  # READY 1/1
    r"|\d+(?:\.\d+)?(?:ms|s|m|h|d|y)(?:\d+[smhd])*"  # AGE 3h, 5d12h, 45s
    r"|<none>|<unknown>|<invalid>|<pending>"
    r"|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/\w+)?"  # IP, IP:port/TCP
    r"|\d+(?:\.\d+)?%"  # 42%
    r"|\d+(?:\.\d+)?(?:[KMGTP]i?|[KMGT]B|m)"  # 128Mi, 250m
    r"|v\d+\.\d+[\w.+-]*"  # v1.29.3
    r"|\(\d+[smhd] ago\)"
    r")$",
    re.I,
)
_KEY_VALUE_RE = re.compile(r"""^(?:"[^"]*"|'[^']*'|[\w.\-/]+):(?:\s|$)""")
_LS_ROW_RE = re.compile(r"^[-dlcbps][rwxsStT-]{9}[.+@]?$")
_ASSIGN_WORD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_PROGRAM_SHAPE_RE = re.compile(r"^[a-z_][a-z0-9_.+-]*$")
_PATH_RE = re.compile(r"^(?:\./|\.\./|~/|/)[^\s]*$|^[\w.-]+(?:/[\w.-]+)*\.(?:sh|bash|py|pl|rb)$")


def _words(line: str) -> list[str]:
    return line.split(None, 64)


def output_shape(line: str) -> str | None:
    """Why `line` reads as printed output or data rather than a command, or None.

    Table headers (`NAME READY STATUS`), table rows (`web-5c7d9-x2k4q 0/1 CrashLoopBackOff 12 3h`),
    `key: value` (YAML, `error: ...`), JSON, timestamps and cron schedules (a first word starting
    with a digit, `*` or `@`), `ls -l` rows, `resource/name verb` (`deployment.apps/web restarted`),
    logfmt (`level=info msg=...`), set -x traces (`+ cmd`) and YAML list items (`- name: x`).
    """
    stripped = line.strip()
    words = stripped.split(None, 16)[:16]  # a table has few columns: the shape is in its head
    if not words:
        return None
    first = words[0]
    head = stripped[0]
    if head in "{}]\"'" or (head == "[" and not stripped.startswith(("[ ", "[[ "))):
        return "json or bracketed log"
    if head == "|" or re.fullmatch(r"\+[-+=]+\+?", stripped):
        return "ascii table"
    if head.isdigit() or head in "*@+<":
        return "timestamp, number, cron schedule or trace"
    if head == "-" and (len(words) == 1 or not first.startswith("--")):
        return "list item"
    if (_KEY_VALUE_RE.match(stripped) or ":" in first) and not _ASSIGN_WORD_RE.match(first):
        return "key: value"  # no program's name has a colon: `error: ...`, `redis_version:7.0.5`
    if re.fullmatch(r"[A-Z][A-Z0-9_()%-]+", first) and (
        len(words) == 1 or re.fullmatch(r"[A-Z][A-Z0-9_()%/-]*", words[1])
    ):
        return "table header"
    if _LS_ROW_RE.match(first):
        return "ls -l row"
    if re.fullmatch(r"[\w.-]+/[\w.:-]+", first) and not _PATH_RE.match(first):
        return "resource/name"
    keys = [w.split("=", 1)[0] for w in words if re.match(r"^[\w.]+=", w)]
    if len(keys) >= 2 and {"level", "lvl", "msg", "ts", "time", "caller", "logger"} & set(keys):
        return "logfmt"
    plain = not any(c in stripped for c in "|><;&$=`")
    if plain and len(words) >= 3 and not any(w.startswith("-") for w in words[1:]):
        cells = sum(1 for w in words[1:] if _CELL_RE.match(w) or w.lower() in _STATUS_WORDS)
        known = first in KNOWN_TOOLS
        if cells >= (2 if known else 1) and re.fullmatch(r"[\w.:-]+", first):
            return "table row"
    known = first in KNOWN_TOOLS
    if plain and not known and len(words) >= 2 and re.search(r"\S {2,}\S", stripped):
        return "aligned columns"
    if not known and stripped.count(" | ") >= 2:
        return "ascii table"  # psql output: ` name | setting | short_desc`
    if not known and stripped.endswith(":") and not any(w.startswith("-") for w in words):
        return "a line that introduces more"  # `goroutine 1 [running]:`, `Events:`
    if len(words) == 3 and not known and re.fullmatch(r'"[^"]*"', words[1]):
        return "kubectl result"  # pod "web-1" deleted
    return None


def _command_word(line: str) -> str | None:
    """The word in command position: after `sudo`, `VAR=x` prefixes, `!`, `time`, `(`/`{`."""
    words = _words(line)
    i = 0
    while i < len(words):
        w = words[i]
        if w in {"sudo", "time", "exec", "nohup", "command", "!", "(", "{", "env", "nice", "builtin"}:
            i += 1
            continue
        if w.startswith("-") and i > 0 and words[i - 1] in {"sudo", "env", "nice", "time"}:
            i += 1
            continue
        if _ASSIGN_WORD_RE.match(w):
            if any(q in w for q in "\"'`") or "$(" in w:
                # `TS="$(date +%F)" && kubectl ...`: the value has spaces; ask the shell parser
                found = first_program(line)
                return found[0] if found is not None else w
            if i == len(words) - 1:
                return w  # only assignments: `NS=payments` sets a variable
            i += 1
            continue
        return w.lstrip("({")
    return None


def starts_command(line: str, *, lenient: bool = True) -> bool:
    """Does `line` start like a command: a program name, a path, an assignment, a shell keyword or
    builtin? Output shapes (`output_shape`) never do. `lenient` (inside a block labelled as shell)
    also accepts a program name this module does not know (`patronictl list`), when it has
    arguments; a bare unknown word (`ok`, `default`) is output."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return False
    word = _command_word(stripped)
    if word is None:
        return False
    if output_shape(stripped) is not None:
        return False
    if _ASSIGN_WORD_RE.match(word):
        return True
    if word in KNOWN_TOOLS:
        return True
    if re.match(r"^[\w.-]+\s*\(\)\s*[{(]", stripped):
        return True  # a function definition: name() {
    if _PATH_RE.match(word):
        return True
    if not lenient or not _PROGRAM_SHAPE_RE.match(word):
        return False
    return len(_words(stripped)) > 1


def _is_console(code: str) -> bool:
    lines = [ln for ln in code.splitlines() if ln.strip()]
    return bool(lines) and any(_PROMPT_RE.match(ln) for ln in lines)


def _is_root_transcript(code: str) -> bool:
    """A block whose only commands follow a root `# ` prompt and print output:
    `# systemctl status kubelet` then its output. Nothing in it runs without the `#`."""
    prompted = printed = False
    for raw in code.splitlines():
        stripped = raw.strip()
        if not stripped:
            continue
        match = _ROOT_PROMPT_RE.match(raw)
        if match is not None:
            rest = raw[match.end() :]
            if starts_command(rest, lenient=False) and len(_words(rest)) > 1:
                prompted = True
            continue
        if starts_command(stripped):
            return False
        printed = True
    # Commented-out commands with nothing printed are comments, not a transcript.
    return prompted and printed


def split_shell(code: str, first_line: int, language: str = "bash") -> ShellBlock:
    """Commands of a shell block whose first line is `first_line` (1-based) in the plan.

    With prompts (`$ `, `PS> `, `(venv) $ `, `# ` as root) only prompt lines are commands; without,
    every line (or construct) that starts like a command is one. Lines that do not (a table a
    command printed, pasted YAML, a log line) are the preceding command's `output` example, or the
    block's when no command precedes them.
    """
    console = language.lower() in CONSOLE_LANGUAGES
    if _is_console(code) or (console and _has_root_prompt(code)) or _is_root_transcript(code):
        # In a transcript, `# kubectl get pods` is the root prompt (after `sudo -i`), while
        # `# check the pods` stays a comment: only a known program after `# ` is a command.
        return _split_console(code, first_line, root=True)
    block = ShellBlock()
    defined = {a or b for a, b in _FUNCTION_RE.findall(code)}
    printing = False  # the last line read was printed output  # functions the block defines are programs too
    comments: list[tuple[int, str]] = []
    after: Command | None = None  # the command the comment lines being read directly follow
    last: Command | None = None  # the command printed output lines belong to
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
        # An indented line right under printed output continues it (a stack trace's frames).
        follows_output = printing and raw[:1] in " \t"
        if follows_output or (not starts_command(stripped) and _command_word(stripped) not in defined):
            _add_output(block, last, first_line + i, raw)
            printing = True
            i += 1
            continue
        printing = False
        start = i
        end, why = _extent(lines, i)
        if why:
            block.problems.append((first_line + start, f"{why} (read to the end of the block)"))
        text = _join(lines[start : end + 1])
        i = end + 1
        after = last = make_command(text, first_line + start, _description(comments))
        block.commands.append(after)
        comments = []
    _keep_comments(block, after, comments)
    return block


_FUNCTION_RE = re.compile(r"^\s*(?:function\s+([A-Za-z_][\w-]*)|([A-Za-z_][\w-]*)\s*\(\s*\))", re.M)


def _add_output(block: ShellBlock, command: Command | None, line: int, text: str) -> None:
    """A printed line: the example output of the command above it, else of the block."""
    if command is not None:
        command.output = f"{command.output}\n{text}" if command.output else text
    else:
        block.output.append((line, text))


def _has_root_prompt(code: str) -> bool:
    for raw in code.splitlines():
        match = _ROOT_PROMPT_RE.match(raw)
        if match is not None and starts_command(raw[match.end() :], lenient=False):
            return True
    return False


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


def _prompt(raw: str, root: bool) -> re.Match[str] | None:
    match = _PROMPT_RE.match(raw)
    if match is None and root:
        match = _ROOT_PROMPT_RE.match(raw)
        if match is not None and not starts_command(raw[match.end() :], lenient=False):
            return None
    return match


def _split_console(code: str, first_line: int, *, root: bool = False) -> ShellBlock:
    """A terminal transcript: lines after a prompt are commands, the rest is what they printed
    (kept as each command's `output`). `root`: `# ` followed by a command is a root prompt."""
    block = ShellBlock()
    lines = code.split("\n")
    # What the shell reads when a prompt line continues: the lines without the `> ` prompt.
    typed = [re.sub(r"^\s*>\s?", "", ln) for ln in lines]
    comments: list[tuple[int, str]] = []
    last: Command | None = None
    i = 0
    while i < len(lines):
        raw = lines[i]
        match = _prompt(raw, root)
        if match is None:
            if raw.strip().startswith("#"):
                text = raw.strip().lstrip("#").strip()
                if text:
                    comments.append((first_line + i, text))
            elif raw.strip():
                _add_output(block, last, first_line + i, raw)
            i += 1
            continue
        start = i
        typed[i] = raw[match.end() :]
        end, _why = _extent(typed, i)
        joined = _join(typed[i : end + 1])
        i = end + 1
        last = make_command(joined, first_line + start, _description(comments))
        block.commands.append(last)
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


def _names_a_thing(words: list[str]) -> bool:
    """Inline code that is prose naming a thing with a builtin's word: `read replica`,
    `test suite`, `set up` (a builtin or reader followed by plain lowercase words only)."""
    return kind_of(words[0]) in {READ, BUILTIN_CODE} and all(re.fullmatch(r"[a-z]+", w) for w in words[1:])


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
    if _ASSIGN_WORD_RE.match(text.strip()) and word != _command_word(text):
        word = _command_word(text) or word  # an assignment whose value holds spaces
    if need_arguments and not args:
        return False
    if need_arguments and _names_a_thing([word, *args]):
        return False
    if word in KNOWN_TOOLS:
        return True
    if re.fullmatch(r"(?:\./|~/|\.\./)[\w./-]+", word):
        return True
    if re.fullmatch(r"/(?:usr/)?(?:local/)?s?bin/[\w.-]+", word):
        return True
    return bool(re.fullmatch(r"[\w.-]+\.(?:sh|bash|py)", word)) and bool(args)


@lru_cache(maxsize=1024)
def _plausible(line: str) -> bool:
    """A line outside a shell-labelled block that is still a command: it starts like one by the
    strict rule, or a program-shaped word is followed by an option (`gitlab-psql -qtc ...`) or a
    pipe or redirection."""
    if starts_command(line, lenient=False):
        return True
    if not starts_command(line, lenient=True):
        return False
    return bool(re.search(r"\s-{1,2}[A-Za-z]|\s[|>]\s", line))


def looks_like_shell(code: str) -> bool:
    """An unlabelled block is shell when it opens with a command (a known tool, a path, an
    assignment, a prompt) and most of its other lines that are not printed output do too."""
    if _is_console(code):
        return True
    starts: list[str] = []
    continued = False
    head = code.splitlines()[:400]
    # The block's own indentation (an indented block under a list item keeps some) is no body.
    margin = min((len(ln) - len(ln.lstrip()) for ln in head if ln.strip()), default=0)
    quote = ""  # a quote left open by a line
    for raw in (ln[margin:] for ln in head):
        stripped = raw.strip()
        if quote:
            quote = "" if quote in raw.replace("\\" + quote, "") else quote
            continue
        if not stripped or stripped.startswith("#"):
            continued = False
            continue
        # Continuation lines, the indented body of a construct and the lines of a quoted string
        # are not starts. (A cheap reading: the block is only being sniffed; splitting it uses
        # the shell parser.)
        if not continued and raw[:1] not in " \t":
            starts.append(stripped)
            if len(starts) >= 40:  # enough to judge
                break
        continued = _ends_with_backslash(raw) or stripped.endswith(("|", "&&", "||"))
        for mark in "\"'":
            if raw.replace("\\" + mark, "").count(mark) % 2:
                quote = mark
                break
    if not starts:
        return False
    good = [is_shell_command(s, need_arguments=False) or _plausible(s) for s in starts]
    if not good[0]:
        return False
    # Output a command printed (a table, YAML, a log line) does not count against the block.
    judged = [g for g, s in zip(good, starts, strict=True) if g or output_shape(s) is None]
    return sum(judged) * 5 >= len(judged) * 4


_RUN_LEAD_RE = re.compile(r"(?:\b(?:run|running|execute|executing|type|enter)\b|:)\s*$", re.I)


def inline_command(
    code: str, line: int, description: str | None = None, *, lead: str = "", alone: bool = False
) -> Command | None:
    """A Command for inline code in prose when it is one, else None.

    A known program, a path or shell syntax is a command wherever it stands. A program this
    module does not know (`gitlab-patronictl list`) is one when it has arguments and the prose
    right before the code asks to run it (`lead` ends with "run", "execute" or a colon) or the
    code stands `alone` on its line, set apart to be copied.
    """
    if "\n" in code:
        return None
    if is_shell_command(code):
        return make_command(code, line, description, inline=True)
    words = code.split()
    if (
        len(words) > 1
        and (_RUN_LEAD_RE.search(lead[-40:]) or alone)  # the words right before the code
        and not _names_a_thing(words)
        and starts_command(code)
        and not _PROMPT_RE.match(code)
        and "." not in (_command_word(code) or ".")
    ):
        return make_command(code, line, description, inline=True)
    return None
