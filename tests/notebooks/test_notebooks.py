"""Every notebook in notebooks/ runs top to bottom in a real kernel, as a new user would run it:
no API key, no config, nothing but the embedded demo server (API v2 unless the notebook says
otherwise, as ``DatasetPanel.demo()`` does). The quickstart also runs on the classic API, with
``DatasetPanel.demo(api="classic")`` typed in: its code reads the fields from the schema. After
"Run all" the panel is still shown (no notebook closes it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.notebooks._demo_api import demo_on

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

pytestmark = [pytest.mark.notebook, pytest.mark.timeout(240)]


@pytest.fixture(autouse=True)
def new_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel that sees no PostHog settings and writes nothing outside ``tmp_path``."""
    for name in (
        "POSTHOG_PERSONAL_API_KEY",
        "POSTHOG_HOST",
        "POSTHOG_PROJECT_ID",
        "POSTHOG_EXPLORER_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


# run after the notebook's last cell: is the panel of its first cell still there to look at?
STILL_SHOWN = "print('panel shown:', panel.widget.comm is not None)"


def run(name: str, tmp_path: Path, api: str | None = None) -> list[Any]:
    """The notebook's code cells, run (on the demo of ``api`` when given); checks that the
    panel is still shown at the end."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    if api is not None:
        demo_on(nb, api)
    nb.cells.append(nbformat.v4.new_code_cell(STILL_SHOWN))
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError naming the failing cell
    *cells, probe = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert text(probe) == "panel shown: True\n", "Run all leaves the panel open"
    return cells


def text(cell: Any) -> str:
    out = []
    streaming = False  # a print may reach the notebook as several stream messages: one text
    for output in cell.outputs:
        assert output.output_type != "error", output
        if output.output_type == "stream":
            if streaming:
                out[-1] += output.text
            else:
                out.append(output.text)
            streaming = True
            continue
        streaming = False
        if "text/plain" in output.get("data", {}):
            out.append(output.data["text/plain"])
    return "\n".join(out)


def shows_widget(cell: Any) -> bool:
    return any(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs)


def test_quickstart_runs_as_it_is(tmp_path: Path):
    cells = run("quickstart.ipynb", tmp_path)
    assert shows_widget(cells[0]), "the first cell shows the panel, on the v2 demo"
    assert "API v2 · customer-support-evals 1-50 of 591" in text(cells[1])
    assert "'role': 'assistant'" in text(cells[2])  # the selected item's expected output
    frame = text(cells[3])
    assert "expected_output" in frame and "source_trace_id" in frame  # the DataFrame
    counts = text(cells[4])  # the client; archived items are not counted
    assert "('customer-support-evals', 591)" in counts and "('rag-answers-golden', 296)" in counts
    assert text(cells[5]).startswith("(72,") and "'versions-at-limit'" in text(cells[5])
    assert not (tmp_path / "data").exists(), "the demo journal is temporary"


def test_quickstart_runs_on_the_classic_api(tmp_path: Path):
    cells = run("quickstart.ipynb", tmp_path, api="classic")
    assert shows_widget(cells[0])
    assert "classic API · customer-support-evals 1-50 of 1,200" in text(cells[1])
    assert "'role': 'assistant'" in text(cells[2])  # the selected item's output
    frame = text(cells[3])
    assert "output" in frame and "expected_output" not in frame and "ref_trace_id" in frame
    assert "('customer-support-evals', 1200)" in text(cells[4])
    assert text(cells[5]).startswith("(59,") and "'kitchen-sink'" in text(cells[5])
    assert not (tmp_path / "data").exists()


def test_eval_workflow_runs_as_it_is(tmp_path: Path):
    cells = run("eval-workflow.ipynb", tmp_path)
    assert shows_widget(cells[0])
    # found by metadata with a query, paged in the grid
    assert text(cells[1]) == "150 refund conversations (20 hard); the grid shows 1-50 of 150\n"
    bulk = text(cells[2])  # the plan, then the bulk action on the marked results
    assert bulk.startswith('Set metadata.policy to "refunds-2025" on 150 items of customer-')
    assert bulk.endswith("'Set metadata.policy on 150 items.'")
    assert text(cells[3]) == "(150, True)"  # what the server holds
    frame = text(cells[4])  # a DataFrame of the results, edited, its diff
    assert frame == "150 rows, 12 escalations\n\n<FrameChanges 12 of 12 rows would change.>"
    assert any("text/html" in o.get("data", {}) for o in cells[4].outputs)  # the diff shown
    saved = text(cells[5])
    assert saved.startswith("Saved 12 of 12 rows.\n")
    assert saved.endswith("('handoff_to_agent', 'handoff_to_agent', 'search_help_center')")
    export = text(cells[6])  # the results as CSV
    assert export.startswith("150 rows -> refunds.csv (")
    assert "(True,\n 'refunds-2025'," in export and "'item_id'" in export
    assert not (tmp_path / "data").exists()


def test_versioned_datasets_runs_as_it_is(tmp_path: Path):
    cells = run("versioned-datasets.ipynb", tmp_path)
    assert shows_widget(cells[0]), "the first cell shows the panel, on the v2 demo"
    browse = text(cells[1])
    assert "API v2 · customer-support-evals 1-50 of 591" in browse
    assert "expected_output, source_output" in browse
    assert text(cells[2]).startswith("v5 ")  # an item with a history, and its version id
    assert "Saved item" in text(cells[3]) and text(cells[3]).endswith("(1, True, True)")
    assert "'source_output' cannot be edited" in text(cells[4])  # raised, caught, printed
    archive = text(cells[5])
    assert "Archived item" in archive and "archived on the server: True" in archive
    assert "Restored item" in archive and archive.endswith("(False, 'v8')")
    versions = text(cells[6])
    assert versions.startswith("[(8, 'active'") and "(7, 'archived'" in versions
    assert "(1, 'active'" in versions
    assert text(cells[7]).startswith("at revision") and "v1 True" in text(cells[7])
    assert not (tmp_path / "data").exists(), "the demo journal is temporary"


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name
