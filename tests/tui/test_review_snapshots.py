"""What the review screens show for LLM-sized text: SVG snapshots, accepted after looking at
each one. Built from fixed data (no server, no clock): the save diff of a sentence appended to a
one-line answer, and the conflict dialog where both sides changed that answer."""

from __future__ import annotations

from typing import Any

from explorer.model.diff import diff_values
from explorer.tui.dialogs import DiffModal
from tests.tui._item_screens import snapshot_ready
from tests.tui.test_review_dialogs import ANSWER, APPENDED, Host, long_conflict


def appended_sentence() -> DiffModal:
    before = {"question": "What is the refund window?", "answer": ANSWER}
    after = {"question": "What is the refund window?", "answer": ANSWER + APPENDED}
    return DiffModal({"output": diff_values("output", before, after)})


def test_save_diff_of_an_appended_sentence(snap_compare: Any) -> None:
    assert snap_compare(Host(appended_sentence), terminal_size=(100, 30), run_before=snapshot_ready)


def test_conflict_of_a_long_answer(snap_compare: Any) -> None:
    assert snap_compare(Host(long_conflict), terminal_size=(120, 36), run_before=snapshot_ready)
