"""Placeholders in plan commands: find them, ask the operator, fill them in shell-quoted.

Recognised (conservatively: a false prompt is annoying):
- `<pod>`, `<POD_NAME>`, `<pod-name>` (style "angle"): a name in angle brackets, unquoted or in
  double quotes; inside single quotes only when it looks like a placeholder (`<pod-name>`,
  `<TOKEN>`, `<token>`), so `grep '<title>'` stays alone;
- `POD_NAME` ("caps"): an unquoted all-caps name with an underscore (or a well-known word such as
  NAMESPACE, POD, NODE), standing alone or after `/`, `:`, `=`, `@`; not an assignment or key
  (`FOO_BAR=1`), not part of a flag, not a heredoc delimiter;
- `${NAMESPACE}` / `$NAMESPACE` ("var"): a variable that the command does not set itself
  (`NS=...`, `export`, `read`, `for NS in`), that is not in the environment the command runs
  with (`env` laid over `os.environ`, as CommandRun does; `inherit_env=False` for `env` alone)
  and not a shell/well-known one (HOME, PATH, $1, $?...);
  `${NS:-default}` has a default and is not asked for;
- `{{name}}` ("braces"): outside single quotes, and not a Go-template action (`{{.x}}`, `{{end}}`).
Anything in single quotes other than angle placeholders (awk, jq, go-template programs), escaped
text, comments and `$(date +%Y%m%d)` are left alone. Values are inserted quoted for where they
land: `shlex.quote` when unquoted, backslash-escaped inside "...", `'\\''`-escaped inside '...'.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Placeholder:
    """`name` is what the operator is asked for (and the key in `values`), `token` the text as
    written, `start`/`end` its offsets in the command, `style` one of angle, caps, var, braces."""

    name: str
    token: str
    start: int
    end: int
    style: str


_ANGLE = re.compile(r"<([A-Za-z][A-Za-z0-9_.:-]*)>")
_BRACES = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_CAPS = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{2,}")
_CAPS_WORDS = {
    "POD", "PODNAME", "NAMESPACE", "NS", "NODE", "NODENAME", "DEPLOYMENT", "CONTEXT", "CLUSTER",
    "CONTAINER", "SECRET", "TOKEN", "PASSWORD", "RELEASE", "CHART", "BACKUP", "BUCKET", "IMAGE",
    "SERVICE", "SVC", "INGRESS", "CERTIFICATE", "DOMAIN", "APP", "JOB", "CRONJOB", "STATEFULSET",
}  # fmt: skip
_ANGLE_WORDS = {w.lower() for w in _CAPS_WORDS} | {
    "name",
    "host",
    "user",
    "username",
    "port",
    "tag",
    "value",
    "id",
}
_GO_TEMPLATE = {
    "end", "else", "range", "if", "with", "define", "template", "block", "break", "continue", "nil",
    "len", "index", "printf", "print", "println", "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge",
}  # fmt: skip
_KNOWN_VARS = {
    "HOME", "PATH", "USER", "LOGNAME", "PWD", "OLDPWD", "SHELL", "TERM", "LANG", "LC_ALL", "TZ",
    "RANDOM", "SECONDS", "LINENO", "UID", "EUID", "PPID", "HOSTNAME", "HOSTTYPE", "OSTYPE", "IFS",
    "BASH", "BASHPID", "BASH_VERSION", "EDITOR", "VISUAL", "PAGER", "TMPDIR", "KUBECONFIG",
    "COLUMNS", "LINES", "REPLY", "PIPESTATUS", "OPTARG", "OPTIND", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
}  # fmt: skip
_CAPS_BEFORE = " \t\n/:=@,("
_CAPS_AFTER = " \t\n/:@,;)|&."


def _contexts(cmd: str) -> str:
    """One letter per character: u unquoted, s in '...', d in "...", q a quote char,
    e escaped (or an escaping backslash), c a comment."""
    ctx: list[str] = []
    quote = ""
    i, n = 0, len(cmd)
    while i < n:
        ch = cmd[i]
        if quote == "'":
            if ch == "'":
                quote = ""
                ctx.append("q")
            else:
                ctx.append("s")
        elif ch == "\\" and i + 1 < n:
            ctx.extend("ee")
            i += 2
            continue
        elif ch == '"':
            quote = "" if quote == '"' else '"'
            ctx.append("q")
        elif quote == '"':
            ctx.append("d")
        elif ch == "'":
            quote = "'"
            ctx.append("q")
        elif ch == "#" and (i == 0 or cmd[i - 1] in " \t\n;&|("):
            end = cmd.find("\n", i)
            end = n if end < 0 else end
            ctx.extend("c" * (end - i))
            i = end
            continue
        else:
            ctx.append("u")
        i += 1
    return "".join(ctx)


def _same(ctx: str, start: int, end: int, allowed: str) -> str | None:
    """The context of span [start, end) if it is uniform and in `allowed`, else None."""
    span = ctx[start:end]
    if span and span[0] in allowed and span == span[0] * len(span):
        return span[0]
    return None


def _defined_vars(cmd: str) -> set[str]:
    names = set(
        re.findall(r"(?:^|[\s;&|(])(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)=", cmd)
    )
    names |= set(re.findall(r"\bfor\s+([A-Za-z_]\w*)\s+in\b", cmd))
    for args in re.findall(r"\bread\s+((?:-\w+\s+(?:'[^']*'\s+|\"[^\"]*\"\s+)?)*[\w\s]+)", cmd):
        names |= {w for w in args.split() if re.fullmatch(r"[A-Za-z_]\w*", w)}
    return names


def find_placeholders(
    cmd: str, env: Mapping[str, str] | None = None, *, inherit_env: bool = True
) -> list[Placeholder]:
    """Every placeholder occurrence in `cmd`, in order."""
    environ = {**(os.environ if inherit_env else {}), **(env or {})}
    ctx = _contexts(cmd)
    found: list[Placeholder] = []

    for m in _ANGLE.finditer(cmd):
        where = _same(ctx, m.start(), m.end(), "uds")
        name = m.group(1)
        if where is None or cmd.startswith("<<", max(0, m.start() - 1)):
            continue
        looks_named = "_" in name or "-" in name or name.isupper() or name.lower() in _ANGLE_WORDS
        if where == "s" and not looks_named:
            continue
        if where == "u" and "." in name and m.end() < len(cmd) and cmd[m.end()].isalnum():
            continue  # sort <in.txt>out.txt: redirections
        found.append(Placeholder(name, m.group(0), m.start(), m.end(), "angle"))

    for m in _BRACES.finditer(cmd):
        if _same(ctx, m.start(), m.end(), "ud") and m.group(1) not in _GO_TEMPLATE:
            found.append(Placeholder(m.group(1), m.group(0), m.start(), m.end(), "braces"))

    defined = _defined_vars(cmd)
    for m in _VAR.finditer(cmd):
        name = m.group(1) or m.group(2)
        if not _same(ctx, m.start(), m.end(), "ud"):
            continue
        if name in defined or name in environ or name in _KNOWN_VARS:
            continue
        found.append(Placeholder(name, m.group(0), m.start(), m.end(), "var"))

    taken = [(p.start, p.end) for p in found]
    heredoc_delimiters = set(re.findall(r"<<-?\s*['\"]?(\w+)", cmd))
    for m in _CAPS.finditer(cmd):
        name, start, end = m.group(0), m.start(), m.end()
        if "_" not in name and name not in _CAPS_WORDS:
            continue
        if not _same(ctx, start, end, "u") or any(s <= start < e for s, e in taken):
            continue
        before = cmd[start - 1] if start else " "
        after = cmd[end] if end < len(cmd) else " "
        if before not in _CAPS_BEFORE or after not in _CAPS_AFTER:
            continue
        if name in heredoc_delimiters or name in defined:  # `read NS`, `for POD in ...`
            continue
        found.append(Placeholder(name, name, start, end, "caps"))

    found.sort(key=lambda p: p.start)
    return found


def placeholder_names(
    cmd: str, env: Mapping[str, str] | None = None, *, inherit_env: bool = True
) -> list[str]:
    """The distinct names to ask for, in order of first appearance."""
    return list(dict.fromkeys(p.name for p in find_placeholders(cmd, env, inherit_env=inherit_env)))


def _quote_for(value: str, where: str) -> str:
    if where == "d":
        return re.sub(r'(["\\$`])', r"\\\1", value)
    if where == "s":
        return value.replace("'", "'\\''")
    return shlex.quote(value)


def fill_placeholders(
    cmd: str, values: Mapping[str, str], env: Mapping[str, str] | None = None, *, inherit_env: bool = True
) -> str:
    """`cmd` with each placeholder whose name is in `values` replaced by its quoted value;
    the others are left as written."""
    ctx = _contexts(cmd)
    out = cmd
    for p in sorted(
        find_placeholders(cmd, env, inherit_env=inherit_env), key=lambda p: p.start, reverse=True
    ):
        if p.name not in values:
            continue
        out = out[: p.start] + _quote_for(values[p.name], ctx[p.start]) + out[p.end :]
    return out
