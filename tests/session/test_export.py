"""The transcript in its four formats, each from the journal alone and each redacted: JSON valid
against the shipped schema, asciicast v2 as the format specifies, and the HTML report loaded in a
real headless Chromium, which must draw the estimate chart from the embedded data."""

from __future__ import annotations

import json
import re
import stat
import subprocess
from pathlib import Path

import jsonschema
import pytest

from cockpit.session import FakeClock, Session
from cockpit.session.asciicast import CastWriter
from cockpit.session.cli import main as transcript_main
from cockpit.session.export import export
from cockpit.session.report import SCHEMA_FILE, build_report
from cockpit.session.transcript import render_transcript

from ..tools import ensure_program
from .plans import seed_like_plan

SECRET = "hunter2-Sup3rS3cret"


def _validate(document: dict) -> None:
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(document)


def test_json_transcript_matches_its_schema_and_the_markdown(
    finished_session: Session, tmp_path: Path
) -> None:
    [path], _ = export(finished_session.journal_path, "json", tmp_path / "out" / "t.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    report = json.loads(path.read_text())
    _validate(report)
    assert report["schema"] == "cockpit-transcript/1"
    s = report["session"]
    assert s["context"] == "kind-254" and s["operator"] == "ana" and s["started"] == "2025-10-24T10:00:00Z"
    assert s["wall_seconds"] >= s["active_seconds"] == 17 * 60
    first = report["tasks"][0]
    assert first["title"] == "1.1 Cloudflare Access bypass for ACME"
    assert first["estimate_minutes"] == [10.0, 10.0] and first["actual_seconds"] == 12 * 60
    assert first["verdict"] == "over" and first["over_seconds"] == 120
    assert [t["state"] for t in report["tasks"]] == ["done", "done", "skipped"]
    runs = {r["id"]: r for r in report["runs"]}
    assert runs["r1"]["status"] == "ok" and runs["r2"]["exit_code"] == 1
    assert runs["r1"]["output_file"] == "../session/output/r1.log"  # relative to the JSON file
    assert "\x1b" not in runs["r1"]["excerpt"] and "spark-history-tls   True" in runs["r1"]["excerpt"]
    metrics = {m["name"]: m for m in report["metrics"]}
    assert metrics["Pod Health"] == {
        "name": "Pod Health",
        "plan_current": "75%",
        "plan_target": "80%",
        "baseline": "75%",
        "end": "81%",
        "samples": 2,
    }
    # phases only (the seed-like plan's section is not a phase), and steps named with their state
    assert [p["title"] for p in report["phases"]] == ["Phase 1: Unblock External Access & Critical Pods"]
    assert first["steps"] == [
        {"text": "Add Access policy exemption", "done": False},
        {"text": "Re-trigger challenges", "done": False},
    ]


def _session_with_secret_and_steps(tmp_path: Path) -> Session:
    clock = FakeClock()
    s = Session.start(seed_like_plan(), tmp_path / "session", clock=clock)
    s.activate("1.1.1")
    s.tick_step("1.1.1", 1)
    s.add_note(f"db password is PGPASSWORD={SECRET}", "1.1.1")
    s.record_command_started("r1", "1.1.1", f"psql postgresql://app:{SECRET}@db/app -c 'select 1'")
    s.record_output("r1", f"connecting to postgresql://app:{SECRET}@db/app\n")
    clock.advance(61)
    for wanted in range(3):
        s.record_metrics("end", {"Pod Health": f"{75 + wanted}%"})
    s.record_command_finished("r1", 0, 0.4)
    s.end()
    s.close()
    return s


def test_every_format_is_redacted(tmp_path: Path) -> None:
    s = _session_with_secret_and_steps(tmp_path)
    written = []
    for fmt in ("md", "json", "html", "cast"):
        paths, _ = export(s.journal_path, fmt)
        written += paths
    assert {p.suffix for p in written} == {".md", ".json", ".html", ".cast"}
    for path in written:
        assert SECRET not in path.read_text(), path
    md = (s.session_dir / "transcript.md").read_text()
    assert "Manual steps (1 of 2 done):" in md
    assert "- [ ] Add Access policy exemption" in md and "- [x] Re-trigger challenges" in md
    assert md.count("metrics recorded (end)") == 1  # repeated samples folded into the table's count
    assert "| Pod Health | 75% | 80% | – | 77% | 3 |" in md


def _parse_cast(path: Path) -> tuple[dict, list[list]]:
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    events = [json.loads(line) for line in lines[1:]]
    return header, events


def test_casts_are_asciicast_v2(finished_session: Session, tmp_path: Path) -> None:
    recorded = finished_session.session_dir / "output" / "r1.cast"
    header, events = _parse_cast(recorded)  # written live, beside the side file
    assert header["version"] == 2 and header["width"] > 0 and header["height"] > 0
    assert isinstance(header["timestamp"], int) and header["title"].startswith("kubectl -n data-platform")
    assert events and all(len(e) == 3 and e[1] == "o" and isinstance(e[2], str) for e in events)
    times = [e[0] for e in events]
    assert times == sorted(times) and times[0] >= 0
    assert "spark-history-tls   True\r\n" in "".join(e[2] for e in events)
    # --format cast copies the recordings; a run without one gets its output at the run's end
    recorded.unlink()
    assert (
        transcript_main([str(finished_session.journal_path), "--format", "cast", "-o", str(tmp_path / "c")])
        == 0
    )
    header, events = _parse_cast(tmp_path / "c" / "r1.cast")
    assert header["version"] == 2 and events == [[1.5, "o", events[0][2]]]
    md = finished_session.session_dir / "transcript.md"
    export(finished_session.journal_path, "md")
    assert "[replay](output/r2.cast)" in md.read_text()


def test_cast_events_end_every_line_with_cr_lf(tmp_path: Path) -> None:
    """A chunk whose lines all end in CR LF (what a PTY sends) is written as it is; one with a lone
    LF anywhere gets CR LF for it, and no CR is doubled."""
    writer = CastWriter(tmp_path / "r.cast", "cmd")
    for chunk in ("a\r\nb\r\n", "c\nd\r\n", "e\n", "open"):
        writer.write(chunk)
    writer.close()
    _, events = _parse_cast(tmp_path / "r.cast")
    assert [e[2] for e in events] == ["a\r\nb\r\n", "c\r\nd\r\n", "e\r\n", "open"]


@pytest.fixture(scope="module")
def chromium() -> str:
    path, why = ensure_program("chromium")  # Debian's package, installed by the tests when root
    if path is None:
        pytest.skip(f"Chromium is needed to load the HTML report: {why}")
    return path


def test_html_report_draws_its_chart_in_a_real_browser(
    finished_session: Session, tmp_path: Path, chromium: str
) -> None:
    [page], _ = export(finished_session.journal_path, "html")
    text = page.read_text()
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = done.stdout
    assert '<div id="estimate-chart"><svg' in dom, done.stderr[-2000:]
    phases, tasks = len(build_report(finished_session.journal_path)["phases"]), 3
    assert len(re.findall(r'class="bar-actual', dom)) == phases + tasks
    assert len(re.findall(r'class="bar-actual bar-over"', dom)) >= 1  # 12 min against 10: hatched
    assert "(over)" in dom and "Cloudflare Access bypass" in dom
    assert dom.count("<details>") == 2  # the two commands, collapsible


def test_html_timeline_shows_commands_and_titles_not_markdown_marks(tmp_path: Path) -> None:
    """The timeline rows are the Markdown transcript's; the HTML page renders their `code` and
    **bold** instead of printing backticks and asterisks, and still escapes everything."""
    s = Session.start(seed_like_plan(), tmp_path / "session", clock=FakeClock())
    s.activate("1.1.1")
    s.record_command_started("r1", "1.1.1", "kubectl get pods -l 'app in (a,b)' | grep -v '<none>'")
    s.record_command_finished("r1", 0, 0.2)
    s.record_command_started("r2", "1.1.1", "echo `date` **not bold**")
    s.record_command_finished("r2", 0, 0.1)
    s.end()
    s.close()
    [page], _ = export(s.journal_path, "html")
    rows = page.read_text().split("<h2>Timeline</h2>", 1)[1].split("</table>", 1)[0]
    assert "▶ started <strong>1.1 Cloudflare Access bypass for ACME</strong>" in rows
    q = "&#x27;"
    assert f"$ <code>kubectl get pods -l {q}app in (a,b){q} | grep -v {q}&lt;none&gt;{q}</code>" in rows
    assert "$ <code>echo `date` **not bold**</code>" in rows  # a command's own marks stay as typed
    assert "**" not in rows.replace("**not bold**", "") and "`kubectl" not in rows


def test_the_plan_is_named_as_the_operator_knows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cockpit.paths import bundled_plan
    from cockpit.plan import load_plan  # type: ignore[attr-defined]

    monkeypatch.chdir(tmp_path)
    bundled = Session.start(load_plan(bundled_plan()), tmp_path / "a", clock=FakeClock())
    bundled.end()
    bundled.close()
    assert (
        build_report(bundled.journal_path)["session"]["plan"]
        == "254carbon-next-steps.md (bundled with cockpit)"
    )
    # the file name is code, the note is not: no "`name.md (bundled with cockpit)`"
    [md], _ = export(bundled.journal_path, "md")
    assert "| **Plan** | `254carbon-next-steps.md` (bundled with cockpit) (sha256 `" in md.read_text()
    [page], _ = export(bundled.journal_path, "html")
    assert "<code>254carbon-next-steps.md</code> (bundled with cockpit)</td>" in page.read_text()
    own = tmp_path / "plans" / "mine.md"
    own.parent.mkdir()
    own.write_text("# Mine\n\n## Fix (10 min)\n\n```bash\nkubectl get pods\n```\n")
    mine = Session.start(load_plan(own), tmp_path / "b", clock=FakeClock())
    mine.end()
    mine.close()
    assert build_report(mine.journal_path)["session"]["plan"] == "plans/mine.md"
    assert "| **Plan** | `plans/mine.md`" in render_transcript(mine.journal_path).markdown
