// The item grid of the dataset panel (see widgets/_grid.py): a real table built with DOM calls.
// Item text is untrusted: it only ever becomes text nodes (textContent) and title attributes,
// and only an http(s) URL becomes a link.

const SUPPRESS = "data-lm-suppress-shortcuts";
const MOVES = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
const ACTIONS = { e: "edit", d: "delete", u: "undo", "]": "next_page", "[": "prev_page", "/": "search" };
const MIN_WIDTH = 32;

// What a keydown means to the grid, or null (then the notebook gets it as usual).
function meaning(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
    return null;
  }
  const key = event.key;
  if (key in MOVES) return { move: MOVES[key] };
  if (key === "Home" || key === "End" || key === "PageDown" || key === "PageUp") {
    return { move: key };
  }
  if (key === "Enter") return { open: true };
  if (key === "Escape") return { leave: true };
  if (Object.prototype.hasOwnProperty.call(ACTIONS, key)) return { action: ACTIONS[key] };
  return null;
}

function isWebLink(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url);
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "dx-grid-box";
  box.tabIndex = 0;
  box.setAttribute("role", "grid");
  box.setAttribute("aria-label", "items of this page");
  // Lumino (JupyterLab, Notebook 7) ignores its shortcuts for events from inside an element with
  // this attribute; it is removed for the keys the grid does not use (see onWindowKey).
  box.setAttribute(SUPPRESS, "true");
  const table = document.createElement("table");
  table.className = "dx-grid-table";
  const colgroup = document.createElement("colgroup");
  const thead = document.createElement("thead");
  const headRow = document.createElement("tr");
  thead.appendChild(headRow);
  const tbody = document.createElement("tbody");
  table.append(colgroup, thead, tbody);
  box.appendChild(table);
  // the page turns live here, not in Python: a turn to a page the model already holds (sent
  // ahead) shows at once, without waiting for the kernel
  const pager = document.createElement("div");
  pager.className = "dx-grid-pager";
  const prevButton = turnButton("‹ Previous", "previous page ([ in the grid)", false);
  const nextButton = turnButton("Next ›", "next page (] in the grid)", true);
  pager.append(prevButton, nextButton);
  el.append(box, pager);

  let columns = [];
  let ids = [];
  let trs = [];
  let index = -1; // the selected row on this page, -1 for none
  let seq = 0; // the number of this view's latest selection move
  let pageKey = null;
  let turnSeq = 0; // the number of this view's latest page turn
  let shownKey = null; // the page_key of the rows on screen
  let shownSig = null; // and their content, to skip drawing the same rows again

  function turnButton(text, tip, forward) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `jupyter-button widget-button dx-grid-${forward ? "next" : "prev"}`;
    b.textContent = text;
    b.title = tip;
    b.addEventListener("click", () => turn(forward));
    return b;
  }

  function updatePager() {
    prevButton.disabled = !model.get("has_prev");
    nextButton.disabled = !model.get("has_next");
  }

  function turn(forward) {
    if (!model.get(forward ? "has_next" : "has_prev")) return;
    const settled = model.get("turn_ack") >= turnSeq && shownKey === model.get("page_key");
    const ahead = (model.get("ahead") || {})[forward ? "next" : "prev"];
    turnSeq = Math.max(turnSeq, model.get("turn_ack")) + 1;
    // the neighbour is only known for the page the model shows: after a turn it has not
    // settled yet, this one waits for the kernel
    if (settled && ahead && Array.isArray(ahead.rows)) paint(ahead.rows, String(ahead.page_key));
    model.send({ type: "key", action: forward ? "next_page" : "prev_page", id: "", seq: turnSeq });
  }

  let widths = null; // px per column once the user resized one; null: the defaults

  function drawColumns() {
    columns = model.get("columns") || [];
    widths = null;
    table.style.width = "";
    colgroup.replaceChildren();
    headRow.replaceChildren();
    columns.forEach((column, i) => {
      const col = document.createElement("col");
      if (column.width > 0) col.style.width = `${column.width}px`;
      colgroup.appendChild(col);
      const th = document.createElement("th");
      th.scope = "col";
      th.className = `dx-grid-col-${String(column.key).replace(/[^a-z_-]/gi, "")}`;
      const label = document.createElement("span");
      label.className = "dx-grid-title";
      label.textContent = String(column.title);
      label.title = String(column.title);
      const grip = document.createElement("span");
      grip.className = "dx-grid-resize";
      grip.title = "drag to resize the column";
      grip.addEventListener("pointerdown", (event) => startResize(event, i, grip));
      th.append(label, grip);
      headRow.appendChild(th);
    });
  }

  function startResize(event, i, grip) {
    event.preventDefault();
    event.stopPropagation();
    if (widths === null) {
      // freeze every column where it is, so dragging one never reflows the others
      widths = Array.from(headRow.children, (th) => th.getBoundingClientRect().width);
    }
    const startX = event.clientX;
    const startWidth = widths[i];
    grip.setPointerCapture(event.pointerId);
    const apply = () => {
      Array.from(colgroup.children).forEach((col, c) => {
        col.style.width = `${widths[c]}px`;
      });
      table.style.width = `${widths.reduce((a, b) => a + b, 0)}px`;
    };
    apply();
    const move = (e) => {
      widths[i] = Math.max(MIN_WIDTH, startWidth + e.clientX - startX);
      apply();
    };
    const stop = () => {
      grip.removeEventListener("pointermove", move);
      grip.removeEventListener("pointerup", stop);
      grip.removeEventListener("pointercancel", stop);
    };
    grip.addEventListener("pointermove", move);
    grip.addEventListener("pointerup", stop);
    grip.addEventListener("pointercancel", stop);
  }

  function cell(column, row, i) {
    const td = document.createElement("td");
    const text = String((row.cells || [])[i] ?? "");
    td.className = `dx-grid-col-${String(column.key).replace(/[^a-z_-]/gi, "")}`;
    // each cell is its own bidi paragraph: an Arabic cell cannot move its neighbours
    td.dir = "auto";
    if (column.key === "trace" && text && isWebLink(row.trace)) {
      const a = document.createElement("a");
      a.href = row.trace;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.tabIndex = -1;
      a.textContent = `${text} ↗`;
      a.title = "open the trace in PostHog";
      td.appendChild(a);
      return td;
    }
    td.textContent = text;
    td.title = column.key === "id" ? String(row.id) : text;
    return td;
  }

  // Python's page: drawn unless a turn of this view is still on its way to the model (then
  // the page the user turned to stays), or the same rows are on screen already
  function drawRows() {
    if (model.get("turn_ack") < turnSeq) return;
    const rows = model.get("rows") || [];
    const key = model.get("page_key");
    if (key === shownKey && JSON.stringify(rows) === shownSig) {
      fromPython();
      return;
    }
    paint(rows, key);
  }

  function paint(rows, key) {
    const shown = index >= 0 && key === shownKey ? ids[index] : null;
    shownKey = key;
    shownSig = JSON.stringify(rows);
    ids = rows.map((row) => String(row.id));
    trs = rows.map((row, r) => {
      const tr = document.createElement("tr");
      tr.className = "dx-grid-row";
      tr.dataset.index = String(r);
      tr.setAttribute("aria-selected", "false");
      columns.forEach((column, i) => tr.appendChild(cell(column, row, i)));
      return tr;
    });
    // back to the top before the new rows go in: scrolling after would force a layout of the
    // new page in the middle of this task (then another one to paint it)
    onPageKey(key);
    if (trs.length === 0) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.className = "dx-grid-empty";
      td.colSpan = Math.max(1, columns.length);
      td.textContent = model.get("empty_text");
      tr.appendChild(td);
      tbody.replaceChildren(tr);
    } else {
      tbody.replaceChildren(...trs);
    }
    index = -1;
    // while the model is behind this view's latest move, the row the user chose stays chosen
    const wanted = model.get("ack") < seq ? shown : model.get("selected_id");
    showSelection(ids.indexOf(wanted), false);
  }

  function onPageKey(key) {
    if (key !== pageKey) {
      pageKey = key;
      if (box.scrollTop !== 0) box.scrollTop = 0;
      if (box.scrollLeft !== 0) box.scrollLeft = 0;
    }
  }

  function showSelection(next, scroll) {
    if (index >= 0 && index < trs.length) {
      trs[index].classList.remove("dx-grid-selected");
      trs[index].setAttribute("aria-selected", "false");
    }
    index = next >= 0 && next < trs.length ? next : -1;
    if (index >= 0) {
      const tr = trs[index];
      tr.classList.add("dx-grid-selected");
      tr.setAttribute("aria-selected", "true");
      if (scroll) scrollToRow(tr);
    }
  }

  // scrollIntoView({block: "nearest"}), but short of the sticky header
  function scrollToRow(tr) {
    tr.scrollIntoView({ block: "nearest", inline: "nearest" });
    const header = thead.getBoundingClientRect();
    const top = tr.getBoundingClientRect().top;
    if (top < header.bottom) box.scrollTop -= header.bottom - top;
  }

  function fromPython() {
    // the model is behind this view's latest move: keep what the user sees
    if (model.get("ack") < seq) return;
    const next = ids.indexOf(model.get("selected_id"));
    if (next !== index) showSelection(next, true);
  }

  function choose(next, type) {
    if (next < 0 || next >= trs.length) return;
    showSelection(next, true);
    seq = Math.max(seq, model.get("ack")) + 1;
    model.send({ type, id: ids[index], seq });
  }

  function openItemView() {
    // "open": show the item beside or below the grid and put the keyboard there
    const panel = el.closest(".dx-panel");
    const view = panel && panel.querySelector(".dx-item-view");
    if (!view) return;
    if (!view.hasAttribute("tabindex")) view.tabIndex = -1;
    view.scrollIntoView({ block: "nearest" });
    view.focus({ preventScroll: true });
  }

  function rowsPerScreen() {
    const first = trs[0];
    const height = first ? first.getBoundingClientRect().height : 0;
    const room = box.clientHeight - thead.getBoundingClientRect().height;
    return height > 0 ? Math.max(1, Math.floor(room / height) - 1) : 10;
  }

  function target(move) {
    const last = trs.length - 1;
    if (move === "Home") return 0;
    if (move === "End") return last;
    const step = move === "PageDown" ? rowsPerScreen() : move === "PageUp" ? -rowsPerScreen() : move;
    if (index < 0) return step > 0 ? 0 : last;
    return Math.min(last, Math.max(0, index + step));
  }

  function onKey(event) {
    const what = meaning(event);
    if (what === null || event.target !== box) return;
    event.preventDefault();
    event.stopPropagation();
    if (what.move !== undefined) {
      const next = target(what.move);
      if (next !== index) choose(next, "select");
    } else if (what.open) {
      if (index >= 0) {
        choose(index, "open");
        openItemView();
      }
    } else if (what.leave) {
      box.blur();
    } else if (what.action === "next_page" || what.action === "prev_page") {
      turn(what.action === "next_page");
    } else {
      model.send({ type: "key", action: what.action, id: index >= 0 ? ids[index] : "" });
    }
  }

  // Runs before Lumino's document listener (Notebook 7 listens in the capture phase): the
  // shortcuts stay suppressed for the keys the grid uses, and work again for the others.
  function onWindowKey(event) {
    if (!box.contains(event.target)) return;
    if (meaning(event) !== null && event.target === box) {
      box.setAttribute(SUPPRESS, "true");
    } else {
      box.removeAttribute(SUPPRESS);
    }
  }

  function rowOf(event) {
    const tr = event.target.closest && event.target.closest("tr.dx-grid-row");
    return tr && tbody.contains(tr) ? Number(tr.dataset.index) : -1;
  }

  function onClick(event) {
    const r = rowOf(event);
    if (r < 0) return;
    box.focus({ preventScroll: true });
    if (r !== index) choose(r, "select");
  }

  function onDoubleClick(event) {
    const r = rowOf(event);
    if (r < 0 || event.target.closest("a")) return;
    choose(r, "open");
    openItemView();
  }

  function onCustom(message) {
    if (message && message.do === "focus") box.focus();
  }

  box.addEventListener("keydown", onKey);
  tbody.addEventListener("click", onClick);
  tbody.addEventListener("dblclick", onDoubleClick);
  window.addEventListener("keydown", onWindowKey, true);
  function onColumns() {
    drawColumns();
    shownSig = null; // the same rows, in the new columns
    drawRows();
  }

  model.on("change:columns", onColumns);
  model.on("change:rows", drawRows);
  model.on("change:page_key", drawRows);
  model.on("change:turn_ack", drawRows);
  model.on("change:has_prev", updatePager);
  model.on("change:has_next", updatePager);
  model.on("change:selected_id", fromPython);
  model.on("change:ack", fromPython);
  model.on("msg:custom", onCustom);
  drawColumns();
  drawRows();
  updatePager();

  return () => {
    window.removeEventListener("keydown", onWindowKey, true);
    model.off("change:columns", onColumns);
    model.off("change:rows", drawRows);
    model.off("change:page_key", drawRows);
    model.off("change:turn_ack", drawRows);
    model.off("change:has_prev", updatePager);
    model.off("change:has_next", updatePager);
    model.off("change:selected_id", fromPython);
    model.off("change:ack", fromPython);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
