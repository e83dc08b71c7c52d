"""The API key never shows: a canary key is accepted by an emulator, realistic flows run with
logging at DEBUG on the root logger, and everything they produce is searched for it.

Covered: client errors of every kind (401 with a wrong canary-like key, 403, 404, 400, 500,
unreachable, timeout) with their exception text, repr and traceback; every log record; the
terminal app's screens exported as SVG and its notifications; the connection form with the key
typed in; the panel's widget values, status area and repr; ``serve --api-key CANARY`` output;
a crash report of the terminal app (a subprocess whose crashing frame holds the key); a notebook
run by nbclient with the key in the kernel's environment (outputs and saved widget state);
and the files the suite keeps (snapshots, browser output, notebooks, benchmark results), which
may hold no ``phx_`` key but the public demo key.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from explorer.api import ApiError, Client, RetryPolicy
from explorer.emulator import FaultConfig
from tests.conftest import EmulatorFactory
from tests.tui._app_harness import build_app, isolate_env, settle
from tests.widgets._panel_helpers import dataset_id, descendants, make_panel

__all__ = ["isolate_env"]

CANARY = "phx_canary_" + secrets.token_hex(16)
NEAR_MISS = CANARY[:-4] + "beef"  # a wrong key that looks like the right one
READ_CANARY = "phx_canary_read_" + secrets.token_hex(8)
ROOT = Path(__file__).resolve().parents[2]
PUBLIC_KEYS = {"phx_demo_key"}
FAST = RetryPolicy(retries=1, backoff=0.001, backoff_max=0.002, rate_limit_max_wait=0)
MISSING = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"


class Everything(logging.Handler):
    """Keeps every record of every logger, formatted as a file handler would write it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@pytest.fixture
def logs() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def said(error: BaseException) -> str:
    parts = ["".join(traceback.format_exception(error)), repr(error), str(error)]
    if isinstance(error, ApiError):
        parts += [str(v) for v in vars(error).values()]
    return "\n".join(parts)


def assert_clean(text: str, what: str) -> None:
    for key in (CANARY, NEAR_MISS, READ_CANARY):
        assert key not in text, f"a key shows in {what}"


def test_client_errors_and_debug_logs_never_hold_the_key(
    emulator_factory: EmulatorFactory, logs: Everything, tmp_path: Path
) -> None:
    server = emulator_factory("demo", api_keys=[CANARY, f"{READ_CANARY}=dataset:read"])
    seen: list[str] = []

    def attempt(key: str, call: Any, **options: Any) -> None:
        options.setdefault("host", server.url)
        try:
            with Client(
                options.pop("host"),
                key,
                options.pop("project", 1),
                retries=FAST,
                config_path=tmp_path / "none.toml",
                **options,
            ) as client:
                assert_clean(repr(client), "a client's repr")
                call(client)
        except ApiError as exc:
            seen.append(type(exc).__name__)
            assert_clean(said(exc), f"a {type(exc).__name__}")
        else:
            seen.append("ok")

    attempt(CANARY, lambda c: c.datasets.list())  # a success, logged at DEBUG too
    attempt(NEAR_MISS, lambda c: c.datasets.list())  # 401
    attempt(READ_CANARY, lambda c: c.datasets.create("x"))  # 403
    attempt(CANARY, lambda c: c.items.get(MISSING))  # 404
    attempt(CANARY, lambda c: c.datasets.create(""))  # 400
    attempt(CANARY, lambda c: c.datasets.list(), project=77)  # 404 project
    server.server.set_faults(FaultConfig(error_rate=1.0, error_statuses=(500,)))
    attempt(CANARY, lambda c: c.datasets.list())  # 500
    server.server.set_faults(FaultConfig(latency_ms=400))
    attempt(CANARY, lambda c: c.datasets.list(), timeout=0.05)  # timeout
    server.server.clear_faults()
    attempt(CANARY, lambda c: c.datasets.list(), host="http://127.0.0.1:9")  # unreachable
    assert seen == [
        "ok",
        "AuthenticationFailed",
        "PermissionDenied",
        "NotFound",
        "ValidationFailed",
        "NotFound",
        "ServerError",
        "Unreachable",
        "Unreachable",
    ]
    assert any(" httpcore" in line for line in logs.lines), "DEBUG logging did not run"
    assert_clean("\n".join(logs.lines), "the log")


async def test_terminal_app_screens_and_connect_form_never_show_the_key(
    emulator_factory: EmulatorFactory, logs: Everything, tmp_path: Path, isolate_env: Path
) -> None:
    server = emulator_factory("demo", api_keys=[CANARY])
    app = build_app(server, tmp_path, api_key=CANARY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shots = [app.export_screenshot()]
        await pilot.press("slash", *"edge", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shots.append(app.export_screenshot())
        server.server.set_faults(FaultConfig(error_rate=1.0, error_statuses=(500,)))
        await pilot.press("r")
        await settle(pilot)
        server.server.clear_faults()
        shots.append(app.export_screenshot())
        notes = [f"{n.title} {n.message}" for n in app._notifications]
        assert "phx_canary_" in CANARY
        for shot in shots:
            assert_clean(shot, "a screenshot")
        assert_clean("\n".join(notes), "a notification")

    # the connection form, with the key typed in: masked on screen
    from explorer.tui.app import make_app

    form_app = make_app(None, offer_demo=True)
    async with form_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        boxes = [box for box in form_app.screen.query(Input) if box.password]
        if not boxes:  # the form sits behind a "connect" choice
            await pilot.press("c")
            await pilot.pause()
            boxes = [box for box in form_app.screen.query(Input) if box.password]
        assert boxes, "no masked key field on the connection screen"
        boxes[0].focus()
        await pilot.pause()
        boxes[0].insert_text_at_cursor(CANARY)
        await pilot.pause()
        assert boxes[0].value == CANARY
        assert_clean(form_app.export_screenshot(), "the connection form")
    assert_clean("\n".join(logs.lines), "the log")


def test_panel_never_shows_the_key(
    emulator_factory: EmulatorFactory, logs: Everything, tmp_path: Path
) -> None:
    server = emulator_factory("demo", api_keys=[CANARY])
    canary_server = type(server)(server.url, CANARY, server.project_id, server.server)
    panel = make_panel(canary_server, tmp_path)
    try:
        panel._picker.choice.value = dataset_id(panel, "edge-cases")
        panel.wait()
        panel.select(panel.items[0].id)
        server.server.set_faults(FaultConfig(error_rate=1.0, error_statuses=(500,)))
        panel._rows.reload.click()
        panel.wait()
        server.server.clear_faults()
        assert "failed" in panel._status.widget.value  # the status area showed the error
        values = [repr(panel), str(panel.settings), repr(panel.settings), panel.notice]
        for widget in [panel.widget, *descendants(panel.widget)]:
            for name in ("value", "options", "placeholder", "description", "tooltip"):
                values.append(repr(getattr(widget, name, "")))
        bundle = panel._repr_mimebundle_()
        values.append(repr(bundle))
        assert_clean("\n".join(values), "the panel")
    finally:
        panel.close()
    assert_clean("\n".join(logs.lines), "the log")


def test_serve_prints_no_key(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "explorer", "serve", "--port", "0", "--seed", "none"]
    # a malformed spec: refused, without echoing the key
    bad = subprocess.run(
        [*command, "--api-key", f"{CANARY}@one"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "must be integers" in bad.stderr
    assert_clean(bad.stdout + bad.stderr, "serve's error")
    # a good one: serves, says so, and stops on SIGTERM
    process = subprocess.Popen(
        [*command, "--api-key", CANARY, "--access-log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Serving PostHog datasets API on http://127.0.0.1:")
        url = first.split(" on ")[1].strip()
        with Client(url, CANARY, 1, config_path=tmp_path / "none.toml") as client:
            client.datasets.list()
        with (
            Client(url, NEAR_MISS, 1, config_path=tmp_path / "none.toml") as client,
            pytest.raises(ApiError),
        ):
            client.datasets.list()
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert "GET /api/projects/1/datasets/" in err  # the access log ran
    assert_clean(first + out + err, "serve's output")


KEPT = [
    "tests/**/__snapshots__/**/*",
    "tests/browser/output/**/*",
    "notebooks/*.ipynb",
    "benchmarks/RESULTS.md",
]
PHX = re.compile(rb"phx_[A-Za-z0-9_]+")


def test_files_the_suite_keeps_hold_no_key() -> None:
    files = sorted({p for pattern in KEPT for p in ROOT.glob(pattern) if p.is_file()})
    assert any("__snapshots__" in str(p) for p in files)
    leaked: dict[str, set[str]] = {}
    for path in files:
        data = path.read_bytes()
        assert CANARY.encode() not in data, path
        found = {m.decode() for m in PHX.findall(data)} - PUBLIC_KEYS
        if found:
            leaked[str(path.relative_to(ROOT))] = found
    assert not leaked, leaked


CRASH_SCRIPT = """
import sys
from explorer.api import Settings
from explorer.tui import datasets
from explorer.tui.app import make_app

settings = Settings.resolve()  # the key comes from POSTHOG_PERSONAL_API_KEY
shown = datasets.DatasetsScreen.redraw


def redraw_then_crash(self, change):
    shown(self, change)
    if self.model.state.datasets.loaded:
        api_key = settings.api_key  # a frame holding the key, as a careless one might
        raise RuntimeError("a bug in a screen, after the first page of datasets")


datasets.DatasetsScreen.redraw = redraw_then_crash
make_app(settings).run(headless=True, size=(120, 40))
sys.exit(3)
"""


def test_crash_report_never_holds_the_key(
    emulator_factory: EmulatorFactory, tmp_path: Path, isolate_env: Path
) -> None:
    server = emulator_factory("demo", api_keys=[CANARY])
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")},
        "POSTHOG_PERSONAL_API_KEY": CANARY,
        "POSTHOG_HOST": server.url,
        "POSTHOG_PROJECT_ID": str(server.project_id),
        "POSTHOG_EXPLORER_CONFIG": str(tmp_path / "none.toml"),
        "POSTHOG_EXPLORER_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    report = result.stdout + result.stderr
    assert "a bug in a screen" in report, report[-2000:]  # the crash was reported
    assert "Traceback" in report
    assert_clean(report, "the crash report")
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix in {".log", ".txt", ""}:
            assert_clean(path.read_text(errors="replace"), f"{path.name} after the crash")


@pytest.mark.notebook
@pytest.mark.timeout(240)
def test_notebook_outputs_never_hold_the_key(
    emulator_factory: EmulatorFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    server = emulator_factory("demo", api_keys=[CANARY])
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", CANARY)
    monkeypatch.setenv("POSTHOG_HOST", server.url)
    monkeypatch.setenv("POSTHOG_PROJECT_ID", str(server.project_id))
    monkeypatch.delenv("POSTHOG_EXPLORER_PROFILE", raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("POSTHOG_EXPLORER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    cells = [
        "from explorer import Client\nclient = Client()\nclient",
        "client.settings",
        f'client.items.get("{MISSING}")',  # NotFound, shown as the cell's error
        "import os\n"
        'Client(api_key=os.environ["POSTHOG_PERSONAL_API_KEY"][:-2] + "xx").datasets.list()',
        "from widgets import DatasetPanel\npanel = DatasetPanel()\npanel",
        'await panel.open("edge-cases")\npanel.dataset.name, panel.items[:2]',
        "panel.settings, panel.notice",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [o.ename for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert errors == ["NotFound", "AuthenticationFailed"], errors  # the errors were shown
    assert any("edge-cases" in str(c.outputs) for c in nb.cells)  # the panel worked
    assert_clean(nbformat.writes(nb), "the executed notebook (outputs and widget state)")
