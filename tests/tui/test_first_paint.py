"""The launch as a user waits for it (issue 12): the datasets screen draws the first page from
the answer as it arrives, before the client types it, because typing it first loads the wire
models and pydantic (about a tenth of a second). These tests keep that from silently
regressing: nothing on the launch path imports pydantic, and the rows drawn from the answer
are the rows the typed page draws."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable, Static

from explorer.api import Dataset, Settings, VersionedDataset
from explorer.model import Journal
from explorer.tui.app import make_app
from explorer.tui.datasets import DatasetsScreen, listed_dataset

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
USER = {"id": 1, "uuid": str(uuid.uuid4()), "first_name": "Ada", "last_name": None,
        "email": "ada@example.com"}  # fmt: skip


def _classic(**over: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "name": "evals [b]bold[/b]",
        "description": None,
        "metadata": {"k": 1},
        "created_at": "2026-03-01T09:00:00.000000Z",
        "updated_at": "2026-03-04T10:30:00.123456Z",
        "deleted": False,
        "created_by": USER,
        "team": 1,
    }
    return {**body, **over}


def _v2(**over: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "name": "golden",
        "description": "",
        "metadata": {},
        "archived": False,
        "current_revision": 3,
        "current_revision_id": str(uuid.uuid4()),
        "created_at": "2026-02-01T09:00:00Z",
        "updated_at": None,
        "created_by": {**USER, "first_name": "", "email": "only@example.com"},
        "team_id": 1,
    }
    return {**body, **over}


def _typed_cells(dataset: Dataset | VersionedDataset) -> tuple[Any, ...]:
    by = dataset.created_by.display_name if dataset.created_by is not None else ""
    updated = dataset.updated_at or dataset.created_at
    return (dataset.name, dataset.description or "", updated, dataset.created_at, by)


@pytest.mark.parametrize(
    "raw, model",
    [
        (_classic(), Dataset),
        (_classic(created_by=None, description="about it"), Dataset),
        (_classic(created_at="2026-03-01T09:00:00", updated_at="2026-03-02T09:00:00"), Dataset),
        (_classic(created_by={**USER, "last_name": "Lovelace"}), Dataset),
        (_v2(), VersionedDataset),
        (_v2(updated_at="2026-02-02T09:00:00+02:00", description="d"), VersionedDataset),
        (_v2(created_by={**USER, "first_name": "", "email": ""}), VersionedDataset),
    ],
)
def test_a_row_from_the_answer_is_the_row_of_the_typed_dataset(
    raw: dict[str, Any], model: Any
) -> None:
    listed = listed_dataset(raw)
    assert listed is not None
    typed = model.model_validate(raw)
    assert listed == (str(typed.id), _typed_cells(typed))


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        _classic(name=None),
        _classic(name=5),
        _classic(id=None),
        _classic(created_at=None),
        _classic(created_at="yesterday"),
        _classic(created_at=1700000000),
        _classic(updated_at="soon"),
        _classic(description=["x"]),
        _classic(created_by="ada"),
    ],
)
def test_what_a_row_cannot_show_is_left_to_the_typed_page(raw: Any) -> None:
    assert listed_dataset(raw) is None


def _mock(pages: list[dict[str, Any]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/datasets/"):
            return httpx.Response(200, json={"count": len(pages), "next": None,
                                             "previous": None, "results": pages})  # fmt: skip
        return httpx.Response(200, json={"count": 0, "next": None, "previous": None,
                                         "results": []})  # fmt: skip

    return httpx.MockTransport(handler)


def _rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_a_page_that_cannot_be_typed_leaves_no_rows_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the answer looks like datasets to the first paint, but its ids are not UUIDs
    pages = [_classic(id="not-a-uuid"), _classic(id="nor-this")]
    previewed: list[int] = []
    preview = DatasetsScreen._preview

    def counted(screen: DatasetsScreen, page: dict[str, Any]) -> Any:
        shown = preview(screen, page)
        previewed.append(len(screen._preview_rows or []) if shown is not None else 0)
        return shown

    monkeypatch.setattr(DatasetsScreen, "_preview", counted)
    app = make_app(
        Settings(host="http://127.0.0.1:9", project_id=1, api_key="phx_test"),
        journal=Journal(tmp_path / "journal.sqlite3"),
        clock=lambda: NOW,
        retries=0,
        transport=_mock(pages),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.01)
            if app.model.state.notice is not None and not app.model.state.busy.datasets:
                break
        screen = app.screen
        assert isinstance(screen, DatasetsScreen)
        table = screen.query_one("#datasets-table", DataTable)
        assert table.row_count == 0
        empty = screen.query_one("#datasets-empty", Static)
        assert empty.display
        assert "r retries" in str(empty.render())
    assert previewed == [2]  # drawn from the answer first


# Runs in a fresh process: the app on a fake server; at the first rows drawn, whether pydantic
# was loaded; then, once the model holds the typed page, the rows drawn from it.
CHILD = """
import asyncio, json, sys
from datetime import UTC, datetime
import httpx
from textual.widgets import DataTable
pages = json.loads(sys.argv[1])
first = []
original = DataTable.render_lines
def render_lines(table, crop):
    lines = original(table, crop)
    if not first and table.row_count > 0:
        rows = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        first.append({"pydantic": "pydantic" in sys.modules, "rows": rows})
    return lines
DataTable.render_lines = render_lines
from explorer.api import Settings
from explorer.model import Journal
from explorer.tui.app import make_app
launch_path = sorted(m for m in sys.modules if m.split(".")[0] == "pydantic"
                     or m == "explorer.api.models")
def handler(request):
    return httpx.Response(200, json={"count": len(pages), "next": None, "previous": None,
                                     "results": pages})
app = make_app(Settings(host="http://127.0.0.1:9", project_id=1, api_key="phx_test"),
               journal=Journal(sys.argv[2]), clock=lambda: datetime(2026, 3, 5, 12, tzinfo=UTC),
               transport=httpx.MockTransport(handler))
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        while not (app.model_or_none and app.model.state.datasets.loaded):
            await pilot.pause(0.01)
        await pilot.pause(0.05)
        table = app.screen.query_one("#datasets-table", DataTable)
        typed = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
    print(json.dumps({"launch_path": launch_path, "first": first[0], "typed": typed}))
asyncio.run(main())
"""


def test_the_first_rows_are_drawn_before_pydantic_loads(tmp_path: Path) -> None:
    pages = [_classic(name=f"set {n}", description=f"about {n}") for n in range(3)]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(pages), str(tmp_path / "journal.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["launch_path"] == []  # importing the app loads neither pydantic nor the models
    assert seen["first"]["pydantic"] is False
    assert [row[0] for row in seen["first"]["rows"]] == ["set 0", "set 1", "set 2"]
    assert seen["typed"] == seen["first"]["rows"]  # the typed page draws the same rows


def test_the_launch_modules_import_no_pydantic() -> None:
    code = (
        "import sys\n"
        "import explorer.cli, explorer.tui.launch, explorer.tui.app, explorer.tui.datasets\n"
        "import explorer.tui.connect, explorer.model\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'"
        " or m == 'explorer.api.models'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
