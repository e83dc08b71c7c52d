"""The panel's review screens for LLM-sized text: the diff wraps and marks the changed words
(escaped, never markup), a long line shows its change, and the conflict view never shows a
field you did not touch as your change."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.api.models import DatasetItem
from explorer.model.editor import build_conflict, editor_from_item, set_field
from explorer.model.jsontext import value_to_text
from tests._emulator import RunningEmulator
from tests.widgets._html_check import assert_only_our_markup, parse
from tests.widgets._panel_helpers import click_row, client_for, make_panel, text_of
from tests.widgets.test_render import _RAW_UNSAFE, HOSTILE
from widgets import DatasetPanel
from widgets._editor import conflict_html
from widgets._render import PANEL_CSS, diff_html

ANSWER = (
    "Refunds are accepted within 30 days of delivery for items in their original packaging; "
    "the refund goes back to the card used for the purchase."
)
APPENDED = " Contact support for exceptions."
_MARK = re.compile(r'<mark class="dx-word">(.*?)</mark>', re.S)


def answer_json(answer: str) -> str:
    return json.dumps({"answer": answer}, indent=2, ensure_ascii=False)


def lines_of(out: str, kind: str) -> list[str]:
    """The inner HTML of each ``dx-<kind>`` line, mark and all."""
    pattern = rf'<div class="dx-line dx-{kind}"><span class="dx-mark">.</span>(.*?)</div>'
    return re.findall(pattern, out)


def marks(fragment: str) -> list[str]:
    """What each ``<mark>`` of ``fragment`` shows (entities decoded)."""
    return [parse(m).text for m in _MARK.findall(fragment)]


def test_appending_a_sentence_marks_only_the_new_words() -> None:
    out = diff_html(answer_json(ANSWER), answer_json(ANSWER + APPENDED))
    assert_only_our_markup(out)
    [removed], [added] = lines_of(out, "del"), lines_of(out, "add")
    assert marks(removed) == []
    assert marks(added) == [APPENDED]
    assert parse(added).text == f'  "answer": "{ANSWER}{APPENDED}"'  # the whole line, not cut


def test_a_word_replaced_mid_line_is_marked_on_both_sides() -> None:
    out = diff_html(answer_json(ANSWER), answer_json(ANSWER.replace("30 days", "45 days")))
    [removed], [added] = lines_of(out, "del"), lines_of(out, "add")
    assert (marks(removed), marks(added)) == (["30"], ["45"])


def test_lines_with_nothing_in_common_are_not_marked_word_by_word() -> None:
    out = diff_html('{\n  "n": 2\n}', '{\n  "n": 3\n}')
    assert marks(out) == ["2", "3"]  # the key is common: only the value is marked
    assert marks(diff_html("2", "3")) == []  # nothing in common: the line is the change


@pytest.mark.parametrize(("raw", "plain"), [(h[0], h[1]) for h in HOSTILE], ids=range(len(HOSTILE)))
def test_hostile_text_in_changed_words_is_escaped(raw: str, plain: str) -> None:
    # a plain-text field (ref_*): the text is diffed as it is, not JSON-escaped first
    before = "the trace says ok"
    after = f"the trace says {raw} ok"
    out = diff_html(before, after)
    parsed = assert_only_our_markup(out)
    assert not _RAW_UNSAFE.search(parsed.text), "a raw control or bidi character reached the page"
    out.encode("utf-8")
    assert marks(out) == [f"{plain} "]
    assert f"the trace says {plain} ok" in parsed.text


def test_an_img_tag_in_changed_words_stays_text() -> None:
    out = diff_html(answer_json(ANSWER), answer_json(ANSWER + " <img src=x onerror=alert(1)>"))
    assert "<img" not in out
    assert '<mark class="dx-word"> &lt;img src=x onerror=alert(1)&gt;</mark>' in out


def test_a_change_far_into_a_long_line_is_shown_and_the_line_bounded() -> None:
    long_answer = "lorem ipsum dolor sit amet " * 40_000  # about 1 MB on one line
    out = diff_html(answer_json(long_answer), answer_json(long_answer + "THE NEW END."))
    assert_only_our_markup(out)
    [removed], [added] = lines_of(out, "del"), lines_of(out, "add")
    assert marks(added) == ["THE NEW END."]
    assert "unchanged characters)" in parse(added).text
    # the old line shows where the new words went in: its end, not only its first characters
    assert parse(removed).text.endswith('amet "')
    assert "unchanged characters)" in parse(removed).text
    assert len(out) < 20_000


def _css_rule(selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", PANEL_CSS)
    assert match, f"no rule for {selector}"
    return match.group(1)


def test_the_diff_wraps_and_styles_the_marks() -> None:
    line = _css_rule(".dx-panel .dx-diff .dx-line")
    assert "white-space: pre-wrap" in line
    assert "overflow-wrap: anywhere" in line and "word-break: break-word" in line
    assert "font-weight: bold" in _css_rule(".dx-panel .dx-diff mark.dx-word")
    assert "background" in _css_rule(".dx-panel .dx-diff .dx-add mark.dx-word")
    assert "background" in _css_rule(".dx-panel .dx-diff .dx-del mark.dx-word")


# -- the conflict view -------------------------------------------------------------------------

BASE = DatasetItem.model_validate(
    {
        "id": "0192f3a4-7b1c-7e0a-9d55-2f1e6c0d9a01",
        "dataset": "0192f3a4-0000-7e0a-9d55-2f1e6c0d9a00",
        "input": {"question": "What is the refund window?"},
        "output": {"answer": ANSWER},
        "metadata": {"difficulty": "easy"},
        "created_at": "2026-03-02T09:00:00Z",
        "updated_at": "2026-03-02T09:00:00Z",
    }
)


def test_conflict_view_shows_an_untouched_field_as_theirs_only() -> None:
    editor = editor_from_item(BASE)
    set_field(editor, "output", value_to_text("output", {"answer": ANSWER + APPENDED}))
    theirs = BASE.model_copy(
        update={"output": {"answer": ANSWER + " Fast."}, "metadata": {"difficulty": "hard"}}
    )
    editor.conflict = build_conflict(editor, theirs)
    assert not editor.conflict.fields["metadata"].mine_changed
    out = conflict_html(editor)
    assert_only_our_markup(out)
    shown = text_of(out)
    assert "Output: theirs → mine" in shown
    assert "Metadata: theirs → mine" not in shown
    assert "Metadata: changed on the server" in shown
    assert "You did not edit this field: the server's version (theirs) is kept." in shown
    # the metadata diff is the server's change (base to theirs), not "mine" undoing it
    metadata = out[out.index("Metadata: changed on the server") :]
    assert [parse(x).text for x in lines_of(metadata, "del")] == ['  "difficulty": "easy"']
    assert [parse(x).text for x in lines_of(metadata, "add")] == ['  "difficulty": "hard"']
    assert marks("".join(lines_of(metadata, "del"))) == ["easy"]
    assert marks("".join(lines_of(metadata, "add"))) == ["hard"]
    # my field: theirs against mine, the words that differ marked
    output = out[out.index("Output: theirs → mine") : out.index("Metadata: changed")]
    assert marks("".join(lines_of(output, "del"))) == ["Fast"]
    assert marks("".join(lines_of(output, "add"))) == ["Contact support for exceptions"]


def test_conflict_view_of_a_field_only_i_changed() -> None:
    editor = editor_from_item(BASE)
    set_field(editor, "output", value_to_text("output", {"answer": ANSWER + APPENDED}))
    set_field(editor, "input", value_to_text("input", {"question": "Refund window?"}))
    theirs = BASE.model_copy(update={"input": {"question": "How long is the refund window?"}})
    editor.conflict = build_conflict(editor, theirs)
    shown = text_of(conflict_html(editor))
    assert "Output: theirs → mine" in shown
    assert "The server did not change this field; only you did." in shown


@pytest.fixture
def running(emulator_factory: Any) -> RunningEmulator:
    return emulator_factory("demo")


@pytest.fixture
def panel(running: RunningEmulator, tmp_path: Path) -> Iterator[DatasetPanel]:
    built = make_panel(running, tmp_path)
    built.open("customer-support-evals")
    yield built
    built.close()


def test_panel_conflict_does_not_offer_an_untouched_field_as_mine(
    panel: DatasetPanel, running: RunningEmulator
) -> None:
    item_id = str(panel.items[0].id)
    click_row(panel, item_id)
    panel.wait()
    panel._actions.edit.value = True
    editor = panel._editor
    editor.inputs["output"].value = '"my output"'
    panel.wait()
    with client_for(running) as client:
        client.items.update(item_id, output="their output", metadata={"edited": "elsewhere"})
    editor.save.click()
    panel.wait()
    editor.confirm.click()
    panel.wait()
    assert editor.conflict.layout.display == ""
    shown = text_of(editor.conflict_html.value)
    assert "Output: theirs → mine" in shown and "Metadata: changed on the server" in shown
    assert "Metadata: theirs → mine" not in shown
    assert editor.choice_rows["metadata"] in editor.conflict.children
    assert "not edited by you" in text_of(editor.choice_labels["metadata"].value)
    assert [label for label, _ in editor.choices["metadata"].options] == ["theirs", "as before"]
    assert editor.choices["metadata"].value == "theirs"
    assert [label for label, _ in editor.choices["output"].options] == ["mine", "theirs"]
    assert editor.choices["output"].value == "mine"
    editor.pick.click()
    panel.wait()
    with client_for(running) as client:
        on_server = client.items.get(item_id)
    assert on_server.output == "my output"
    assert on_server.metadata == {"edited": "elsewhere"}  # their change kept
