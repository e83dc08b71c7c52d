"""A line diff of two texts (pretty-printed JSON) as HTML, bounded however large they are.

A replaced line marks its changed words (the model's `explorer.model.worddiff`, the rule the
terminal app follows too) with ``<mark class="dx-word">``; the lines wrap (the stylesheet's
``pre-wrap``), and a line too long to show whole shows the text around each change, with the
unchanged stretches between cut to a count.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from explorer.model.worddiff import Span, WordDiffBudget

from ._text import escape_text

__all__ = ["diff_html"]

_MATCH_LIMIT = 4000  # lines per side handed to difflib after trimming (it is quadratic at worst)
_AROUND = 200  # characters kept on each side of a change in a line too long to show whole
_SNAP = 30  # characters a cut may move to fall between two words


def _at_space(text: str, pos: int, forward: bool) -> int:
    """``pos`` moved to a nearby space (so a cut falls between words), or left as it is."""
    if pos <= 0 or pos >= len(text):
        return pos
    if forward:
        found = text.find(" ", pos, pos + _SNAP)
        return pos if found == -1 else found + 1
    found = text.rfind(" ", pos - _SNAP, pos)
    return pos if found == -1 else found + 1


def _windows(text: str, spans: Sequence[Span], room: int) -> list[Span]:
    """The ranges of a long line to show: its start and the text around each change, at most
    ``room`` characters in all (a change longer than what is left is cut); with no change
    marked, its first ``room`` characters. Cuts fall between words where one is near."""
    length = len(text)
    head = _at_space(text, min(length, _AROUND), forward=False) if spans else length
    wanted: list[Span] = [(0, head)]
    for start, end in spans:
        lo = _at_space(text, max(0, start - _AROUND), forward=True)
        hi = _at_space(text, min(length, end + _AROUND), forward=False)
        if lo <= wanted[-1][1]:
            wanted[-1] = (wanted[-1][0], max(wanted[-1][1], hi))
        else:
            wanted.append((lo, hi))
    out: list[Span] = []
    for lo, hi in wanted:
        if room <= 0:
            break
        out.append((lo, min(hi, lo + room)))
        room -= out[-1][1] - lo
    return out


def _marked(text: str, lo: int, hi: int, spans: Sequence[Span]) -> str:
    """``text[lo:hi]`` escaped, each changed range in it in ``<mark class="dx-word">``."""
    parts: list[str] = []
    at = lo
    for start, end in spans:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        parts.append(escape_text(text[at:start]))
        parts.append(f'<mark class="dx-word">{escape_text(text[start:end])}</mark>')
        at = end
    parts.append(escape_text(text[at:hi]))
    return "".join(parts)


def _cut(count: int, where: str) -> str:
    return f'<span class="dx-more">… ({count:,} {where} characters)</span>'


def _line_html(
    kind: str,
    mark: str,
    text: str,
    max_line_chars: int,
    spans: Sequence[Span] = (),
    focus: int | None = None,
) -> str:
    """One diff line; a line longer than ``max_line_chars`` shows the text around its changed
    ``spans`` (or around ``focus``, where the line it was paired with changed)."""
    if len(text) <= max_line_chars:
        body = _marked(text, 0, len(text), spans)
    else:
        around = spans or ([] if focus is None else [(focus, focus)])
        pieces: list[str] = []
        at = 0
        for lo, hi in _windows(text, around, max_line_chars):
            if lo > at:
                pieces.append(_cut(lo - at, "unchanged" if around else "more"))
            pieces.append(_marked(text, lo, hi, spans))
            at = hi
        if at < len(text):
            pieces.append(_cut(len(text) - at, "more"))
        body = "".join(pieces)
    return f'<div class="dx-line dx-{kind}"><span class="dx-mark">{mark}</span>{body}</div>'


def _lines(text: str) -> list[str]:
    # Not str.splitlines: it also splits at U+2028, U+0085, FS/GS/RS..., which JSON text may hold
    # raw inside a string; the line diff must follow the editor's lines, i.e. "\n" only.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _range(start: int, length: int) -> str:
    # As ``diff -u`` writes it: 1-based, and an empty range names the line before it.
    return f"{start + 1 if length else start},{length}"


def diff_html(
    before_text: str,
    after_text: str,
    *,
    context: int = 3,
    max_lines: int = 2000,
    max_line_chars: int = 4000,
    max_chars: int = 200_000,
) -> str:
    """A unified line diff in ``<div class="dx-diff">``: removed lines ``dx-del`` (``-``), added
    ``dx-add`` (``+``), unchanged context ``dx-ctx``, hunk headers ``dx-hunk``; a summary of the
    counts first. A replaced line marks its changed words with ``<mark class="dx-word">``.

    Shows at most ``max_lines`` lines, each of at most ``max_line_chars`` characters (a longer
    line shows its start and the text around each change, the rest cut to a count), and lines
    get shorter (down to 400 characters) once ``max_chars`` have been shown. Lines equal at both
    ends are trimmed before difflib runs, and a changed middle longer than 4,000 lines is shown
    as all removed then all added, so the cost stays bounded.
    """
    a = _lines(before_text)
    b = _lines(after_text)
    if a == b:
        return '<div class="dx-diff dx-same">No changes.</div>'
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    lo = max(0, start - context)
    a_mid, b_mid = a[lo : len(a) - max(0, end - context)], b[lo : len(b) - max(0, end - context)]
    if len(a_mid) > _MATCH_LIMIT or len(b_mid) > _MATCH_LIMIT:
        n = min(context, start - lo)
        groups = [[("equal", 0, n, 0, n), ("replace", n, len(a_mid), n, len(b_mid))]]
    else:
        matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False)
        groups = list(matcher.get_grouped_opcodes(context))
    lines: list[str] = []
    hidden = added = removed = 0
    budget = WordDiffBudget()
    chars_left = max_chars

    def emit(
        kind: str,
        mark: str,
        texts: list[str],
        spans: Sequence[tuple[Span, ...]] = (),
        at: dict[int, int] | None = None,
    ) -> None:
        nonlocal hidden
        nonlocal chars_left
        room = max(0, max_lines - len(lines))
        for k, text in enumerate(texts[:room]):
            line_chars = min(max_line_chars, max(2 * _AROUND, chars_left))
            line_spans = spans[k] if spans else ()
            focus = at.get(k) if at else None
            lines.append(_line_html(kind, mark, text, line_chars, line_spans, focus))
            chars_left -= min(len(text), line_chars)
        hidden += max(0, len(texts) - room)

    for group in groups:
        a0, b0 = group[0][1], group[0][3]
        a1, b1 = group[-1][2], group[-1][4]
        header = f"@@ -{_range(lo + a0, a1 - a0)} +{_range(lo + b0, b1 - b0)} @@"
        emit("hunk", "", [header])
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                emit("ctx", " ", a_mid[i1:i2])
                continue
            removed += i2 - i1
            added += j2 - j1
            # only the lines that will be shown are compared word by word
            room = max(0, max_lines - len(lines))
            shown_a = a_mid[i1 : min(i2, i1 + room)]
            shown_b = b_mid[j1 : min(j2, j1 + max(0, room - len(shown_a)))]
            old: list[tuple[Span, ...]] = [()] * len(shown_a)
            new: list[tuple[Span, ...]] = [()] * len(shown_b)
            old_at: dict[int, int] = {}
            new_at: dict[int, int] = {}
            for r, k, before, after in budget.compare(shown_a, shown_b):
                old[r], new[k] = before, after
                # a pure insertion (or deletion) marks nothing on the other line: a long one
                # is shown around where it happened (the first change is at the same offset)
                if after and not before:
                    old_at[r] = after[0][0]
                if before and not after:
                    new_at[k] = before[0][0]
            emit("del", "-", a_mid[i1:i2], old, old_at)
            emit("add", "+", b_mid[j1:j2], new, new_at)
    more = f'<div class="dx-more">… {hidden:,} more diff lines</div>' if hidden else ""
    summary = (
        f'<div class="dx-diff-summary"><span class="dx-add-count">+{added:,}</span> '
        f'<span class="dx-del-count">−{removed:,}</span> lines</div>'
    )
    return f'<div class="dx-diff">{summary}{"".join(lines)}{more}</div>'
