"""The explorer model: everything the terminal app and the notebook panel share, with no UI.

The public names are below; `ExplorerModel`'s docstring is the tour for front-end authors
(state, events, commands, guarantees). Everything else in the package is internal.
"""

from explorer.model.diff import DiffLine, FieldDiff
from explorer.model.events import CHANGE_KINDS, Change, ChangeKind
from explorer.model.journal import DraftRecord, HistoryRecord, Journal, TrashRecord
from explorer.model.jsontext import EDITABLE_FIELDS, JSON_FIELDS, REF_FIELDS, FieldError
from explorer.model.model import ExplorerModel
from explorer.model.notices import Notice, NoticeLevel
from explorer.model.preview import Excerpt, salient
from explorer.model.state import (
    Busy,
    ConflictField,
    ConflictState,
    DatasetListState,
    EditorState,
    EditorStatus,
    FieldState,
    ModelState,
    PageState,
)

__all__ = [
    "CHANGE_KINDS",
    "EDITABLE_FIELDS",
    "JSON_FIELDS",
    "REF_FIELDS",
    "Busy",
    "Change",
    "ChangeKind",
    "ConflictField",
    "ConflictState",
    "DatasetListState",
    "DiffLine",
    "DraftRecord",
    "EditorState",
    "EditorStatus",
    "Excerpt",
    "ExplorerModel",
    "FieldDiff",
    "FieldError",
    "FieldState",
    "HistoryRecord",
    "Journal",
    "ModelState",
    "Notice",
    "NoticeLevel",
    "PageState",
    "TrashRecord",
    "salient",
]
