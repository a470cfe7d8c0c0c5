"""Transcripts of output as a pseudo-terminal delivers it (CR LF line ends, CR redraws)."""

from __future__ import annotations

from pathlib import Path

from cockpit.session import FakeClock, Session
from cockpit.session.redact import redact
from cockpit.session.transcript import render_transcript

from .plans import seed_like_plan


def test_the_last_line_of_pty_output_reaches_the_transcript(tmp_path: Path) -> None:
    clock = FakeClock(wall=1_761_300_000.0)
    s = Session.start(
        seed_like_plan(), tmp_path / "session", context="kind-254", namespace="default", clock=clock
    )
    s.activate("1.1.1")
    s.record_command_started("r1", "1.1.1", "kubectl -n data-platform get certificate spark-history-tls")
    s.record_output(
        "r1", "NAME                READY   SECRET\r\nspark-history-tls   True    spark-history-tls\r\n"
    )
    s.record_command_finished("r1", 0, 0.3)
    s.record_command_started("r2", "1.1.1", "kubectl logs trino-worker")
    s.record_output("r2", 'error: error from server (NotFound): pods "trino-worker" not found\r\n')
    s.record_command_finished("r2", 1, 0.2)
    s.record_command_started("r3", "1.1.1", "helm pull chart")
    s.record_output("r3", "pulling 10%\rpulling 100%\r\n")
    s.record_command_finished("r3", 0, 1.0)
    s.end()
    s.close()
    text = render_transcript(s.journal_path).markdown
    assert "spark-history-tls   True    spark-history-tls" in text
    assert 'error: error from server (NotFound): pods "trino-worker" not found' in text
    assert "pulling 100%" in text and "pulling 10%" not in text


def test_the_acme_bypass_patch_reads_in_full_and_secret_data_stays_masked() -> None:
    bypass = (
        """kubectl -n kube-system patch configmap cloudflare-access -p '{"data":{"bypassAcme":"true"}}'"""
    )
    assert redact(bypass) == bypass
    secret = """kubectl patch secret db -p '{"data":{"password":"aHVudGVyMg==","enabled":"true"}}'"""
    assert redact(secret) == ("""kubectl patch secret db -p '{"data":{"password":"***","enabled":"true"}}'""")
