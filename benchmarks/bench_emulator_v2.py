"""The embedded server speaking v2: startup, and pages of 25 items of the 600-item dataset.

Each figure beside a baseline measured in the same run, as in ``bench_emulator``: a minimal
Starlette app served by uvicorn in its own process, answering the same bytes pre-built. The
pages are read as the explorer reads them: the current items (newest first) at the first and the
last offset, and the same dataset at an early revision (a snapshot: each item's newest version
at or before it). The large seed's near-limit page (25 items of about 400 KB) is informational.
"""

from __future__ import annotations

import os
import statistics
import tempfile

import httpx

from benchmarks._common import Result, emulator_process
from benchmarks.bench_emulator import STARTUP_RUNS, _first_answer, _median_get, baseline_process

PAGE = 25
DATASET = "customer-support-evals"


def _startup() -> Result:
    path = "/api/projects/1/datasets/"
    args = ("--api", "v2", "--seed", "demo")
    _first_answer(emulator_process(*args), path)  # build the template cache once
    ours = statistics.median(
        _first_answer(emulator_process(*args), path) for _ in range(STARTUP_RUNS)
    )
    base = statistics.median(_first_answer(baseline_process(), path) for _ in range(STARTUP_RUNS))
    return Result(
        "v2 startup: serve --api v2 --port 0 (seed demo) to first answer",
        ours,
        base,
        "s",
        "< 0.5 s",
        ours < 0.5,
        f"median of {STARTUP_RUNS}, from spawning the process; template cache warm;"
        " baseline: minimal Starlette app",
    )


def _against_baseline(client: httpx.Client, url: str) -> tuple[float, float, int, float]:
    ours, size, first = _median_get(client, url)
    body = client.get(url).content
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        f.write(body)
    try:
        with baseline_process(f.name) as base_server, httpx.Client() as base_client:
            base, _, _ = _median_get(base_client, base_server.url + "/page")
    finally:
        os.unlink(f.name)
    return ours, base, size, first


def _pages(seed: str, dataset_name: str, target_ms: float | None) -> list[Result]:
    results = []
    with emulator_process("--api", "v2", "--seed", seed) as server:
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with httpx.Client(headers=headers, timeout=60) as client:
            api = f"{server.url}/api/projects/1"
            found = client.get(f"{api}/datasets/", params={"search": dataset_name}).json()
            dataset = next(d for d in found["results"] if d["name"] == dataset_name)
            items = f"{api}/dataset_items/?dataset={dataset['id']}&limit={PAGE}"
            count = client.get(items).json()["count"]
            early = max(1, dataset["current_revision"] // 4)
            cases = {"offset 0": f"{items}&offset=0"}
            if target_ms is not None:
                cases[f"last offset ({count - PAGE})"] = f"{items}&offset={count - PAGE}"
                cases[f"revision {early} of {dataset['current_revision']}"] = (
                    f"{items}&offset=0&revision={early}"
                )
            for label, url in cases.items():
                ours, base, size, first = _against_baseline(client, url)
                passed = True if target_ms is None else ours < target_ms
                results.append(
                    Result(
                        f"v2 page of {PAGE} items of {dataset_name} ({count} active items)"
                        f" at {label}",
                        ours,
                        base,
                        "ms",
                        "informational" if target_ms is None else f"< {target_ms:.0f} ms",
                        passed,
                        f"median of 15 (first {first:.0f} ms); {size / 1024:,.0f} KiB;"
                        " baseline: same bytes pre-built",
                    )
                )
    return results


def run() -> list[Result]:
    return [
        _startup(),
        *_pages("demo", DATASET, 30.0),
        *_pages("large", "payload-limit-600", None),
    ]
