"""The search box over the item grid: a query in the language of `explorer.model.search`, the
results shown in the grid (paged, opened and edited as the dataset's own list).

Typing searches once the user pauses (`SEARCH_DEBOUNCE`); Enter searches at once; × (or an
empty box) shows the dataset's own list again. Under the box: the filters the language has,
indexing progress while the dataset is indexed (``state.search.message``, redrawn at each
``search_progress`` change), the query's error in plain text (``state.search.error``), or how
many items match with a **Mark all N results** link (``mark_all_results``). The index holds
the items as they are now: while a past revision or the archived items are shown, the box is
off (``archived:true`` finds archived items from the live list).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.model import ModelState
from widgets._base import Part, button
from widgets._render import escape_attr, escape_text, status_html

__all__ = ["FILTERS", "SEARCH_DEBOUNCE", "ItemSearch"]

SEARCH_DEBOUNCE = 0.3  # seconds of quiet typing before the query is sent

FILTERS = (
    ("metadata.tags:refunds", "a metadata value (a list matches any element)"),
    ("expected_output:null", "null or missing"),
    ("has:trace", "linked to a trace"),
    ("archived:true", "the archived items (v2)"),
    ("version>1", "edited since created (v2)"),
    ("-term", "not"),
)
"""The filters the help line names (words alone search every field)."""

_TOOLTIP = (
    "Words search every field (each a prefix); "
    + "; ".join(f"{example}: {what}" for example, what in FILTERS)
    + ". Terms combine with AND. Enter searches at once."
)


class ItemSearch(Part):
    """The search box, its help line and its status line (errors, progress, matches)."""

    def build(self) -> Any:
        self.text: Any = w.Text(
            placeholder="search items: refund  metadata.tags:refunds  has:trace",
            continuous_update=True,
            tooltip=_TOOLTIP,
            layout=w.Layout(width="340px"),
        )
        self.text.add_class("dx-search-items")
        self.text.on_msg(self._on_text_msg)  # Enter: the view sends {"event": "submit"}
        self.clear = button("×", "clear the search: the dataset's own list again")
        self.clear.add_class("dx-search-clear")
        self.help: Any = w.HTML(self._help_html())
        self.help.add_class("dx-search-help")
        row = w.HBox([self.text, self.clear])
        row.add_class("dx-search-row")
        self.message: Any = w.HTML()
        self.message.add_class("dx-search-message")
        self.message.add_class("dx-wide")
        self.mark_all = button("Mark all results", "mark every item the search matches")
        self.mark_all.add_class("dx-link-button")
        self.mark_all.add_class("dx-mark-all")
        status = w.HBox([self.message, self.mark_all])
        status.add_class("dx-search-status")
        self.observe(self.text, self._on_typed, "value")
        self.on_click(self.clear, self._clear)
        self.on_click(self.mark_all, self._mark_all)
        self.box: Any = w.VBox([row, self.help, status])
        self.box.add_class("dx-search")
        self._sent = ""  # the query last sent to the model
        return self.box

    @staticmethod
    def _help_html() -> str:
        examples = " · ".join(f"<code>{escape_text(example)}</code>" for example, _ in FILTERS)
        return f'<span class="dx-note" title="{escape_attr(_TOOLTIP)}">filters: {examples}</span>'

    # -- events ----------------------------------------------------------------------------------

    def _on_typed(self, change: dict[str, Any]) -> None:
        if self.busy:
            return
        self._search(str(change["new"]), delay=SEARCH_DEBOUNCE)

    def _on_text_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            self.tasks.call(lambda: self._search(str(self.text.value), delay=0.0))

    def submit(self) -> None:
        """What Enter in the box does: search for what it holds now."""
        self._search(str(self.text.value), delay=0.0)

    def _search(self, text: str, *, delay: float) -> None:
        query = text.strip()
        self._sent = query
        self.tasks.start("search", lambda: self.model.search_items(query), delay=delay)

    def _clear(self) -> None:
        with self.quiet():
            self.text.value = ""
        self._sent = ""
        self.tasks.start("search", self.model.clear_search)

    def _mark_all(self) -> None:
        self.tasks.start("marks:all", self.model.mark_all_results)

    # -- drawing ---------------------------------------------------------------------------------

    def redraw(self, state: ModelState) -> None:
        page = state.page
        self.box.layout.display = "none" if page.dataset is None else ""
        if page.dataset is None:
            return
        typing = self.tasks.pending("search")
        if not typing and self.text.value.strip() != page.query:
            search = state.search
            # a query that was refused stays in the box, to fix; else the box shows what is shown
            refused = search is not None and search.error and self._sent != page.query
            if not refused:
                with self.quiet():
                    self.text.value = page.query
                self._sent = page.query
        # the index holds the items as they are now: not a past revision's, and the archived
        # ones are found with archived:true from the live list
        elsewhere = page.revision is not None or page.archived
        self.text.disabled = elsewhere
        self.clear.disabled = elsewhere or not (page.query or self.text.value)
        message, show_link = self._message(state)
        if elsewhere:
            what = f"revision {page.revision}" if page.revision is not None else "archived items"
            note = (
                f"Search looks through the items as they are now, not the {what}; go back to"
                " the live items to search (archived:true finds the archived ones)."
            )
            message, show_link = status_html("info", note), False
        if self.message.value != message:
            self.message.value = message
        self.mark_all.layout.display = "" if show_link else "none"
        if show_link:
            self.mark_all.description = f"Mark all {page.total:,} results"
            self.mark_all.disabled = state.busy.page or state.busy.bulk

    def _message(self, state: ModelState) -> tuple[str, bool]:
        page, search = state.page, state.search
        dataset_id = str(page.dataset.id) if page.dataset is not None else None
        mine = search is not None and search.dataset_id == dataset_id
        if mine and search is not None and search.error:
            return status_html("error", f"Cannot search: {search.error}"), False
        if mine and search is not None and search.indexing:
            return status_html("busy", search.message or "Indexing the dataset…"), False
        if state.busy.search:
            return status_html("busy", "Searching…"), False
        if not page.query:
            return "", False
        if not page.loaded:
            return status_html("busy", "Searching…"), False
        count = f"{page.total:,} item" if page.total == 1 else f"{page.total:,} items"
        verb = "matches" if page.total == 1 else "match"
        return status_html("info", f"{count} {verb} {page.query}"), page.total > 0
