"""A finished session shared by the transcript tests of every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.session import FakeClock, Session

from .plans import seed_like_plan

MIN = 60.0


@pytest.fixture
def finished_session(tmp_path: Path) -> Session:
    clock = FakeClock(wall=1_761_300_000.0)  # 2025-10-24 10:00:00 UTC
    s = Session.start(
        seed_like_plan(),
        tmp_path / "session",
        context="kind-254",
        namespace="data-platform",
        operator="ana",
        clock=clock,
    )
    s.record_metrics("baseline", {"Pod Health": "75%", "ArgoCD Synced": "7/17"})
    s.add_note("starting with certs")
    s.activate("1.1.1")
    s.record_command_started("r1", "1.1.1", "kubectl -n data-platform get certificate spark-history-tls")
    s.record_output("r1", "\x1b[1mNAME\x1b[0m                READY\nspark-history-tls   True\n")
    clock.advance(2)
    s.record_command_finished("r1", 0, 1.5)
    s.record_command_started("r2", "1.1.1", "kubectl delete certificaterequest spark-history-tls-1")
    s.record_output("r2", 'Error from server (NotFound): "spark-history-tls-1" not found\n')
    s.record_command_finished("r2", 1, 0.3)
    s.add_note("```weird``` note with | pipe", "1.1.1")
    s.add_note("pasted:\n```\nkubectl get pods\n", "1.1.1")  # an unclosed fence in a note
    clock.advance(12 * MIN - 2)  # 12 min against a 10 min box
    s.tick("1.1.1")
    s.activate("1.1.2")
    clock.advance(5 * MIN)  # 5 of 15
    s.tick("1.1.2")
    s.skip("1.1.3")
    s.record_metrics("end", {"Pod Health": "81%", "ArgoCD Synced": "12/17"})
    s.end()
    s.close()
    return s
