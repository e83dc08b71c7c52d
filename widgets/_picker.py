"""The dataset picker: a debounced search, the sort order, one page of datasets to open; on v2
the archived datasets instead ("Archived"), where the one opened can be restored."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from explorer.model import ModelState
from widgets._base import Part, button, set_options
from widgets._render import make_visible

__all__ = ["SEARCH_DEBOUNCE", "DatasetPicker"]

SEARCH_DEBOUNCE = 0.3  # seconds of quiet typing before the search is sent

SORTS = (
    ("newest first", "-created_at"),
    ("oldest first", "created_at"),
    ("recently updated", "-updated_at"),
    ("least recently updated", "updated_at"),
)
_NONE = "— choose a dataset —"


def dataset_label(name: str, limit: int = 60) -> str:
    """A dataset's name as one plain line for a dropdown (the view sets textContent)."""
    text = make_visible(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DatasetPicker(Part):
    def build(self) -> Any:
        self.search: Any = w.Text(
            placeholder="search datasets",
            description="Dataset",
            continuous_update=True,
            layout=w.Layout(width="260px"),
        )
        self.sort: Any = w.Dropdown(
            options=SORTS, value="-created_at", layout=w.Layout(width="auto")
        )
        self.choice: Any = w.Dropdown(
            options=[(_NONE, "")], value="", layout=w.Layout(width="320px")
        )
        self.choice.add_class("dx-dataset-choice")
        self.prev = button("‹", "previous page of datasets")
        self.next = button("›", "next page of datasets")
        self.range: Any = w.HTML()
        self.archived: Any = w.ToggleButton(
            description="Archived",
            tooltip="list the archived datasets instead (open one to look, then restore it)",
            icon="archive",
            layout=w.Layout(width="auto"),
        )
        self.restore = button(
            "Restore dataset", "bring the open archived dataset back", icon="reply", style="primary"
        )
        self.restore.layout.display = "none"
        self.observe(self.archived, self._on_archived, "value")
        self.on_click(self.restore, self._restore)
        self.observe(self.search, self._on_search, "value")
        self.observe(self.sort, self._on_sort, "value")
        self.observe(self.choice, self._on_choice, "value")
        self.on_click(self.prev, lambda: self._turn(-1))
        self.on_click(self.next, lambda: self._turn(+1))
        box = w.HBox(
            [
                self.search,
                self.sort,
                self.choice,
                self.prev,
                self.next,
                self.range,
                self.archived,
                self.restore,
            ]
        )
        box.add_class("dx-picker")
        return box

    # -- events ----------------------------------------------------------------------------------

    def _on_search(self, change: dict[str, Any]) -> None:
        if self.busy:
            return
        text = str(change["new"])
        self.tasks.start(
            "datasets", lambda: self.model.search_datasets(text), delay=SEARCH_DEBOUNCE
        )

    def _on_sort(self, change: dict[str, Any]) -> None:
        if self.busy:
            return
        order = str(change["new"])
        self.tasks.start("datasets", lambda: self.model.sort_datasets(order))

    def _on_choice(self, change: dict[str, Any]) -> None:
        if self.busy or not change["new"]:
            return
        dataset_id = str(change["new"])
        self.tasks.start("page", lambda: self.model.open_dataset(dataset_id))

    def _on_archived(self, change: dict[str, Any]) -> None:
        if self.busy:
            return
        on = bool(change["new"])
        self.tasks.start("datasets", lambda: self.model.show_archived_datasets(on))

    def _restore(self) -> None:
        dataset = self.model.state.page.dataset
        if dataset is None:
            return
        dataset_id = str(dataset.id)

        async def work() -> None:
            with self.model.collect_notices() as notices:
                await self.model.restore_dataset(dataset_id)
            if any(n.error is not None or n.level == "error" for n in notices):
                return
            # back among the live datasets, with the restored one open as it is now
            await self.model.show_archived_datasets(False)
            await self.model.open_dataset(dataset_id)

        self.tasks.write(work)

    def _turn(self, step: int) -> None:
        work = self.model.next_datasets_page if step > 0 else self.model.prev_datasets_page
        self.tasks.start("datasets", work)

    # -- drawing ---------------------------------------------------------------------------------

    def redraw(self, state: ModelState) -> None:
        st = state.datasets
        options: list[tuple[str, str]] = [(_NONE, "")]
        options += [(dataset_label(d.name), str(d.id)) for d in st.datasets]
        open_ds = state.page.dataset
        current = "" if open_ds is None else str(open_ds.id)
        if current and all(value != current for _, value in options):
            options.insert(1, (dataset_label(open_ds.name) if open_ds else "", current))
        with self.quiet():
            if self.search.value != st.search and not self.tasks.pending("datasets"):
                self.search.value = st.search
            if self.sort.value != st.order_by:
                self.sort.value = st.order_by
            set_options(self.choice, options, current)
            if self.archived.value != st.archived:
                self.archived.value = st.archived
        archived = open_ds is not None and bool(getattr(open_ds, "archived", False))
        self.restore.layout.display = "" if archived else "none"
        self.restore.disabled = state.read_only or state.busy.delete
        self.prev.disabled = not st.has_previous
        self.next.disabled = not st.has_next
        pages = "" if st.page_count <= 1 else f" · page {st.page_number} of {st.page_count}"
        self.range.value = f'<span class="dx-range">{st.range_text} datasets{pages}</span>'
