"""The word-level half of a diff: which words of a replaced line changed, bounded however long
the line is, and carried on the model's diff lines for both front ends."""

from __future__ import annotations

import difflib
import itertools
import json
import random
import re
import unicodedata

import pytest

from explorer.model import DiffLine, FieldDiff
from explorer.model.diff import MAX_WORD_DIFF_PAIRS, diff_draft, diff_texts, diff_values
from explorer.model.jsontext import value_to_text
from explorer.model.worddiff import pair_lines, tokens, word_spans

ANSWER = (
    "Refunds are accepted within 30 days of delivery for items in their original packaging; "
    "the refund goes back to the card used for the purchase."
)
APPENDED = " Contact support for exceptions."


def marked(text: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    return [text[start:end] for start, end in spans]


def changed_lines(diff: FieldDiff) -> tuple[list[DiffLine], list[DiffLine]]:
    return (
        [line for line in diff.lines if line.kind == "removed"],
        [line for line in diff.lines if line.kind == "added"],
    )


def test_appending_a_sentence_to_a_one_line_answer_marks_only_the_new_words() -> None:
    diff = diff_values("output", {"answer": ANSWER}, {"answer": ANSWER + APPENDED})
    [removed], [added] = changed_lines(diff)
    assert removed.spans == ()  # nothing of the old answer changed
    assert marked(added.text, added.spans) == [APPENDED]
    # the editor's path (the draft as typed) gives the same
    draft = diff_draft("output", {"answer": ANSWER}, json.dumps({"answer": ANSWER + APPENDED}))
    assert [line.spans for line in draft.lines] == [line.spans for line in diff.lines]


def test_a_word_replaced_mid_line_is_marked_on_both_sides() -> None:
    before, after = word_spans("The quick brown fox jumps", "The slow brown fox jumps")
    assert (before, after) == (((4, 9),), ((4, 8),))
    diff = diff_values("output", ANSWER, ANSWER.replace("30 days", "45 days"))
    [removed], [added] = changed_lines(diff)
    assert marked(removed.text, removed.spans) == ["30"]
    assert marked(added.text, added.spans) == ["45"]


def test_neighbouring_changed_words_are_one_range_and_unchanged_words_split_them() -> None:
    a, b = "The quick brown fox", "The slow red fox"
    sa, sb = word_spans(a, b)
    assert (marked(a, sa), marked(b, sb)) == (["quick brown"], ["slow red"])
    a, b = "The cat sat on the mat", "The dog sat on a rug"
    sa, sb = word_spans(a, b)
    assert (marked(a, sa), marked(b, sb)) == (["cat", "the mat"], ["dog", "a rug"])


def test_lines_with_no_word_in_common_have_no_ranges() -> None:
    assert word_spans("    2", "    3") == ((), ())
    assert word_spans("Yes.", "No.") == ((), ())
    diff = diff_values("input", {"a": [1, 2]}, {"a": [1, 3]})
    assert all(line.spans == () for line in diff.lines)
    # a key in common is a word in common: only the value is marked
    [removed], [added] = changed_lines(diff_values("output", {"n": 1}, {"n": 10}))
    assert (marked(removed.text, removed.spans), marked(added.text, added.spans)) == (["1"], ["10"])


@pytest.mark.parametrize(
    ("before", "after", "old", "new"),
    [
        ("emoji 😀 here 👩‍💻 ok", "emoji 😃 here 👩‍🔬 ok", ["😀", "👩‍💻"], ["😃", "👩‍🔬"]),
        ("flag 🇯🇵 ok", "flag 🇫🇷 ok", ["🇯🇵"], ["🇫🇷"]),
        ("café au lait", "cafés au lait", ["café"], ["cafés"]),
        ("e\u0301t\u00e9 chaud", "e\u0301t\u00e9 froid", ["chaud"], ["froid"]),
        ("日本語のテキスト", "日本語のテキストです", [], ["です"]),
        ("हिन्दी भाषा अच्छी", "हिन्दी भाषा बुरी", ["अच्छी"], ["बुरी"]),
        ("שלום עולם טוב", "שלום עולם רע", ["טוב"], ["רע"]),
    ],
)
def test_unicode_is_marked_in_whole_characters(
    before: str, after: str, old: list[str], new: list[str]
) -> None:
    sa, sb = word_spans(before, after)
    assert (marked(before, sa), marked(after, sb)) == (old, new)


def test_a_range_never_splits_a_character_from_its_marks() -> None:
    rng = random.Random(3)
    pieces = ["e\u0301", "👍🏽", "👩‍💻", "❤️", "🇯🇵", "न्दी", "a", " ", ".", "日"]
    for _ in range(300):
        a = "".join(rng.choice(pieces) for _ in range(12))
        b = "".join(rng.choice(pieces) for _ in range(12))
        for text, spans in zip((a, b), word_spans(a, b), strict=True):
            for start, end in spans:
                for at in (start, end):
                    if 0 < at < len(text):
                        ch = text[at]
                        assert not unicodedata.category(ch).startswith("M"), (text, spans)
                        assert ch not in "\u200d\ufe0f" and text[at - 1] != "\u200d"
                        assert not ("\U0001f3fb" <= ch <= "\U0001f3ff"), (text, spans)


def test_ranges_are_ordered_and_what_they_leave_is_common_to_both() -> None:
    rng = random.Random(11)
    words = ["the", "a", "refund", "window", "is", "30", "days", ",", ".", "😀", "日本"]
    for _ in range(500):
        a_words = [rng.choice(words) for _ in range(rng.randint(0, 15))]
        b_words = list(a_words)
        for _ in range(rng.randint(1, 4)):
            at = rng.randint(0, len(b_words))
            if rng.random() < 0.5 and at < len(b_words):
                del b_words[at]
            else:
                b_words.insert(at, rng.choice(words))
        a, b = " ".join(a_words), " ".join(b_words)
        sa, sb = word_spans(a, b)
        for text, spans in ((a, sa), (b, sb)):
            assert all(0 <= s < e <= len(text) for s, e in spans)
            assert all(e1 < s2 for (_, e1), (s2, _) in itertools.pairwise(spans))

        def kept(text: str, spans: tuple[tuple[int, int], ...]) -> str:
            out, at = [], 0
            for s, e in spans:
                out.append(text[at:s])
                at = e
            out.append(text[at:])
            return re.sub(r"\s+", "", "".join(out))

        if sa or sb:
            assert kept(a, sa) == kept(b, sb), (a, b, sa, sb)


def test_a_1mb_line_is_compared_exactly() -> None:
    big = "lorem ipsum dolor sit amet, " * 37_500  # 1,050,000 characters
    assert word_spans(big, big + "THE END.") == ((), ((len(big), len(big) + 8),))
    middle = len(big) // 2 + 3  # inside a word: the range covers the whole word
    changed = big[:middle] + "X" + big[middle + 1 :]
    sa, sb = word_spans(big, changed)
    assert len(sa) == len(sb) == 1
    assert marked(big, sa) == [big[sa[0][0] : sa[0][1]]] and " " not in marked(big, sa)[0]
    assert sa[0][0] <= middle < sa[0][1] and sa == sb
    # a field holding the line: the diff carries it too
    line = big.rstrip()
    [removed], [added] = changed_lines(diff_values("output", line, line + " More."))
    assert removed.spans == () and marked(added.text, added.spans) == [" More."]


def test_a_changed_middle_beyond_the_cap_is_marked_whole() -> None:
    a = "keep this " + " ".join(f"w{i}" for i in range(50)) + " end"
    b = "keep this " + " ".join(f"v{i}" for i in range(50)) + " end"
    sa, sb = word_spans(a, b, max_tokens=20)
    assert marked(a, sa) == [a[len("keep this ") : -len(" end")]]
    assert marked(b, sb) == [b[len("keep this ") : -len(" end")]]
    finer = word_spans(a, b)  # under the cap: word by word (here every word changed)
    assert finer == (sa, sb)


def test_one_changed_line_in_a_5mb_document() -> None:
    value = {"rows": [{"id": i, "text": "lorem ipsum dolor sit amet " * 6} for i in range(20_000)]}
    changed = json.loads(json.dumps(value))
    changed["rows"][12_345]["text"] += "and a new ending"
    assert len(value_to_text("input", value)) > 4_000_000
    diff = diff_values("input", value, changed)
    [removed], [added] = changed_lines(diff)
    assert removed.spans == ()
    assert marked(added.text, added.spans) == ["and a new ending"]
    # numbered as difflib numbers the whole text
    a = value_to_text("input", value).split("\n")
    b = value_to_text("input", changed).split("\n")
    expected = [line for line in difflib.unified_diff(a, b, lineterm="") if line[:2] == "@@"]
    assert [line.text for line in diff.lines if line.kind == "hunk"] == expected


def test_many_replaced_lines_are_compared_up_to_a_budget() -> None:
    before = "\n".join(f"line {i} says yes" for i in range(MAX_WORD_DIFF_PAIRS + 500))
    after = before.replace("yes", "no")
    _, added = changed_lines(diff_texts("ref_source_id", before, after, 0))
    assert len(added) == MAX_WORD_DIFF_PAIRS + 500
    assert all(marked(line.text, line.spans) == ["no"] for line in added[:MAX_WORD_DIFF_PAIRS])
    assert all(line.spans == () for line in added[MAX_WORD_DIFF_PAIRS:])


def test_replaced_lines_are_paired_by_likeness() -> None:
    removed = ['  "answer": "The refund window is 30 days."']
    added = ['  "extra": 1,', '  "answer": "The refund window is 30 days. Ask support."']
    assert pair_lines(removed, added) == [(0, 1)]
    assert pair_lines(["a", "b"], ["x", "y"]) == [(0, 0), (1, 1)]  # as many: in order
    assert pair_lines(["completely different"], ["nothing alike", "at all here"]) == []
    diff = diff_values(
        "output",
        {"answer": "The refund window is 30 days."},
        {"extra": 1, "answer": "The refund window is 30 days. Ask support."},
    )
    answer = next(line for line in diff.lines if line.kind == "added" and "answer" in line.text)
    assert marked(answer.text, answer.spans) == [" Ask support."]


def test_tokens_cover_the_text() -> None:
    text = "Hello, wörld! 日本語 👩‍💻 e\u0301t  tabs\tand\nnew"
    parts = tokens(text)
    assert parts is not None and "".join(parts) == text
    assert "wörld" in parts and "日" in parts and "👩‍💻" in parts and "e\u0301t" in parts
    assert tokens("a b c", limit=2) is None


def test_the_line_diff_still_reads_as_diff_u() -> None:
    rng = random.Random(5)
    for _ in range(400):
        a = [rng.choice("abcdefg}{],") for _ in range(rng.randint(0, 30))]
        b = list(a)
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.4 and b:
                del b[rng.randrange(len(b))]
            else:
                b.insert(rng.randint(0, len(b)), rng.choice("xyz"))
        context = rng.choice([0, 1, 3])
        diff = diff_texts("f", "\n".join(a), "\n".join(b), context)
        assert _apply(a, diff) == b


_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _apply(a: list[str], diff: FieldDiff) -> list[str]:
    """Apply a diff's hunks to ``a`` (checking every context and removed line)."""
    out: list[str] = []
    pos = 0
    lines = diff.lines
    i = 0
    while i < len(lines):
        match = _HUNK.fullmatch(lines[i].text)
        assert match, lines[i]
        i += 1
        start, length = int(match[1]), int(match[2]) if match[2] is not None else 1
        start = start - 1 if length else start
        out += a[pos:start]
        pos = start
        while i < len(lines) and lines[i].kind != "hunk":
            line = lines[i]
            if line.kind in ("context", "removed"):
                assert a[pos] == line.text
                pos += 1
            if line.kind in ("context", "added"):
                out.append(line.text)
            i += 1
    return out + a[pos:]
