"""``dataset-explorer import``: rows of a JSONL or CSV file added to a dataset of the embedded
server, on both API generations. An import killed with SIGKILL half way (a real process, run as
``python -m explorer import ...``) and run again leaves exactly one item per row; the rest runs
``main([...])`` in this process and checks what a user sees (exit status, stdout, stderr, line
numbers) and what the server holds afterwards."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client, VersionedItem
from explorer.cli import main
from tests._emulator import RunningEmulator, start_emulator

SECRET = "phx_cli_import_secret_0123456789"
LIMIT_REASON = (
    "the dataset would hold more than 600 items, the most a v2 dataset may hold"
    " (archived items count; it holds 600)"
)


@pytest.fixture(params=["v2", "classic"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    running = start_emulator("none", api=request.param, api_keys=[SECRET])
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(autouse=True)
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No user config, no connection from the real environment, the ledger in a fresh data
    folder; the working directory is a fresh folder."""
    for name in (
        "POSTHOG_HOST",
        "POSTHOG_PERSONAL_API_KEY",
        "POSTHOG_PROJECT_ID",
        "POSTHOG_EXPLORER_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("POSTHOG_EXPLORER_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def connect(monkeypatch: pytest.MonkeyPatch, running: RunningEmulator) -> None:
    monkeypatch.setenv("POSTHOG_HOST", running.url)
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", running.api_key)
    monkeypatch.setenv("POSTHOG_PROJECT_ID", str(running.project_id))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert SECRET not in out + err and "phx_demo_key" not in out + err
    return code, out, err


def sync(running: RunningEmulator) -> Client:
    return Client(running.url, running.api_key, running.project_id)


def answer_field(running: RunningEmulator) -> str:
    return "expected_output" if running.server.api == "v2" else "output"


def items_of(running: RunningEmulator, name: str) -> list[Any]:
    """Every live item of the dataset named ``name``, oldest first."""
    with sync(running) as client:
        [dataset] = [d for d in client.datasets.iter(search=name) if d.name == name]
        items = list(client.items.iter(dataset))
    return sorted(items, key=lambda i: (i.created_at, str(i.id)))


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def numbered_rows(count: int, answer: str = "expected_output") -> list[dict[str, Any]]:
    return [
        {
            "input": {"n": n, "question": f"question {n}"},
            answer: f"answer {n}",
            "metadata": {"n": n},
        }
        for n in range(count)
    ]


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    """Poll ``condition`` until it holds (deadline 120 s); fail if the process ends first."""
    deadline = time.monotonic() + 120
    while not condition():
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"the import ended (status {process.returncode}) before {what}: {err}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within 120 s")
        time.sleep(0.005)


def importer_env(running: RunningEmulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG")}
    env |= {
        "POSTHOG_HOST": running.url,
        "POSTHOG_PERSONAL_API_KEY": running.api_key,
        "POSTHOG_PROJECT_ID": str(running.project_id),
        "POSTHOG_EXPLORER_CONFIG": str(tmp_path / "no-config.toml"),
        "POSTHOG_EXPLORER_DATA_DIR": str(tmp_path / "data"),
    }
    return env


# -- killed half way, run again ------------------------------------------------------------


def test_an_import_killed_half_way_and_run_again_makes_each_item_once(
    server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    work: Path,
) -> None:
    v2 = server.server.api == "v2"
    rows = numbered_rows(600, answer_field(server))
    path = write_jsonl(work / "rows.jsonl", rows)
    with sync(server) as client:
        dataset = client.datasets.create("killed-import")

        def count() -> int:
            return client.items.list(dataset, limit=1).count

        process = subprocess.Popen(
            [sys.executable, "-m", "explorer", "import", str(path), "--dataset", "killed-import"],
            cwd=work,
            env=importer_env(server, tmp_path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_until(lambda: count() >= 300, process, "300 items were created")
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == -signal.SIGKILL
        interrupted_at = count()
    assert 300 <= interrupted_at < 600  # killed half way, not after the end

    connect(monkeypatch, server)
    code, out, err = run(capsys, "import", "rows.jsonl", "--dataset", "killed-import")
    assert code == 0, err
    made, there = (int(n) for n in _numbers(out, "Imported {} rows into killed-import ({}"))
    assert made + there == 600 and there >= interrupted_at
    assert out.endswith(" already there, 0 failed).\n")

    items = items_of(server, "killed-import")
    assert len(items) == 600  # exactly one item per row, nothing twice
    assert sorted(i.input["n"] for i in items) == list(range(600))
    if v2:
        assert len({i.client_item_id for i in items if isinstance(i, VersionedItem)}) == 600
    else:
        ledger = tmp_path / "data" / "imports.sqlite3"
        assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
        with sqlite3.connect(ledger) as db:
            recorded = db.execute("SELECT item_id FROM imported WHERE item_id IS NOT NULL")
            assert sorted(r[0] for r in recorded) == sorted(str(i.id) for i in items)

    # Once more: nothing left to do; the progress says so every 100 rows.
    code, out, err = run(capsys, "import", "rows.jsonl", "--dataset", "killed-import")
    assert code == 0
    assert out == "Imported 0 rows into killed-import (600 already there, 0 failed).\n"
    assert "300 rows read: 0 imported, 300 already there, 0 failed" in err.splitlines()
    assert len(items_of(server, "killed-import")) == 600

    if v2:
        # The 601st row: over v2's limit of 600 items, refused before it is sent.
        write_jsonl(work / "rows-601.jsonl", [*rows, {"input": {"n": 600}}])
        code, out, err = run(capsys, "import", "rows-601.jsonl", "--dataset", "killed-import")
        assert code == 1
        assert out == "Imported 0 rows into killed-import (600 already there, 1 failed).\n"
        assert f"line 601: {LIMIT_REASON}" in err.splitlines()
        assert len(items_of(server, "killed-import")) == 600


def _numbers(text: str, pattern: str) -> list[str]:
    """The numbers where ``pattern`` has ``{}`` (its text otherwise as it is)."""
    import re

    regex = re.escape(pattern).replace(r"\{\}", r"(\d+)")
    match = re.search(regex, text)
    assert match, text
    return list(match.groups())


def test_a_dry_run_of_601_rows_says_which_row_the_limit_refuses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], work: Path
) -> None:
    running = start_emulator("none", api="v2")
    try:
        connect(monkeypatch, running)
        write_jsonl(work / "rows.jsonl", numbered_rows(601))
        code, out, err = run(
            capsys, "import", "rows.jsonl", "--dataset", "fresh", "--create", "--dry-run"
        )
        assert code == 1
        assert out == (
            "Dry run: would import 600 rows into fresh (0 already there, 1 invalid)."
            " Nothing was written.\n"
        )
        lines = err.splitlines()
        assert lines[0] == "There is no dataset 'fresh': the import would create it."
        assert lines[1].startswith("Checking (dry run: nothing is written) rows.jsonl into")
        assert lines[-1] == f"line 601: {LIMIT_REASON}"
        with sync(running) as client:
            assert list(client.datasets.iter()) == []  # nothing created, not even the dataset
    finally:
        running.server.stop()


# -- CSV round trip --------------------------------------------------------------------------


def test_csv_round_trip(
    server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    work: Path,
) -> None:
    """export --format csv, import that file into a new dataset, export both: the same rows
    apart from ids."""
    v2 = server.server.api == "v2"
    answer = answer_field(server)
    values: list[Any] = [
        "plain, with a comma",
        'quotes "inside"\nand a new line',
        "",
        '{"looks": "like json"}',
        "[1, 2]",
        '"quoted"',
        "日本\u2028",
        {"messages": [{"role": "user", "content": "Où est ma commande ?"}], "n": 2**70},
        [1, "two", None],
    ]
    links: dict[str, Any] = (
        {
            "source_trace_id": "t-1",
            "source_event_id": "e-1",
            "source_timestamp": "2025-09-05T12:34:56Z",
        }
        if v2
        else {
            "ref_trace_id": "t-1",
            "ref_source_id": "e-1",
            "ref_timestamp": "2025-09-05T12:34:56Z",
        }
    )
    with sync(server) as client:
        original = client.datasets.create("original")
        for n, value in enumerate(values):
            extra = links if n == 0 else {}
            if v2 and n == 1:
                extra = {"source_output": {"said": "something"}}
            client.items.create(
                original, input=value, **{answer: values[-n - 1]}, metadata={"n": n}, **extra
            )
    connect(monkeypatch, server)
    code, out, err = run(capsys, "export", "original", "-o", "original.csv")
    assert code == 0, err
    code, out, err = run(capsys, "import", "original.csv", "--dataset", "copy", "--create")
    assert code == 0, err
    assert out == f"Imported {len(values)} rows into copy (0 already there, 0 failed).\n"
    assert err.splitlines()[0].startswith("Created the dataset 'copy' (")
    for name in ("original", "copy"):
        code, _, err = run(capsys, "export", name, "-o", f"{name}.jsonl")
        assert code == 0, err

    def content(name: str) -> list[dict[str, Any]]:
        ids = ("dataset_id", "item_id", "dataset_revision", "version")
        # split on "\n" only: U+2028 inside a string is no line break
        lines = (work / f"{name}.jsonl").read_text("utf-8")[:-1].split("\n")
        return [{k: v for k, v in json.loads(line).items() if k not in ids} for line in lines]

    assert content("copy") == content("original")
    assert [r["input"] for r in content("copy")] == values
    code, out, _ = run(capsys, "import", "original.csv", "--dataset", "copy")
    assert (code, out) == (
        0,
        f"Imported 0 rows into copy ({len(values)} already there, 0 failed).\n",
    )


# -- what a user types -----------------------------------------------------------------------


def test_map_names_the_columns_of_a_csv_file(
    server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    work: Path,
) -> None:
    with (work / "qa.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["question", "answer", "topic", "notes"])
        writer.writerow(["Where is my order?", "On its way.", "shipping", "ignore me"])
        writer.writerow(['{"text": "Refund?"}', '["yes", "within 30 days"]', "", ""])
    with sync(server) as client:
        client.datasets.create("support")
    connect(monkeypatch, server)
    maps = ["question=input", "answer=expected_output", "topic=metadata.topic", "notes="]
    argv = ["import", "qa.csv", "--dataset", "support"]
    for pair in maps:
        argv += ["--map", pair]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out == "Imported 2 rows into support (0 already there, 0 failed).\n"
    answer = answer_field(server)
    found = [(i.input, getattr(i, answer), i.metadata) for i in items_of(server, "support")]
    empty = {} if server.server.api == "v2" else None
    assert found == [
        ("Where is my order?", "On its way.", {"topic": "shipping"}),
        ({"text": "Refund?"}, ["yes", "within 30 days"], empty),
    ]

    code, _, err = run(capsys, "import", "qa.csv", "--dataset", "support")
    assert code == 2
    assert "'question', 'answer', 'topic', 'notes' are not fields. Map a column with" in err


def test_a_bad_line_is_listed_and_the_other_rows_imported(
    server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    work: Path,
) -> None:
    lines = [json.dumps({"input": f"row {n}"}) for n in range(1, 16)]
    lines[11] = '{"input": "row 12", oops}'
    (work / "rows.jsonl").write_text("\n".join(lines) + "\n")
    with sync(server) as client:
        client.datasets.create("partly")
    connect(monkeypatch, server)
    code, out, err = run(capsys, "import", "rows.jsonl", "--dataset", "partly")
    assert code == 1
    assert out == "Imported 14 rows into partly (0 already there, 1 failed).\n"
    assert "line 12: not valid JSON: Expecting property name enclosed in double quotes" in err
    assert [i.input for i in items_of(server, "partly")] == [
        f"row {n}" for n in range(1, 16) if n != 12
    ]


def test_a_dry_run_writes_nothing_and_lists_the_invalid_lines(
    server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    work: Path,
) -> None:
    (work / "rows.jsonl").write_text(
        '{"input": "one"}\n'
        '["not", "an", "object"]\n'
        '{"input": "two", "colour": "red"}\n'
        '{"input": "three"}\n'
    )
    with sync(server) as client:
        client.datasets.create("checked")
    connect(monkeypatch, server)
    before = server.server.fault_stats()["requests"]
    code, out, err = run(capsys, "import", "rows.jsonl", "--dataset", "checked", "--dry-run")
    assert code == 1
    assert out == (
        "Dry run: would import 2 rows into checked (0 already there, 2 invalid)."
        " Nothing was written.\n"
    )
    assert err.splitlines()[1:] == [
        "line 2: a row is a JSON object, not an array",
        "line 3: 'colour' is not a field (map the key with --map colour=FIELD)",
    ]
    assert items_of(server, "checked") == []
    assert server.server.fault_stats()["requests"] > before  # it did ask the server
    assert not (tmp_path / "data" / "imports.sqlite3").exists()


def test_an_unknown_dataset_without_create_exits_2(
    server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    work: Path,
) -> None:
    write_jsonl(work / "rows.jsonl", [{"input": "x"}])
    with sync(server) as client:
        client.datasets.create("customer-support-evals")
    connect(monkeypatch, server)
    code, out, err = run(capsys, "import", "rows.jsonl", "--dataset", "custmer-support")
    assert code == 2 and out == ""
    assert err == (
        "dataset-explorer: No dataset of project 1 is named 'custmer-support'."
        " Did you mean 'customer-support-evals'? Add --create to create it.\n"
    )
    unknown = "019cb059-c880-7604-a5c1-eba1c4247573"
    code, out, err = run(capsys, "import", "rows.jsonl", "--dataset", unknown, "--create")
    assert (code, out) == (2, "")
    assert err == (
        f"dataset-explorer: No dataset of project 1 has the id {unknown}: name a dataset"
        " (--create makes one by name).\n"
    )
    with sync(server) as client:
        assert [d.name for d in client.datasets.iter()] == ["customer-support-evals"]


def test_usage_problems_exit_2_before_anything_is_sent(
    server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    work: Path,
) -> None:
    connect(monkeypatch, server)
    write_jsonl(work / "rows.txt", [{"input": "x"}])
    before = server.server.fault_stats()["requests"]
    for argv, message in [
        (["rows.txt"], "Cannot tell the format of rows.txt from its extension"),
        (["missing.jsonl"], "cannot read missing.jsonl: No such file or directory"),
        (["rows.txt", "--format", "jsonl", "--map", "x=colour"], "'colour' is not a field"),
        (["rows.txt", "--format", "jsonl", "--map", "x"], "--map takes COLUMN=FIELD"),
    ]:
        code, out, err = run(capsys, "import", *argv, "--dataset", "d")
        assert (code, out) == (2, ""), argv
        assert err.startswith("dataset-explorer: ") and message in err, err
    assert server.server.fault_stats()["requests"] == before
    with pytest.raises(SystemExit) as caught:
        main(["import", "rows.txt"])  # no --dataset
    assert caught.value.code == 2
    capsys.readouterr()

    # A read-only profile may check a file, not import it.
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.ro]\nhost = "{server.url}"\nproject_id = 1\n'
        'api_key_env = "POSTHOG_PERSONAL_API_KEY"\nread_only = true\n'
    )
    config.chmod(0o600)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(config))
    for name in ("POSTHOG_HOST", "POSTHOG_PROJECT_ID"):
        monkeypatch.delenv(name)
    with sync(server) as client:
        client.datasets.create("d")
    code, _, err = run(
        capsys, "--profile", "ro", "import", "rows.txt", "--format", "jsonl", "--dataset", "d"
    )
    assert code == 2 and "the profile is read-only" in err
    code, out, _ = run(
        capsys,
        "import",
        "rows.txt",
        "--format",
        "jsonl",
        "--dataset",
        "d",
        "--dry-run",
        "--profile",
        "ro",
    )
    assert code == 0 and out.startswith("Dry run: would import 1 row into d")


def test_demo_import(capsys: pytest.CaptureFixture[str], work: Path) -> None:
    write_jsonl(work / "rows.jsonl", [{"input": "tried"}])
    code, out, err = run(capsys, "import", "rows.jsonl", "--demo", "--dataset", "mine", "--create")
    assert code == 0, err
    assert out == "Imported 1 row into mine (0 already there, 0 failed).\n"
