"""The Network Explorer's sections as :mod:`viz.view` blocks, ready for the page to lay out.

One function per section: the notices and title above the tabs, the headline and the
overview (with its figures), the layer table, published figures & code, and Compare.
Each takes the spec, the tracer's result and the :class:`~viz.explorer.state.ExplorerState`
(plain data) and returns a :class:`~viz.view.View`; the page reads the widgets between
them and keeps the caches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from architectures import NetworkSpec
from viz import view as v
from viz.compute import ServerBusy
from viz.explorer import diagram, figures, published, structure, svg, table
from viz.explorer.numbers import UNIT_NOTE, format_macs, macs_caption, macs_in, params_headline
from viz.explorer.state import ExplorerState, resolution_of
from viz.formatting import shape_text

DEPTH_HELP = ("Weight layers (convolutions and fully connected) along the longest path, as in 'VGG-16' or "
              "'ResNet-50': parallel branches count once, projection shortcuts and squeeze-excite not at all.")

UNIT_HELP = "FLOPs = 2 × MACs: a multiply-add is one multiplication and one addition."
LEVEL_HELP = "stages: the network's top-level parts; blocks: each residual, inception or inverted-residual block"
ROWS_HELP = "0: the stages only; deeper levels open each stage into its blocks and layers."


FIRST_STEP = v.View((v.Caption(
    "**New here?** Pick a network in the sidebar (on a phone: » at the top left) — start with LeNet-5, then "
    "VGG-16 and ResNet-50 — and click a box in its diagram to see what that layer computes."),))


def notices_view(state: ExplorerState) -> v.View:
    """One warning per value of the link that was ignored (user text only as code spans)."""
    return v.View(tuple(v.Callout("warning", notice, icon=":material/link_off:") for notice in state.notices))


def title_view(spec: NetworkSpec, state: ExplorerState) -> v.View:
    """"Network Explorer: VGG-16 at 224 × 224 × 3", the page's title (one line on a projector)."""
    resolution = resolution_of(state)
    return v.View((v.Heading(f"Network Explorer: {spec.title} at {resolution} × {resolution} × {spec.input_size[0]}",
                             2),))


def trace_error_view(message: str) -> v.View:
    """Why this setting can't run, and that the rest of the page still works."""
    return v.View((v.Callout("error", f"{message}\n\nChange the input resolution or the options in the sidebar; "
                             "the other networks and the Compare tab still work.", icon=":material/error:"),))


def headline_view(spec: NetworkSpec, result: Any, state: ExplorerState) -> v.View:
    """Parameters (with the lecture's figure), multiply-adds, depth and output, side by side."""
    is_default = not state.options and state.resolution is None
    params_text = params_headline(result.total_params, spec, is_default)
    depth, layers, shortcuts = structure.weight_layers(result.records)
    depth_note = ""
    if layers != depth:
        extra = f", incl. {shortcuts} projection shortcut{'s' if shortcuts > 1 else ''}" if shortcuts else ""
        depth_note = f"{layers} conv/FC layers in all{extra}"
    metrics = v.Metrics((
        v.Metric("Parameters", f"{result.total_params:,}", caption=params_text,
                 help="Counted from the module's own parameters (weights and biases, batch-norm scales)."),
        v.Metric("Multiply-adds" if state.unit == "MACs" else "FLOPs", format_macs(result.total_macs, state.unit),
                 help=UNIT_NOTE, caption=macs_caption(result.total_macs, state.unit, result.input_size)),
        v.Metric("Depth", f"{depth}", help=DEPTH_HELP, caption=depth_note),
        v.Metric("Output", shape_text(result.output_shape), caption=f"input {shape_text(result.input_size)}"),
    ), widths=(1.35, 1, 0.8, 0.8))
    return v.View((metrics,), headline=params_text)


def overview_view(spec: NetworkSpec, result: Any, state: ExplorerState) -> v.View:
    """The headline numbers first; what is new in the network comes under the figures (:func:`summary_view`)."""
    return headline_view(spec, result, state)


def summary_view(spec: NetworkSpec) -> v.View:
    """What is new in this network, and its paper."""
    return v.View((v.Text(f"**What is new in {spec.title}.** {spec.summary}"), v.Caption(spec.paper)))


DIAGRAM_HINT = ("Click a box for that part's layers: kernel, stride, padding, the parameter and multiply-add "
                "arithmetic with its numbers, and what each unit sees of the image. ")


def diagram_view(spec: NetworkSpec, result: Any, options: Mapping[str, Any], unit: str, level: str) -> v.View:
    """The volume diagram, wide (rows left to right) or narrow (top to bottom) as the screen
    allows, each box clickable; a caption on how to read it and the SVG download for slides."""
    groups = structure.diagram_groups(result, level)
    sides = result.extra.get("side_branches", ())
    items = structure.diagram_items(groups, result.input_size, bool(options.get("residual", True)), unit, sides)
    title = f"{spec.title}: the volume after each {level[:-1]}"
    wide, narrow = diagram.layout(items, "wide", title), diagram.layout(items, "narrow", title)
    stem = f"{spec.name}_{level}_{result.input_size[2]}px"
    return v.View((
        v.Responsive("xp_volume_box", (
            v.Figure(figures.diagram_figure(wide), key="xp_volume", selectable=True, toolbar="hover",
                     export=svg.export_options(wide, stem)),), (
            v.Figure(figures.diagram_figure(narrow), key="xp_volume_narrow", selectable=True),),
            min_width=diagram.WIDE_WIDTH),
        v.Caption(DIAGRAM_HINT + "Box height ∝ √n_H, thickness ∝ √n_C, depth ∝ √n_W; the arrow says what made it."),
        v.Download("Download the diagram (SVG, for slides)", svg.to_svg(wide), f"{stem}.svg", "image/svg+xml"),
        v.Caption("A PNG of it: the camera button at the diagram's top right (1920 px wide)."),
    ), figure="xp_volume")


def charts_view(spec: NetworkSpec, result: Any, unit: str) -> v.View:
    """Channel growth (stage names as the width allows) and where the cost lives (with any side branches)."""
    stages = structure.group_records(result, 0)
    names = [g.name for g in stages]
    wide = figures.channel_growth(result.records, result.input_size, names, diagram.WIDE_WIDTH)
    narrow = figures.channel_growth(result.records, result.input_size, names, diagram.NARROW_WIDTH, narrow=True)
    cost = figures.cost_by_stage(stages, unit, result.extra.get("side_branches", ()))
    return v.View((v.Responsive("xp_growth_box", (v.Figure(wide, key="xp_growth"),),
                                (v.Figure(narrow, key="xp_growth_narrow"),), min_width=diagram.WIDE_WIDTH),
                   v.Figure(cost, key="xp_cost")), figure="xp_growth")


def selected_box(*events: Any) -> str | None:
    """The key of the box a click selected, from the charts' selection states (newest first)."""
    for event in events:
        points = ((event or {}).get("selection") or {}).get("points") or []
        for point in points:
            data = point.get("customdata")
            if isinstance(data, (list, tuple)):
                data = data[0] if data else None
            if isinstance(data, str):
                return data
    return None


def layer_table_view(spec: NetworkSpec, result: Any, state: ExplorerState,
                     fields: Mapping[str, tuple[float, float]] | None = None) -> v.View:
    """The layer table down to ``state.table_depth``, its caption and the CSV download;
    ``fields`` (:func:`viz.explorer.tracing.receptive_fields`) adds the receptive fields."""
    rows = table.table_rows(result, state.table_depth, state.unit, fields if fields is not None else {})
    suffix = "_".join(f"{k}-{value}" for k, value in sorted(state.options.items()))
    file_name = f"{spec.name}{'_' + suffix if suffix else ''}_{result.input_size[2]}px.csv"
    return v.View((
        v.Table(tuple(rows), number_columns=("parameters", state.unit), height=min(38 + 35 * len(rows), 620)),
        v.Caption(f"{len(rows)} rows. Each row counts everything inside it; indented rows are the parts of "
                  "the row above. Shapes are n_H × n_W × n_C; a fully connected output is a count. Kernel f × f, "
                  "stride s, padding p on each side. Receptive field: the input pixels one unit of the layer's "
                  "output sees (larger than the image once it reaches past the edges, into the padding)."),
        v.Download("Download the table as CSV", table.rows_to_csv(rows), file_name, "text/csv"),
    ))


def published_view(spec: NetworkSpec, result: Any, state: ExplorerState) -> v.View:
    """Our counts beside the published ones and why they differ; pretrained weights, issue
    references and the source in a folded "For developers" section."""
    blocks: list[v.Block] = [
        v.Heading("Published figures", 3),
        # A static table: its long source citations wrap instead of being cut off.
        v.Table(tuple(published.published_rows(spec, result.total_params, result.total_macs, state.unit)),
                static=True),
    ]
    for note in (published.published_note(spec), published.side_branch_note(spec, result)):
        if note:
            blocks.append(v.Text(f"**Why the numbers differ.** {note}"))
    blocks.append(v.Caption(UNIT_NOTE))
    if state.options or state.resolution is not None:
        blocks.append(v.Caption("Our row is for the options chosen in the sidebar; published figures are for "
                                "the default."))
    path, source = published.module_source(spec.name)
    refs = published.references(spec)
    developer: list[v.Block] = [v.Text(published.pretrained_note(spec))]
    if refs:
        developer.append(v.Text("Issues behind the notes above: " + ", ".join(f"`{r}`" for r in refs) + "."))
    developer += [v.Caption(f"{path}: the PyTorch source of {spec.title}"), v.Code(source, line_numbers=True)]
    blocks += [v.Heading("The code", 3),
               v.Expander("For developers: pretrained weights, issues, the source", tuple(developer),
                          icon=":material/code:")]
    return v.View(tuple(blocks))


COMPARE_INTRO = v.View((v.Text("Every network with its default options at its default resolution. "
                               "Far right = most work per image; high up = most parameters."),))


def compare_points(names: Sequence[str], totals: Callable[[str], Mapping[str, Any] | str]
                   ) -> tuple[list[Mapping[str, Any]], list[str]]:
    """Each network's totals (``totals(name)``: :func:`viz.explorer.numbers.network_totals`, or
    why it could not be traced) as Compare's points and problems; a busy server stops the round."""
    points: list[Mapping[str, Any]] = []
    problems: list[str] = []
    for name in names:
        try:
            found = totals(name)
        except ServerBusy as busy:
            problems.append(str(busy))
            break
        if isinstance(found, str):
            problems.append(found)
        else:
            points.append(found)
    return points, problems


def compare_view(points: Sequence[Mapping[str, Any]], problems: Sequence[str], state: ExplorerState) -> v.View:
    """The chosen networks' parameters against their cost (``points`` from
    :func:`viz.explorer.numbers.network_totals`), as a chart and a table; ``problems``
    are the messages of networks that could not be traced."""
    blocks: list[v.Block] = [v.Callout("error", problem) for problem in problems]
    if points:
        rows = tuple({"network": p["title"], "input": f"{p['resolution']} × {p['resolution']}",
                      "parameters": p["params"], state.unit: macs_in(p["macs"], state.unit)} for p in points)
        blocks += [v.Figure(figures.compare_networks(points, state.unit, highlight=state.network),
                            key="xp_compare_chart"),
                   v.Table(rows, number_columns=("parameters", state.unit))]
    elif not problems:
        blocks.append(v.Callout("info", "Pick some networks to compare."))
    return v.View(tuple(blocks), figure="xp_compare_chart" if points else "")
