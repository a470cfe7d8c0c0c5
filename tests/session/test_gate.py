"""The gate without a screen: decisions, confirmations, refusals, journal entries, runs and pane actions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cockpit.cluster.errors import ClusterError
from cockpit.runner import RunResult
from cockpit.session import FakeClock, Session, actions
from cockpit.session.feed import BACKLOG, SessionFeed
from cockpit.session.gate import (
    DECLINED,
    READ_ONLY_REFUSAL,
    Gate,
    GateEvent,
    Notice,
    Question,
    Request,
    RunClosed,
    RunOpened,
    RunOutput,
    RunRefused,
    Verdict,
)
from cockpit.session.preview import Preview
from cockpit.session.target import KubeTarget
from cockpit.session.transcript import render_transcript

from .plans import seed_like_plan

TASK = "1.1.1"


class ScriptedView:
    """A GateView that answers confirmations from a script and keeps every event."""

    def __init__(self, answers: list[bool] | None = None) -> None:
        self.answers = list(answers or [])
        self.questions: list[Question] = []
        self.events: list[GateEvent] = []
        self.terminal: list[Callable[[], RunResult]] = []

    async def confirm(self, question: Question) -> bool:
        self.questions.append(question)
        return self.answers.pop(0)

    def show(self, event: GateEvent) -> None:
        self.events.append(event)

    def in_terminal(self, run: Callable[[], RunResult]) -> RunResult | None:
        self.terminal.append(run)
        return None  # like a terminal that cannot hand itself over

    def columns(self) -> int:
        return 100

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


class FakeApi:
    """Records the writes a pane action makes (the real API is exercised in tests/ui_panes)."""

    def __init__(self, fail: str = "") -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail

    def merge_patch(self, path: str, patch: dict[str, Any], what: str = "") -> None:
        if self.fail:
            raise ClusterError(self.fail)
        self.calls.append(("PATCH", path))

    def delete(self, path: str, what: str = "") -> None:
        self.calls.append(("DELETE", path))


class FakeHub:
    def __init__(self, api: FakeApi | None) -> None:
        self.api = api
        self.problem = "" if api else "No cluster: the API server is unreachable."


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = Session.start(
        seed_like_plan(),
        tmp_path / "s",
        context="kind-254",
        namespace="data-platform",
        operator="alice",
        clock=FakeClock(),
    )
    yield s
    s.close()


class FakePreviewer:
    """Says what it was asked to preview (the real one is tested in test_preview.py)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def preview(self, text: str, action: actions.PaneAction | None = None) -> Preview:
        self.asked.append(text)
        return Preview((("-", "-  replicas: 3"), ("+", "+  replicas: 0")))


def make_gate(
    session: Session, view: ScriptedView, *, read_only: bool = False, api: FakeApi | None = None
) -> Gate:
    target = KubeTarget(context="kind-254", namespace="data-platform", read_only=read_only)
    return Gate(session, target, view, cluster=FakeHub(api), previewer=FakePreviewer())  # type: ignore[arg-type]


async def finished(gate: Gate, view: ScriptedView, key: str) -> RunClosed:
    for _ in range(2000):
        closed = [e for e in view.of(RunClosed) if e.key == key]
        if closed:
            await asyncio.to_thread(gate.feed.join)
            return closed[0]
        await asyncio.sleep(0.01)
    raise AssertionError(f"{key} did not finish")


def test_decisions(session: Session) -> None:
    gate = make_gate(session, ScriptedView())
    assert gate.decide(Request.command("kubectl get pods")).verdict is Verdict.READ_ONLY
    changing = gate.decide(Request.command("kubectl delete pod web-1"))
    assert changing.verdict is Verdict.CONFIRM and "delete" in changing.reason
    pane = gate.decide(Request.pane(actions.sync("argocd", "data-platform")))
    assert pane.verdict is Verdict.CONFIRM and "Git state" in pane.reason
    ro = make_gate(session, ScriptedView(), read_only=True)
    refused = ro.decide(Request.command("kubectl delete pod web-1"))
    assert refused.verdict is Verdict.REFUSED and refused.refusal == READ_ONLY_REFUSAL
    assert ro.decide(Request.pane(actions.hard_refresh("argocd", "x"))).verdict is Verdict.REFUSED
    assert ro.decide(Request.command("kubectl get pods")).verdict is Verdict.READ_ONLY


async def test_read_only_command_runs_without_a_question(session: Session) -> None:
    view = ScriptedView()
    gate = make_gate(session, view)
    outcome = await gate.submit(Request.command("echo hello-gate", TASK))
    assert outcome.status == "started" and outcome.key is not None
    closed = await finished(gate, view, outcome.key)
    assert closed.result.ok and view.questions == []
    assert isinstance(view.events[0], RunOpened)
    assert "hello-gate" in "".join(e.text for e in view.of(RunOutput))
    run = session.runs()[-1]
    assert run.task_id == TASK and run.gate["verdict"] == "read-only" and "confirmed_by" not in run.gate
    assert "hello-gate" in (session.session_dir / run.output).read_text()


async def test_changing_command_asks_naming_context_namespace_and_mode(
    session: Session, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    view = ScriptedView([False, True])
    gate = make_gate(session, view)
    cmd = f"sh -c 'touch {marker}'"
    declined = await gate.submit(Request.command(cmd, TASK))
    assert declined.status == "declined" and not marker.exists()
    question = view.questions[0]
    assert question.target == "context kind-254, namespace data-platform"
    assert question.mode == "live session (changes are real)"
    assert declined.run is not None and declined.run.refused == DECLINED
    confirmed = await gate.submit(Request.command(cmd, TASK))
    assert confirmed.key is not None
    await finished(gate, view, confirmed.key)
    assert marker.exists()
    runs = session.runs(TASK)
    assert [r.status for r in runs] == ["refused", "ok"]
    assert runs[1].gate["confirmed_by"] == "alice" and runs[1].gate["verdict"] == "needs confirmation"


async def test_read_only_session_refuses_and_journals(session: Session, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    view = ScriptedView()
    gate = make_gate(session, view, read_only=True)
    outcome = await gate.submit(Request.command(f"sh -c 'touch {marker}'"))
    assert outcome.status == "refused" and not marker.exists() and view.questions == []
    assert view.of(RunRefused)[0].run.refused == READ_ONLY_REFUSAL
    notice = view.of(Notice)[0]
    assert notice.severity == "error" and "read-only session" in notice.message
    run = session.runs()[-1]
    assert run.refused == READ_ONLY_REFUSAL and run.gate["mode"] == "read-only session"


async def test_pane_action_confirmed_is_performed_journaled_and_in_the_transcript(session: Session) -> None:
    api = FakeApi()
    view = ScriptedView([True])
    gate = make_gate(session, view, api=api)
    outcome = await gate.submit(Request.pane(actions.hard_refresh("argocd", "data-platform"), TASK))
    assert outcome.status == "done" and outcome.result is not None and outcome.result.ok
    await asyncio.to_thread(gate.feed.join)
    assert api.calls == [("PATCH", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/data-platform")]
    question = view.questions[0]
    assert question.subject == "⎈ hard refresh application argocd/data-platform"
    assert question.target == "context kind-254, namespace argocd"
    assert "kubectl annotate application data-platform -n argocd" in question.equivalent
    opened = view.of(RunOpened)[0]
    assert opened.kind == "action" and opened.subject == "⎈ hard refresh application argocd/data-platform"
    assert opened.note.startswith("(confirmed by alice at ")  # the run list says who said yes
    run = session.runs(TASK)[-1]
    assert run.cmd == "⎈ hard refresh application argocd/data-platform" and run.is_action
    assert run.namespace == "argocd" and run.gate["confirmed_by"] == "alice" and run.status == "ok"
    text = render_transcript(session.journal_path).markdown
    assert "⎈ hard refresh application argocd/data-platform" in text
    assert "confirmed by alice at" in text


async def test_pane_action_refused_in_read_only_never_reaches_the_api(session: Session) -> None:
    api = FakeApi()
    view = ScriptedView()
    gate = make_gate(session, view, read_only=True, api=api)
    outcome = await gate.submit(Request.pane(actions.sync("argocd", "api-gateway")))
    assert outcome.status == "refused" and api.calls == [] and view.questions == []
    run = session.runs()[-1]
    assert run.cmd == "⎈ sync application argocd/api-gateway" and run.refused == READ_ONLY_REFUSAL
    text = render_transcript(session.journal_path).markdown
    assert "not run: refused: read-only session" in text and "⎈ sync application argocd/api-gateway" in text


async def test_pane_action_declined_and_failed(session: Session) -> None:
    api = FakeApi(fail='applications.argoproj.io "x" is forbidden')
    view = ScriptedView([False, True])
    gate = make_gate(session, view, api=api)
    declined = await gate.submit(Request.pane(actions.delete_pod("data-platform", "web-1")))
    assert declined.status == "declined" and api.calls == []
    failed = await gate.submit(Request.pane(actions.sync("argocd", "x")))
    assert failed.result is not None and not failed.result.ok and "forbidden" in (failed.result.error or "")
    await asyncio.to_thread(gate.feed.join)
    assert [r.status for r in session.runs()] == ["refused", "error"]


async def test_pane_action_without_a_cluster_says_why(session: Session) -> None:
    view = ScriptedView([True])
    gate = make_gate(session, view, api=None)
    outcome = await gate.submit(Request.pane(actions.reissue_certificate("data-platform", "web-tls")))
    assert outcome.result is not None and outcome.result.error == "No cluster: the API server is unreachable."


async def test_edited_and_ad_hoc_commands_say_where_they_came_from(session: Session) -> None:
    view = ScriptedView()
    gate = make_gate(session, view)
    plan_cmd = "kubectl -n data-platform get certificate spark-history-tls"
    edited = await gate.submit(Request.command("echo edited", TASK, edited_from=plan_cmd))
    typed = await gate.submit(Request.command("echo typed", None, adhoc=True))
    assert edited.key and typed.key
    await finished(gate, view, edited.key)
    await finished(gate, view, typed.key)
    first, second = session.runs()
    assert first.gate["edited_from"] == plan_cmd and first.gate["origin"] == "edited"
    assert second.task_id is None and second.gate["origin"] == "ad-hoc"
    text = render_transcript(session.journal_path).markdown
    assert f"edited from `{plan_cmd}`" in text and "typed on the command line" in text


async def test_terminal_command_the_screen_cannot_hand_over_is_recorded_as_not_run(session: Session) -> None:
    view = ScriptedView()
    gate = make_gate(session, view)
    outcome = await gate.submit(Request.command("less /etc/hostname"))
    assert outcome.status == "done" and len(view.terminal) == 1
    assert outcome.result is not None and "cannot hand itself over" in (outcome.result.error or "")


async def test_background_job_and_watch_start_and_cancel(session: Session) -> None:
    view = ScriptedView()
    gate = make_gate(session, view)
    job = await gate.submit(Request.command("sleep 30 &"))
    watch = await gate.submit(Request.command("watch -n 5 echo tick"))
    assert job.key and watch.key and gate.running_count() == 2
    kinds = {e.key: e.kind for e in view.of(RunOpened)}
    assert kinds == {job.key: "job", watch.key: "watch"}
    await gate.stop_all()
    assert gate.running_count() == 0
    assert {r.status for r in session.runs()} == {"cancelled"}


async def test_the_confirmation_carries_the_preview_and_the_journal_keeps_it(session: Session) -> None:
    view = ScriptedView([False])
    gate = make_gate(session, view)
    await gate.submit(Request.command("kubectl scale deployment trino-worker --replicas=0"))
    assert gate.previewer is not None and gate.previewer.asked == [  # type: ignore[attr-defined]
        "kubectl scale deployment trino-worker --replicas=0"
    ]
    question = view.questions[0]
    assert question.preview is not None and ("+", "+  replicas: 0") in question.preview.lines
    assert session.runs()[-1].gate["preview"] == "-  replicas: 3\n+  replicas: 0"
    text = render_transcript(session.journal_path).markdown
    assert "Preview shown in the confirmation:\n\n```diff\n-  replicas: 3\n+  replicas: 0\n```" in text


async def test_read_only_commands_and_refusals_are_not_previewed(session: Session) -> None:
    view = ScriptedView()
    gate = make_gate(session, view, read_only=True)
    await gate.submit(Request.command("kubectl scale deployment trino-worker --replicas=0"))
    await gate.submit(Request.command("echo read-only"))
    assert gate.previewer.asked == []  # type: ignore[union-attr]


def test_no_preview_without_a_pinned_kubeconfig(session: Session) -> None:
    target = KubeTarget(context="kind-254", namespace="data-platform")
    assert Gate(session, target, ScriptedView()).previewer is None
    pinned = KubeTarget(context="kind-254", env={"KUBECONFIG": "/x"})
    assert Gate(session, pinned, ScriptedView()).previewer is not None


async def test_a_flood_is_recorded_whole_and_redacted_in_few_batches(session: Session) -> None:
    """3 MB of lines with a secret: the side file is exactly the redacted output, and the screen
    gets a few big batches (one per full batch or per batch interval), not one per read."""
    from cockpit.session.gate import OUTPUT_BATCH_CHARS, OUTPUT_BATCH_SECONDS
    from cockpit.session.redact import StreamRedactor

    unit = "line password=hunter2 token ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok"
    size = 3_000_000
    cmd = f"yes '{unit}' | head -c {size}"
    view = ScriptedView()
    gate = make_gate(session, view)
    began = asyncio.get_running_loop().time()
    outcome = await gate.submit(Request.command(cmd, TASK))
    assert outcome.key is not None
    await finished(gate, view, outcome.key)
    took = asyncio.get_running_loop().time() - began
    raw = ((unit + "\n") * (size // len(unit) + 1))[:size].replace("\n", "\r\n")
    redactor = StreamRedactor.for_command(cmd)
    expected = redactor.feed(raw) + redactor.flush()
    assert "hunter2" not in expected and "password=***" in expected
    side = session.session_dir / session.state.runs[outcome.key].output
    written = side.read_bytes().decode()
    assert len(written) == len(expected) and written == expected, first_difference(written, expected)
    outputs = [e for e in view.of(RunOutput) if e.key == outcome.key]
    shown = "".join(e.text for e in outputs) + outputs[-1].partial
    assert shown == expected, first_difference(shown, expected)
    assert len(outputs) <= took / OUTPUT_BATCH_SECONDS + len(raw) / OUTPUT_BATCH_CHARS + 2


def test_the_feed_says_when_a_run_must_wait(session: Session) -> None:
    """`keeps_up` (a run's `ready`) turns false once BACKLOG calls wait for the session's thread,
    and true again once they were recorded."""
    feed = SessionFeed(session)
    started, release = threading.Event(), threading.Event()
    feed.submit(lambda: (started.set(), release.wait(60)))
    assert started.wait(60)  # the thread is busy with it: what comes next waits in the queue
    for _ in range(BACKLOG - 1):
        feed.submit(lambda: None)
    assert feed.keeps_up()
    feed.submit(lambda: None)
    assert not feed.keeps_up(), "a run's next batch waits"
    release.set()
    feed.join()
    assert feed.keeps_up()
    feed.stop()


def first_difference(got: str, want: str) -> str:
    """Where two long texts part (pytest's own diff of megabytes takes minutes)."""
    at = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want))
    )
    return f"{len(got):,} vs {len(want):,}: from {at:,}: {got[at : at + 80]!r} vs {want[at : at + 80]!r}"
