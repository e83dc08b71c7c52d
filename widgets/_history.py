"""An item's history in the item view (its **History** tab): every version, newest first, with who
made it, when and what it changed; the diff of the picked version against another (by default
the one before it); and "Restore this version…" with a confirm step.

Built the first time the tab is opened (the panel's widget count stays what it was until then).
The history is the model's (``model.load_history``, ``state.history``): loaded when the tab
opens, again for another item, and again when the item gets a new version (a save, a restore,
an undo). On the classic API the tab says plainly that the server keeps no history.

Goal: "who changed this expected output, when, from what to what, and put it back" in four
clicks from the item: History → the version → Restore → Confirm (undo puts it back).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.api.models import VersionedItem, short_id
from explorer.model import ItemSchema, ModelState
from explorer.model.history import HistoryState, VersionDiff, VersionEntry
from widgets._base import Part, button, set_options
from widgets._render import escape_text, status_html
from widgets._render._history import (
    fields_diff_html,
    version_meta_html,
    version_option,
    when_text,
)

__all__ = ["HistoryView", "version_diff_html"]

_CREATED = "0"  # the "compare with" choice for the first version: nothing (what it was made with)


def version_diff_html(
    schema: ItemSchema, picked: VersionEntry, base: VersionEntry | None, diff: VersionDiff | None
) -> str:
    """Who made ``picked`` and when (with its ids), then ``diff`` (the model's comparison of
    ``picked`` and ``base``, older to newer whichever was picked first) field by field; with no
    ``base`` (the first version), what it was created with."""
    parts = [version_meta_html(picked.item, picked.change)]
    if base is None or diff is None:
        older_item: VersionedItem | None = None
        newer_item = picked.item
        fields: tuple[str, ...] = picked.fields
        summary = f"v{picked.version} as created"
        older_label, newer_label = "nothing", f"v{picked.version}"
    else:
        older_item, newer_item = diff.older, diff.newer
        fields = tuple(diff.fields)
        summary = diff.summary
        older_label, newer_label = f"v{diff.older.version}", f"v{diff.newer.version}"
        parts.append(
            '<div class="dx-note dx-compared">compared with '
            f'<span class="dx-version">v{base.version}</span> by'
            f" {escape_text(base.who)}, {escape_text(when_text(base.when))} UTC</div>"
        )
    parts.append(f'<div class="dx-diff-title">{escape_text(summary)}</div>')
    parts.append(
        fields_diff_html(
            older_item,
            newer_item,
            fields,
            schema,
            older_label=older_label,
            newer_label=newer_label,
        )
    )
    return f'<div class="dx-history-diff">{"".join(parts)}</div>'


class HistoryView(Part):
    """The History tab's widgets; `build` is called when the tab first opens."""

    built = False

    def build(self) -> Any:
        self.built = True
        self.head: Any = w.HTML()
        self.head.add_class("dx-wide")
        self.list: Any = w.Select(options=[], value=None, rows=6)
        self.list.add_class("dx-rows")
        self.list.add_class("dx-history-list")
        self.base: Any = w.Dropdown(
            options=[], value=None, description="compare with", layout=w.Layout(width="auto")
        )
        self.base.style.description_width = "auto"
        self.base.add_class("dx-history-base")
        self.restore = button(
            "Restore this version…",
            "make this version's content the item's current one (a new version; undo works)",
            icon="history",
            style="warning",
        )
        self.reload = button("Reload", "fetch the item's versions again", icon="refresh")
        tools = w.HBox([self.base, self.restore, self.reload])
        tools.add_class("dx-history-tools")
        tools.layout.flex_flow = "row wrap"
        self.ask: Any = w.HTML()
        self.ask.add_class("dx-wide")
        self.confirm = button("Confirm restore", "restore it now", icon="check", style="danger")
        self.cancel = button("Cancel", "restore nothing", icon="times")
        self.confirm_row: Any = w.HBox([self.ask, self.confirm, self.cancel])
        self.confirm_row.add_class("dx-confirm-row")
        self.confirm_row.layout.flex_flow = "row wrap"
        self.confirm_row.layout.display = "none"
        self.diff: Any = w.HTML()
        self.diff.add_class("dx-wide")
        self.diff.add_class("dx-history-diff-box")
        self.body: Any = w.VBox([self.list, tools, self.confirm_row, self.diff])
        # when loading failed the list is hidden: Reload stays reachable
        self.failed_reload = button("Reload", "fetch the item's versions again", icon="refresh")
        self.failed_reload.layout.display = "none"
        self.box: Any = w.VBox([self.head, self.failed_reload, self.body])
        self.box.add_class("dx-history")
        self.observe(self.list, lambda _: self._picked(), "value")
        self.observe(self.base, lambda _: self._draw_diff(self.model.state), "value")
        self.on_click(self.restore, self._ask)
        self.on_click(self.cancel, self._close_confirm)
        self.on_click(self.confirm, self._confirm)
        self.on_click(self.reload, lambda: self.load(force=True))
        self.on_click(self.failed_reload, lambda: self.load(force=True))
        self.pending: int | None = None
        """The version the confirm row asks about, while it is shown."""
        self._failed: tuple[str, Any] | None = None  # (item id, version) whose load failed
        self._loading: tuple[str, Any] | None = None  # (item id, version) being loaded
        self._shown_list: tuple[Any, ...] = ()
        self._diff_key: tuple[Any, ...] | None = None
        return self.box

    # -- loading ---------------------------------------------------------------------------------

    def load(self, *, force: bool = False) -> None:
        """Load the history of the selected item, unless a load of it is on its way or (without
        ``force``) the last one for this item and version failed (the status line says why;
        Reload tries again). A load for another item is replaced."""
        item = self.model.state.selection
        if item is None:
            return
        key = (str(item.id), getattr(item, "version", None))
        if key == self._loading and self.tasks.task("history") is not None:
            return
        if key == self._failed and not force:
            return
        self._failed = None
        self._loading = key
        item_id = str(item.id)

        async def work() -> None:
            try:
                await self.model.load_history(item_id)
            finally:
                if self._loading == key:  # not a newer load's
                    self._loading = None
            history = self.model.state.history
            if history is None or history.item_id != item_id:
                self._failed = key
                self.redraw(self.model.state)

        self.tasks.start("history", work)

    def _wanted(self, state: ModelState) -> bool:
        """Whether the history shown is not the selected item's as it is now (then load it)."""
        item = state.selection
        if item is None:
            return False
        history = state.history
        if history is None or history.item_id != str(item.id):
            return True
        current = history.current
        version = getattr(item, "version", None)
        return history.supported and current is not None and current.version != version

    # -- events ----------------------------------------------------------------------------------

    def _picked(self) -> None:
        if self.busy:
            return
        self._close_confirm()
        state = self.model.state
        history = state.history
        if history is None:
            return
        with self.quiet():
            self._set_base(history, reset=True)
        self._draw_diff(state)
        self._enable(state)

    def _selected(self, history: HistoryState) -> VersionEntry | None:
        value = self.list.value
        return None if value is None else history.entry(int(value))

    def _ask(self) -> None:
        state = self.model.state
        history = state.history
        entry = self._selected(history) if history is not None else None
        if history is None or entry is None or history.current is None:
            return
        current = history.current
        self.pending = entry.version
        label = short_id(history.item_id)
        if current.archived:
            what = (
                f"Restore v{entry.version} of item {label}? It is archived now: it comes back"
                f" with v{entry.version}'s content, as a new version."
            )
        else:
            what = (
                f"Restore v{entry.version} of item {label}? Its input, expected output and"
                f" metadata become v{entry.version}'s, saved as a new version"
                f" (v{current.version + 1}). Undo puts v{current.version} back."
            )
        self.ask.value = status_html("warning", what)
        self.confirm.description = f"Confirm: restore v{entry.version}"
        self.confirm_row.layout.display = ""

    def _close_confirm(self) -> None:
        self.pending = None
        self.confirm_row.layout.display = "none"

    def _confirm(self) -> None:
        version = self.pending
        history = self.model.state.history
        self._close_confirm()
        if version is None or history is None:
            return
        item_id = history.item_id
        self.tasks.write(lambda: self.model.restore_version(version, item_id))

    # -- drawing ---------------------------------------------------------------------------------

    def redraw(self, state: ModelState) -> None:
        if not self.built:
            return
        item = state.selection
        if item is None:
            self._message("info", "Select an item to see its history.")
            return
        if self._wanted(state):
            self.load()
            if self._failed == (str(item.id), getattr(item, "version", None)):
                self._message(
                    "warning",
                    f"The history of item {short_id(item.id)} could not be loaded (the status"
                    " line says why). Reload tries again.",
                    keep_reload=True,
                )
                return
        history = state.history
        if history is None or history.item_id != str(item.id):
            self._message("busy", f"Loading the history of item {short_id(item.id)}…")
            return
        if not history.supported:
            self._message("info", history.message)
            return
        self.body.layout.display = ""
        self.failed_reload.layout.display = "none"
        count = len(history.versions)
        head = (
            f"History of item {short_id(history.item_id)}: {count} version"
            f"{'s' if count != 1 else ''}, newest first"
        )
        self.head.value = (
            f'<div class="dx-history-head"><b>{escape_text(head)}</b> <span class="dx-note">'
            "pick a version to see what it changed and who made it</span></div>"
        )
        self._draw_list(history)
        self._draw_diff(state)
        self._enable(state)

    def _message(self, kind: str, text: str, *, keep_reload: bool = False) -> None:
        value = status_html(kind, text)
        if self.head.value != value:
            self.head.value = value
        self.body.layout.display = "none"
        self.failed_reload.layout.display = "" if keep_reload else "none"
        self._close_confirm()

    def _draw_list(self, history: HistoryState) -> None:
        versions = tuple((e.version, e.version_id, e.change) for e in history.versions)
        key = (history.item_id, versions)
        if key == self._shown_list:
            return
        # another item, or a newer version than before (a save, restore, undo): the newest
        before = self._shown_list
        newer = not before or before[0] != history.item_id or before[1][:1] != versions[:1]
        self._shown_list = key
        options = [(version_option(e), str(e.version)) for e in history.versions]
        keep = self.list.value
        if newer or all(value != keep for _, value in options):
            keep = options[0][1] if options else None  # a new item or version: the newest
        with self.quiet():
            set_options(self.list, options, keep)
            self.list.rows = max(2, min(8, len(options)))
            self._set_base(history, reset=newer)
        self._close_confirm()

    def _set_base(self, history: HistoryState, *, reset: bool) -> None:
        """The "compare with" choices: every other version, and for the first version nothing
        (what it was created with); by default the version just before the picked one."""
        picked = self._selected(history)
        if picked is None:
            set_options(self.base, [], None)
            return
        others = [e for e in history.versions if e.version != picked.version]
        options = [
            (f"v{e.version} · {when_text(e.when)} · {e.change[:40]}", str(e.version))
            for e in others
        ]
        before = next((e for e in history.versions if e.version < picked.version), None)
        if before is None:
            options.append(("nothing (as created)", _CREATED))
        default = str(before.version) if before is not None else _CREATED
        value = self.base.value
        if reset or all(v != value for _, v in options):
            value = default
        set_options(self.base, options, value)

    def _draw_diff(self, state: ModelState) -> None:
        history = state.history
        if history is None or not history.supported or self.busy:
            return
        picked = self._selected(history)
        if picked is None:
            self.diff.value = ""
            return
        base_value = self.base.value
        base = None if base_value in (None, _CREATED) else history.entry(int(base_value))
        key = (
            history.item_id,
            picked.version_id,
            None if base is None else base.version_id,
            state.schema,
        )
        if key == self._diff_key:
            return
        self._diff_key = key
        diff = None if base is None else self.model.diff_versions(picked.version, base.version)
        self.diff.value = version_diff_html(state.schema, picked, base, diff)

    def _enable(self, state: ModelState) -> None:
        history = state.history
        picked = self._selected(history) if history is not None else None
        current = history.current if history is not None else None
        blocked = state.read_only or state.page.revision is not None or state.busy.save
        is_current = picked is None or current is None or picked.version == current.version
        self.restore.disabled = blocked or is_current
        self.restore.description = (
            "Restore this version…" if picked is None else f"Restore v{picked.version}…"
        )
        if state.read_only:
            why = "read-only mode: nothing can be restored"
        elif state.page.revision is not None:
            why = "a past revision is shown: go back to the current one to restore"
        elif is_current:
            why = "this is the current version"
        else:
            why = "make this version's content the item's current one (a new version; undo works)"
        self.restore.tooltip = why
        if self.restore.disabled:
            self._close_confirm()
