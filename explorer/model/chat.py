"""Chat conversations inside item values, recognised once for every front end.

LLM datasets hold conversations in OpenAI's shape: a list of ``{"role", "content"}`` messages
(often wrapped as ``{"messages": [...]}``), content as a string or a list of parts
(``{"type": "text", "text": ...}``), assistant ``tool_calls`` whose ``function.arguments`` is a
JSON string, and ``role: "tool"`` answers carrying a ``tool_call_id``. An output is often one such
message. `find_chat` says whether a value is one of these and `read_message` gives a message's
parts as plain data, so a front end draws a conversation without knowing the wire shape.

Nothing here escapes or cuts text for display: the texts are the item's own (untrusted) strings,
to be escaped and budgeted by the front end. What this module builds itself (tool-call
arguments as compact JSON) is bounded by ``limit``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

__all__ = [
    "ARGUMENTS_LIMIT",
    "Chat",
    "ChatMessage",
    "ToolCall",
    "compact_json",
    "find_chat",
    "is_message",
    "read_message",
]

ARGUMENTS_LIMIT = 4_000
"""Characters of a tool call's arguments kept (as compact JSON) unless told otherwise."""
_PARSE_LIMIT = 1_000_000  # an arguments string longer than this is shown as sent, not parsed


@dataclass(frozen=True)
class ToolCall:
    """One call the assistant asked for: ``name(arguments)``."""

    name: str
    arguments: str
    """Compact JSON (``{"order_id":"BW-1"}``) when the arguments are JSON, else as sent."""
    call_id: str = ""
    cut: bool = False
    """True when ``arguments`` was cut to the limit (it then ends with ``…``)."""


@dataclass(frozen=True)
class ChatMessage:
    """A message's parts: its role, its text pieces in order, the content parts that are not
    text (an image, an audio clip: raw JSON values), its tool calls, and for a tool's answer the
    id of the call it answers."""

    role: str
    texts: tuple[str, ...] = ()
    others: tuple[Any, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class Chat:
    """A conversation found in a value: its messages (raw mappings; read each with
    `read_message`) and, when the value wrapped them (``{"messages": [...], "model": ...}``),
    the wrapper's other keys."""

    messages: Sequence[Mapping[str, Any]]
    rest: Mapping[str, Any] = field(default_factory=dict)
    wrapped: bool = False
    """True for ``{"messages": [...]}``, False for a bare list or a single message."""


def _is_list(value: Any) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


def is_message(value: Any) -> bool:
    """A mapping with a string ``role`` and ``content`` or ``tool_calls``."""
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("role"), str)
        and ("content" in value or "tool_calls" in value)
    )


def find_chat(value: Any) -> Chat | None:
    """The conversation ``value`` holds: a non-empty list whose every element is a message, a
    mapping whose ``messages`` is such a list, or one message alone; None for anything else.
    Costs one look per message, whatever the size of their texts."""
    if _is_list(value):
        return Chat(value) if value and all(is_message(m) for m in value) else None
    if not isinstance(value, Mapping):
        return None
    messages = value.get("messages")
    if _is_list(messages) and messages and all(is_message(m) for m in messages):
        rest = {k: v for k, v in value.items() if k != "messages"}
        return Chat(messages, rest, wrapped=True)
    if is_message(value):
        return Chat((value,))
    return None


def compact_json(value: Any, limit: int = ARGUMENTS_LIMIT) -> tuple[str, bool]:
    """(``value`` as one-line JSON with no spaces after ``,`` and ``:``, cut) where cut is True
    when the text stopped at ``limit`` characters (it then ends with ``…``). Encodes only as
    much as it keeps; a value JSON cannot encode is shown as its ``repr``."""
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=repr)
    parts: list[str] = []
    size = 0
    try:
        for chunk in encoder.iterencode(value):
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return "".join(parts)[: limit - 1] + "…", True
    except (ValueError, RecursionError):  # a circular value, NaN is fine (allow_nan)
        return repr(value)[:limit], len(repr(value)) > limit
    return "".join(parts), False


def _arguments(arguments: Any, limit: int) -> tuple[str, bool]:
    if arguments is None:
        return "", False
    if isinstance(arguments, str):
        if len(arguments) <= _PARSE_LIMIT:
            try:
                return compact_json(json.loads(arguments), limit)
            except (ValueError, RecursionError):
                pass
        cut = len(arguments) > limit
        return (arguments[: limit - 1] + "…" if cut else arguments), cut
    return compact_json(arguments, limit)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _tool_call(call: Any, limit: int) -> ToolCall | None:
    """An OpenAI tool call (``{"id", "function": {"name", "arguments"}}``), a legacy
    ``function_call`` or an Anthropic ``tool_use`` part (``{"name", "input"}``)."""
    if not isinstance(call, Mapping):
        return None
    function = call.get("function")
    source = function if isinstance(function, Mapping) else call
    arguments = source.get("arguments") if "arguments" in source else source.get("input")
    text, cut = _arguments(arguments, limit)
    name = _text(source.get("name")) or "?"
    return ToolCall(name=name, arguments=text, call_id=_text(call.get("id")), cut=cut)


def read_message(message: Mapping[str, Any], *, limit: int = ARGUMENTS_LIMIT) -> ChatMessage:
    """The parts of one message (see `ChatMessage`): string content is one text; a list of
    parts gives each ``text`` part as a text (a bare string part too), each ``tool_use`` part
    as a tool call, each other part as it is; ``tool_calls`` (and a legacy ``function_call``)
    become `ToolCall` with their arguments as compact JSON of at most ``limit`` characters."""
    texts: list[str] = []
    others: list[Any] = []
    calls: list[ToolCall] = []
    content = message.get("content")
    if isinstance(content, str):
        if content:
            texts.append(content)
    elif _is_list(content):
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part, Mapping) and part.get("type") == "tool_use":
                call = _tool_call(part, limit)
                if call is not None:
                    calls.append(call)
            else:
                others.append(part)
    elif content is not None:
        others.append(content)
    raw_calls = message.get("tool_calls")
    if _is_list(raw_calls):
        for raw in raw_calls:
            call = _tool_call(raw, limit)
            if call is None:
                others.append(raw)
            else:
                calls.append(call)
    legacy = message.get("function_call")
    if isinstance(legacy, Mapping):
        call = _tool_call(legacy, limit)
        if call is not None:
            calls.append(call)
    return ChatMessage(
        role=_text(message.get("role")),
        texts=tuple(texts),
        others=tuple(others),
        tool_calls=tuple(calls),
        tool_call_id=_text(message.get("tool_call_id")),
        name=_text(message.get("name")),
    )
