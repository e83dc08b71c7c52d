"""§4 and §3.2: datasets: create, list (filters, order, pages), retrieve, PATCH, archive."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.emulator.v2.conftest import V2Api, V2Factory
from tests.emulator.v2.helpers import (
    DATASET_KEYS,
    DATETIME,
    NOT_FOUND,
    REQUIRED,
    USER_KEYS,
    UUID,
    archive_item,
    conflict,
    count,
    edit,
    expect,
    invalid,
    ok,
    restore_item,
    retrieve,
    revision_numbers,
    unsupported,
    when,
)

NAME_CONFLICT = conflict("dataset_name_conflict", "A dataset with this name already exists.")
NULL = "This field may not be null."
NOT_OBJECT = invalid("metadata", "Enter a JSON object.", "not_object")


# An id no object has; fixed, not random, so that parallel workers collect the same tests.
UNKNOWN = "5d0c8a4e-1f2b-4c3d-9e8f-0a1b2c3d4e5f"


def _names(api: V2Api, **params: Any) -> list[str]:
    return [d["name"] for d in api.results("datasets", **params)]


# -- create (§4.2) ------------------------------------------------------------------------------


def test_create_answers_201_with_the_dataset_read_shape(v2: V2Api) -> None:
    created = ok(v2.post("datasets", json={"name": "evals"}), 201)
    assert set(created) == DATASET_KEYS
    assert UUID.match(created["id"])
    assert (created["name"], created["description"], created["metadata"]) == ("evals", "", {})
    assert created["archived"] is False
    assert created["current_revision"] is None and created["current_revision_id"] is None
    assert created["team_id"] == 1
    assert created["user_access_level"] == "manager"  # the creator
    assert set(created["created_by"]) == USER_KEYS
    assert created["created_by"]["email"] == "demo@example.com"
    assert DATETIME.match(created["created_at"])
    assert created["updated_at"] is None or DATETIME.match(created["updated_at"])
    assert retrieve(v2, "datasets", created["id"]) == created


def test_create_trims_the_name_and_keeps_description_and_metadata(v2: V2Api) -> None:
    body = {"name": "  Support answers \n", "description": "d", "metadata": {"k": [1, {"x": None}]}}
    created = ok(v2.post("datasets", json=body), 201)
    assert created["name"] == "Support answers"
    assert (created["description"], created["metadata"]) == ("d", {"k": [1, {"x": None}]})


def test_create_accepts_a_blank_description(v2: V2Api) -> None:
    assert v2.dataset("a", description="")["description"] == ""


def test_create_makes_no_revision(v2: V2Api) -> None:
    ds = v2.dataset()
    assert revision_numbers(v2, ds["id"]) == []
    assert count(v2, "v2_revisions") == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, invalid("name", REQUIRED, "required")),
        ({"description": "no name"}, invalid("name", REQUIRED, "required")),
        ({"name": "   \t"}, invalid("name", "This field may not be blank.", "blank")),
        ({"name": None}, invalid("name", NULL, "null")),
        (
            {"name": "x" * 401},
            invalid("name", "Ensure this field has no more than 400 characters.", "max_length"),
        ),
        (
            {"name": "a", "description": "x" * 10_001},
            invalid(
                "description", "Ensure this field has no more than 10000 characters.", "max_length"
            ),
        ),
        ({"name": "a", "description": None}, invalid("description", NULL, "null")),
        ({"name": "a", "metadata": []}, NOT_OBJECT),
        ({"name": "a", "metadata": "text"}, NOT_OBJECT),
        ({"name": "a", "metadata": None}, invalid("metadata", NULL, "null")),
        ({"name": "a", "zeta": 1, "alpha": 2}, unsupported("alpha")),
        ({"name": None, "extra": 1}, unsupported("extra")),  # unknown keys come first
        ({"name": "a", "archived": True}, unsupported("archived")),
    ],
)
def test_create_rejects_bad_bodies(v2: V2Api, body: dict[str, Any], expected: Any) -> None:
    expect(v2.post("datasets", json=body), 400, expected)
    assert v2.results("datasets") == []


def test_names_are_unique_case_sensitive_trimmed_and_archived_ones_count(v2: V2Api) -> None:
    support = v2.dataset("Support")
    expect(v2.post("datasets", json={"name": "Support"}), 409, NAME_CONFLICT)
    expect(v2.post("datasets", json={"name": "  Support  "}), 409, NAME_CONFLICT)
    v2.dataset("support")
    ok(v2.post("datasets", support["id"], "archive"))
    expect(v2.post("datasets", json={"name": "Support"}), 409, NAME_CONFLICT)
    assert sorted(_names(v2) + _names(v2, archived="true")) == ["Support", "support"]


# -- list (§4.1, §3.5) --------------------------------------------------------------------------


def test_list_shows_active_datasets_by_default_and_only_archived_ones_on_request(
    v2: V2Api,
) -> None:
    v2.dataset("active")
    gone = v2.dataset("gone")
    ok(v2.post("datasets", gone["id"], "archive"))
    assert _names(v2) == ["active"]
    assert _names(v2, archived="true") == ["gone"]
    assert _names(v2, archived="1") == ["gone"]
    assert _names(v2, archived="false") == ["active"]
    assert _names(v2, archived="0") == ["active"]
    listed = v2.get("datasets", archived="true").json()
    assert listed["count"] == 1 and listed["results"][0]["archived"] is True


def test_list_rejects_a_non_boolean_archived(v2: V2Api) -> None:
    expected = invalid("archived", "Must be a valid boolean.")
    expect(v2.get("datasets", archived="maybe"), 400, expected)


def test_list_filters_by_id_in_comma_separated_or_repeated(v2: V2Api) -> None:
    a, b, _ = (v2.dataset(name)["id"] for name in "abc")
    assert sorted(_names(v2, id__in=f"{a},{b}")) == ["a", "b"]
    assert sorted(_names(v2, id__in=[a, b])) == ["a", "b"]
    assert _names(v2, id__in=str(uuid.uuid4())) == []


@pytest.mark.parametrize("value", ["not-a-uuid", "{a}, {b}", ",".join([UNKNOWN] * 101)])
def test_list_rejects_bad_id_in(v2: V2Api, value: str) -> None:
    a, b = v2.dataset("a")["id"], v2.dataset("b")["id"]
    body = expect(v2.get("datasets", id__in=value.format(a=a, b=b)), 400)
    assert body["type"] == "validation_error"


def test_list_search_matches_name_description_and_metadata_ignoring_case(v2: V2Api) -> None:
    v2.dataset("Support Answers")
    v2.dataset("b", description="about REFUNDS")
    v2.dataset("c", metadata={"team": "Billing"})
    v2.dataset("d", metadata={"owner_key": 1})
    v2.dataset("e")
    assert _names(v2, search="support") == ["Support Answers"]
    assert _names(v2, search="refunds") == ["b"]
    assert _names(v2, search="billing") == ["c"]
    assert _names(v2, search="OWNER_KEY") == ["d"]
    assert _names(v2, search="nothing like it") == []


def test_list_search_takes_wildcards_literally(v2: V2Api) -> None:
    for name in ("a_c", "abc", "100%", "100 percent"):
        v2.dataset(name)
    assert _names(v2, search="a_c") == ["a_c"]
    assert _names(v2, search="0%") == ["100%"]


def test_list_rejects_a_blank_search(v2: V2Api) -> None:
    expected = invalid("search", "This field may not be blank.", "blank")
    expect(v2.get("datasets", search=""), 400, expected)


def test_list_orders_by_created_at_or_updated_at(v2: V2Api) -> None:
    a, b, c = (v2.dataset(name) for name in "abc")
    assert _names(v2) == ["c", "b", "a"]  # -created_at by default
    assert _names(v2, order_by="-created_at") == ["c", "b", "a"]
    assert _names(v2, order_by="created_at") == ["a", "b", "c"]
    for ds in (b, c, a):
        ok(v2.patch("datasets", ds["id"], json={"description": "touched"}))
    assert _names(v2, order_by="updated_at") == ["b", "c", "a"]
    assert _names(v2, order_by="-updated_at") == ["a", "c", "b"]


def test_list_rejects_another_order(v2: V2Api) -> None:
    body = expect(v2.get("datasets", order_by="name"), 400)
    assert (body["type"], body["code"], body["attr"]) == (
        "validation_error", "invalid_choice", "order_by",
    )  # fmt: skip


def test_list_pages_carry_absolute_next_and_previous_links(v2: V2Api) -> None:
    for name in "abc":
        v2.dataset(name)
    first = ok(v2.get("datasets", limit=2))
    assert first["count"] == 3 and [d["name"] for d in first["results"]] == ["c", "b"]
    assert first["previous"] is None
    link = httpx.URL(first["next"])
    assert first["next"].startswith(v2.running.url + "/api/")
    assert (link.params["limit"], link.params["offset"]) == ("2", "2")
    second = ok(v2.http.get(first["next"]))
    assert [d["name"] for d in second["results"]] == ["a"] and second["next"] is None
    back = httpx.URL(second["previous"])
    assert back.params["limit"] == "2" and back.params.get("offset", "0") == "0"


def test_list_default_page_is_50_and_the_cap_100(v2_factory: V2Factory) -> None:
    v2 = v2_factory(max_datasets=200)
    for n in range(101):
        v2.dataset(f"d{n}")
    assert len(v2.results("datasets")) == 50
    capped = ok(v2.get("datasets", limit=1000))
    assert capped["count"] == 101 and len(capped["results"]) == 100
    for bad in ("abc", "0", "-1"):
        assert len(v2.results("datasets", limit=bad)) == 50
    for bad in ("-5", "abc"):
        assert v2.results("datasets", limit=1, offset=bad)[0]["name"] == "d100"


# -- retrieve (§4.3) ----------------------------------------------------------------------------


@pytest.mark.parametrize("dataset_id", [UNKNOWN, "not-a-uuid"])
def test_retrieve_unknown_or_malformed_is_404(v2: V2Api, dataset_id: str) -> None:
    expect(v2.get("datasets", dataset_id), 404, NOT_FOUND)


def test_retrieve_works_for_archived_datasets(v2: V2Api) -> None:
    ds = v2.dataset()
    archived = ok(v2.post("datasets", ds["id"], "archive"))
    assert retrieve(v2, "datasets", ds["id"]) == archived
    assert archived["archived"] is True


# -- PATCH (§4.4) -------------------------------------------------------------------------------


def test_patch_updates_given_fields_and_replaces_metadata(v2: V2Api) -> None:
    ds = v2.dataset("a", description="d", metadata={"a": 1, "b": 2})
    patched = ok(v2.patch("datasets", ds["id"], json={"name": " new ", "metadata": {"c": 3}}))
    assert (patched["name"], patched["description"], patched["metadata"]) == (
        "new", "d", {"c": 3},
    )  # fmt: skip
    assert retrieve(v2, "datasets", ds["id"]) == patched
    assert ok(v2.patch("datasets", ds["id"], json={"name": "new"}))["name"] == "new"


def test_patch_creates_no_revision(v2: V2Api) -> None:
    ds = v2.dataset()
    v2.item(ds["id"])
    patched = ok(v2.patch("datasets", ds["id"], json={"description": "changed"}))
    assert patched["current_revision"] == 1
    assert revision_numbers(v2, ds["id"]) == [1]


def test_patch_always_bumps_updated_at_even_with_an_empty_body(v2: V2Api) -> None:
    ds = v2.dataset()
    first = ok(v2.patch("datasets", ds["id"], json={}))
    second = ok(v2.patch("datasets", ds["id"], json={}))
    assert when(second["updated_at"]) > when(first["updated_at"])
    assert ds["updated_at"] is None or when(first["updated_at"]) > when(ds["updated_at"])


def test_patch_looks_the_dataset_up_before_the_body(v2: V2Api) -> None:
    expect(v2.patch("datasets", uuid.uuid4(), json={"bogus": 1}), 404, NOT_FOUND)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": " "}, invalid("name", "This field may not be blank.", "blank")),
        ({"name": None}, invalid("name", NULL, "null")),
        ({"description": None}, invalid("description", NULL, "null")),
        (
            {"name": "x" * 401},
            invalid("name", "Ensure this field has no more than 400 characters.", "max_length"),
        ),
        ({"metadata": [1]}, NOT_OBJECT),
        ({"b": 1, "a": 1, "name": "x"}, unsupported("a")),
        ({"archived": True}, unsupported("archived")),
    ],
)
def test_patch_rejects_bad_bodies(v2: V2Api, body: dict[str, Any], expected: Any) -> None:
    ds = v2.dataset("a", metadata={"k": 1})
    expect(v2.patch("datasets", ds["id"], json=body), 400, expected)
    assert retrieve(v2, "datasets", ds["id"])["name"] == "a"


def test_patch_checks_the_body_before_the_archived_state(v2: V2Api) -> None:
    ds = v2.dataset("a")
    ok(v2.post("datasets", ds["id"], "archive"))
    expect(v2.patch("datasets", ds["id"], json={"bogus": 1}), 400, unsupported("bogus"))
    archived = conflict("dataset_archived", "Restore this dataset before updating it.")
    expect(v2.patch("datasets", ds["id"], json={"name": "b"}), 409, archived)
    expect(v2.patch("datasets", ds["id"], json={}), 409, archived)
    assert retrieve(v2, "datasets", ds["id"])["name"] == "a"


def test_patch_to_a_taken_name_is_a_conflict(v2: V2Api) -> None:
    v2.dataset("a")
    b = v2.dataset("b")
    expect(v2.patch("datasets", b["id"], json={"name": " a "}), 409, NAME_CONFLICT)
    assert retrieve(v2, "datasets", b["id"])["name"] == "b"


def test_patch_on_an_archived_dataset_reports_archived_before_the_name(v2: V2Api) -> None:
    v2.dataset("a")
    b = v2.dataset("b")
    ok(v2.post("datasets", b["id"], "archive"))
    body = expect(v2.patch("datasets", b["id"], json={"name": "a"}), 409)
    assert body["code"] == "dataset_archived"


# -- archive and restore (§4.5, §4.6) -----------------------------------------------------------


def test_archive_and_restore_are_idempotent(v2: V2Api) -> None:
    ds = v2.dataset()
    archived = ok(v2.post("datasets", ds["id"], "archive"))
    assert archived["archived"] is True
    assert ds["updated_at"] is None or when(archived["updated_at"]) > when(ds["updated_at"])
    assert ok(v2.post("datasets", ds["id"], "archive")) == archived  # no updated_at bump
    restored = ok(v2.post("datasets", ds["id"], "restore"))
    assert restored["archived"] is False
    assert when(restored["updated_at"]) > when(archived["updated_at"])
    assert ok(v2.post("datasets", ds["id"], "restore")) == restored
    assert retrieve(v2, "datasets", ds["id"]) == restored


def test_archive_ignores_a_body(v2: V2Api) -> None:
    ds = v2.dataset()
    assert ok(v2.post("datasets", ds["id"], "archive", json={"bogus": 1}))["archived"] is True
    assert ok(v2.post("datasets", ds["id"], "restore", json={"bogus": 1}))["archived"] is False


@pytest.mark.parametrize("action", ["archive", "restore"])
def test_archive_and_restore_of_an_unknown_dataset_is_404(v2: V2Api, action: str) -> None:
    expect(v2.post("datasets", uuid.uuid4(), action), 404, NOT_FOUND)


def test_archive_and_restore_leave_items_and_revisions_alone(v2: V2Api) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"])
    ok(v2.post("datasets", ds["id"], "archive"))
    assert revision_numbers(v2, ds["id"]) == [1]
    assert retrieve(v2, "dataset_items", item["id"]) == item
    ok(v2.post("datasets", ds["id"], "restore"))
    assert retrieve(v2, "dataset_items", item["id"]) == item
    assert retrieve(v2, "datasets", ds["id"])["current_revision"] == 1


def test_an_archived_dataset_stays_readable(v2: V2Api) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"])
    ok(v2.post("datasets", ds["id"], "archive"))
    assert retrieve(v2, "datasets", ds["id"])["archived"] is True
    assert [r["id"] for r in v2.results("dataset_items", dataset=ds["id"])] == [item["id"]]
    assert retrieve(v2, "dataset_items", item["id"], revision=1) == item
    assert len(v2.results("dataset_items", item["id"], "versions")) == 1
    assert revision_numbers(v2, ds["id"]) == [1]


def test_an_archived_dataset_refuses_item_changes_before_anything_else(v2: V2Api) -> None:
    ds = v2.dataset()
    item = v2.item(ds["id"], client_item_id="k")
    ok(v2.post("datasets", ds["id"], "archive"))

    def archived(verb: str) -> dict[str, Any]:
        return conflict("dataset_archived", f"Restore this dataset before {verb}.")

    create = {"dataset": ds["id"], "input": {"q": "hi"}, "client_item_id": "k"}
    expect(v2.post("dataset_items", json=create), 409, archived("adding items"))
    expect(edit(v2, item["id"], 99, input="x"), 409, archived("updating its items"))
    expect(archive_item(v2, item["id"], 99), 409, archived("archiving its items"))
    expect(restore_item(v2, item["id"], 99), 409, archived("restoring its items"))
    assert revision_numbers(v2, ds["id"]) == [1]
    assert retrieve(v2, "dataset_items", item["id"]) == item
