"""§4.7, §5.7, §6 and §2: versions, revisions, snapshots at a revision, and current pointers."""

from __future__ import annotations

import uuid

import pytest

from tests.emulator.v2.conftest import V2Api, V2Factory
from tests.emulator.v2.helpers import (
    DATETIME,
    NOT_FOUND,
    REVISION_KEYS,
    USER_KEYS,
    archive_item,
    edit,
    execute,
    expect,
    item_inputs,
    items,
    ok,
    restore_item,
    retrieve,
    revision_numbers,
    scalar,
    when,
)

History = tuple[str, dict[str, str]]  # the dataset id, and the item ids by name

# -- versions (§5.7) ----------------------------------------------------------------------------


def test_versions_list_every_version_newest_first(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, input="v1")
    ok(edit(v2, item["id"], 1, input="v2"))
    ok(archive_item(v2, item["id"], 2))
    current = ok(restore_item(v2, item["id"], 3, source=1))
    rows = v2.results("dataset_items", item["id"], "versions")
    assert [(r["version"], r["input"], r["archived"]) for r in rows] == [
        (4, "v1", False), (3, "v2", True), (2, "v2", False), (1, "v1", False),
    ]  # fmt: skip
    assert rows[0] == current and rows[-1] == {**item, "updated_at": current["updated_at"]}
    assert {r["id"] for r in rows} == {item["id"]}
    assert len({r["version_id"] for r in rows}) == 4
    assert [r["dataset_revision"] for r in rows] == [4, 3, 2, 1]
    assert {r["created_at"] for r in rows} == {item["created_at"]}
    created = [when(r["version_created_at"]) for r in rows]
    assert created == sorted(created, reverse=True)


def test_versions_default_page_is_25_and_the_cap_100(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_versions=200)
    item = v2.item(v2.dataset()["id"], input=0)
    for n in range(1, 101):
        ok(edit(v2, item["id"], n, input=n))
    rows = v2.results("dataset_items", item["id"], "versions")
    assert [r["version"] for r in rows] == list(range(101, 76, -1))
    capped = ok(v2.get("dataset_items", item["id"], "versions", limit=1000))
    assert capped["count"] == 101 and len(capped["results"]) == 100
    page = ok(v2.get("dataset_items", item["id"], "versions", limit=1, offset=100))
    assert [r["input"] for r in page["results"]] == [0]
    assert page["next"] is None and page["previous"] is not None


def test_versions_of_an_unknown_item_is_404(v2: V2Api) -> None:
    expect(v2.get("dataset_items", uuid.uuid4(), "versions"), 404, NOT_FOUND)


# -- revisions (§4.7) ---------------------------------------------------------------------------


def test_revisions_are_newest_first_with_their_shape(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    first = v2.item(ds)
    second = v2.item(ds)
    rows = v2.results("datasets", ds, "revisions")
    assert [r["revision"] for r in rows] == [2, 1]
    assert [r["id"] for r in rows] == [second["dataset_revision_id"], first["dataset_revision_id"]]
    for row in rows:
        assert set(row) == REVISION_KEYS and DATETIME.match(row["created_at"])
        assert (row["dataset_id"], row["team_id"]) == (ds, 1)
        assert set(row["created_by"]) == USER_KEYS


def test_revision_numbers_are_one_sequence_per_dataset(v2: V2Api) -> None:
    ds, other = v2.dataset("a")["id"], v2.dataset("b")["id"]
    a = v2.item(ds)
    assert v2.item(ds)["dataset_revision"] == 2
    assert ok(edit(v2, a["id"], 1, input="new"))["dataset_revision"] == 3
    assert v2.item(other)["dataset_revision"] == 1
    assert revision_numbers(v2, ds) == [3, 2, 1] and revision_numbers(v2, other) == [1]


def test_revisions_of_a_dataset_without_items_are_empty(v2: V2Api) -> None:
    listed = ok(v2.get("datasets", v2.dataset()["id"], "revisions"))
    assert listed == {"count": 0, "next": None, "previous": None, "results": []}


def test_revisions_of_an_unknown_dataset_is_404(v2: V2Api) -> None:
    expect(v2.get("datasets", uuid.uuid4(), "revisions"), 404, NOT_FOUND)


def test_revisions_default_page_is_50_and_the_cap_100(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    for n in range(101):
        v2.item(ds, input=n)
    assert revision_numbers(v2, ds)[:3] == [101, 100, 99]
    assert len(v2.results("datasets", ds, "revisions")) == 50
    capped = ok(v2.get("datasets", ds, "revisions", limit=1000))
    assert capped["count"] == 101 and len(capped["results"]) == 100


def test_every_new_version_bumps_both_updated_at(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    stamps = [when(retrieve(v2, "datasets", ds)["updated_at"])]
    for response in (
        lambda: edit(v2, item["id"], 1, input="x"),
        lambda: archive_item(v2, item["id"], 2),
        lambda: restore_item(v2, item["id"], 3),
    ):
        version = ok(response())
        assert when(version["updated_at"]) >= when(version["version_created_at"])
        stamps.append(when(retrieve(v2, "datasets", ds)["updated_at"]))
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


# -- snapshots (§5.1, §5.2, §6.5) ---------------------------------------------------------------


@pytest.fixture
def history(v2: V2Api) -> tuple[str, dict[str, str]]:
    """§6.5's example: item1 (rev 1), edit item1 (rev 2), item2 (rev 3), archive item1 (rev 4)."""
    ds = v2.dataset()["id"]
    first = v2.item(ds, input="first-v1")
    ok(edit(v2, first["id"], 1, input="first-v2"))
    second = v2.item(ds, input="second")
    ok(archive_item(v2, first["id"], 2))
    return ds, {"first": first["id"], "second": second["id"]}


def test_a_snapshot_lists_each_item_as_it_stood(v2: V2Api, history: History) -> None:
    ds, _ = history
    assert item_inputs(v2, ds, revision=1) == ["first-v1"]
    assert item_inputs(v2, ds, revision=2) == ["first-v2"]
    assert item_inputs(v2, ds, revision=3) == ["second", "first-v2"]
    assert item_inputs(v2, ds, revision=4) == ["second"]
    assert item_inputs(v2, ds) == ["second"]
    assert item_inputs(v2, ds, revision=4, archived="true") == ["first-v2"]
    assert item_inputs(v2, ds, revision=3, archived="true") == []
    rows = items(v2, ds, revision=3)
    assert [(r["version"], r["dataset_revision"]) for r in rows] == [(1, 3), (2, 2)]


def test_retrieve_at_a_revision_shows_the_version_of_that_time(v2: V2Api, history: History) -> None:
    _, ids = history
    assert retrieve(v2, "dataset_items", ids["first"], revision=1)["input"] == "first-v1"
    assert retrieve(v2, "dataset_items", ids["first"], revision=3)["input"] == "first-v2"
    archived = retrieve(v2, "dataset_items", ids["first"], revision=4)
    assert (archived["version"], archived["archived"]) == (3, True)
    expect(v2.get("dataset_items", ids["second"], revision=1), 404, NOT_FOUND)
    assert retrieve(v2, "dataset_items", ids["second"], revision=3)["input"] == "second"


def test_a_revision_that_does_not_exist_is_404(v2: V2Api, history: History) -> None:
    ds, ids = history
    expect(v2.get("dataset_items", dataset=ds, revision=5), 404, NOT_FOUND)
    expect(v2.get("dataset_items", ids["first"], revision=5), 404, NOT_FOUND)
    other = v2.dataset("other")["id"]
    expect(v2.get("dataset_items", dataset=other, revision=1), 404, NOT_FOUND)


def test_a_snapshot_keeps_the_item_updated_at_of_now(v2: V2Api, history: History) -> None:
    _, ids = history
    now = retrieve(v2, "dataset_items", ids["first"])
    then = retrieve(v2, "dataset_items", ids["first"], revision=1)
    assert then["updated_at"] == now["updated_at"] and then["created_at"] == now["created_at"]
    assert then["version"] == 1 and then["version_created_at"] != now["version_created_at"]


def test_version_1_is_never_changed_by_later_versions(v2: V2Api) -> None:
    item = v2.item(v2.dataset()["id"], input="v1", metadata={"a": 1}, expected_output="o")
    ok(edit(v2, item["id"], 1, input="v2", metadata={}, expected_output=None))
    old = v2.results("dataset_items", item["id"], "versions")[-1]
    assert old == {**item, "updated_at": old["updated_at"]}


def test_versions_owned_by_another_team_are_never_shown(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds)
    execute(
        v2,
        ("DROP TRIGGER v2_versions_immutable", ()),
        ("UPDATE v2_versions SET team = 2 WHERE item_id = ?", (item["id"],)),
    )
    assert items(v2, ds) == [] and items(v2, ds, revision=1) == []
    expect(v2.get("dataset_items", item["id"]), 404, NOT_FOUND)


# -- current pointers (§2) ----------------------------------------------------------------------


def _null_pointers(v2: V2Api, ds: str, item_id: str) -> None:
    execute(
        v2,
        ("UPDATE v2_datasets SET current_revision_id = NULL WHERE id = ?", (ds,)),
        ("UPDATE v2_items SET current_version_id = NULL WHERE id = ?", (item_id,)),
    )


def test_null_pointers_read_as_the_highest_revision_and_version(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, input="v1")
    latest = ok(edit(v2, item["id"], 1, input="v2"))
    _null_pointers(v2, ds, item["id"])
    dataset = retrieve(v2, "datasets", ds)
    assert (dataset["current_revision"], dataset["current_revision_id"]) == (
        2, latest["dataset_revision_id"],
    )  # fmt: skip
    assert retrieve(v2, "dataset_items", item["id"]) == latest
    assert items(v2, ds) == [latest]


def test_null_pointers_are_repaired_by_the_next_write(v2: V2Api) -> None:
    ds = v2.dataset()["id"]
    item = v2.item(ds, input="v1")
    _null_pointers(v2, ds, item["id"])
    new = ok(edit(v2, item["id"], 1, input="v2"))
    assert (new["version"], new["dataset_revision"]) == (2, 2)
    current_version = "SELECT current_version_id FROM v2_items WHERE id = ?"
    assert scalar(v2, current_version, item["id"]) == new["version_id"]
    current_revision = "SELECT current_revision_id FROM v2_datasets WHERE id = ?"
    assert scalar(v2, current_revision, ds) == new["dataset_revision_id"]
