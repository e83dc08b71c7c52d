"""Large pages are parsed with the garbage collector paused, and its state always comes back."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from explorer.api import DatasetItem, MalformedResponse, Page
from explorer.api._bulk import BULK_BYTES, collector_paused
from explorer.api._classic import ClassicApi
from tests.api.conftest import item_json, page_json

API = ClassicApi("https://us.posthog.com", 1)


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def big_page() -> bytes:
    body = json.dumps(page_json([item_json(input="x" * 200) for _ in range(400)])).encode()
    assert len(body) >= BULK_BYTES
    return body


def test_paused_only_while_parsing_a_large_page(monkeypatch: pytest.MonkeyPatch) -> None:
    page_type = Page[DatasetItem]
    original = page_type.model_validate_json
    enabled_during: list[bool] = []

    def spy(data: bytes) -> Page[DatasetItem]:
        enabled_during.append(gc.isenabled())
        return original(data)

    monkeypatch.setattr(page_type, "model_validate_json", spy)
    page = API.list_items().parse(httpx.Response(200, content=big_page()))
    small = API.list_items().parse(httpx.Response(200, content=json.dumps(page_json([])).encode()))
    assert len(page.results) == 400 and small.count == 0
    assert enabled_during == [False, True]  # paused for the large page only
    assert gc.isenabled()


def test_state_restored_after_a_malformed_large_body() -> None:
    body = big_page().replace(b'"count"', b'"count": "x", "c"', 1)
    with pytest.raises(MalformedResponse):
        API.list_items().parse(httpx.Response(200, content=body))
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()


def test_nested_and_concurrent_pauses() -> None:
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # the other thread still parses
    release.set()
    thread.join(5)
    assert gc.isenabled()
