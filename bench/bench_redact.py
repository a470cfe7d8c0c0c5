"""Redaction throughput: how fast command output passes the session's redaction and side file.

    python bench/bench_redact.py [MEGABYTES]          (default: 50)

Feeds each kind of output in 64 KiB chunks (what the runner hands over) to
  - `StreamRedactor.feed` alone, and
  - `Session.record_output` (redaction + side file write), the path every command's output takes,
and prints MB/s for each. The kinds:
  clean     80-byte lines without any trigger word (a command printing 200 MB)
  pods      `kubectl get pods -A` rows (80-byte table lines, names, ages, restarts)
  yes       `yes` output: 2-byte lines
  triggers  log lines that each hold a trigger word (token, password, key, Bearer, ://) and some
            real secrets: the slow path, per-line rules on every line
  secret    `kubectl get secret -o yaml` documents back to back (multi-line state, learning)
and the time to redact one long line (4,000 and 16,000 characters of a key-like run, the input
that took quadratic time before). Figures, not pass/fail.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cockpit.plan.model import Node, NodeKind, Plan, TimeBox
from cockpit.session import FakeClock, Session, StreamRedactor
from cockpit.session.redact import redact_line

CHUNK = 64 * 1024


def _clean(n: int) -> str:
    line = "the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvw\n"
    return line * (n // len(line) + 1)


def _pods(n: int) -> str:
    rows = []
    for i in range(2000):
        name = f"spark-worker-{i:05d}-7f9c8d6b5-x{i % 97:02d}kq"
        rows.append(f"data-platform   {name:<42} 1/1   Running   {i % 4}   {i % 60}m\n")
    text = "".join(rows)
    return text * (n // len(text) + 1)


def _yes(n: int) -> str:
    return "y\n" * (n // 2 + 1)


def _triggers(n: int) -> str:
    lines = [
        '2026-12-05T06:00:01Z level=info msg="refreshing token for user bob" request_id=af31\n',
        '2026-12-05T06:00:02Z level=info msg="password policy ok" api_key=sk_live_4eC39HqLyjWDarjtT1\n',
        "GET https://grafana.example.com/api/health 200 Authorization: Bearer eyJhbGciOiJIUzI1Ni\n",
        "2026-12-05T06:00:03Z level=debug secret_ref=db-creds key rotated at 06:00 (admin / x)\n",
        "2026-12-05T06:00:04Z connecting to postgres://app:hunter2@db.data:5432/app?ssl=true\n",
    ]
    text = "".join(lines)
    return text * (n // len(text) + 1)


def _secret(n: int) -> str:
    doc = (
        "apiVersion: v1\n"
        "data:\n"
        "  password: ZG9scGhpbnNjaGVkdWxlcjEyMw==\n"
        "  username: YWRtaW4=\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: dolphinscheduler-db\n"
        "  namespace: data-platform\n"
        "type: Opaque\n"
        "---\n"
    )
    return doc * (n // len(doc) + 1)


KINDS: dict[str, Callable[[int], str]] = {
    "clean": _clean,
    "pods": _pods,
    "yes": _yes,
    "triggers": _triggers,
    "secret": _secret,
}


def _chunks(text: str) -> list[str]:
    return [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]


def _redactor_mbs(chunks: list[str], size: int) -> float:
    redactor = StreamRedactor()
    started = time.perf_counter()
    for chunk in chunks:
        redactor.feed(chunk)
    redactor.flush()
    return size / 1e6 / (time.perf_counter() - started)


def _session_mbs(chunks: list[str], size: int, folder: Path, kind: str) -> float:
    task = Node("1.1", NodeKind.TASK, "bench", 1, TimeBox(10, 10))
    plan = Plan(
        "bench", str(folder / "plan.md"), sections=[Node("1", NodeKind.SECTION, "All", 1, children=[task])]
    )
    session = Session.start(plan, folder / f"session-{kind}", clock=FakeClock())
    session.record_command_started("r", "1.1", f"bench {kind}")
    started = time.perf_counter()
    for chunk in chunks:
        session.record_output("r", chunk)
    session.record_command_finished("r", 0, 1.0)
    elapsed = time.perf_counter() - started
    session.close()
    return size / 1e6 / elapsed


def _long_line(chars: int) -> float:
    """One line that is one long identifier ending in a trigger word: each start position of the
    old key=value pattern scanned to its end (quadratic)."""
    text = "a" * (chars - 4) + " key"
    started = time.perf_counter()
    redact_line(text)
    return time.perf_counter() - started


def main(megabytes: float) -> None:
    size = int(megabytes * 1_000_000)
    print(f"{'output':<10} {'MB':>6} {'redactor MB/s':>14} {'session MB/s':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, make in KINDS.items():
            text = make(size)[:size]
            chunks = _chunks(text)
            alone = _redactor_mbs(chunks, size)
            whole = _session_mbs(chunks, size, Path(tmp), kind)
            print(f"{kind:<10} {megabytes:>6g} {alone:>14.1f} {whole:>13.1f}", flush=True)
    for chars in (4_000, 16_000):
        print(f"one {chars:,}-character key=value line: {_long_line(chars) * 1000:.1f} ms", flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 50.0)
