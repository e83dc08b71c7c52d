"""Section 4: DRF limit/offset pagination and its absolute next/previous URLs."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import Api


@pytest.fixture
def five(api: Api) -> list[str]:
    """Five datasets, newest first (the list order)."""
    return [api.dataset(name=f"p{i}")["id"] for i in range(5)][::-1]


def _page(api: Api, query: str, path: str = "/api/projects/1/datasets/") -> dict[str, object]:
    response = api.http.get(f"{path}{query}")
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    ("query", "results", "next_q", "previous_q"),
    [
        ("", slice(0, 5), None, None),
        ("?limit=2", slice(0, 2), "?limit=2&offset=2", None),
        ("?limit=2&offset=2", slice(2, 4), "?limit=2&offset=4", "?limit=2"),
        ("?limit=2&offset=1", slice(1, 3), "?limit=2&offset=3", "?limit=2"),
        ("?limit=2&offset=3", slice(3, 5), None, "?limit=2&offset=1"),
        ("?limit=2&offset=4", slice(4, 5), None, "?limit=2&offset=2"),
        ("?offset=3&limit=2", slice(3, 5), None, "?limit=2&offset=1"),
        ("?limit=5", slice(0, 5), None, None),
        ("?limit=4&offset=1", slice(1, 5), None, "?limit=4"),
        ("?limit=2&offset=9", slice(0, 0), None, "?limit=2&offset=7"),
        # bad limits fall back to 100, bad offsets to 0
        ("?limit=abc&offset=1", slice(1, 5), None, "?limit=100"),
        ("?limit=0&offset=1", slice(1, 5), None, "?limit=100"),
        ("?limit=-3&offset=1", slice(1, 5), None, "?limit=100"),
        ("?limit=2.5", slice(0, 5), None, None),
        ("?limit=2&offset=-1", slice(0, 2), "?limit=2&offset=2", None),
        ("?limit=2&offset=xyz", slice(0, 2), "?limit=2&offset=2", None),
        ("?limit=1000000000000000000000", slice(0, 5), None, None),
    ],
)
def test_pages_and_links(
    api: Api,
    five: list[str],
    query: str,
    results: slice,
    next_q: str | None,
    previous_q: str | None,
) -> None:
    page = _page(api, query)
    base = f"{api.running.url}/api/projects/1/datasets/"
    assert page["count"] == 5
    assert [r["id"] for r in page["results"]] == five[results]  # type: ignore[attr-defined]
    assert page["next"] == (None if next_q is None else base + next_q)
    assert page["previous"] == (None if previous_q is None else base + previous_q)
    assert list(page) == ["count", "next", "previous", "results"]


def test_links_keep_other_keys_sorted_and_encoded(api: Api, five: list[str]) -> None:
    page = _page(api, "?search=p&order_by=-created_at&limit=1&offset=1&zeta=a+b")
    base = f"{api.running.url}/api/projects/1/datasets/"
    assert page["next"] == f"{base}?limit=1&offset=2&order_by=-created_at&search=p&zeta=a+b"
    assert page["previous"] == f"{base}?limit=1&order_by=-created_at&search=p&zeta=a+b"


def test_links_keep_the_requested_path(api: Api, five: list[str]) -> None:
    page = _page(api, "?limit=2", path="/api/environments/@current/datasets")
    assert page["next"] == f"{api.running.url}/api/environments/@current/datasets?limit=2&offset=2"


def test_items_pages_keep_the_dataset_filter(api: Api) -> None:
    ds = api.dataset()["id"]
    items = [api.item(ds)["id"] for _ in range(3)][::-1]
    page = _page(api, f"?dataset={ds}&limit=2", path="/api/projects/1/dataset_items/")
    assert [r["id"] for r in page["results"]] == items[:2]  # type: ignore[attr-defined]
    assert page["next"] == (
        f"{api.running.url}/api/projects/1/dataset_items/?dataset={ds}&limit=2&offset=2"
    )
    follow = api.http.get(str(page["next"])).json()
    assert [r["id"] for r in follow["results"]] == items[2:]


def test_default_limit_is_100_and_there_is_no_maximum(api: Api) -> None:
    ds = api.dataset()["id"]
    for _ in range(150):
        api.item(ds)
    default = _page(api, "", path="/api/projects/1/dataset_items/")
    assert len(default["results"]) == 100  # type: ignore[arg-type]
    assert (
        default["next"] == f"{api.running.url}/api/projects/1/dataset_items/?limit=100&offset=100"
    )
    big = _page(api, "?limit=150", path="/api/projects/1/dataset_items/")
    assert len(big["results"]) == 150 and big["next"] is None  # type: ignore[arg-type]


def test_links_never_follow_a_forged_host_header(api: Api, five: list[str]) -> None:
    # A Host naming another server must not turn next/previous into links to it.
    response = api.http.get("/api/projects/1/datasets/?limit=1", headers={"Host": "example.test:1"})
    expected = f"{api.running.url}/api/projects/1/datasets/?limit=1&offset=1"
    assert response.json()["next"] == expected


def test_links_use_the_host_the_client_called_when_it_is_the_server(
    api: Api, five: list[str]
) -> None:
    port = api.running.server.port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        response = api.http.get("/api/projects/1/datasets/?limit=1", headers={"Host": host})
        assert response.json()["next"] == (
            f"http://{host}/api/projects/1/datasets/?limit=1&offset=1"
        )
