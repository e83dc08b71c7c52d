"""Building a panel on the embedded server for pure-Python tests, and reading what it shows."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from explorer.api import AsyncClient, Client, NotFound
from explorer.api.models import AnyItem
from explorer.model import ItemSchema, Journal, schema_for
from explorer.model.schema import schema_of
from tests._emulator import RunningEmulator
from widgets import DatasetPanel


def make_panel(running: RunningEmulator, tmp_path: Path, **options: Any) -> DatasetPanel:
    """A panel on ``running`` with its journal in ``tmp_path``; built with no loop running, so
    it owns its loop and is ready (datasets listed) when this returns."""
    retries = options.pop("retries", None)
    client = AsyncClient(
        host=running.url, api_key=running.api_key, project_id=running.project_id, retries=retries
    )
    journal = Journal(tmp_path / "journal.sqlite3")
    return DatasetPanel(client, journal=journal, **options)


def client_for(running: RunningEmulator) -> Client:
    return Client(host=running.url, api_key=running.api_key, project_id=running.project_id)


def text_of(markup: str) -> str:
    """What a browser shows for ``markup``: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", markup))).strip()


def descendants(widget: Any) -> list[Any]:
    out: list[Any] = []
    for child in getattr(widget, "children", ()):
        out.append(child)
        out.extend(descendants(child))
    return out


def dataset_id(panel: DatasetPanel, name: str) -> str:
    for dataset in panel.datasets:
        if dataset.name == name:
            return str(dataset.id)
    raise AssertionError(f"{name} is not listed: {[d.name for d in panel.datasets]}")


def labels(options: Any) -> list[str]:
    return [label for label, _ in options]


# -- the item grid (widgets._grid): what its JavaScript sends, what it shows ----------------------


def click_row(panel: DatasetPanel, item_id: Any) -> None:
    """What a click on the item's row sends from the browser (``panel.wait()`` runs it)."""
    grid = panel._rows.grid
    grid._handle_custom_msg({"type": "select", "id": str(item_id), "seq": grid.ack + 1}, [])


def turn_page(panel: DatasetPanel, *, forward: bool, wait: bool = True) -> None:
    """What the grid's Next › (or ‹ Previous) button sends from the browser; with ``wait``,
    ``panel.wait()`` runs it (no loop running)."""
    grid = panel._rows.grid
    action = "next_page" if forward else "prev_page"
    grid._handle_custom_msg({"type": "key", "action": action, "seq": grid.turn_ack + 1}, [])
    if wait:
        panel.wait()


def row_ids(panel: DatasetPanel) -> list[str]:
    """The item ids of the grid's rows, in order."""
    return [str(row["id"]) for row in panel._rows.grid.rows]


def row_text(panel: DatasetPanel, item_id: Any) -> str:
    """The cells of the item's row as the grid shows them, one space apart."""
    row = next(r for r in panel._rows.grid.rows if r["id"] == str(item_id))
    return " ".join(row["cells"])


# -- both API generations ------------------------------------------------------------------------
# Panel tests written once for the classic API and the versioned one (v2): field names come from
# the server's schema, and these read and write items on the server alike on both.


def schema_of_server(running: RunningEmulator) -> ItemSchema:
    """The item schema of the generation ``running`` speaks."""
    return schema_for(running.server.api)


def update_on_server(client: Client, item_id: Any, **fields: Any) -> AnyItem:
    """Someone else saves the item (v2: based on its current version)."""
    current = client.items.get(item_id)
    return client.items.update(item_id, base_version=getattr(current, "version", None), **fields)


def remove_on_server(client: Client, item_id: Any) -> None:
    """Someone else deletes (classic) or archives (v2) the item."""
    current = client.items.get(item_id)
    client.items.archive(item_id, base_version=getattr(current, "version", None))


def is_removed(client: Client, item_id: Any) -> bool:
    """Whether the item is deleted (classic: 404) or archived (v2: still there, archived)."""
    try:
        item = client.items.get(item_id)
    except NotFound:
        return True
    return ItemSchema.is_removed(item)


def answer_of(item: AnyItem) -> Any:
    """The item's answer: ``output`` (classic) or ``expected_output`` (v2)."""
    return ItemSchema.value(item, schema_of(item).answer_field)
