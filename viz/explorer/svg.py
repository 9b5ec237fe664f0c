"""The volume diagram as an SVG file for slides, written from the same :class:`~viz.explorer.diagram.Diagram`
the page draws.

Written on the server from the diagram's own geometry — no browser, no plotly export
engine, nothing fetched — so the download works offline on any classroom server and is
the same picture as on screen. At the default size (1920 px wide, text and boxes at
twice their screen size) the labels are 28–36 px: they read on a projected slide. The
PNG comes from the chart's own camera button (plotly.js in the browser, the same
geometry at the same size; see :func:`export_options`).
"""

from __future__ import annotations

from html import escape

from viz.explorer import diagram as dg

FONT_FAMILY = "Source Sans Pro, Arial, Helvetica, sans-serif"
SLIDE_WIDTH = 1920
SLIDE_SCALE = 2.0  # text and boxes at twice their screen size: 14–18 px → 28–36 px
_DASH = {"solid": "", "dash": "12,8", "dot": "4,8"}


def _points(points) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _arrowhead(line: dg.Line, sx: float, s: float) -> str:
    (x0, y0), (x1, y1) = line.points[-2], line.points[-1]
    ux, uy = (1 if x1 > x0 else -1 if x1 < x0 else 0), (1 if y1 > y0 else -1 if y1 < y0 else 0)
    tip = (x1 * sx - ux * line.head_back * s, y1 * s - uy * line.head_back * s)
    base = (tip[0] - ux * 10 * s, tip[1] - uy * 10 * s)
    half = 5.5 * s
    left = (base[0] - uy * half, base[1] + ux * half)
    right = (base[0] + uy * half, base[1] - ux * half)
    return f'<polygon points="{_points([tip, left, right])}" fill="{line.colour}"/>'


def _line(line: dg.Line, sx: float, s: float) -> str:
    dash = _DASH[line.dash]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    out = (f'<polyline points="{_points((x * sx, y * s) for x, y in line.points)}" fill="none" '
           f'stroke="{line.colour}" stroke-width="{line.width * s:.1f}"{dash_attr}/>')
    return out + (_arrowhead(line, sx, s) if line.arrow else "")


def _volume(vol: dg.Volume, sx: float, s: float) -> str:
    front, top, side, edge = dg.FACES[vol.kind]
    cx = vol.x * sx
    left = cx - vol.width / 2 * s
    t, dx, dy = vol.thickness * s, vol.dx * s, vol.dy * s
    y0, y1 = (vol.y - vol.height / 2) * s, (vol.y + vol.height / 2) * s
    stroke = f'stroke="{edge}" stroke-width="{1.2 * s:.1f}"'
    parts = []
    if vol.branches:
        total, xb = sum(vol.branches), left
        for j, channels in enumerate(vol.branches):
            wb = t * channels / total
            colour = dg.BRANCH_COLOURS[j % len(dg.BRANCH_COLOURS)]
            parts.append(f'<rect x="{xb:.1f}" y="{y0:.1f}" width="{wb:.1f}" height="{y1 - y0:.1f}" '
                         f'fill="{colour}" {stroke}/>')
            xb += wb
    else:
        parts.append(f'<rect x="{left:.1f}" y="{y0:.1f}" width="{t:.1f}" height="{y1 - y0:.1f}" '
                     f'fill="{front}" {stroke}/>')
    parts.append(f'<polygon points="{_points([(left, y0), (left + dx, y0 - dy), (left + t + dx, y0 - dy), (left + t, y0)])}" '
                 f'fill="{top}" {stroke}/>')
    parts.append(f'<polygon points="{_points([(left + t, y0), (left + t + dx, y0 - dy), (left + t + dx, y1 - dy), (left + t, y1)])}" '
                 f'fill="{side}" {stroke}/>')
    return "".join(parts)


def _label(label: dg.Label, sx: float, s: float) -> str:
    x0, y0, _, _ = label.extent()
    size = label.size * s
    x = label.x * sx
    anchor = label.anchor
    top = (label.y if label.valign == "top" else label.y - label.height) * s
    weight = ' font-weight="bold"' if label.bold else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + size * (0.95 + dg.Label.LINE * i):.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(label.lines))
    return (f'<text font-family="{FONT_FAMILY}" font-size="{size:.0f}" fill="{label.colour}" '
            f'text-anchor="{anchor}"{weight}>{spans}</text>')


def to_svg(d: dg.Diagram, width: float = SLIDE_WIDTH, scale: float = SLIDE_SCALE) -> str:
    """The diagram as a standalone SVG document ``width`` px wide, text and boxes ``scale`` ×
    their screen size (layout units stretch to the width, as on a wide screen)."""
    sx = width / d.width
    if sx < scale:
        raise ValueError(f"an export {width:g} px wide leaves too little room for text at {scale:g}×: "
                         f"at least {d.width * scale:g} px")
    height = d.height * scale
    body = [f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>']
    body += [_line(line, sx, scale) for line in d.lines if line.below]
    body += [_volume(vol, sx, scale) for vol in d.volumes]
    body += [_line(line, sx, scale) for line in d.lines if not line.below]
    body += [_label(label, sx, scale) for label in d.labels]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}">\n<title>{escape(d.title)}</title>\n' + "\n".join(body)
            + "\n</svg>\n")


def export_options(d: dg.Diagram, file_name: str) -> dict:
    """plotly.js's camera button (``toImageButtonOptions``): a PNG of the same picture as the
    SVG — :data:`SLIDE_WIDTH` px wide, text and boxes at :data:`SLIDE_SCALE` × — drawn in the
    browser, so the server does no work for it."""
    return {"format": "png", "filename": file_name, "width": round(SLIDE_WIDTH / SLIDE_SCALE),
            "height": round(d.height), "scale": SLIDE_SCALE}
