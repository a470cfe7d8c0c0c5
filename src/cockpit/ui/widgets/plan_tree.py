"""The plan checklist: sections, phases and tasks with state, time box and elapsed bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from cockpit.plan.model import Node, NodeKind, Plan
from cockpit.ui.rows import Palette, RowState, row_label
from cockpit.ui.widgets.nav import NavMixin, nav_bindings

StateOf = Callable[[Node], RowState]


class PlanTree(NavMixin, Tree[Node]):
    """Arrows/j/k move, enter starts the task, space ticks it, x skips it, / filters."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *nav_bindings("plan"),
        Binding("space", "tick", "Tick task", id="plan.tick"),
        Binding("x", "skip", "Skip task", show=False, id="plan.skip"),
        Binding("enter", "select_cursor", "Start task", id="plan.start"),
        Binding("right,l", "expand", "Expand", show=False, id="plan.expand"),
        Binding("left,h", "collapse", "Collapse", show=False, id="plan.collapse"),
    ]

    @dataclass
    class TickRequested(Message):
        node: Node

    @dataclass
    class SkipRequested(Message):
        node: Node

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("plan", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self._by_id: dict[str, TreeNode[Node]] = {}
        self._state_of: StateOf = lambda node: RowState(timebox=node.timebox)
        self.palette = Palette()
        self.filter_text = ""

    def load(self, plan: Plan, state_of: StateOf) -> None:
        """(Re)build the rows; the cursor stays on its node, or goes to the first task shown.

        A rebuilt tree keeps only the cursor's line number: after a filter that line holds some
        other row, and enter would start a task the operator never chose.
        """
        kept = self.cursor_plan_node
        self._state_of = state_of
        self.clear()
        self._by_id.clear()
        self.root.label = plan.title
        for section in plan.sections:
            self._add(self.root, section)
        self.root.expand()
        target = self._by_id.get(kept.id) if kept is not None else None
        if target is None and self.filter_text:
            rows = list(self._by_id.values())
            tasks = [row for row in rows if row.data is not None and row.data.kind is NodeKind.TASK]
            target = tasks[0] if tasks else rows[0] if rows else None
        if target is not None:
            self._tree_lines  # noqa: B018 - builds the rows so that the node knows its line
            self.move_cursor(target)

    def _add(self, parent: TreeNode[Node], node: Node) -> None:
        if self.filter_text and not self._matches(node):
            return
        shown = [c for c in node.children if c.kind is not NodeKind.STEP]
        label = row_label(node, self._state_of(node), self.palette)
        if shown:
            branch = parent.add(label, data=node, expand=True)
            self._by_id[node.id] = branch
            for child in shown:
                self._add(branch, child)
        else:
            self._by_id[node.id] = parent.add_leaf(label, data=node)

    def _matches(self, node: Node) -> bool:
        needle = self.filter_text.lower()
        return any(needle in n.title.lower() for n in node.walk() if n.kind is not NodeKind.STEP)

    def refresh_rows(self, nodes: list[Node] | None = None) -> None:
        """Re-render the labels of `nodes` (all when None) from the session state."""
        targets = (
            self._by_id.values()
            if nodes is None
            else [self._by_id[n.id] for n in nodes if n.id in self._by_id]
        )
        for tree_node in targets:
            if tree_node.data is not None:
                label = row_label(tree_node.data, self._state_of(tree_node.data), self.palette)
                if label != tree_node.label:  # the active row ticks every second; the rest stay
                    tree_node.set_label(label)

    def focus_node(self, node: Node) -> None:
        tree_node = self._by_id.get(node.id)
        if tree_node is not None:
            self.move_cursor(tree_node)

    def label_of(self, node_id: str) -> str:
        """The row's text as shown (empty when the node is filtered out)."""
        tree_node = self._by_id.get(node_id)
        # a label is stored as Text (the getter's type says str | Text); str() of Text is its plain text
        return str(tree_node.label) if tree_node is not None else ""

    def iter_plan_nodes(self) -> list[TreeNode[Node]]:
        """Rows currently in the tree, in plan order."""
        return list(self._by_id.values())

    @property
    def cursor_plan_node(self) -> Node | None:
        return self.cursor_node.data if self.cursor_node is not None else None

    def action_tick(self) -> None:
        node = self.cursor_plan_node
        if node is not None:
            self.post_message(self.TickRequested(node))

    def action_skip(self) -> None:
        node = self.cursor_plan_node
        if node is not None:
            self.post_message(self.SkipRequested(node))

    def action_expand(self) -> None:
        if self.cursor_node is not None:
            self.cursor_node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
