"""Unicode sparklines: a short series of numbers drawn as ▁▂▃▄▅▆▇█ (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def _buckets(values: Sequence[float], width: int) -> list[float]:
    """Shrink to `width` points by averaging equal slices (NaN-aware); shorter input is kept."""
    if len(values) <= width:
        return list(values)
    out: list[float] = []
    for i in range(width):
        lo = i * len(values) // width
        hi = max(lo + 1, (i + 1) * len(values) // width)
        part = [v for v in values[lo:hi] if not math.isnan(v)]
        out.append(sum(part) / len(part) if part else math.nan)
    return out


def sparkline(values: Sequence[float], width: int = 24) -> str:
    """Draw `values` scaled from their minimum to their maximum; gaps (NaN) are spaces.

    A flat series is drawn at mid height (▄) so that "no change" is visible as a line; an empty
    series is "".
    """
    points = _buckets(values, width)
    real = [v for v in points if not math.isnan(v) and not math.isinf(v)]
    if not real:
        return " " * len(points)
    lo, hi = min(real), max(real)
    span = hi - lo
    chars = []
    for v in points:
        if math.isnan(v) or math.isinf(v):
            chars.append(" ")
        elif span == 0:
            chars.append(BARS[3])
        else:
            chars.append(BARS[min(len(BARS) - 1, int((v - lo) / span * len(BARS)))])
    return "".join(chars)
