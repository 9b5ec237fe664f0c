"""The Network Builder's sections as :mod:`viz.view` blocks (and its table as a :class:`viz.view.Editor`).

* :func:`editor` / :func:`rows_from_editor`: the design as an editable table — the settings
  columns, and per row its output shape, parameters, multiply-adds and receptive field — and
  the edited table back as rows.
* :func:`problems_view`, :func:`totals_view`, :func:`export_view`: under the table.
* :func:`figures_view`: the Explorer's volume diagram, channel growth and cost chart for any
  trace (a design, an ONNX model, a zoo network) — the Explorer's functions, not copies.
* :func:`onnx_view`: an opened ONNX model, per node and as the Explorer shows a network.
* :func:`compare_view`: two networks' stages aligned, and where they differ.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from architectures import NETWORKS
from viz import view as v
from viz.builder import codec
from viz.builder.compare import Side, align, biggest_differences, difference_rows
from viz.builder.design import Design, DesignResult, receptive_text, summary_of
from viz.builder.export import pytorch_file
from viz.builder.figures import aligned_stages
from viz.builder.onnx_model import OnnxModel
from viz.builder.rows import FIELDS, KINDS, Row, kind_id, normalise
from viz.explorer import diagram, figures, structure, table
from viz.explorer.numbers import UNIT_NOTE, format_macs, macs_caption
from viz.formatting import approx, num, shape_text, user_value

ROW_NUMBER, STAGE, LAYER = "#", "stage", "layer"
OUTPUTS = ("output", "parameters", "MACs", "receptive field")
_KIND_LABELS = tuple(k.label for k in KINDS.values())
_WIDTHS = {"inception": "medium", "act": "small", "shortcut": "small"}


def editor_columns() -> tuple[v.Column, ...]:
    """The table's columns: row number (pinned), layer, the results, stage, then one per setting (:data:`FIELDS`).
    The results come right after the layer, so a phone shows a row's shape without scrolling sideways."""
    settings = []
    for name, option in FIELDS.items():
        kind = {"int": "int", "float": "float", "choice": "choice", "bool": "bool"}.get(option.kind, "text")
        settings.append(v.Column(option.label, kind, option.help, choices=option.choices, minimum=option.minimum,
                                 maximum=option.maximum, step=0.05 if kind == "float" else None,
                                 width=_WIDTHS.get(name, "small")))
    return (
        v.Column(ROW_NUMBER, "int", "The row's number (the messages below name rows by it).", disabled=True,
                 pinned=True, width="small"),
        v.Column(LAYER, "choice", "The layer or block of this row. " + " ".join(
            f"{k.label}: {k.help}" for k in KINDS.values()), choices=_KIND_LABELS, width="medium"),
        v.Column("output", "text", "Output shape n_H × n_W × n_C from the forward pass (a vector: its length).",
                 disabled=True),
        v.Column("parameters", "int", "Weights and biases of this row (batch-norm scales too).", disabled=True),
        v.Column("MACs", "int", UNIT_NOTE, disabled=True),
        v.Column("receptive field", "text", "Input pixels one output unit sees (n × n); all: every pixel, once "
                 "the map is pooled globally or flattened.", disabled=True),
        v.Column(STAGE, "text", "Consecutive rows with the same stage name are one stage (one box of the "
                 "diagram); blank: the row is a stage of its own.", width="small"),
        *settings,
    )


def _label_of(name: str) -> str:
    return FIELDS[name].label


def editor(design: Design, result: DesignResult | None, key: str) -> v.Editor:
    """The design as an editable table, with each row's results (from ``result``, if computed)."""
    outcomes = {o.number: o for o in result.rows} if result is not None else {}
    columns = editor_columns()
    rows = []
    for number, row in enumerate(design.rows, start=1):
        cells: dict[str, Any] = {c.name: None for c in columns}
        cells.update({ROW_NUMBER: number, STAGE: row.stage or None,
                      LAYER: KINDS[row.kind].label if row.kind in KINDS else row.kind})
        outcome = outcomes.get(number)
        if outcome is not None and outcome.status == "ok":
            cells.update({"output": shape_text(outcome.output_shape), "parameters": outcome.params,
                          "MACs": outcome.macs, "receptive field": receptive_text(outcome.receptive)})
        elif outcome is not None:
            cells["output"] = "✗ see below" if outcome.status == "error" else "…"
        for name in FIELDS:
            value = getattr(row, name)
            cells[_label_of(name)] = value
        rows.append(cells)
    return v.Editor(tuple(rows), columns, key, height=min(38 + 35 * (len(rows) + 1), 560))


def rows_from_editor(records: Sequence[Mapping[str, Any]]) -> tuple[Row, ...]:
    """The edited table as rows, normalised (defaults filled in, unused columns cleared)."""
    by_label = {_label_of(name): name for name in FIELDS}
    rows = []
    for record in records:
        values = {by_label[k]: value for k, value in record.items() if k in by_label}
        rows.append(normalise(dict(kind=kind_id(record.get(LAYER)), stage=record.get(STAGE) or "", **values)))
    return tuple(rows)


def edited_design(design: Design, records: Sequence[Mapping[str, Any]]) -> Design | None:
    """The design with the table's edits, or None when the table shows the design as it is."""
    rows = rows_from_editor(records)
    return None if rows == design.rows else Design(design.input, rows, design.name)


# ------------------------------------------------------------------------- under the table


def problems_view(result: DesignResult) -> v.View:
    """Each row that cannot work, with what would fix it; then the notes."""
    blocks: list[v.Block] = []
    if not result.rows:
        blocks.append(v.Callout("info", "The table is empty: add a row (the + under the table), or start from a "
                                "network above.", icon=":material/add_row_below:"))
    blocks += [v.Callout("error", message, icon=":material/error:") for message in result.errors]
    waiting = [o.number for o in result.rows if o.status == "waiting"]
    if waiting:
        rows = f"rows {waiting[0]}–{waiting[-1]} wait" if len(waiting) > 1 else f"row {waiting[0]} waits"
        shown = f"rows 1–{result.working_rows}" if result.working_rows > 1 else "row 1" if result.working_rows \
            else "no row"
        blocks.append(v.Caption(f"{rows[0].upper()}{rows[1:]} for the row above to work; the totals and diagrams "
                                f"are those of {shown}."))
    blocks += [v.Callout("info", note) for note in result.notes]
    return v.View(tuple(blocks))


def totals_view(result: Any, compact: bool = False) -> v.View:
    """Parameters, multiply-adds, depth and output of a trace (``result``: a TraceResult);
    ``compact``: short values ("138M", the exact count below), for half a page's width."""
    depth, layers, shortcuts = structure.weight_layers(result.records)
    params = approx(result.total_params) if compact else f"{result.total_params:,}"
    return v.View((v.Metrics((
        v.Metric("Parameters", params, help="Counted from the modules' own parameters.",
                 caption=f"{result.total_params:,}" if compact else ""),
        v.Metric("Multiply-adds", approx(result.total_macs) if compact else format_macs(result.total_macs),
                 help=UNIT_NOTE, caption=macs_caption(result.total_macs, "MACs", result.input_size)),
        v.Metric("Depth", str(depth), help="Weight layers along the longest path (as in 'VGG-16').",
                 caption=f"{layers} conv/FC layers in all" if layers != depth else ""),
        v.Metric("Output", shape_text(result.output_shape), caption=f"input {shape_text(result.input_size)}"),
    ), widths=(1.2, 1.2, 0.7, 0.9)),), headline=f"{result.total_params:,} parameters")


def figures_view(result: Any, title: str, level: str = "stages", key: str = "nb") -> v.View:
    """The Explorer's three figures of any trace: the volume diagram and channel growth, each wide or
    narrow as the screen allows (as the Explorer draws them), and the cost by stage."""
    stages = structure.group_records(result, 0)
    items = structure.diagram_items(structure.diagram_groups(result, level), result.input_size)
    heading = f"{title}: the volume after each {level[:-1]}"
    wide, narrow = (figures.diagram_figure(diagram.layout(items, kind, heading)) for kind in ("wide", "narrow"))
    names = [g.name for g in stages]
    growth = figures.channel_growth(result.records, result.input_size, names, diagram.WIDE_WIDTH)
    growth_narrow = figures.channel_growth(result.records, result.input_size, names, diagram.NARROW_WIDTH,
                                           narrow=True)
    return v.View((
        v.Responsive(f"{key}_volume_box", (v.Figure(wide, key=f"{key}_volume"),),
                     (v.Figure(narrow, key=f"{key}_volume_narrow"),), min_width=diagram.WIDE_WIDTH),
        v.Responsive(f"{key}_growth_box", (v.Figure(growth, key=f"{key}_growth"),),
                     (v.Figure(growth_narrow, key=f"{key}_growth_narrow"),), min_width=diagram.WIDE_WIDTH),
        v.Figure(figures.cost_by_stage(stages), key=f"{key}_cost"),
    ), figure=f"{key}_volume")


def export_view(result: DesignResult) -> v.View:
    """Download the PyTorch file and the design; say that the link holds the design."""
    design = result.design
    blocks: list[v.Block] = []
    downloads: list[tuple[v.Block, ...]] = []
    if result.result is not None:
        downloads.append((v.Download("PyTorch file (.py)", pytorch_file(result), f"{design.name}.py",
                                     "text/x-python"),))
    downloads.append((v.Download("Design (.json)", codec.to_json(design), f"{design.name}.json",
                                 "application/json"),))
    blocks.append(v.Columns(tuple(downloads)))
    try:
        codec.to_link(design)
        blocks.append(v.Caption("This page's address holds the design: copy it to share the network. The .py "
                                "file needs only PyTorch; the .json file loads here again."))
    except ValueError as error:
        blocks.append(v.Callout("warning", str(error), icon=":material/link_off:"))
    return v.View(tuple(blocks))


def design_caption(result: DesignResult) -> str:
    """Under the table: what the design is, and how the table fills itself in."""
    return (f"{summary_of(result.design, result.rows)}. Blank cells a layer uses take its default; cells it "
            "does not use stay blank. Each edit runs a real forward pass.")


# ----------------------------------------------------------------------------------- ONNX


def onnx_view(model: OnnxModel, file_name: str, level: str = "stages") -> v.View:
    """An opened ONNX model: what was assumed, the totals, the Explorer's figures, every node."""
    result = model.result
    blocks: list[v.Block] = [v.Caption(f"{user_value(file_name)}: {num(model.n_bytes)} bytes, IR version "
                                       f"{model.ir_version}, opset {model.opset}"
                                       + (f", made by {user_value(model.producer)}" if model.producer else ""))]
    blocks += [v.Callout("info", note) for note in model.notes]
    blocks += totals_view(result).blocks
    blocks += figures_view(result, "The model", level, key="onnx").blocks
    nodes = tuple({"#": i, "node": n.record.name, "ONNX op": n.op_type,
                   "output (n_H × n_W × n_C)": shape_text(n.record.output_shape), "parameters": n.record.params,
                   "MACs": n.record.macs,
                   "receptive field": receptive_text(n.receptive_field) if n.receptive_field else "—"}
                  for i, n in enumerate(model.nodes, start=1))
    blocks += [
        v.Heading("Every node", 4),
        v.Table(nodes, number_columns=("parameters", "MACs"), height=min(38 + 35 * len(nodes), 520), key="onnx_nodes"),
        v.Caption("Parameters: the node's constant floating-point inputs (weights, biases, batch-norm scales; not "
                  "its running statistics). MACs: Conv, ConvTranspose, Gemm and MatMul, as the Explorer counts them."),
    ]
    rows = table.table_rows(result, table.deepest_level(result))
    blocks.append(v.Expander("The layer table, as the Network Explorer shows it", (
        v.Table(tuple(rows), number_columns=("parameters", "MACs"), height=min(38 + 35 * len(rows), 520)),),
        icon=":material/table:"))
    return v.View(tuple(blocks), headline=f"{result.total_params:,} parameters", figure="onnx_volume")


ONNX_INTRO = v.View((v.Text(
    "Open a model saved as ONNX (`torch.onnx.export`, `onnx.save`). It is read with the `onnx` package only — "
    "no code in the file runs — checked with `onnx.checker`, and its shapes come from `onnx.shape_inference` "
    "from the input's size. Export with a fixed input size (a symbolic batch is fine) and the weights inside "
    "the file."),))


# -------------------------------------------------------------------------------- compare


def _title_markdown(side: Side) -> str:
    return user_value(side.title) if side.user_named else side.title


def _title_plot(side: Side) -> str:
    """A title for plotly, which reads tags (``<a href>``) in titles and legends: a user's text escaped."""
    return html.escape(side.title, quote=False) if side.user_named else side.title


def compare_side(source: str, network: str | None, design: Design, *, zoo: Callable[[str], Any],
                 evaluated: Callable[[Design], DesignResult], onnx: Side | None = None,
                 file: tuple[str, bytes] | None = None) -> Side:
    """One side of a comparison from its source (:data:`viz.builder.settings.SOURCES`): a zoo network,
    the Build tab's ``design``, an uploaded design ``file`` (name, bytes), or the ``onnx`` model opened.
    ``zoo(name)`` and ``evaluated(design)`` are the page's cached passes."""
    if source == "zoo":
        return Side(NETWORKS[network].title, zoo(network))
    if source == "onnx":
        return onnx or Side("ONNX model", problem="open a model on the Open ONNX tab.")
    if source == "file":
        if file is None:
            return Side("Design file", problem="choose a design file (.json).")
        try:
            design = codec.from_json(file[1])
        except ValueError as error:
            return Side(file[0], problem=str(error), user_named=True)
    result = evaluated(design).result
    problem = "" if result is not None else "it has no rows yet." if not design.rows else \
        "no row of this design works yet."
    return Side(design.name, result, problem)


def compare_view(a: Side, b: Side, level: str = "stages") -> v.View:
    """Two networks: their totals, their stages aligned, and where parameters and multiply-adds differ."""
    blocks: list[v.Block] = [v.Callout("warning", f"{_title_markdown(side)}: {side.problem}")
                             for side in (a, b) if side.problem]
    if a.result is None or b.result is None:
        if not blocks:
            blocks.append(v.Callout("info", "Choose two networks to compare."))
        return v.View(tuple(blocks))
    pairs, by = align(a.result, b.result)
    heads = tuple((v.Heading(f"{label}: {_title_markdown(side)}", 4), *totals_view(side.result, compact=True).blocks)
                  for side, label in ((a, "A"), (b, "B")))
    volumes = tuple(v.Figure(figures.volume_diagram(structure.diagram_groups(side.result, level),
                                                    side.result.input_size, title=f"{label}: {_title_plot(side)}"),
                             key=f"cmp_volume_{label}") for side, label in ((a, "A"), (b, "B")))
    rows = difference_rows(pairs, a.result, b.result)
    differences = biggest_differences(pairs)
    blocks += [
        v.Columns(heads), *volumes,
        v.Figure(aligned_stages(pairs, f"A: {_title_plot(a)}", f"B: {_title_plot(b)}"), key="cmp_aligned"),
        v.Caption(f"Stages paired by {by}" + (" (the map size each stage ends at)" if by == "map size" else "")
                  + "; — is a stage the other network has no counterpart for."),
        v.Table(tuple(rows), number_columns=("A parameters", "A MACs", "B parameters", "B MACs",
                                             "Δ parameters (B − A)", "Δ MACs (B − A)"),
                height=min(38 + 35 * len(rows), 560), key="cmp_table"),
    ]
    if differences:
        blocks.append(v.Text("**Where they differ most:** " + "; ".join(differences) + "."))
    return v.View(tuple(blocks), figure="cmp_aligned")
