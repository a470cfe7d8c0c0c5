"""Keep secrets out of everything the cockpit writes: journal, output side files, transcripts.

`redact(text)` masks secrets in a whole text; `StreamRedactor` does the same for output arriving
in chunks (it holds back an incomplete last line, and follows multi-line structures: PEM private
keys, the `data:` of Secrets in `kubectl -o yaml|json`). `redact_value` walks JSON-like values.
The mask is `***`; the name of what was masked (user, flag, key) is kept so the text still reads.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

MASK = "***"
_HOLD_LIMIT = 64 * 1024  # an incomplete line longer than this is redacted and released anyway

_VALUE = r"""(?:"[^"\n]*"|'[^'\n]*'|[^\s"',;}&|]+)"""
_SECRET_WORD = (
    r"(?:password|passwd|passphrase|pwd|secret|token|credentials?"
    r"|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?key)"
)
# Keys that name a secret object rather than hold one (secretName: my-tls, tokenRef: ...).
_NOT_SECRET_KEY = re.compile(r"(?:name|names|ref|refs|path|file|namespace|type|kind|id|ttl|url)$", re.I)

# (triggers, pattern, replacement): a rule runs only when the lower-cased text holds a trigger,
# which keeps ordinary output lines cheap.
_RULES: list[tuple[tuple[str, ...], re.Pattern[str], str]] = [
    # One-line PEM private keys (the multi-line case is handled by the line state machine).
    (
        ("private key",),
        re.compile(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)", re.S),
        rf"\1{MASK}\2",
    ),
    # Authorization: Bearer|Basic|Token xxx, and a bare "Bearer xxx".
    (
        ("authorization",),
        re.compile(r"(?i)(authorization\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|digest)\s+)?)[^\s\"',]+"),
        rf"\1{MASK}",
    ),
    (("bearer",), re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{6,}"), rf"\1 {MASK}"),
    # Basic-auth URLs: scheme://user:pass@host
    (("://",), re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)[^\s/@]+@"), rf"\1{MASK}@"),
    # curl -u user:pass, --user user:pass, --proxy-user
    (
        ("-u", "--user", "--proxy-user"),
        re.compile(r"((?:^|\s)(?:-u|--user|--proxy-user|-U)\s*[=]?\s*[\"']?[^\s:\"']+:)[^\s\"']+"),
        rf"\1{MASK}",
    ),
    # --password x, --password=x, --token x, --client-secret=x, --api-key x ...
    (
        ("pass", "token", "secret", "key", "cred"),
        re.compile(
            r"(?i)((?:^|\s)--?(?:[a-z0-9]+[-_])*(?:password|passwd|token|secret|api-?key|access-?key|credentials?)"
            r"(?:\s+|=))" + _VALUE
        ),
        rf"\1{MASK}",
    ),
    # mysql -pSECRET
    (("mysql",), re.compile(r"(\bmysql(?:admin|dump)?\b[^\n]*?\s-p)(?!\s)[^\s]+"), rf"\1{MASK}"),
    # Credentials written as "user / pass": "Login: admin / secret", "credentials: u/p"
    (
        ("log", "cred", "user", "account"),
        re.compile(
            r"(?i)(\b(?:log\s*-?in|credentials?|creds|user\s*/\s*pass(?:word)?|account)\b\s*[:=]\s*[^\s/]+\s*/\s*)\S+"
        ),
        rf"\1{MASK}",
    ),
    # "(admin / dolphinscheduler123)": a parenthesised user / password-looking pair
    (
        ("(",),
        re.compile(r"(\(\s*[A-Za-z][\w.@-]{0,40}\s*/\s*)(?=[^\s)]*(?:\d|_|[^\w\s)]))([^\s)]{4,})(\s*\))"),
        rf"\1{MASK}\3",
    ),
    # "admin / s3cret" after a well-known account name, when the second word looks like a password
    (
        (" / ",),
        re.compile(
            r"(?i)(\b(?:admin|administrator|root|postgres|elastic|superuser|sa|guest)\s+/\s+)"
            r"(?=[^\s)]*(?:\d|_|[^\w\s)]))([^\s)]{4,})"
        ),
        rf"\1{MASK}",
    ),
    # docker/helm/podman login -p SECRET
    (
        ("login",),
        re.compile(
            r"(\b(?:docker|podman|nerdctl|helm|buildah|skopeo|oras|crane)\b[^\n]*?\blogin\b[^\n]*?\s-p\s*)\S+"
        ),
        rf"\1{MASK}",
    ),
    # AWS access key ids, GitHub/Slack tokens, JWTs
    (("akia", "asia"), re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    (("gh",), re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"), MASK),
    (("xox",), re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"), MASK),
    (("eyj",), re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), MASK),
]

# key: value / key=value / "key": "value" where the key names a secret (DB_PASSWORD=..., password: x)
_KEY_VALUE = re.compile(
    r"(?i)(?P<key>[\"']?(?P<name>[A-Za-z0-9_.-]*" + _SECRET_WORD + r"[A-Za-z0-9_.-]*)[\"']?)"
    r"(?P<sep>\s*[:=]\s*)(?P<value>" + _VALUE + r")"
)
_PLAIN_VALUES = {"true", "false", "null", "none", "yes", "no", "<none>", "[]", "{}"}
_PASSWORD_NAME = re.compile(r"(?i)pass|pwd|secret")
_KEY_VALUE_TRIGGERS = ("pass", "pwd", "secret", "token", "key", "cred")
# Compact JSON Secret data (last-applied-configuration, -o json on one line)
_COMPACT_DATA = re.compile(r"(\"(?:data|stringData)\"\s*:\s*\{)([^{}]*)(\})")
_JSON_PAIR = re.compile(r"(\"[^\"]+\"\s*:\s*)\"[^\"]*\"")

_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY-----")
_YAML_DATA = re.compile(r"^(\s*)(data|stringData|binaryData):\s*$")
_YAML_ITEM = re.compile(r"^(\s*)([^\s:#][^:]*?):(\s+)(\S.*)$")
_JSON_DATA = re.compile(r"^\s*\"(data|stringData|binaryData)\"\s*:\s*\{\s*$")
# Commands whose whole output is secret values: decoded Secret fields, vault reads.
_PRINTS_SECRETS = re.compile(
    r"(?is)(?:\bsecrets?\b.*(?:jsonpath|go-template|template=|base64\s+(?:-d|-D|--decode)))"
    r"|(?:\bview-secret\b)|(?:\bvault\s+(?:kv\s+get|read)\b)|(?:\bsops\s+(?:-d|--decrypt)\b)"
)
_WITHHELD = f"{MASK} (output withheld: this command prints secret values)"
_JSON_ITEM = re.compile(r"^(\s*\"[^\"]+\"\s*:\s*)\"[^\"]*\"(,?\s*)$")
_SECRET_KIND = re.compile(r"""(?i)^\s*"?kind"?\s*:\s*"?secret"?,?\s*$""")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{4,}={0,2}$")


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


def _compact_pair(match: re.Match[str]) -> str:
    value = match.group(0)[len(match.group(1)) :].strip('"')
    if value.lower() in _PLAIN_VALUES:  # {"data":{"bypassAcme":"true"}}: a switch, not a secret
        return match.group(0)
    return f'{match.group(1)}"{MASK}"'


def _compact_data(match: re.Match[str]) -> str:
    return match.group(1) + _JSON_PAIR.sub(_compact_pair, match.group(2)) + match.group(3)


def redact_line(text: str) -> str:
    """Mask secrets that sit within one line (or one short text)."""
    if not text:
        return text
    low = text.lower()
    for triggers, pattern, repl in _RULES:
        if any(t in low for t in triggers):
            text = pattern.sub(repl, text)
    if any(t in low for t in _KEY_VALUE_TRIGGERS):
        text = _KEY_VALUE.sub(_key_value, text)
    if '"data"' in text or '"stringData"' in text:
        text = _COMPACT_DATA.sub(_compact_data, text)
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


class StreamRedactor:
    """Redacts text that arrives in chunks, one complete line at a time.

    `secret_context` (the command mentions Secrets) masks every value in a `data:` block; without
    it only base64-looking values are masked (a Secret's `data:` comes before its `kind:`).
    """

    def __init__(self, secret_context: bool = False, mask_all: bool = False) -> None:
        self.secret_context = secret_context
        self.mask_all = mask_all
        self._withheld = False
        self._data_all = False
        self._pending = ""
        self._in_pem = False
        self._yaml_data_indent: int | None = None
        self._in_json_data = False

    def feed(self, chunk: str) -> str:
        """Redacted text for every complete line received so far (an incomplete tail is held back)."""
        self._pending += chunk
        cut = self._pending.rfind("\n")
        if cut < 0:
            if len(self._pending) < _HOLD_LIMIT:
                return ""
            cut = len(self._pending) - 1
        ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
        return "".join(self._line(line) for line in ready.splitlines(keepends=True))

    def flush(self) -> str:
        """Everything still held back, redacted (call when the stream ends)."""
        rest, self._pending = self._pending, ""
        return "".join(self._line(line) for line in rest.splitlines(keepends=True))

    @classmethod
    def for_command(cls, cmd: str) -> StreamRedactor:
        """The redactor for the output of `cmd`: Secret-aware when it touches Secrets, and
        withholding everything when it prints decoded secret values (`-o jsonpath=...|base64 -d`,
        `kubectl view-secret`, `vault kv get`, `sops -d`)."""
        return cls(secret_context="secret" in cmd.lower(), mask_all=bool(_PRINTS_SECRETS.search(cmd)))

    def _mask_data_value(self, value: str) -> bool:
        return self.secret_context or self._data_all or _looks_base64(value)

    def _line(self, line: str) -> str:
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        if self.mask_all:
            if self._withheld or not body.strip():
                return ""
            self._withheld = True
            return _WITHHELD + "\n"
        if self._in_pem:
            closing = _PEM_END.search(body)
            if closing is None:
                return ""
            self._in_pem = False
            return body[closing.start() :] + end
        begin = _PEM_BEGIN.search(body)
        if begin and not _PEM_END.search(body, begin.end()):
            self._in_pem = True
            return redact_line(body[: begin.end()]) + "\n" + MASK + end
        if _SECRET_KIND.match(body):
            self.secret_context = True
        if self._yaml_data_indent is not None:
            item = _YAML_ITEM.match(body)
            indent = len(body) - len(body.lstrip(" "))
            if body.strip() and indent <= self._yaml_data_indent:
                self._yaml_data_indent = None
            elif item and self._mask_data_value(item.group(4)):
                return f"{item.group(1)}{item.group(2)}:{item.group(3)}{MASK}{end}"
            elif body.strip() and not item and indent > self._yaml_data_indent:
                return redact_line(body) + end  # a continuation line of a block scalar
        if self._in_json_data:
            if body.strip().startswith("}"):
                self._in_json_data = False
            else:
                item = _JSON_ITEM.match(body)
                if item and self._mask_data_value(body.split(":", 1)[1].strip().rstrip(",")):
                    return f'{item.group(1)}"{MASK}"{item.group(2)}{end}'
        data = _YAML_DATA.match(body)
        json_data = _JSON_DATA.match(body)
        if data:
            self._yaml_data_indent = len(data.group(1))
            self._data_all = data.group(2) == "stringData"  # plain-text Secret values
        elif json_data:
            self._in_json_data = True
            self._data_all = json_data.group(1) == "stringData"
        return redact_line(body) + end


def redact(text: str, secret_context: bool = False) -> str:
    """`text` with every secret it holds masked."""
    if not text:
        return text
    redactor = StreamRedactor(secret_context=secret_context)
    return redactor.feed(text) + redactor.flush()


def redact_value(value: Any) -> Any:
    """A copy of a JSON-like value with every string redacted (dict keys kept)."""
    if isinstance(value, str):
        return redact(value) if "\n" in value else redact_line(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value
