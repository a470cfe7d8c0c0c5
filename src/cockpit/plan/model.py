"""The plan model: a tree of sections, phases, tasks and steps, each with an optional time box.

Pure data. Loaders (Markdown, YAML) build it; the session, the transcript and the UI read it.
Every node keeps the 1-based source line it came from so errors and the UI can point at the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class NodeKind(StrEnum):
    """What a node is in the operator's words.

    SECTION: a top-level part of the plan (may hold only briefing text).
    PHASE: a group of tasks with its own time box.
    TASK: something the operator does and ticks off; the unit the session times.
    STEP: a numbered/bulleted step inside a task (ticked as a manual step, not timed on its own).
    """

    SECTION = "section"
    PHASE = "phase"
    TASK = "task"
    STEP = "step"


@dataclass(frozen=True, slots=True)
class TimeBox:
    """An estimate in minutes: `min_minutes..max_minutes` (equal for a single figure).

    `text` is the source text it was read from ("30-45 min"), `each` marks "(15 min each)"
    (the figure applies to each child), `auto` marks "(5 min - auto)" (waiting, not working).
    """

    min_minutes: float
    max_minutes: float
    text: str = ""
    each: bool = False
    auto: bool = False

    @property
    def as_list(self) -> list[float]:
        return [self.min_minutes, self.max_minutes]


@dataclass(slots=True)
class Command:
    """One shell command a step offers to run.

    `cmd` is the command as it would be typed (continuations joined, trailing `&` removed when
    `background`), `description` the `#` comment line above it, `watch` set for `watch CMD`
    (then `cmd` is the inner CMD and `watch_interval` its interval in seconds),
    `inline` set when it came from inline code in prose rather than a code block, `notes` the
    `#` comment lines right after it in its block ("# Target: <15 pods": what to look for in
    its output), `output` the example output the plan shows under it (lines of the block that
    are printed output, not commands).
    """

    cmd: str
    line: int
    description: str | None = None
    background: bool = False
    watch: bool = False
    watch_interval: float = 2.0
    inline: bool = False
    notes: list[str] = field(default_factory=list)
    output: str = ""


@dataclass(slots=True)
class Node:
    """A section, phase, task or step.

    `id` is stable for the same plan text (a dotted index path such as "3.1.2"), so a journal
    written against a plan can be replayed onto a fresh load of it. `text` is briefing Markdown
    (prose that is neither a command, a manual step nor a success criterion). `declared` is the
    time box written on the node itself; `children_minutes()` sums the children, and both are kept
    when they differ. `verify` (YAML plans) is a command whose exit 0 means done; `expect` is the
    text its output should contain.
    """

    id: str
    kind: NodeKind
    title: str
    line: int
    timebox: TimeBox | None = None
    commands: list[Command] = field(default_factory=list)
    manual_steps: list[str] = field(default_factory=list)
    success_criteria: list[str] = field(default_factory=list)
    text: str = ""
    children: list[Node] = field(default_factory=list)
    verify: Command | None = None
    expect: str | None = None

    def walk(self) -> Iterator[Node]:
        """This node and every descendant, depth first, in plan order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def children_minutes(self) -> tuple[float, float] | None:
        """Sum of the children's time boxes (min, max), or None when no child has one."""
        boxes = [c.timebox for c in self.children if c.timebox is not None]
        if not boxes:
            return None
        return (sum(b.min_minutes for b in boxes), sum(b.max_minutes for b in boxes))

    @property
    def is_task(self) -> bool:
        return self.kind is NodeKind.TASK


@dataclass(slots=True)
class Metric:
    """A row of the plan's success-metrics table: e.g. Pod Health, current 75%, target 80%."""

    name: str
    current: str
    target: str
    line: int
    status: str = ""


@dataclass(slots=True)
class UrlCheck:
    """An HTTP check (YAML plan or config `checks:`, one schema: `cockpit.plan.checks`): the URL
    answers with one of `expect_status` (empty: any 2xx or 3xx), its body contains `body_contains`
    (when set), within `max_latency_ms` (when set)."""

    url: str
    line: int
    expect_status: list[int] = field(default_factory=list)
    body_contains: str | None = None
    max_latency_ms: float | None = None
    name: str = ""
    method: str = "GET"
    timeout_ms: float | None = None
    follow_redirects: bool = False
    verify: bool | str = True  # False, or a CA bundle path
    login_ok: bool = False  # a redirect to a login page counts as up


@dataclass(slots=True)
class Plan:
    """A loaded plan. `source` is the path it was read from (or "<string>").

    `text` is the briefing before the first section (Markdown), `checks` the URL checks a YAML plan
    declares, `warnings` what the loader repaired or could not read ("line 12: ..."), `metadata`
    the plan's front matter (title, owner, severity, tags: text or lists of text).
    """

    title: str
    source: str
    sections: list[Node] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    text: str = ""
    checks: list[UrlCheck] = field(default_factory=list)
    metadata: dict[str, str | list[str]] = field(default_factory=dict)

    def walk(self) -> Iterator[Node]:
        for section in self.sections:
            yield from section.walk()

    def tasks(self) -> list[Node]:
        """Every task in plan order: the units the session starts, ticks and times."""
        return [n for n in self.walk() if n.kind is NodeKind.TASK]

    def find(self, node_id: str) -> Node | None:
        for node in self.walk():
            if node.id == node_id:
                return node
        return None

    def parent_of(self, node_id: str) -> Node | None:
        for node in self.walk():
            if any(c.id == node_id for c in node.children):
                return node
        return None
