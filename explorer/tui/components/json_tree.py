"""``JsonTree``: a folding tree of any JSON value that builds nodes only when they are opened.

``Tree.add_json`` builds every node up front (seconds for 65k nodes). Here a node's children are
created the first time it is expanded, arrays and objects longer than ``chunk_size`` are split
into ``[0..999]`` groups (nested for very long ones), and labels are drawn from the value on
demand, with long strings cut at ``string_limit`` characters. All item text goes through
:mod:`.safe_text`; all colours come from theme variables in ``DEFAULT_CSS``.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text, TextType
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from .json_path import PathPart, json_path
from .safe_text import _scalar_json, preview, safe_text
from .string_viewer import StringViewer

__all__ = ["EXPAND_ALL_ROWS", "JsonNode", "JsonTree"]

EXPAND_ALL_ROWS = 1_000
"""Rows one press of expand-all adds (breadth first; the container that reaches it opens
whole, at most ``chunk_size`` rows more): a 5 MB item has hundreds of thousands of values, and
Textual's tree measures every shown row again at each change (about 0.1 ms a row)."""


@dataclass(slots=True)
class JsonNode:
    """What a tree node stands for: a value at ``path``, or a ``chunk`` of a long container.

    For a chunk, ``value`` is the whole container and ``chunk`` the half-open index range.
    """

    value: Any
    path: tuple[PathPart, ...]
    chunk: tuple[int, int] | None = None
    loaded: bool = False
    _labels: dict[tuple[int, bool], Text] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> PathPart | None:
        """The last step of the path (``None`` at the root)."""
        return self.path[-1] if self.path else None

    @property
    def is_container(self) -> bool:
        return self.chunk is not None or isinstance(self.value, dict | list)


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list)


class JsonTree(Tree[JsonNode]):
    """A lazy, keyboard-first JSON tree (jless-like folding with the arrow keys).

    Args:
        value: Any JSON value (dict, list, str, int, float, bool, None).
        label: Label of the root node.
        string_limit: Strings longer than this many characters are cut; ``enter`` on such a
            string opens it whole in a :class:`StringViewer`.
        chunk_size: Containers longer than this show ``[0..999]`` groups instead of children.
        preview_width: Width in cells of the preview shown beside a collapsed container.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,l", "expand_or_enter", "Unfold", show=False, id="json_tree.unfold"),
        Binding("left,h", "collapse_or_parent", "Fold", show=False, id="json_tree.fold"),
        Binding("j", "cursor_down", "Down", show=False, id="json_tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="json_tree.up"),
        Binding("enter", "open_value", "Open", show=False, id="json_tree.open"),
        Binding("y", "copy_value", "Copy value", id="json_tree.copy_value"),
        Binding("Y", "copy_path", "Copy path", id="json_tree.copy_path"),
        # Tree binds this to shift+space, which most terminals send as a plain space: E
        # reaches the app everywhere, shift+space stays for the terminals that tell it apart.
        Binding(
            "E,shift+space",
            "expand_all",
            "Expand all below",
            show=False,
            id="json_tree.expand_all",
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "json-tree--key",
        "json-tree--index",
        "json-tree--string",
        "json-tree--number",
        "json-tree--literal",
        "json-tree--meta",
        "json-tree--escape",
    }

    DEFAULT_CSS = """
    JsonTree {
        & > .json-tree--key { color: $text-primary; text-style: bold; }
        & > .json-tree--index { color: $text-secondary; }
        & > .json-tree--string { color: $text-success; }
        & > .json-tree--number { color: $text-warning; }
        & > .json-tree--literal { color: $text-accent; }
        & > .json-tree--meta { color: $text-muted; }
        & > .json-tree--escape { color: $text-muted; text-style: italic; }
    }
    """

    class ExpandedAll(Message):
        """Posted after expand-all: ``opened`` containers unfolded, adding ``rows`` rows;
        ``complete`` when nothing below ``node`` is left folded; ``folded`` when the press
        folded everything instead (it was all open already)."""

        def __init__(
            self,
            tree: JsonTree,
            node: TreeNode[JsonNode],
            *,
            opened: int,
            rows: int,
            complete: bool,
            folded: bool = False,
        ) -> None:
            self.tree = tree
            self.node = node
            self.opened = opened
            self.rows = rows
            self.complete = complete
            self.folded = folded
            super().__init__()

        @property
        def control(self) -> JsonTree:
            return self.tree

    class Copied(Message):
        """Posted after a copy action: ``what`` is ``"value"`` or ``"path"``."""

        def __init__(self, tree: JsonTree, what: str, text: str) -> None:
            self.tree = tree
            self.what = what
            self.text = text
            super().__init__()

        @property
        def control(self) -> JsonTree:
            return self.tree

    def __init__(
        self,
        value: Any = None,
        *,
        label: str = "$",
        string_limit: int = 200,
        chunk_size: int = 1000,
        preview_width: int = 48,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        if chunk_size < 2:
            raise ValueError("chunk_size must be at least 2")
        self.string_limit = string_limit
        self.chunk_size = chunk_size
        self.preview_width = preview_width
        self._root_label = label
        self._style_generation = 0
        super().__init__(
            Text(label), JsonNode(value, ()), name=name, id=id, classes=classes, disabled=disabled
        )
        self.guide_depth = 3
        self.auto_expand = False
        self._populate(self.root)
        self.root.expand()

    # --- loading -------------------------------------------------------------------------------

    def load(self, value: Any) -> None:
        """Show ``value`` instead (root expanded one level, cursor on the root)."""
        self.reset(Text(self._root_label), JsonNode(value, ()))
        self._populate(self.root)
        self.root.expand()
        self.cursor_line = 0

    @property
    def value(self) -> Any:
        """The value shown."""
        data = self.root.data
        return None if data is None else data.value

    def process_label(self, label: TextType) -> Text:
        # Tree parses str labels as markup; item text must never be.
        return Text(label) if isinstance(label, str) else label

    def _populate(self, node: TreeNode[JsonNode]) -> None:
        data = node.data
        if data is None or data.loaded or not data.is_container:
            return
        data.loaded = True
        container = data.value
        start, end = data.chunk if data.chunk is not None else (0, len(container))
        span = end - start
        if span > self.chunk_size:
            step = self.chunk_size
            while span > step * self.chunk_size:
                step *= self.chunk_size
            for lo in range(start, end, step):
                hi = min(end, lo + step)
                node.add(Text(), JsonNode(container, data.path, (lo, hi)))
            return
        if isinstance(container, dict):
            for key, child in islice(container.items(), start, end):
                self._add_value_node(node, child, (*data.path, key))
        else:
            for index in range(start, end):
                self._add_value_node(node, container[index], (*data.path, index))

    def _add_value_node(
        self, node: TreeNode[JsonNode], value: Any, path: tuple[PathPart, ...]
    ) -> None:
        expandable = _is_container(value) and len(value) > 0
        node.add(Text(), JsonNode(value, path), allow_expand=expandable)

    def expand_node(self, node: TreeNode[JsonNode]) -> None:
        """Build ``node``'s children if needed and expand it."""
        self._populate(node)
        node.expand()

    def _toggle_node(self, node: TreeNode[JsonNode]) -> None:
        # Every built-in way to expand (space, click, enter) comes through here: build first.
        if node.allow_expand and not node.is_expanded:
            self._populate(node)
        super()._toggle_node(node)

    def expand_all_below(
        self, node: TreeNode[JsonNode], max_rows: int = EXPAND_ALL_ROWS
    ) -> tuple[int, int, bool]:
        """Unfold ``node`` and the containers below it, breadth first (the upper levels open
        first), until ``max_rows`` rows were added (the last container opened may add up to
        ``chunk_size`` more). Returns ``(containers unfolded, rows added, complete)``;
        ``complete`` is False when the budget stopped it (call again to go deeper)."""
        opened = rows = 0
        queue: deque[TreeNode[JsonNode]] = deque([node])
        while queue:
            current = queue.popleft()
            if not current.allow_expand:
                continue
            if not current.is_expanded:
                if rows >= max_rows:
                    return self._expanded(opened, rows, complete=False)
                data = current.data
                if data is not None and not data.loaded:
                    self._populate(current)
                # One invalidation at the end, not one NodeExpanded message per node (a press
                # may open thousands); the pinned Textual keeps the state in these two fields.
                current._expanded = True
                current._updates += 1
                opened += 1
                rows += len(current.children)  # at most chunk_size: the overshoot is bounded
            queue.extend(current.children)
        return self._expanded(opened, rows, complete=True)

    def _expanded(self, opened: int, rows: int, *, complete: bool) -> tuple[int, int, bool]:
        if opened:
            self._invalidate()
        return opened, rows, complete

    def collapse_all_below(self, node: TreeNode[JsonNode]) -> int:
        """Fold ``node`` and every container below it; returns how many were open."""
        folded = 0
        stack = [node]
        while stack:
            current = stack.pop()
            if current.is_expanded:
                current._expanded = False
                current._updates += 1
                folded += 1
                stack.extend(current.children)
        if folded:
            self._invalidate()
        return folded

    def action_expand_all(self) -> None:
        """``E``: unfold everything under the cursor (on a leaf: under its parent), at most
        `EXPAND_ALL_ROWS` new rows a press; when all of it is open already, fold it all."""
        cursor = self.cursor_node or self.root
        node = cursor
        if not node.allow_expand and node.parent is not None:
            node = node.parent
        opened, rows, complete = self.expand_all_below(node)
        if opened == 0 and complete:
            self.collapse_all_below(node)
            cursor = node
            message = self.ExpandedAll(self, node, opened=0, rows=0, complete=True, folded=True)
        else:
            message = self.ExpandedAll(self, node, opened=opened, rows=rows, complete=complete)
        # Rows came or went above the cursor's line (siblings, a folded parent): keep the
        # cursor on its node once the lines are laid out again.
        self.call_after_refresh(self.move_cursor, cursor)
        self.post_message(message)

    @on(Tree.NodeExpanded)
    def _populate_on_expand(self, event: Tree.NodeExpanded[JsonNode]) -> None:
        # Fallback for node.expand() called from outside this class.
        data = event.node.data
        if data is not None and not data.loaded:
            self._populate(event.node)

    # --- labels --------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._style_generation += 1
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"json-tree--{name}", partial=True)

    def _build_label(self, node: TreeNode[JsonNode]) -> Text:
        data = node.data
        if data is None:
            return node._label.copy()
        escape = self._style("escape")
        text = Text(no_wrap=True, end="")
        if data.chunk is not None:
            lo, hi = data.chunk
            text.append(f"[{lo}..{hi - 1}]", self._style("meta"))
            return text
        key = data.key
        if node.is_root:
            text.append_text(node._label)
        elif isinstance(key, int):
            text.append(str(key), self._style("index"))
        elif key is not None:
            text.append_text(
                safe_text(key, max_len=120, style=self._style("key"), escape_style=escape)
            )
        text.append(": ", self._style("meta"))
        value = data.value
        if isinstance(value, dict | list):
            n = len(value)
            open_close = "{}" if isinstance(value, dict) else "[]"
            noun = (
                ("key" if n == 1 else "keys")
                if isinstance(value, dict)
                else ("item" if n == 1 else "items")
            )
            text.append(f"{open_close} {n:,} {noun}", self._style("meta"))
            if n and not node.is_expanded and self.preview_width > 0:
                text.append("  ")
                text.append_text(self._preview(value))
        elif isinstance(value, str):
            string_style = self._style("string")
            text.append('"', string_style)
            text.append_text(
                safe_text(value[: self.string_limit], style=string_style, escape_style=escape)
            )
            text.append('"', string_style)
            if len(value) > self.string_limit:
                more = len(value) - self.string_limit
                text.append(f" … +{more:,} chars (enter: view all)", self._style("meta"))
        elif value is None or isinstance(value, bool):
            text.append(_scalar_json(value), self._style("literal"))
        elif isinstance(value, int | float):
            text.append(_scalar_json(value), self._style("number"))
        else:
            text.append_text(safe_text(repr(value), max_len=self.string_limit, escape_style=escape))
        return text

    def _preview(self, value: Any) -> Text:
        out = preview(value, self.preview_width, escape_style=self._style("escape"))
        out.stylize(self._style("meta"))
        return out

    def render_label(self, node: TreeNode[JsonNode], base_style: Style, style: Style) -> Text:
        data = node.data
        cache_key = (self._style_generation, node.is_expanded)
        cached = data._labels.get(cache_key) if data is not None else None
        if cached is None:
            cached = self._build_label(node)
            if data is not None:
                data._labels.clear()
                data._labels[cache_key] = cached
        label = cached.copy()
        label.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            prefix = Text(icon, style=base_style + Style.from_meta({"toggle": True}))
        else:
            prefix = Text("  ", style=base_style)
        return Text.assemble(prefix, label, no_wrap=True, end="")

    # --- cursor --------------------------------------------------------------------------------

    def value_at_cursor(self) -> Any:
        """The value under the cursor (for a ``[lo..hi]`` group, that slice of the container).

        Returns ``None`` when there is no cursor; use :meth:`path_at_cursor` to tell a JSON
        ``null`` apart.
        """
        node = self.cursor_node
        if node is None or node.data is None:
            return None
        data = node.data
        if data.chunk is None:
            return data.value
        lo, hi = data.chunk
        if isinstance(data.value, dict):
            return dict(islice(data.value.items(), lo, hi))
        return data.value[lo:hi]

    def path_at_cursor(self) -> str | None:
        """The JSON path of the cursor, like ``$.messages[2].content`` or ``$["a.b"]``.

        A ``[lo..hi]`` group of an array gives a slice, ``$.items[0:1000]``; of an object, the
        object's own path. ``None`` when there is no cursor.
        """
        node = self.cursor_node
        if node is None:
            return None
        return self.path_of(node)

    def path_of(self, node: TreeNode[JsonNode]) -> str | None:
        """The JSON path of ``node`` (as :meth:`path_at_cursor` gives it for the cursor)."""
        data = node.data
        if data is None:
            return None
        path = json_path(data.path)
        if data.chunk is not None and isinstance(data.value, list):
            lo, hi = data.chunk
            path += f"[{lo}:{hi}]"
        return path

    def action_expand_or_enter(self) -> None:
        """Right arrow: unfold the node, or step into its first child when already open."""
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            self.expand_node(node)
        elif node.children:
            self.move_cursor(node.children[0])

    def action_collapse_or_parent(self) -> None:
        """Left arrow: fold the node, or go to its parent when already folded."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and (self.show_root or not node.parent.is_root):
            self.move_cursor(node.parent)

    def action_open_value(self) -> None:
        """Enter: a cut string opens whole in a :class:`StringViewer`; a container toggles."""
        node = self.cursor_node
        if node is None or node.data is None:
            return
        data = node.data
        if isinstance(data.value, str) and data.chunk is None:
            if len(data.value) > self.string_limit:
                self.app.push_screen(StringViewer(data.value, title=self.path_at_cursor() or "$"))
            return
        self._toggle_node(node)
        self.post_message(Tree.NodeSelected(node))

    def _copy(self, what: str, text: str) -> None:
        self.app.copy_to_clipboard(text)
        self.post_message(self.Copied(self, what, text))

    def action_copy_value(self) -> None:
        """Copy the value under the cursor: strings as they are, anything else as JSON."""
        if self.cursor_node is None:
            return
        value = self.value_at_cursor()
        if isinstance(value, str):
            self._copy("value", value)
        else:
            self._copy("value", json.dumps(value, ensure_ascii=False, indent=2, default=repr))

    def action_copy_path(self) -> None:
        """Copy the JSON path of the cursor."""
        path = self.path_at_cursor()
        if path is not None:
            self._copy("path", path)
