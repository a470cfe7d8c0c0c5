"""Shell tokens -> the commands they run: simple commands, compound commands, statements.

`parse(text)` returns a `Script`:

- `commands`: every simple command in the text, however nested (`if`, `for`, `while`, `case`,
  `{ …; }`, `( … )`, function bodies, pipelines, `&&`/`||` lists), in source order, each with its
  words, leading `NAME=value` assignments and redirections. Commands inside substitutions are
  not in this list; `Script.walk()` yields them too (by parsing each substitution).
  `[[ … ]]`, `(( … ))`, `for` word lists and `case` words are listed as commands of their own
  kind (`cond`, `arith`, `words`) so their expansions are not lost.
- `statements`: the top-level commands one per line (what an operator runs one at a time): a
  statement ends at a newline outside any quote, compound command or heredoc; `a; b` and `a && b`
  on one line stay one statement; a trailing `&` marks it `background`.
- `functions`: names of functions the text defines (`f() {…}`, `function f {…}`).
- `problems`: what could not be read with certainty (unexpected `fi`, an unclosed `if`, …), and
  `incomplete`: "" when the text is complete, else why more lines are needed.

Nothing raises. The parser is for deciding what a command does; it does not execute anything.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from cockpit.shell.lexer import ARITH, COMMENT, NEWLINE, OP, REDIR, WORD, Heredoc, Lexer, Token, Word

_RESERVED_TEXT = (
    "if then else elif fi do done case esac while until for select in function time { } ! [[ ]] coproc"
)
RESERVED = frozenset(_RESERVED_TEXT.split())
_LIST_END = frozenset({";;", ";&", ";;&", ")"})


@dataclass(frozen=True, slots=True)
class Redirect:
    op: str  # "<", ">", ">>", ">|", "<>", "<&", ">&", "&>", "&>>", "<<", "<<-", "<<<"
    fd: str  # "2", "{fd}" or "" (the default for the operator)
    target: Word | None  # the file, fd or here-string word (None for heredocs and missing targets)
    heredoc: Heredoc | None = None

    @property
    def is_output(self) -> bool:
        return self.op in (">", ">>", ">|", "<>", "&>", "&>>", ">&")


@dataclass(slots=True)
class SimpleCommand:
    """A simple command: `NAME=v … word word … <redirections>`.

    `kind` is "simple" for a command that runs a program or builtin, "cond" for `[[ … ]]` (its
    words are the expression), "arith" for `(( … ))` (one word, the expression), "words" for
    words that are only expanded (a `for` list, a `case` subject or pattern)."""

    words: list[Word] = field(default_factory=list)
    assignments: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    kind: str = "simple"
    start: int = 0
    end: int = 0

    @property
    def values(self) -> list[str | None]:
        """Each word's literal value (None for a word that expands)."""
        return [w.value for w in self.words]

    def all_words(self) -> Iterator[Word]:
        """Every word that is expanded when the command runs, redirection targets and heredoc
        bodies included."""
        yield from self.assignments
        yield from self.words
        for r in self.redirects:
            if r.target is not None:
                yield r.target
            if r.heredoc is not None and r.heredoc.word is not None:
                yield r.heredoc.word


@dataclass(frozen=True, slots=True)
class Statement:
    """One top-level command line as written (heredoc bodies included, a trailing comment not)."""

    text: str
    start: int
    end: int
    line: int  # 1-based line of its first character
    end_line: int
    background: bool  # ends with `&`


@dataclass(slots=True)
class Script:
    source: str
    commands: list[SimpleCommand] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    constructs: list[str] = field(default_factory=list)  # "if", "for", "(", "{", "case", "[[", …
    problems: list[str] = field(default_factory=list)
    incomplete: str = ""
    bashisms: list[str] = field(default_factory=list)  # what a POSIX sh reads differently

    def walk(self, max_depth: int = 8) -> Iterator[tuple[int, SimpleCommand]]:
        """(depth, command) for every command, those in substitutions included (depth >= 1).
        Past `max_depth` nested substitutions, yields a command of kind "too-deep"."""
        for command in self.commands:
            yield 0, command
            for word in command.all_words():
                for sub in word.substitutions:
                    if max_depth <= 0:
                        yield 1, SimpleCommand(kind="too-deep")
                        continue
                    for depth, inner in sub.script.walk(max_depth - 1):
                        yield depth + 1, inner

    def all_problems(self, max_depth: int = 8) -> list[str]:
        """Problems of this text and of every substitution in it."""
        found = list(self.problems)
        if max_depth <= 0:
            return found
        for command in self.commands:
            for word in command.all_words():
                for sub in word.substitutions:
                    found.extend(sub.script.all_problems(max_depth - 1))
        return found


class _Parser:
    def __init__(self, src: str, tokens: list[Token]) -> None:
        self.src = src
        self.toks = [t for t in tokens if t.kind != COMMENT]
        self.k = 0
        self.script = Script(src)

    # ---- token helpers ------------------------------------------------------------------------

    def peek(self) -> Token | None:
        return self.toks[self.k] if self.k < len(self.toks) else None

    def reserved(self, tok: Token | None, *words: str) -> bool:
        """Is `tok` the unquoted reserved word (one of `words`, or any when none given)?"""
        if tok is None or tok.kind != WORD or tok.word is None or tok.word.quoted:
            return False
        return tok.text in words if words else tok.text in RESERVED

    def _next_is(self, op: str) -> bool:
        return self.k + 1 < len(self.toks) and self.is_op(self.toks[self.k + 1], op)

    def is_op(self, tok: Token | None, *ops: str) -> bool:
        return tok is not None and tok.kind == OP and tok.text in ops

    def skip_newlines(self) -> None:
        while (tok := self.peek()) is not None and tok.kind == NEWLINE:
            self.k += 1

    def problem(self, why: str) -> None:
        self.script.problems.append(why)

    def expect(self, word: str, opened: str) -> None:
        self.skip_newlines()
        if self.reserved(self.peek(), word):
            self.k += 1
        else:
            self.missing(word, opened)

    def missing(self, word: str, opened: str) -> None:
        tok = self.peek()
        if tok is None:
            self.script.incomplete = self.script.incomplete or f"'{opened}' without '{word}'"
        self.problem(f"'{opened}' without '{word}'" + (f" (found {tok.text!r})" if tok else ""))

    # ---- grammar ------------------------------------------------------------------------------

    def parse(self) -> Script:
        while True:
            self.skip_newlines()
            tok = self.peek()
            if tok is None:
                break
            first = self.k
            self.statement()
            last = self.toks[self.k - 1] if self.k > first else None
            if last is None:  # nothing consumed: an unexpected token
                self.problem(f"unexpected {tok.text!r}")
                self.k += 1
                continue
            self._add_statement(first, self.k)
        return self.script

    def statement(self) -> None:
        """and-or lists separated by ; or &, up to the end of the line."""
        while True:
            tok = self.peek()
            if tok is None or tok.kind == NEWLINE:
                return
            if (tok.kind == OP and tok.text in _LIST_END) or self.reserved(tok, *_CLOSERS):
                self.problem(f"unexpected {tok.text!r}")
                self.k += 1
                continue
            self.and_or()
            tok = self.peek()
            if self.is_op(tok, ";", "&"):
                self.k += 1

    def _add_statement(self, first: int, end: int) -> None:
        toks = self.toks[first:end]
        start, stop = toks[0].start, toks[-1].end
        for tok in toks:
            if tok.heredoc is not None:
                stop = max(stop, tok.heredoc.end)
        text = self.src[start:stop].rstrip("\n")
        self.script.statements.append(
            Statement(
                text=text,
                start=start,
                end=start + len(text),
                line=_line_of(self.src, start),
                end_line=_line_of(self.src, max(start, start + len(text) - 1)),
                background=toks[-1].kind == OP and toks[-1].text == "&",
            )
        )

    def compound_list(self, *terminators: str) -> None:
        """Commands until one of the reserved `terminators` (not consumed), `)` or a case `;;`."""
        while True:
            self.skip_newlines()
            tok = self.peek()
            if tok is None or (terminators and self.reserved(tok, *terminators)):
                return
            if tok.kind == OP and tok.text in _LIST_END:
                return
            if self.reserved(tok, *_CLOSERS):
                self.problem(f"unexpected {tok.text!r}")
                self.k += 1
                continue
            self.and_or()
            if self.is_op(self.peek(), ";", "&"):
                self.k += 1

    def and_or(self) -> None:
        self.pipeline()
        while self.is_op(self.peek(), "&&", "||"):
            self.k += 1
            self.skip_newlines()
            if self.peek() is None:
                self.script.incomplete = self.script.incomplete or "the line ends with && or ||"
                self.problem("&& or || with nothing after it")
                return
            self.pipeline()

    def pipeline(self) -> None:
        while (tok := self.peek()) is not None and self.reserved(tok, "time", "!"):
            if tok.text == "time":
                self.k += 1
                nxt = self.peek()
                if nxt is not None and nxt.kind == WORD and nxt.text in ("-p", "--"):
                    self.k += 1
            else:
                self.k += 1
        self.command()
        while self.is_op(self.peek(), "|", "|&"):
            self.k += 1
            self.skip_newlines()
            if self.peek() is None:
                self.script.incomplete = self.script.incomplete or "the line ends with |"
                self.problem("| with nothing after it")
                return
            self.command()

    def command(self) -> None:
        tok = self.peek()
        if tok is None:
            self.problem("a command is missing")
            return
        if tok.kind == ARITH:
            self.k += 1
            self.script.constructs.append("((")
            assert tok.word is not None
            self.script.commands.append(SimpleCommand([tok.word], kind="arith", start=tok.start, end=tok.end))
            self.trailing_redirects()
            return
        if self.is_op(tok, "("):
            self.k += 1
            self.script.constructs.append("(")
            self.compound_list()
            if self.is_op(self.peek(), ")"):
                self.k += 1
            else:
                self.missing(")", "(")
            self.trailing_redirects()
            return
        if tok.kind == OP:
            self.problem(f"unexpected {tok.text!r}")
            self.k += 1
            return
        if self.reserved(tok):
            handler = _COMPOUND.get(tok.text)
            if handler is not None:
                self.k += 1
                self.script.constructs.append(tok.text)
                handler(self)
                self.trailing_redirects()
                return
            if tok.text not in ("time", "!"):
                self.problem(f"unexpected {tok.text!r}")
                self.k += 1
                return
        self.simple_command()

    def trailing_redirects(self) -> None:
        """Redirections after a compound command apply to all of it."""
        redirects: list[Redirect] = []
        while (tok := self.peek()) is not None and tok.kind == REDIR:
            redirects.append(self.redirect())
        if redirects:
            self.script.commands.append(SimpleCommand(redirects=redirects, kind="words"))

    def redirect(self) -> Redirect:
        tok = self.toks[self.k]
        self.k += 1
        if tok.text in ("<<", "<<-"):
            return Redirect(tok.text, tok.fd, None, tok.heredoc)
        target = self.peek()
        if target is None or target.kind != WORD:
            self.problem(f"{tok.text} without a target")
            return Redirect(tok.text, tok.fd, None)
        self.k += 1
        return Redirect(tok.text, tok.fd, target.word)

    def simple_command(self) -> None:
        cmd = SimpleCommand(start=self.toks[self.k].start)
        while (tok := self.peek()) is not None:
            if tok.kind == REDIR:
                cmd.redirects.append(self.redirect())
                continue
            if tok.kind != WORD:
                break
            assert tok.word is not None
            if not cmd.words and _is_assignment(tok.text):
                cmd.assignments.append(tok.word)
                if "[" in tok.text.split("=", 1)[0]:
                    self.problem(f"{tok.text}: an array subscript is evaluated as arithmetic")
                self.k += 1
                if self.is_op(self.peek(), "(") and tok.text.endswith("="):  # NAME=( array )
                    self.k += 1
                    while (t := self.peek()) is not None and not self.is_op(t, ")"):
                        if t.kind == WORD and t.word is not None:
                            cmd.assignments.append(t.word)
                        self.k += 1
                    if t is None:
                        self.missing(")", f"{tok.text}(")
                    else:
                        self.k += 1
                continue
            cmd.words.append(tok.word)
            self.k += 1
            # name () compound-command: a function definition
            if len(cmd.words) == 1 and self.is_op(self.peek(), "(") and self._next_is(")"):
                self.k += 2
                self.function_body(tok.text)
                return
        cmd.end = self.toks[self.k - 1].end if self.k else cmd.start
        if cmd.words or cmd.assignments or cmd.redirects:
            self.script.commands.append(cmd)
        else:
            tok = self.peek()
            self.problem(f"unexpected {tok.text!r}" if tok else "a command is missing")

    def function_body(self, name: str) -> None:
        self.script.functions.append(name)
        self.script.constructs.append("function")
        self.skip_newlines()
        self.command()

    def words_until(self, *stops: str) -> SimpleCommand:
        """WORD tokens up to a `;`, newline or one of the reserved `stops`, as an expanded list."""
        cmd = SimpleCommand(kind="words")
        while (tok := self.peek()) is not None and tok.kind == WORD and not self.reserved(tok, *stops):
            cmd.words.append(_word(tok))
            self.k += 1
        self.script.commands.append(cmd)
        return cmd


def _word(tok: Token) -> Word:
    """The word of a WORD or ARITH token (the lexer builds one for every token of those kinds)."""
    assert tok.word is not None, tok
    return tok.word


def _parse_if(p: _Parser) -> None:
    p.compound_list("then")
    p.expect("then", "if")
    p.compound_list("elif", "else", "fi")
    while p.reserved(p.peek(), "elif"):
        p.k += 1
        p.compound_list("then")
        p.expect("then", "elif")
        p.compound_list("elif", "else", "fi")
    if p.reserved(p.peek(), "else"):
        p.k += 1
        p.compound_list("fi")
    p.expect("fi", "if")


def _parse_loop(p: _Parser) -> None:
    p.compound_list("do")
    _do_done(p, "while")


def _do_done(p: _Parser, opened: str) -> None:
    p.skip_newlines()
    if p.reserved(p.peek(), "{"):  # bash also takes `for x in a; { …; }`
        p.k += 1
        p.compound_list("}")
        p.expect("}", "{")
        return
    p.expect("do", opened)
    p.compound_list("done")
    p.expect("done", opened)


def _parse_for(p: _Parser) -> None:
    tok = p.peek()
    if tok is not None and tok.kind == ARITH:
        p.k += 1
        p.script.commands.append(SimpleCommand(words=[_word(tok)], kind="arith"))
    elif tok is not None and tok.kind == WORD:
        p.k += 1
        p.skip_newlines()
        if p.reserved(p.peek(), "in"):
            p.k += 1
            p.words_until()
    else:
        p.missing("a variable name", "for")
        return
    if p.is_op(p.peek(), ";"):
        p.k += 1
    _do_done(p, "for")


def _parse_case(p: _Parser) -> None:
    tok = p.peek()
    if tok is None or tok.kind != WORD:
        p.missing("a word", "case")
        return
    p.script.commands.append(SimpleCommand(words=[_word(tok)], kind="words"))
    p.k += 1
    p.skip_newlines()
    if not p.reserved(p.peek(), "in"):
        p.missing("in", "case")
        return
    p.k += 1
    while True:
        p.skip_newlines()
        tok = p.peek()
        if tok is None:
            p.missing("esac", "case")
            return
        if p.reserved(tok, "esac"):
            p.k += 1
            return
        if p.is_op(tok, "("):
            p.k += 1
        patterns = SimpleCommand(kind="words")
        while (tok := p.peek()) is not None and (tok.kind == WORD or p.is_op(tok, "|")):
            if tok.kind == WORD:
                patterns.words.append(_word(tok))
            p.k += 1
        p.script.commands.append(patterns)
        if not p.is_op(p.peek(), ")"):
            p.missing(")", "case pattern")
            return
        p.k += 1
        p.compound_list("esac")
        if p.is_op(p.peek(), ";;", ";&", ";;&"):
            p.k += 1


def _parse_group(p: _Parser) -> None:
    p.compound_list("}")
    p.expect("}", "{")


def _parse_cond(p: _Parser) -> None:
    """`[[ … ]]`: every token up to `]]` is part of the expression (`<`, `&&`, `(` included)."""
    cmd = SimpleCommand(kind="cond", words=[Word("[[", "[[")])
    while (tok := p.peek()) is not None and not p.reserved(tok, "]]"):
        if tok.kind == NEWLINE:
            p.k += 1
            continue
        cmd.words.append(tok.word if tok.word is not None and tok.kind == WORD else Word(tok.text, tok.text))
        p.k += 1
    if tok is None:
        p.missing("]]", "[[")
    else:
        p.k += 1
    p.script.commands.append(cmd)


def _parse_function(p: _Parser) -> None:
    tok = p.peek()
    if tok is None or tok.kind != WORD:
        p.missing("a name", "function")
        return
    p.k += 1
    if p.is_op(p.peek(), "(") and p.k + 1 < len(p.toks) and p.is_op(p.toks[p.k + 1], ")"):
        p.k += 2
    p.script.constructs.pop()  # function_body records it
    p.function_body(tok.text)


_COMPOUND = {
    "if": _parse_if,
    "while": _parse_loop,
    "until": _parse_loop,
    "for": _parse_for,
    "select": _parse_for,
    "case": _parse_case,
    "{": _parse_group,
    "[[": _parse_cond,
    "function": _parse_function,
}
_CLOSERS = ("then", "else", "elif", "fi", "do", "done", "esac", "}", "in", "]]")


def _is_assignment(text: str) -> bool:
    name, eq, _ = text.partition("=")
    if not eq:
        return False
    name = name.removesuffix("+")
    if "[" in name and name.endswith("]"):
        name = name[: name.index("[")]
    return name.isidentifier() and name.isascii()


def _line_of(src: str, offset: int) -> int:
    return src.count("\n", 0, offset) + 1


@lru_cache(maxsize=2048)
def parse(text: str) -> Script:
    """The Script of `text` (cached: the same command is classified and shown many times).
    Treat the result as read-only."""
    lexer = Lexer(text)
    try:
        tokens = lexer.tokens()
        script = _Parser(text, tokens).parse()
    except RecursionError:  # thousands of nested $( ( { if: nobody writes that; read nothing of it
        return Script(text, problems=["commands nested too deep to read"])
    script.problems[:0] = lexer.problems
    script.incomplete = lexer.incomplete or script.incomplete
    script.bashisms = lexer.bashisms + [c for c in script.constructs if c in ("[[", "((", "function")]
    if script.functions and "function" not in script.bashisms and "function " in text:
        script.bashisms.append("function")
    return script


def line_starts(text: str) -> list[int]:
    """Offsets where each line of `text` starts (for mapping offsets to lines in bulk)."""
    return [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]


def line_at(starts: list[int], offset: int) -> int:
    """1-based line of `offset`, given `line_starts(text)`."""
    return bisect.bisect_right(starts, offset)
