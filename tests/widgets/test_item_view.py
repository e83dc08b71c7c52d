"""The item view: a conversation drawn as messages, text with its line breaks, the input beside
the answer; item text never becomes markup.

The renderers are checked on hostile values by parsing their HTML back (every element must be
one they make); the view on the demo server of each API generation (which field goes where comes
from the schema's roles).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from explorer.model.chat import find_chat, read_message
from tests._emulator import RunningEmulator
from tests.widgets._html_check import assert_only_our_markup
from tests.widgets._panel_helpers import make_panel, text_of
from widgets import DatasetPanel
from widgets._render import chat_html, read_html
from widgets._viewer import ITEM_BUDGET, body_html, columns_of

HOSTILE = ("<script>alert(1)</script>", "</div><img src=x onerror=alert(1)>")


class _Texts(HTMLParser):
    """The text (as a browser's ``innerText`` would hold it: line breaks kept) of every element
    carrying a class, by class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, list[str]] = {}
        self.buffers: list[tuple[list[str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        self.buffers.append((classes, []))

    def handle_endtag(self, tag: str) -> None:
        classes, chunks = self.buffers.pop()
        text = "".join(chunks)
        for cls in classes:
            self.found.setdefault(cls, []).append(text)
        if self.buffers:
            self.buffers[-1][1].append(text)

    def handle_data(self, data: str) -> None:
        if self.buffers:
            self.buffers[-1][1].append(data)


def texts(markup: str, cls: str) -> list[str]:
    parser = _Texts()
    parser.feed(markup)
    parser.close()
    return parser.found.get(cls, [])


CHAT = {
    "messages": [
        {"role": "system", "content": "You are Wren.\n\nPolicies:\n- be kind"},
        {"role": "user", "content": [{"type": "text", "text": "Where is\nmy order?"}]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": "lookup_order",
                        "arguments": '{"order_id": "BW-1", "fields": ["status", "eta"]}',
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"status": "shipped"}'},
        {"role": "assistant", "content": "It shipped.\nIt arrives Friday."},
    ],
    "model": "gpt-4o",
}


def test_a_conversation_is_drawn_as_messages_with_real_line_breaks():
    markup = chat_html(CHAT)
    assert markup is not None
    assert_only_our_markup(markup)
    assert texts(markup, "dx-role") == ["system", "user", "assistant", "tool", "assistant"]
    shown = texts(markup, "dx-text")
    # the value's "\n" is a line break in the text the browser lays out, not a backslash-n
    assert shown[0] == "You are Wren.\n\nPolicies:\n- be kind"
    assert shown[1] == "Where is\nmy order?"  # a text part
    assert "It shipped.\nIt arrives Friday." in shown
    assert not any("\\n" in text for text in shown)
    # a tool call as name(arguments), the arguments as compact JSON
    assert texts(markup, "dx-call") == [
        'lookup_order({"order_id":"BW-1","fields":["status","eta"]})'
    ]
    assert "answers call_1" in texts(markup, "dx-msg-meta")
    assert 'class="dx-msg dx-msg-tool"' in markup
    # the wrapper's other keys are read below the conversation
    assert "gpt-4o" in texts(markup, "dx-obj")[0]


def test_the_shapes_of_a_conversation():
    bare = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    assert find_chat(bare) is not None and find_chat({"messages": bare}) is not None
    one = {"role": "assistant", "content": "only me"}  # an output is often one message
    assert texts(chat_html(one) or "", "dx-text") == ["only me"]
    assert find_chat([{"role": "user"}]) is None  # no content, no tool calls: not a message
    assert find_chat([{"role": 3, "content": "x"}]) is None
    assert find_chat({"question": "why?"}) is None and chat_html("plain") is None
    assert find_chat([]) is None
    # arguments that are not JSON are shown as sent; a dict of arguments as compact JSON
    broken = {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{x"}}]}
    assert [c.arguments for c in read_message(broken).tool_calls] == ["{x"]
    as_dict = {
        "role": "assistant",
        "content": None,
        "function_call": {"name": "g", "arguments": {"a": 1}},
    }
    assert texts(chat_html(as_dict) or "", "dx-call") == ['g({"a":1})']
    # an unknown role gets no style of its own (item text never names a class)
    markup = chat_html([{"role": 'x" onclick="alert(1)', "content": "hi"}]) or ""
    assert_only_our_markup(markup)
    assert 'class="dx-msg dx-msg-other"' in markup
    assert texts(markup, "dx-role") == ['x" onclick="alert(1)']


def test_plain_strings_and_objects_read_with_their_line_breaks():
    markup = read_html({"question": "line one\nline two", "n": 3, "ok": True, "none": None})
    assert_only_our_markup(markup)
    assert texts(markup, "dx-text") == ["line one\nline two"]
    assert texts(markup, "dx-k") == ["question", "n", "ok", "none"]
    assert [texts(markup, c) for c in ("dx-n", "dx-b", "dx-z")] == [["3"], ["true"], ["null"]]
    # a list of short values (tags) reads as chips on one line; a longer list as rows
    tags = read_html({"tags": ["shipping", "<b>x</b>", 3]})
    assert_only_our_markup(tags)
    assert texts(tags, "dx-chip") == ["shipping", "<b>x</b>", "3"]
    assert texts(read_html(["one\ntwo", "three"]), "dx-chip") == []
    # what the terminal would take as a control sequence is shown as its escape
    assert texts(read_html("red \x1b[31m\r\nnext"), "dx-text") == ["red \\x1b[31m\nnext"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_item_text_is_shown_as_text(hostile: str):
    value = {
        "messages": [
            {"role": hostile, "name": hostile, "content": hostile},
            {"role": "user", "content": [{"type": "text", "text": hostile}, {"type": hostile}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"function": {"name": hostile, "arguments": json.dumps({hostile: hostile})}}
                ],
            },
            {"role": "tool", "tool_call_id": hostile, "content": hostile},
        ],
        hostile: [hostile, {hostile: hostile}],
    }
    for markup in (read_html(value), chat_html(value) or "", read_html(hostile)):
        parsed = assert_only_our_markup(markup)  # no element, attribute or class from the data
        assert hostile in parsed.text  # and the reader sees the text as typed
        assert "<script" not in markup and "<img" not in markup


def test_the_budget_bounds_a_huge_conversation():
    big = {
        "messages": [
            {"role": "user", "content": f"message {i}\n" + "lorem ipsum " * 400}
            for i in range(5_000)
        ]
    }
    markup = read_html(big, max_chars=50_000)
    assert len(markup) < 60_000
    assert_only_our_markup(markup)  # cut, and every element still closed
    assert "truncated here" in text_of(markup)
    few = read_html(big, max_items=3, max_chars=10_000_000)
    assert "… 4,997 more messages" in text_of(few)


@pytest.fixture
def any_panel(any_demo_server: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(any_demo_server, tmp_path)
    yield built
    built.close()


def _chat_item(panel: DatasetPanel) -> Any:
    """An item of customer-support-evals whose input is a conversation and whose answer is set."""
    panel.open("customer-support-evals")
    answer = panel.state.schema.answer_field
    return next(
        i
        for i in panel.items
        if find_chat(i.input) is not None and getattr(i, answer) not in (None, "", {})
    )


def test_a_selected_item_shows_its_input_beside_its_answer(any_panel: DatasetPanel):
    panel = any_panel
    schema = panel.state.schema
    item = _chat_item(panel)
    panel.select(item.id)
    view = panel._viewer
    assert view.mode.value == "read"
    markup = view.body.value
    assert_only_our_markup(markup)
    left, right, below = columns_of(schema)
    (input_column,) = texts(markup, "dx-col-input")
    (answer_column,) = texts(markup, "dx-col-answer")
    # the left column is the input, drawn as a conversation with its line breaks
    assert input_column.startswith(schema.label(left[0]))
    system = item.input["messages"][0]["content"]
    assert "\n" in system and system[:200] in input_column
    assert texts(markup, "dx-role")[0] == "system"
    # the right column is the answer (v2: then the recorded source output)
    assert answer_column.startswith(schema.label(schema.answer_field))
    assert [schema.label(n) for n in right] == [
        t.split(" (")[0] for t in texts(markup, "dx-field-label")[1 : 1 + len(right)]
    ]
    # metadata and references below
    below_text = texts(markup, "dx-item-below")[0]
    assert all(schema.label(n) in below_text for n in below) and "References" in below_text
    # JSON and Tree are one click away, and the cut budget holds in each
    view.mode.value = "json"
    assert '<pre class="dx-json">' in view.body.value and texts(view.body.value, "dx-col-input")
    view.mode.value = "tree"
    assert '<div class="dx-tree">' in view.body.value
    assert len(view.body.value) < ITEM_BUDGET + 20_000


def test_the_view_follows_the_schema_of_any_item(any_panel: DatasetPanel):
    panel = any_panel
    schema = panel.state.schema
    item = _chat_item(panel)
    markup = body_html(item, schema, mode="read")
    assert texts(markup, "dx-field-label")[0] == schema.label(columns_of(schema)[0][0])
    widgets_before = len(panel.widget.children)
    panel.select(panel.items[-1].id)
    assert len(panel.widget.children) == widgets_before
