"""`salient`: the part of an item value a row preview shows (both front ends use it)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from explorer.model import Excerpt, salient

SYSTEM = {"role": "system", "content": "You are Wren, Brightwell's support assistant. " * 40}


def chat(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"messages": [SYSTEM, *messages]}


def test_a_chat_input_shows_its_last_user_message_with_the_role() -> None:
    value = chat(
        {"role": "user", "content": "Hi there! I'm moving next week."},
        {"role": "assistant", "content": "Sure, what's the order number?"},
        {"role": "user", "content": "it's BW-6054009"},
        {"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "x"}}]},
        {"role": "tool", "content": '{"status": "packed"}'},
    )
    picked = salient(value)
    assert picked == "user: it's BW-6054009"
    assert isinstance(picked, Excerpt)


def test_a_chat_without_a_user_message_shows_its_last_message_with_text() -> None:
    assert salient({"messages": [SYSTEM]}) == "system: " + SYSTEM["content"]
    assert salient({"messages": []}) == {"messages": []}  # nothing to pick: unchanged


def test_content_parts_give_their_text() -> None:
    parts = [{"type": "text", "text": "what is in this picture?"}, {"type": "image_url"}]
    assert salient(chat({"role": "user", "content": parts})) == "user: what is in this picture?"


def test_an_assistant_message_shows_its_content_or_the_tool_it_calls() -> None:
    assert salient({"role": "assistant", "content": "Your refund is on its way."}) == (
        "Your refund is on its way."
    )
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "lookup_order", "arguments": '{"order_id": "BW-7135394"}'},
    }
    assert salient({"role": "assistant", "content": None, "tool_calls": [call]}) == (
        '→ lookup_order({"order_id": "BW-7135394"})'
    )
    many = {"role": "assistant", "content": None, "tool_calls": [call] * 5}
    assert str(salient(many)).endswith(" …")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"question": "when do raises take effect", "documents": [{"text": "x"}]}, "when do"),
        ({"answer": "In April [1].", "citations": ["a"], "answerable": True}, "In April"),
        ({"question": "top 5 toys?", "schema": "CREATE TABLE toys (...);"}, "top 5 toys?"),
        ({"sql": "SELECT 1;"}, "SELECT 1;"),
        ({"prompt": "Write a haiku"}, "Write a haiku"),
        ({"completion": "Autumn moonlight"}, "Autumn moonlight"),
        ({"input": {"messages": [{"role": "user", "content": "nested"}]}}, "user: nested"),
    ],
)
def test_an_object_with_a_known_text_key_shows_that_value(value: Any, expected: str) -> None:
    picked = salient(value)
    assert isinstance(picked, Excerpt) and picked.startswith(expected)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        42,
        -3.25e-07,
        "just a string",
        [],
        [1, "two", {"six": 6}],
        {},
        {"tags": ["shipping"], "difficulty": "easy"},  # metadata: stays compact JSON
        {"case": "x", "description": "y"},
        {"answer": None, "note": "empty answer"},
        {"text": ""},
    ],
)
def test_anything_else_is_left_as_it_is(value: Any) -> None:
    picked = salient(value)
    assert picked is value or picked == value
    assert not isinstance(picked, Excerpt)


def test_a_huge_or_deep_value_costs_no_more_than_a_small_one() -> None:
    long_chat = {
        "messages": [{"role": "assistant", "content": f"m{i}"} for i in range(200_000)]
        + [{"role": "user", "content": "the last question"}]
    }
    no_user = {"messages": [{"role": "tool", "content": None}] * 200_000}
    huge_array = list(range(1_000_000))
    deep: Any = "bottom"
    for _ in range(5_000):
        deep = {"input": deep}
    big_text = {"text": "y" * 5_000_000}
    start = time.perf_counter()
    for _ in range(100):
        assert salient(long_chat) == "user: the last question"
        assert salient(no_user) is no_user  # looked at the last few messages only
        assert salient(huge_array) is huge_array
        salient(deep)  # no RecursionError: nested keys are followed a few levels only
        assert len(salient(big_text)) == 5_000_000  # the same string, not a copy of the JSON
    assert time.perf_counter() - start < 0.5


def test_hostile_text_is_picked_as_it_is_for_the_front_ends_to_escape() -> None:
    hostile = "\x1b[31mred\x1b[0m [bold]x[/] \u202eevil\u202c <script>"
    assert salient(chat({"role": "user", "content": hostile})) == "user: " + hostile
    weird_role = chat({"role": "\x1b[2J", "content": "hi"})  # not "user": the fallback
    assert salient(weird_role) == "\x1b[2J: hi"
    assert salient({"messages": [{"role": 5, "content": "hi"}]}) == "?: hi"


def test_salient_never_serialises() -> None:
    class Exploding(dict[str, Any]):
        def __iter__(self) -> Any:
            raise AssertionError("walked the whole object")

    value = Exploding(messages=[{"role": "user", "content": "ok"}], tags=list(range(10)))
    assert salient(value) == "user: ok"
