"""Which words of a changed line changed: the word-level half of a line diff.

A line diff says that a line was replaced; for LLM text, where a whole answer is often one long
line, that shows two lines that look the same. :func:`word_spans` compares the two lines of a
changed pair and returns, for each, the character ranges that differ, so a front end can mark
the changed words within the red and green lines.

Bounded however long the lines are: the common prefix and suffix are cut off first (compared
in C, a 1 MB line costs about a millisecond), then only the changed middle is split into tokens
(words, runs of whitespace, runs of other characters) and handed to difflib; a middle of more
than :data:`MAX_TOKENS` tokens is marked whole. :func:`pair_lines` decides which removed line
an added line replaces, so that only lines that changed are compared.

Front-end neutral: plain ``str`` offsets (Python indices into the line), no styling.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from typing import Final

__all__ = [
    "MAX_PAIR_CELLS",
    "MAX_TOKENS",
    "Span",
    "WordDiffBudget",
    "common_prefix",
    "common_suffix",
    "pair_lines",
    "tokens",
    "word_spans",
]

Span = tuple[int, int]
"""A character range ``[start, end)`` of a line."""

MAX_TOKENS: Final = 1000
"""Tokens per side of a changed middle diffed word by word; a longer middle is marked whole."""

MAX_PAIR_CELLS: Final = 2500
"""Removed x added lines of a block above which lines are paired in order, not by likeness."""

# Han and kana are written without spaces: each is a token of its own.
_CJK: Final = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN: Final = re.compile(rf"[^\W{_CJK}]+|\s+|.", re.DOTALL)
_ONE_CHAR_TOKEN: Final = re.compile(rf"[^\w\s]|[{_CJK}]")
_WORD: Final = re.compile(r"\w")
_ZWJ: Final = "\u200d"
_PAIR_LIKENESS: Final = 0.3  # fraction of the longer line a pair must share at its ends


def _joins(ch: str) -> bool:
    """A character drawn as part of the one before it: a combining mark, a variation selector,
    a zero-width joiner, an emoji skin tone or tag."""
    return (
        ch == _ZWJ
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or "\U000e0020" <= ch <= "\U000e007f"
        or "\U000e0100" <= ch <= "\U000e01ef"
        or unicodedata.category(ch)[0] == "M"
    )


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"  # two of them draw a flag


def _boundary(s: str, p: int) -> bool:
    """Whether a token of ``s`` starts at ``p`` (see :func:`tokens`)."""
    if p <= 0 or p >= len(s):
        return True
    before, after = s[p - 1], s[p]
    if _joins(after) or before == _ZWJ or (_regional(before) and _regional(after)):
        return False
    if after.isspace():
        return not before.isspace()
    if before.isspace() or _ONE_CHAR_TOKEN.match(after):
        return True
    # a word character: a word goes on after a word character, or after a mark on one (हिन्दी)
    q = p - 1
    while q > 0 and _joins(s[q]):
        q -= 1
    return bool(_ONE_CHAR_TOKEN.match(s[q]))


def tokens(s: str, limit: int | None = None) -> list[str] | None:
    """``s`` as words, runs of whitespace and runs of other characters (punctuation, emoji);
    combining marks, variation selectors and zero-width joiners stay with the character they
    modify, so a token never splits what is drawn as one character. ``"".join(tokens(s)) == s``.
    None when there are more than ``limit`` tokens (found out after ``limit + 1`` of them).
    """
    out: list[str] = []
    for match in _TOKEN.finditer(s):
        token = match.group()
        if out and not _boundary(s, match.start()):
            out[-1] += token
        elif limit is not None and len(out) >= limit:
            return None
        else:
            out.append(token)
    return out


def common_prefix(a: Sequence[object], b: Sequence[object]) -> int:
    """Length of the longest common prefix of ``a`` and ``b`` (texts, or lists of lines): a
    binary search of C-speed slice comparisons, each element compared about twice (a megabyte,
    or 300,000 lines, costs milliseconds)."""
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while lo < hi:  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the longest common suffix of ``a`` and ``b``, at most ``limit``."""
    lo, hi = 0, min(len(a), len(b), limit)
    if a[len(a) - hi :] == b[len(b) - hi :]:
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _joined(text: str, spans: list[Span]) -> tuple[Span, ...]:
    """``spans`` with each gap of whitespace only joined to the ranges around it (``quick
    brown`` to ``slow red`` is one change, not two split by an unchanged space)."""
    out: list[Span] = []
    for start, end in spans:
        if out and text[out[-1][1] : start].isspace():
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def _add(spans: list[Span], start: int, end: int) -> None:
    if start >= end:
        return
    if spans and spans[-1][1] == start:
        spans[-1] = (spans[-1][0], end)
    else:
        spans.append((start, end))


def word_spans(
    before: str, after: str, *, max_tokens: int = MAX_TOKENS
) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """The changed character ranges of ``before`` and of ``after``, a line and its replacement.

    Ranges fall on token boundaries (see :func:`tokens`), in order, never empty, never touching.
    Appending a sentence marks only the new words of ``after`` (``before`` has none); replacing
    a word marks it on both sides. Two lines with no word in common (``2`` and ``3``, or two
    unrelated sentences) give no ranges: the whole line is the change, and marking every word
    would add nothing. A changed middle of more than ``max_tokens`` tokens is marked whole.
    """
    if before == after:
        return (), ()
    start = common_prefix(before, after)
    while start and not (_boundary(before, start) and _boundary(after, start)):
        start -= 1
    tail = common_suffix(before, after, min(len(before), len(after)) - start)
    while tail and not (
        _boundary(before, len(before) - tail) and _boundary(after, len(after) - tail)
    ):
        tail -= 1
    a_end, b_end = len(before) - tail, len(after) - tail
    a_spans: list[Span] = []
    b_spans: list[Span] = []
    same_words = bool(_WORD.search(before, 0, start) or _WORD.search(before, a_end))
    ta = tokens(before[start:a_end], max_tokens) if a_end - start <= 64 * max_tokens else None
    tb = tokens(after[start:b_end], max_tokens) if b_end - start <= 64 * max_tokens else None
    if ta is None or tb is None:
        _add(a_spans, start, a_end)
        _add(b_spans, start, b_end)
    else:
        ops = difflib.SequenceMatcher(None, ta, tb).get_opcodes()
        a_at = [start]
        for t in ta:
            a_at.append(a_at[-1] + len(t))
        b_at = [start]
        for t in tb:
            b_at.append(b_at[-1] + len(t))
        for tag, i1, i2, j1, j2 in ops:
            if tag != "equal":
                _add(a_spans, a_at[i1], a_at[i2])
                _add(b_spans, b_at[j1], b_at[j2])
            elif not same_words and any(_WORD.search(t) for t in ta[i1:i2]):
                same_words = True
    if not same_words:
        return (), ()
    return _joined(before, a_spans), _joined(after, b_spans)


def _likeness(a: str, b: str) -> float:
    """How much of the longer line the two share at their ends (0 to 1)."""
    longest = max(len(a), len(b))
    if not longest:
        return 1.0
    head = common_prefix(a, b)
    return (head + common_suffix(a, b, min(len(a), len(b)) - head)) / longest


def pair_lines(removed: Sequence[str], added: Sequence[str]) -> list[tuple[int, int]]:
    """Which removed line each added line replaces, in a block of removed lines followed by
    added lines: ``(removed index, added index)`` pairs, both increasing.

    As many lines on each side: paired in order. Otherwise each pair is chosen by likeness
    (the share of the longer line the two have in common at their ends), keeping the order,
    and a line like none on the other side stays unpaired; above :data:`MAX_PAIR_CELLS`
    comparisons the lines are paired in order.
    """
    r, a = len(removed), len(added)
    if r == a or r * a > MAX_PAIR_CELLS:
        return [(i, i) for i in range(min(r, a))]
    like = [[_likeness(x, y) for y in added] for x in removed]
    # best[i][j]: the best total likeness pairing removed[i:] with added[j:]
    best = [[0.0] * (a + 1) for _ in range(r + 1)]
    for i in range(r - 1, -1, -1):
        for j in range(a - 1, -1, -1):
            take = like[i][j] + best[i + 1][j + 1] if like[i][j] >= _PAIR_LIKENESS else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < r and j < a:
        if like[i][j] >= _PAIR_LIKENESS and best[i][j] == like[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


class WordDiffBudget:
    """Compares replaced lines word by word until ``pairs`` line pairs or ``chars`` characters
    of them have been compared; lines beyond are left without ranges (shown whole). One budget
    serves one diff, so that 100,000 replaced lines cost no more than a few thousand."""

    def __init__(self, pairs: int = 2000, chars: int = 2_000_000) -> None:
        self.pairs = pairs
        self.chars = chars

    def compare(
        self, removed: Sequence[str], added: Sequence[str]
    ) -> list[tuple[int, int, tuple[Span, ...], tuple[Span, ...]]]:
        """Each pair of a block of ``removed`` lines replaced by ``added`` lines that was
        compared: ``(removed index, added index, its ranges, their ranges)`` (see
        :func:`pair_lines` and :func:`word_spans`)."""
        out: list[tuple[int, int, tuple[Span, ...], tuple[Span, ...]]] = []
        if not removed or not added:
            return out
        for r, a in pair_lines(removed, added):
            if self.pairs <= 0 or self.chars <= 0:
                break
            self.pairs -= 1
            self.chars -= len(removed[r]) + len(added[a])
            out.append((r, a, *word_spans(removed[r], added[a])))
        return out

    def block(
        self, removed: Sequence[str], added: Sequence[str]
    ) -> tuple[list[tuple[Span, ...]], list[tuple[Span, ...]]]:
        """The changed ranges of each line of a block of ``removed`` lines replaced by
        ``added`` lines (none for a line left unpaired or beyond the budget)."""
        old: list[tuple[Span, ...]] = [()] * len(removed)
        new: list[tuple[Span, ...]] = [()] * len(added)
        for r, a, before, after in self.compare(removed, added):
            old[r], new[a] = before, after
        return old, new
