"""A worker that fails is never silent: one sentence on screen, the traceback in the log file;
quitting prints where the session's files are."""

from __future__ import annotations

import logging
from pathlib import Path

from cockpit import logsetup
from cockpit.ui.launch import farewell

from .conftest import AppFactory, wait_for


async def test_failed_worker_notifies_once_and_logs_the_traceback(
    make_app: AppFactory, tmp_path: Path
) -> None:
    log = tmp_path / "cockpit.log"
    logsetup.configure(log_file=log)
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:

            def explode() -> None:
                raise ValueError("the API server sent a line that is not JSON")

            app.run_worker(explode, thread=True, exit_on_error=False, description="pod list")
            await wait_for(lambda: any("pod list failed" in n.message for n in app._notifications), pilot)
            [note] = [n for n in app._notifications if "pod list failed" in n.message]
            assert "not JSON" in note.message and str(log) in note.message
            assert note.severity == "error"
        for handler in logging.getLogger("cockpit").handlers:
            handler.flush()
        text = log.read_text()
        assert "pod list failed: the API server sent a line that is not JSON" in text
        assert "Traceback" in text and "ValueError" in text
    finally:
        for handler in list(logging.getLogger("cockpit").handlers):
            logging.getLogger("cockpit").removeHandler(handler)
            handler.close()
        logsetup._configured.clear()


async def test_farewell_names_the_transcript_and_the_resume_command(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)):
        unsaved = farewell(app)
        path = app.action_save()
        saved = farewell(app)
    journal = app.session.journal_path
    assert unsaved[0] == f"cockpit: session in {journal.parent}"
    assert "not saved" in unsaved[1] and f"cockpit transcript {journal}" in unsaved[1]
    assert saved[1] == f"  transcript: {path}"
    assert saved[2] == f"  resume: cockpit --resume {journal}"


async def test_farewell_says_a_transcript_saved_before_the_end_is_out_of_date(make_app: AppFactory) -> None:
    """`s` during the session, then "Quit" without saving: the file on disk lacks the end (it says
    "not ended"); the shell must not present it as the session's transcript without a word."""
    app = make_app()
    async with app.run_test(size=(120, 40)):
        path = app.action_save()
        assert path is not None
        app.session.end()  # what quitting records after the save
        stale = farewell(app)
    journal = app.session.journal_path
    assert "not ended" in path.read_text()
    assert stale[1].startswith(f"  transcript: {path} is older than the session's end")
    assert f"cockpit transcript {journal} -o {path}" in stale[1]
