"""Saving the transcript from the app: the session layer renders it; this names where it goes."""

from __future__ import annotations

from pathlib import Path

from cockpit.session.engine import Session

TRANSCRIPT_NAME = "transcript.md"


def save_transcript(session: Session) -> Path:
    """Write the session's Markdown transcript into its folder and return the path."""
    from cockpit.session.transcript import write_transcript

    path = session.session_dir / TRANSCRIPT_NAME
    write_transcript(session, path)
    return path
