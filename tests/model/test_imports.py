"""`explorer.model` imports only `explorer.api`, `explorer.paths` (where files go), platformdirs
and the standard library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

MODEL = Path(__file__).resolve().parents[2] / "explorer" / "model"
ALLOWED = {"explorer", "platformdirs"} | set(sys.stdlib_module_names) | {"__future__"}
# the `pandas` extra, imported when a DataFrame is asked for (never by `import explorer.model`,
# which the next test checks)
OPTIONAL = {"frames.py": {"pandas"}}


def test_model_sources_import_only_what_they_may() -> None:
    for path in MODEL.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                allowed = ALLOWED | OPTIONAL.get(path.name, set())
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                if name.startswith("explorer."):
                    assert name.startswith(("explorer.api", "explorer.model", "explorer.paths")), (
                        name
                    )


def test_importing_the_model_loads_no_ui_and_no_server() -> None:
    code = (
        "import sys, explorer.model; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'ipywidgets', 'starlette', 'uvicorn') or m.startswith('explorer.emulator')]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
