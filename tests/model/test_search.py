"""The local item index and its queries, on both API generations: what a query finds is what
the server holds, and a refresh after edits made elsewhere brings the index up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from explorer.api.models import AnyItem
from explorer.model.search import ItemIndex, QueryError, parse_query, refresh_index
from tests._emulator import RunningEmulator
from tests.model.conftest import (
    Fields,
    MakeModel,
    client_for,
    delete_elsewhere,
    edit_elsewhere,
    fields_of,
    sync_client,
)

SCOPE = "test|1"


def seed(server: RunningEmulator) -> tuple[Any, list[AnyItem]]:
    """A dataset of six items with known text, metadata, links and answers."""
    f = fields_of(server)
    rows: list[dict[str, Any]] = [
        {
            "input": {"question": "Where is my refund?"},
            "answer": "Refunds take five days.",
            "metadata": {"tags": ["refunds", "billing"], "priority": 2},
            "links": f.link_values("trace-1", "event-1"),
        },
        {
            "input": {"question": "Refund escalation for order 77"},
            "answer": None,
            "metadata": {"tags": ["refunds", "escalation"], "reviewer": {"name": "Ada"}},
            "links": {},
        },
        {
            "input": "How do I reset my password?",
            "answer": "Use the reset link.",
            "metadata": {"tags": ["account"], "priority": 1},
            "links": f.link_values("trace-3", "event-3"),
        },
        {
            "input": {"question": "Café opening hours"},
            "answer": "Nine to five.",
            "metadata": {},
            "links": {},
        },
        {
            "input": {"messages": [{"role": "user", "content": "cancel my subscription"}]},
            "answer": {"role": "assistant", "content": "Cancelled; no refund is due."},
            "metadata": {"tags": ["cancellation"], "priority": 3},
            "links": {},
        },
        {
            "input": {"question": "Is there a student discount?"},
            "answer": "Yes, 20%.",
            "metadata": {"tags": ["pricing"]},
            "links": {},
        },
    ]
    items = []
    with sync_client(server) as client:
        dataset = client.datasets.create("search-test")
        for row in rows:
            fields = f.item(input=row["input"], answer=row["answer"], metadata=row["metadata"])
            fields.update(row["links"])
            items.append(client.items.create(dataset, **fields))
    return dataset, items


def ids(page: Any) -> list[str]:
    return [row["id"] for row in page.rows]


@pytest.fixture
def index(tmp_path: Path) -> ItemIndex:
    made = ItemIndex(tmp_path / "index.sqlite3")
    yield made
    made.close()


async def indexed(server: RunningEmulator, index: ItemIndex, dataset: Any) -> Any:
    async with client_for(server) as client:
        current = await client.datasets.get(dataset.id)
        return await refresh_index(index, client, SCOPE, current)


async def test_queries_find_what_the_server_holds(
    empty_server: RunningEmulator, index: ItemIndex, F: Fields
) -> None:
    dataset, items = seed(empty_server)
    progress = await indexed(empty_server, index, dataset)
    assert progress.done and progress.total == 6 and progress.changed == 6
    by = [str(i.id) for i in items]
    newest_first = list(reversed(by))

    def find(query: str) -> list[str]:
        return ids(index.search(SCOPE, str(dataset.id), query, limit=50))

    assert find("") == newest_first
    assert find("refund") == [by[4], by[1], by[0]]  # prefix: refunds, refund
    assert find("refund escal") == [by[1]]
    assert find('"reset link"') == [by[2]]
    assert find("cafe") == [by[3]]  # diacritics folded
    assert find("metadata.tags:refunds") == [by[1], by[0]]
    assert find("metadata.tags:refunds -metadata.tags:escalation") == [by[0]]
    assert find("metadata.priority:2") == [by[0]]
    assert find("metadata.reviewer.name:ada") == [by[1]]
    assert find("has:metadata.reviewer") == [by[1]]
    assert find(f"{F.answer}:null") == [by[1]]
    assert find("has:trace") == [by[2], by[0]]
    assert find("-has:trace metadata.tags:refunds") == [by[1]]
    assert find(f"{F.answer}:refund") == [by[4], by[0]]
    assert find("input:refund") == [by[1], by[0]]
    assert find("trace:trace") == [by[2], by[0]]
    assert find(f"id:{by[3][-8:]}") == [by[3]]
    if F.versioned:
        assert find("version>1") == []
    page = index.search(SCOPE, str(dataset.id), "", limit=2, offset=2)
    assert page.total == 6 and ids(page) == newest_first[2:4]


async def test_a_refresh_after_edits_elsewhere_rewrites_only_what_changed(
    empty_server: RunningEmulator, index: ItemIndex, F: Fields
) -> None:
    dataset, items = seed(empty_server)
    await indexed(empty_server, index, dataset)
    edited, removed = str(items[3].id), str(items[5].id)
    edit_elsewhere(empty_server, edited, metadata={"tags": ["refunds"]})
    delete_elsewhere(empty_server, removed)

    progress = await indexed(empty_server, index, dataset)

    # classic: the deleted item is gone from the list; v2: it is listed, archived
    assert progress.changed == (1 if F.classic else 2)
    assert progress.removed == (1 if F.classic else 0)
    found = ids(index.search(SCOPE, str(dataset.id), "metadata.tags:refunds"))
    assert edited in found
    assert removed not in ids(index.search(SCOPE, str(dataset.id), ""))
    if F.versioned:
        assert ids(index.search(SCOPE, str(dataset.id), "archived:true")) == [removed]
        found = ids(index.search(SCOPE, str(dataset.id), "version>1 archived:any"))
        assert sorted(found) == sorted([removed, edited])


async def test_v2_fetches_nothing_when_the_revision_is_indexed(
    empty_server: RunningEmulator, index: ItemIndex, F: Fields
) -> None:
    dataset, _ = seed(empty_server)
    await indexed(empty_server, index, dataset)
    again = await indexed(empty_server, index, dataset)
    if F.versioned:
        assert again.skipped and again.changed == 0
    else:
        assert not again.skipped and again.changed == 0 and again.fetched == 6


def test_query_errors_say_what_is_wrong() -> None:
    with pytest.raises(QueryError, match="version> takes a whole number"):
        parse_query("version>new")
    with pytest.raises(QueryError, match="colour: is not a field"):
        parse_query("colour:red")
    with pytest.raises(QueryError, match="archived: takes true, false or any"):
        parse_query("archived:maybe")
    # FTS5 syntax in a user's words is quoted, never interpreted
    query = parse_query('AND OR NOT "(" * NEAR')
    assert query.match


async def test_the_index_file_is_private_and_item_text_is_data(
    empty_server: RunningEmulator, tmp_path: Path
) -> None:
    path = tmp_path / "private" / "index.sqlite3"
    index = ItemIndex(path)
    try:
        with sync_client(empty_server) as client:
            dataset = client.datasets.create("hostile")
            client.items.create(dataset, input="'); DROP TABLE items; --")
        await indexed(empty_server, index, dataset)
        assert path.stat().st_mode & 0o777 == 0o600
        assert len(ids(index.search(SCOPE, str(dataset.id), "drop table"))) == 1
        assert sqlite3.connect(path).execute("select count(*) from items").fetchone()[0] == 1
    finally:
        index.close()


async def test_search_results_page_open_and_edit_like_the_dataset_list(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields
) -> None:
    dataset, items = seed(empty_server)
    model = await make_model(empty_server, page_size=2)
    await model.open_dataset(str(dataset.id))
    changes: list[str] = []
    model.subscribe(lambda change: changes.append(change.command))

    await model.search_items("metadata.tags:refunds")
    page = model.state.page
    assert page.query == "metadata.tags:refunds" and page.view_label.startswith("search")
    assert page.total == 2 and [str(i.id) for i in page.items] == [
        str(items[1].id),
        str(items[0].id),
    ]
    assert "search_progress" in changes
    search = model.state.search
    assert search is not None and search.indexed == 6 and not search.indexing

    await model.search_items("refund")  # three matches: two pages of two
    assert model.state.page.total == 3 and model.state.page.has_next
    await model.next_page()
    assert [str(i.id) for i in model.state.page.items] == [str(items[0].id)]

    # an edit made through the model lands in the index: the item now matches
    await model.search_items("metadata.tags:refunds")
    await model.clear_search()
    assert model.state.page.query == "" and model.state.page.total == 6
    await model.select(str(items[3].id))
    await model.edit_field("metadata", '{"tags": ["refunds"]}')
    await model.save()
    await model.search_items("metadata.tags:refunds")
    assert str(items[3].id) in {str(i.id) for i in model.state.page.items} | {
        str(i.id) for i in (model.peek_page(2) or [])
    }
    assert model.state.page.total == 3

    # a delete through the model takes it out of the results
    await model.delete_item(str(items[3].id))
    await model.search_items("metadata.tags:refunds")
    assert model.state.page.total == 2

    # an edit made elsewhere shows after refresh (v2: a new revision; classic: updated_at)
    edit_elsewhere(empty_server, str(items[5].id), metadata={"tags": ["refunds"]})
    await model.refresh()
    assert model.state.page.total == 3

    # a query that cannot be read leaves the results as they were
    with model.collect_notices() as notices:
        await model.search_items("version>soon")
    assert "whole number" in notices[-1].message
    assert model.state.search is not None and model.state.search.error
    assert model.state.page.total == 3


async def test_a_search_leaves_the_archived_view_and_exports_its_results(
    empty_server: RunningEmulator, make_model: MakeModel, F: Fields, tmp_path: Path
) -> None:
    dataset, items = seed(empty_server)
    model = await make_model(empty_server)
    await model.open_dataset(str(dataset.id))
    if F.versioned:
        await model.show_archived_items(True)
        assert model.state.page.archived
    await model.search_items("metadata.tags:refunds")
    assert not model.state.page.archived and model.state.page.revision is None
    assert model.state.page.total == 2

    target = tmp_path / "refunds.csv"
    await model.export_dataset(target, format="csv", query=model.state.page.query)
    lines = target.read_text().splitlines()
    assert len(lines) == 3  # the header and the two matches
    assert {str(items[0].id), str(items[1].id)} <= {line.split(",")[2] for line in lines[1:]}
