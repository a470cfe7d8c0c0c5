"""Standard five-field cron schedules (minute hour day-of-month month day-of-week), UTC."""

from __future__ import annotations

import time


def _field(text: str, low: int, high: int) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start, end = int(a), int(b)
        else:
            start = int(base)
            end = high if step_text else start
        if start < low or end > high or step < 1:
            raise ValueError(f"cron field {text!r} out of range {low}-{high}")
        out.update(range(start, end + 1, step))
    return out


class Cron:
    def __init__(self, expr: str) -> None:
        parts = expr.split()
        if len(parts) != 5:
            raise ValueError(f"cron schedule needs 5 fields: {expr!r}")
        self.minutes = _field(parts[0], 0, 59)
        self.hours = _field(parts[1], 0, 23)
        self.days = _field(parts[2], 1, 31)
        self.months = _field(parts[3], 1, 12)
        self.weekdays = {d % 7 for d in _field(parts[4], 0, 7)}
        self.any_day = parts[2] == "*"
        self.any_weekday = parts[4] == "*"

    def _day_ok(self, t: time.struct_time) -> bool:
        weekday = (t.tm_wday + 1) % 7  # cron: Sunday = 0
        dom, dow = t.tm_mday in self.days, weekday in self.weekdays
        if self.any_day or self.any_weekday:
            return dom and dow
        return dom or dow

    def next_after(self, after: float) -> float:
        """The first scheduled minute strictly after `after` (seconds since the epoch)."""
        t = (int(after) // 60 + 1) * 60
        limit = t + 366 * 86400
        while t < limit:
            st = time.gmtime(t)
            if st.tm_mon not in self.months or not self._day_ok(st):
                t = (t // 86400 + 1) * 86400
                continue
            if st.tm_hour not in self.hours:
                t = (t // 3600 + 1) * 3600
                continue
            if st.tm_min in self.minutes:
                return float(t)
            t += 60
        raise ValueError("cron schedule never fires")

    def previous_before(self, before: float) -> float:
        """The last scheduled minute at or before `before` (searching back up to 31 days)."""
        t = int(before) // 60 * 60
        limit = t - 31 * 86400
        while t > limit:
            st = time.gmtime(t)
            if (
                st.tm_mon in self.months
                and self._day_ok(st)
                and st.tm_hour in self.hours
                and st.tm_min in self.minutes
            ):
                return float(t)
            t -= 60
        return float(limit)
