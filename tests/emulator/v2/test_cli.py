"""``dataset-explorer serve --api v2``: the v2 server from the command line, and its options."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from explorer.cli import build_parser, main
from tests.emulator.v2.helpers import FLAG_OFF, datasets_limit, invalid

FIRST_LINE = re.compile(r"^Serving PostHog datasets API on (http://127\.0\.0\.1:\d+)$")
HEADERS = {"Authorization": "Bearer phx_demo_key"}


class Served:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        assert proc.stdout is not None
        first = proc.stdout.readline().rstrip("\n")
        match = FIRST_LINE.match(first)
        assert match, (first, proc.poll())
        self.url = match.group(1)
        self.http = httpx.Client(base_url=self.url, headers=HEADERS, timeout=30)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"/api/projects/1/{path}", **kwargs)

    def stop(self) -> tuple[int, str]:
        """SIGINT, then the exit code and stderr."""
        self.http.close()
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.proc.stdout.read()
        err = self.proc.stderr.read()
        return self.proc.wait(timeout=15), err


@contextmanager
def serve(*options: str) -> Iterator[Served]:
    cmd = [sys.executable, "-m", "explorer", "serve", "--port", "0", "--seed", "none", *options]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        yield Served(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_serve_api_v2_speaks_v2_and_stops_on_sigint() -> None:
    with serve("--api", "v2") as served:
        created = served.call("POST", "datasets/", json={"name": "cli"})
        assert created.status_code == 201, created.text
        ds = created.json()
        assert ds["archived"] is False and ds["current_revision"] is None
        missing = served.call("GET", "dataset_items/")
        assert missing.status_code == 400
        assert missing.json() == invalid("dataset", "This field is required.", "required")
        item = served.call("POST", "dataset_items/", json={"dataset": ds["id"], "input": 1})
        assert item.status_code == 201 and item.json()["version"] == 1
        listed = served.http.get("/api/environments/1/dataset_items/", params={"dataset": ds["id"]})
        assert [row["id"] for row in listed.json()["results"]] == [item.json()["id"]]
        assert served.call("PUT", f"datasets/{ds['id']}/", json={}).status_code == 405
        code, err = served.stop()
    assert code == 0, err
    assert "Traceback" not in err


def test_serve_v2_limits_and_flag_options() -> None:
    with serve("--api", "v2", "--max-datasets", "1") as served:
        assert served.call("POST", "datasets/", json={"name": "a"}).status_code == 201
        refused = served.call("POST", "datasets/", json={"name": "b"})
        assert refused.status_code == 409 and refused.json() == datasets_limit(1, 1)
        assert served.stop()[0] == 0
    with serve("--api", "v2", "--datasets-flag", "off") as served:
        refused = served.call("GET", "datasets/")
        assert refused.status_code == 403 and refused.json() == FLAG_OFF
        assert served.stop()[0] == 0


def test_serve_is_v2_by_default_and_classic_a_flag_away() -> None:
    with serve() as served:  # PostHog Cloud's generation
        created = served.call("POST", "datasets/", json={"name": "v2"})
        assert created.status_code == 201
        assert "archived" in created.json() and "deleted" not in created.json()
        assert served.stop()[0] == 0
    with serve("--api", "classic") as served:
        created = served.call("POST", "datasets/", json={"name": "classic"})
        assert created.status_code == 201
        assert "deleted" in created.json() and "archived" not in created.json()
        assert served.call("GET", "dataset_items/").status_code == 200
        assert served.stop()[0] == 0


def test_api_is_not_taken_for_an_abbreviated_api_key() -> None:
    args = build_parser().parse_args(["serve", "--api", "v2"])
    assert (args.api, args.api_key) == ("v2", None)
    args = build_parser().parse_args(["serve", "--api", "v2", "--api-key", "phx_x"])
    assert (args.api, args.api_key) == ("v2", ["phx_x"])


def test_serve_defaults_to_v2_and_posthogs_limits() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.api == "v2"
    assert (args.max_datasets, args.max_items, args.max_versions) == (20, 600, 40)
    assert args.datasets_flag == "on"


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--api", "v3"],
        ["serve", "--api-k", "phx_x"],  # no abbreviations
        ["serve", "--max-data", "3"],
        ["serve", "--max-datasets", "0"],
        ["serve", "--max-items", "many"],
        ["serve", "--datasets-flag", "maybe"],
    ],
)
def test_bad_v2_options_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_a_database_of_the_other_generation_is_named_not_crashed_on(tmp_path: Any) -> None:
    db = tmp_path / "kept.sqlite3"
    with serve("--api", "classic", "--db", str(db)) as served:  # classic data kept in the file
        assert served.call("POST", "datasets/", json={"name": "kept"}).status_code == 201
        assert served.stop()[0] == 0
    cmd = [sys.executable, "-m", "explorer", "serve", "--port", "0", "--api", "v2", "--db", str(db)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "holds data of the classic API, not v2" in done.stderr
    assert "Traceback" not in done.stderr
