"""The layer table: one row per traced module down to a depth, each counting what it holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from viz.explorer.layers import field_text, window_columns, words
from viz.explorer.numbers import macs_in
from viz.explorer.state import MAX_TABLE_DEPTH
from viz.formatting import shape_text

INDENT = "\u2003"  # an em space: indentation a table keeps (leading spaces are stripped)


def preorder(records: Sequence[Any]) -> list[Any]:
    """Records with every container before its contents (forward hooks fire after a
    module's children, so a first tracer returned them the other way round)."""
    first: dict[str, int] = {}
    for i, rec in enumerate(records):
        parts = rec.name.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            if prefix not in first:
                first[prefix] = i
    return sorted(records, key=lambda r: (first.get(r.name, 0), r.depth))


def subtree_totals(records: Sequence[Any]) -> dict[str, tuple[int, int]]:
    """``name -> (params, macs)`` of each module with everything inside it."""
    totals: dict[str, list[int]] = {}
    for rec in records:
        parts = rec.name.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            entry = totals.setdefault(prefix, [0, 0])
            entry[0] += rec.params
            entry[1] += rec.macs
    return {k: (v[0], v[1]) for k, v in totals.items()}


def table_rows(result: Any, max_depth: int = 1, unit: str = "MACs",
               fields: Mapping[str, tuple[float, float]] | None = None) -> list[dict[str, Any]]:
    """One row per traced module down to ``max_depth``, containers first; each row counts
    everything inside it, so the rows of any one depth (with the leaves above it) add
    up to the network's totals. Names are indented by depth; types in the lecture's
    words; kernel / stride / padding / groups for convolutions and pools ("11×11", "4");
    ``fields`` (name → rows, columns of input pixels) adds each layer's receptive field."""
    ordered = preorder(result.records)
    totals = subtree_totals(ordered)
    named = words(ordered)
    cost = "FLOPs" if unit == "FLOPs" else "MACs"
    rows = []
    for rec in ordered:
        if rec.depth > max_depth:
            continue
        params, macs = totals[rec.name]
        row = {
            "layer": INDENT * 2 * rec.depth + rec.name,
            "type": named[rec.name],
            "depth": rec.depth,
            **window_columns(rec),
            "output (n_H × n_W × n_C)": shape_text(rec.output_shape),
        }
        if fields is not None:
            row["receptive field"] = field_text(fields, rec.name)
        row.update({"parameters": int(params), cost: int(macs_in(macs, unit))})
        rows.append(row)
    return rows


def rows_to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The table as CSV text (layer names without their indentation)."""
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "layer": str(row["layer"]).strip(INDENT + " ")})
    return buffer.getvalue()


def max_depth(result: Any) -> int:
    return max((r.depth for r in result.records), default=0)


def deepest_level(result: Any) -> int:
    """The deepest level the table's depth slider offers for ``result``."""
    return min(max_depth(result), MAX_TABLE_DEPTH)
