"""The ``dataset-explorer`` command: serve's output, options and clean exits."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from explorer.cli import build_parser, main

FIRST_LINE = re.compile(r"^Serving PostHog datasets API on http://127\.0\.0\.1:(\d+)$")


class Served:
    def __init__(self, proc: subprocess.Popen[str], first: str) -> None:
        self.proc = proc
        self.first = first
        match = FIRST_LINE.match(first)
        assert match, first
        self.url = f"http://127.0.0.1:{match.group(1)}"

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        # read through the text wrappers: readline() may already hold the next lines
        assert self.proc.stdout is not None and self.proc.stderr is not None
        out, err = self.proc.stdout.read(), self.proc.stderr.read()
        return self.proc.wait(timeout=15), out, err


@contextmanager
def serve(*args: str, module: bool = True) -> Iterator[Served]:
    cmd = [sys.executable, "-m", "explorer", *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        assert proc.stdout is not None
        yield Served(proc, proc.stdout.readline().rstrip("\n"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _get(
    url: str, key: str = "phx_demo_key", path: str = "/api/projects/1/datasets/"
) -> httpx.Response:
    return httpx.get(url + path, headers={"Authorization": f"Bearer {key}"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_port_0_first_line_demo_key_and_clean_exit(sig: int) -> None:
    with serve("serve", "--port", "0") as served:
        response = _get(served.url)
        assert response.status_code == 200 and response.json()["count"] > 0
        code, out, err = served.stop(sig)
    assert code == 0, err
    assert "phx_demo_key" in out.splitlines()[0]
    assert "Traceback" not in err


def test_answers_within_two_seconds_of_start() -> None:
    with serve("serve", "--port", "0"):  # warm the template cache and the OS file cache
        pass
    start = time.perf_counter()
    with serve("serve", "--port", "0") as served:
        assert _get(served.url).status_code == 200
        elapsed = time.perf_counter() - start
        served.stop()
    assert elapsed < 2.0


def test_explicit_port_seed_projects_and_keys() -> None:
    port = _free_port()
    with serve(
        "serve",
        "--port", str(port),
        "--seed", "none",
        "--project", "5",
        "--project", "6",
        "--api-key", "phx_secret_one",
        "--api-key", "phx_reader=dataset:read@6",
    ) as served:  # fmt: skip
        assert served.url == f"http://127.0.0.1:{port}"
        assert _get(served.url, "phx_secret_one", "/api/projects/5/datasets/").json()["count"] == 0
        assert _get(served.url, "phx_demo_key", "/api/projects/5/datasets/").status_code == 401
        assert _get(served.url, "phx_reader", "/api/projects/5/datasets/").status_code == 403
        assert _get(served.url, "phx_reader", "/api/projects/6/datasets/").status_code == 200
        denied = httpx.post(
            served.url + "/api/projects/6/datasets/",
            json={"name": "x"},
            headers={"Authorization": "Bearer phx_reader"},
        )
        assert denied.json()["detail"] == "API key missing required scope 'dataset:write'"
        code, out, err = served.stop()
    assert code == 0
    # custom keys are never printed, and the demo key is not offered
    assert "phx_secret_one" not in out + err and "phx_reader" not in out + err
    assert "phx_demo_key" not in out


def test_db_file_keeps_data_between_runs(tmp_path: Path) -> None:
    db = tmp_path / "data.sqlite3"
    with serve("serve", "--port", "0", "--seed", "none", "--db", str(db)) as served:
        created = httpx.post(
            served.url + "/api/projects/1/datasets/",
            json={"name": "kept"},
            headers={"Authorization": "Bearer phx_demo_key"},
        )
        assert created.status_code == 201
        assert served.stop()[0] == 0
    assert db.exists()
    with serve("serve", "--port", "0", "--seed", "none", "--db", str(db)) as served:
        assert [r["name"] for r in _get(served.url).json()["results"]] == ["kept"]
        served.stop()


def test_fault_and_rate_limit_options() -> None:
    with serve(
        "serve", "--port", "0", "--seed", "none", "--error-rate", "1", "--error-statuses", "503",
        "--rate-limit",
    ) as served:  # fmt: skip
        assert _get(served.url).status_code == 503
        stats = httpx.get(served.url + "/_emulator/faults").json()
        assert stats["counts"]["error_503"] == 1
        limits = httpx.get(served.url + "/_emulator/rate-limit").json()
        assert limits == {"enabled": True, "rates": [[480, 60.0], [4800, 3600.0]]}
        assert served.stop()[0] == 0


def test_port_in_use_fails_with_a_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "explorer", "serve", "--port", str(port), "--seed", "none"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 1
    assert "cannot serve" in proc.stderr and proc.stdout == ""


def test_demo_prints_how_to_connect() -> None:
    with serve("--demo") as served:
        assert _get(served.url).status_code == 200
        code, out, _ = served.stop(signal.SIGINT)
    assert code == 0
    assert "phx_demo_key" in out and "curl" in out and "/api/projects/1/datasets/" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--error-rate", "2"],
        ["serve", "--seed", "huge"],
        ["serve", "--project", "x"],
        ["serve", "--error-rate", "0.7", "--throttle-rate", "0.7"],
        ["serve", "--api-key", "=dataset:read"],
    ],
)
def test_bad_options_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_serve_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.db, args.seed, args.project, args.api_key) == (
        "127.0.0.1", 8010, None, "demo", None, None,
    )  # fmt: skip
    assert not args.rate_limit and not args.access_log


def test_console_script_is_declared() -> None:
    text = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert 'dataset-explorer = "explorer.cli:main"' in text


def test_access_log_shows_paths_never_the_key() -> None:
    with serve("serve", "--port", "0", "--seed", "none", "--access-log") as served:
        assert _get(served.url, path="/api/projects/1/datasets/?limit=2").status_code == 200
        code, _, err = served.stop()
    assert code == 0
    assert '"GET /api/projects/1/datasets/?limit=2 HTTP/1.1" 200' in err
    assert "phx_demo_key" not in err
