"""Every pane action through the gate, in the real app against the sandbox, checked with the real kubectl.

A normal session confirms (naming the context, namespace and mode), performs, and records each
action in the run list, the journal and the transcript. A `--read-only` session shows the keys as
"read-only session", refuses the action when its key or anything else asks, records the refusal, and
leaves the sandbox object exactly as it was.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static, TabbedContent, TabPane

from cockpit.launch import LaunchOptions
from cockpit.plan.model import Command
from cockpit.session.clock import FakeClock
from cockpit.session.transcript import render_transcript
from cockpit.ui.app import CockpitApp
from cockpit.ui.launch import build_app
from cockpit.ui.screens.dialogs import ConfirmScreen
from cockpit.ui.widgets.output_pane import OutputPane
from cockpit.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import wait_for
from tests.ui.plans import plan_with_commands

from ..sandbox.conftest import kubectl_path

HARD_REFRESH = (
    "argo-pane",
    "argo-table",
    "data-platform",
    "R",
    "⎈ hard refresh application argocd/data-platform",
)
SYNC = ("argo-pane", "argo-table", "api-gateway", "S", "⎈ sync application argocd/api-gateway")
REISSUE = (
    "certs-pane",
    "certs-table",
    "spark-history-tls",
    "R",
    "⎈ re-issue certificate data-platform/spark-history-tls",
)


def sandbox_app(tmp_path: Path, *, read_only: bool) -> CockpitApp:
    app = build_app(
        LaunchOptions(sandbox=True, read_only=read_only),
        plan=plan_with_commands(Command("true", 7)),
        clock=FakeClock(),
        environ={"KUBECONFIG": str(tmp_path / "absent"), "HOME": str(tmp_path)},
    )
    if app.gate.previewer is not None:
        app.gate.previewer.budget = 120.0  # the product's 2 s, relaxed for a loaded test machine
    return app


def kubectl(app: CockpitApp, *args: str) -> Any:
    """The real kubectl, on the session's pinned sandbox context; JSON out."""
    env = dict(os.environ, **app.target.env)
    done = subprocess.run(
        [kubectl_path(), "--cache-dir", str(app.session.session_dir / "kube-cache"), *args, "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def eventually(pilot: Any, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.2)


async def show_pane(app: CockpitApp, pilot: Any, pane_id: str, table_id: str, rows: int) -> VirtualTable:
    pane = app.query_one(f"#{pane_id}")
    tab = next(a for a in pane.ancestors if isinstance(a, TabPane))
    app.query_one("#live-tabs", TabbedContent).active = str(tab.id)
    table = app.query_one(f"#{table_id}", VirtualTable)
    await wait_for(lambda: table.row_count >= rows, pilot, timeout=30)
    table.focus()
    await pilot.pause()
    return table


def select(table: VirtualTable, name: str, column: int = 0) -> None:
    names = [str(table.get_row_at(i)[column]) for i in range(table.row_count)]
    table.move_cursor(row=names.index(name))


async def filter_pods(app: CockpitApp, pilot: Any, name: str) -> VirtualTable:
    table = await show_pane(app, pilot, "pods-pane", "pods-table", 138)
    await pilot.press("slash", *name, "enter")
    await wait_for(lambda: table.row_count == 1, pilot)
    table.focus()
    return table


def trino_pod(app: CockpitApp) -> dict[str, Any]:
    pods = kubectl(app, "get", "pods", "-n", "data-platform")["items"]
    return next(p for p in pods if p["metadata"]["name"].startswith("trino-worker-"))


def request_uid(app: CockpitApp) -> str:
    requests = kubectl(app, "get", "certificaterequests", "-n", "data-platform")["items"]
    uids = [r["metadata"]["uid"] for r in requests if r["metadata"]["name"].startswith("spark-history-tls-")]
    return uids[-1] if uids else ""


def app_state(app: CockpitApp, name: str) -> tuple[str, bool, bool]:
    """(sync status, refresh annotation present, operation requested) of an ArgoCD application."""
    obj = kubectl(app, "get", "applications.argoproj.io", name, "-n", "argocd")
    annotations = obj["metadata"].get("annotations") or {}
    return obj["status"]["sync"]["status"], "argocd.argoproj.io/refresh" in annotations, "operation" in obj


def transcript(app: CockpitApp) -> str:
    app.runs.feed.join()
    return render_transcript(app.session.journal_path).markdown


async def confirm_and_wait(app: CockpitApp, pilot: Any, key: str, label: str, preview: str) -> str:
    """Press the pane key, check the confirmation (with `preview` in its preview), say yes, wait for
    the run to end; the dialog text."""
    await pilot.press(key)
    await wait_for(lambda: isinstance(app.screen, ConfirmScreen) and bool(app.screen.query("#no")), pilot, 60)
    body = str(app.screen.query_one("#dialog-body", Static).render())
    assert label in body and "Session: sandbox session" in body
    shown = str(app.screen.query_one("#dialog-preview", Static).render())
    assert preview in shown, shown
    await pilot.press("y")
    output = app.query_one(OutputPane)
    await wait_for(
        lambda: any(v.command == label and v.state != "running" for v in output.runs.values()), pilot, 30
    )
    view = next(v for v in output.runs.values() if v.command == label)
    assert view.state == "ok", view.message
    return body


async def test_pane_actions_are_confirmed_performed_and_recorded(tmp_path: Path) -> None:
    kubectl_path()
    app = sandbox_app(tmp_path, read_only=False)
    async with asyncio.timeout(240), app.run_test(size=(200, 60)) as pilot:
        # ArgoCD: hard refresh (the drifted app becomes Synced) and sync
        table = await show_pane(app, pilot, "argo-pane", "argo-table", 17)
        assert app_state(app, "data-platform")[0] == "OutOfSync"
        select(table, "data-platform")
        body = await confirm_and_wait(
            app, pilot, "R", HARD_REFRESH[4], "+    argocd.argoproj.io/refresh: hard"
        )
        assert "Target: context cockpit-sandbox, namespace argocd" in body
        await eventually(pilot, lambda: app_state(app, "data-platform")[0] == "Synced")
        select(table, "api-gateway")
        await confirm_and_wait(app, pilot, "S", SYNC[4], "+operation:")
        await eventually(pilot, lambda: app_state(app, "api-gateway")[0] == "Synced")
        # certificates: re-issue deletes the request; cert-manager creates the next one
        before = request_uid(app)
        table = await show_pane(app, pilot, "certs-pane", "certs-table", 9)
        select(table, "spark-history-tls")
        await confirm_and_wait(
            app, pilot, "R", REISSUE[4], "certificaterequest.cert-manager.io/spark-history-tls-1"
        )
        await eventually(pilot, lambda: request_uid(app) not in ("", before))
        # pods: delete
        pod = trino_pod(app)
        name = pod["metadata"]["name"]
        await filter_pods(app, pilot, name)
        await confirm_and_wait(app, pilot, "D", f"⎈ delete pod data-platform/{name}", f"pod/{name}")
        pods = {p["metadata"]["name"]: p for p in kubectl(app, "get", "pods", "-n", "data-platform")["items"]}
        assert name not in pods or pods[name]["metadata"].get("deletionTimestamp")  # gone or terminating
        labels = [HARD_REFRESH[4], SYNC[4], REISSUE[4], f"⎈ delete pod data-platform/{name}"]
        runs = app.session.runs()
        assert [r.cmd for r in runs] == labels
        assert all(r.status == "ok" and r.gate["confirmed_by"] and r.is_action for r in runs)
        text = transcript(app)
        for label in labels:
            assert label in text
        assert text.count("confirmed by ") >= 4


async def test_read_only_session_refuses_pane_writes_and_records_them(tmp_path: Path) -> None:
    kubectl_path()
    app = sandbox_app(tmp_path, read_only=True)
    async with asyncio.timeout(240), app.run_test(size=(200, 60)) as pilot:
        table = await show_pane(app, pilot, "argo-pane", "argo-table", 17)
        select(table, "data-platform")
        shown = {key: b for key, b in app.screen.active_bindings.items() if key in ("R", "S")}
        assert shown["R"].binding.description == "Hard refresh app: read-only session"
        assert shown["S"].binding.description == "Sync app: read-only session"
        footer = " ".join(str(w.render()) for w in app.query("FooterKey"))
        assert "read-only session" in footer
        before = {name: app_state(app, name) for name in ("data-platform", "api-gateway")}
        await pilot.press("R")  # the key asks anyway: the gate refuses it and records the attempt
        await wait_for(lambda: len(app.session.runs()) == 1, pilot)
        assert not isinstance(app.screen, ConfirmScreen)  # refused before any question
        select(table, "api-gateway")
        await pilot.press("S")
        await wait_for(lambda: len(app.session.runs()) == 2, pilot)
        cert_before = request_uid(app)
        table = await show_pane(app, pilot, "certs-pane", "certs-table", 9)
        select(table, "spark-history-tls")
        assert app.screen.active_bindings["R"].binding.description.endswith(": read-only session")
        app.query_one("#certs-pane").action_reissue()  # asked as a palette or script would: refused
        pod = trino_pod(app)
        await filter_pods(app, pilot, pod["metadata"]["name"])
        assert app.screen.active_bindings["D"].binding.description == "Delete pod: read-only session"
        app.query_one("#pods-pane").action_delete_pod()
        await wait_for(lambda: len(app.session.runs()) == 4, pilot)
        labels = [
            HARD_REFRESH[4],
            SYNC[4],
            REISSUE[4],
            f"⎈ delete pod data-platform/{pod['metadata']['name']}",
        ]
        runs = app.session.runs()
        assert [r.cmd for r in runs] == labels
        assert all(r.refused == "refused: read-only session" for r in runs)
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.pause(2.0)  # the sandbox's controllers would have acted on a write by now
        assert {name: app_state(app, name) for name in before} == before
        assert request_uid(app) == cert_before
        again = kubectl(app, "get", "pod", pod["metadata"]["name"], "-n", "data-platform")
        assert again["metadata"]["uid"] == pod["metadata"]["uid"]
        text = transcript(app)
        for label in labels:
            assert label in text
        assert text.count("not run: refused: read-only session") == 4
        refused = [v for v in app.query_one(OutputPane).runs.values() if v.state == "refused"]
        assert [v.command for v in refused] == labels
        assert any("read-only session" in n for n in app.notices)


@pytest.mark.parametrize("read_only", [False, True])
def test_help_lists_pane_writes_by_session_mode(read_only: bool) -> None:
    from cockpit.ui.app import live_pane_bindings

    listed = {b.description for _title, bindings in live_pane_bindings(read_only) for b in bindings}
    assert ("Sync app: read-only session" in listed) is read_only
    assert ("Sync app" in listed) is not read_only
    assert ("Delete pod: read-only session" in listed) is read_only
