"""The emulator is an independent implementation: it never loads the client or the model."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = """
import json, sys
import explorer.emulator
from explorer.emulator import EmulatorServer
from explorer.emulator.seed import demo_datasets
from explorer.emulator.v2.seed import v2_demo_datasets
demo_datasets("demo")  # the lazily imported demo data too
v2_demo_datasets("demo")
with EmulatorServer(seed="none") as server:
    pass
with EmulatorServer(seed="none", api="v2") as server:
    pass
import explorer.cli
prefixes = ("explorer.", "textual", "ipywidgets")
print(json.dumps(sorted(m for m in sys.modules if m.startswith(prefixes))))
"""


def test_import_emulator_loads_neither_api_nor_model() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded = json.loads(out)
    assert "explorer.emulator.server" in loaded
    assert "explorer.emulator.v2.items" in loaded and "explorer.emulator.demo_v2" in loaded
    assert not [m for m in loaded if m.startswith(("explorer.api", "explorer.model"))], loaded
    assert not [m for m in loaded if m.startswith(("textual", "ipywidgets"))], loaded
