"""The app's part of the config file: ``[keys]`` (binding id -> keys) and ``[tui]`` options.

    [keys]
    "items.next_page" = "n,]"    # comma-separated; Textual key names ("ctrl+n", "question_mark")
    "app.quit" = "ctrl+q"

    [tui]
    page_size = 100                  # items per page, 1-500
    theme = "textual-dark"

Every `Binding` of the app has an id listed in `BINDING_IDS` (screens and dialogs own their
bindings; the ids are collected here so a typo in the config is reported, not ignored). The
file is the one `Settings` reads (``POSTHOG_EXPLORER_CONFIG`` or the user config dir).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.api.errors import ConfigError
from explorer.api.settings import ENV_CONFIG, default_config_path
from explorer.model.journal import ENV_DATA_DIR as JOURNAL_DATA_DIR

__all__ = [
    "BINDING_IDS",
    "ENV_DATA_DIR",
    "TuiConfig",
    "config_path",
    "load_tui_config",
]

ENV_DATA_DIR = JOURNAL_DATA_DIR  # one variable for the journal and the log
"""Put the journal (drafts, trash, history) in this directory instead of the user data dir."""

BINDING_IDS: dict[str, str] = {
    # app-wide
    "app.quit": "Quit (asks when drafts are unsaved)",
    "app.help": "Show every key of this screen",
    "app.trash": "Open the trash",
    # datasets
    "datasets.search": "Search datasets (server-side)",
    "datasets.sort": "Cycle the sort order",
    "datasets.open": "Open the highlighted dataset",
    "datasets.create": "Create a dataset",
    "datasets.edit": "Edit name, description and metadata",
    "datasets.delete": "Delete (API v2: archive) the dataset",
    "datasets.undo": "Undo the last change",
    "datasets.refresh": "Refresh the list",
    "datasets.next_page": "Next page of datasets",
    "datasets.prev_page": "Previous page of datasets",
    "datasets.clear_search": "Clear the search",
    # items
    "items.back": "Back to the datasets",
    "items.next_page": "Next page",
    "items.prev_page": "Previous page",
    "items.go_to_page": "Go to a page",
    "items.inspect": "Inspect the item",
    "items.edit": "Edit the item",
    "items.add": "Add an item",
    "items.duplicate": "Duplicate into a dataset",
    "items.move": "Move to another dataset",
    "items.delete": "Delete (API v2: archive) the item",
    "items.undo": "Undo the last change",
    "items.refresh": "Refresh the page",
    "items.history": "Show the highlighted item's history (API v2)",
    # inspector
    "inspector.find": "Find in all fields, matches as you type",
    "inspector.next_match": "Next match (across the fields, in tab order)",
    "inspector.prev_match": "Previous match (across the fields)",
    "json_tree.expand_all": "Unfold all under the cursor (again: fold)",
    # inspector
    "inspector.back": "Back to the items",
    "inspector.toggle_view": "Switch between the tree and the text view",
    "inspector.input": "Show the input",
    "inspector.output": "Show the output (API v2: expected output)",
    "inspector.source_output": "Show the source output (API v2)",
    "inspector.metadata": "Show the metadata",
    "inspector.copy_value": "Copy the value under the cursor",
    "inspector.copy_path": "Copy the JSON path under the cursor",
    "inspector.edit": "Edit the item",
    "inspector.open_trace": "Open the item's trace in PostHog",
    "inspector.copy_version_id": "Copy the item's version id (API v2)",
    "inspector.history": "Show the item's history (API v2)",
    # an item's history
    "history.back": "Back (with a base marked: clear it first)",
    "history.mark": "Mark the version as the base to compare with (again: clear)",
    "history.restore": "Restore the version as the new current one (asks)",
    "history.undo": "Undo the last change",
    "history.copy_version_id": "Copy the version's id",
    "history.copy_revision": "Copy the dataset revision (number and id) it made",
    # the JSON tree and text views of the inspector
    "json_tree.up": "Up",
    "json_tree.down": "Down",
    "json_tree.fold": "Fold",
    "json_tree.unfold": "Unfold",
    "json_tree.open": "Show a cut string whole",
    "json_tree.copy_value": "Copy the value under the cursor",
    "json_tree.copy_path": "Copy the JSON path under the cursor",
    "line_view.up": "Up",
    "line_view.down": "Down",
    "line_view.top": "Top",
    "line_view.bottom": "Bottom",
    "line_view.next_match": "Next match",
    "line_view.prev_match": "Previous match",
    "string_viewer.close": "Close",
    # editor
    "editor.save": "Review the diff, then save",
    "editor.save_and_new": "Save and add another",
    "editor.retry": "Retry the save",
    "editor.external": "Edit the field in $EDITOR",
    "editor.conflict": "Resolve the conflict",
    "editor.leave": "Leave the editor (asks when unsaved)",
    "leave_editor.stay": "Stay in the editor",
    "leave_editor.keep": "Leave, keeping the draft",
    "leave_editor.discard": "Leave, discarding the draft",
    "diff.confirm": "Save",
    "diff.cancel": "Back to editing",
    "conflict.mine": "Keep mine",
    "conflict.theirs": "Take theirs",
    "conflict.flip": "Flip the highlighted field between mine and theirs",
    "conflict.apply": "Apply the choices per field",
    "conflict.later": "Decide later",
    # trash, drafts, connection
    "trash.back": "Back",
    "trash.restore": "Restore the highlighted entry",
    "drafts.open": "Open the draft in the editor",
    "drafts.drop": "Drop the draft",
    "drafts.close": "Later",
    "connect.connect": "Connect",
    "connect.demo": "Try the demo",
    "connect.quit": "Quit",
    # a dataset's revisions and archive (API v2), export
    "items.revisions": "Show the dataset's revisions (API v2)",
    "items.current_revision": "Back to the current revision (editable)",
    "items.archived": "Archived items, or the live ones (API v2)",
    "items.live_items": "Back to the live items",
    "items.restore": "Restore the highlighted archived item",
    "items.export": "Export the dataset to a JSONL or CSV file",
    "items.import": "Import rows from a JSONL or CSV file",
    "items.search": "Search inside the items (filters too)",
    "items.clear_search": "Clear the search",
    "items.mark": "Mark or unmark the highlighted item",
    "items.mark_page": "Mark every item of the page",
    "items.mark_all": "Mark every result (every item shown)",
    "items.clear_marks": "Clear the marks",
    "items.bulk": "Bulk action on the marked items (asks once)",
    "bulk.confirm": "Run the bulk action as planned",
    "bulk.cancel": "Cancel",
    "datasets.archived": "Archived datasets, or the live ones (API v2)",
    "datasets.live": "Back to the live datasets",
    "datasets.restore": "Restore the highlighted archived dataset",
    "trash.archived": "Everything archived on the server (API v2)",
    "revisions.back": "Back to the items",
    "revisions.open": "Show the dataset as of this revision",
    "revisions.mark": "Mark it to compare (again: unmark)",
    "revisions.compare": "Compare with the marked one (or the newest)",
    "revisions.copy": "Copy the revision's number and id",
    "revisions.more": "Load the next hundred revisions",
    "compare.back": "Back to the revisions",
    "compare.switch_focus": "Move between the items and the diff",
    "export.confirm": "Export",
    "export.cancel": "Cancel (stops an export under way)",
    "import.run": "Run the import (or the dry run)",
    "import.cancel": "Close (stops an import under way)",
    # dialogs
    "confirm.confirm": "Confirm",
    "confirm.cancel": "Cancel",
    "picker.down": "Choose from the list",
    "dialog.cancel": "Cancel",
    "dialog.save": "Save",
    "item_gone.restore": "Restore the item (deleted or archived), then save the edit",
    "item_gone.save_as_new": "Save the edit as a new item",
    "item_gone.later": "Decide later (the draft is kept)",
    "picker.cancel": "Cancel",
    "page_prompt.cancel": "Cancel",
    "keys_help.close": "Close",
}

_TUI_KEYS = {"page_size", "theme"}


@dataclass(frozen=True)
class TuiConfig:
    """What the terminal app reads from the config file."""

    keymap: dict[str, str] = field(default_factory=dict)
    page_size: int = 50
    theme: str | None = None


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file (``POSTHOG_EXPLORER_CONFIG`` or the platform's user config dir)."""
    env = os.environ if env is None else env
    return Path(env.get(ENV_CONFIG) or default_config_path()).expanduser()


def load_tui_config(path: Path | None = None) -> TuiConfig:
    """``[keys]`` and ``[tui]`` from the config file; a missing file gives the defaults.

    Raises `ConfigError` naming the file and the bad entry.
    """
    path = config_path() if path is None else path
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return TuiConfig()
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"The config file {path} is not valid TOML: {exc}. Fix the file (UTF-8 TOML with"
            " [profiles.NAME] tables)."
        ) from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc}.") from None
    return parse_tui_config(raw, str(path))


def parse_tui_config(raw: Mapping[str, Any], where: str = "the config file") -> TuiConfig:
    keys = raw.get("keys", {})
    tui = raw.get("tui", {})
    if not isinstance(keys, dict) or not isinstance(tui, dict):
        raise ConfigError(f"In {where}, [keys] and [tui] must be tables.")
    keymap: dict[str, str] = {}
    for binding_id, value in keys.items():
        if binding_id not in BINDING_IDS:
            close = difflib.get_close_matches(str(binding_id), BINDING_IDS, n=3)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ConfigError(
                f"[keys] {binding_id!r} in {where} is not a binding id of the explorer.{hint}"
                " Press ? in the app to see every id of a screen."
            )
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f'[keys] {binding_id!r} in {where} must be keys such as "n" or "ctrl+n,]".'
            )
        keymap[binding_id] = ",".join(k.strip() for k in value.split(",") if k.strip())
    unknown = set(tui) - _TUI_KEYS
    if unknown:
        raise ConfigError(f"Unknown keys in [tui] of {where}: {', '.join(sorted(unknown))}.")
    page_size = tui.get("page_size", 50)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 500:
        raise ConfigError(f"[tui] page_size in {where} must be a number from 1 to 500.")
    theme = tui.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"[tui] theme in {where} must be a theme name.")
    return TuiConfig(keymap=keymap, page_size=page_size, theme=theme)
