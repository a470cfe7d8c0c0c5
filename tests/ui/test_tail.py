"""The output tail: bounded, keeps colours, shows a progress bar's last state, never parses the dropped."""

from __future__ import annotations

from cockpit.ui.widgets.tail_view import TailBuffer, as_text


def test_tail_is_bounded_and_counts_what_fell_off() -> None:
    buffer = TailBuffer(max_lines=100)
    buffer.feed("".join(f"line {i}\r\n" for i in range(1, 1001)))
    assert len(buffer.lines) == 100 and buffer.dropped == 900
    assert buffer.lines[0] == "line 901" and buffer.lines[-1] == "line 1000"


def test_partial_line_is_shown_then_completed() -> None:
    buffer = TailBuffer()
    buffer.feed("Downloading")
    assert [as_text(x).plain for x in buffer.visible_lines()] == ["Downloading"]
    buffer.feed(" done\n")
    assert [as_text(x).plain for x in buffer.visible_lines()] == ["Downloading done"]


def test_carriage_return_progress_shows_its_last_state() -> None:
    buffer = TailBuffer()
    buffer.feed("progress 10%\rprogress 50%\rprogress 100%\r\n")
    assert as_text(buffer.lines[-1]).plain == "progress 100%"


def test_ansi_colours_are_kept() -> None:
    buffer = TailBuffer()
    buffer.feed("\x1b[31mCrashLoopBackOff\x1b[0m ok\n")
    text = as_text(buffer.lines[-1])
    assert text.plain == "CrashLoopBackOff ok"
    coloured = [text.plain[span.start : span.end] for span in text.spans if str(span.style) == "color(1)"]
    assert coloured == ["CrashLoopBackOff"]  # ANSI red, in the terminal's own palette


def test_tabs_become_cells_so_a_stack_trace_never_spills_out_of_the_pane() -> None:
    text = as_text("\tat org.example.Main.run(Main.java:42)")
    assert "\t" not in text.plain and text.plain.startswith("        at org.example")


def test_a_megabyte_chunk_keeps_only_the_last_lines() -> None:
    buf = TailBuffer(max_lines=100)
    buf.feed("".join(f"line {i}\r\n" for i in range(1, 50001)) + "open")
    buf.feed(" line\r\n")
    assert list(buf.lines) == [f"line {i}" for i in range(49902, 50001)] + ["open line"]
    assert buf.dropped == 50000 - 99


def test_an_open_line_completed_by_a_chunk_that_pushes_it_off_is_counted_once() -> None:
    buf = TailBuffer(max_lines=3)
    buf.feed("first ")
    buf.feed("line\r\nl1\r\nl2\r\nl3\r\nl4\r\nopen")
    assert list(buf.lines) == ["l2", "l3", "l4"]
    assert buf.dropped == 2, "'first line' and l1 fell off"
    buf.feed(" end\r\n")
    assert list(buf.lines) == ["l3", "l4", "open end"] and buf.dropped == 3
