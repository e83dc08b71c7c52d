"""Per-field diffs of pretty-printed JSON, for the editor and the conflict view.

A removed line and the added line that replaces it also say which of their words changed
(``DiffLine.spans``, from :func:`explorer.model.worddiff.word_spans`), so that appending a
sentence to a one-line answer shows the new sentence, not two lines that look the same.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal

from explorer.model.jsontext import JSON_FIELDS, parse_field, pretty_json, value_to_text
from explorer.model.worddiff import Span, WordDiffBudget, common_prefix

__all__ = [
    "MAX_WORD_DIFF_PAIRS",
    "MAX_WORD_DIFF_SIZE",
    "DiffLine",
    "FieldDiff",
    "Span",
    "diff_draft",
    "diff_texts",
    "diff_values",
]

DiffKind = Literal["hunk", "context", "removed", "added"]

MAX_WORD_DIFF_PAIRS = 2000
"""Changed line pairs of one field compared word by word; lines beyond have no ``spans``."""
MAX_WORD_DIFF_SIZE = 2_000_000
"""Characters of one field's changed lines compared word by word; lines beyond have no
``spans``. (Comparing costs little per character, but 100,000 changed lines would add up.)"""


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff; ``text`` carries no ``+``/``-`` prefix.

    ``spans`` are the character ranges ``[start, end)`` of ``text`` that differ from the line
    on the other side it was paired with (a removed line and the added line replacing it),
    increasing and never empty. A removed or added line with no such pair, or with no word in
    common with it, has none: the whole line is the change. Context and hunk lines have none.
    """

    kind: DiffKind
    text: str
    spans: tuple[Span, ...] = ()


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


def _common_lines(a: list[str], b: list[str], from_end: bool) -> int:
    """How many lines ``a`` and ``b`` share at their start (or end)."""
    if from_end:
        hi = min(len(a), len(b))
        a, b = a[len(a) - hi :][::-1], b[len(b) - hi :][::-1]
    return common_prefix(a, b)


_HUNK = re.compile(r"@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@")


def diff_texts(field: str, before: str, after: str, context: int = 3) -> FieldDiff:
    """Diff two texts line by line (``context`` unchanged lines around each change)."""
    a, b = _lines(before), _lines(after)
    # Lines equal at both ends are cut before difflib runs (but ``context`` of them), so that
    # one changed line in a 5 MB document costs the comparison of two lists, not a diff.
    head = _common_lines(a, b, from_end=False)
    tail = min(_common_lines(a, b, from_end=True), min(len(a), len(b)) - head)
    lo = max(0, head - context)
    keep = max(0, tail - context)
    lines: list[DiffLine] = []
    raw = difflib.unified_diff(a[lo : len(a) - keep], b[lo : len(b) - keep], lineterm="", n=context)
    for line in raw:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if lo:  # numbered as in the whole text
                line = _HUNK.sub(
                    lambda m: f"@@ -{int(m[1]) + lo}{m[2]} +{int(m[3]) + lo}{m[4]} @@", line
                )
            lines.append(DiffLine("hunk", line))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    return FieldDiff(field, tuple(_with_word_spans(lines)))


def _with_word_spans(lines: list[DiffLine]) -> list[DiffLine]:
    """``lines`` with the changed words of each replaced line: each block of removed lines
    followed by added lines is paired and compared (`WordDiffBudget.block`)."""
    out = list(lines)
    budget = WordDiffBudget(MAX_WORD_DIFF_PAIRS, MAX_WORD_DIFF_SIZE)
    i = 0
    while i < len(lines) and budget.pairs > 0 and budget.chars > 0:
        if lines[i].kind != "removed":
            i += 1
            continue
        r0 = i
        while i < len(lines) and lines[i].kind == "removed":
            i += 1
        a0 = i
        while i < len(lines) and lines[i].kind == "added":
            i += 1
        old, new = budget.block(
            [line.text for line in lines[r0:a0]], [line.text for line in lines[a0:i]]
        )
        for k, spans in enumerate(old):
            if spans:
                out[r0 + k] = DiffLine("removed", lines[r0 + k].text, spans)
        for k, spans in enumerate(new):
            if spans:
                out[a0 + k] = DiffLine("added", lines[a0 + k].text, spans)
    return out


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
