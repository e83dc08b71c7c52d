"""The embedded server: startup, deep pages of a 100k-item dataset, memory against dataset size.

Each figure sits beside a baseline measured in the same run: a minimal Starlette app served by
uvicorn in its own process, the same way, answering a pre-serialized body of the same size.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from benchmarks._common import Result, RunningServer, emulator_process, rss_mib

RUNS = 15
STARTUP_RUNS = 3
PREFIX = "Serving PostHog datasets API on "

# A minimal app served like the emulator (uvicorn, h11, no access log): it answers every GET
# with the bytes of a file, or a tiny JSON body when given none.
BASELINE_APP = textwrap.dedent(
    """
    import socket, sys, uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route
    body = open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else b'{"count":0}'
    async def page(request):
        return Response(body, media_type="application/json")
    app = Starlette(routes=[Route("/{path:path}", page)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    import threading
    def announce():
        import time
        while not server.started:
            time.sleep(0.005)
        port = sock.getsockname()[1]
        print("Serving PostHog datasets API on http://127.0.0.1:%d" % port, flush=True)
    threading.Thread(target=announce, daemon=True).start()
    server.run(sockets=[sock])
    """
)


@contextmanager
def baseline_process(body_file: str | None = None) -> Iterator[RunningServer]:
    cmd = [sys.executable, "-c", BASELINE_APP, *([body_file] if body_file else [])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if not first.startswith(PREFIX):
            raise RuntimeError(f"baseline did not start: {first!r}")
        yield RunningServer(first[len(PREFIX) :], "phx_demo_key", 1, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _first_answer(start_server: object, path: str) -> float:
    """Seconds from spawning the process to its first answered request."""
    start = time.perf_counter()
    with start_server as server:  # type: ignore[attr-defined]
        headers = {"Authorization": f"Bearer {server.api_key}"}
        response = httpx.get(server.url + path, headers=headers, timeout=30)
        response.raise_for_status()
        return time.perf_counter() - start


def _median_get(client: httpx.Client, url: str) -> tuple[float, int, float]:
    """Median ms over RUNS, body size, and the first (cold) request's ms."""
    start = time.perf_counter()
    client.get(url).raise_for_status()
    first = (time.perf_counter() - start) * 1000
    times = []
    size = 0
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        response.raise_for_status()
        size = len(response.content)
    return statistics.median(times) * 1000, size, first


def _startup() -> Result:
    path = "/api/projects/1/datasets/"
    _first_answer(emulator_process("--seed", "demo"), path)  # warm the template cache
    ours = statistics.median(
        _first_answer(emulator_process("--seed", "demo"), path) for _ in range(STARTUP_RUNS)
    )
    base = statistics.median(_first_answer(baseline_process(), path) for _ in range(STARTUP_RUNS))
    return Result(
        "startup: serve --port 0 (seed demo) to first answer",
        ours,
        base,
        "s",
        "< 2 s",
        ours < 2.0,
        "template cache warm; baseline: minimal Starlette app",
    )


def _pages() -> list[Result]:
    results = []
    with emulator_process("--seed", "large") as server:
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with httpx.Client(headers=headers, timeout=30) as client:
            api = f"{server.url}/api/projects/1"
            listing = client.get(f"{api}/datasets/", params={"search": "bulk-100k"}).json()
            dataset = listing["results"][0]["id"]
            items = f"{api}/dataset_items/?dataset={dataset}&limit=100"
            count = client.get(items + "&limit=1").json()["count"]
            pages = {"offset 0": 0, f"last offset ({count - 100})": count - 100}
            for label, offset in pages.items():
                url = f"{items}&offset={offset}"
                ours, size, first = _median_get(client, url)
                body = client.get(url).content
                with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
                    f.write(body)
                try:
                    with baseline_process(f.name) as base_server, httpx.Client() as base_client:
                        base, _, _ = _median_get(base_client, base_server.url + "/page")
                finally:
                    os.unlink(f.name)
                results.append(
                    Result(
                        f"page of 100 items of bulk-100k at {label}",
                        ours,
                        base,
                        "ms",
                        "< 50 ms",
                        ours < 50,
                        f"median of {RUNS} (first request {first:.0f} ms: count not cached yet);"
                        f" {size / 1024:.0f} KiB; baseline: same bytes pre-built",
                    )
                )
    return results


def _rss_after_paging(seed: str) -> float:
    with emulator_process("--seed", seed) as server:
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with httpx.Client(headers=headers, timeout=30) as client:
            api = f"{server.url}/api/projects/1"
            for ds in client.get(f"{api}/datasets/").json()["results"]:
                url = f"{api}/dataset_items/?dataset={ds['id']}&limit=100"
                count = client.get(url + "&limit=1").json()["count"]
                for offset in sorted({0, count // 2, max(count - 100, 0)}):
                    client.get(f"{url}&offset={offset}").raise_for_status()
            for offset in (0, 50_000, 100_000):
                client.get(f"{api}/dataset_items/?limit=100&offset={offset}").raise_for_status()
        return rss_mib(server.pid)


def _memory() -> Result:
    demo = _rss_after_paging("demo")
    large = _rss_after_paging("large")
    return Result(
        "server RSS after paging: seed large (ours) vs seed demo (baseline)",
        large,
        demo,
        "MiB",
        "large - demo < 30 MiB",
        large - demo < 30,
        f"difference {large - demo:.1f} MiB",
    )


def run() -> list[Result]:
    return [_startup(), *_pages(), _memory()]
