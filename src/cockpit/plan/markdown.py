"""Load a Markdown runbook as a Plan, deciding what is a section, phase, task or step from structure.

The rules, in the order they apply to each heading (deepest first):

- A heading whose sub-headings hold phases or tasks is a container: a PHASE when it has a time box,
  otherwise a SECTION. Its own content before the first sub-heading is its briefing.
- Otherwise the heading and everything under it form one leaf. If it is not inside a timed phase and
  one of its lists reads as a task list (most items carry a time box or a `[ ]` checkbox, or the
  heading has a time box and most items open with a bold title), it is a PHASE whose list items are
  its tasks.
- Otherwise it is a TASK when it has a time box, shell commands or a checklist; inside a timed
  phase, any heading with instructions (prose, a list or code) is a task; in a plan with no time
  boxes at all, a numbered list makes one.
- Anything else is a SECTION of briefing text, kept as Markdown.

A time box is read from the heading ("- 10 min", "(30-45 min)", "⏰ 20 min"), from a label line at
the top of the section (`**Time**: 10 min`, `**Duration**: 60 minutes`), or from a one-line lead-in
ending in ":" before a list ("Execute this (50-75 minutes total):"). A box "(15 min each)" gives
each child task that has none the same box. Inside a task, list items become manual steps (or,
when they hold shell code, describe the commands), shell blocks become commands, other unlabelled
blocks become manual steps, `**Success Criteria**:` lines (and the list after an empty one) become
success criteria, and the rest is briefing text. A table with "current" and "target" columns
becomes the plan's metrics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from cockpit.plan.budget import check_markdown, check_shell_lines
from cockpit.plan.commands import (
    NOT_SHELL_LANGUAGES,
    PROSE_LANGUAGES,
    SHELL_LANGUAGES,
    inline_command,
    looks_like_shell,
    output_shape,
    split_shell,
)
from cockpit.plan.errors import PlanError
from cockpit.plan.fields import find_time_fields
from cockpit.plan.frontmatter import split_front_matter
from cockpit.plan.mdblocks import (
    Block,
    Code,
    Heading,
    Html,
    Item,
    Line,
    ListBlock,
    Para,
    Quote,
    Rule,
    Table,
    parse_blocks,
    space_headings,
)
from cockpit.plan.model import Command, Metric, Node, NodeKind, Plan, TimeBox
from cockpit.plan.mojibake import repair
from cockpit.plan.timebox import find_timebox, format_minutes

CRITERIA_LABELS = frozenset(
    {
        "success criteria",
        "success criterion",
        "done when",
        "acceptance criteria",
        "definition of done",
        "exit criteria",
        "expected result",
        "expected results",
        "expected outcome",
        "outcome",
        "verification",
    }
)
ACTION_LABELS = frozenset({"action", "actions", "manual step", "manual steps", "todo", "to do"})
# An unlabelled block longer than this is pasted output or data, shown as text, not steps.
MAX_PROSE_STEPS = 40
_CURRENT_COLUMNS = frozenset({"current", "current value", "now", "before", "baseline", "actual", "today"})
_TARGET_COLUMNS = frozenset({"target", "target value", "goal", "expected", "desired", "after"})


@dataclass(slots=True)
class _Section:
    heading: Heading | None
    level: int
    blocks: list[Block] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)
    title: str = ""
    line: int = 1
    timebox: TimeBox | None = None


def _label(line: Line) -> str:
    return (line.label or "").strip().lower()


def _walk_blocks(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    stack = list(reversed(blocks))
    while stack:
        block = stack.pop()
        out.append(block)
        if isinstance(block, ListBlock):
            for item in reversed(block.items):
                stack.extend(reversed(item.blocks))
        elif isinstance(block, Quote):
            stack.extend(reversed(block.blocks))
    return out


class _Loader:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = text.split("\n")
        self.warnings: list[str] = []
        self.plan_timed = False
        self.consumed: set[int] = set()  # lines read as a step's estimate field
        self.pending: set[int] = set()  # estimate fields found, consumed once chosen

    # -- source text -------------------------------------------------------------------------
    def source(self, span: tuple[int, int]) -> str:
        return "\n".join(self.lines[span[0] : span[1]]).strip("\n")

    @staticmethod
    def briefing(parts: list[str]) -> str:
        """Join Markdown pieces; trailing double-space hard breaks become backslash breaks."""
        text = "\n\n".join(p.strip("\n") for p in parts if p.strip())
        lines = text.split("\n")
        out: list[str] = []
        for i, line in enumerate(lines):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if line.endswith("  ") and line.strip() and nxt.strip():
                out.append(line.rstrip() + "\\")
            else:
                out.append(line.rstrip())
        while out and out[-1].strip() in {"", "---", "***", "___"}:
            out.pop()
        while out and out[0].strip() in {"", "---", "***", "___"}:
            out.pop(0)
        return "\n".join(out)

    def block_source(self, block: Block) -> str:
        if isinstance(block, Heading):
            return block.source
        if isinstance(block, Html) and block.is_comment:
            return ""
        if isinstance(block, Quote) and block.indented:
            return block.as_markdown()
        if isinstance(block, Html):
            return re.sub(r"<!--.*?-->", "", self.source(block.span), flags=re.S)
        return self.source(block.span)

    # -- structure ---------------------------------------------------------------------------
    def tree(self, blocks: list[Block]) -> _Section:
        root = _Section(None, 0)
        stack = [root]
        for block in blocks:
            if isinstance(block, Heading):
                while stack[-1].level >= block.level:
                    stack.pop()
                section = _Section(block, block.level, line=block.line)
                stack[-1].children.append(section)
                stack.append(section)
            else:
                stack[-1].blocks.append(block)
        return root

    def read_timeboxes(self, section: _Section) -> None:
        stack = [section]
        while stack:
            sec = stack.pop()
            stack.extend(sec.children)
            if sec.heading is None:
                continue
            found = find_timebox(sec.heading.text)
            sec.title, sec.timebox = sec.heading.text, None
            if found is not None:
                sec.timebox, sec.title = found
            else:
                # The first estimate the body states, in document order: a field anywhere in it,
                # or a lead-in line before a list.
                field = self.field_timebox(sec.blocks, sec.title)
                stated = [f for f in (field, self.lead_timebox(sec.blocks)) if f is not None]
                if stated:
                    sec.timebox, line = min(stated, key=lambda f: f[1])
                    if line in self.pending:
                        self.consumed.add(line)
            if sec.timebox is not None:
                self.plan_timed = True

    def field_timebox(self, blocks: list[Block], title: str) -> tuple[TimeBox, int] | None:
        """The step's estimate field (`**Duration**: 15 min`, `| ETA | 1-2 hours |`, `- Time: 10m`)
        anywhere in its own blocks; the field's line is then left out of the briefing. A field
        that names an estimate but whose value cannot be read is reported with its line."""
        first: tuple[TimeBox, int] | None = None
        for found in find_time_fields(blocks):
            if found.box is None:
                self.warnings.append(
                    f"line {found.line}: could not read the time estimate '{found.text}' of "
                    f"'{title}' (write it like '10 min', '~15m' or '1-2 hours')"
                )
            elif first is None:
                first = (found.box, found.line)
                self.pending.add(found.line)
        return first

    @staticmethod
    def lead_timebox(blocks: list[Block]) -> tuple[TimeBox, int] | None:
        """A one-line lead-in ending in ":" before a list ("Execute this (50-75 minutes total):")."""
        for i, block in enumerate(blocks):
            if not isinstance(block, Para):
                return None
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if (
                len(block.lines) == 1
                and block.lines[0].text.endswith(":")
                and isinstance(following, ListBlock)
            ):
                found = find_timebox(block.lines[0].text)
                if found is not None:
                    return found[0], block.lines[0].line
        return None

    # -- classification ----------------------------------------------------------------------
    def classify(self, sec: _Section, in_timed: bool, each: TimeBox | None) -> Node:
        box = sec.timebox
        inherited = _per_child(each) if box is None else None
        child_each = box if box is not None and box.each else None
        # Under a heading that is a step itself (it has commands), prose sub-headings are its
        # details, not tasks of a timed phase.
        timed = (in_timed or box is not None) and not self.has_commands(sec.blocks)
        children = [self.classify(c, timed, child_each) for c in sec.children]
        title = sec.title or "Untitled"
        if any(n.kind in {NodeKind.PHASE, NodeKind.TASK} for c in children for n in c.walk()):
            kind = NodeKind.PHASE if box is not None else NodeKind.SECTION
            node = Node("", kind, title, sec.line, timebox=box)
            self.fill(node, sec.blocks)
            node.children = children
            return node
        # Sub-headings hold no tasks: each is still a node of its own (briefing sections), after
        # what this heading holds itself.
        blocks = sec.blocks
        task_list = None if in_timed else self.task_list(blocks, box)
        if task_list is not None:
            node = Node("", NodeKind.PHASE, title, sec.line, timebox=box or inherited)
            self.fill(node, [b for b in blocks if b is not task_list])
            node.children = [self.item_task(item, child_each) for item in task_list.items] + children
            return node
        actionable = (
            box is not None
            or inherited is not None
            or self.has_commands(blocks)
            or any(isinstance(b, ListBlock) and any(i.checked is not None for i in b.items) for b in blocks)
            or (in_timed and any(isinstance(b, ListBlock | Code | Para) for b in blocks))
            or (not self.plan_timed and any(isinstance(b, ListBlock) and b.ordered for b in blocks))
        )
        if actionable:
            node = Node("", NodeKind.TASK, title, sec.line, timebox=box or inherited)
            self.fill(node, blocks)
            node.children = children
            return node
        text = self.briefing([self.block_source(b) for b in blocks if not self.is_consumed(b)])
        return Node("", NodeKind.SECTION, title, sec.line, text=text, children=children)

    def is_consumed(self, block: Block) -> bool:
        """A one-line paragraph that was read as the section's estimate field."""
        return isinstance(block, Para) and len(block.lines) == 1 and block.lines[0].line in self.consumed

    def has_commands(self, blocks: list[Block]) -> bool:
        for block in _walk_blocks(blocks):
            if isinstance(block, Code) and self.is_shell(block):
                return True
            if isinstance(block, Para) and any(
                inline_command(code, ln.line, lead=_lead(ln, code), alone=ln.text == f"`{code}`") is not None
                for ln in block.lines
                for code in ln.codes
            ):
                return True
        return False

    @staticmethod
    def is_shell(block: Code) -> bool:
        # Only a block with no language is sniffed: `text` means the author said it is not shell.
        if block.language in SHELL_LANGUAGES:
            return True
        sniffed = block.language == "" or block.language not in NOT_SHELL_LANGUAGES
        return sniffed and looks_like_shell(block.content)

    def task_list(self, blocks: list[Block], box: TimeBox | None) -> ListBlock | None:
        for block in blocks:
            if not isinstance(block, ListBlock) or len(block.items) < 2:
                continue
            strong = weak = 0
            for item in block.items:
                first = item.first_line
                if item.checked is not None or (first is not None and find_timebox(first.text) is not None):
                    strong += 1
                elif first is not None and first.bold_lead:
                    weak += 1
            n = len(block.items)
            if strong * 2 > n or (box is not None and (strong + weak) * 2 > n):
                return block
        return None

    def item_task(self, item: Item, each: TimeBox | None) -> Node:
        first = item.first_line
        title = first.text if first is not None else ""
        box = None
        found = find_timebox(title)
        if found is not None:
            box, title = found
        else:
            body = list(item.blocks[1:])
            if item.blocks and isinstance(item.blocks[0], Para):
                body.insert(0, Para(item.blocks[0].lines[1:], item.blocks[0].span))
            field = self.field_timebox(body, title)
            if field is not None:
                box = field[0]
                self.consumed.add(field[1])
            else:
                box = _per_child(each)
        full_title = title
        title = _without_commands(title, first.codes if first is not None else [])
        title = title.strip().rstrip(":").strip() or "Untitled"
        node = Node("", NodeKind.TASK, title, item.line, timebox=box)
        blocks = list(item.blocks)
        if blocks and isinstance(blocks[0], Para):
            rest = blocks[0].lines[1:]
            blocks[0] = Para(rest, blocks[0].span)
            # inline commands on the title line are still offered
            if first is not None:
                self.inline_commands(node, first, full_title, item=True)
        self.fill(node, blocks, in_item=True)
        return node

    # -- content -----------------------------------------------------------------------------
    def inline_commands(self, node: Node, line: Line, text: str | None, *, item: bool = False) -> None:
        """Offer the commands among the line's code spans; `text` (default: the line) describes them.
        `item`: the line opens a list item, where code that starts it and is followed by "to ..."
        or a dash is the item's action ("`tf plan` to check the plan")."""
        for code in line.codes:
            lead = _lead(line, code)
            trail = line.text[len(lead) + len(code) + 2 :]
            opens_item = item and not lead.strip() and re.match(r"\s*(?:to\b|[-–—:])", trail) is not None
            command = inline_command(
                code,
                line.line,
                _describe(text if text is not None else line.text, code),
                lead=lead,
                alone=line.text == f"`{code}`" or opens_item,
            )
            if command is not None:
                node.commands.append(command)

    def fill(self, node: Node, blocks: list[Block], *, in_item: bool = False) -> None:
        parts: list[str] = []
        pending_criteria = False
        group: str | None = None  # a bold one-line paragraph heading the list after it
        for index, block in enumerate(blocks):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if isinstance(block, Para) and isinstance(following, ListBlock) and _is_pseudo_heading(block):
                group = block.lines[0].text
                continue
            if isinstance(block, Para):
                kept: list[str] = []
                for line in block.lines:
                    label = _label(line)
                    if line.line in self.consumed:
                        continue
                    if label in CRITERIA_LABELS:
                        if line.value:
                            node.success_criteria.append(line.value)
                        else:
                            pending_criteria = True
                        continue
                    if label in ACTION_LABELS:
                        if line.value:
                            self.inline_commands(node, line, line.value)
                            node.manual_steps.append(line.value)
                        continue
                    if line.label is not None and not line.value:
                        continue  # "**Steps**:" introduces what follows
                    self.inline_commands(node, line, None)
                    kept.append(line.text if in_item else line.source)
                if kept:
                    parts.append("\n".join(kept))
                continue
            if isinstance(block, ListBlock):
                if pending_criteria:
                    node.success_criteria.extend(_item_text(item) for item in block.items)
                    pending_criteria = False
                elif group is not None:
                    node.manual_steps.append(group)
                    self.list_steps(node, block, 1, parts)
                else:
                    self.list_steps(node, block, 0, parts)
                group = None
                continue
            pending_criteria = False
            if isinstance(block, Code):
                commands = self.code(node, block, parts)
                previous = blocks[index - 1] if index else None
                if commands and commands[0].description is None and isinstance(previous, Para):
                    # "To resize the volume run:" right above the block describes its command.
                    commands[0].description = _lead_in(previous)
            elif isinstance(block, Heading | Table | Quote | Html):
                parts.append(self.block_source(block))
            elif isinstance(block, Rule):
                continue
        node.commands.sort(key=lambda c: c.line)
        node.text = self.briefing(parts)

    def code(self, node: Node, block: Code, parts: list[str]) -> list[Command]:
        if self.is_shell(block):
            shell = split_shell(block.content.rstrip("\n"), block.first_line, block.language)
            node.commands.extend(shell.commands)
            if shell.output:
                printed = "\n".join(text for _line, text in shell.output)
                parts.append(f"```{block.language or 'text'}\n{printed}\n```")
            node.manual_steps.extend(text for _line, text in shell.notes)
            self.warnings.extend(f"line {line}: {problem}" for line, problem in shell.problems)
            return shell.commands
        steps = [ln.strip() for ln in block.content.splitlines() if ln.strip()]
        if block.language in PROSE_LANGUAGES and len(steps) <= MAX_PROSE_STEPS and not _is_data(steps):
            node.manual_steps.extend(steps)
        else:
            parts.append(self.block_source(block))
        return []

    def list_steps(self, node: Node, block: ListBlock, depth: int, parts: list[str]) -> None:
        for item in block.items:
            first = item.first_line
            if first is not None and first.line in self.consumed and len(item.blocks) == 1:
                continue  # "- Time: 10m": the step's estimate, read into its box
            title = first.text if first is not None else ""
            fenced: list[Command] = []
            extra: list[str] = []
            for j, sub in enumerate(item.blocks):
                if isinstance(sub, Para):
                    for k, line in enumerate(sub.lines):
                        self.inline_commands(node, line, title if j == k == 0 else None, item=j == k == 0)
                        if j == k == 0 or not line.text:
                            continue
                        label = _label(line)
                        if label in CRITERIA_LABELS and line.value:
                            node.success_criteria.append(line.value)
                        elif line.label is not None:
                            parts.append(line.source)
                        else:
                            extra.append(line.text)
                elif isinstance(sub, Code):
                    fenced.extend(self.code(node, sub, parts))
                elif isinstance(sub, Table | Quote | Html):
                    parts.append(self.block_source(sub))
            if fenced:
                description = _describe(" ".join([title, *extra]), None)
                if fenced[0].description is None:
                    fenced[0].description = description
            elif title or extra:
                step = " ".join(t for t in [title, *extra] if t)
                node.manual_steps.append("  " * depth + step)
            for sub in item.blocks:
                if isinstance(sub, ListBlock):
                    self.list_steps(node, sub, depth + 1, parts)

    # -- metrics -----------------------------------------------------------------------------
    def metrics(self, blocks: list[Block]) -> list[Metric]:
        metrics: list[Metric] = []
        for block in _walk_blocks(blocks):
            if not isinstance(block, Table) or not block.header:
                continue
            header = [re.sub(r"[^\w ]", "", h).strip().lower() for h in block.header]
            current = next((i for i, h in enumerate(header) if h in _CURRENT_COLUMNS), None)
            target = next((i for i, h in enumerate(header) if h in _TARGET_COLUMNS), None)
            if current is None or target is None:
                continue
            status = next((i for i, h in enumerate(header) if h in {"status", "state"}), None)
            for r, row in enumerate(block.rows):
                cells = row + [""] * (len(header) - len(row))
                if not cells[0].strip():
                    continue
                metrics.append(
                    Metric(
                        name=cells[0].strip(),
                        current=cells[current].strip(),
                        target=cells[target].strip(),
                        line=block.span[0] + 3 + r,
                        status=cells[status].strip() if status is not None else "",
                    )
                )
        return metrics


def _is_data(lines: list[str]) -> bool:
    """An unlabelled block that is printed output or data rather than steps for a person: most of
    its lines are table rows or headers, JSON, or code that opens, continues or closes a bracket
    (`metric{`, `label="x",`, `}`), or a diagram (mostly box drawing and arrows). `Query: up == 0`
    reads as an instruction, not data."""
    data = sum(
        1
        for ln in lines
        if output_shape(ln) in _DATA_SHAPES
        or ln.endswith(("{", "[", "(", ","))
        or ln in "}])"
        or sum(c.isalnum() for c in ln) * 10 < len(ln) * 3  # a diagram: box drawing, arrows
    )
    return data * 2 > len(lines)


_DATA_SHAPES = frozenset(
    {"table header", "table row", "aligned columns", "ascii table", "json or bracketed log"}
)


def _lead_in(para: Para) -> str | None:
    """The last line of a paragraph when it introduces what follows ("Then restart it:")."""
    last = para.lines[-1] if para.lines else None
    if last is None or not last.text.endswith(":") or last.label is not None:
        return None
    return _describe(last.text, None)


def _lead(line: Line, code: str) -> str:
    """The prose before a code span on its line ("On the node run: ")."""
    at = line.text.find(f"`{code}`")
    return line.text[:at] if at >= 0 else ""


def _is_pseudo_heading(para: Para) -> bool:
    """A paragraph that is one bold line ("**Dashboard 1: Overview** (10 min)"), used as a
    heading for the list after it; a label ending in ":" ("**Steps**:") is not one."""
    if len(para.lines) != 1:
        return False
    line = para.lines[0]
    if not line.bold_lead or line.label is not None:
        return False
    rest = line.text[len(line.bold_lead) :].strip() if line.text.startswith(line.bold_lead) else line.text
    return not rest or (find_timebox(line.text) is not None and rest.startswith("("))


def _without_commands(title: str, codes: list[str]) -> str:
    """A list-item title without the commands written in it ("Cordon the node: `kubectl cordon
    node-7`" -> "Cordon the node"), unless that leaves too little to name the task."""
    commands = [code for code in codes if inline_command(code, 0) is not None]
    if not commands:
        return title
    shorter = _describe(title, commands[0]) or ""
    for code in commands[1:]:
        shorter = shorter.replace(f"`{code}`", "").replace(code, "")
    shorter = shorter.strip()
    if len(shorter.split()) >= 2 and shorter[:1].isupper():
        return shorter
    return title


def _per_child(each: TimeBox | None) -> TimeBox | None:
    """The box a child gets from its parent's "(15 min each)"."""
    if each is None:
        return None
    single = replace(each, each=False)
    return replace(single, text=format_minutes(single))


def _describe(text: str, command: str | None) -> str | None:
    """A command description from the prose around it: the command's own code span (all code spans
    when `command` is None) and lead-in punctuation removed, other code spans unquoted."""
    if len(text) > _DESCRIPTION_WINDOW * 2:
        # A description is a phrase: read the prose near the command, not a whole long line.
        at = max(0, text.find(f"`{command}`") if command is not None else 0)
        text = text[max(0, at - _DESCRIPTION_WINDOW) : at + len(command or "") + _DESCRIPTION_WINDOW]
    if command is None:
        text = re.sub(r"`[^`]*`", "", text)
    else:
        text = text.replace(f"`{command}`", "")
        text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"(\S)\s+([,.;:])", r"\1\2", text)  # anchored on a word: linear in long blanks
    text = re.sub(r"\s{2,}", " ", text).strip().rstrip(":").strip()
    return text or None


_DESCRIPTION_WINDOW = 200


def _item_text(item: Item) -> str:
    texts = [ln.text for b in item.blocks if isinstance(b, Para) for ln in b.lines if ln.text]
    return " ".join(texts)


def assign_ids(nodes: list[Node], prefix: str = "") -> None:
    """Dotted index paths ("3.1.2"), stable for the same plan text."""
    stack = [(nodes, prefix)]
    while stack:
        siblings, base = stack.pop()
        for index, node in enumerate(siblings, start=1):
            node.id = f"{base}{index}"
            stack.append((node.children, f"{node.id}."))


def load_markdown(text: str, path: str = "<string>") -> Plan:
    """Load Markdown text as a Plan; `path` names the file in errors and warnings."""
    if not text.strip():
        raise PlanError(path, None, None, "the plan is empty")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    structure = check_markdown(text, path)
    repaired = repair(text)
    loader = _Loader(repaired, path)
    if repaired != text:
        changed = sum(1 for a, b in zip(text.split("\n"), repaired.split("\n"), strict=False) if a != b)
        loader.warnings.append(
            f"repaired mis-decoded characters (UTF-8 read as Mac Roman or Windows-1252) on {changed} lines"
        )
    front = split_front_matter(repaired)
    loader.warnings.extend(front.warnings)
    body, spaced = space_headings(front.text)
    loader.warnings.extend(
        f"line {n}: read as a heading ('#' needs a space after it in Markdown)" for n in spaced
    )
    blocks = parse_blocks(body, path, loader.warnings)
    shell = [b for b in _walk_blocks(blocks) if isinstance(b, Code) and loader.is_shell(b)]
    if shell:
        lines = sum(b.content.count("\n") for b in shell)
        check_shell_lines(lines, structure, path, shell[-1].first_line)
    root = loader.tree(blocks)
    loader.read_timeboxes(root)
    tops = root.children
    preamble = root.blocks
    title = PurePath(path).stem if path != "<string>" else "Plan"
    if tops and tops[0].level == 1 and sum(1 for t in tops if t.level == 1) > 1:
        title = tops[0].title  # several H1s: the first names the plan, and each stays a node
    elif tops and tops[0].level == 1 and sum(1 for t in tops if t.level == 1) == 1:
        h1 = tops[0]
        title = h1.title
        if h1.children:
            preamble = root.blocks + h1.blocks
            tops = h1.children + tops[1:]
        else:
            h1.title = title
    elif not tops:
        leaf = _Section(None, 1, blocks=root.blocks, title=title, line=1)
        lead = loader.lead_timebox(root.blocks)
        leaf.timebox = lead[0] if lead else None
        tops, preamble = [leaf], []
    sections = [loader.classify(section, False, None) for section in tops]
    assign_ids(sections)
    declared = front.metadata.get("title")
    if isinstance(declared, str) and declared:
        title = declared
    plan = Plan(title=title, source=path, sections=sections, metadata=front.metadata)
    plan.text = loader.briefing([loader.block_source(b) for b in preamble])
    plan.metrics = loader.metrics(blocks)
    plan.warnings = loader.warnings
    return plan
