"""The detail panel of a box clicked in the volume diagram: that stage, block or layer the lecture's way.

For the box's layers that compute something (convolutions, pools, fully connected layers,
batch norms): the window (kernel, stride, padding, groups), the input and output volumes
``n_H × n_W × n_C``, the output size ``⌊(n + 2p − f)/s⌋ + 1``, the parameter count
``(f·f·n_C_prev + 1)·n_C`` and the multiply-adds ``f·f·n_C_prev · n_H·n_W · n_C`` with the
layer's own numbers (:mod:`viz.explorer.layers`), and the receptive field of each output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from viz import view as v
from viz.explorer.layers import (
    field_text,
    macs_formula,
    params_formula,
    shape_words,
    size_formula,
    window_text,
    words,
)
from viz.explorer.numbers import format_macs

_COMPUTING = ("Conv2d", "Linear", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
              "BatchNorm2d", "BatchNorm1d")


def box_records(result: Any, key: str) -> tuple[list[Any], str]:
    """The records of the box ``key`` ("layer1", "layer1.0", a merged run "layer3.1–5", a side
    branch "aux.aux1") and the name of the module whose output the box shows."""
    records = list(result.records)
    for side in result.extra.get("side_branches", ()):
        records += list(side.group.records)
    if "–" in key:  # a run of identical blocks: layer3.1 … layer3.5
        first, last = key.split("–")
        parent, start = first.rsplit(".", 1)
        names = {f"{parent}.{i}" for i in range(int(start), int(last) + 1)}
        inside = [r for r in records if ".".join(r.name.split(".")[: parent.count(".") + 2]) in names]
        return inside, f"{parent}.{last}"
    inside = [r for r in records if r.name == key or r.name.startswith(key + ".")]
    return inside, key


def _rows(records: Sequence[Any], fields: Mapping[str, tuple[float, float]] | None) -> list[dict[str, str]]:
    named = words(records)
    rows = []
    for rec in records:
        if not rec.is_leaf or rec.layer_type not in _COMPUTING:
            continue
        rows.append({
            "layer": rec.name,
            "type": named[rec.name],
            "window": window_text(rec),
            "in → out": f"{shape_words(rec.input_shape)} → {shape_words(rec.output_shape)}",
            "output size": size_formula(rec),
            "parameters": params_formula(rec),
            "multiply-adds": macs_formula(rec) if rec.layer_type in ("Conv2d", "Linear") else "0",
            "receptive field": field_text(fields, rec.name),
        })
    return rows


SHOWN_ARITHMETIC = 3  # weight layers whose arithmetic is written out (the rest are in the table below)


def _arithmetic(records: Sequence[Any], fields: Mapping[str, tuple[float, float]] | None) -> list[v.Block]:
    """The box's first conv / fc layers the lecture's way, as text a student reads from top to
    bottom (the table below has every layer, but a grid cell is no place for a formula)."""
    named = words(records)
    weights = [r for r in records if r.is_leaf and r.layer_type in ("Conv2d", "Linear")]
    lines = []
    for rec in weights[:SHOWN_ARITHMETIC]:
        window = window_text(rec)
        parts = [f"{shape_words(rec.input_shape)} → {shape_words(rec.output_shape)}"]
        if size_formula(rec):
            parts.append(f"output size {size_formula(rec)}")
        parts += [f"parameters {params_formula(rec) or f'{rec.params:,}'}",
                  f"multiply-adds {macs_formula(rec) or f'{rec.macs:,}'}"]
        if field_text(fields, rec.name):
            parts.append(f"receptive field {field_text(fields, rec.name)}")
        lines.append(f"- `{rec.name}` — {named[rec.name]}{' ' + window if window else ''}: " + "; ".join(parts))
    if len(weights) > SHOWN_ARITHMETIC:
        lines.append(f"- … and {len(weights) - SHOWN_ARITHMETIC} more weight layers in the table below.")
    return [v.Text("\n".join(lines))] if lines else []


def details_view(result: Any, key: str, fields: Mapping[str, tuple[float, float]] | None,
                 unit: str = "MACs") -> v.View:
    """The panel for box ``key``; ``fields`` as from :func:`viz.explorer.tracing.receptive_fields`."""
    if key == "input":
        size = result.input_size
        return v.View((v.Heading("The input image", 4),
                       v.Text(f"{size[2]} × {size[3]} × {size[1]}: n_H × n_W pixels with n_C = {size[1]} "
                              f"channel{'s' if size[1] > 1 else ''}. Each pixel sees only itself (receptive "
                              "field 1×1); every layer after it sees a larger patch."),))
    records, output_name = box_records(result, key)
    if not records:  # a box of the network shown before
        return v.View(())
    own = next((r for r in records if r.name == output_name), records[-1])
    first = records[0]
    named = words(records)
    params, macs = sum(r.params for r in records), sum(r.macs for r in records)
    kind = named.get(key) or (f"{key.split('–')[0].rsplit('.', 1)[0]}: "
                              f"{len({r.name.split('.')[1] for r in records if r.depth >= 1})} identical blocks")
    field = field_text(fields, output_name)
    rf_caption = ("the input pixels one unit of the output sees" if field else
                  "computing… (shown in a moment)" if fields is None else "")
    metrics = v.Metrics((
        v.Metric("Output", shape_words(own.output_shape),  # the input in the caption: a metric does not wrap
                 caption=f"n_H × n_W × n_C, from {shape_words(first.input_shape)}"),
        v.Metric("Parameters", f"{params:,}", caption="weights and biases, batch-norm γ and β"),
        v.Metric("Multiply-adds" if unit == "MACs" else "FLOPs", format_macs(macs, unit),
                 caption=f"{macs:,} multiply-adds"),
        v.Metric("Receptive field", field or "—", caption=rf_caption),
    ), widths=(1.3, 1, 1, 1))
    blocks: list[v.Block] = [v.Heading(f"{key} — {kind}", 4), metrics, *_arithmetic(records, fields)]
    rows = _rows(records, fields)
    if rows:
        blocks += [
            v.Table(tuple(rows), height=min(38 + 35 * len(rows), 420), key="xp_detail_rows"),
            v.Caption("Output size ⌊(n + 2p − f)/s⌋ + 1 (⌈ ⌉: a pool that rounds up). Parameters "
                      "(f·f·n_C_prev + 1)·n_C: one f × f × n_C_prev filter and a bias per output channel "
                      "(no bias before batch norm). Multiply-adds: #filter params × #filter positions × #filters. "
                      "Receptive field: the input pixels one output unit sees (past the image's edge, padding)."),
        ]
    return v.View(tuple(blocks), headline=f"{key}: {params:,} parameters")
