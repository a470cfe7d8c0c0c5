"""Names, hashes and times the way Kubernetes makes them, reproducible for a seed.

`pod-template-hash` is a hash of the pod template encoded with the API machinery's safe alphabet
(so it changes when the template changes, as on a real cluster); pod suffixes, IPs and tokens
come from a seeded random generator.
"""

from __future__ import annotations

import calendar
import random
import re
import time
from typing import Any

import orjson

from cockpit.sandbox.store import timestamp

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

rfc3339 = timestamp  # `2025-10-24T14:30:00Z`, as the store stamps the objects it writes


def parse_rfc3339(text: str) -> float:
    """Seconds since the epoch of `2025-10-24T14:30:00Z` (fractions allowed)."""
    base, _, frac = text.rstrip("Z").partition(".")
    whole = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
    return whole + (float("0." + frac) if frac else 0.0)


def parse_duration(text: str | int | float) -> float:
    """`90s`, `5m`, `3h20m`, `12d` or a number of seconds -> seconds; ValueError if malformed."""
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        return float(text)
    cleaned = text.strip()
    pos, total = 0, 0.0
    for match in _DURATION.finditer(cleaned):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(cleaned) or not cleaned:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 5m, 3h20m, 12d)")
    return total


def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value ^= byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    return "".join(SAFE_ALPHABET[ord(ch) % len(SAFE_ALPHABET)] for ch in text)


def template_hash(template: Any) -> str:
    """The `pod-template-hash` of a pod template (stable for equal templates)."""
    return safe_encode(str(fnv32a(orjson.dumps(template, option=orjson.OPT_SORT_KEYS))))


class Ids:
    """Seeded source of everything random-looking in the world."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._ips: dict[str, int] = {}

    def suffix(self, length: int = 5) -> str:
        return "".join(self.rng.choice(SAFE_ALPHABET) for _ in range(length))

    def hex(self, length: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(length))

    def token(self, length: int = 43) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def digits(self, length: int) -> str:
        return str(self.rng.randrange(10 ** (length - 1), 10**length))

    def pod_ip(self, subnet: str) -> str:
        """Next free address in a /24-per-node pod subnet such as `10.244.1`."""
        n = self._ips.get(subnet, 10) + 1
        self._ips[subnet] = n
        return f"{subnet}.{(n % 250) + 2}" if n < 252 else f"{subnet}.{self.rng.randrange(2, 254)}"

    def cluster_ip(self) -> str:
        return f"10.96.{self.rng.randrange(0, 255)}.{self.rng.randrange(2, 254)}"

    def container_id(self) -> str:
        return "containerd://" + self.hex(64)

    def image_digest(self) -> str:
        return "sha256:" + self.hex(64)
