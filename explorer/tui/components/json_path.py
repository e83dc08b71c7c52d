"""JSON paths (RFC 9535 style) for a location inside a value, for copy actions and titles."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

__all__ = ["PathPart", "json_path"]

PathPart = str | int
"""One step into a value: an object key or an array index."""

_SHORTHAND = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def json_path(parts: Sequence[PathPart]) -> str:
    """``$`` followed by each step: ``.key`` when the key is a plain identifier, ``["a.b"]``
    (JSON-quoted, so quotes and backslashes are escaped) otherwise, ``[2]`` for an index.

    >>> json_path(["messages", 2, "content"])
    '$.messages[2].content'
    >>> json_path(["a.b", 'say "hi"'])
    '$["a.b"]["say \\\\"hi\\\\""]'
    """
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _SHORTHAND.match(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(out)
