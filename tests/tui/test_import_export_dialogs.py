"""The export dialog's CSV format and "only the search results", and the import dialog (``I``),
driven with Pilot on a fresh v2 server (and the import on classic, with its ledger)."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, RadioButton, Static

from explorer.api.models import VersionedItem
from explorer.model.export import EXPORT_KEYS, read_csv_cell
from explorer.tui.export_dialog import ExportDialog
from explorer.tui.import_dialog import ImportDialog
from explorer.tui.items import ItemsScreen
from tests._emulator import RunningEmulator
from tests.tui._app_harness import build_app, isolate_env, settle, wait_for
from tests.tui._item_screens import make_dataset
from tests.tui._v2 import V2Factory, client, live_count, make_v2_dataset, v2_factory

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env", "v2_factory"]

SIZE = (120, 40)

ITEMS: list[dict[str, Any]] = [
    {"input": {"q": "refund my order"}, "expected_output": "one"},
    {"input": {"q": "hello there"}, "expected_output": "two"},
    {"input": {"q": "refund again"}, "expected_output": "three"},
]


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_dataset(pilot: Any, name: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *name, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ItemsScreen)


def csv_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert tuple(header) == EXPORT_KEYS
        return [
            {key: read_csv_cell(cell) for key, cell in zip(header, row, strict=True)}
            for row in reader
        ]


def v2_dataset(server: RunningEmulator) -> tuple[str, str, list[str]]:
    name = f"io-{uuid.uuid4().hex[:8]}"
    dataset_id, ids = make_v2_dataset(server, ITEMS, name)
    return dataset_id, name, ids


# -- export -----------------------------------------------------------------------------------


async def test_export_csv_writes_the_items(
    v2_factory: V2Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = v2_factory()
    dataset_id, name, ids = v2_dataset(server)
    monkeypatch.chdir(tmp_path)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        path = app.screen.query_one("#export-path", Input)
        assert path.value == f"{name}-r3.jsonl"
        assert not app.screen.query("#export-only-results")  # no search shown
        app.screen.query_one("#export-format-csv", RadioButton).value = True
        await pilot.pause()
        assert path.value == f"{name}-r3.csv"  # the default name follows the format
        await pilot.click("#export")
        await settle(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog))
    rows = csv_rows(tmp_path / f"{name}-r3.csv")
    with client(server) as c:
        items = {str(i.id): i for i in c.items.iter(dataset_id)}
    assert {row["item_id"] for row in rows} == set(items) == set(ids)
    for row in rows:
        item = items[row["item_id"]]
        assert isinstance(item, VersionedItem)
        assert (row["input"], row["expected_output"]) == (item.input, item.expected_output)
        assert row["dataset_id"] == dataset_id


async def test_export_with_a_search_writes_only_its_results(
    v2_factory: V2Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = v2_factory()
    _, name, ids = v2_dataset(server)
    monkeypatch.chdir(tmp_path)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await pilot.press("slash", *"refund", "enter")
        await settle(pilot)
        await wait_for(pilot, lambda: app.model.state.page.query == "refund")
        await settle(pilot)
        assert app.model.state.page.total == 2
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        only = app.screen.query_one("#export-only-results", Checkbox)
        assert only.value and "only the 2 search results" in str(only.label)
        await pilot.click("#export")
        await settle(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportDialog))
    rows = [json.loads(line) for line in (tmp_path / f"{name}-r3.jsonl").read_text().splitlines()]
    assert {row["item_id"] for row in rows} == {ids[0], ids[2]}


# -- import -----------------------------------------------------------------------------------


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return path


NEW_ROWS: list[dict[str, Any]] = [
    {"input": {"q": "imported 1"}, "expected_output": "a"},
    {"input": {"q": "imported 2"}, "expected_output": "b", "metadata": {"k": "[bold]x[/]"}},
    {"input": {"q": "imported 3"}},
]


async def run_import(pilot: Any, *, dry_run: bool, path: str) -> str:
    app = pilot.app
    assert isinstance(app.screen, ImportDialog)
    app.screen.query_one("#import-path", Input).value = path
    app.screen.query_one("#import-dry-run", Checkbox).value = dry_run
    await pilot.pause()
    await pilot.click("#run")
    await settle(pilot)
    await wait_for(pilot, lambda: not app.screen.running)
    await settle(pilot)
    return text_of(app, "#import-status")


async def test_import_dry_run_then_real_then_again(
    v2_factory: V2Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = v2_factory()
    dataset_id, name, _ = v2_dataset(server)
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "rows.jsonl", NEW_ROWS)
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, ImportDialog)
        assert app.screen.query_one("#import-dry-run", Checkbox).value  # dry run by default
        # a missing file is said in the dialog, what was typed kept
        status = await run_import(pilot, dry_run=True, path="missing.jsonl")
        assert f"There is no file {tmp_path / 'missing.jsonl'}" in status
        assert app.screen.query_one("#import-path", Input).value == "missing.jsonl"
        # an unknown extension asks for a format
        (tmp_path / "rows.txt").write_text("{}\n")
        status = await run_import(pilot, dry_run=True, path="rows.txt")
        assert "Cannot tell the format of rows.txt" in status
        # dry run: nothing written
        status = await run_import(pilot, dry_run=True, path="rows.jsonl")
        assert "Dry run: would create 3 items; 0 already there" in status
        assert live_count(server, dataset_id) == 3
        # for real
        status = await run_import(pilot, dry_run=False, path="rows.jsonl")
        assert "Created 3 items; 0 already there; 0 failed" in status
        assert live_count(server, dataset_id) == 6
        assert app.model.state.page.total == 6  # the list was fetched again
        # again: nothing twice
        status = await run_import(pilot, dry_run=False, path="rows.jsonl")
        assert "Created 0 items; 3 already there; 0 failed" in status
        assert live_count(server, dataset_id) == 6
        # a bad row is reported with its line, the others imported
        write_jsonl(tmp_path / "more.jsonl", [{"input": "ok"}, {"nope": 1}])
        status = await run_import(pilot, dry_run=False, path="more.jsonl")
        assert "Created 1 item; 0 already there; 1 failed (1 invalid)" in status
        assert "line 2: " in status and "nope" in status
        assert live_count(server, dataset_id) == 7
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
    with client(server) as c:
        inputs = [i.input for i in c.items.iter(dataset_id)]
    assert sorted(map(json.dumps, inputs)) == sorted(
        map(json.dumps, [r["input"] for r in ITEMS + NEW_ROWS] + ["ok"])
    )


async def test_import_is_hidden_when_read_only(v2_factory: V2Factory, tmp_path: Path) -> None:
    server = v2_factory()
    _, name, _ = v2_dataset(server)
    app = build_app(server, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)


async def test_import_on_classic_uses_the_ledger(
    emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = emulator_factory("none")
    dataset_id, _ = make_dataset(server, [{"input": {"q": "a"}, "output": "b"}])
    with client(server) as c:
        name = c.datasets.get(dataset_id).name
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "rows.jsonl", NEW_ROWS[:2])
    app = build_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_dataset(pilot, name)
        await pilot.press("I")
        await settle(pilot)
        status = await run_import(pilot, dry_run=True, path="rows.jsonl")
        assert "Dry run: would create 2 items" in status
        status = await run_import(pilot, dry_run=False, path="rows.jsonl")
        assert "Created 2 items; 0 already there" in status
        status = await run_import(pilot, dry_run=False, path="rows.jsonl")
        assert "Created 0 items; 2 already there" in status
        ledger = app.model.journal.journal.path.parent / "imports.sqlite3"
    assert ledger.exists()  # beside the journal
    assert live_count(server, dataset_id) == 3
