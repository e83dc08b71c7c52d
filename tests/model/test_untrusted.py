"""One rule for untrusted text: the terminal app and the notebook panel escape exactly the
characters `explorer.model.untrusted` names, in the same way."""

from __future__ import annotations

import json

import pytest

from explorer.model.untrusted import (
    JSON_UNSAFE,
    MULTI_LINE_UNSAFE,
    ONE_LINE_UNSAFE,
    make_visible,
    make_visible_json,
)
from explorer.tui.components.json_text import _make_safe
from explorer.tui.components.safe_text import display_str, safe_text
from explorer.tui.editor import terminal_safe_json
from widgets._render._text import make_visible as panel_visible
from widgets._render._text import make_visible_json as panel_visible_json

# every control, the bidi and separator characters, a lone surrogate, and safe neighbours
CHARS = [chr(c) for c in range(0x00, 0xA1)] + [
    *"\u200d\u200e\u200f\u2027\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u202f",
    *"\u2065\u2066\u2067\u2068\u2069\u206a\ud800\udfff",
    *"aé中ع😀\u00a0",
]


@pytest.mark.parametrize("multiline", [False, True])
def test_the_terminal_and_the_panel_escape_exactly_what_the_rule_names(multiline: bool) -> None:
    rule = MULTI_LINE_UNSAFE if multiline else ONE_LINE_UNSAFE
    for ch in CHARS:
        expected = make_visible(ch, multiline=multiline)
        assert (expected != ch) == bool(rule.match(ch)), repr(ch)
        assert display_str(ch, multiline=multiline) == expected, repr(ch)
        assert safe_text(ch, multiline=multiline).plain == expected, repr(ch)
        assert panel_visible(ch, multiline=multiline) == expected, repr(ch)


def test_json_text_is_escaped_alike_and_stays_the_same_value() -> None:
    value = {"k": "".join(c for c in CHARS if not 0xD800 <= ord(c) <= 0xDFFF)}
    text = json.dumps(value, ensure_ascii=False, indent=2)
    expected = make_visible_json(text)
    assert json.loads(expected) == value
    assert not JSON_UNSAFE.search(expected)
    assert terminal_safe_json(text) == expected
    assert _make_safe(text) == expected
    assert panel_visible_json(text) == expected
