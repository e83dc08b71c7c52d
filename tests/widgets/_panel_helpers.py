"""Building a panel on the embedded server for pure-Python tests, and reading what it shows."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from explorer.api import AsyncClient, Client
from explorer.model import Journal
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
