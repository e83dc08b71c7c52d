"""What an install brings: the client's own dependencies only, the rest behind extras; the
exact pin the snapshots need only in the test setup; one version; a license; typing markers."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

import explorer

ROOT = Path(__file__).parent.parent
DIST = "posthog-dataset-explorer"


def _requirements() -> list[Requirement]:
    return [Requirement(text) for text in metadata.requires(DIST) or []]


def _core() -> set[str]:
    return {r.name for r in _requirements() if r.marker is None}


def test_the_client_installs_light() -> None:
    assert _core() == {"httpx", "pydantic", "platformdirs"}


def test_front_ends_and_server_are_extras() -> None:
    by_extra: dict[str, set[str]] = {}
    for requirement in _requirements():
        if requirement.marker is None:
            continue
        for extra in ("server", "tui", "notebook", "dev"):
            if requirement.marker.evaluate({"extra": extra}):
                by_extra.setdefault(extra, set()).add(requirement.name)
    assert {"starlette", "uvicorn"} <= by_extra["server"]
    assert "textual" in by_extra["tui"] and "ipywidgets" in by_extra["notebook"]


def test_no_exact_pins_in_what_users_install() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    user_facing = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        if extra != "dev":
            user_facing += requirements
    assert not [r for r in user_facing if "==" in r], user_facing
    constraints = (ROOT / "constraints" / "test.txt").read_text()
    assert "textual==" in constraints  # the snapshots' Textual, pinned for the tests only
    assert "-c constraints/test.txt" in (ROOT / "scripts" / "test.sh").read_text()


def test_one_version_everywhere() -> None:
    assert metadata.version(DIST) == explorer.__version__
    shown = subprocess.run(
        [sys.executable, "-m", "explorer", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert shown.strip() == f"dataset-explorer {explorer.__version__}"


def test_license_and_typing_markers() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert (ROOT / "explorer" / "py.typed").exists() and (ROOT / "widgets" / "py.typed").exists()


BLOCKED = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Block())
import explorer.cli
explorer.cli._in_terminal = lambda: True  # as if run in a terminal
raise SystemExit(explorer.cli.main({argv!r}))
"""


def _run_without(blocked: set[str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    code = BLOCKED.format(blocked=blocked, argv=argv)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_serve_without_the_server_extra_says_what_to_install() -> None:
    done = _run_without({"starlette", "uvicorn"}, ["serve", "--port", "0"])
    assert done.returncode == 2
    assert "pip install 'posthog-dataset-explorer[server]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_app_without_the_tui_extra_says_what_to_install() -> None:
    done = _run_without({"textual"}, [])
    assert done.returncode == 2
    assert "pip install 'posthog-dataset-explorer[tui]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_client_imports_without_any_extra() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'textual', 'starlette', 'uvicorn', 'ipywidgets'}:\n"
        "            raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from explorer import Client\n"
        "import explorer.model\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
