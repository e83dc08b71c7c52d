"""The explorer model: everything the terminal app and the notebook panel share, with no UI.

The public names are below; `ExplorerModel`'s docstring is the tour for front-end authors
(state, events, commands, guarantees). Everything else in the package is internal.
"""

from explorer.model.diff import DiffLine, FieldDiff
from explorer.model.events import CHANGE_KINDS, Change, ChangeKind
from explorer.model.journal import DraftRecord, HistoryRecord, Journal, TrashRecord
from explorer.model.jsontext import JSON_FIELDS, REF_FIELDS, FieldError
from explorer.model.model import ExplorerModel
from explorer.model.notices import Notice, NoticeLevel
from explorer.model.preview import Excerpt, salient
from explorer.model.schema import CLASSIC, V2, FieldSpec, ItemSchema, schema_for
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
    "CLASSIC",
    "JSON_FIELDS",
    "REF_FIELDS",
    "V2",
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
    "FieldSpec",
    "FieldState",
    "HistoryRecord",
    "ItemSchema",
    "Journal",
    "ModelState",
    "Notice",
    "NoticeLevel",
    "PageState",
    "TrashRecord",
    "salient",
    "schema_for",
]
