"""Keep secrets out of everything the cockpit writes: journal, output side files, transcripts, screen.

- `redact(text)` masks secrets in a whole text; `redact_line(text)` in one line; `redact_value`
  walks JSON-like values (journal events).
- `StreamRedactor` does the same for command output arriving in chunks. It holds back an
  incomplete last line (`pending_preview()` gives it redacted as far as it can be) and follows
  multi-line structures: PEM private keys, the `data:`/`stringData:` of Secrets printed by
  `kubectl -o yaml|json`.
- `SecretBook` holds the secret values learned from what commands printed: every value under a
  Secret's `data`/`stringData`, with its base64-decoded (or encoded) form. A session keeps one
  book and hands it to every redactor, so a value seen once is masked wherever it shows up later
  (another command's output, a note, the journal), however it was decoded.
- `output_policy(cmd)` says what a command's output needs: ordinary redaction, Secret-aware
  redaction (it prints Secret objects), or withholding (it prints Secret values through a
  decoder the redactor cannot follow: jsonpath, go-template, `| base64 -d`, `| python3 -c ...`).

Speed: a chunk of output is scanned once by an Aho-Corasick automaton over the lower-cased text
for every rule's trigger words; only the lines holding a trigger (or inside a multi-line
structure) go through the rules their triggers call for, each rule running once over all the
lines of the chunk that need it. A clean chunk costs one lower() and one automaton pass.
Linear time: every regex here is written so that a match attempt does bounded work (bounded or
possessive repeats, run-start guards); tests/session/test_redact_linear.py checks each pattern.

The mask is `***`; the name of what was masked (user, flag, key) is kept so the text still reads.
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import ahocorasick_rs

MASK = "***"
HOLD_LIMIT = 64 * 1024  # an incomplete line longer than this is redacted and released anyway
BLOCK = 64 * 1024  # output is redacted in blocks of about this size (each C call stays short)
MIN_LEARNED = 6  # shorter Secret values are masked where printed but not hunted for elsewhere

# ---- one-line rules -------------------------------------------------------------------------------

_VALUE = r"""(?:"[^"\n]*+"?|'[^'\n]*+'?|[^\s"',;}&|]++)"""
_SECRET_WORD = (
    r"(?:password|passwd|passphrase|pwd|secret|token|credentials?"
    r"|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?key|account[_-]?key)"
)
# Keys that name a secret object rather than hold one (secretName: my-tls, tokenRef: ...).
_NOT_SECRET_KEY = re.compile(
    r"(?i)(?:name|names|ref|refs|path|file|namespace|type|kind|id|ttl|url|seconds|policy|length)$"
)
_PLAIN_VALUES = {"true", "false", "null", "none", "yes", "no", "<none>", "[]", "{}", "~", "''", '""'}
_PASSWORD_NAME = re.compile(r"(?i)pass|pwd|secret")

# key: value / key=value / "key": "value" where the key names a secret (DB_PASSWORD=..., password: x)
# The match starts at the secret word itself (what comes before it in the key is left as it is):
# the engine then only tries the few positions that start with p, s, t, c or a.
_KEY_VALUE = re.compile(
    r"(?i)(?P<key>(?P<name>"
    + _SECRET_WORD
    + r"[A-Za-z0-9_.-]{0,64}+)[\"']?)(?P<sep>[ \t]{0,8}[:=][ \t]{0,8})(?P<value>"
    + _VALUE
    + r")"
)
# Compact JSON Secret data (last-applied-configuration, -o json on one line): the opening only;
# the pairs up to the closing brace are found by _mask_compact_data.
_COMPACT_OPEN = re.compile(r"\"(?:data|stringData|binaryData)\"[ \t]{0,8}:[ \t]{0,8}\{")
_JSON_PAIR = re.compile(r"(\"[^\"\n]{1,256}\"[ \t]{0,8}:[ \t]{0,8})\"([^\"\n]*+)\"")
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")


def _key_value(match: re.Match[str]) -> str:
    value = match.group("value")
    name = match.group("name")
    bare = value.strip("\"'")
    if _NOT_SECRET_KEY.search(name) or not bare or bare.startswith("$") or bare == MASK:
        return match.group(0)
    if bare.lower() in _PLAIN_VALUES or (bare.isdigit() and not _PASSWORD_NAME.search(name)):
        return match.group(0)  # automountServiceAccountToken: false, tokenExpirationSeconds: 3600
    quote = value[0] if value[0] in "\"'" and value[-1] == value[0] and len(value) > 1 else ""
    return f"{match.group('key')}{match.group('sep')}{quote}{MASK}{quote}"


def _token_like(match: re.Match[str]) -> str:
    """Mask a prefixed token only when it looks generated (upper and lower case, or a digit and a
    letter), never a lower-case name such as a pod `sk-worker-7f9c`."""
    token = match.group(0)
    body = token[match.end("prefix") - match.start() :] if "prefix" in match.re.groupindex else token
    if any(c.isupper() for c in body) and any(c.islower() or c.isdigit() for c in body):
        return MASK
    return token


def _mask_pem_inline(text: str) -> str:
    """One-line PEM private keys (JSON strings with \\n escapes): BEGIN and END kept, body masked."""
    out: list[str] = []
    pos = 0
    while True:
        begin = _PEM_BEGIN.search(text, pos)
        if begin is None:
            break
        end = _PEM_END.search(text, begin.end())
        if end is None:
            break
        out.append(text[pos : begin.end()] + MASK)
        pos = end.start()
    out.append(text[pos:])
    return "".join(out)


def _mask_compact_data(text: str) -> str:
    """Mask the values of `"data": {...}` objects written on one line."""
    out: list[str] = []
    pos = 0
    close = -1
    for opening in _COMPACT_OPEN.finditer(text):
        if opening.start() < pos:
            continue
        if close < opening.end():
            close = text.find("}", opening.end())
        stop = close if close >= 0 else len(text)
        if text.find("{", opening.end(), stop) >= 0:
            continue  # a nested object: not a Secret's flat string map
        out.append(text[pos : opening.end()])
        out.append(_JSON_PAIR.sub(_compact_pair, text[opening.end() : stop]))
        pos = stop
    out.append(text[pos:])
    return "".join(out)


def _compact_pair(match: re.Match[str]) -> str:
    if match.group(2).lower() in _PLAIN_VALUES:  # {"data":{"bypassAcme":"true"}}: a switch
        return match.group(0)
    return f'{match.group(1)}"{MASK}"'


class _Sub:
    """A rule that is one `pattern.sub(repl, text)` (the pattern is kept for the linear-time check).

    `lower_scan`, for a case-insensitive pattern whose letters are all lower case (its classes
    hold a-z beside any A-Z) and that matches rarely: it is searched for by its case-sensitive
    twin in the lower-cased text, several times faster in `re`, and each match is taken again,
    anchored, on the original text for the replacement (a Python step per match: a loss for
    patterns that match on most lines, such as `Bearer x`)."""

    def __init__(
        self, pattern: str, repl: str | Callable[[re.Match[str]], str], *, lower_scan: bool = False
    ) -> None:
        self.pattern = re.compile(pattern)
        self.repl = repl
        self._twin = re.compile(pattern.removeprefix("(?i)")) if lower_scan else None

    def __call__(self, text: str) -> str:
        if self._twin is None:
            return self.pattern.sub(self.repl, text)
        low = text.lower()
        if len(low) != len(text):
            return self.pattern.sub(self.repl, text)
        out: list[str] = []
        pos = 0
        for found in self._twin.finditer(low):
            match = self.pattern.match(text, found.start())
            if match is None or match.end() != found.end():  # cannot happen; stay exact anyway
                return self.pattern.sub(self.repl, text)
            out.append(text[pos : found.start()])
            out.append(self.repl(match) if callable(self.repl) else match.expand(self.repl))
            pos = found.end()
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)


@dataclass(frozen=True, slots=True)
class _Rule:
    """A one-line rule: runs only on a line holding one of its (lower-case) trigger words."""

    name: str
    triggers: tuple[str, ...]
    apply: Callable[[str], str]
    batch: bool = True  # may run over many lines joined by newlines (no match crosses a newline)


_BOUNDARY = r"(?<![A-Za-z0-9_-])"  # a token starts a run of its characters: no search inside one
_RULES: tuple[_Rule, ...] = (
    _Rule("pem", ("-----begin",), _mask_pem_inline, batch=False),
    # Authorization: Bearer|Basic|Token xxx, and a bare "Bearer xxx".
    _Rule(
        "authorization",
        ("authorization",),
        _Sub(
            r"(?i)(authorization[ \t]{0,8}[:=][ \t]{0,8}[\"']?(?:(?:bearer|basic|token|digest)[ \t]{1,8})?)"
            r"[^\s\"',]++",
            rf"\1{MASK}",
        ),
    ),
    _Rule("bearer", ("bearer",), _Sub(r"(?i)\b(bearer)[ \t]{1,8}[A-Za-z0-9._~+/=-]{6,}+", rf"\1 {MASK}")),
    # Basic-auth URLs: scheme://user:pass@host
    _Rule(
        "url-credentials",
        ("://",),
        _Sub(r"(?<![a-zA-Z0-9+.-])([a-zA-Z][a-zA-Z0-9+.-]{0,31}://[^\s:/@]++:)[^\s/@]++@", rf"\1{MASK}@"),
    ),
    # curl -u user:pass, --user user:pass, --proxy-user
    _Rule(
        "user-option",
        ("-u", "--user", "--proxy-user"),
        _Sub(
            r"((?:^|(?<=\s))(?:-u|--user|--proxy-user|-U)[ \t]{0,8}=?[ \t]{0,8}[\"']?[^\s:\"']++:)[^\s\"']++",
            rf"\1{MASK}",
        ),
    ),
    # --password x, --password=x, --token x, --client-secret=x, --api-key x ...
    _Rule(
        "secret-option",
        ("pass", "token", "secret", "key", "cred"),
        _Sub(
            r"(?i)((?:^|(?<=\s))--?(?:[a-z0-9]{1,32}+[-_]){0,6}"
            r"(?:password|passwd|token|secret|api-?key|access-?key|account-?key|credentials?)"
            r"(?:[ \t]{1,8}|=))" + _VALUE,
            rf"\1{MASK}",
        ),
    ),
    # mysql -pSECRET
    _Rule(
        "mysql-p",
        ("mysql",),
        _Sub(r"(\bmysql(?:admin|dump)?\b[^\n]{0,512}?[ \t]-p)(?![ \t])\S++", rf"\1{MASK}"),
    ),
    # Credentials written as "user / pass": "Login: admin / secret", "credentials: u/p"
    _Rule(
        "login-pair",
        ("login", "log in", "log-in", "cred", "user", "account"),
        _Sub(
            r"(?i)(\b(?:log[ -]?in|credentials?|creds|user[ \t]{0,4}/[ \t]{0,4}pass(?:word)?"
            r"|account)\b[ \t]{0,8}[:=][ \t]{0,8}[^\s/]{1,256}[ \t]{0,8}/[ \t]{0,8})\S++",
            rf"\1{MASK}",
        ),
    ),
    # "(admin / dolphinscheduler123)": a parenthesised user / password-looking pair
    _Rule(
        "paren-pair",
        ("(",),
        _Sub(
            r"(\([ \t]{0,8}[A-Za-z][\w.@-]{0,40}[ \t]{0,8}/[ \t]{0,8})(?=[^\s)]{0,256}?(?:\d|_|[^\w\s)]))"
            r"([^\s)]{4,256})([ \t]{0,8}\))",
            rf"\1{MASK}\3",
        ),
    ),
    # "admin / s3cret" after a well-known account name, when the second word looks like a password
    _Rule(
        "account-pair",
        (" / ",),
        _Sub(
            r"(?i)(\b(?:admin|administrator|root|postgres|elastic|superuser|sa|guest) {1,8}/ {1,8})"
            r"(?=[^\s)]{0,256}?(?:\d|_|[^\w\s)]))([^\s)]{4,}+)",
            rf"\1{MASK}",
            lower_scan=True,
        ),
    ),
    # docker/helm/podman login -p SECRET
    _Rule(
        "login-p",
        ("login",),
        _Sub(
            r"(\b(?:docker|podman|nerdctl|helm|buildah|skopeo|oras|crane)\b[^\n]{0,512}?\blogin\b"
            r"[^\n]{0,512}?[ \t]-p[ \t]{0,8})\S++",
            rf"\1{MASK}",
        ),
    ),
    # Cloud and SaaS tokens recognised by their prefix.
    _Rule("aws-key-id", ("akia", "asia"), _Sub(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", MASK)),
    _Rule(
        "github",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        _Sub(_BOUNDARY + r"(?:gh[pousr]_[A-Za-z0-9]{20,}+|github_pat_[A-Za-z0-9_]{20,}+)", MASK),
    ),
    _Rule(
        "gitlab", ("glpat-", "gldt-", "glrt-"), _Sub(_BOUNDARY + r"gl(?:pat|dt|rt)-[A-Za-z0-9_-]{20,}+", MASK)
    ),
    _Rule("google-api-key", ("aiza",), _Sub(_BOUNDARY + r"AIza[0-9A-Za-z_-]{30,}+", MASK)),
    _Rule(
        "stripe",
        ("sk_live_", "rk_live_", "sk_test_", "rk_test_", "pk_live_", "pk_test_", "whsec_"),
        _Sub(_BOUNDARY + r"(?:[srp]k_(?:live|test)_|whsec_)[0-9A-Za-z]{16,}+", MASK),
    ),
    _Rule(
        "openai",
        ("sk-",),
        _Sub(_BOUNDARY + r"(?P<prefix>sk-(?:proj-|svcacct-|admin-|ant-)?)[A-Za-z0-9_-]{20,}+", _token_like),
    ),
    _Rule("npm", ("npm_",), _Sub(_BOUNDARY + r"npm_[A-Za-z0-9]{30,}+", MASK)),
    _Rule("vault", ("hvs.", "hvb.", "hvr."), _Sub(_BOUNDARY + r"hv[sbr]\.[A-Za-z0-9_-]{20,}+", MASK)),
    _Rule(
        "vault-legacy",
        (" s.", "=s.", ":s.", '"s.', "'s.", "\ts.", "\ns.", "(s.", ",s.", "[s."),
        _Sub(r"(?<![A-Za-z0-9_.-])(?P<prefix>s\.)[A-Za-z0-9]{24}(?![A-Za-z0-9_.-])", _token_like),
    ),
    _Rule(
        "azure",
        ("accountkey", "sharedaccesssignature", "sharedaccesskey", "sig="),
        _Sub(
            r"(?i)((?:accountkey|sharedaccesssignature|sharedaccesskey)[ \t]{0,4}[=:][ \t]{0,4}|[?&]sig=)"
            r"[^\s;\"'&]++",
            rf"\1{MASK}",
            lower_scan=True,
        ),
    ),
    _Rule(
        "docker-auth",
        ('"auth"', '"identitytoken"'),
        _Sub(r"(?i)(\"(?:auth|identitytoken)\"[ \t]{0,8}:[ \t]{0,8}\")[^\"\n]++", rf"\1{MASK}"),
    ),
    _Rule(
        "slack-webhook",
        ("hooks.slack.com",),
        _Sub(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]++", rf"\1{MASK}"),
    ),
    _Rule("slack-token", ("xox",), _Sub(r"\bxox[abprse]-[A-Za-z0-9-]{10,}+", MASK)),
    _Rule(
        "jwt",
        ("eyj",),
        _Sub(
            r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}+",
            MASK,
        ),
    ),
    _Rule(
        "key-value",
        ("pass", "pwd", "secret", "token", "key", "cred"),
        _Sub(_KEY_VALUE.pattern, _key_value, lower_scan=True),
    ),
    _Rule("compact-data", ('data"',), _mask_compact_data, batch=False),
)

# Words that make a line worth a closer look by the stream's line state machine (PEM blocks,
# Secret documents, data maps), on top of the rules' triggers.
_STATE_TRIGGERS = ("-----begin", "secret", "data:", 'data"')


class _Automaton:
    """An Aho-Corasick automaton over `words` that searches ASCII text as bytes: the bytes search
    is ~3x faster and lets the other threads run (it releases the GIL; the str search holds it:
    the screen waited for every megabyte of command output). Other text is searched as str;
    the offsets are characters either way (in ASCII a byte is a character)."""

    def __init__(self, words: list[str], matchkind: ahocorasick_rs.MatchKind | None = None) -> None:
        kind = matchkind or ahocorasick_rs.MatchKind.Standard
        self._text = ahocorasick_rs.AhoCorasick(words, matchkind=kind)
        self._bytes = ahocorasick_rs.BytesAhoCorasick([w.encode("utf-8") for w in words], matchkind=kind)

    def find(self, text: str, overlapping: bool = False) -> list[tuple[int, int, int]]:
        """(word index, start, end) of the matches in `text`."""
        if text.isascii():
            return self._bytes.find_matches_as_indexes(text.encode("ascii"), overlapping=overlapping)
        return self._text.find_matches_as_indexes(text, overlapping=overlapping)


class _Triggers:
    """One Aho-Corasick automaton over every trigger word: which rules a text may need."""

    def __init__(self, rules: Iterable[_Rule], extra: Iterable[str]) -> None:
        words: dict[str, set[int]] = {}
        for index, rule in enumerate(rules):
            for word in rule.triggers:
                words.setdefault(word, set()).add(index)
        for word in extra:
            words.setdefault(word, set())
        self.words = list(words)
        self.rules_of = [frozenset(words[w]) for w in self.words]
        self._automaton = _Automaton(self.words)

    def hits(self, low: str) -> list[tuple[int, int, int]]:
        """(word index, start, end) of every trigger in the lower-cased lines `low`, by start
        (overlaps too, so a line holding 'password' is known to need every rule that triggers on
        'pass' or on 'password'). A trigger that starts with a newline (a token at the start of a
        line) is placed on the line after that newline, and so is one at the start of `low`."""
        found = self._automaton.find("\n" + low, overlapping=True)
        hits = [(w, s if self.words[w][0] == "\n" else s - 1, e - 1) for w, s, e in found]
        hits.sort(key=lambda hit: hit[1])
        return hits

    def rules_in(self, text: str) -> set[int]:
        return {rule for word, _s, _e in self.hits(text.lower()) for rule in self.rules_of[word]}


_TRIGGERS = _Triggers(_RULES, _STATE_TRIGGERS)


def _apply(text: str, rules: Iterable[int]) -> str:
    for index in sorted(rules):
        text = _RULES[index].apply(text)
    return text


def _apply_lines(bodies: list[str], rules: list[set[int]]) -> list[str]:
    """`_apply(bodies[i], rules[i])` for every i, with each regex rule run once over all the lines
    that need it (joined by newlines: no rule matches across one) instead of once per line."""
    out = list(bodies)
    for index in sorted(set().union(*rules)) if rules else ():
        rule = _RULES[index]
        which = [i for i, wanted in enumerate(rules) if index in wanted]
        if len(which) == 1 or not rule.batch:
            for i in which:
                out[i] = rule.apply(out[i])
            continue
        done = rule.apply("\n".join(out[i] for i in which)).split("\n")
        if len(done) != len(which):  # cannot happen (no rule writes a newline); stay exact anyway
            done = [rule.apply(out[i]) for i in which]
        for i, text in zip(which, done, strict=True):
            out[i] = text
    return out


def redact_line(text: str, book: SecretBook | None = None) -> str:
    """Mask secrets that sit within one line (or one short text)."""
    if not text:
        return text
    rules = _TRIGGERS.rules_in(text)
    if rules:
        text = _apply(text, rules)
    return book.mask(text) if book is not None else text


# ---- learned values -----------------------------------------------------------------------------

# Secret keys whose values are not secret and too common to hunt for elsewhere (a service account
# token's `namespace: default`, a database Secret's `username: postgres`, a public certificate).
_UNLEARNED_KEYS = re.compile(
    r"(?i)^(?:namespace|user|username|user[_-]name|login|host|hostname|port|database|db|dbname|region"
    r"|bucket|endpoint|url|ca\.crt|tls\.crt|ca-bundle\.crt|service-ca\.crt|email)$"
)
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{4,}+={0,2}$")


def _decoded(value: str) -> str | None:
    """The text a base64 value encodes, or None (not base64, or not text)."""
    if len(value) < 4 or len(value) % 4 or not _BASE64.match(value):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return None
    return text


def _looks_base64(value: str) -> bool:
    value = value.strip().strip("\"'")
    if len(value) < 4 or len(value) % 4 or not _BASE64.match(value):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


class SecretBook:
    """Secret values learned from command output, masked wherever they show up afterwards.

    `learn(key, value, encoded=True)` takes one entry of a Secret's `data` (base64, `encoded`) or
    `stringData` (plain): the value as printed, its decoded (or base64-encoded) form and each line
    of a multi-line decoded value are remembered, when at least MIN_LEARNED characters long and
    not the value of a key such as `username` or `namespace`. `mask(text)` replaces every
    remembered value in one Aho-Corasick pass. Thread-safe; values live in memory only.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._automaton: _Automaton | None = None

    def learn(self, key: str, value: str, *, encoded: bool = True) -> None:
        value = value.strip().strip("\"'")
        if not value or value == MASK or _UNLEARNED_KEYS.match(key.strip().strip("\"'")):
            return
        forms = [value]
        if encoded:
            plain = _decoded(value)
            if plain is not None:
                forms.append(plain)
                forms.extend(line for line in plain.splitlines() if not line.startswith("-----"))
        else:
            forms.append(base64.b64encode(value.encode("utf-8")).decode("ascii"))
        new = {
            f.strip()
            for f in forms
            if len(f.strip()) >= MIN_LEARNED and MASK not in f and f.strip().lower() not in _PLAIN_VALUES
        }
        with self._lock:
            if new - self._values:
                self._values |= new
                self._automaton = None

    def mask(self, text: str) -> str:
        if not self._values or not text:
            return text
        automaton = self._automaton
        if automaton is None:
            with self._lock:
                automaton = self._automaton = _Automaton(
                    list(self._values), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
                )
        hits = automaton.find(text)
        if not hits:
            return text
        out: list[str] = []
        pos = 0
        for _index, start, end in hits:
            out.append(text[pos:start])
            out.append(MASK)
            pos = end
        out.append(text[pos:])
        return "".join(out)


# ---- what a command prints ------------------------------------------------------------------------

_EXPOSING_FORMATS = ("json", "yaml", "jsonpath", "go-template", "template", "custom-columns")
_RAW_FORMATS = ("jsonpath", "go-template", "template", "custom-columns")
_TRANSPARENT = {"less", "more", "cat"}  # pagers that print their input unchanged
_SECRET_PRINTERS = re.compile(
    r"(?i)\bview-secret\b|\bvault[ \t]{1,8}(?:kv[ \t]{1,8}get|read)\b|\bsops[ \t]{1,8}(?:-d|--decrypt)\b"
)


@dataclass(frozen=True, slots=True)
class OutputPolicy:
    """What the output of one command needs.

    `secret_context`: the command touches Secrets (every value of a `data:` map is masked, not
    only base64-looking ones). `withhold`: the command prints Secret values in a form the
    redactor cannot follow, so its output is replaced by one line saying it was withheld.
    `secret`: the one Secret (`namespace/name`) it reads, when it names exactly one.
    """

    secret_context: bool = False
    withhold: bool = False
    secret: str | None = None
    reason: str = ""


def _is_secret_resource(word: str) -> bool:
    for part in word.lower().split(","):
        kind = part.split("/", 1)[0].split(".", 1)[0]
        if kind in ("secret", "secrets"):
            return True
    return False


def output_policy(cmd: str, namespace: str | None = None) -> OutputPolicy:
    """How to redact the output of `cmd` (see OutputPolicy).

    A simple command reads Secret values when it names the `secret(s)` resource with an output
    format that prints data (`-o json|yaml|jsonpath|go-template|template|custom-columns`), or is a
    secret printer (`kubectl view-secret`, `vault kv get|read`, `sops -d`). Its output is withheld
    when the values come out raw (`-o jsonpath`, go-template...), when its output is piped into
    another program (a decoder the redactor cannot follow: `base64 -d`, `jq`, `python3 -c`, even
    `grep`, which cuts the `data:` map the redactor follows), or when it runs inside a command
    substitution or a quoted `sh -c` script. kubectl's own JSON/YAML reaching the screen unchanged
    (alone, or into a pager) is redacted by the Secret-aware stream redactor, which learns the
    values. Quoting that cannot be followed counts as the worst case."""
    if _SECRET_PRINTERS.search(cmd):
        return OutputPolicy(True, True, None, "this command prints secret values")
    if "secret" not in cmd.lower():
        return OutputPolicy()
    try:
        lexer = shlex.shlex(cmd, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        return OutputPolicy(True, True, None, "this command reads Secrets (quoting not understood)")
    segments: list[list[str]] = [[]]
    after: list[str] = []  # the operator that follows each segment ("" for the last)
    for word in words:
        if word and set(word) <= set("|&;<>()"):
            after.append(word)
            segments.append([])
        else:
            segments[-1].append(word)
    after.append("")
    substituted = "$(" in cmd or "`" in cmd or "<(" in cmd
    found: OutputPolicy | None = None
    for index, segment in enumerate(segments):
        for word in segment:  # sh -c 'kubectl get secret x -o json | base64 -d'
            if " " in word and "secret" in word.lower() and output_policy(word, namespace).withhold:
                return OutputPolicy(True, True, None, "this command decodes Secret data in a script")
        fmt, reads, names, ns = _read_segment(segment)
        kind = (fmt or "").split("=", 1)[0]
        if not reads or kind not in _EXPOSING_FORMATS:
            continue
        secret = f"{ns or namespace or 'default'}/{names[0]}" if len(names) == 1 else None
        what = f"Secret {secret}" if secret else "Secret data"
        if kind in _RAW_FORMATS:
            return OutputPolicy(True, True, secret, f"this command prints the values of {what} (-o {kind})")
        if substituted:
            return OutputPolicy(True, True, secret, f"this command reads {what} in a substitution")
        if after[index] in ("|", "|&"):
            rest = segments[index + 1]
            pager = len(rest) == 1 and rest[0].rsplit("/", 1)[-1] in _TRANSPARENT and after[index + 1] != "|"
            if not pager:
                why = f"this command decodes {what} with another program"
                return OutputPolicy(True, True, secret, why)
        found = OutputPolicy(secret_context=True, secret=secret if found is None else None)
    if (
        found is None
        and substituted
        and re.search(r"(?i)(?:-o|--output)[ \t=]{0,4}(?:jsonpath|go-template|template|json|yaml)", cmd)
    ):
        return OutputPolicy(True, True, None, "this command reads Secret values in a substitution")
    return found or OutputPolicy(secret_context=True)


def _read_segment(words: list[str]) -> tuple[str | None, bool, list[str], str | None]:
    """(output format, names the secret resource, secret names, -n namespace) of one simple command."""
    fmt: str | None = None
    secret = False
    names: list[str] = []
    namespace: str | None = None
    after_resource = False
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        nxt = words[index + 1] if index + 1 < len(words) else ""
        if word in ("-o", "--output"):
            fmt, skip = nxt, True
        elif word.startswith("--output="):
            fmt = word.split("=", 1)[1]
        elif word.startswith("-o") and not word.startswith("--"):
            fmt = word[2:].lstrip("=")
        elif word in ("-n", "--namespace"):
            namespace, skip = nxt, True
        elif word.startswith("--namespace="):
            namespace = word.split("=", 1)[1]
        elif word.startswith("-"):
            continue
        elif _is_secret_resource(word):
            secret = after_resource = True
            for part in word.split(","):
                if "/" in part and _is_secret_resource(part.split("/", 1)[0]):
                    names.append(part.split("/", 1)[1])
        elif after_resource:
            names.append(word)
    return fmt, secret, names, namespace


# ---- streams --------------------------------------------------------------------------------------

_YAML_DATA = re.compile(r"^([ \t]*+)(data|stringData|binaryData):[ \t]*+$")
_YAML_ITEM = re.compile(r"^([ \t]*+)([^\s:#][^:\n]{0,256}?):([ \t]++)(\S.*)$")
_JSON_DATA = re.compile(r"^[ \t]*+\"(data|stringData|binaryData)\"[ \t]*+:[ \t]*+\{[ \t]*+$")
_JSON_ITEM = re.compile(r"^([ \t]*+\"([^\"\n]{1,256})\"[ \t]*+:[ \t]*+)\"([^\"\n]*+)\"(,?[ \t]*+)$")
_SECRET_KIND = re.compile(r"""(?i)^[ \t]*+"?kind"?[ \t]*+:[ \t]*+"?secret"?,?[ \t]*+$""")


@dataclass(slots=True)
class _State:
    """Where a stream is inside a multi-line structure."""

    in_pem: bool = False
    yaml_data_indent: int | None = None
    in_json_data: bool = False
    data_plain: bool = False  # the current map is stringData: plain-text values
    secret_seen: bool = False  # a `kind: Secret` line was seen

    @property
    def inside(self) -> bool:
        return self.in_pem or self.yaml_data_indent is not None or self.in_json_data


_LineResult = str | tuple[str, str, "set[int] | None"]


class _Deferred:
    """Lines of a block waiting for their rules: `add` places a line's result in `out` (a final
    text, or a body whose rules run later, in `finish`, all lines of a rule at once)."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        self.rules: list[set[int]] = []
        self.slots: list[tuple[int, str]] = []  # (index in out, text after the body)

    def add(self, out: list[str], done: _LineResult, rules: set[int] | None) -> None:
        if isinstance(done, str):
            out.append(done)
            return
        body, tail, own = done
        wanted = own if own is not None else rules
        if wanted is None:
            wanted = _TRIGGERS.rules_in(body)
        if not wanted:
            out.append(body + tail)
            return
        self.slots.append((len(out), tail))
        out.append("")
        self.bodies.append(body)
        self.rules.append(wanted)

    def finish(self, out: list[str]) -> str:
        for (index, tail), body in zip(self.slots, _apply_lines(self.bodies, self.rules), strict=True):
            out[index] = body + tail
        return "".join(out)


class StreamRedactor:
    """Redacts text that arrives in chunks; complete lines are released, the last incomplete one
    is held back until its newline (`pending_preview()` shows it redacted as far as it can be).

    `secret_context` (the command touches Secrets) masks every value in a `data:` map; without it
    only base64-looking values are (a Secret's `data:` comes before its `kind:`). Every masked
    value of a data map is learned into `book` (see SecretBook), and every learned value is masked
    in all output. `withhold` replaces the whole output by one line saying it was withheld.
    """

    def __init__(
        self,
        secret_context: bool = False,
        mask_all: bool = False,
        book: SecretBook | None = None,
        *,
        reason: str = "this command prints secret values",
    ) -> None:
        self.secret_context = secret_context
        self.mask_all = mask_all
        self.book = book if book is not None else SecretBook()
        self._reason = reason
        self._withheld = False
        self._pending = ""
        self._state = _State()
        self._previewing = False

    @classmethod
    def for_command(
        cls, cmd: str, book: SecretBook | None = None, namespace: str | None = None
    ) -> StreamRedactor:
        """The redactor for the output of `cmd` (see output_policy)."""
        policy = output_policy(cmd, namespace)
        return cls(
            secret_context=policy.secret_context,
            mask_all=policy.withhold,
            book=book,
            reason=policy.reason or "this command prints secret values",
        )

    # ---- feeding ----

    def feed(self, chunk: str) -> str:
        """Redacted text for every complete line received so far (an incomplete tail is held back)."""
        text = self._pending + chunk if self._pending else chunk
        cut = text.rfind("\n")
        if cut < 0:
            if len(text) < HOLD_LIMIT:
                self._pending = text
                return ""
            cut = len(text) - 1
        self._pending = text[cut + 1 :]
        return self._lines(text[: cut + 1])

    def flush(self) -> str:
        """Everything still held back, redacted (call when the stream ends)."""
        rest, self._pending = self._pending, ""
        out = self._lines(rest) if rest else ""
        return out

    def pending_preview(self) -> str:
        """The held-back incomplete line, redacted as if it ended here; the stream's state is left
        as it was (the rest of the line, when it comes, is redacted with the whole line)."""
        if not self._pending:
            return ""
        saved, withheld = replace(self._state), self._withheld
        self._previewing = True
        try:
            return self._lines(self._pending).rstrip("\n")
        finally:
            self._state, self._withheld = saved, withheld
            self._previewing = False

    # ---- lines ----

    def _lines(self, text: str) -> str:
        if self.mask_all:
            if self._withheld or not text.strip():
                return ""
            self._withheld = True
            return f"{MASK} (output withheld: {self._reason})\n"
        if len(text) <= BLOCK:
            return self.book.mask(self._block(text))
        out: list[str] = []
        start = 0
        while start < len(text):
            stop = text.find("\n", min(start + BLOCK, len(text)) - 1)
            stop = len(text) if stop < 0 else stop + 1
            out.append(self.book.mask(self._block(text[start:stop])))
            start = stop
        return "".join(out)

    def _block(self, text: str) -> str:
        """Redact a block of lines: the lines holding no trigger word pass as they are, the others
        go through the state machine at once and through the rules they need afterwards, each
        rule running once over all the lines that need it."""
        out: list[str] = []
        deferred = _Deferred()
        low = text.lower()
        if len(low) != len(text):  # a character whose lower case is longer: find rules per line
            for line in text.splitlines(keepends=True):
                deferred.add(out, self._line(line), None)
            return deferred.finish(out)
        hits = _TRIGGERS.hits(low)
        if not hits and not self._state.inside:
            return text
        pos = 0
        i = 0
        size = len(text)
        while pos < size:
            if not self._state.inside:
                while i < len(hits) and hits[i][1] < pos:
                    i += 1
                if i >= len(hits):
                    out.append(text[pos:])
                    break
                start = max(pos, text.rfind("\n", pos, hits[i][1]) + 1)
                out.append(text[pos:start])
                pos = start
            end = text.find("\n", pos)
            end = size if end < 0 else end + 1
            rules: set[int] = set()
            while i < len(hits) and hits[i][1] < end:
                if hits[i][1] >= pos:
                    rules.update(_TRIGGERS.rules_of[hits[i][0]])
                i += 1
            deferred.add(out, self._line(text[pos:end]), rules)
            pos = end
        return deferred.finish(out)

    def _mask_data_value(self, value: str) -> bool:
        state = self._state
        return self.secret_context or state.data_plain or state.secret_seen or _looks_base64(value)

    def _learn(self, key: str, value: str) -> None:
        if self._previewing:  # half a value is not a value
            return
        self.book.learn(key, value, encoded=not self._state.data_plain)

    def _line(self, line: str) -> _LineResult:
        """One line (with its newline, if any) through the state machine: the final text, or
        (body, tail, rules) when the line rules must still run over `body` (rules None: the
        ones the whole line's triggers call for)."""
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        state = self._state
        if state.in_pem:
            closing = _PEM_END.search(body)
            if closing is None:
                return ""
            state.in_pem = False
            return body[closing.start() :] + end
        begin = _PEM_BEGIN.search(body)
        if begin and not _PEM_END.search(body, begin.end()):
            state.in_pem = True
            head = body[: begin.end()]
            return head, "\n" + MASK + end, _TRIGGERS.rules_in(head)
        if _SECRET_KIND.match(body):
            state.secret_seen = True
        if state.yaml_data_indent is not None:
            item = _YAML_ITEM.match(body)
            indent = len(body) - len(body.lstrip(" "))
            if body.strip() and indent <= state.yaml_data_indent:
                state.yaml_data_indent = None
            elif item and self._mask_data_value(item.group(4)):
                if item.group(4).strip() not in ("|", ">", "|-", ">-"):
                    self._learn(item.group(2), item.group(4))
                return f"{item.group(1)}{item.group(2)}:{item.group(3)}{MASK}{end}"
            elif body.strip() and not item and indent > state.yaml_data_indent:
                if self.secret_context or state.secret_seen or state.data_plain:
                    self._learn("", body)
                    return " " * indent + MASK + end  # a continuation line of a block scalar
                return body, end, None
        if state.in_json_data:
            if body.strip().startswith("}"):
                state.in_json_data = False
            else:
                item = _JSON_ITEM.match(body)
                if item and self._mask_data_value(item.group(3)):
                    self._learn(item.group(2), item.group(3))
                    return f'{item.group(1)}"{MASK}"{item.group(4)}{end}'
        data = _YAML_DATA.match(body)
        json_data = _JSON_DATA.match(body)
        if data:
            state.yaml_data_indent = len(data.group(1))
            state.data_plain = data.group(2) == "stringData"
        elif json_data:
            state.in_json_data = True
            state.data_plain = json_data.group(1) == "stringData"
        if 'data"' in body and '"kind":"secret"' in body.replace(" ", "").lower():
            self._learn_compact(body)
        return body, end, None

    def _learn_compact(self, body: str) -> None:
        """Learn the values of a Secret printed as compact JSON on one line."""
        for opening in _COMPACT_OPEN.finditer(body):
            close = body.find("}", opening.end())
            if close < 0:
                continue
            plain = "stringData" in opening.group(0)
            if self._previewing:
                return
            for pair in _JSON_PAIR.finditer(body, opening.end(), close):
                self.book.learn(pair.group(1).split(":", 1)[0], pair.group(2), encoded=not plain)


def redact(text: str, secret_context: bool = False, book: SecretBook | None = None) -> str:
    """`text` with every secret it holds masked."""
    if not text:
        return text
    redactor = StreamRedactor(secret_context=secret_context, book=book)
    return redactor.feed(text) + redactor.flush()


def redact_value(value: Any, book: SecretBook | None = None) -> Any:
    """A copy of a JSON-like value with every string redacted (dict keys kept)."""
    if isinstance(value, str):
        return redact(value, book=book) if "\n" in value else redact_line(value, book)
    if isinstance(value, dict):
        return {k: redact_value(v, book) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, book) for v in value]
    return value
