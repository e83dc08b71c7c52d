"""``dataset-explorer export``: run in this process (``main([...])``) against the embedded
server, with the connection from the environment, from flags, or ``--demo``; what is checked is
what a user sees (exit status, stdout, stderr) and the file written, row by row. stdin and
stdout are not a terminal here, as in a script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api import Client, VersionedItem
from explorer.cli import main
from explorer.model.export import EXPORT_KEYS
from tests._emulator import RunningEmulator, start_emulator

SECRET = "phx_cli_export_secret_0123456789"
WROTE = re.compile(r"^Wrote (\d+) rows? of revision (\d+) to (\S+)$")


@pytest.fixture(scope="module")
def v2_server() -> Iterator[RunningEmulator]:
    running = start_emulator("demo", api="v2", api_keys=[SECRET])
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(scope="module")
def classic_server() -> Iterator[RunningEmulator]:
    running = start_emulator("demo", api="classic", api_keys=[SECRET])
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No user config, no connection from the real environment; the working directory is a
    fresh folder (where the default file goes)."""
    for name in (
        "POSTHOG_HOST",
        "POSTHOG_PERSONAL_API_KEY",
        "POSTHOG_PROJECT_ID",
        "POSTHOG_EXPLORER_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "no-config.toml"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


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


def read_rows(path: Path) -> list[dict[str, Any]]:
    text = path.read_text("utf-8")
    assert text.endswith("\n")
    rows = [json.loads(line) for line in text[:-1].split("\n")]
    for row, line in zip(rows, text[:-1].split("\n"), strict=True):
        assert tuple(row) == EXPORT_KEYS
        assert json.dumps(row, ensure_ascii=False, separators=(",", ":")) == line
    return rows


def rows_at(running: RunningEmulator, name: str, revision: int | None = None) -> list[Any]:
    """(item id, version, input, expected output) of every item active at ``revision``
    (default: the newest), as the server lists them, oldest first."""
    with Client(running.url, running.api_key, running.project_id) as client:
        [dataset] = [d for d in client.datasets.iter(search=name) if d.name == name]
        at = revision or dataset.current_revision  # type: ignore[union-attr]
        items = [i for i in client.items.iter(dataset, revision=at) if isinstance(i, VersionedItem)]
    items.sort(key=lambda i: (i.created_at, str(i.id)))
    return [(str(i.id), i.version, i.input, i.expected_output) for i in items]


def summary(rows: list[dict[str, Any]]) -> list[Any]:
    return [(r["item_id"], r["version"], r["input"], r["expected_output"]) for r in rows]


def dataset_id(running: RunningEmulator, name: str) -> str:
    with Client(running.url, running.api_key, running.project_id) as client:
        [dataset] = [d for d in client.datasets.iter(search=name) if d.name == name]
    return str(dataset.id)


# -- v2 ------------------------------------------------------------------------------------


def test_export_by_name_writes_posthogs_file_name_here(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    connect(monkeypatch, v2_server)
    code, out, err = run(capsys, "export", "rag-answers-golden")
    assert code == 0, err
    match = WROTE.match(out.strip())
    assert match, out
    rows, revision, shown = int(match[1]), int(match[2]), match[3]
    assert shown == f"./rag-answers-golden-r{revision}.jsonl"
    written = read_rows(_isolated / shown)
    assert len(written) == rows and {r["dataset_revision"] for r in written} == {revision}
    assert summary(written) == rows_at(v2_server, "rag-answers-golden")
    # progress: one line per phase, on stderr
    lines = err.splitlines()
    assert lines[0].startswith("Exporting 'rag-answers-golden' (") and "(API v2)" in lines[0]
    assert lines[1] == f"Creating an export of revision {revision}"
    assert re.fullmatch(rf"Export \d+ of revision {revision}: waiting \(\d+ s\)", lines[2])
    assert lines[3].endswith(": downloading")
    assert lines[4] == f"Writing {rows} rows to rag-answers-golden-r{revision}.jsonl"
    assert len(lines) == 5


def test_export_by_id_with_a_revision_and_an_output_file(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    connect(monkeypatch, v2_server)
    target = tmp_path / "out" / "pinned.jsonl"
    target.parent.mkdir()
    ident = dataset_id(v2_server, "edge-cases")
    code, out, err = run(capsys, "export", ident, "--revision", "40", "--output", str(target))
    assert code == 0, err
    assert (
        out
        == f"Wrote {len(rows_at(v2_server, 'edge-cases', 40))} rows of revision 40 to {target}\n"
    )
    assert summary(read_rows(target)) == rows_at(v2_server, "edge-cases", 40)
    assert rows_at(v2_server, "edge-cases", 40) != rows_at(v2_server, "edge-cases")


def test_the_default_file_name_follows_the_revision(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    connect(monkeypatch, v2_server)
    code, out, _ = run(capsys, "export", "edge-cases", "--revision", "7")
    assert code == 0
    assert out.endswith("of revision 7 to ./edge-cases-r7.jsonl\n")
    assert summary(read_rows(_isolated / "edge-cases-r7.jsonl")) == rows_at(
        v2_server, "edge-cases", 7
    )


def test_connection_flags_before_or_after_the_command(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", v2_server.api_key)
    where = ["--host", v2_server.url, "--project-id", "1"]
    code, _, err = run(capsys, *where, "export", "sql-generation", "-o", "a.jsonl")
    assert code == 0, err
    code, _, err = run(capsys, "export", "sql-generation", "-o", "b.jsonl", *where)
    assert code == 0, err
    assert (_isolated / "a.jsonl").read_bytes() == (_isolated / "b.jsonl").read_bytes()
    assert len(read_rows(_isolated / "a.jsonl")) == len(rows_at(v2_server, "sql-generation"))


def test_an_unknown_name_exits_2_and_says_what_was_meant(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    connect(monkeypatch, v2_server)
    code, out, err = run(capsys, "export", "custmer-support")
    assert code == 2 and out == ""
    assert err == (
        "dataset-explorer: No dataset of project 1 is named 'custmer-support'."
        " Did you mean 'customer-support-evals'?\n"
    )
    code, _, err = run(capsys, "export", "zzzz")
    assert code == 2
    assert "Its datasets: 'edge-cases', 'customer-support-evals'," in err
    assert list(_isolated.iterdir()) == []


def test_a_revision_that_does_not_exist_exits_1_and_keeps_the_file(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    connect(monkeypatch, v2_server)
    (_isolated / "keep.jsonl").write_text("precious\n")
    code, out, err = run(capsys, "export", "edge-cases", "--revision", "99999", "-o", "keep.jsonl")
    assert code == 1 and out == ""
    assert err.splitlines()[-1].startswith("dataset-explorer: PostHog refused POST")
    assert "This dataset revision does not exist." in err
    assert (_isolated / "keep.jsonl").read_text() == "precious\n"
    assert [p.name for p in _isolated.iterdir()] == ["keep.jsonl"]


def test_a_missing_directory_exits_1(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    connect(monkeypatch, v2_server)
    code, _, err = run(capsys, "export", "edge-cases", "-o", "nowhere/x.jsonl")
    assert code == 1
    assert err.splitlines()[-1] == (
        "dataset-explorer: There is no directory nowhere to write x.jsonl into: create it"
        " first, or choose another file."
    )


def test_a_wrong_key_exits_1_without_showing_it(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    connect(monkeypatch, v2_server)
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_wrong_key_do_not_print_987")
    code, _, err = run(capsys, "export", "edge-cases")
    assert code == 1 and "phx_wrong_key_do_not_print_987" not in err
    assert err.startswith("dataset-explorer: PostHog at ") and "did not accept the API key" in err


def test_nothing_configured_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "export", "edge-cases")
    assert code == 2 and out == ""
    assert err.startswith("dataset-explorer: No PostHog API key")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["export"],
        ["export", "x", "--revision", "0"],
        ["export", "x", "--api", "v2"],  # --api without --demo
        ["export", "x", "--wait", "-1"],
    ):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2, argv
    capsys.readouterr()


# -- classic -------------------------------------------------------------------------------


def test_classic_exports_the_live_items_without_a_revision(
    classic_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    connect(monkeypatch, classic_server)
    code, out, err = run(capsys, "export", "edge-cases")
    assert code == 0, err
    with Client(classic_server.url, classic_server.api_key, 1) as client:
        [dataset] = [d for d in client.datasets.iter() if d.name == "edge-cases"]
        items = sorted(client.items.iter(dataset), key=lambda i: (i.created_at, str(i.id)))
    assert out == (
        f"Wrote {len(items)} rows to ./edge-cases.jsonl (the classic API keeps no revisions:"
        " the items now)\n"
    )
    rows = read_rows(_isolated / "edge-cases.jsonl")
    assert [(r["item_id"], r["input"], r["expected_output"]) for r in rows] == [
        (str(i.id), i.input, getattr(i, "output", None)) for i in items
    ]
    assert {r["dataset_revision"] for r in rows} == {None}
    assert "(classic API)" in err.splitlines()[0]

    code, out, err = run(capsys, "export", "edge-cases", "--revision", "3", "-o", "r.jsonl")
    assert code == 2 and out == ""
    assert "classic datasets API keeps no revisions" in err
    assert not (_isolated / "r.jsonl").exists()


def test_classic_names_shared_by_two_datasets_ask_for_an_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated: Path
) -> None:
    running = start_emulator("none", api="classic")
    try:
        connect(monkeypatch, running)
        with Client(running.url, running.api_key, 1) as client:
            twins = [client.datasets.create("twin") for _ in range(2)]
            client.items.create(twins[1], input="second")
        code, _, err = run(capsys, "export", "twin")
        assert code == 2
        assert err.startswith("dataset-explorer: 2 datasets of project 1 are named 'twin' (")
        assert str(twins[0].id) in err and str(twins[1].id) in err
        assert "name one by its id" in err
        code, out, _ = run(capsys, "export", str(twins[1].id))
        assert code == 0 and out.startswith("Wrote 1 row to ./twin.jsonl")
        assert [r["input"] for r in read_rows(_isolated / "twin.jsonl")] == ["second"]
    finally:
        running.server.stop()


# -- the demo ------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["v2", "classic"])
def test_demo_export(api: str, capsys: pytest.CaptureFixture[str], _isolated: Path) -> None:
    code, out, err = run(capsys, "--demo", "--api", api, "export", "customer-support-evals")
    assert code == 0, err
    if api == "v2":
        match = WROTE.match(out.strip())
        assert match, out
        path = _isolated / f"customer-support-evals-r{match[2]}.jsonl"
        assert len(read_rows(path)) == int(match[1]) > 500
    else:
        assert out.startswith("Wrote 1200 rows to ./customer-support-evals.jsonl")
        assert len(read_rows(_isolated / "customer-support-evals.jsonl")) == 1200


def test_export_needs_neither_textual_nor_a_terminal(tmp_path: Path) -> None:
    """A script: no terminal, and Textual not installed (any import of it fails)."""
    code = (
        "import sys; sys.modules['textual'] = None\n"
        "from explorer.cli import main\n"
        "status = main(['export', '--demo', 'edge-cases', '-o', 'e.jsonl'])\n"
        "loaded = [m for m in sys.modules if m.startswith('textual') and sys.modules[m]]\n"
        "assert not loaded, loaded\n"
        "raise SystemExit(status)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG")}
    env["POSTHOG_EXPLORER_CONFIG"] = str(tmp_path / "none.toml")
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Wrote 72 rows of revision ")
    assert len(read_rows(tmp_path / "e.jsonl")) == 72


def test_dataset_names_reach_the_terminal_escaped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], _isolated: Path
) -> None:
    running = start_emulator("none", api="v2")
    try:
        connect(monkeypatch, running)
        with Client(running.url, running.api_key, 1) as client:
            ds = client.datasets.create("evals\x1b[2J\u202e")
            client.items.create(ds, input="x")
        code, out, err = run(capsys, "export", "evals")
        assert code == 2
        assert "Did you mean 'evals\\x1b[2J\\u202e'?" in err and "\x1b" not in err
        code, out, err = run(capsys, "export", str(ds.id))
        assert code == 0, err
        assert err.startswith("Exporting 'evals\\x1b[2J\\u202e' (") and "\x1b" not in err
        assert out == "Wrote 1 row of revision 1 to ./evals2j-r1.jsonl\n"
    finally:
        running.server.stop()


def test_demo_export_without_the_server_extra_says_what_to_install(_isolated: Path) -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'textual', 'starlette', 'uvicorn'}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from explorer.cli import main\n"
        "raise SystemExit(main(['--demo', 'export', 'edge-cases']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=_isolated, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "pip install 'posthog-dataset-explorer[server]'" in done.stderr
    assert "Traceback" not in done.stderr and list(_isolated.iterdir()) == []


# -- CSV and a query -----------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, Any]]:
    """The CSV file's rows as the JSONL rows they hold (header checked, cells read back)."""
    import csv

    from explorer.model.export import read_csv_cell

    with path.open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        assert tuple(next(reader)) == EXPORT_KEYS
        return [dict(zip(EXPORT_KEYS, map(read_csv_cell, cells), strict=True)) for cells in reader]


def test_csv_by_flag_or_by_the_files_extension(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    connect(monkeypatch, v2_server)
    code, out, err = run(capsys, "export", "sql-generation", "--format", "csv")
    assert code == 0, err
    match = WROTE.match(out.strip())
    assert match and match[3] == f"./sql-generation-r{match[2]}.csv", out
    code, _, err = run(capsys, "export", "sql-generation", "-o", "by-name.CSV")
    assert code == 0, err
    code, _, err = run(capsys, "export", "sql-generation", "-o", "rows.jsonl")
    assert code == 0, err
    assert (_isolated / match[3]).read_bytes() == (_isolated / "by-name.CSV").read_bytes()
    rows = read_rows(_isolated / "rows.jsonl")
    as_text = [
        {k: str(v) if k in ("dataset_revision", "version") else v for k, v in r.items()}
        for r in rows
    ]
    assert read_csv(_isolated / "by-name.CSV") == as_text and len(rows) > 10


@pytest.mark.parametrize("api", ["v2", "classic"])
def test_a_query_exports_exactly_its_matches(
    api: str,
    v2_server: RunningEmulator,
    classic_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    running = v2_server if api == "v2" else classic_server
    connect(monkeypatch, running)
    code, out, err = run(capsys, "export", "customer-support-evals", "-o", "all.jsonl")
    assert code == 0, err
    everything = read_rows(_isolated / "all.jsonl")
    pinned = ["--revision", str(everything[0]["dataset_revision"])] if api == "v2" else []
    query = "metadata.tags:refunds"
    code, out, err = run(
        capsys, "export", "customer-support-evals", "--query", query, "-o", "r.jsonl", *pinned
    )
    assert code == 0, err
    expected = [r for r in everything if "refunds" in (r["metadata"] or {}).get("tags", [])]
    assert 0 < len(expected) < len(everything)
    assert read_rows(_isolated / "r.jsonl") == expected
    assert out.startswith(f"Wrote {len(expected)} rows matching {query} ")
    assert f"{len(expected)} of {len(everything)} items match the query: {query}" in err


def test_a_query_that_cannot_be_read_exits_2(
    v2_server: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    _isolated: Path,
) -> None:
    connect(monkeypatch, v2_server)
    code, out, err = run(capsys, "export", "edge-cases", "--query", "colour:red")
    assert (code, out) == (2, "")
    assert err.startswith("dataset-explorer: --query: colour: is not a field to search; use one")
    assert list(_isolated.iterdir()) == []
    with pytest.raises(SystemExit) as caught:
        main(["export", "edge-cases", "--format", "xml"])
    assert caught.value.code == 2
    capsys.readouterr()
