"""Shell syntax, the bottom layer: the one shell tokenizer and the one table of programs.

Pure functions over text, no imports from the rest of the cockpit. Used by `plan` (to split a
shell block into the commands an operator runs, and to tell a command from prose) and by
`runner` (to classify what a command would do).

Reading shell text (see `lexer` and `parser` for the details of what is modelled):

- `parse(text) -> Script`: `.statements` (top-level commands, one per line, heredocs and
  continuations kept inside; `.text`, `.line`, `.end_line`, `.background`), `.commands` (every
  simple command, nested ones included; `Script.walk()` adds those in substitutions),
  `.functions`, `.problems`, `.incomplete`.
- `split_statements(text) -> list[Statement]`: the top-level commands of a shell block.
- `incomplete(text) -> str`: "" when `text` is a complete command, else why more lines are
  needed (an open quote, `if` without `fi`, a heredoc never closed, a trailing `|` or `&&`).
  A trailing backslash counts as incomplete too.
- `literal_words(text) -> list[str] | None`: the words of a one-command line (like
  `shlex.split`), or None when the line is not one plain simple command with literal words.
- `first_program(text) -> (program, args) | None`: the program a line starts with, after
  `NAME=value` assignments and wrappers (`sudo`, `env`, `time`, `nohup`, `command`, `timeout 5`…);
  `/usr/bin/kubectl` reads as `kubectl`; a script path (`./fix.sh`) is returned as written.

The program table (see `programs`): `lookup(name) -> Program | None` (`.kind`: shell,
interpreter, wrapper, builtin-code, cluster, remote, network, read, write, tool; `.terminal`),
`KNOWN_PROGRAMS`, `program_name(word)`, `unwrap(words)` / `WRAPPERS`.
"""

from __future__ import annotations

from cockpit.shell.lexer import Heredoc, Substitution, Token, Word, decode_ansi_c, tokenize
from cockpit.shell.parser import Redirect, Script, SimpleCommand, Statement, parse
from cockpit.shell.programs import (
    BUILTIN_CODE,
    CLUSTER,
    INTERPRETER,
    KNOWN_PROGRAMS,
    NETWORK,
    PROGRAMS,
    READ,
    REMOTE,
    SHELL,
    TOOL,
    WRAPPER,
    WRAPPERS,
    WRITE,
    Program,
    Unwrapped,
    kind_of,
    lookup,
    program_name,
    unwrap,
)


def split_statements(text: str) -> list[Statement]:
    """The top-level commands of `text`, one per line (see `Statement`)."""
    return parse(text).statements


def incomplete(text: str) -> str:
    """Why more text is needed to complete `text`, or "" when it is a complete command."""
    stripped = text.rstrip(" \t")
    if (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1:
        return "the line ends with a backslash"
    return parse(text).incomplete


def literal_words(text: str) -> list[str] | None:
    """The words of `text` when it is one simple command whose words are all literal."""
    script = parse(text)
    if script.problems or len(script.commands) != 1 or script.constructs:
        return None
    command = script.commands[0]
    if command.kind != "simple" or command.redirects:
        return None
    words = [*command.assignments, *command.words]
    values = [w.value for w in words if w.value is not None]
    return values if len(values) == len(words) else None


def first_program(text: str) -> tuple[str, list[str]] | None:
    """(program, its argument texts) of the first simple command of `text`, skipping `NAME=x`
    assignments and wrappers; None when the line has no command or its program expands."""
    script = parse(text)
    command = next((c for c in script.commands if c.kind == "simple" and c.words), None)
    if command is None:
        return None
    words = command.words
    found = unwrap([w.value for w in words])
    start = found.start
    if start is None:
        if not found.wrappers:
            return None
        # `sudo -i`, `env` alone: the wrapper itself is the program
        start = len(found.wrappers) - 1 if len(found.wrappers) == 1 else 0
    first = words[start].value
    if first is None:
        return None
    name = program_name(first) or first
    return name, [w.value if w.value is not None else w.text for w in words[start + 1 :]]


__all__ = [
    "BUILTIN_CODE",
    "CLUSTER",
    "INTERPRETER",
    "KNOWN_PROGRAMS",
    "NETWORK",
    "PROGRAMS",
    "READ",
    "REMOTE",
    "SHELL",
    "TOOL",
    "WRAPPER",
    "WRAPPERS",
    "WRITE",
    "Heredoc",
    "Program",
    "Redirect",
    "Script",
    "SimpleCommand",
    "Statement",
    "Substitution",
    "Token",
    "Unwrapped",
    "Word",
    "decode_ansi_c",
    "first_program",
    "incomplete",
    "kind_of",
    "literal_words",
    "lookup",
    "parse",
    "program_name",
    "split_statements",
    "tokenize",
    "unwrap",
]
