// The item grid of the dataset panel (see widgets/_grid.py): a real table built with DOM calls.
// Item text is untrusted: it only ever becomes text nodes (textContent) and title attributes,
// and only an http(s) URL becomes a link. While rows can be marked, each row's first cell starts
// with a checkbox: a click on it marks the row, shift-click the rows from the last one marked,
// x or space the selected row (shift: the range), the header's checkbox the page. (The
// checkbox sits in the first column rather than a column of its own: the columns stay those
// Python sent.)

const SUPPRESS = "data-lm-suppress-shortcuts";
const MOVES = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
const ACTIONS = { e: "edit", d: "delete", u: "undo", "]": "next_page", "[": "prev_page", "/": "search" };
const MIN_WIDTH = 32;
const MARK_WIDTH = 30;

// What a keydown means to the grid, or null (then the notebook gets it as usual).
function meaning(event, markable) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
    return null;
  }
  const key = event.key;
  if (markable && (key === "x" || key === "X" || key === " ")) {
    return { mark: true, range: event.shiftKey };
  }
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
  let markable = false; // a checkbox column first
  let marks = new Set(model.get("marked") || []); // the marked ids as this view shows them
  let markSeq = 0; // the number of this view's latest mark change
  let anchor = null; // the row last marked by a click or a key: shift marks from there
  let headTick = null; // the header's checkbox: the whole page

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
    markable = !!model.get("markable");
    widths = null;
    table.style.width = "";
    colgroup.replaceChildren();
    headRow.replaceChildren();
    headTick = null;
    columns.forEach((column, i) => {
      const col = document.createElement("col");
      const room = markable && i === 0 ? MARK_WIDTH : 0; // the first column holds the checkbox
      if (column.width > 0) col.style.width = `${column.width + room}px`;
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
      if (markable && i === 0) {
        headTick = tick("mark every row of this page (click again: unmark them)");
        headTick.classList.add("dx-grid-tick-page");
        headTick.addEventListener("click", onPageTick);
        th.classList.add("dx-grid-marker");
        th.appendChild(headTick);
      }
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

  function tick(tip) {
    const input = document.createElement("input");
    input.type = "checkbox";
    input.tabIndex = -1; // the keyboard stays on the grid: x or space marks
    input.className = "dx-grid-tick";
    input.title = tip;
    input.setAttribute("aria-label", tip);
    return input;
  }

  function cell(column, row, i) {
    const td = document.createElement("td");
    const text = String((row.cells || [])[i] ?? "");
    td.className = `dx-grid-col-${String(column.key).replace(/[^a-z_-]/gi, "")}`;
    if (markable && i === 0) {
      const input = tick("mark this row (shift-click: the rows from the last one marked)");
      input.checked = marks.has(String(row.id));
      td.classList.add("dx-grid-marker");
      td.append(input, document.createTextNode(text));
      td.title = column.key === "id" ? String(row.id) : text;
      return td;
    }
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
      if (markable && marks.has(String(row.id))) tr.classList.add("dx-grid-marked");
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
    showMarks();
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

  // -- marks: ticked at once here, then settled by the model (mark_ack)

  function showMarks() {
    trs.forEach((tr, r) => {
      const on = marks.has(ids[r]);
      tr.classList.toggle("dx-grid-marked", on);
      const tick = tr.querySelector("input.dx-grid-tick");
      if (tick && tick.checked !== on) tick.checked = on;
    });
    if (headTick) {
      const n = ids.filter((id) => marks.has(id)).length;
      headTick.checked = n > 0 && n === ids.length;
      headTick.indeterminate = n > 0 && n < ids.length;
    }
  }

  function marksFromPython() {
    if (model.get("mark_ack") < markSeq) return; // the model is behind this view's ticks
    marks = new Set(model.get("marked") || []);
    showMarks();
  }

  function sendMark(message) {
    markSeq = Math.max(markSeq, model.get("mark_ack")) + 1;
    model.send({ ...message, seq: markSeq });
  }

  // a click on row r's checkbox (or x / space on it); range: from the anchor to it
  function toggleMark(r, range) {
    if (!markable || r < 0 || r >= trs.length) return;
    const id = ids[r];
    const from = anchor === null ? -1 : ids.indexOf(anchor);
    anchor = id;
    if (range && from >= 0 && from !== r) {
      const [low, high] = from < r ? [from, r] : [r, from];
      for (let i = low; i <= high; i += 1) marks.add(ids[i]);
      showMarks();
      sendMark({ type: "mark_range", from: ids[from], id });
      return;
    }
    const on = !marks.has(id);
    if (on) marks.add(id);
    else marks.delete(id);
    showMarks();
    sendMark({ type: "mark", id, on });
  }

  function onPageTick(event) {
    event.stopPropagation();
    const on = !(ids.length > 0 && ids.every((id) => marks.has(id)));
    ids.forEach((id) => (on ? marks.add(id) : marks.delete(id)));
    showMarks();
    box.focus({ preventScroll: true });
    if (ids.length) sendMark({ type: "mark_page", ids: ids.slice(), on });
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
    const what = meaning(event, markable);
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
    } else if (what.mark) {
      toggleMark(index, what.range);
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
    if (meaning(event, markable) !== null && event.target === box) {
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
    if (markable && (onTick(event) || event.shiftKey)) {
      // the checkbox column marks, and shift-click anywhere marks the range; neither selects
      toggleMark(r, event.shiftKey);
      return;
    }
    if (r !== index) choose(r, "select");
  }

  // on a row's checkbox, or close to it in the first cell (a small box is easy to miss)
  function onTick(event) {
    if (event.target.closest && event.target.closest("input.dx-grid-tick")) return true;
    const td = event.target.closest && event.target.closest("td.dx-grid-marker");
    return !!td && event.clientX - td.getBoundingClientRect().left < MARK_WIDTH;
  }

  function onMouseDown(event) {
    // shift-click marks a range: it must not also select the text between two clicks
    if (markable && event.shiftKey && rowOf(event) >= 0) event.preventDefault();
  }

  function onDoubleClick(event) {
    const r = rowOf(event);
    if (r < 0 || event.target.closest("a") || (markable && onTick(event))) return;
    choose(r, "open");
    openItemView();
  }

  function onCustom(message) {
    if (message && message.do === "focus") box.focus();
  }

  box.addEventListener("keydown", onKey);
  tbody.addEventListener("click", onClick);
  tbody.addEventListener("mousedown", onMouseDown);
  tbody.addEventListener("dblclick", onDoubleClick);
  window.addEventListener("keydown", onWindowKey, true);
  function onColumns() {
    drawColumns();
    shownSig = null; // the same rows, in the new columns
    drawRows();
  }

  model.on("change:columns", onColumns);
  model.on("change:markable", onColumns);
  model.on("change:marked", marksFromPython);
  model.on("change:mark_ack", marksFromPython);
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
    model.off("change:markable", onColumns);
    model.off("change:marked", marksFromPython);
    model.off("change:mark_ack", marksFromPython);
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
