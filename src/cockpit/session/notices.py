"""Notices the operator has already been shown, so a launch does not repeat them.

A plan's load warnings (the mojibake repair, headings without a space...) are shown once per
plan file: keyed by the sha256 of its bytes, so an edited plan may say something new. Kept in
one small JSON file in cockpit's data folder; a file that cannot be read or written costs only
a repeated toast, never the launch.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from cockpit.paths import write_private

MAX_KEYS = 200  # plan files remembered (the oldest are forgotten first)


class NoticeBook:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): [str(n) for n in v] for k, v in data.items() if isinstance(v, list)}

    def unseen(self, key: str, notices: list[str]) -> list[str]:
        """The notices not shown before under `key`; they count as shown from now on."""
        book = self._read()
        seen = set(book.get(key, []))
        new = [n for n in notices if n not in seen]
        if new:
            book.pop(key, None)
            book[key] = sorted(seen | set(new))
            while len(book) > MAX_KEYS:
                book.pop(next(iter(book)))
            with contextlib.suppress(OSError):
                write_private(self.path, json.dumps(book, ensure_ascii=False, indent=1))
        return new
