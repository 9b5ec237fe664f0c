// A drawing square for one digit (viz.pages._render.draw_canvas): white strokes on black,
// an Undo and a Clear button. On every finished stroke the picture is sent at once as the
// state value "drawing" = {png: a PNG data URL, strokes: n} — no debounce, so a stroke reaches
// the server a few milliseconds after the mouse button (or the finger) is lifted.
//
// Streamlit (components v2) calls this function on every rerun with the same parentElement:
// the canvas and its strokes are built once and kept. Labels are set as text, never markup.

function make(parent, tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  parent.appendChild(e);
  return e;
}

function redraw(s) {
  const g = s.ctx;
  g.fillStyle = "#000000";
  g.fillRect(0, 0, s.canvas.width, s.canvas.height);
  g.strokeStyle = "#ffffff";
  g.fillStyle = "#ffffff";
  g.lineCap = "round";
  g.lineJoin = "round";
  g.lineWidth = s.stroke;
  for (const points of s.strokes) {
    if (points.length === 1) {  // a dot
      g.beginPath();
      g.arc(points[0][0], points[0][1], s.stroke / 2, 0, 2 * Math.PI);
      g.fill();
      continue;
    }
    g.beginPath();
    g.moveTo(points[0][0], points[0][1]);
    for (const [x, y] of points.slice(1)) g.lineTo(x, y);
    g.stroke();
  }
}

function send(s) {
  s.undo.disabled = s.clear.disabled = s.strokes.length === 0;
  s.setStateValue("drawing", s.strokes.length ? { png: s.canvas.toDataURL("image/png"), strokes: s.strokes.length }
                                              : null);
}

// Pointer position in canvas pixels (the square may be drawn smaller on a phone).
function at(s, e) {
  const r = s.canvas.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * s.canvas.width, ((e.clientY - r.top) / r.height) * s.canvas.height];
}

function build(root, side, stroke) {
  const s = { root, strokes: [], current: null, stroke };
  s.canvas = make(root, "canvas", "vc-canvas");
  s.canvas.width = s.canvas.height = side;
  s.canvas.style.maxWidth = `${side}px`;
  s.ctx = s.canvas.getContext("2d");
  const bar = make(root, "div", "vc-bar");
  s.undo = make(bar, "button", "vc-button", "Undo last stroke");
  s.clear = make(bar, "button", "vc-button", "Clear");
  s.undo.type = s.clear.type = "button";
  s.undo.disabled = s.clear.disabled = true;
  redraw(s);

  s.canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    s.canvas.setPointerCapture(e.pointerId);
    s.current = [at(s, e)];
    s.strokes.push(s.current);
    redraw(s);
    e.preventDefault();
  });
  s.canvas.addEventListener("pointermove", (e) => {
    if (!s.current) return;
    s.current.push(at(s, e));
    redraw(s);
  });
  const finish = () => {
    if (!s.current) return;
    s.current = null;
    send(s);
  };
  s.canvas.addEventListener("pointerup", finish);
  s.canvas.addEventListener("pointercancel", finish);
  s.undo.addEventListener("click", () => { s.strokes.pop(); redraw(s); send(s); });
  s.clear.addEventListener("click", () => { s.strokes = []; redraw(s); send(s); });
  return s;
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".vc-root");
  if (!root) return;
  const s = root.vcState || (root.vcState = build(root, data.side, data.stroke));
  s.setStateValue = setStateValue;
  s.canvas.setAttribute("aria-label", data.label);
}
