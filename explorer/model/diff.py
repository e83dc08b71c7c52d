"""Per-field diffs of pretty-printed JSON, for the editor and the conflict view."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

from explorer.model.jsontext import JSON_FIELDS, parse_field, pretty_json, value_to_text

__all__ = ["DiffLine", "FieldDiff", "diff_draft", "diff_texts", "diff_values"]

DiffKind = Literal["hunk", "context", "removed", "added"]


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff; ``text`` carries no ``+``/``-`` prefix."""

    kind: DiffKind
    text: str


@dataclass(frozen=True)
class FieldDiff:
    """How one field differs between two versions (``before`` and ``after``)."""

    field: str
    lines: tuple[DiffLine, ...]

    @property
    def changed(self) -> bool:
        return any(line.kind in ("added", "removed") for line in self.lines)

    def as_text(self) -> str:
        """The diff as ``diff -u`` prints it, without the file header."""
        marks = {"hunk": "", "context": " ", "removed": "-", "added": "+"}
        return "\n".join(marks[line.kind] + line.text for line in self.lines)


def _lines(text: str) -> list[str]:
    # Only "\n" ends a line: str.splitlines() would also split on U+2028, U+0085 and \x1c-\x1e,
    # which pretty-printed JSON (ensure_ascii=False) keeps raw inside strings.
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return parts


def diff_texts(field: str, before: str, after: str, context: int = 3) -> FieldDiff:
    """Diff two texts line by line (``context`` unchanged lines around each change)."""
    lines: list[DiffLine] = []
    raw = difflib.unified_diff(_lines(before), _lines(after), lineterm="", n=context)
    for line in raw:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    return FieldDiff(field, tuple(lines))


def _display_text(field: str, text: str) -> str:
    # Diff what would be stored, pretty-printed, so that re-indenting is not a change;
    # text that does not parse is diffed as typed.
    if field not in JSON_FIELDS:
        return text
    value, error = parse_field(field, text)
    return text if error else pretty_json(value)


def diff_draft(field: str, base_value: Any, draft_text: str, context: int = 3) -> FieldDiff:
    """Diff a field's value on the server (``base_value``) with the editor's text for it."""
    return diff_texts(
        field, value_to_text(field, base_value), _display_text(field, draft_text), context
    )


def diff_values(field: str, before: Any, after: Any, context: int = 3) -> FieldDiff:
    """Diff two values of a field, each pretty-printed."""
    return diff_texts(field, value_to_text(field, before), value_to_text(field, after), context)
