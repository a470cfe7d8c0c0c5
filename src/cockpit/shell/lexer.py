"""The one shell tokenizer: bash source text -> tokens (words, operators, redirections, newlines).

It models what bash does when it reads a line, so that what the cockpit believes a command says
is what bash will run:

- quoting: `'…'`, `"…"` (where only `\\$`, `` \\` ``, `\\"`, `\\\\` and `\\<newline>` escape),
  `$'…'` (ANSI-C escapes decoded: `$'\\x64elete'` is the word `delete`), `$"…"`, backslashes,
  `\\<newline>` continuations (removed everywhere but inside single quotes);
- comments (`#` only where a word starts: `a\\ #b` is one word, `a #b` a word and a comment);
- expansions inside words: `$NAME`, `${…}` (nested), `$(…)`, backticks, `$((…))`, `$[…]`,
  process substitutions `<(…)`/`>(…)`, globs and brace expansion (which make a word dynamic);
- control operators `; & && || | |& ;; ;& ;;& ( )`, redirections with their fd
  (`2>`, `&>`, `>|`, `<>`, `<<`, `<<-`, `<<<`, `{fd}>`), here-document bodies (read after the
  line that opens them, expanded unless the delimiter is quoted), and `((…))` arithmetic commands.

A `Word` knows its literal `value` when nothing in it expands, or None; whether it always stays
one field (`single`); the substitutions it contains (parsed on demand into a Script); and the
expansions that could run code by themselves (`risky`: arithmetic on variables, `${x[…]}`,
`${!x}`, `${x@P}`). Nothing raises: what the lexer cannot read becomes a `problems` entry, and
`incomplete` says when more text could still finish the input (an open quote, a heredoc never
closed, a `$(` never closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.shell.parser import Script

WORD = "word"
OP = "op"  # control operator: ; & && || | |& ;; ;& ;;& ( )
REDIR = "redir"  # < > >> >| <> <& >& &> &>> << <<- <<<
NEWLINE = "newline"
COMMENT = "comment"
ARITH = "arith"  # a `(( … ))` arithmetic command

_BLANK = " \t"
_META = " \t\n;&|()<>"
_CONTROL_OPS = (";;&", ";;", ";&", "&&", "||", "|&", ";", "&", "|", "(", ")")
_REDIR_OPS = ("<<<", "<<-", "&>>", "<<", "<>", "<&", ">>", ">&", ">|", "&>", "<", ">")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACE = re.compile(r"\{.*(?:,|\.\.).*\}", re.S)  # {a,b} or {1..3}: brace expansion ({} alone is not)
_FD_REDIR = re.compile(r"(\d+|\{[A-Za-z_][A-Za-z0-9_]*\})(?=[<>])")
# arithmetic that cannot run code: numbers and operators only (a variable's value is itself
# evaluated as arithmetic, and `a[$(cmd)]` in it runs cmd)
_SAFE_ARITH = re.compile(r"[0-9\s+\-*/%<>=!&|^~?:(),]*")
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


@dataclass(frozen=True, slots=True)
class Substitution:
    """`$(…)`, `` `…` ``, `<(…)` or `>(…)`: a command list run while the word is expanded."""

    kind: str  # "$(", "`", "<(", ">("
    text: str  # the inner command text (backtick escapes already removed)

    @property
    def script(self) -> Script:
        from cockpit.shell.parser import parse

        return parse(self.text)


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word as written. `value` is its literal text after quote removal when nothing in
    it expands (no `$…`, substitution, glob, brace or tilde), else None. `single`: it expands to
    exactly one field (no unquoted expansion, glob or brace expansion, no `"$@"`)."""

    text: str
    value: str | None
    single: bool = True
    quoted: bool = False
    substitutions: tuple[Substitution, ...] = ()
    expansions: tuple[str, ...] = ()  # "$NS", "${x:-y}", "$((1+2))", "*", "{a,b}", "~"
    risky: tuple[str, ...] = ()  # expansions that can run code by themselves, with why
    start: int = 0
    end: int = 0
    prefix: str = ""  # the literal text before the first expansion ("pod/" in "pod/$NAME")

    @property
    def literal(self) -> bool:
        return self.value is not None

    def is_(self, *values: str) -> bool:
        """True when the word is literally one of `values` (a dynamic word is none of them)."""
        return self.value is not None and self.value in values


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A here-document: its delimiter, whether the body is expanded, and the body."""

    delimiter: str
    expanded: bool  # False when the delimiter was quoted (`<<'EOF'`): the body is literal
    strip_tabs: bool
    body: str
    word: Word | None  # the body read as a double-quoted word (its substitutions), when expanded
    closed: bool = True
    end: int = 0  # where the body (and its delimiter line) ends in the source


@dataclass(slots=True)
class Token:
    kind: str
    text: str
    start: int
    end: int
    word: Word | None = None  # WORD, ARITH
    fd: str = ""  # REDIR: "2", "{fd}" or ""
    heredoc: Heredoc | None = None  # REDIR << / <<-
    after_heredocs: int = 0  # NEWLINE: where the text resumes after the bodies it ends


@dataclass(slots=True)
class _Builder:
    """Accumulates the parts of one word."""

    value: list[str] = field(default_factory=list)
    dynamic: bool = False
    single: bool = True
    quoted: bool = False
    subs: list[Substitution] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    risky: list[str] = field(default_factory=list)
    prefix: str | None = None

    def build(self, text: str, start: int, end: int) -> Word:
        return Word(
            text=text,
            value=None if self.dynamic else "".join(self.value),
            single=self.single,
            quoted=self.quoted,
            substitutions=tuple(self.subs),
            expansions=tuple(self.expansions),
            risky=tuple(self.risky),
            start=start,
            end=end,
            prefix="".join(self.value) if self.prefix is None else self.prefix,
        )

    def expand(self, text: str, *, quoted: bool) -> None:
        if self.prefix is None:
            self.prefix = "".join(self.value)
        self.dynamic = True
        self.expansions.append(text)
        if not quoted:
            self.single = False


def decode_ansi_c(body: str) -> str:
    """The value of `$'body'` (bash's ANSI-C quoting)."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        i += 2
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
        elif e in "01234567":
            digits = re.match(r"[0-7]{1,2}", body[i:])
            extra = digits.group(0) if digits else ""
            out.append(chr(int(e + extra, 8) & 0xFF))
            i += len(extra)
        elif e in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[e]
            digits = re.match(f"[0-9A-Fa-f]{{1,{limit}}}", body[i:])
            if not digits:
                out.append("\\" + e)
                continue
            i += len(digits.group(0))
            code = int(digits.group(0), 16)
            out.append(chr(code) if code < 0x110000 else "\ufffd")
        elif e == "c" and i < n:
            out.append(chr(ord(body[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + e)
    return "".join(out)


class Lexer:
    """Reads `src` into tokens. One instance per source text; substitutions are read in place."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.n = len(src)
        self.i = 0
        self.problems: list[str] = []
        self.incomplete = ""  # why more text could still complete the input
        self.bashisms: list[str] = []  # what a POSIX sh (dash) reads differently from bash
        self._pending: list[tuple[Token, str, bool, bool]] = []  # heredocs waiting for their body

    # ---- errors ------------------------------------------------------------------------------

    def _unfinished(self, why: str) -> None:
        if not self.incomplete:
            self.incomplete = why
        self.problems.append(why)

    # ---- the token stream ----------------------------------------------------------------------

    def tokens(self, *, until_paren: bool = False) -> list[Token]:
        """Tokens up to the end, or (for `$(…)`) up to the `)` that closes the substitution,
        which is consumed and not returned."""
        out: list[Token] = []
        depth = 0
        cases = 0  # open `case … esac` inside a substitution
        src = self.src
        while self.i < self.n:
            c = src[self.i]
            if c in _BLANK:
                self.i += 1
                continue
            if c == "\\" and src.startswith("\\\n", self.i):
                self.i += 2
                continue
            start = self.i
            if c == "\n":
                self.i += 1
                tok = Token(NEWLINE, "\n", start, self.i)
                self._read_heredocs()
                tok.after_heredocs = self.i
                out.append(tok)
                continue
            if c == "#":
                end = src.find("\n", self.i)
                self.i = self.n if end < 0 else end
                out.append(Token(COMMENT, src[start : self.i], start, self.i))
                continue
            if c == "(" and src.startswith("((", self.i) and _command_position(out):
                arith = self._arith_command()
                if arith is not None:
                    out.append(arith)
                    continue
            if c in "<>" and src.startswith("(", self.i + 1):
                out.append(self._word_token())
                continue
            fd = _FD_REDIR.match(src, self.i)
            if fd is not None:
                self.i = fd.end()
                out.append(self._redirect(start, fd.group(1)))
                continue
            if c in "<>" or src.startswith(("&>", "&>>"), self.i):
                out.append(self._redirect(start, ""))
                continue
            if c in ";&|()":
                op = next(o for o in _CONTROL_OPS if src.startswith(o, self.i))
                if cases:
                    pass  # `x)` and `(x)` are case patterns, not the end of the substitution
                elif until_paren and op == "(":
                    depth += 1
                elif until_paren and op == ")":
                    if depth == 0:
                        self.i += 1
                        return out
                    depth -= 1
                if op == "|&":
                    self.bashisms.append("|&")
                self.i += len(op)
                out.append(Token(OP, op, start, self.i))
                continue
            at_command = _command_position(out)
            word = self._word_token()
            if until_paren and at_command and word.text == "case":
                cases += 1
            elif until_paren and cases and word.text == "esac":
                cases -= 1
            out.append(word)
        if until_paren:
            self._unfinished("unclosed $( … ) or ( … )")
        if self._pending:
            for _tok, delim, _quoted, _strip in self._pending:
                self._unfinished(f"heredoc '{delim}' has no body (no newline after it)")
            self._pending.clear()
        return out

    def _redirect(self, start: int, fd: str) -> Token:
        op = next(o for o in _REDIR_OPS if self.src.startswith(o, self.i))
        if op in ("<<<", "&>", "&>>"):
            self.bashisms.append(f"the {op} redirection")
        self.i += len(op)
        tok = Token(REDIR, op, start, self.i, fd=fd)
        if op in ("<<", "<<-"):
            while self.i < self.n and self.src[self.i] in _BLANK:
                self.i += 1
            if self.i >= self.n or self.src[self.i] in _META:
                self.problems.append(f"{op} without a delimiter")
                return tok
            word = self._word()
            tok.word = word
            tok.end = self.i
            delim = re.sub(r"[\"'\\]", "", word.text)
            if word.text.startswith(("$'", '$"')):
                delim = delim[1:]
            self._pending.append((tok, delim, word.quoted, op == "<<-"))
        return tok

    def _read_heredocs(self) -> None:
        """Read the bodies of the heredocs opened on the line that just ended."""
        pending, self._pending = self._pending, []
        for tok, delim, quoted, strip_tabs in pending:
            body_start = self.i
            closed = False
            lines: list[str] = []
            while self.i < self.n:
                end = self.src.find("\n", self.i)
                line_end = self.n if end < 0 else end
                line = self.src[self.i : line_end]
                self.i = line_end + 1 if end >= 0 else self.n
                check = line.lstrip("\t") if strip_tabs else line
                if check == delim:
                    closed = True
                    break
                lines.append(check)
            if not closed:
                self._unfinished(f"heredoc '{delim}' is never closed")
            body = "".join(line + "\n" for line in lines)
            word = None
            if not quoted:
                sub = Lexer(body)
                builder = _Builder()
                sub._double_quoted(builder, terminator=None)
                word = builder.build(body, body_start, self.i)
                self.problems.extend(sub.problems)
            tok.heredoc = Heredoc(delim, not quoted, strip_tabs, body, word, closed, self.i)

    def _arith_command(self) -> Token | None:
        """`(( expr ))` at command position; None (nothing consumed) when it is `( (…) )`."""
        start = self.i
        end = _matching_double_paren(self.src, start + 2)
        if end is None:
            return None
        expr = self.src[start + 2 : end]
        self.i = end + 2
        builder = _Builder()
        self._arith_expansion(builder, f"(({expr}))", expr, quoted=True)
        return Token(ARITH, self.src[start : self.i], start, self.i, word=builder.build(expr, start, self.i))

    # ---- words -------------------------------------------------------------------------------

    def _word_token(self) -> Token:
        start = self.i
        word = self._word()
        return Token(WORD, word.text, start, self.i, word=word)

    def _word(self) -> Word:
        src, n = self.src, self.n
        start = self.i
        b = _Builder()
        unquoted_chars: list[str] = []
        while self.i < n:
            c = src[self.i]
            if c in "<>" and src.startswith("(", self.i + 1):
                self._process_substitution(b)
                continue
            if c in _META:
                break
            if c == "\\":
                if self.i + 1 >= n:
                    self.i += 1
                    b.value.append("\\")  # a trailing backslash is kept by bash
                    continue
                nxt = src[self.i + 1]
                self.i += 2
                if nxt != "\n":
                    b.value.append(nxt)
                    b.quoted = True
                continue
            if c == "'":
                end = src.find("'", self.i + 1)
                b.quoted = True
                if end < 0:
                    self._unfinished("unterminated ' quote")
                    b.value.append(src[self.i + 1 :])
                    self.i = n
                    break
                b.value.append(src[self.i + 1 : end])
                self.i = end + 1
                continue
            if c == '"':
                b.quoted = True
                self.i += 1
                self._double_quoted(b, terminator='"')
                continue
            if c == "`":
                self._backtick(b, in_dquote=False)
                continue
            if c == "$":
                self._dollar(b, in_dquote=False)
                continue
            if c in "*?" or (c == "[" and _closes_bracket(src, self.i + 1)):
                b.expand(c, quoted=False)  # a glob: what it matches depends on the directory
            elif c == "~" and self.i == start:
                b.expand("~", quoted=True)
            unquoted_chars.append(c)
            b.value.append(c)
            self.i += 1
        plain = "".join(unquoted_chars)
        if _BRACE.search(plain):
            b.prefix = ""  # brace expansion may make several words of it, any of them first
            b.expand("{…}", quoted=False)
        return b.build(src[start : self.i], start, self.i)

    def _double_quoted(self, b: _Builder, terminator: str | None) -> None:
        """Read the inside of "…" (or a heredoc body when `terminator` is None)."""
        src, n = self.src, self.n
        escapable = '$`"\\\n' if terminator else "$`\\\n"
        while self.i < n:
            c = src[self.i]
            if terminator and c == terminator:
                self.i += 1
                return
            if c == "\\" and self.i + 1 < n and src[self.i + 1] in escapable:
                if src[self.i + 1] != "\n":
                    b.value.append(src[self.i + 1])
                self.i += 2
                continue
            if c == "`":
                self._backtick(b, in_dquote=True)
                continue
            if c == "$":
                self._dollar(b, in_dquote=True)
                continue
            b.value.append(c)
            self.i += 1
        if terminator:
            self._unfinished('unterminated " quote')

    def _backtick(self, b: _Builder, *, in_dquote: bool) -> None:
        src, n = self.src, self.n
        start = self.i
        self.i += 1
        inner: list[str] = []
        escapable = '$`\\"' if in_dquote else "$`\\"
        while self.i < n:
            c = src[self.i]
            if c == "\\" and self.i + 1 < n:
                nxt = src[self.i + 1]
                if nxt in escapable:
                    inner.append(nxt)
                elif nxt != "\n":
                    inner.append(c + nxt)
                self.i += 2
                continue
            if c == "`":
                self.i += 1
                b.subs.append(Substitution("`", "".join(inner)))
                b.expand(src[start : self.i], quoted=in_dquote)
                return
            inner.append(c)
            self.i += 1
        self._unfinished("unterminated ` backquote")
        b.subs.append(Substitution("`", "".join(inner)))
        b.expand(src[start:], quoted=in_dquote)

    def _process_substitution(self, b: _Builder) -> None:
        self.bashisms.append("process substitution")
        start = self.i
        kind = self.src[self.i : self.i + 2]
        self.i += 2
        inner_start = self.i
        self.tokens(until_paren=True)
        inner = self.src[inner_start : max(inner_start, self.i - 1)]
        b.subs.append(Substitution(kind, inner))
        b.expand(self.src[start : self.i], quoted=True)

    def _dollar(self, b: _Builder, *, in_dquote: bool) -> None:
        src, n = self.src, self.n
        start = self.i
        nxt = src[self.i + 1] if self.i + 1 < n else ""
        if nxt == "(" and src.startswith("((", self.i + 1):
            end = _matching_double_paren(src, self.i + 3)
            if end is not None:
                self.i = end + 2
                self._arith_expansion(b, src[start : self.i], src[start + 3 : end], quoted=in_dquote)
                return
        if nxt == "(":
            self.i += 2
            inner_start = self.i
            self.tokens(until_paren=True)
            inner = src[inner_start : max(inner_start, self.i - 1)]
            b.subs.append(Substitution("$(", inner))
            b.expand(src[start : self.i], quoted=in_dquote)
            return
        if nxt == "[":
            end = src.find("]", self.i + 2)
            if end < 0:
                self._unfinished("unterminated $[ … ]")
                self.i = n
                return
            self.i = end + 1
            self._arith_expansion(b, src[start : self.i], src[start + 2 : end], quoted=in_dquote)
            return
        if nxt == "{":
            self._parameter(b, in_dquote=in_dquote)
            return
        if nxt == "'" and not in_dquote:
            self.bashisms.append("$'…' quoting")
            end = _ansi_c_end(src, self.i + 2)
            b.quoted = True
            if end is None:
                self._unfinished("unterminated $' quote")
                b.value.append(decode_ansi_c(src[self.i + 2 :]))
                self.i = n
                return
            b.value.append(decode_ansi_c(src[self.i + 2 : end]))
            self.i = end + 1
            return
        if nxt == '"' and not in_dquote:
            self.bashisms.append('$"…" quoting')
            b.quoted = True
            self.i += 2
            self._double_quoted(b, terminator='"')
            return
        name = _NAME.match(src, self.i + 1)
        if name is not None:
            self.i = name.end()
            b.expand(src[start : self.i], quoted=in_dquote)
            return
        if nxt and nxt in "@*#?$!-0123456789":
            self.i += 2
            # "$@" is one field per positional parameter, quoted or not
            b.expand(src[start : self.i], quoted=in_dquote and nxt != "@")
            return
        b.value.append("$")
        self.i += 1

    def _arith_expansion(self, b: _Builder, text: str, expr: str, *, quoted: bool) -> None:
        b.expand(text, quoted=quoted)
        if _SAFE_ARITH.fullmatch(expr) is None:
            b.risky.append(f"arithmetic {text} evaluates what it names or runs, which can run commands")
            # its command substitutions still run: read them as such
            sub = Lexer(expr)
            inner = _Builder()
            sub._double_quoted(inner, terminator=None)
            b.subs.extend(inner.subs)

    def _parameter(self, b: _Builder, *, in_dquote: bool) -> None:
        """`${…}`: find its end (nested quotes, substitutions, braces) and judge its operator."""
        src, n = self.src, self.n
        start = self.i
        self.i += 2
        inner = _Builder()
        depth = 1
        while self.i < n:
            c = src[self.i]
            if c == "}":
                depth -= 1
                if depth == 0:
                    self.i += 1
                    break
                self.i += 1
                continue
            if c == "{":
                depth += 1
                self.i += 1
            elif c == "\\":
                self.i += 2
            elif c == "'" and not in_dquote:
                end = src.find("'", self.i + 1)
                self.i = n if end < 0 else end + 1
            elif c == '"':
                self.i += 1
                self._double_quoted(inner, terminator='"')
            elif c == "`":
                self._backtick(inner, in_dquote=True)
            elif c == "$":
                self._dollar(inner, in_dquote=True)
            else:
                self.i += 1
        else:
            self._unfinished("unterminated ${ … }")
        text = src[start : self.i]
        b.subs.extend(inner.subs)
        b.risky.extend(inner.risky)
        b.expand(text, quoted=in_dquote)
        why = _risky_parameter(text[2:-1] if text.endswith("}") else text[2:])
        if why:
            b.risky.append(f"{text}: {why}")


def _risky_parameter(body: str) -> str:
    """Why `${body}` can run code by itself, or "" (subscripts, offsets, indirection, @P)."""
    m = re.match(r"#?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])", body)
    if body.startswith("!") and not re.fullmatch(r"![A-Za-z_][A-Za-z0-9_]*[*@]", body):
        return "indirect expansion evaluates a name taken from a variable"
    if m is None:
        return "an expansion the cockpit does not model"
    rest = body[m.end() :]
    if rest.startswith("["):
        return "an array subscript is evaluated as arithmetic"
    if rest.startswith("@"):
        return "a transformation such as @P can run commands"
    offset = rest.startswith(":") and rest[1:2] not in ("-", "=", "+", "?")
    if offset and not re.fullmatch(r":\s*-?\d+\s*(?::\s*-?\d+\s*)?", rest):
        return "a substring offset is evaluated as arithmetic"
    return ""


def _closes_bracket(src: str, i: int) -> bool:
    """Is the `[` before `i` closed by a `]` in the same word (a glob bracket, not a lone `[`)?"""
    while i < len(src) and src[i] not in _META:
        if src[i] == "]":
            return True
        i += 1
    return False


def _ansi_c_end(src: str, i: int) -> int | None:
    while i < len(src):
        if src[i] == "\\":
            i += 2
            continue
        if src[i] == "'":
            return i
        i += 1
    return None


def _matching_double_paren(src: str, i: int) -> int | None:
    """Index of the `))` closing an arithmetic expression whose text starts at `i`, or None
    when the parentheses do not close as `))` (then it is a nested subshell, not arithmetic)."""
    depth = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c in "'\"":
            end = src.find(c, i + 1)
            if end < 0:
                return None
            i = end + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i if src.startswith("))", i) else None
            depth -= 1
        i += 1
    return None


def _command_position(out: list[Token]) -> bool:
    prev = next((t for t in reversed(out) if t.kind != COMMENT), None)
    if prev is None or prev.kind == NEWLINE:
        return True
    if prev.kind == OP:
        return True
    return prev.kind == WORD and prev.text in ("do", "then", "else", "elif", "{", "!", "time", "for")


def tokenize(src: str) -> list[Token]:
    """Every token of `src` (comments included). See `Lexer` for `problems` and `incomplete`."""
    return Lexer(src).tokens()
