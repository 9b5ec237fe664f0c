// viz.view.Tiles in the browser: a small picture (one pixel per cell) drawn with square
// pixels, outlines over it, a colour legend, and clicks reported cell by cell — or, as a
// gallery, each tile in its own cell of a grid with its caption, clicked tile by tile.
//
// Streamlit (components v2) calls this function once per new `data`, always with the same
// parentElement: the elements are built on the first call and updated on later ones.
// Everything shown is set as text or as a style, never as markup. A click sends the
// trigger value "unit" = {map, row, col}, which Python reads in the run it starts.

function make(parent, tag, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  parent.appendChild(e);
  return e;
}

// The cell under the pointer, or null over a gap, past the last tile or outside.
function cellAt(d, img, clientX, clientY) {
  const r = img.getBoundingClientRect();
  if (!r.width || !r.height) return null;
  const x = Math.floor(((clientX - r.left) / r.width) * d.width);
  const y = Math.floor(((clientY - r.top) / r.height) * d.height);
  if (x < 0 || y < 0 || x >= d.width || y >= d.height) return null;
  const [th, tw] = d.tile;
  const across = Math.floor(x / (tw + d.gap));
  const down = Math.floor(y / (th + d.gap));
  const col = x - across * (tw + d.gap);
  const row = y - down * (th + d.gap);
  if (col >= tw || row >= th || across >= d.columns) return null;
  const map = down * d.columns + across;
  return map < d.count ? { map, row, col, x, y } : null;
}

function describe(d, cell) {
  const [th, tw] = d.tile;
  const where = [];
  if (d.count > 1) where.push(`${d.label} ${cell.map + 1}`);
  if (th * tw > 1) where.push(`row ${cell.row}, column ${cell.col}`);
  let text = where.join(", ");
  const i = (cell.map * th + cell.row) * tw + cell.col;
  if (i < d.cellValues.length) text += `: ${d.cellValues[i]}`;
  return text;
}

// Place an outline over picture pixels y0…y1, x0…x1 (inclusive), in percent: it follows the picture's size.
function place(el, d, y0, x0, y1, x1) {
  el.style.left = `${(x0 / d.width) * 100}%`;
  el.style.top = `${(y0 / d.height) * 100}%`;
  el.style.width = `${((x1 - x0 + 1) / d.width) * 100}%`;
  el.style.height = `${((y1 - y0 + 1) / d.height) * 100}%`;
  el.dataset.box = `${y0},${x0},${y1},${x1}`;
}

function drawBoxes(s, boxes) {
  for (const old of s.frame.querySelectorAll(".vt-box")) old.remove();
  for (const [y0, x0, y1, x1, colour] of boxes) {
    const box = make(s.frame, "div", "vt-box");
    box.style.setProperty("--vt-colour", colour);
    place(box, s.data, y0, x0, y1, x1);
  }
}

// Gallery: one grid cell per tile, each showing its part of the one picture (a CSS sprite).
function drawGallery(s) {
  const d = s.data;
  const [th, tw] = d.tile;
  const tileOf = ([y0, x0]) => Math.floor(y0 / (th + d.gap)) * d.columns + Math.floor(x0 / (tw + d.gap));
  const marked = new Set(d.boxes.map(tileOf));
  s.gallery.style.gridTemplateColumns = `repeat(${d.columns}, minmax(0, 1fr))`;
  s.gallery.style.maxWidth = `${d.columns * tw * d.scale}px`;
  s.gallery.style.setProperty("--vt-src", `url("${d.src}")`);
  const cells = [];
  for (let k = 0; k < d.count; k++) {
    const cell = document.createElement(d.clickable ? "button" : "div");
    cell.className = marked.has(k) ? "vt-cell vt-marked" : "vt-cell";
    cell.dataset.tile = String(k);
    if (d.clickable) cell.type = "button";
    const thumb = make(cell, "div", "vt-thumb");
    const left = (k % d.columns) * (tw + d.gap);
    const top = Math.floor(k / d.columns) * (th + d.gap);
    thumb.style.backgroundSize = `${(d.width / tw) * 100}% ${(d.height / th) * 100}%`;
    thumb.style.backgroundPosition = `${d.width > tw ? (left / (d.width - tw)) * 100 : 0}% `
      + `${d.height > th ? (top / (d.height - th)) * 100 : 0}%`;
    thumb.style.aspectRatio = `${tw} / ${th}`;
    if (d.captions[k]) make(cell, "span", "vt-caption").textContent = d.captions[k];
    if (d.hovers[k]) cell.title = d.hovers[k];
    cells.push(cell);
  }
  s.gallery.replaceChildren(...cells);
}

function build(root) {
  const s = { root };
  s.title = make(root, "div", "vt-title");
  s.gallery = make(root, "div", "vt-gallery");
  s.gallery.addEventListener("click", (e) => {
    const cell = e.target.closest(".vt-cell");
    if (!cell || !s.data.clickable) return;
    for (const other of s.gallery.querySelectorAll(".vt-marked")) other.classList.remove("vt-marked");
    cell.classList.add("vt-marked");
    s.setTriggerValue("unit", { map: Number(cell.dataset.tile), row: 0, col: 0 });
  });
  s.gallery.addEventListener("mouseover", (e) => {
    const cell = e.target.closest(".vt-cell");
    if (cell) s.tip.textContent = s.data.hovers[Number(cell.dataset.tile)] || s.data.hint;
  });
  s.gallery.addEventListener("mouseleave", () => { s.tip.textContent = s.data.hint; });
  s.frame = make(root, "div", "vt-frame");
  s.img = make(s.frame, "img", "vt-img");
  s.img.draggable = false;
  s.hover = make(s.frame, "div", "vt-hover");
  s.legend = make(root, "div", "vt-legend");
  s.legendTitle = make(s.legend, "div", "vt-legend-title");
  s.bar = make(s.legend, "div", "vt-legend-bar");
  s.ticks = make(s.legend, "div", "vt-legend-labels");
  s.tip = make(root, "div", "vt-tip");
  s.tip.setAttribute("aria-live", "polite");

  s.frame.addEventListener("mousemove", (e) => {
    const d = s.data;
    const cell = cellAt(d, s.img, e.clientX, e.clientY);
    if (!cell) {
      s.hover.style.display = "none";
      s.tip.textContent = d.hint;
      return;
    }
    place(s.hover, d, cell.y, cell.x, cell.y, cell.x);
    s.hover.style.display = d.clickable ? "block" : "none";
    s.tip.textContent = describe(d, cell) + (d.clickable ? " (click: what does it see?)" : "");
  });
  s.frame.addEventListener("mouseleave", () => {
    s.hover.style.display = "none";
    s.tip.textContent = s.data.hint;
  });
  s.frame.addEventListener("click", (e) => {
    const d = s.data;
    if (!d.clickable) return;
    const cell = cellAt(d, s.img, e.clientX, e.clientY);
    if (!cell) return;
    // Show the choice at once; the rerun it starts redraws the same outline.
    const colour = d.boxes.length ? d.boxes[0][4] : "#00d084";
    drawBoxes(s, [[cell.y, cell.x, cell.y, cell.x, colour]]);
    s.setTriggerValue("unit", { map: cell.map, row: cell.row, col: cell.col });
  });
  return s;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".vt-root");
  if (!root) return;
  const s = root.vtState || (root.vtState = build(root));
  // The cells' values come as one comma-separated string (viz.view.Tiles.payload): split once per data.
  s.data = { ...data, cellValues: data.values ? String(data.values).split(",") : [] };
  s.setTriggerValue = setTriggerValue;

  s.title.textContent = data.title;
  s.title.style.display = data.title ? "" : "none";
  const widest = `${data.width * data.scale}px`;
  s.gallery.style.display = data.gallery ? "" : "none";
  s.frame.style.display = data.gallery ? "none" : "";
  if (data.gallery) {
    drawGallery(s);
  } else {
    s.frame.style.maxWidth = widest;
    s.frame.style.aspectRatio = `${data.width} / ${data.height}`;
    s.frame.classList.toggle("vt-clickable", data.clickable);
    if (s.img.getAttribute("src") !== data.src) s.img.src = data.src;
    s.img.alt = data.title || data.hint;
    drawBoxes(s, data.boxes);
    s.hover.style.display = "none";
  }

  const legend = data.legend;
  s.legend.style.display = legend ? "" : "none";
  s.legend.style.maxWidth = widest;
  if (legend) {
    s.legendTitle.textContent = legend.title;
    s.bar.style.background = `linear-gradient(to right, ${legend.gradient})`;
    s.ticks.replaceChildren(...legend.labels.map((text) => {
      const span = document.createElement("span");
      span.textContent = text;
      return span;
    }));
  }
  s.tip.textContent = data.hint;
  root.dataset.key = data.key;
}
