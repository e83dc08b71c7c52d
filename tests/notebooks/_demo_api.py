"""Running a notebook on the other API generation: its ``DatasetPanel.demo()`` with ``api=``."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

DEMO_CALL = "DatasetPanel.demo()"


def demo_on(notebook: MutableMapping[str, Any], api: str) -> None:
    """Make the notebook's ``DatasetPanel.demo()`` calls start the demo speaking ``api``, as a
    user who types ``DatasetPanel.demo(api="classic")`` would. Code cells only (the markdown is
    left as written); works on an nbformat notebook and on the file's JSON alike. Raises
    AssertionError when no code cell makes that call."""
    call = f'DatasetPanel.demo(api="{api}")'
    found = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        text = source if isinstance(source, str) else "".join(source)
        found += text.count(DEMO_CALL)
        text = text.replace(DEMO_CALL, call)
        cell["source"] = text if isinstance(source, str) else text.splitlines(keepends=True)
    assert found, f"no code cell calls {DEMO_CALL}"
