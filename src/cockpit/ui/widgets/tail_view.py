"""A bounded, scrollable tail of coloured output lines, rendered with the Line API.

The buffer keeps at most `max_lines` raw lines (ANSI codes and all) and parses a line into a
rich `Text` only when it is on screen (`render_line`), with a small cache: a command printing
millions of lines costs a split and a deque append per line, never a render.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cockpit.ui.widgets.nav import NavMixin, nav_bindings

Line = str | Text  # raw terminal text, or a line the cockpit styled itself (headers, footers)
CACHE_LINES = 512


class TailBuffer:
    """The last `max_lines` lines of one command's output, with the partial line still open."""

    def __init__(self, max_lines: int = 2000) -> None:
        self.lines: deque[Line] = deque(maxlen=max_lines)
        self.dropped = 0  # lines that fell off the top
        self.width = 0
        self._partial = ""
        self._preview = ""  # the open line as far as it came, shown until more output replaces it
        self.version = 0  # bumped on every change so views know to repaint
        self.scroll_x = 0.0  # the sideways offset the operator left this run at (one run's only)

    def clear(self) -> None:
        self.lines.clear()
        self._partial = ""
        self._preview = ""
        self.dropped = 0
        self.width = 0
        self.version += 1

    def append_line(self, line: Line) -> None:
        if len(self.lines) == self.lines.maxlen:
            self.dropped += 1
        self.lines.append(line)
        # an estimate for the horizontal scroll range (ANSI codes over-count; tabs take up to 8 cells)
        cells = line.cell_len if isinstance(line, Text) else len(line) + 7 * line.count("\t")
        self.width = max(self.width, cells)
        self.version += 1

    def feed(self, chunk: str) -> None:
        """Add raw terminal output (may hold several lines, CRLF, ANSI codes, a trailing partial).

        Only the lines that will be kept are looked at: a megabyte of output costs a count of the
        newlines in what falls off, not a pass over every line of it."""
        self._preview = ""  # what comes now carries the line it previewed
        keep = self.lines.maxlen
        # split off just the last lines: what falls off, the lines kept, the open line
        parts = chunk.split("\n") if keep is None else chunk.rsplit("\n", keep + 1)
        if keep is not None and len(parts) > keep + 1:
            self.dropped += parts.pop(0).count("\n") + 1  # the open line ended in there too
        else:
            parts[0] = self._partial + parts[0]
        self._partial = parts.pop()
        if parts:
            lines = [part[:-1] if part.endswith("\r") else part for part in parts]  # CR LF ends a line
            if keep is not None:
                self.dropped += max(0, len(self.lines) + len(lines) - keep)
            self.lines.extend(lines)
            # an estimate for the horizontal scroll range (ANSI codes over-count; a tab takes up to 8)
            tabs = "\t" in chunk
            self.width = max(
                self.width, max(len(line) + 7 * line.count("\t") if tabs else len(line) for line in lines)
            )
        self.version += 1

    def preview(self, text: str) -> None:
        """Show `text` after the open line until the next `feed`: a line still being written (a
        prompt, progress), as the session redacted it so far."""
        if text != self._preview:
            self._preview = text
            self.version += 1

    def flush_partial(self) -> None:
        if self._partial or self._preview:
            self.append_line(self._partial + self._preview)
            self._partial = self._preview = ""

    def visible_lines(self) -> list[Line]:
        lines = list(self.lines)
        if self._partial or self._preview:
            lines.append(self._partial + self._preview)
        return lines


def as_text(line: Line) -> Text:
    """A raw line as shown: a bare CR redraws the line (progress bars), so keep what was drawn last.

    A CR with nothing drawn after it erases nothing: `curl -I` ends its lines with CR before the
    PTY's CR LF, and those headers must not show as blank lines.
    """
    if isinstance(line, Text):
        return line
    if "\r" in line:
        line = next((drawn for drawn in reversed(line.split("\r")) if drawn), "")
    text = Text.from_ansi(line)
    text.expand_tabs()  # a tab must become cells before the line is cropped to the pane (stack traces)
    return text


def plain(line: Line) -> str:
    return as_text(line).plain


class TailView(NavMixin, ScrollView, can_focus=True):
    """Shows a TailBuffer; follows the end unless the operator scrolled up. `w` wraps long lines
    (and back); a sideways scroll belongs to the run it was made in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *nav_bindings("output", cursor=False),
        Binding("w", "toggle_wrap", "Wrap lines", id="output.wrap"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._buffer = TailBuffer()
        self._lines: list[Line] = []
        self._seen_version = -1
        self._height = 0  # the rows shown unwrapped (see sync)
        self._cache: OrderedDict[str, Text] = OrderedDict()  # raw line -> parsed
        self.wrap = False
        self._rows: list[Text] = []  # wrap mode: the screen rows the lines wrap into
        self._wrapped: OrderedDict[tuple[int, str | int], list[Text]] = OrderedDict()  # (width, line) -> rows

    @property
    def buffer(self) -> TailBuffer:
        return self._buffer

    def show(self, buffer: TailBuffer) -> None:
        if buffer is not self._buffer:
            self._buffer.scroll_x = self.scroll_x
        self._buffer = buffer
        self._seen_version = -1
        self._cache.clear()
        self.sync(force_end=True)
        # after the new virtual size is laid out: until then the scroll range is the old run's
        self.call_after_refresh(self.scroll_to, x=buffer.scroll_x, animate=False, immediate=True)

    def sync(self, force_end: bool = False) -> None:
        """Repaint if the buffer changed since the last sync (called by the throttle timer)."""
        if self._buffer.version == self._seen_version:
            return
        at_end = force_end or self.is_vertical_scroll_end
        self._seen_version = self._buffer.version
        self._lines = self._buffer.visible_lines()
        if self.wrap:
            self._rows = self._wrap_all()
            self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        else:
            rows = len(self._lines)
            buffer = self._buffer
            if rows == self._height - 1 and len(buffer.lines) == buffer.lines.maxlen and not force_end:
                # a full tail whose open line just ended: the top line fell off and nothing opened
                # yet; keep the row (blank) rather than lay out the whole screen for one row less
                rows = self._height
            self._height = rows
            self.virtual_size = Size(buffer.width, rows)
        if at_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        # the lines only: the scrollbars repaint themselves when the size or the offset changes
        self.refresh(Region(0, 0, self.size.width, self.size.height))

    def action_toggle_wrap(self) -> None:
        """Long lines wrap onto the next rows (nothing is cut), or are cropped and scroll sideways."""
        self.wrap = not self.wrap
        self.border_subtitle = "wrapped" if self.wrap else ""
        self._seen_version = -1
        self.sync(force_end=self.is_vertical_scroll_end)
        if self.wrap:
            self.scroll_to(x=0, animate=False, immediate=True)

    def on_resize(self) -> None:
        if self.wrap:  # the rows depend on the width
            self._seen_version = -1
            self.sync()

    def _wrap_all(self) -> list[Text]:
        width = max(1, self.scrollable_content_region.width)
        rows: list[Text] = []
        for line in self._lines:
            key = (width, line if isinstance(line, str) else id(line))
            wrapped = self._wrapped.get(key)
            if wrapped is None:
                text = self._text(line).copy()
                text.end = ""
                wrapped = list(text.wrap(self.app.console, width, overflow="fold")) or [Text("")]
                for piece in wrapped:
                    piece.end = ""
                self._wrapped[key] = wrapped
                if len(self._wrapped) > 4 * CACHE_LINES:
                    self._wrapped.popitem(last=False)
            rows.extend(wrapped)
        return rows

    def line_texts(self) -> list[str]:
        """The plain text of what the view holds (for tests and copy)."""
        return [plain(line) for line in self._lines]

    def _text(self, line: Line) -> Text:
        if isinstance(line, Text):
            return line
        cached = self._cache.get(line)
        if cached is None:
            cached = as_text(line)
            self._cache[line] = cached
            if len(self._cache) > CACHE_LINES:
                self._cache.popitem(last=False)
        return cached

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        style = self.rich_style
        if self.wrap:
            if index >= len(self._rows):
                return Strip.blank(width, style)
            row = self._rows[index]
            strip = Strip(Segment.apply_style(list(row.render(self.app.console)), style), row.cell_len)
            return strip.crop_extend(0, width, style)
        if index >= len(self._lines):
            return Strip.blank(width, style)
        text = self._text(self._lines[index]).copy()
        text.no_wrap = True
        text.end = ""
        segments = list(text.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, style), text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, style)
