"""The list queries use their indexes (so a page at a deep offset stays fast)."""

from __future__ import annotations

from explorer.emulator.store import Store


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> str:
    return " | ".join(str(row[-1]) for row in store.explain(sql, params))


def test_item_pages_walk_the_covering_index() -> None:
    store = Store(":memory:")
    by_dataset = _plan(
        store,
        "SELECT rowid FROM items WHERE team = ? AND dataset = ? AND hidden = 0"
        " ORDER BY created_at DESC, id DESC LIMIT 100 OFFSET 1000",
        (1, "x"),
    )
    assert "COVERING INDEX items_by_dataset" in by_dataset and "TEMP B-TREE" not in by_dataset
    by_team = _plan(
        store,
        "SELECT rowid FROM items WHERE team = ? AND hidden = 0"
        " ORDER BY created_at DESC, id DESC LIMIT 100",
        (1,),
    )
    assert "COVERING INDEX items_by_team" in by_team and "TEMP B-TREE" not in by_team


def test_dataset_pages_use_an_index_for_each_order() -> None:
    store = Store(":memory:")
    for column, index in (
        ("created_at", "datasets_by_created"),
        ("updated_at", "datasets_by_updated"),
    ):
        for direction in ("ASC", "DESC"):
            plan = _plan(
                store,
                f"SELECT * FROM datasets WHERE team = ? AND hidden = 0"
                f" ORDER BY {column} {direction}, id {direction} LIMIT 10",
                (1,),
            )
            assert index in plan and "TEMP B-TREE" not in plan, plan


def test_cached_counts_follow_writes_from_any_connection(tmp_path: object) -> None:
    path = f"{tmp_path}/counts.sqlite3"
    ours, theirs = Store(path), Store(path)
    row = ("d1", "n", None, None, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z")

    def count(store: Store) -> int:
        return store.list_datasets(1, search=None, ids=None, order=[], limit=1, offset=0)[0]

    assert count(ours) == 0
    ours.insert_dataset((*row, False, None, 1))
    assert count(ours) == 1
    theirs.insert_dataset(("d2", *row[1:], False, None, 1))
    assert count(ours) == 2  # another connection's commit invalidates the cache
    ours.update_dataset(1, "d1", {"deleted": True})
    assert count(ours) == 1
    ours.close()
    theirs.close()
