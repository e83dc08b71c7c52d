"""The part of an item's value worth showing in a one-line row preview.

A page of a chat dataset previewed as JSON reads ``{"messages":[{"role":"system","co…`` on every
row: the system prompt, the same everywhere, fills the cell. `salient` picks what tells rows
apart (the last user message, the answer, the tool called) and leaves every other value as it
is, so a front end previews ``salient(value)`` with its own escaping, budgeted previewer.

It never serialises the value: it looks up a few keys and walks back a bounded number of
messages, so a 5 MB item or a 10,000-message conversation costs the same as a small one. Text it
picks is returned as an `Excerpt` (a ``str``), which front ends show as text rather than as a
quoted JSON string. Excerpts are untrusted item text like any other: escape them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["TEXT_KEYS", "Excerpt", "salient"]

TEXT_KEYS: tuple[str, ...] = (
    "question",
    "query",
    "prompt",
    "text",
    "answer",
    "sql",
    "completion",
    "response",
    "output",
    "input",
)
"""Keys whose value is the point of an object (the first one present with a value wins)."""

_MESSAGES_LOOKED_AT = 64  # messages walked back from the end to find the last user message
_DEPTH = 4  # nested well-known keys followed ({"input": {"messages": ...}})
_PIECE = 400  # characters kept of a name, an argument list, a role or a text part
_TOOL_CALLS_SHOWN = 3


class Excerpt(str):
    """Text picked out of a value by `salient`: shown as text, not as a JSON string."""

    __slots__ = ()


def salient(value: Any) -> Any:
    """The most informative part of an item's ``input`` or ``output`` for a row preview.

    - a chat input ``{"messages": [...]}``: the last ``user`` message's content, as
      ``"user: …"`` (the last message with text when no user message is near the end);
    - a message with string content: the content; an assistant message with no content and
      ``tool_calls``: ``"→ lookup_order({…arguments…})"``;
    - an object with a well-known text key (`TEXT_KEYS`): that value, itself made salient;
    - anything else (a string, a number, metadata, an unknown shape) unchanged.

    Picked text comes back as an `Excerpt`. Cheap whatever the size of ``value``.
    """
    return _salient(value, 0)


def _salient(value: Any, depth: int) -> Any:
    if not isinstance(value, Mapping) or depth > _DEPTH:
        return value
    messages = value.get("messages")
    if isinstance(messages, Sequence) and _is_list(messages):
        picked = _from_messages(messages)
        if picked is not None:
            return picked
    if "content" in value or "tool_calls" in value:
        picked = _from_message(value)
        if picked is not None:
            return picked
    for key in TEXT_KEYS:
        inner = value.get(key)
        if inner is None or inner == "" or (isinstance(inner, Mapping | list) and not inner):
            continue
        if isinstance(inner, str):
            return Excerpt(inner)
        return _salient(inner, depth + 1)
    return value


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


def _from_messages(messages: Sequence[Any]) -> Excerpt | None:
    """``role: text`` of the last user message near the end, else of the last message with
    text or tool calls; None when there is none."""
    fallback: Excerpt | None = None
    for index in range(len(messages) - 1, max(-1, len(messages) - 1 - _MESSAGES_LOOKED_AT), -1):
        message = messages[index]
        if not isinstance(message, Mapping):
            continue
        text = _message_text(message)
        if text is None:
            continue
        role = message.get("role")
        role_text = role[:_PIECE] if isinstance(role, str) and role else "?"
        if role == "user":
            return Excerpt(f"{role_text}: {text}")
        if fallback is None:
            fallback = Excerpt(f"{role_text}: {text}")
    return fallback


def _from_message(message: Mapping[str, Any]) -> Excerpt | None:
    text = _message_text(message)
    return None if text is None else Excerpt(text)


def _message_text(message: Mapping[str, Any]) -> str | None:
    """A message's text (string content, or its text parts), else its tool calls, else None."""
    text = _content_text(message.get("content"))
    if text:
        return text
    calls = message.get("tool_calls")
    if _is_list(calls) and calls:
        shown = [_tool_call(call) for call in calls[:_TOOL_CALLS_SHOWN]]
        more = " …" if len(calls) > _TOOL_CALLS_SHOWN else ""
        return "→ " + " ".join(shown) + more
    return None


def _content_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if _is_list(content):  # [{"type": "text", "text": "..."}, {"type": "image_url", ...}]
        for part in content[:_TOOL_CALLS_SHOWN]:
            if isinstance(part, str):
                return part
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                text: str = part["text"]
                return text
    return None


def _tool_call(call: Any) -> str:
    """``name(arguments)`` of one OpenAI-style tool call (arguments as sent, cut short)."""
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping):
        function = call if isinstance(call, Mapping) else {}
    name = function.get("name")
    name_text = name[:_PIECE] if isinstance(name, str) and name else "?"
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        args = arguments[:_PIECE]
    elif arguments is None:
        args = ""
    else:
        args = "…"
    return f"{name_text}({args})"
