"""A line diff of two texts (pretty-printed JSON) as HTML, bounded however large they are."""

from __future__ import annotations

import difflib

from ._text import escape_text

__all__ = ["diff_html"]

_MATCH_LIMIT = 4000  # lines per side handed to difflib after trimming (it is quadratic at worst)


def _line_html(kind: str, mark: str, text: str, max_line_chars: int) -> str:
    body = escape_text(text[:max_line_chars])
    if len(text) > max_line_chars:
        body += f'<span class="dx-more">… ({len(text) - max_line_chars:,} more characters)</span>'
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
    max_line_chars: int = 500,
) -> str:
    """A unified line diff in ``<div class="dx-diff">``: removed lines ``dx-del`` (``-``), added
    ``dx-add`` (``+``), unchanged context ``dx-ctx``, hunk headers ``dx-hunk``; a summary of the
    counts first. Shows at most ``max_lines`` lines of ``max_line_chars`` characters, then a
    marker. Lines equal at both ends are trimmed before difflib runs, and a changed middle longer
    than 4,000 lines is shown as all removed then all added, so the cost stays bounded.
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

    def emit(kind: str, mark: str, texts: list[str]) -> None:
        nonlocal hidden
        room = max(0, max_lines - len(lines))
        lines.extend(_line_html(kind, mark, t, max_line_chars) for t in texts[:room])
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
            emit("del", "-", a_mid[i1:i2])
            emit("add", "+", b_mid[j1:j2])
    more = f'<div class="dx-more">… {hidden:,} more diff lines</div>' if hidden else ""
    summary = (
        f'<div class="dx-diff-summary"><span class="dx-add-count">+{added:,}</span> '
        f'<span class="dx-del-count">−{removed:,}</span> lines</div>'
    )
    return f'<div class="dx-diff">{summary}{"".join(lines)}{more}</div>'
