"""The page table, the Select rows, the ref fields and the trace link."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import ipywidgets
import pytest

from explorer.api.models import DatasetItem, VersionedItem
from explorer.model import CLASSIC, V2
from tests.widgets._html_check import (
    assert_only_our_markup,
    parse,
    row_label_cells,
    without_cell_isolates,
)
from widgets._render import (
    ITEM_COLUMNS,
    item_columns,
    items_select_header,
    items_select_header_html,
    items_select_options,
    items_table_html,
    refs_html,
    safe_host,
    trace_url,
)

HOST = "https://us.posthog.com"
TS = datetime(2025, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


def _item(n: int, **over: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"0192f0a1-7c00-7000-8000-0000{n:08x}",  # UUIDv7: a shared time head
        "input": {"messages": [{"role": "user", "content": f"question {n} " + "x" * 500}]},
        "output": f"answer {n}",
        "metadata": {"n": n},
        "ref_trace_id": None,
        "ref_timestamp": None,
        "ref_source_id": None,
        "updated_at": "2025-01-31T09:05:59Z",
    }
    item.update(over)
    return item


def _traced(n: int, **over: Any) -> dict[str, Any]:
    refs = {"ref_trace_id": f"trace-{n}", "ref_timestamp": TS, "ref_source_id": f"gen-{n}"}
    return _item(n, **{**refs, **over})


def _labels(items: list[Any], **kwargs: Any) -> list[str]:
    """The Select labels as the user reads them (the panel's own cell isolates checked, then
    removed)."""
    return [without_cell_isolates(label) for label, _ in items_select_options(items, **kwargs)]


def _rows(html_text: str) -> list[str]:
    return html_text.split("<tr")[2:]  # after the header row


# ------------------------------------------------------------------------------ page table


def test_table_shows_one_row_per_item_with_previews() -> None:
    items = [_item(i) for i in range(100)]
    out = items_table_html(items, selected_id=None, columns=ITEM_COLUMNS)
    parsed = assert_only_our_markup(out)
    assert [t for t, _ in parsed.tags].count("tr") == 101
    assert [t for t, _ in parsed.tags].count("table") == 1
    row = _rows(out)[3]
    assert ">00000003<" in row  # short id: the tail (the head is the same for all)
    assert 'title="0192f0a1-7c00-7000-8000-000000000003"' in row
    # the chat input previews as its last user message, not as the JSON around it
    assert ">user: question 3 xxx" in row and '"messages"' not in row
    assert "2025-01-31 09:05" in row
    assert '"answer 3"' in parse(row).text


def test_previews_are_cut_to_80_characters() -> None:
    out = items_table_html([_item(1, input="y" * 5_000_000)], selected_id=None)
    cells = [d for d in parse(out).text.split("\n") if d]
    assert '"' + "y" * 78 + "…" in parse(out).text
    assert "y" * 80 not in "".join(cells)
    assert len(out) < 2_000


def test_selected_row_is_marked() -> None:
    items = [_item(i) for i in range(5)]
    out = items_table_html(items, selected_id=items[2]["id"])
    rows = _rows(out)
    assert [("dx-selected" in r) for r in rows] == [False, False, True, False, False]
    assert 'aria-selected="true"' in rows[2]
    assert "dx-selected" not in items_table_html(items, selected_id="nope")


def test_trace_marker_only_when_all_three_refs_are_set() -> None:
    items = [
        _traced(0),
        _traced(1, ref_trace_id=None),
        _traced(2, ref_timestamp=None),
        _traced(3, ref_source_id=""),
        _item(4),
    ]
    rows = _rows(items_table_html(items, selected_id=None))
    assert ["dx-badge-trace" in r for r in rows] == [True, False, False, False, False]
    labels = _labels(items)
    assert ["↗" in label for label in labels] == [True, False, False, False, False]


def test_columns_are_chosen_and_checked() -> None:
    out = items_table_html([_item(1)], selected_id=None, columns=("id", "answer"))
    parsed = parse(out)
    assert parsed.text.startswith("idoutput")
    assert "messages" not in parsed.text
    with pytest.raises(ValueError, match="unknown columns"):
        items_table_html([_item(1)], selected_id=None, columns=("id", "bogus"))
    with pytest.raises(ValueError, match="unknown columns"):
        items_select_options([_item(1)], columns=("nope",))


def test_empty_page() -> None:
    assert "No items on this page" in parse(items_table_html([], selected_id=None)).text
    assert items_select_options([]) == []


def test_objects_with_attributes_work_like_dicts() -> None:
    as_dict = _traced(7)
    as_obj = SimpleNamespace(**as_dict)
    assert items_table_html([as_obj], selected_id=as_dict["id"]) == items_table_html(
        [as_dict], selected_id=as_dict["id"]
    )
    assert items_select_options([as_obj]) == items_select_options([as_dict])


def test_dataset_item_models_render() -> None:
    item = DatasetItem.model_validate(
        {
            "id": "0b4f2a6e-0000-4000-8000-000000000001",
            "dataset": "0b4f2a6e-0000-4000-8000-0000000000ff",
            "input": {"big": 2**70},
            "output": None,
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-02-03T04:05:06Z",
            "ref_trace_id": "t 1",
            "ref_timestamp": "2025-01-01T00:00:00Z",
            "ref_source_id": "s",
            "ref_span_id": "old-name",
        }
    )
    out = items_table_html([item], selected_id=item.id)
    assert "dx-selected" in out
    assert str(2**70) in parse(out).text
    assert "2025-02-03 04:05" in out
    [(label, value)] = items_select_options([item])
    assert value == str(item.id)
    label = without_cell_isolates(label)
    assert label.startswith('00000001  {"big":1180591620717411303424}')
    refs = parse(refs_html(item, HOST, 2)).text
    assert "ref_span_id" in refs
    assert "old-name" in refs
    assert "2025-01-01T00:00:00Z" in refs


# ------------------------------------------------------------------------------ Select rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_select_labels_are_fixed_width_columns() -> None:
    items = [
        _traced(1),
        _item(2, input="日本語のテキスト" * 10, output="😀" * 50, metadata=None),
        _item(3, input="", output={"a": [1, 2]}, updated_at=None),
    ]
    header = items_select_header()
    starts = [header.index(title) for title in ("input", "output", "metadata", "trace")]
    for label in _labels(items):
        # Every column starts at the same screen column as its title, after a two-space gap.
        for start in starts:
            if _width(label) <= start:  # trailing empty columns are stripped
                assert label.rstrip() == label
                continue
            cut = next((i for i in range(len(label) + 1) if _width(label[:i]) >= start), None)
            assert cut is not None
            assert _width(label[:cut]) == start, label
            assert label[cut - 2 : cut] == "  ", label


def test_select_header_html_is_escaped_text() -> None:
    out = items_select_header_html(("id", "input"))
    assert_only_our_markup(out)
    assert parse(out).text == items_select_header(("id", "input"))


def test_one_select_widget_serves_any_page_size() -> None:
    items = [_item(i) for i in range(200)]
    select = ipywidgets.Select(options=items_select_options(items), rows=20)
    select.add_class("dx-rows")
    assert len(select.options) == 200
    select.value = items[150]["id"]
    assert select.index == 150
    # The labels reach the browser as text: the view sets textContent, never innerHTML.
    assert without_cell_isolates(select._options_labels[150]).startswith("00000096  ")
    select.close()


# ------------------------------------------------------------------------------ refs and link


def _href(html_text: str) -> str | None:
    hrefs = parse(html_text).attrs("a", "href")
    assert len(hrefs) <= 1
    return hrefs[0] if hrefs else None


def test_trace_link_encodes_every_part() -> None:
    trace = "a b?c&d#e%f/g+h"
    source = "gen&x=1#frag"
    item = _item(1, ref_trace_id=trace, ref_source_id=source, ref_timestamp=TS)
    out = refs_html(item, HOST + "/", 2)
    parsed = assert_only_our_markup(out)
    href = _href(out)
    assert href == trace_url(item, HOST, 2)
    assert href is not None
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc) == ("https", "us.posthog.com")
    assert parts.fragment == ""
    prefix = "/project/2/llm-analytics/traces/"
    assert parts.path.startswith(prefix)
    assert unquote(parts.path[len(prefix) :]) == trace
    assert parse_qs(parts.query, strict_parsing=True) == {
        "event": [source],
        "timestamp": ["2025-03-04T05:06:07.890000Z"],
    }
    anchor = next(attrs for tag, attrs in parsed.tags if tag == "a")
    assert ("target", "_blank") in anchor
    assert ("rel", "noopener noreferrer") in anchor


def test_trace_link_agrees_with_the_api_model() -> None:
    item = DatasetItem.model_validate(
        {
            "id": "0b4f2a6e-0000-4000-8000-000000000001",
            "dataset": "0b4f2a6e-0000-4000-8000-0000000000ff",
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
            "ref_trace_id": "tr ace?#",
            "ref_timestamp": "2025-01-01T10:00:00+02:00",
            "ref_source_id": "s&1",
        }
    )
    ours = trace_url(item, HOST, 2)
    theirs = item.trace_url(HOST, 2)
    assert ours is not None
    assert theirs is not None
    assert urlsplit(ours).path == urlsplit(theirs).path
    assert parse_qs(urlsplit(ours).query) == parse_qs(urlsplit(theirs).query)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), "2025-01-02T03:04:05Z"),
        (datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05Z"),  # naive: taken as UTC
        (
            datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "2025-01-02T03:04:05+02:00",
        ),
        ("2025-01-02T03:04:05.123Z", "2025-01-02T03:04:05.123000Z"),  # JSON text: parsed
    ],
)
def test_trace_link_timestamps(moment: Any, expected: str) -> None:
    url = trace_url(_item(1, ref_trace_id="t", ref_source_id="s", ref_timestamp=moment), HOST, 2)
    assert url is not None
    assert parse_qs(urlsplit(url).query)["timestamp"] == [expected]


@pytest.mark.parametrize("missing", ["ref_trace_id", "ref_timestamp", "ref_source_id"])
@pytest.mark.parametrize("empty", [None, ""])
def test_no_link_when_a_ref_field_is_missing(missing: str, empty: Any) -> None:
    item = _traced(1, **{missing: empty})
    out = refs_html(item, HOST, 2)
    assert _href(out) is None
    assert trace_url(item, HOST, 2) is None
    text = assert_only_our_markup(out).text
    assert "the link fields it needs are not all set" in text
    assert "not set" in text


def test_no_link_without_a_project() -> None:
    assert trace_url(_traced(1), HOST, None) is None
    assert trace_url(_traced(1), HOST, "") is None
    assert trace_url(_traced(1), HOST, "../2") is None
    assert trace_url(_traced(1), HOST, True) is None
    assert trace_url(_traced(1), HOST, " 2 ") == trace_url(_traced(1), HOST, 2)
    assert "the project id is not a number" in parse(refs_html(_traced(1), HOST, "x")).text


@pytest.mark.parametrize(
    "host",
    [
        "javascript:alert(1)",
        "javascript://us.posthog.com/%0aalert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://us.posthog.com",
        "//evil.example",
        "us.posthog.com",
        "https://",
        "https://us.posthog.com@evil.example",
        "https://us.posthog.com:99999",
        "https://us.posthog.com/?next=x",
        "https://us.posthog.com/#x",
        'https://us.posthog.com" onmouseover="alert(1)',
        "https://us.posthog.com/\x00",
        " https://us.posthog.com",
        "",
    ],
)
def test_no_link_for_a_host_that_is_not_plain_http(host: str) -> None:
    assert safe_host(host) is None
    out = refs_html(_traced(1), host, 2)
    assert _href(out) is None
    assert "not an http(s) address" in assert_only_our_markup(out).text


@pytest.mark.parametrize(
    ("host", "base"),
    [
        ("https://us.posthog.com/", "https://us.posthog.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("HTTPS://eu.posthog.com", "HTTPS://eu.posthog.com"),
        ("https://posthog.example.com/base/", "https://posthog.example.com/base"),
    ],
)
def test_http_hosts_get_a_link(host: str, base: str) -> None:
    assert safe_host(host) == base
    href = _href(refs_html(_traced(1), host, 42))
    assert href is not None
    assert href.startswith(base + "/project/42/llm-analytics/traces/trace-1?event=gen-1&")


def test_javascript_in_ref_fields_stays_inside_the_path_and_query() -> None:
    item = _item(
        1,
        ref_trace_id="javascript:alert(1)",
        ref_source_id='javascript:alert(2)"><script>',
        ref_timestamp=TS,
    )
    href = _href(refs_html(item, HOST, 2))
    assert href == (
        f"{HOST}/project/2/llm-analytics/traces/javascript%3Aalert%281%29"
        "?event=javascript%3Aalert%282%29%22%3E%3Cscript%3E"
        "&timestamp=2025-03-04T05%3A06%3A07.890000Z"
    )
    # a timestamp that is not one gives no link at all (nothing of it reaches an href)
    bad = _item(1, ref_trace_id="t", ref_source_id="s", ref_timestamp='"><script>')
    assert _href(refs_html(bad, HOST, 2)) is None


def test_a_lone_surrogate_in_a_link_field_is_sent_as_its_escape() -> None:
    item = _traced(1, ref_trace_id="lone \ud800 trace")
    url = trace_url(item, HOST, 2)
    assert url is not None
    url.encode("utf-8")
    assert unquote(urlsplit(url).path).endswith("/lone \\ud800 trace")


def test_select_rows_preview_what_tells_items_apart() -> None:
    system = {"role": "system", "content": "You are Wren, Brightwell's support assistant."}
    call = {"function": {"name": "lookup_order", "arguments": '{"order_id": "BW-7135394"}'}}
    items = [
        _item(
            1,
            input={"messages": [system, {"role": "user", "content": "Where is my order?"}]},
            output={"role": "assistant", "content": None, "tool_calls": [call]},
        ),
        _item(
            2,
            input={"question": "when do raises take effect", "documents": []},
            output={"answer": "In October [1].", "citations": ["a"]},
        ),
        _item(
            3,
            input={"question": "top 5 toys?", "schema": "CREATE TABLE"},
            output={"sql": "SELECT name FROM toys LIMIT 5;"},
        ),
        _item(4, input="just a string", output=None, metadata={"tags": ["a"]}),
    ]
    labels = _labels(items, columns=("input", "answer"))
    assert labels[0].startswith("user: Where is my order?")
    assert '→ lookup_order({"order_id": "BW…' in labels[0]
    assert labels[1].startswith("when do raises take effect") and "In October [1]." in labels[1]
    assert labels[2].startswith("top 5 toys?") and "SELECT name FROM toys LIMIT 5;" in labels[2]
    assert labels[3].startswith('"just a string"') and labels[3].endswith("null")
    table = parse(items_table_html(items)).text
    assert "user: Where is my order?" in table and '"messages"' not in table
    assert '{"tags":["a"]}' in table  # metadata stays compact JSON


def test_a_salient_preview_is_escaped_and_cut_like_any_item_text() -> None:
    hostile = "<b>\x1b[2J\u202eevil\u202c</b> " + "z" * 5_000_000
    item = _item(1, input={"messages": [{"role": "user", "content": hostile}]})
    [label] = _labels([item], columns=("input",))
    assert label == "user: <b>\\x1b[2J\\u202eevil\\u202…"
    html_text = items_table_html([item], columns=("input",), preview_chars=80)
    assert "&lt;b&gt;" in html_text and "<b>" not in html_text
    assert "\x1b" not in html_text and "\u202e" not in html_text


def test_right_to_left_text_stays_in_its_cell() -> None:
    hebrew = "שלום, ההזמנה שלי עדיין לא הגיעה."
    arabic = "مرحبا، أين طلبي؟ لقد طلبته منذ أسبوع"
    items = [
        _item(1, input="plain ascii", output="answer", metadata={"n": 1}),
        _item(2, input=hebrew, output="answer", metadata={"n": 2}),
        _item(3, input="plain ascii", output=arabic, metadata={"lang": arabic}),
        _item(
            4,
            input={"messages": [{"role": "user", "content": arabic + " BW-1234"}]},
            output=hebrew + " 42",
            metadata={"n": 4},
        ),
    ]
    labels = [label for label, _ in items_select_options(items)]
    header = items_select_header()
    starts = [header.index(title) for title in ("id", "input", "output", "metadata", "updated")]
    offsets = []
    for label in labels:
        cells = row_label_cells(label)  # every cell in one FSI ... PDI pair, nothing else raw
        assert len(cells) == 5  # id, input, output, metadata, updated (no trace)
        isolates = [i for i, ch in enumerate(label) if ch == "\u2068"]
        offsets.append(isolates)
        # in screen cells (the isolates take none), each cell starts under its title
        seen = without_cell_isolates(label)
        cell_starts = [
            _width(label[:i].replace("\u2068", "").replace("\u2069", "")) for i in isolates
        ]
        assert cell_starts == starts, seen
        # outside the isolates there is only padding: no letter of either direction
        assert re.sub("\u2068[^\u2069]*\u2069", "", label).strip(" ") == ""
        assert (
            any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in seen) or label is labels[0]
        )
    # and in code points: the rows with Hebrew or Arabic put the next columns where the plain
    # row does
    assert offsets[1] == offsets[0] and offsets[2] == offsets[0] and offsets[3] == offsets[0]


@pytest.mark.parametrize(
    "label",
    [
        "\u2068a\u2069  \u2069",  # a PDI of its own
        "\u2068a\u2068b\u2069\u2069",  # nested
        "\u2068a",  # never closed
        "\u2068a\u2069  b",  # text outside a cell
        "\u2068a\u2069  \u202eb",  # another bidi control outside a cell
    ],
)
def test_the_label_check_refuses_isolates_that_are_not_the_panels(label: str) -> None:
    with pytest.raises(AssertionError):
        row_label_cells(label)


# ------------------------------------------------------------------------------ v2 items


def _v2(n: int, **over: Any) -> dict[str, Any]:
    """A v2 item's JSON, as the versioned API sends it."""
    item: dict[str, Any] = {
        "id": f"0192f0a1-7c00-7000-8000-0000{n:08x}",
        "dataset": "0192f0a1-7c00-7000-8000-0000000000ff",
        "version": 3,
        "version_id": f"0192f0a1-7c00-7000-9000-0000{n:08x}",
        "dataset_revision": 7,
        "dataset_revision_id": "0192f0a1-7c00-7000-a000-000000000007",
        "input": {"question": f"question {n}"},
        "expected_output": f"expected {n}",
        "source_output": f"the model said {n}",
        "metadata": {"n": n},
        "source_trace_id": f"trace-{n}",
        "source_event_id": None,
        "source_timestamp": "2025-03-04T05:06:07.890000Z",
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": None,
        "version_created_at": "2025-02-03T04:05:06Z",
    }
    item.update(over)
    return item


def test_v2_rows_show_the_version_and_the_expected_output() -> None:
    model = VersionedItem.model_validate(_v2(1))
    columns = item_columns(V2)
    assert columns == ("id", "version", "input", "answer", "metadata", "trace", "updated")
    assert item_columns(CLASSIC) == ITEM_COLUMNS
    header = items_select_header(columns, schema=V2)
    assert header.startswith("id        ver   input") and "expected output" in header
    for item in (model, _v2(1)):  # the model and its JSON read alike
        [label] = _labels([item], columns=columns)
        assert label.startswith("00000001  v3    question 1")
        assert "expected 1" in label and "the model said" not in label
        assert "↗" in label  # trace id and timestamp are enough on v2 (no event needed)
        assert "2025-02-03 04:05" in label  # no updated_at: when the version was made
    table = parse(items_table_html([model], columns=columns)).text
    assert "expected output" in table and "v3" in table and "expected 1" in table


def test_v2_refs_are_the_source_link_and_the_trace_url_is_the_models() -> None:
    model = VersionedItem.model_validate(_v2(2, source_event_id="ev 1"))
    out = refs_html(model, HOST, 2)
    text = assert_only_our_markup(out).text
    assert "source_trace_id" in text and "source_event_id" in text and "ref_" not in text
    href = _href(out)
    assert href == trace_url(model, HOST, 2) == model.trace_url(HOST, 2)
    assert parse_qs(urlsplit(href).query) == {
        "event": ["ev 1"],
        "timestamp": ["2025-03-04T05:06:07.890000Z"],
    }
    assert trace_url(_v2(2, source_event_id="ev 1"), HOST, 2) == href  # its JSON: the same
    unlinked = VersionedItem.model_validate(_v2(3, source_timestamp=None))
    assert trace_url(unlinked, HOST, 2) is None
    assert "not all set" in parse(refs_html(unlinked, HOST, 2)).text
