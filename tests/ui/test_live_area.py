"""The live-panes area without a cluster: the one-line how-to-connect, and the Platform pane's URL checks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from textual.widgets import DataTable

from cockpit.plan.model import Command

from .conftest import AppFactory, wait_for
from .plans import plan_with_commands


class Healthy(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200)
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/healthz"
    server.shutdown()
    server.server_close()


def table_text(table: DataTable) -> str:  # type: ignore[type-arg]
    return "\n".join(" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count))


async def test_platform_checks_run_without_a_cluster(make_app: AppFactory, health_url: str) -> None:
    plan = plan_with_commands(Command(f"curl -I {health_url}", 7))
    app = make_app(plan=plan, no_kubeconfig=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        live = app.query_one("#live-panes")
        assert live.display
        missing = str(app.query_one("#live-missing").render())
        assert "Connect: cockpit --sandbox" in missing
        checks = app.query_one("#platform-checks", DataTable)
        await wait_for(lambda: "200" in table_text(checks), pilot, timeout=15)
        assert "127.0.0.1" in table_text(checks)
