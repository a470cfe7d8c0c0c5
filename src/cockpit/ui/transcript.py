"""Saving the transcript from the app: the session layer renders it from the journal."""

from __future__ import annotations

from pathlib import Path

from cockpit.session.engine import Session


def save_transcript(session: Session) -> tuple[Path, list[str]]:
    """Write the session's Markdown transcript next to its journal; (path, journal warnings)."""
    from cockpit.session.transcript import write_transcript

    return write_transcript(session.journal_path)
