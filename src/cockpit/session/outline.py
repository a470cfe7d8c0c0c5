"""The plan's timed skeleton (sections, phases, tasks) as kept in the journal header.

The engine and the transcript both compute estimates from this, so a transcript rendered from a
journal alone agrees with what the live session showed, even when the plan file changed since.
"""

from __future__ import annotations

from collections.abc import Iterable

from cockpit.plan.model import Node, NodeKind, Plan
from cockpit.session.redact import redact_line
from cockpit.session.state import OutlineNode

TIMED_KINDS = (NodeKind.SECTION, NodeKind.PHASE, NodeKind.TASK)


def outline_of(plan: Plan) -> list[OutlineNode]:
    """Sections, phases and tasks of `plan` in plan order, each with its declared box.

    A box marked `each` ("(15 min each)") applies to every child, so the node's own estimate is
    that box times its children (or the children's sum when they carry their own boxes).
    """
    out: list[OutlineNode] = []

    def visit(node: Node, parent: str | None) -> None:
        if node.kind not in TIMED_KINDS:
            return
        box = node.timebox
        minutes: tuple[float, float] | None = None
        if box is not None:
            if box.each:
                kids = [c for c in node.children if c.kind in TIMED_KINDS]
                if kids and all(c.timebox is None for c in kids):
                    minutes = (box.min_minutes * len(kids), box.max_minutes * len(kids))
            else:
                minutes = (box.min_minutes, box.max_minutes)
        steps = tuple(redact_line(step) for step in node.manual_steps)
        out.append(
            OutlineNode(node.id, str(node.kind), redact_line(node.title), node.line, parent, minutes, steps)
        )
        for child in node.children:
            visit(child, node.id)

    for section in plan.sections:
        visit(section, None)
    return out


class Outline:
    """Lookups over outline nodes: children, tasks under a node, estimates."""

    def __init__(self, nodes: Iterable[OutlineNode]) -> None:
        self.nodes: dict[str, OutlineNode] = {}
        self.children: dict[str | None, list[str]] = {}
        self._tasks_under: dict[str | None, list[str]] = {}
        self._estimates: dict[str | None, tuple[float, float] | None] = {}
        self._units: dict[str | None, list[tuple[str, tuple[float, float]]]] = {}
        for node in nodes:
            self.nodes[node.id] = node
            self.children.setdefault(node.parent, []).append(node.id)

    def roots(self) -> list[str]:
        return list(self.children.get(None, []))

    def walk(self, node_id: str | None = None) -> list[str]:
        """Ids of `node_id` and its descendants in plan order (every node when None)."""
        out: list[str] = []
        stack = [node_id] if node_id is not None else list(reversed(self.roots()))
        while stack:
            nid = stack.pop()
            if nid is None or nid not in self.nodes:
                continue
            out.append(nid)
            stack.extend(reversed(self.children.get(nid, [])))
        return out

    def task_ids_under(self, node_id: str | None) -> list[str]:
        """Task ids at or below `node_id` (all tasks when None), in plan order. Cached."""
        if node_id not in self._tasks_under:
            self._tasks_under[node_id] = [n for n in self.walk(node_id) if self.nodes[n].kind == "task"]
        return self._tasks_under[node_id]

    def estimate(self, node_id: str | None = None) -> tuple[float, float] | None:
        """Minutes (min, max): the node's declared box, else the sum of its children's estimates;
        for the whole session (None) the sum over the top-level sections. Cached."""
        if node_id not in self._estimates:
            self._estimates[node_id] = self._estimate(node_id)
        return self._estimates[node_id]

    def _estimate(self, node_id: str | None) -> tuple[float, float] | None:
        if node_id is not None:
            node = self.nodes.get(node_id)
            if node is None:
                return None
            if node.minutes is not None:
                return node.minutes
        kids = self.children.get(node_id, []) if node_id is not None else self.roots()
        boxes = [b for b in (self.estimate(k) for k in kids) if b is not None]
        if not boxes:
            return None
        return (sum(b[0] for b in boxes), sum(b[1] for b in boxes))

    def timed_units(self, node_id: str | None = None) -> list[tuple[str, tuple[float, float]]]:
        """Tasks whose box counts towards the remaining time under `node_id`: the deepest tasks with
        a box (a parent task's box is used only when none of its sub-tasks has one). Cached."""
        if node_id not in self._units:
            self._units[node_id] = self._timed_units(node_id)
        return self._units[node_id]

    def _timed_units(self, node_id: str | None) -> list[tuple[str, tuple[float, float]]]:
        units: list[tuple[str, tuple[float, float]]] = []

        def visit(nid: str) -> None:
            node = self.nodes[nid]
            below = [d for d in self.walk(nid)[1:] if self.nodes[d].kind == "task" and self.nodes[d].minutes]
            if node.kind == "task" and node.minutes and not below:
                units.append((nid, node.minutes))
                return
            for kid in self.children.get(nid, []):
                visit(kid)

        for root in [node_id] if node_id is not None else self.roots():
            if root in self.nodes:
                visit(root)
        return units


def match_outlines(old: list[OutlineNode], new: list[OutlineNode]) -> dict[str, str]:
    """Map the ids of an old outline onto a changed plan's outline: the same id with the same
    title first, then the same title under the same parent title, then a title found only once."""
    new_by_id = {n.id: n for n in new}
    titles = {n.id: n.title for n in new}
    old_titles = {n.id: n.title for n in old}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for node in old:
        same = new_by_id.get(node.id)
        if same is not None and same.title == node.title and same.kind == node.kind:
            mapping[node.id] = node.id
            taken.add(node.id)
    for node in old:
        if node.id in mapping:
            continue
        candidates = [n for n in new if n.title == node.title and n.kind == node.kind and n.id not in taken]
        if len(candidates) > 1:
            parent_title = old_titles.get(node.parent) if node.parent else None
            candidates = [
                c for c in candidates if (titles.get(c.parent) if c.parent else None) == parent_title
            ]
        if len(candidates) == 1:
            mapping[node.id] = candidates[0].id
            taken.add(candidates[0].id)
    return mapping
