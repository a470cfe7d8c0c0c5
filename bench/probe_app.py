"""One measurement of the real cockpit app, in a fresh process; prints one JSON line of figures.

    python bench/probe_app.py MODE --spawned EPOCH [--kubeconfig FILE] [--pods N] [--seconds S] ...

`bench/run_all.py` starts it (and the sandbox, and kubectl) and prints the table; run it alone to
look at one figure. The app is the one the CLI builds (`build_app`), run headless by Textual's
`run_test` with its compositor painting every update (the terminal write is the only step left
out). A paint is a call of `App._display` with an update: the probe counts them and stamps them.

Modes:
  cold     spawn -> the Pods pane's health line painted with all N pods in its table (and the
           process's CPU seconds by then: on a busy machine the steadier of the two)
  churn    server-stamped pod changes (annotation cockpit.sandbox/changed-at) -> the paint that
           includes them, and key press (j in the pods table) -> the next paint, while churning
  idle     CPU, RSS and paints over S seconds once the pods are on screen and nothing changes
  logs     follow a pod logging at the sandbox's --log-rate in the shown Logs tab: lag (kubelet
           timestamp of the oldest line a paint adds -> that paint), CPU
  output   a command through the session path (runner, redaction, side file, output view):
           seconds to finish and key press -> paint while it floods
  nocluster  spawn -> first paint (the whole first screen) with no kubeconfig at all
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

STAMP = "cockpit.sandbox/changed-at"


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB."""
    now = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


class Paints:
    """Wraps the app's `_display` to stamp every screen update and run callbacks on it."""

    def __init__(self, app: Any) -> None:
        self.count = 0
        self.times: list[float] = []
        self.waiters: list[Any] = []
        self.watchers: list[Any] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            now = time.time()
            self.count += 1
            waiters, self.waiters = self.waiters, []
            for fn in waiters:
                fn(now)
            self.watchers = [fn for fn in self.watchers if not fn(now, renderable)]

        app._display = display

    def next(self, fn: Any) -> None:
        self.waiters.append(fn)

    def watch(self, fn: Any) -> None:
        """Call fn(time, update) on every paint until it returns True."""
        self.watchers.append(fn)


def covers(update: Any, region: Any) -> bool:
    """Whether a screen update (Textual's ChopsUpdate of changed line spans, or a whole-region
    LayoutUpdate) redrew any part of `region`."""
    spans = getattr(update, "spans", None)
    if spans is None:
        drawn = getattr(update, "region", None)
        return drawn is None or bool(drawn.overlaps(region))
    return any(region.y <= y < region.bottom and x1 < region.right and x2 >= region.x for y, x1, x2 in spans)


def build(kubeconfig: str | None, home: Path) -> Any:
    os.environ["COCKPIT_HOME"] = str(home)
    if kubeconfig is None:
        os.environ["KUBECONFIG"] = str(home / "no-kubeconfig")
        os.environ["HOME"] = str(home)
    from cockpit.launch import LaunchOptions
    from cockpit.ui.launch import build_app

    options = LaunchOptions(kubeconfig=Path(kubeconfig) if kubeconfig else None)
    return build_app(options, environ=os.environ)


def pods_pane(app: Any) -> Any:
    from cockpit.ui.panes import PodsPane

    return app.query_one(PodsPane)


def health_painted(app: Any, pods: int) -> bool:
    """The Pods pane's health line counts at least `pods` pods (churn replaces pods: the ones
    terminating count too) and its table holds every pod it counts."""
    pane = pods_pane(app)
    summary = str(pane.query_one("#pods-summary").render())
    found = re.search(r"\((\d+)/(\d+) pods\)", summary)
    if found is None:
        return False
    total = int(found.group(2))
    return total >= pods and pane.query_one("#pods-table").row_count == total


async def until_health(
    app: Any, pilot: Any, paints: Paints, pods: int, timeout: float, cpu: list[float] | None = None
) -> float | None:
    """The epoch time of the first paint that shows the health line and the table complete (and
    the process's CPU seconds then, appended to `cpu`). Checked at each paint, as it is painted (a
    poll of the widgets that then waited for the next paint missed the paint showing them whenever
    it came before the poll's turn on the loop)."""
    seen: list[float] = []

    def check(now: float) -> None:
        if health_painted(app, pods):
            seen.append(now)
            if cpu is not None:
                cpu.append(cpu_seconds())
        else:
            paints.next(check)

    paints.next(check)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not seen:
        await asyncio.sleep(0.005)
    return seen[0] if seen else None


async def press_and_time(app: Any, paints: Paints, key: str, changed: Any) -> float:
    """Key press (posted as the terminal driver posts it) -> the first paint that redraws the
    focused widget once `changed()` is true (the key took effect), in seconds. Each paint is
    checked as it happens: a paint that came before this coroutine next polled would otherwise be
    missed and an unrelated later paint timed instead."""
    from textual import events

    got: list[float] = []
    target = app.focused

    def painted(now: float, update: Any) -> bool:
        if changed() and (target is None or covers(update, target.region)):
            got.append(now)
            return True
        return False

    paints.watch(painted)
    began = time.time()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        await asyncio.sleep(0.001)
    if not got:
        paints.watchers.remove(painted)
    return (got[0] if got else time.time()) - began


def show_tab(pane: Any) -> None:
    """Show the live-area tab that holds `pane` (if it is not shown)."""
    from textual.widgets import TabbedContent, TabPane

    tab = next((a for a in pane.ancestors if isinstance(a, TabPane)), None)
    tabs = next((a for a in pane.ancestors if isinstance(a, TabbedContent)), None)
    if tab is not None and tabs is not None and tab.id and tabs.active != tab.id:
        tabs.active = tab.id


def focus_pods(app: Any) -> None:
    """Show the Pods tab (if it is not shown) and put the focus on its table."""
    pane = pods_pane(app)
    show_tab(pane)
    pane.query_one("#pods-table").focus()


async def mode_cold(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    app = build(args.kubeconfig, home)
    async with app.run_test(size=(200, 50)) as pilot:
        paints = Paints(app)
        cpu: list[float] = []
        painted = await until_health(app, pilot, paints, args.pods, args.timeout, cpu)
        now, peak = rss_mb()
        return {
            "painted_s": None if painted is None else painted - args.spawned,
            "cpu_s": cpu[0] if cpu else None,  # the process's CPU time (all threads) at that paint
            "rss_mb": now,
            "peak_mb": peak,
        }


async def mode_idle(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    app = build(args.kubeconfig, home)
    async with app.run_test(size=(200, 50)) as pilot:
        paints = Paints(app)
        await until_health(app, pilot, paints, args.pods, args.timeout)
        await asyncio.sleep(2.0)
        cpu0, count0, t0 = cpu_seconds(), paints.count, time.monotonic()
        await asyncio.sleep(args.seconds)
        took = time.monotonic() - t0
        now, peak = rss_mb()
        return {
            "cpu_pct": 100 * (cpu_seconds() - cpu0) / took,
            "paints": paints.count - count0,
            "seconds": took,
            "rss_mb": now,
            "peak_mb": peak,
        }


async def mode_churn(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    import cockpit.cluster.podlist as podlist
    from cockpit.ui.panes.pods import PodsPane

    stamps: dict[int, float] = {}  # id(summary) -> server time of the change it shows
    received: list[float] = []  # server stamp -> the informer decoded it (the network's share)
    measuring = [False]
    summarize = podlist.summarize_pod

    def stamped(obj: dict[str, Any]) -> Any:
        row = summarize(obj)
        mark = ((obj.get("metadata") or {}).get("annotations") or {}).get(STAMP)
        if mark:
            stamps[id(row)] = float(mark)
            if measuring[0]:
                received.append(time.time() - float(mark))
        return row

    podlist.summarize_pod = stamped  # type: ignore[assignment]
    applied: list[float] = []
    rendered: list[float] = []
    lags: list[float] = []
    on_batch = PodsPane.on_informer_batch
    render_rows = PodsPane.render_rows

    def batch(self: Any, message: Any) -> None:
        for row in message.batch.upserts.values():
            mark = stamps.pop(id(row), None)
            if mark is not None and measuring[0]:
                applied.append(mark)
        on_batch(self, message)

    def render(self: Any) -> None:
        render_rows(self)
        rendered.extend(applied)
        applied.clear()

    PodsPane.on_informer_batch = batch  # type: ignore[method-assign]
    PodsPane.render_rows = render  # type: ignore[method-assign]
    app = build(args.kubeconfig, home)
    async with app.run_test(size=(200, 50)) as pilot:
        paints = Paints(app)

        def painted(now: float) -> None:
            lags.extend(now - mark for mark in rendered)
            rendered.clear()
            paints.next(painted)

        await until_health(app, pilot, paints, args.pods, args.timeout)
        focus_pods(app)
        await asyncio.sleep(1.0)
        if not pods_pane(app).is_on_screen:
            raise SystemExit("the Pods pane is not on screen")
        measuring[0] = True
        paints.next(painted)
        keys: list[float] = []
        cpu0, t0 = cpu_seconds(), time.monotonic()
        table = pods_pane(app).query_one("#pods-table")
        while time.monotonic() - t0 < args.seconds:
            row = table.cursor_row
            key = "j" if len(keys) % 20 < 10 else "k"
            keys.append(await press_and_time(app, paints, key, lambda r=row: table.cursor_row != r))
            await asyncio.sleep(0.1)
        took = time.monotonic() - t0
        now, peak = rss_mb()
        return {
            "events_seen": len(lags),
            "event_p50_s": pct(lags, 0.5),
            "event_p99_s": pct(lags, 0.99),
            "received_p50_s": pct(received, 0.5),
            "received_p99_s": pct(received, 0.99),
            "key_p50_s": pct(keys, 0.5),
            "key_p99_s": pct(keys, 0.99),
            "cpu_pct": 100 * (cpu_seconds() - cpu0) / took,
            "rss_mb": now,
            "peak_mb": peak,
        }


async def mode_logs(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    from cockpit.cluster.logs import LogRequest
    from cockpit.ui.panes.logs import LogsPane

    lags: list[float] = []
    shown = [0]
    pending: list[str] = []  # the oldest line of each drain not painted yet: the worst lag it shows
    drain = LogsPane.drain

    def drained(self: Any) -> int:
        lines = self.buffer.since(self.shown_seq)
        n = drain(self)
        if n and lines and lines[0].ts:
            pending.append(lines[0].ts)
        shown[0] += n
        return n

    LogsPane.drain = drained  # type: ignore[method-assign]
    app = build(args.kubeconfig, home)
    async with app.run_test(size=(200, 50)) as pilot:
        paints = Paints(app)
        await until_health(app, pilot, paints, args.pods, args.timeout)
        pane = app.query_one(LogsPane)
        running = [p for p in pods_pane(app).rows.values() if p.status == "Running" and p.ready == "1/1"]
        target = sorted(running, key=lambda p: (p.namespace, p.name))[0]

        def painted(now: float) -> None:
            for ts in pending:
                lags.append(now - datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp())
            pending.clear()
            paints.next(painted)

        show_tab(pane)  # the operator following logs looks at them: hidden, nothing of them is painted
        pane.follow(LogRequest(target.namespace, pod=target.name, tail=0))
        await asyncio.sleep(2.0)
        pending.clear()  # drained while warming up: not the paints measured
        paints.next(painted)
        lags.clear()
        cpu0, t0, shown0 = cpu_seconds(), time.monotonic(), shown[0]
        await asyncio.sleep(args.seconds)
        took = time.monotonic() - t0
        return {
            "lines_per_s": (shown[0] - shown0) / took,
            "lag_p50_s": pct(lags, 0.5),
            "lag_max_s": max(lags) if lags else float("nan"),
            "cpu_pct": 100 * (cpu_seconds() - cpu0) / took,
        }


async def mode_output(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    from cockpit.session.gate import Request

    app = build(None, home)
    async with app.run_test(size=(200, 50)) as pilot:
        paints = Paints(app)
        await pilot.pause(0.5)
        runs = app.runs
        began = time.monotonic()
        outcome = await runs.gate.submit(Request.command(args.command, None, adhoc=True))
        view = runs.views[outcome.key]
        keys: list[float] = []
        tree = app.query_one("#plan")
        tree.focus()
        while view.state == "running" and time.monotonic() - began < args.timeout:
            line = tree.cursor_line
            key = "down" if len(keys) % 2 == 0 else "up"
            keys.append(await press_and_time(app, paints, key, lambda r=line: tree.cursor_line != r))
            await asyncio.sleep(0.05)
        took = time.monotonic() - began
        side = (app.session.session_dir / view.side_file) if view.side_file else None
        return {
            "seconds": took,
            "state": view.state,
            "side_file_bytes": side.stat().st_size if side is not None and side.exists() else 0,
            "key_p50_s": pct(keys, 0.5),
            "key_p99_s": pct(keys, 0.99),
            "keys": len(keys),
        }


async def mode_nocluster(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    import cockpit.ui.app  # the imports an operator waits for, timed apart
    import cockpit.ui.launch  # noqa: F401 (with a cluster the app loads while the list is fetched)

    imported = time.time()
    app = build(None, home)
    first: list[float] = []
    # counted from before the app runs: its first paint is the whole first screen (plan, task,
    # status line; the app's on_mount has filled them), which `run_test` returns only after
    paints = Paints(app)
    paints.next(first.append)
    async with app.run_test(size=(200, 50)):
        deadline = time.monotonic() + args.timeout
        while not first and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
    return {"first_paint_s": first[0] - args.spawned if first else None, "import_s": imported - args.spawned}


MODES = {
    "cold": mode_cold,
    "idle": mode_idle,
    "churn": mode_churn,
    "logs": mode_logs,
    "output": mode_output,
    "nocluster": mode_nocluster,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--spawned", type=float, default=None, help="epoch time the parent spawned us")
    parser.add_argument("--kubeconfig")
    parser.add_argument("--pods", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--command", default="")
    parser.add_argument("--home", required=True)
    parser.add_argument("--profile", action="store_true", help="cProfile the UI thread to stderr")
    args = parser.parse_args()
    if args.spawned is None:
        args.spawned = time.time()
    from cockpit.ui import heap

    heap.STARTUP.hold()  # as `cockpit` does before it loads the UI (cli.main)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, MODES[args.mode](args, Path(args.home)))
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats(os.environ.get("PROBE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROBE_TOP", "30"))
        )
    else:
        result = asyncio.run(MODES[args.mode](args, Path(args.home)))
    print(json.dumps(result), flush=True)
    sys.stdout.flush()
    os._exit(0)  # informer and follower threads are daemons: do not wait for their sockets


if __name__ == "__main__":
    main()
