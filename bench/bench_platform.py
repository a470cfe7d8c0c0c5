"""Platform health figures: one round of many URL checks, plan scanning, sparklines.

Run: python bench/bench_platform.py [N_CHECKS]. Prints figures; not a pass/fail test.
A local stdlib HTTP server on 127.0.0.1 answers every check (no network).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cockpit.cluster.platform.plan_scan import checks_from_plan, promql_queries
from cockpit.cluster.platform.scheduler import CheckMonitor
from cockpit.cluster.platform.sparkline import sparkline
from cockpit.cluster.platform.spec import ServiceCheck
from cockpit.plan import load_plan

SEED = Path(__file__).resolve().parent.parent / "plans" / "254carbon-next-steps.md"


class Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients closing idle keep-alive connections


async def rounds(n: int, repeat: int = 3) -> list[float]:
    server = QuietServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    checks = [ServiceCheck(f"http://127.0.0.1:{port}/c{i}") for i in range(n)]
    monitor = CheckMonitor(checks)
    times = []
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            states = await monitor.run_round()
            times.append(time.perf_counter() - start)
            assert sum(s.result.healthy for s in states) == n
    finally:
        await monitor.runner.aclose()
        server.shutdown()
    return times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    times = asyncio.run(rounds(n))
    print(
        f"check round, {n} URLs (16 at a time), local server: first {times[0]:.2f} s, "
        f"then median {statistics.median(times[1:]):.2f} s"
    )

    plan = load_plan(SEED)
    start = time.perf_counter()
    for _ in range(20):
        checks = checks_from_plan(plan)
        queries = promql_queries(plan)
    per = (time.perf_counter() - start) / 20
    print(f"seed plan scan: {len(checks)} checks, {len(queries)} PromQL queries in {per * 1000:.1f} ms")

    values = [float(i % 97) for i in range(100_000)]
    start = time.perf_counter()
    line = sparkline(values, 30)
    print(f"sparkline of 100,000 points to {len(line)} cells: {(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
