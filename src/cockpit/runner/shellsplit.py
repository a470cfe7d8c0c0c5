"""Split a shell command line into its simple commands, as word lists.

`simple_commands("a && b | c; X=$(d e) f > out")` -> [["a"], ["b"], ["c"], ["X=…", "f"], ["d", "e"]].
Command substitutions (`$(...)`, backticks, `<(...)`), also inside double quotes, are pulled
out and split as commands of their own; redirections and their targets are dropped; leading
shell keywords (`if`, `do`, `!`, `{`...) are removed; `for x in ...` headers are skipped.
Quotes are removed from words (POSIX rules, via shlex). Unbalanced quotes raise ShellSyntaxError.
"""

from __future__ import annotations

import shlex

SUBST = "__cockpit_subst__"
_KEYWORDS = {
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "do",
    "done",
    "while",
    "until",
    "!",
    "{",
    "}",
    "time",
    "esac",
}
_HEADERS = {"for", "case", "select", "function"}


class ShellSyntaxError(ValueError):
    """The command line cannot be split (unbalanced quotes or parentheses)."""


def extract_substitutions(text: str) -> tuple[str, list[str]]:
    """Replace every command substitution with a plain word; return (outer text, inner texts).

    Unquoted newlines become `;`. Single-quoted text is left untouched.
    """
    out: list[str] = []
    inner: list[str] = []
    i, n = 0, len(text)
    quote = ""  # "", "'", '"'
    while i < n:
        ch = text[i]
        if quote == "'":
            out.append(ch)
            if ch == "'":
                quote = ""
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            if text[i + 1] == "\n":  # line continuation
                out.append(" ")
            else:
                out.append(text[i : i + 2])
            i += 2
            continue
        if ch == "'" and not quote:
            quote = "'"
            out.append(ch)
            i += 1
            continue
        if ch == '"':
            quote = "" if quote == '"' else '"'
            out.append(ch)
            i += 1
            continue
        if ch == "$" and text.startswith("((", i + 1):  # arithmetic: no command inside
            i = _matching_paren(text, i + 1) + 1
            out.append(SUBST)
            continue
        opens_subst = ch == "$" and text.startswith("(", i + 1)
        opens_process = not quote and ch in "<>" and text.startswith("(", i + 1)
        if opens_subst or opens_process:
            end = _matching_paren(text, i + 1)
            inner.append(text[i + 2 : end])
            out.append(SUBST)
            i = end + 1
            continue
        if ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ShellSyntaxError("unbalanced backquote")
            inner.append(text[i + 1 : end])
            out.append(SUBST)
            i = end + 1
            continue
        if ch == "#" and not quote and (i == 0 or text[i - 1] in " \t\n;&|("):
            end = text.find("\n", i)
            i = n if end < 0 else end  # a comment runs to the end of the line
            continue
        if ch == "\n" and not quote:
            out.append(" ; ")
            i += 1
            continue
        out.append(ch)
        i += 1
    if quote:
        raise ShellSyntaxError(f"unbalanced {quote}")
    return "".join(out), inner


def _matching_paren(text: str, open_at: int) -> int:
    depth, i, quote = 0, open_at, ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch == "\\":
            i += 2
            continue
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError("unbalanced parenthesis")


def _is_operator(token: str) -> bool:
    return bool(token) and all(c in "();<>|&" for c in token)


def simple_commands(text: str) -> list[list[str]]:
    """Every simple command of `text` (including those inside substitutions), as word lists."""
    outer, inner = extract_substitutions(text)
    lexer = shlex.shlex(outer, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError as exc:
        raise ShellSyntaxError(str(exc)) from exc
    commands: list[list[str]] = []
    current: list[str] = []
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if _is_operator(token):
            if "<" in token or ">" in token:
                skip_next = True  # redirection: its target is not an argument
                if current and current[-1].isdigit():
                    current.pop()  # the fd number of `2>&1`
                continue
            if current:
                commands.append(current)
            current = []
            continue
        current.append(token)
    if current:
        commands.append(current)
    result: list[list[str]] = []
    for words in commands:
        while words and words[0] in _KEYWORDS:
            words = words[1:]
        if not words or words[0] in _HEADERS or words[0] in _KEYWORDS:
            continue
        result.append(words)
    for sub in inner:
        result.extend(simple_commands(sub))
    return result
