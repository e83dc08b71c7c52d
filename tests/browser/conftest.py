"""The notebook panel in a real browser: JupyterLab or Voila on a free port, Debian's chromium.

Each test starts its own server in a temporary directory holding a copy of the notebook (with
``api=``: its ``DatasetPanel.demo()`` made ``DatasetPanel.demo(api=...)``), with its own Jupyter
config, runtime and data dirs (nothing of the user's is read or written), and stops it in a
``finally``. Chromium may reach 127.0.0.1 only; every other request is aborted.
Screenshots go to ``tests/browser/output/<test name>/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.notebooks._demo_api import demo_on

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
BIN = Path(sys.executable).parent


def chromium() -> str | None:
    for path in CHROMIUM_PATHS:
        if os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str  # the page to open
    log: Path  # the server's stdout and stderr

    def tracebacks(self) -> str:
        text = self.log.read_text(errors="replace")
        return text if "Traceback (most recent call last)" in text else ""


def isolated_env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTHOG_", "JUPYTER"))}
    for name in ("config", "runtime", "data", "ipython", "xdg-config", "xdg-data", "xdg-cache"):
        (base / name).mkdir(parents=True, exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_PLATFORM_DIRS="1",
        IPYTHONDIR=str(base / "ipython"),
        XDG_CONFIG_HOME=str(base / "xdg-config"),
        XDG_DATA_HOME=str(base / "xdg-data"),
        XDG_CACHE_HOME=str(base / "xdg-cache"),
        POSTHOG_EXPLORER_CONFIG=str(base / "no-config.toml"),
        PYTHONUNBUFFERED="1",
    )
    # Jupyter finds the venv's kernel spec and lab extensions through sys.prefix; keep them.
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


@contextmanager
def serve(cmd: list[str], workdir: Path, ready_url: str, log: Path) -> Iterator[None]:
    """Run ``cmd`` in ``workdir`` until ``ready_url`` answers; stop it (always) afterwards."""
    import urllib.error
    import urllib.request

    env = isolated_env(workdir / ".jupyter-home")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"{cmd[0]} exited:\n{log.read_text(errors='replace')}")
                try:
                    with urllib.request.urlopen(ready_url, timeout=5) as answer:
                        if answer.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{cmd[0]} did not start:\n{log.read_text()}")
                time.sleep(0.25)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def notebook_copy(
    tmp_path: Path,
    name: str = "quickstart.ipynb",
    api: str | None = None,
    source: Path | None = None,
) -> Path:
    """A folder holding a copy of ``notebooks/<name>`` (or of ``source``, named ``name``); with
    ``api``, its demo speaks that API generation (``DatasetPanel.demo(api="classic")`` typed
    in, as a user would)."""
    workdir = tmp_path / "nb"
    workdir.mkdir()
    if source is not None:
        shutil.copy(source, workdir / name)
    elif api is None:
        shutil.copy(ROOT / "notebooks" / name, workdir / name)
    else:
        notebook = json.loads((ROOT / "notebooks" / name).read_text())
        demo_on(notebook, api)
        (workdir / name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return workdir


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """``tests/browser/output/<test name>/``, emptied first."""
    folder = OUTPUT / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def browser_page(shots: Path) -> Iterator[Any]:
    """A chromium page that may reach 127.0.0.1 only; JavaScript dialogs are recorded (an
    ``alert`` from dataset text would be a failure) and dismissed."""
    path = chromium()
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1000})

            def route(r: Any) -> None:
                host = r.request.url.split("/")[2] if "://" in r.request.url else ""
                if host.startswith("127.0.0.1") or r.request.url.startswith(("data:", "blob:")):
                    r.continue_()
                else:
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.dialogs = []  # type: ignore[attr-defined]

            def on_dialog(dialog: Any) -> None:
                page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
                dialog.dismiss()

            page.on("dialog", on_dialog)
            yield page
        finally:
            browser.close()


@contextmanager
def voila(
    tmp_path: Path, notebook: str = "quickstart.ipynb", api: str | None = None
) -> Iterator[Served]:
    workdir = notebook_copy(tmp_path, notebook, api)
    port, token = free_port(), "panel-test-token"
    cmd = [
        str(BIN / "voila"),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        f"--token={token}",
        "--show_tracebacks=True",
        notebook,
    ]
    url = f"http://127.0.0.1:{port}/?token={token}"
    log = tmp_path / "voila.log"
    with serve(cmd, workdir, f"http://127.0.0.1:{port}/voila/static/voila.js", log):
        yield Served(url, log)


@contextmanager
def jupyterlab(
    tmp_path: Path,
    notebook: str = "quickstart.ipynb",
    api: str | None = None,
    source: Path | None = None,
) -> Iterator[Served]:
    """JupyterLab on a free port with ``notebooks/<notebook>`` (or ``source``) open."""
    with _jupyter("lab", tmp_path, notebook, api, source) as served:
        yield served


@contextmanager
def notebook7(tmp_path: Path, notebook: str = "quickstart.ipynb") -> Iterator[Served]:
    """Jupyter Notebook 7 on a free port with ``notebooks/<notebook>`` open."""
    with _jupyter("notebook", tmp_path, notebook, None, None) as served:
        yield served


@contextmanager
def _jupyter(
    kind: str, tmp_path: Path, notebook: str, api: str | None, source: Path | None
) -> Iterator[Served]:
    """``jupyter-lab`` (kind "lab") or ``jupyter-notebook`` (Notebook 7, kind "notebook"): the
    same server with another front end, its settings in the test's folder."""
    notebook = notebook if source is None else source.name
    workdir = notebook_copy(tmp_path, notebook, api, source)
    port, token = free_port(), "panel-test-token"
    settings = workdir / ".settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    app = "LabApp" if kind == "lab" else "JupyterNotebookApp"
    cmd = [
        str(BIN / f"jupyter-{kind}"),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={workdir}",
        f"--{app}.expose_app_in_browser=True",
        f"--{app}.workspaces_dir={workdir / '.ws'}",
        f"--{app}.user_settings_dir={settings}",
    ]
    if kind == "lab":
        cmd += [
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        url = f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}&reset"
    else:
        url = f"http://127.0.0.1:{port}/notebooks/{notebook}?token={token}"
    if os.geteuid() == 0:
        cmd.append("--ServerApp.allow_root=True")
    log = tmp_path / f"{kind}.log"
    with serve(cmd, workdir, f"http://127.0.0.1:{port}/api/status?token={token}", log):
        yield Served(url, log)
