"""Does a command change the cluster (or anything else), and does it need the real terminal?

`classify(cmd) -> Safety` reads the command line with the one shell tokenizer
(`cockpit.shell.parse`: the same quoting, substitutions, heredocs and compound commands bash
reads), looks every simple command up in the one program table (`cockpit.shell.programs`), and
reports the first one that changes something. It fails closed: whatever it cannot prove
read-only counts as changing. In particular:

- anything it cannot read with certainty: an unclosed quote or compound, a shell function, an
  expansion that can run code by itself (arithmetic on variables, `${a[…]}`, `${!x}`, `${x@P}`),
  a program name or verb that expands (`$TOOL get`, `kubectl $VERB`), a word that expands where
  it could become an option (`kubectl delete pod x --dry-run=client $MORE`);
- redirections into a file other than /dev/null (`> out.txt`, `>> log`, `<>`), `tee FILE`;
- interpreters given code (`python3 -c`, `python3 script.py`, `python3 - <<EOF`, `perl -e`,
  `node -e`, awk with `system()`, a pipe or `print > file`), scripts (`./x`, `bash x.sh`),
  shells reading their input, `eval`, `source`, `trap`, `alias`…;
- remote execution or copies (`ssh`, `scp`, `rsync`, `sftp`);
- programs that change local files or processes (`rm`, `mv`, `kill`, `sed -i`, `find -delete`);
- programs nobody listed.

Wrappers are looked through (`env`, `command`, `timeout`, `nohup`, `nice`, `stdbuf`, `sudo`,
`exec`, `time`), and so are the commands they run as text when that text is literal:
`sh -c '…'`, `bash -c '…'`, `watch '…'` (watch joins its words for `sh -c`), `xargs CMD`
(with the words it appends treated as unknown), `kubectl exec POD -- CMD` (read-only only for
read-only CMDs: `curl -s`, `cat`, `ls`, `env`, `ps`, `df`…). Substitutions (`$(…)`, backticks,
`<(…)`) are classified as commands of their own.

Also here: `command_namespace(cmd)` (the namespace a kube command names itself) and
`is_background(cmd)` (a trailing `&`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cockpit.runner import clitools, localtools
from cockpit.runner.clitools import Verdict, change, could_be_option, dynamic_option, expands, read
from cockpit.shell import (
    BUILTIN_CODE,
    CLUSTER,
    INTERPRETER,
    NETWORK,
    READ,
    REMOTE,
    SHELL,
    TOOL,
    WRAPPER,
    WRITE,
    Script,
    SimpleCommand,
    Word,
    lookup,
    parse,
    program_name,
)
from cockpit.shell.programs import unwrap_one

MAX_DEPTH = 6  # nested `sh -c`, `watch`, `kubectl exec -- sh -c`, substitutions


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


# --- whole command lines -----------------------------------------------------------------------


def _script_verdicts(script: Script, depth: int) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for problem in script.problems:
        verdicts.append(
            change("unparsed", f"cannot read the command with certainty ({problem}); treated as changing")
        )
    for name in script.functions:
        verdicts.append(
            change(
                f"function {name}",
                f"defines the shell function {name}: what it runs depends on how it is "
                "called; treated as changing",
            )
        )
    for command in script.commands:
        verdicts.extend(_command_verdicts(command, depth))
    return verdicts


def _text_verdicts(text: str, depth: int) -> list[Verdict]:
    if depth > MAX_DEPTH:
        return [change("nested", "commands nested too deep to follow; treated as changing")]
    return _script_verdicts(parse(text), depth)


def _command_verdicts(command: SimpleCommand, depth: int) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for word in command.all_words():
        for why in word.risky:
            verdicts.append(change("expansion", f"{why}; treated as changing"))
        for sub in word.substitutions:
            verdicts.extend(_text_verdicts(sub.text, depth + 1))
    for redirect in command.redirects:
        verdicts.extend(_redirect_verdict(redirect.op, redirect.target))
    for assignment in command.assignments:
        name = assignment.text.split("=", 1)[0].removesuffix("+")
        if localtools.dangerous_variable(name.split("[", 1)[0]):
            verdicts.append(
                change(f"{name}=", f"setting {name} changes what programs run or how; treated as changing")
            )
    if command.kind == "cond":
        verdicts.append(_cond_verdict(command.words))
    elif command.kind == "arith":
        verdicts.append(read("arithmetic"))
    elif command.kind == "too-deep":
        verdicts.append(change("nested", "commands nested too deep to follow; treated as changing"))
    elif command.kind == "simple":
        if command.words:
            verdicts.append(argv_verdict(command.words, depth))
        elif not verdicts:
            verdicts.append(read("variable assignment"))
    return verdicts


def _redirect_verdict(op: str, target: Word | None) -> list[Verdict]:
    if op in ("<", "<<", "<<-", "<<<"):
        return []
    if target is None:
        return [change("redirection", f"a {op} redirection without a target; treated as changing")]
    value = target.value
    if op in (">&", "<&") and value is not None and (value.isdigit() or value == "-"):
        return []  # 2>&1, >&2, <&0, >&-
    if op == "<&" and value is not None:
        return []
    if value in clitools.SINKS or re.fullmatch(r"/dev/fd/\d+", value or ""):
        return []
    if value is None and target.text.startswith((">(", "<(")) and target.text.endswith(")"):
        return []  # into a process substitution: its command is classified on its own
    if value is None:
        return [
            change("redirection", f"writes to {target.text}, a file name that expands; treated as changing")
        ]
    return [change("redirection", f"writes the file {value} ({op} {value}); treated as changing")]


_ARITH_TESTS = {"-eq", "-ne", "-lt", "-le", "-gt", "-ge"}


def _cond_verdict(words: list[Word]) -> Verdict:
    """`[[ … ]]`: arithmetic comparisons evaluate their operands (`a[$(cmd)]` runs cmd)."""
    values = [w.value for w in words]
    if any(v in ("-v", "-R") for v in values):
        return change("[[", "[[ -v evaluates a subscript, which can run code; treated as changing")
    for k, value in enumerate(values):
        if value in _ARITH_TESTS:
            operands = [values[k - 1] if k > 0 else None, values[k + 1] if k + 1 < len(values) else None]
            if not all(o is not None and o.lstrip("-").isdigit() for o in operands):
                return change("[[", f"[[ {value} evaluates its operands as arithmetic, which can run code")
    return read("[[")


# --- one command's words -----------------------------------------------------------------------


def argv_verdict(words: list[Word], depth: int = 0) -> Verdict:
    """The verdict for one simple command given as words (program first)."""
    if depth > MAX_DEPTH:
        return change("nested", "commands nested too deep to follow; treated as changing")
    first = words[0]
    if first.value is None:
        return change(first.text, f"the program name expands ({first.text}); treated as changing")
    name = program_name(first.value)
    if name is None:
        return change(first.value, f"script {first.value} may do anything; treated as changing")
    verdict = _program_verdict(name, words[1:], depth)
    asked = [w.value for w in words if w.value is not None and w.value.split("=")[0] == "--interactive"]
    if asked and not verdict.terminal and not asked[-1].endswith(("=false", "=0")):
        verdict = Verdict(
            verdict.changes, verdict.what, verdict.reason, f"{verdict.what} --interactive prompts"
        )
    return verdict


def _program_verdict(name: str, args: list[Word], depth: int) -> Verdict:
    if name in ("kubectl", "k", "oc"):
        return clitools.kubectl(name, args, lambda inner: argv_verdict(inner, depth + 1))
    program = lookup(name)
    if program is None:
        return change(name, f"unknown command {name}; treated as changing")
    kind = program.kind
    if kind == WRAPPER:
        return _wrapper(name, args, depth)
    if kind == SHELL:
        return _shell(name, args, depth)
    if kind == INTERPRETER:
        rule = localtools.LOCAL.get(name)
        if rule is not None:
            return rule(name, args)
        return _interpreter(name, args)
    if kind == BUILTIN_CODE:
        return _builtin_code(name, args)
    if kind == REMOTE:
        return change(
            name,
            f"{name} runs commands on or copies files to another host; treated as changing",
            program.terminal,
        )
    if kind == WRITE:
        return change(
            name,
            f"{name} changes local files, processes or the machine; treated as changing",
            program.terminal,
        )
    if kind in (CLUSTER, NETWORK, TOOL):
        rule = clitools.TOOLS.get(name)
        if rule is not None:
            verdict = rule(name, args)
            if program.terminal and not verdict.terminal:
                verdict = Verdict(verdict.changes, verdict.what, verdict.reason, program.terminal)
            return verdict
        return change(name, f"{name} may change things; treated as changing", program.terminal)
    if kind == READ:
        rule = localtools.LOCAL.get(name)
        verdict = rule(name, args) if rule is not None else read(name)
        if program.terminal and not verdict.terminal:
            verdict = Verdict(verdict.changes, verdict.what, verdict.reason, program.terminal)
        return verdict
    return change(name, f"unknown command {name}; treated as changing")


def _wrapped(prefix: str, inner: Verdict, terminal: str = "") -> Verdict:
    reason = inner.reason
    if reason and inner.changes and not reason.startswith(prefix):
        reason = f"{prefix}: {reason}"
    return Verdict(inner.changes, f"{prefix} {inner.what}", reason, terminal or inner.terminal)


def _wrapper(name: str, args: list[Word], depth: int) -> Verdict:
    if name == "watch":
        return _watch(args, depth)
    if name == "xargs":
        return _xargs(args, depth)
    if name == "parallel":
        return change(name, "parallel runs the commands it builds; treated as changing")
    if name == "env" and any(w.value is not None and "=" in w.value for w in args):
        for word in args:
            value = word.value
            if value is None or value.startswith("-"):
                continue
            if "=" not in value:
                break
            variable = value.split("=", 1)[0]
            if localtools.dangerous_variable(variable):
                return change(
                    f"env {variable}=",
                    f"setting {variable} changes what programs run or how; treated as changing",
                )
    if name == "time" and any((w.value or "").split("=")[0] in ("-o", "--output") for w in args):
        return change("time -o", "time -o writes a file")
    start, why = unwrap_one(name, [w.value for w in args])
    if why:
        return change(name, f"{why}; treated as changing")
    terminal = ""
    if name in ("sudo", "doas", "su", "runuser"):
        flags = {w.value for w in args[: start if start is not None else len(args)]}
        if not flags & {"-n", "--non-interactive"}:
            terminal = f"{name} may prompt for a password"
    if start is None:
        if name == "env":
            return read("env")
        if name in ("command", "builtin", "exec", "nohup", "time"):
            return read(name)
        return (
            _wrapped(name, read(""), terminal)
            if name == "command"
            else change(name, f"{name} without a command it can follow; treated as changing", terminal)
        )
    return _wrapped(name, argv_verdict(args[start:], depth + 1), terminal)


def _watch(args: list[Word], depth: int) -> Verdict:
    """`watch [opts] CMD…`: procps watch joins CMD's words with spaces and runs `sh -c` on them
    (with -x it runs them as they are)."""
    i = 0
    direct = False
    while i < len(args):
        value = args[i].value
        if value is None:
            return expands("watch", args[i])
        if value == "--":
            i += 1
            break
        if not value.startswith("-") or value == "-":
            break
        if value in ("-x", "--exec"):
            direct = True
        elif value in ("-n", "--interval", "-q", "--equexit"):
            i += 1
        elif value in ("-h", "--help", "-v", "--version"):
            return read("watch")
        i += 1
    command = args[i:]
    if not command:
        return read("watch")
    if direct:
        return _wrapped("watch", argv_verdict(command, depth + 1))
    loose = next((w for w in command if w.value is None), None)
    if loose is not None:
        return expands("watch", loose)
    text = " ".join(w.value or "" for w in command)
    why = _posix_sh_differs("sh", text)
    if why:
        return change("watch", f"watch runs it with sh: {why}")
    return _wrapped("watch", _merge(_text_verdicts(text, depth + 1), text))


def _xargs(args: list[Word], depth: int) -> Verdict:
    """`xargs [opts] CMD…`: runs CMD with words read from its input appended (or put in place of
    the -I string); those words are unknown, so CMD must be read-only whatever they are."""
    spec_values = {
        "-a",
        "--arg-file",
        "-E",
        "-e",
        "--eof",
        "-L",
        "-l",
        "--max-lines",
        "-n",
        "--max-args",
        "-P",
        "--max-procs",
        "-s",
        "--max-chars",
        "-d",
        "--delimiter",
        "--process-slot-var",
    }
    replace = ""
    terminal = ""
    i = 0
    while i < len(args):
        value = args[i].value
        if value is None:
            return expands("xargs", args[i])
        if value == "--":
            i += 1
            break
        if not value.startswith("-") or value == "-":
            break
        name, eq, attached = value.partition("=")
        if name in ("-p", "--interactive", "-o", "--open-tty"):
            terminal = "xargs -p prompts before each command"
        if name in ("-I", "--replace") or (value.startswith("-I") and len(value) > 2):
            replace = attached if eq else value[2:] if value.startswith("-I") and len(value) > 2 else ""
            if not replace and name in ("-I", "--replace"):
                replace = (args[i + 1].value or "") if i + 1 < len(args) else ""
                i += 1 if name == "-I" else 0
            replace = replace or "{}"
        elif value.startswith("-i"):
            replace = value[2:] or "{}"
        elif name in spec_values and not eq and len(value) == len(name):
            i += 1
        i += 1
    command = list(args[i:]) or [Word("echo", "echo")]
    unknown = Word("<input>", None, single=False, prefix="")
    if replace:
        command = [unknown if w.value is not None and replace in w.value else w for w in command]
    else:
        command = [*command, unknown]
    return _wrapped("xargs", argv_verdict(command, depth + 1), terminal)


def _shell(name: str, args: list[Word], depth: int) -> Verdict:
    """`sh -c 'TEXT' [args]` is TEXT; a script or the shell's own input is unknown code."""
    if name == "busybox":
        return argv_verdict(args, depth + 1) if args else read(name)
    command_flag = False
    i = 0
    while i < len(args):
        value = args[i].value
        if value is None:
            return expands(name, args[i])
        if value in ("--", "-"):
            i += 1
            break
        if not value.startswith(("-", "+")):
            break
        if value.startswith("--"):
            if value in ("--login", "--rcfile", "--init-file", "--interactive"):
                return change(name, f"{name} {value} runs startup files; treated as changing")
            i += 1
            continue
        letters = value[1:]
        if set(letters) & set("ilsO"):
            return change(
                name,
                f"{name} {value} runs startup files or reads commands from its input; treated as changing",
            )
        if "o" in letters:
            i += 1  # -o option takes a name
        command_flag = command_flag or "c" in letters
        i += 1
    rest = args[i:]
    if command_flag:
        if not rest:
            return change(f"{name} -c", f"{name} -c without a command; treated as changing")
        if rest[0].value is None:
            return expands(f"{name} -c", rest[0])
        text = rest[0].value
        why = _posix_sh_differs(name, text)
        if why:
            return change(f"{name} -c", why)
        return _wrapped(f"{name} -c", _merge(_text_verdicts(text, depth + 1), text))
    if rest:
        script = rest[0].value or rest[0].text
        return change(name, f"{name} runs the script {script}; treated as changing")
    return change(
        name, f"{name} reads commands from its input; treated as changing", f"{name} is interactive"
    )


_POSIX_SHELLS = {"sh", "dash", "ash", "busybox"}


def _posix_sh_differs(name: str, text: str) -> str:
    """Why `name -c text` may not run what bash would read in `text` (sh is often dash, which
    reads `$'x'` as `$` + `x`), or "" (also for bash, zsh, ksh…)."""
    if name not in _POSIX_SHELLS:
        return ""
    found = _bashisms(parse(text), MAX_DEPTH)
    if not found:
        return ""
    return f"{name} (often dash) does not read {found[0]} as bash does; treated as changing"


def _bashisms(script: Script, depth: int) -> list[str]:
    found = list(script.bashisms)
    if depth > 0:
        for command in script.commands:
            for word in command.all_words():
                for sub in word.substitutions:
                    found.extend(_bashisms(sub.script, depth - 1))
    return found


_VERSION_FLAGS = {"-V", "--version", "-v", "-h", "--help"}


def _interpreter(name: str, args: list[Word]) -> Verdict:
    values = [w.value for w in args]
    if not args:
        return change(
            name,
            f"{name} runs code it reads from its input; treated as changing",
            f"{name} without arguments is interactive",
        )
    if len(values) == 1 and values[0] in _VERSION_FLAGS:
        return read(f"{name} {values[0]}")
    if name.startswith("python") and values[:2] == ["-m", "json.tool"] and not dynamic_option(args[2:]):
        return read(f"{name} -m json.tool")
    flag = next((v for v in values if v is not None and v.startswith("-") and v != "-"), "")
    if flag in ("-c", "-e", "-E", "--eval", "-p", "--print", "-r", "-n") or (flag and flag[1:2] in "ceE"):
        return change(f"{name} {flag}", f"{name} {flag} runs code; treated as changing")
    script = next((v for v in values if v is not None and not v.startswith("-")), None)
    if (values and values[0] == "-") or script is None:
        return change(name, f"{name} runs code it reads from its input; treated as changing")
    return change(name, f"{name} runs the script {script}; treated as changing")


def _builtin_code(name: str, args: list[Word]) -> Verdict:
    values = [w.value for w in args]
    printing = bool(values) and all(v and v[0] == "-" and set(v[1:]) <= set("pFf") for v in values)
    if name in ("declare", "typeset") and printing:
        return read(name)
    if name in ("alias", "trap", "hash", "shopt", "complete") and (
        not values or values in (["-p"], ["-l"], ["-t"])
    ):
        return read(name)
    if name in ("eval", "source", "."):
        what = {"eval": "eval runs text as commands"}.get(name, f"{name} runs a script")
        return change(name, f"{what}; treated as changing")
    return change(name, f"{name} can run code or change what commands run; treated as changing")


# --- the result --------------------------------------------------------------------------------


def _merge(verdicts: list[Verdict], text: str) -> Verdict:
    """One verdict for a nested command text: its first change, else read-only."""
    changing = next((v for v in verdicts if v.changes), None)
    terminal = next((v.terminal for v in verdicts if v.terminal), "")
    if changing is not None:
        reason = changing.reason or f"{changing.what} changes the cluster"
        return Verdict(True, changing.what, reason, terminal)
    names = ", ".join(dict.fromkeys(v.what for v in verdicts if v.what)) or text
    return Verdict(False, names, "", terminal)


_KUBE_TOOLS = {"kubectl", "k", "oc", "helm", "velero", "argocd", "flux", "istioctl", "cmctl"}
_TARGET_FLAGS = ("--context", "--kube-context", "--kubeconfig", "--server", "--cluster")


def _retarget(script: Script) -> str:
    """What in the command line points kube tools away from the pinned target, or ""."""
    found: list[str] = []
    for _depth, command in script.walk():
        words = [w.value or w.text for w in [*command.assignments, *command.words]]
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


@lru_cache(maxsize=4096)
def classify(cmd: str) -> Safety:
    """Classify a whole command line (lists, pipelines, substitutions, heredocs, compounds).
    Cached: the command list asks for the same lines on every repaint."""
    script = parse(cmd)
    verdicts = _script_verdicts(script, 0)
    terminal = next((v.terminal for v in verdicts if v.terminal), "")
    retarget = _retarget(script)
    changing = next((v for v in verdicts if v.changes), None)
    if changing is not None:
        reason = changing.reason or f"{changing.what} changes the cluster"
        return Safety(True, reason, bool(terminal), terminal, retarget)
    if not verdicts:
        return Safety(False, "nothing to run", bool(terminal), terminal, retarget)
    names = [v.what for v in verdicts if v.what]
    reason = next((v.reason for v in verdicts if v.reason), "") or "read-only: " + ", ".join(
        dict.fromkeys(names)
    )
    return Safety(False, reason, bool(terminal), terminal, retarget)


def classify_template(cmd: str) -> Safety:
    """The verdict for a plan command as written, before its placeholders are filled: `<pod>`,
    `{{ns}}`, `POD_NAME` and unset `$VARS` read as plain names (`kubectl logs <pod>` is read-only,
    not an input redirection). What actually runs is classified again once they are filled."""
    from cockpit.runner.placeholders import fill_placeholders, placeholder_names

    names = placeholder_names(cmd)
    if not names:
        return classify(cmd)
    return classify(fill_placeholders(cmd, dict.fromkeys(names, "placeholder")))


# --- what else the UI and the journal read from a command line ----------------------------------

KUBE_PROGRAMS = frozenset({"kubectl", "helm", "oc", "velero", "argocd", "k9s"})


def command_namespace(cmd: str) -> str | None:
    """The namespace a kubectl/helm command names itself (`-n X`, `--namespace=X`), if any.

    Only a kube program's own flags count: `watch -n 2 kubectl get applications -n argocd` lands
    in argocd, and `watch -n 2 kubectl get pods` in the pinned namespace, not in a namespace "2".
    """
    script = parse(cmd)
    for _depth, command in script.walk():
        words = [w.value for w in command.words]
        watched = _watched_words(words)
        if watched is not None:
            words = watched
        kube = False
        for index, word in enumerate(words):
            if word is None:
                continue
            name = program_name(word)
            if not kube and name in KUBE_PROGRAMS:
                kube = True
                continue
            if not kube:
                continue
            if word == "--":
                break
            if word in ("-n", "--namespace") and index + 1 < len(words):
                return words[index + 1]
            if word.startswith("--namespace="):
                return word.split("=", 1)[1]
            if word.startswith("-n") and len(word) > 2 and not word.startswith("--"):
                return word[2:]
    return None


def _watched_words(words: list[str | None]) -> list[str | None] | None:
    """The words of the command a `watch` runs (re-read: watch runs them as shell text)."""
    if not words or words[0] != "watch":
        return None
    i = 1
    while i < len(words) and (words[i] or "").startswith("-"):
        i += 2 if words[i] in ("-n", "--interval", "-q", "--equexit") else 1
    watched = [w for w in words[i:] if w is not None]
    if len(watched) < len(words[i:]):
        return None
    inner = parse(" ".join(watched))
    return [w.value for c in inner.commands for w in c.words]


def is_background(cmd: str) -> bool:
    """Does the command line end with `&` (run as a background job)?"""
    statements = parse(cmd).statements
    return bool(statements) and statements[-1].background


__all__ = ["Safety", "classify", "classify_template", "command_namespace", "could_be_option", "is_background"]
