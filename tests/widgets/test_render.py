"""The panel's HTML renderers: nothing in a dataset becomes markup, and every output is bounded."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from tests.widgets._html_check import assert_only_our_markup, parse, without_cell_isolates
from widgets._render import (
    PANEL_CSS,
    badge_html,
    diff_html,
    items_select_options,
    items_table_html,
    json_html,
    json_tree_html,
    panel_html,
    preview,
    refs_html,
    status_html,
)

# (raw text, as shown in plain text, as shown inside a JSON string literal)
HOSTILE: list[tuple[str, str, str]] = [
    ("<script>alert(1)</script>", "<script>alert(1)</script>", "<script>alert(1)</script>"),
    (
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=alert(1)>",
    ),
    ('"><b>bold</b>', '"><b>bold</b>', '\\"><b>bold</b>'),
    ("'><svg onload=alert(1)>", "'><svg onload=alert(1)>", "'><svg onload=alert(1)>"),
    ("&lt;script&gt; &amp; &#60;", "&lt;script&gt; &amp; &#60;", "&lt;script&gt; &amp; &#60;"),
    ("<!-- c --><![CDATA[x]]>", "<!-- c --><![CDATA[x]]>", "<!-- c --><![CDATA[x]]>"),
    ("javascript:alert(1)", "javascript:alert(1)", "javascript:alert(1)"),
    ("[bold red]rich[/bold red] [link=http://x]y[/link]",) * 3,
    ("\x1b[31mred\x1b[0m\x07", "\\x1b[31mred\\x1b[0m\\x07", "\\u001b[31mred\\u001b[0m\\u0007"),
    ("nul\x00byte", "nul\\x00byte", "nul\\u0000byte"),
    ("abc\u202edcba.exe", "abc\\u202edcba.exe", "abc\\u202edcba.exe"),
    (
        "iso\u2066late\u2069 sep\u2028x",
        "iso\\u2066late\\u2069 sep\\u2028x",
        "iso\\u2066late\\u2069 sep\\u2028x",
    ),
    ("c1\x85\x9b", "c1\\x85\\x9b", "c1\\u0085\\u009b"),
    ("lone \ud800 surrogate", "lone \\ud800 surrogate", "lone \\ud800 surrogate"),
    (
        "emoji 😀👩‍💻 日本語 한국어 עברית",
        "emoji 😀👩‍💻 日本語 한국어 עברית",
        "emoji 😀👩‍💻 日本語 한국어 עברית",
    ),
    ("{{7*7}} ${x} %s", "{{7*7}} ${x} %s", "{{7*7}} ${x} %s"),
]
_IDS = [f"h{i}" for i in range(len(HOSTILE))]
# What must never reach the page raw: C0 (newline aside), DEL, C1, bidi controls, separators,
# lone surrogates.
_RAW_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def _item(text: str) -> dict[str, Any]:
    return {
        "id": text,
        "input": text,
        "output": {text: text},
        "metadata": [text],
        "ref_trace_id": text,
        "ref_timestamp": "2025-01-02T03:04:05Z",  # text that is no timestamp would give no link
        "ref_source_id": text,
        "updated_at": text,
        "ref_" + text: text,  # an extra ref field the server might send
    }


def _check(html_text: str, *expected: str) -> None:
    parsed = assert_only_our_markup(html_text)
    assert not _RAW_UNSAFE.search(parsed.text), "a raw control or bidi character reached the page"
    html_text.encode("utf-8")  # the kernel must be able to send it
    for piece in expected:
        assert piece in parsed.text, f"{piece!r} not shown"


@pytest.mark.parametrize(("raw", "plain", "in_json"), HOSTILE, ids=_IDS)
class TestHostileText:
    def test_json_html(self, raw: str, plain: str, in_json: str) -> None:
        _check(json_html(raw), f'"{in_json}"')
        _check(json_html({raw: [raw, {raw: raw}]}), f'"{in_json}": [', f'"{in_json}"')

    def test_json_tree(self, raw: str, plain: str, in_json: str) -> None:
        _check(json_tree_html({raw: {raw: raw}}, open_depth=3), f"{plain}: ", f'"{in_json}"')
        _check(json_tree_html({raw: {raw: raw}}, open_depth=0))  # closed: previews in summary

    def test_items_table(self, raw: str, plain: str, in_json: str) -> None:
        out = items_table_html([_item(raw)], selected_id=raw)
        _check(out, f'"{in_json}"'[:79])
        parsed = parse(out)
        assert parsed.attrs("td", "title") == [plain]  # the full id, as an attribute value
        assert parsed.attrs("tr", "aria-selected") == ["true"]

    def test_select_labels(self, raw: str, plain: str, in_json: str) -> None:
        [(label, value)] = items_select_options([_item(raw)])
        assert value == raw
        label = without_cell_isolates(label)  # the panel's own balanced isolates, only
        assert not _RAW_UNSAFE.search(label)
        label.encode("utf-8")
        assert plain[:7] in label  # the short id, made visible

    def test_refs(self, raw: str, plain: str, in_json: str) -> None:
        out = refs_html(_item(raw), "https://us.posthog.com", 2)
        _check(out, plain, "ref_" + plain)
        hrefs = parse(out).attrs("a", "href")
        assert len(hrefs) == 1
        assert hrefs[0] is not None
        assert hrefs[0].startswith("https://us.posthog.com/project/2/llm-analytics/traces/")

    def test_refs_of_a_v2_item(self, raw: str, plain: str, in_json: str) -> None:
        item = {
            "id": raw,
            "version_id": raw,
            "expected_output": raw,
            "source_trace_id": raw,
            "source_event_id": raw,
            "source_timestamp": "2025-01-02T03:04:05Z",
            "source_" + raw: raw,  # an extra source field the server might send
        }
        out = refs_html(item, "https://us.posthog.com", 2)
        _check(out, plain, "source_" + plain)
        hrefs = parse(out).attrs("a", "href")
        assert len(hrefs) == 1 and hrefs[0] is not None
        assert hrefs[0].startswith("https://us.posthog.com/project/2/llm-analytics/traces/")
        [(label, _)] = items_select_options([item], columns=("id", "version", "answer"))
        assert not _RAW_UNSAFE.search(without_cell_isolates(label))

    def test_diff(self, raw: str, plain: str, in_json: str) -> None:
        _check(diff_html(f"a\n{raw}\nb", f"a\n{raw}!\nb"), plain, plain + "!")

    def test_status_and_badge(self, raw: str, plain: str, in_json: str) -> None:
        _check(status_html("error", raw), plain)
        _check(badge_html(raw, "trace"), plain)
        _check(panel_html(badge_html(raw)), plain)


def test_status_keeps_newlines_and_roles() -> None:
    out = status_html("warning", "first\nsecond")
    assert "first\nsecond" in parse(out).text
    assert 'role="status"' in out
    assert 'role="alert"' in status_html("error", "x")
    with pytest.raises(ValueError, match="status kind"):
        status_html("fatal", "x")
    with pytest.raises(ValueError, match="badge kind"):
        badge_html("x", "loud")


# ------------------------------------------------------------------------------ JSON


def _text(html_text: str) -> str:
    return assert_only_our_markup(html_text).text


@pytest.mark.parametrize(
    "number", [2**53 + 1, 2**200, -(2**100) - 7, 12345678901234567890123, 0, -1]
)
def test_big_integers_are_exact(number: int) -> None:
    value = {"n": number, "list": [number]}
    assert f'"n": {number}' in _text(json_html(value))
    assert f"n: {number}" in _text(json_tree_html(value))
    assert str(number) in preview(value)


def test_integer_beyond_the_str_limit_does_not_raise() -> None:
    out = _text(json_html([10**5000]))
    assert "integer of about 5,001 digits" in out


def test_scalars_and_their_classes() -> None:
    out = json_html(
        {
            "s": "x",
            "i": 1,
            "f": 1.5,
            "t": True,
            "f2": False,
            "z": None,
            "nan": float("nan"),
            "inf": float("-inf"),
        }
    )
    parsed = assert_only_our_markup(out)
    assert {"dx-k", "dx-s", "dx-n", "dx-b", "dx-z"} <= parsed.classes()
    assert '<span class="dx-b">true</span>' in out
    assert '<span class="dx-z">null</span>' in out
    assert '<span class="dx-n">1.5</span>' in out
    assert "NaN" in parsed.text
    assert "-Infinity" in parsed.text
    # The whole text is the pretty JSON (of a JSON-representable value) exactly.
    value = {"a": [1, {"b": "c\nd"}], "e": {}, "f": []}
    assert _text(json_html(value)) == json.dumps(value, indent=2, ensure_ascii=False)


def test_non_json_values_show_as_their_repr() -> None:
    out = _text(json_html({"when": {1, 2}, (1, 2): "tuple key", 3: "int key"}))
    assert '"{1, 2}"' in out
    assert '"(1, 2)": "tuple key"' in out
    assert '"3": "int key"' in out


def test_long_string_is_cut_with_a_marker() -> None:
    text = "a" * 10_000
    out = _text(json_html({"k": text}, max_string=2000))
    assert '"' + "a" * 2000 + '"' in out
    assert "a" * 2001 not in out
    assert "… (8,000 more characters)" in out
    tree = _text(json_tree_html({"k": text}, max_string=500))
    assert "… (9,500 more characters)" in tree
    assert preview(text) == '"' + "a" * 78 + "…"


def test_long_key_is_cut_too() -> None:
    out = _text(json_html({"k" * 5000: 1}, max_string=100))
    assert "… (4,900 more characters)" in out


def test_many_children_are_summarised() -> None:
    out = _text(json_html({"l": list(range(10_000)), "d": {str(i): i for i in range(300)}}))
    assert "… 9,800 more items" in out
    assert "… 100 more keys" in out
    assert "\n    199,\n" in out
    assert "\n    200" not in out
    tree = _text(json_tree_html(list(range(10_000))))
    assert "… 9,800 more items" in tree


class _CountingDict(Mapping[str, Any]):
    """A mapping that counts how many values were read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.reads = 0

    def __getitem__(self, key: str) -> Any:
        self.reads += 1
        return "v" * 100

    def __iter__(self) -> Iterator[str]:
        return (f"k{i}" for i in range(self.size))

    def __len__(self) -> int:
        return self.size


def test_only_what_is_shown_is_read() -> None:
    big = _CountingDict(1_000_000)
    preview(big, 80)
    assert big.reads <= 2
    big.reads = 0
    json_html(big)
    assert big.reads <= 200
    big.reads = 0
    # A closed node still holds its first max_items children (no script can fetch them later).
    json_tree_html({"a": big}, open_depth=0, max_items=50)
    assert big.reads <= 50 + 2


def _five_mb() -> dict[str, Any]:
    messages = [
        {"role": "user", "content": f"message {i} " + "lorem ipsum " * 80, "tokens": i}
        for i in range(5_000)
    ]
    return {"messages": messages, "blob": "x" * 200_000}


@pytest.mark.parametrize("render", [json_html, json_tree_html], ids=["pre", "tree"])
def test_five_megabyte_value_gives_bounded_output(render: Any) -> None:
    value = _five_mb()
    assert len(json.dumps(value)) > 5_000_000
    out = render(value)
    assert len(out.encode("utf-8")) < 200_000
    parsed = assert_only_our_markup(out)
    assert "… (truncated here: the rest of this value is not shown)" in parsed.text


def test_five_megabyte_cjk_string_gives_bounded_output() -> None:
    value = ["日本語" * 600_000]
    for render in (json_html, json_tree_html):
        out = render(value, max_string=1_000_000)
        assert len(out.encode("utf-8")) < 200_000 * 3  # budget counts characters
        assert len(out) < 200_000


def test_deep_nesting_does_not_recurse_forever() -> None:
    value: Any = "bottom"
    for _ in range(5_000):
        value = [value]
    for render in (json_html, json_tree_html):
        out = render(value)
        assert len(out) < 200_000
        assert_only_our_markup(out)
    assert preview(value).endswith("…")


def test_tree_opens_to_the_given_depth() -> None:
    value = {"a": {"b": {"c": 1}}}
    assert json_tree_html(value, open_depth=1).count("<details open>") == 1
    assert json_tree_html(value, open_depth=2).count("<details open>") == 2
    closed = json_tree_html(value, open_depth=0)
    assert "<details open>" not in closed
    assert '{"a":{"b":{"c":1}}}' in _text(closed)  # the closed root's summary preview


def test_tree_cut_by_budget_still_closes_every_tag() -> None:
    value = [{"x": ["y" * 50] * 50} for _ in range(200)]
    out = json_tree_html(value, max_chars=20_000, open_depth=5)
    parsed = assert_only_our_markup(out)  # balanced
    assert "truncated here" in parsed.text
    assert len(out) < 25_000


# ------------------------------------------------------------------------------ diff


def test_diff_marks_changed_lines() -> None:
    before = json.dumps({"a": 1, "b": [1, 2], "c": "same"}, indent=2)
    after = json.dumps({"a": 1, "b": [1, 3], "c": "same", "d": True}, indent=2)
    out = diff_html(before, after)
    assert_only_our_markup(out)
    assert '<div class="dx-line dx-del"><span class="dx-mark">-</span>    2</div>' in out
    assert '<div class="dx-line dx-add"><span class="dx-mark">+</span>    3</div>' in out
    assert '<span class="dx-mark">+</span>  &quot;d&quot;: true' not in out  # text, not attr
    assert '<span class="dx-mark">+</span>  "d": true' in out
    assert '<span class="dx-mark"> </span>  "a": 1,' in out
    assert "+3" in parse(out).text
    assert "−2" in parse(out).text
    # Hunk headers as diff -u (difflib) writes them.
    for line in difflib.unified_diff(before.split("\n"), after.split("\n"), lineterm=""):
        if line.startswith("@@"):
            assert f"{line}</div>" in out


def test_diff_splits_at_newlines_only() -> None:
    before = '{\n  "a": "x\u2028y\x85z\x1cw"\n}'
    out = diff_html(before, before.replace("w", "W"))
    assert out.count('class="dx-line dx-del"') == 1
    assert "x\\u2028y\\x85z\\x1cw" in parse(out).text


def test_diff_of_equal_texts() -> None:
    assert "No changes." in parse(diff_html("x\ny", "x\ny")).text


def test_diff_of_large_texts_is_bounded() -> None:
    lines = [f'  "k{i}": {i},' for i in range(100_000)]
    before = "\n".join(lines)
    after = "\n".join([*lines[:50_000], '  "new": 1,', *lines[50_000:]])
    out = diff_html(before, after)
    assert out.count("dx-add") == 1 + 1  # the line and the summary count
    assert "@@ -49998,6 +49998,7 @@" in out
    replaced = diff_html(before, before.replace('"k', '"K'), max_lines=500)
    assert replaced.count('class="dx-line') == 500
    assert "more diff lines" in parse(replaced).text
    assert "+100,000" in parse(replaced).text


# ------------------------------------------------------------------------------ stylesheet


def test_stylesheet_is_scoped_and_self_contained() -> None:
    for block in PANEL_CSS.split("}"):
        if not block.strip():
            continue
        selectors = block.split("{")[0]
        for selector in selectors.split(","):
            assert selector.strip().startswith(".dx-panel"), selector
    for banned in ("url(", "@import", "<", "javascript:", "expression("):
        assert banned not in PANEL_CSS
    assert "var(--jp-ui-font-color1" in PANEL_CSS
