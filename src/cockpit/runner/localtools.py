"""Local programs the program table calls read-only, and the options that make them write.

`sort -o FILE`, `tee FILE`, `sed -i`, a sed `w`/`e` command, `find -exec`/`-delete`, awk's
`system()`, `print > "file"` and pipes, `date -s`, `tar x`… turn a reading program into one
that changes files or runs commands. `LOCAL[name](prog, args)` says which; a program without a
rule here is read-only whatever its arguments (cat, grep, jq, wc, head…).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cockpit.runner.clitools import (
    SINKS,
    Verdict,
    _names,
    change,
    could_be_option,
    dynamic_option,
    expands,
    has_flag,
    read,
    split_args,
    values,
)
from cockpit.shell import Word

Rule = Callable[[str, list[Word]], Verdict]


def _writes_with(*options: str) -> Rule:
    """Read-only unless one of `options` (a flag that writes or runs something) is given."""

    def check(prog: str, args: list[Word]) -> Verdict:
        loose = dynamic_option(args)
        if loose is not None:
            return expands(prog, loose)
        flags, _ = split_args(args)
        found = has_flag(flags, *options)
        if found:
            return change(f"{prog} {found}", f"{prog} {found} writes files or runs a program")
        return read(prog)

    return check


def _tee(prog: str, args: list[Word]) -> Verdict:
    _flags, positional = split_args(args)
    for word in positional:
        if word.value is None:
            return expands(prog, word)
        if word.value not in SINKS:
            return change(prog, f"{prog} writes the file {word.value}")
    return read(prog)


def _positional_limit(limit: int, why: str) -> Rule:
    """`uniq IN OUT`, `xxd IN OUT`: a positional word past `limit` is a file it writes."""

    def check(prog: str, args: list[Word]) -> Verdict:
        loose = dynamic_option(args)
        if loose is not None:
            return expands(prog, loose)
        _flags, positional = split_args(args)
        if len(positional) > limit:
            return change(prog, f"{prog} {why}")
        return read(prog)

    return check


def _no_positional(why: str, allowed: tuple[str, ...] = ()) -> Rule:
    """`hostname NAME`, `stty sane`: any argument beyond `allowed` flags changes something."""

    def check(prog: str, args: list[Word]) -> Verdict:
        if all(w.value is not None and (w.value in allowed or w.value.startswith("--help")) for w in args):
            return read(prog)
        return change(prog, f"{prog} {why}")

    return check


def _date(prog: str, args: list[Word]) -> Verdict:
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    flags, positional = split_args(args)
    if has_flag(flags, "-s", "--set") or any((p.value or "").isdigit() for p in positional):
        return change(prog, f"{prog} sets the clock")
    return read(prog)


def _tar(prog: str, args: list[Word]) -> Verdict:
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    words = values(args)
    runs = (
        "--to-command",
        "--use-compress-program",
        "-I",
        "--checkpoint-action",
        "--info-script",
        "--new-volume-script",
        "-F",
        "--rsh-command",
        "--rmt-command",
    )
    if any(w.split("=", 1)[0] in runs for w in words):
        return change(prog, f"{prog} runs a program it is given")
    mode = words[0].lstrip("-") if words and not words[0].startswith("--") else ""
    listing = (
        "--list" in words
        or (mode.isalpha() and "t" in mode and not set(mode) & set("cxruAd"))
        or any(re.fullmatch(r"-[a-zA-Z]*t[a-zA-Z]*", w) and not set(w) & set("cxruAd") for w in words[:1])
    )
    if listing and not any(
        w in ("--extract", "--create", "--append", "--update", "--delete", "-x", "-c") for w in words
    ):
        return read(f"{prog} list")
    return change(prog, f"{prog} writes files")


def _gzip(prog: str, args: list[Word]) -> Verdict:
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    flags, positional = split_args(args)
    if not positional or has_flag(flags, "-c", "--stdout", "-l", "--list", "-t", "--test"):
        return read(prog)
    return change(prog, f"{prog} replaces the files it is given")


def _unzip(prog: str, args: list[Word]) -> Verdict:
    flags, _ = split_args(args)
    if has_flag(flags, "-l", "-t", "-p", "-v", "-Z", "-z"):
        return read(prog)
    return change(prog, f"{prog} writes the files it extracts")


def _find(prog: str, args: list[Word]) -> Verdict:
    writes = ("-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls")
    for word in args:
        if word.value is None and could_be_option(word):
            return expands(prog, word)
        if word.value in writes:
            return change(
                f"{prog} {word.value}", f"{prog} {word.value} runs a command or deletes/writes files"
            )
    return read(prog)


def _rg(prog: str, args: list[Word]) -> Verdict:
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    flags, _ = split_args(args)
    if has_flag(flags, "--pre", "--pager"):
        return change(prog, f"{prog} --pre runs a program")
    return read(prog)


def _printf(prog: str, args: list[Word]) -> Verdict:
    first = args[0] if args else None
    if first is not None and (
        (first.value is None and could_be_option(first)) or (first.value or "").startswith("-v")
    ):
        return change(prog, f"{prog} -v assigns a variable, which can run code through a subscript")
    return read(prog)


def _builtin_names(prog: str, args: list[Word]) -> Verdict:
    """`export`, `unset`, `read`: the names they set must be plain, and not ones that change what
    programs run (PATH, LD_PRELOAD, BASH_ENV…)."""
    terminal = ""
    skip = False
    for word in args:
        value = word.value
        if skip:
            skip = False
            continue
        if prog == "read" and value in ("-p", "-d", "-i", "-n", "-N", "-t", "-u"):
            skip = True
            terminal = "read -p prompts for input" if value == "-p" else terminal
            continue
        if value is None:
            name = word.prefix.split("=", 1)[0] if "=" in word.prefix else ""
            if not name or not word.single:
                return expands(prog, word)
        elif value.startswith("-"):
            if prog == "export" and "f" in value[1:]:
                return change(prog, f"{prog} -f exports a function; treated as changing")
            if prog == "read" and "p" in value[1:]:
                terminal = "read -p prompts for input"
            continue
        else:
            name = value.split("=", 1)[0].removesuffix("+")
        if not name.isidentifier() and prog != "read":
            return change(prog, f"{prog} {name}: a subscript is evaluated as arithmetic, which can run code")
        if dangerous_variable(name):
            return change(prog, f"{prog} {name} changes what programs run or how; treated as changing")
    return read(prog, terminal)


def _test(prog: str, args: list[Word]) -> Verdict:
    if any(w.value in ("-v", "-R") for w in args):
        return change(prog, f"{prog} -v evaluates a subscript, which can run code")
    return read(prog)


def _history(prog: str, args: list[Word]) -> Verdict:
    if all(w.value is not None and w.value.isdigit() for w in args):
        return read(prog)
    return change(prog, f"{prog} with options changes the shell history")


def _ip(prog: str, args: list[Word]) -> Verdict:
    _flags, positional = split_args(args, frozenset({"-n", "-netns", "-b", "-batch", "-f", "-family"}))
    if any(w.value is None for w in args):
        return expands(prog, next(w for w in args if w.value is None))
    if any(w.value in ("-b", "-batch", "-force") for w in args):
        return change(prog, f"{prog} -batch runs commands from a file")
    words = [p.value for p in positional]
    if len(words) < 2 or words[1] in ("show", "list", "ls", "lst", "get", "sh", "s", "l", "help"):
        return read(f"{prog} {' '.join(str(w) for w in words[:1])}".strip())
    return change(f"{prog} {words[0]} {words[1]}", f"{prog} {words[0]} {words[1]} changes the network setup")


def _iptables(prog: str, args: list[Word]) -> Verdict:
    words = values(args)
    lists = any(w in ("--list", "--list-rules") or re.fullmatch(r"-[a-zA-Z]*[LS][a-zA-Z]*", w) for w in words)
    writes = any(
        w
        in (
            "--append",
            "--delete",
            "--insert",
            "--replace",
            "--new-chain",
            "--delete-chain",
            "--policy",
            "--flush",
            "--zero",
            "--rename-chain",
        )
        or re.fullmatch(r"-[a-zA-Z]*[ADIRNXPFZE][a-zA-Z]*", w)
        for w in words
    )
    if lists and not writes and all(w.value is not None for w in args):
        return read(prog)
    return change(prog, f"{prog} changes the firewall")


def _nft(prog: str, args: list[Word]) -> Verdict:
    _flags, positional = split_args(args)
    if positional and positional[0].value == "list":
        return read(f"{prog} list")
    return change(prog, f"{prog} changes the firewall")


def _systemctl(prog: str, args: list[Word]) -> Verdict:
    _flags, positional = split_args(args)
    verb = positional[0].value if positional else "list-units"
    reads = (
        "status",
        "show",
        "cat",
        "list-units",
        "list-unit-files",
        "list-timers",
        "list-sockets",
        "list-jobs",
        "list-dependencies",
        "is-active",
        "is-enabled",
        "is-failed",
        "is-system-running",
        "get-default",
        "show-environment",
        "help",
    )
    if verb in reads:
        return read(f"{prog} {verb}")
    return change(f"{prog} {verb}")


def _service(prog: str, args: list[Word]) -> Verdict:
    words = values(args)
    if words in (["--status-all"], ["--help"]) or (len(words) == 2 and words[1] == "status"):
        return read(f"{prog} status")
    return change(prog)


def _dmesg(prog: str, args: list[Word]) -> Verdict:
    flags, _ = split_args(args)
    if has_flag(
        flags,
        "-c",
        "-C",
        "-D",
        "-E",
        "-n",
        "--clear",
        "--read-clear",
        "--console-off",
        "--console-on",
        "--console-level",
    ):
        return change(prog, f"{prog} clears or configures the kernel log")
    return read(prog)


def _journalctl(prog: str, args: list[Word]) -> Verdict:
    words = values(args)
    writes = (
        "--vacuum",
        "--rotate",
        "--flush",
        "--sync",
        "--relinquish",
        "--smart-relinquish",
        "--setup-keys",
        "--update-catalog",
    )
    if any(w.startswith(writes) for w in words):
        return change(prog, f"{prog} changes the journal")
    return read(prog)


def _yq(prog: str, args: list[Word]) -> Verdict:
    loose = dynamic_option(args)
    if loose is not None:
        return expands(prog, loose)
    flags, _ = split_args(args)
    if has_flag(flags, "-i", "--inplace", "--in-place"):
        return change(f"{prog} -i", f"{prog} -i rewrites the file")
    return read(prog)


# --- sed ---------------------------------------------------------------------------------------

_SED_SIMPLE = set("pdDnNgGhHxlPqQz=F{}")


def sed_script_risk(script: str) -> str:
    """Why a sed script writes or runs something (`w`, `W`, `e`, `s///w`, `s///e`), or a command
    this reader does not know; "" when it only edits the stream."""
    i, n = 0, len(script)

    def delimited(start: int, delim: str) -> int:
        j = start
        while j < n:
            if script[j] == "\\":
                j += 2
                continue
            if script[j] == delim:
                return j
            if script[j] == "\n" and delim != "\n":
                return -1
            j += 1
        return -1

    def address(j: int) -> int:
        if j < n and script[j] == "/":
            end = delimited(j + 1, "/")
            return -1 if end < 0 else _skip(script, end + 1, "IM")
        if j + 1 < n and script[j] == "\\":
            end = delimited(j + 2, script[j + 1])
            return -1 if end < 0 else _skip(script, end + 1, "IM")
        return _skip(script, j, "0123456789$~+")

    while i < n:
        i = _skip(script, i, " \t\n;")
        if i >= n:
            break
        i = address(i)
        if i < 0:
            return "a sed address the cockpit cannot read"
        if i < n and script[i] == ",":
            i = address(i + 1)
            if i < 0:
                return "a sed address the cockpit cannot read"
        i = _skip(script, i, " \t!")
        if i >= n:
            break
        c = script[i]
        if c in _SED_SIMPLE:
            i = _skip(script, i + 1, "0123456789 ")
            continue
        if c in "bt:TvrRaic#":
            end = script.find("\n", i)
            if c in "bt:Tv":
                semi = script.find(";", i)
                end = semi if semi >= 0 and (end < 0 or semi < end) else end
            if c in "aic" and end > 0 and script[end - 1] == "\\":
                end = script.find("\n", end + 1)
            i = n if end < 0 else end + 1
            continue
        if c in "wW":
            return f"the sed command {c} writes a file"
        if c == "e":
            return "the sed command e runs a shell command"
        if c in "sy":
            if i + 1 >= n:
                return "an unfinished sed command"
            delim = script[i + 1]
            middle = delimited(i + 2, delim)
            end = delimited(middle + 1, delim) if middle >= 0 else -1
            if end < 0:
                return "an unfinished sed command"
            flags_end = _skip(script, end + 1, "gpiImM0123456789ew")
            flags = script[end + 1 : flags_end]
            if c == "s" and "w" in flags:
                return "the sed s///w flag writes a file"
            if c == "s" and "e" in flags:
                return "the sed s///e flag runs the result as a command"
            i = flags_end
            continue
        return f"the sed command {c!r} is not one the cockpit knows"
    return ""


def _skip(text: str, i: int, chars: str) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _sed(prog: str, args: list[Word]) -> Verdict:
    scripts: list[str] = []
    positional: list[Word] = []
    i = 0
    while i < len(args):
        word = args[i]
        value = word.value
        if value is None:
            if could_be_option(word):
                return expands(prog, word)
            positional.append(word)
            i += 1
            continue
        if value == "--":
            positional.extend(args[i + 1 :])
            break
        if value.startswith("--"):
            name, eq, attached = value.partition("=")
            if name == "--in-place":
                return change(f"{prog} -i", f"{prog} {name} edits files in place")
            if name in ("--file",):
                return change(prog, f"{prog} {name} runs a script from a file; treated as changing")
            if name == "--expression":
                script = attached if eq else (args[i + 1].value if i + 1 < len(args) else "")
                if script is None:
                    return expands(prog, args[i + 1])
                scripts.append(script)
                i += 1 if eq else 2
                continue
            i += 2 if name == "--line-length" and not eq else 1
            continue
        if value.startswith("-") and value != "-":
            letters = value[1:]
            for k, letter in enumerate(letters):
                if letter == "i":
                    return change(f"{prog} -i", f"{prog} -i edits files in place")
                if letter == "f":
                    return change(prog, f"{prog} -f runs a script from a file; treated as changing")
                if letter in "el":
                    rest = letters[k + 1 :]
                    if letter == "e":
                        script = rest or (args[i + 1].value if i + 1 < len(args) else "")
                        if script is None:
                            return expands(prog, args[i + 1])
                        scripts.append(script)
                    i += 0 if rest else 1
                    break
            i += 1
            continue
        positional.append(word)
        i += 1
    if not scripts:
        if not positional:
            return read(prog)
        first = positional.pop(0)
        if first.value is None:
            return expands(prog, first)
        scripts.append(first.value)
    for script in scripts:
        why = sed_script_risk(script)
        if why:
            return change(prog, f"{prog}: {why}")
    return read(prog)


# --- awk ---------------------------------------------------------------------------------------

_AWK_OPERAND_AFTER = set("(,{;!~&|=+-*/%^?:<>[\n")
_AWK_KEYWORDS = {"print", "printf", "return", "in", "case", "do", "else", "getline"}


def awk_program_risk(program: str) -> str:
    """Why an awk program runs a command or writes a file (`system()`, a pipe, `print > f`,
    gawk's `@` calls), or "" when it only reads and prints."""
    i, n = 0, len(program)
    operand = True  # where a `/` starts a regex rather than a division
    print_depth = -1  # paren depth at which a print/printf statement started, -1 outside one
    depth = 0
    while i < n:
        c = program[i]
        if c == '"':
            i += 1
            while i < n and program[i] != '"':
                i += 2 if program[i] == "\\" else 1
            i += 1
            operand = False
            continue
        if c == "#":
            end = program.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "/" and operand:
            i += 1
            while i < n and program[i] != "/":
                if program[i] == "\\":
                    i += 1
                elif program[i] == "[":
                    close = program.find("]", i + 2)
                    i = close if close > 0 else i
                i += 1
            i += 1
            operand = False
            continue
        if c.isalpha() or c == "_":
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", program[i:])
            assert match is not None
            word = match.group(0)
            if word == "system":
                return "awk system() runs a command"
            if word in ("print", "printf"):
                print_depth = depth
            operand = word in _AWK_KEYWORDS
            i += len(word)
            continue
        if c == "|":
            if program.startswith("||", i):
                i += 2
                operand = True
                continue
            return "awk pipes to or from a command"
        if c == "@":
            return "gawk @ calls or @load can run anything"
        if c == ">" and print_depth == depth and print_depth >= 0:
            return "awk print > writes a file"
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c in ";\n{}":
            print_depth = -1
        operand = c in _AWK_OPERAND_AFTER
        i += 1
    return ""


def _awk(prog: str, args: list[Word]) -> Verdict:
    program: str | None = None
    sources: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        value = word.value
        if value is None:
            if program is None and not sources:
                return expands(prog, word)
            if could_be_option(word):
                return expands(prog, word)
            i += 1
            continue
        if program is not None or sources:
            i += 1
            continue
        if value == "--":
            i += 1
            if i < len(args):
                if args[i].value is None:
                    return expands(prog, args[i])
                program = args[i].value
            i += 1
            continue
        if value.startswith("-") and value != "-":
            name = value[:2] if not value.startswith("--") else value.split("=", 1)[0]
            if name in ("-f", "--file", "-E", "--exec", "-l", "--load", "-i", "--include"):
                return change(prog, f"{prog} {name} runs a program file or extension; treated as changing")
            if name in ("-e", "--source"):
                attached = value[2:] if name == "-e" else value.partition("=")[2]
                text = attached or (args[i + 1].value if i + 1 < len(args) else "")
                if text is None:
                    return expands(prog, args[i + 1])
                sources.append(text)
                i += 1 if attached else 2
                continue
            if name in ("-F", "-v", "--field-separator", "--assign") and len(value) == len(name):
                i += 2
                continue
            i += 1
            continue
        program = value
        i += 1
    for text in [*sources, *([program] if program is not None else [])]:
        why = awk_program_risk(text)
        if why:
            return change(prog, why)
    return read(prog)


LOCAL: dict[str, Rule] = {
    "sort": _writes_with("-o", "--output", "--compress-program"),
    "shuf": _writes_with("-o", "--output"),
    "tree": _writes_with("-o"),
    "ack": _writes_with("--pager", "--output"),
    "tcpdump": _writes_with("-w", "-z"),
    "tee": _tee,
    "uniq": _positional_limit(1, "writes its second file argument"),
    "xxd": _positional_limit(1, "writes its second file argument"),
    "hostname": _no_positional(
        "sets the host name", ("-f", "-s", "-i", "-I", "-d", "-A", "--fqdn", "--short")
    ),
    "stty": _no_positional("changes the terminal settings", ("-a", "-g", "--all", "--save", "size")),
    "ifconfig": _no_positional("changes the network setup", ("-a", "-s")),
    "route": _no_positional("changes the routing table", ("-n", "-e", "-ee")),
    "arp": _no_positional("changes the ARP table", ("-a", "-n", "-an", "-e")),
    "date": _date,
    "tar": _tar,
    "gzip": _gzip,
    "gunzip": _gzip,
    "unzip": _unzip,
    "find": _find,
    "rg": _rg,
    "printf": _printf,
    "export": _builtin_names,
    "unset": _builtin_names,
    "read": _builtin_names,
    "test": _test,
    "[": _test,
    "history": _history,
    "ip": _ip,
    "iptables": _iptables,
    "ip6tables": _iptables,
    "nft": _nft,
    "systemctl": _systemctl,
    "service": _service,
    "dmesg": _dmesg,
    "journalctl": _journalctl,
    "yq": _yq,
    "sed": _sed,
    "awk": _awk,
    "gawk": _awk,
    "mawk": _awk,
    "nawk": _awk,
}

# Variables that change which program a name runs, or make a program run code it is handed.
_DANGEROUS = _names(
    """PATH IFS ENV BASH_ENV SHELLOPTS BASHOPTS CDPATH GLOBIGNORE PS1 PS2 PS3 PS4 PROMPT_COMMAND
    KUBECTL_EXTERNAL_DIFF KUBE_EDITOR EDITOR VISUAL PAGER MANPAGER BROWSER SSH_ASKPASS SUDO_ASKPASS
    HELM_PLUGINS HELM_POST_RENDERER KUBECTL_PLUGINS_PATH JAVA_TOOL_OPTIONS _JAVA_OPTIONS XDG_CONFIG_HOME
    ZDOTDIR INPUTRC TMPDIR EXECIGNORE HOSTALIASES"""
)
_DANGEROUS_PREFIXES = tuple(_names("LD_ DYLD_ BASH_FUNC_ GIT_ PYTHON PERL RUBY NODE_ LESS GCONV"))


def dangerous_variable(name: str) -> bool:
    """Does setting `name` change what programs run or make them run code (PATH, LD_PRELOAD,
    BASH_ENV, KUBECTL_EXTERNAL_DIFF, BASH_FUNC_x%%…)?"""
    return name in _DANGEROUS or name.startswith(_DANGEROUS_PREFIXES) or not name.isidentifier()
