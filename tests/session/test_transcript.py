"""Transcripts rendered from journals, and the `cockpit transcript` command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.session import FakeClock, Session
from cockpit.session.cli import main as transcript_main
from cockpit.session.transcript import render_transcript

from .plans import seed_like_plan

MIN = 60.0


def test_transcript_has_header_tasks_commands_and_closing_table(finished_session: Session) -> None:
    md = render_transcript(finished_session.journal_path).markdown
    assert md.startswith("# Session transcript: 254Carbon Platform - Next Steps Plan\n")
    assert "| **Kube context** | `kind-254` |" in md
    assert "| **Operator** | ana |" in md
    assert "| **Started** | 2025-10-24 10:00:00 UTC |" in md
    assert "| **Ended** | 2025-10-24 10:17:00 UTC |" in md
    # metrics: plan figures beside the measured baseline and end
    assert "| Pod Health | 75% | 80% | 75% | 81% |" in md
    assert "| ArgoCD Synced | 7/17 | 12/17 | 7/17 | 12/17 |" in md
    # per task: estimate against actual, verdict
    assert "### 1.1 Cloudflare Access bypass for ACME" in md
    assert "**done** · 12m 00s against 10 min · OVER (+2m 00s over)" in md
    assert "**done** · 5m 00s against 15 min · UNDER (10m 00s under)" in md
    assert "**skipped**" in md
    # commands: exit code, duration, excerpt without terminal escapes, link to the side file
    assert "**exit 0** · 1.5s" in md
    assert "**exit 1** · 0.3s" in md
    assert "$ kubectl -n data-platform get certificate spark-history-tls" in md
    assert "spark-history-tls   True" in md and "\x1b" not in md
    assert "[full output](output/r1.log)" in md
    # notes: a fence inside a note cannot break the document
    assert "- 10:00:00 — starting with certs" in md
    # closing table with totals and overrun
    assert "| 1.1 Cloudflare Access bypass for ACME | done | 10 min | 12m 00s | +2m 00s over |" in md
    assert "| **Total** | 3 tasks | **25 min** | **17m 00s** | **8m 00s under** |" in md
    assert "Overrun summed over the tasks that went over their box: **2m 00s**" in md
    # phases keep both their declared box and the sum of their tasks' boxes
    assert (
        "| Phase 1: Unblock External Access & Critical Pods | 30–45 min | 45 min | 17m 00s | 28m 00s under |"
        in md
    )
    assert "1.4 Trino worker" not in md  # untouched tasks are counted, not listed
    assert "3 plan tasks were not touched" in md


def test_code_fences_are_balanced(finished_session: Session) -> None:
    md = render_transcript(finished_session.journal_path).markdown
    opened: list[str] = []
    for line in md.splitlines():
        m = re.match(r"^(`{3,})", line)
        if not m:
            continue
        if opened and m.group(1) == opened[-1] and line.strip() == opened[-1]:
            opened.pop()
        elif not opened:
            opened.append(m.group(1))
    assert opened == []


def test_a_note_with_an_unclosed_fence_does_not_swallow_the_rest(finished_session: Session) -> None:
    md = render_transcript(finished_session.journal_path).markdown
    # fenced with a longer fence than the note's own, so the run after it is Markdown again
    assert "  ````text\n  pasted:\n  ```\n  kubectl get pods\n  ````\n\n**exit 0** · 1.5s" in md


def test_links_are_relative_to_where_the_transcript_goes(finished_session: Session, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "today.md"
    assert transcript_main([str(finished_session.journal_path), "-o", str(out)]) == 0
    md = out.read_text()
    link = re.search(r"\[full output\]\(([^)]+r1\.log)\)", md)
    assert link is not None
    assert (out.parent / link.group(1)).resolve() == (
        finished_session.session_dir / "output" / "r1.log"
    ).resolve()


def test_cli_default_output_is_next_to_the_journal(
    finished_session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert transcript_main([str(finished_session.session_dir)]) == 0  # a session folder works too
    target = finished_session.session_dir / "transcript.md"
    assert target.is_file()
    assert str(target) in capsys.readouterr().out


def test_cli_missing_and_corrupt_journals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert transcript_main([str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"cockpit transcript: {tmp_path / 'nope.jsonl'}: no such journal"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\x00\xff binary\n")
    assert transcript_main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:1" in err and "Traceback" not in err


def test_cli_warns_about_a_torn_journal_and_still_renders(
    finished_session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    with finished_session.journal_path.open("ab") as fh:
        fh.write(b'{"seq": 40, "type": "no')
    assert transcript_main([str(finished_session.journal_path)]) == 0
    assert "torn last line" in capsys.readouterr().err
    md = (finished_session.session_dir / "transcript.md").read_text()
    assert "> ⚠" in md and "torn last line" in md


def test_installed_command_dispatches_to_the_transcript(finished_session: Session, tmp_path: Path) -> None:
    out = tmp_path / "t.md"
    proc = subprocess.run(
        [sys.executable, "-m", "cockpit", "transcript", str(finished_session.journal_path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("# Session transcript:")


def test_commands_and_notes_outside_tasks_are_kept(tmp_path: Path) -> None:
    s = Session.start(seed_like_plan(), tmp_path / "s", clock=FakeClock())
    s.record_command_started("p1", "1.2", "kubectl -n kong get networkpolicy")
    s.record_command_finished("p1", 0, 0.2)
    s.record_command_started("h1", None, "kubectl get nodes")
    s.record_command_finished("h1", 0, 0.1)
    s.add_note("phase 2 waits for certs", "1.2")
    s.close()
    md = render_transcript(s.journal_path).markdown
    other = md.split("## Other commands and notes", 1)[1]
    assert "### Phase 2: GitOps Alignment & TLS Verification" in other
    assert "$ kubectl -n kong get networkpolicy" in other
    assert "phase 2 waits for certs" in other
    assert "### Typed by hand" in other and "$ kubectl get nodes" in other


def test_timeline_lists_what_happened_in_order(finished_session: Session) -> None:
    md = render_transcript(finished_session.journal_path).markdown
    timeline = md.split("<summary>Timeline", 1)[1]
    assert md.rstrip().endswith("</details>")
    expected = [
        "| 10:00:00 | 0:00:00 | ✎ note: starting with certs |",
        "| 10:00:00 | 0:00:00 | ▶ started **1.1 Cloudflare Access bypass for ACME** |",
        "| 10:00:02 | 0:00:02 |   ↳ exit 0 after 1.5s |",
        "| 10:12:00 | 0:12:00 | ✔ done **1.1 Cloudflare Access bypass for ACME** |",
        "| 10:17:00 | 0:17:00 | ■ session ended |",
    ]
    positions = [timeline.index(row) for row in expected]
    assert positions == sorted(positions)
    assert "checkpoint" not in timeline
