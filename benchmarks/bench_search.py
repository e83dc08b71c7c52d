"""Searching inside a dataset (issue 15): indexing it, and answering a query once indexed.

- Indexing the 600-item v2 dataset (customer-support-evals, live and archived items) into a fresh
  index, through the explorer's client, from the embedded server in its own process. Target:
  under 2 s. Baseline, same run: a plain sequential fetch of the same pages with httpx (json
  only, nothing stored), what the fetch alone costs.
- A query over the 100,000 items of ``bulk-100k`` (classic, ``--seed large``) once indexed:
  a selective word, a metadata filter, a word and a filter together. Target: under 100 ms.
  Baseline, same run: a linear scan in Python over the same items held in memory (each item's
  JSON text searched for the word, its metadata compared), what a script without an index does.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks._common import Result, RunningServer, emulator_process
from explorer.api import AsyncClient, Client
from explorer.model.search import ItemIndex, refresh_index

SCOPE = "bench|1"


def _dataset(server: RunningServer, name: str) -> Any:
    with Client(host=server.url, api_key=server.api_key, project_id=server.project_id) as c:
        for dataset in c.datasets.iter(search=name):
            if dataset.name == name:
                return dataset
    raise RuntimeError(f"no dataset {name!r}")


async def _index(server: RunningServer, dataset: Any, path: Path) -> tuple[float, int]:
    index = ItemIndex(path)
    try:
        async with AsyncClient(
            host=server.url, api_key=server.api_key, project_id=server.project_id
        ) as client:
            start = time.perf_counter()
            progress = await refresh_index(index, client, SCOPE, dataset)
            return time.perf_counter() - start, progress.total
    finally:
        index.close()


def _plain_fetch(server: RunningServer, dataset_id: str, archived: tuple[str, ...]) -> float:
    url = f"{server.url}/api/projects/{server.project_id}/dataset_items/"
    headers = {"Authorization": f"Bearer {server.api_key}"}
    start = time.perf_counter()
    with httpx.Client(headers=headers) as http:
        for state in archived:
            offset = 0
            while True:
                params = {"dataset": dataset_id, "limit": 25, "offset": offset}
                if state:
                    params["archived"] = state
                page = http.get(url, params=params).json()
                offset += len(page["results"])
                if not page["results"] or offset >= page["count"]:
                    break
    return time.perf_counter() - start


def _indexing() -> list[Result]:
    with emulator_process("--seed", "demo", "--api", "v2") as server:
        dataset = _dataset(server, "customer-support-evals")
        ours, base, total = [], [], 0
        for _ in range(3):
            with tempfile.TemporaryDirectory() as tmp:
                seconds, total = asyncio.run(_index(server, dataset, Path(tmp) / "i.sqlite3"))
            ours.append(seconds)
            base.append(_plain_fetch(server, str(dataset.id), ("false", "true")))
    o, b = statistics.median(ours), statistics.median(base)
    return [
        Result(
            f"index the v2 dataset customer-support-evals ({total} items, live and archived)",
            o,
            b,
            "s",
            "< 2 s",
            o < 2.0,
            "median of 3, a fresh index each time; baseline: the same pages fetched in turn"
            " with httpx, json only, nothing stored",
        )
    ]


def _scan(items: list[dict[str, Any]], test: Callable[[dict[str, Any], str], bool]) -> int:
    return sum(1 for item in items if test(item, item["_text"]))


def _searching() -> list[Result]:
    with emulator_process("--seed", "large") as server, tempfile.TemporaryDirectory() as tmp:
        dataset = _dataset(server, "bulk-100k")
        path = Path(tmp) / "i.sqlite3"
        seconds, total = asyncio.run(_index(server, dataset, path))
        with Client(host=server.url, api_key=server.api_key, project_id=server.project_id) as c:
            held = []
            for item in c.items.iter(dataset, page_size=1000):
                body = item.model_dump(mode="json")
                body["_text"] = json.dumps(
                    [body["input"], body["output"], body["metadata"]], ensure_ascii=False
                ).casefold()
                held.append(body)
        index = ItemIndex(path)  # inside the temporary folder's lifetime
        try:
            return _queries(index, str(dataset.id), held, total, seconds)
        finally:
            index.close()


def _queries(
    index: ItemIndex, dataset_id: str, held: list[dict[str, Any]], total: int, seconds: float
) -> list[Result]:
    cases: list[tuple[str, str, Callable[[dict[str, Any], str], bool]]] = [
        ("a word (paris)", "paris", lambda item, text: "paris" in text),
        (
            "a metadata filter (metadata.task:sentiment)",
            "metadata.task:sentiment",
            lambda item, text: item["metadata"].get("task") == "sentiment",
        ),
        (
            "a word and a filter (capital metadata.split:eval)",
            "capital metadata.split:eval",
            lambda item, text: "capital" in text and item["metadata"].get("split") == "eval",
        ),
    ]
    results = []
    for label, query, test in cases:
        ours, base = [], []
        found = scanned = 0
        for _ in range(9):
            start = time.perf_counter()
            page = index.search(SCOPE, dataset_id, query, limit=50)
            ours.append((time.perf_counter() - start) * 1000)
            found = page.total
            start = time.perf_counter()
            scanned = _scan(held, test)
            base.append((time.perf_counter() - start) * 1000)
        if found == 0 or abs(found - scanned) > scanned * 0.05:
            # a query that finds nothing measures nothing: the index must answer as the scan
            raise RuntimeError(f"{query!r}: the index found {found}, the scan {scanned}")
        o, b = statistics.median(ours), statistics.median(base)
        results.append(
            Result(
                f"search bulk-100k ({total:,} items indexed): {label}",
                o,
                b,
                "ms",
                "< 100 ms",
                o < 100,
                f"median of 9; {found:,} matches (the scan: {scanned:,}), the first page of 50"
                " and the count; baseline: a linear scan in Python over the items in memory"
                f" (indexing them took {seconds:.0f} s, once)",
            )
        )
    return results


def run() -> list[Result]:
    return [*_indexing(), *_searching()]
