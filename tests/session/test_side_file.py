"""A side file always holds the output so far, redacted: complete lines for good and the open line
as far as it came, taken back and written again only when its redaction changes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.session.output import OutputFile
from cockpit.session.redact import StreamRedactor, redact

PIECES = [
    "password: ",
    "hunter2",
    "waiting",
    ".",
    "\n",
    "ghp_",
    "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5",
    " ok",
]


@settings(max_examples=80, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES), max_size=40).map("".join), data=st.data())
def test_the_side_file_is_the_redacted_output_so_far_however_it_is_cut(
    text: str, data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=12)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.log"
        side = OutputFile(path, StreamRedactor())
        start = 0
        for cut in [*cuts, len(text)]:
            written = side.feed(text[start:cut])
            start = cut
            so_far = path.read_text()
            assert so_far == redact(text[:cut])  # as if the output had ended here
            assert so_far.endswith(written.partial)
        side.close()
        assert path.read_text() == redact(text)
        assert side.bytes == path.stat().st_size
