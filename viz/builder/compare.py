"""Two networks side by side: their stages aligned, and where their parameters and multiply-adds differ.

Any two traces compare — zoo networks, designs, ONNX models — as :class:`Side`\\ s. Their stages
are the boxes of the Explorer's volume diagram (:func:`viz.explorer.structure.diagram_groups`:
every stage that changes the shape or holds weights, so the stages shown add up to the totals).
:func:`align` pairs them in order (:class:`difflib.SequenceMatcher`): by name when the two
share most stage names (VGG-16 and VGG-19, a zoo network and a design started from it), else
by the map size each stage ends at (112, 56, 28 … then the fully connected part), the
lecture's way of reading a network stage by stage (VGG's block3 beside ResNet's layer2, both
at 28 × 28). A stage one side has and the other lacks sits beside a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from viz.explorer.structure import diagram_groups
from viz.formatting import shape_text
from viz.trace import TraceResult


@dataclass(frozen=True)
class Side:
    """One network of a comparison: its title and trace, or why there is none (``problem``).

    ``user_named``: the title is a user's text (an uploaded file's name), shown only as such.
    """

    title: str
    result: TraceResult | None = None
    problem: str = ""
    user_named: bool = False


@dataclass(frozen=True)
class Pair:
    """One aligned slot: a stage of A, of B, or of both (the other None)."""

    a: Any | None
    b: Any | None


def _key_by_size(group: Any) -> str:
    shape = group.output_shape
    return f"{shape[2]}×{shape[3]}" if len(shape) == 4 else "FC"


def align(a: TraceResult, b: TraceResult) -> tuple[list[Pair], str]:
    """The two networks' stages paired in order, and what they were paired by ("name" or "map size")."""
    ga, gb = diagram_groups(a), diagram_groups(b)
    names_a, names_b = [g.name for g in ga], [g.name for g in gb]
    shared = len(set(names_a) & set(names_b))
    by_name = shared >= max(1, min(len(ga), len(gb)) // 2)
    keys_a = names_a if by_name else [_key_by_size(g) for g in ga]
    keys_b = names_b if by_name else [_key_by_size(g) for g in gb]
    pairs: list[Pair] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if op in ("equal", "replace"):
            n = min(i2 - i1, j2 - j1)
            pairs += [Pair(ga[i1 + k], gb[j1 + k]) for k in range(n)]
            pairs += [Pair(g, None) for g in ga[i1 + n:i2]]
            pairs += [Pair(None, g) for g in gb[j1 + n:j2]]
        elif op == "delete":
            pairs += [Pair(g, None) for g in ga[i1:i2]]
        else:
            pairs += [Pair(None, g) for g in gb[j1:j2]]
    return pairs, "name" if by_name else "map size"


def _cells(prefix: str, group: Any | None) -> dict[str, Any]:
    if group is None:
        return {f"{prefix} stage": "—", f"{prefix} output": "", f"{prefix} parameters": None, f"{prefix} MACs": None}
    return {f"{prefix} stage": group.name, f"{prefix} output": shape_text(group.output_shape),
            f"{prefix} parameters": group.params, f"{prefix} MACs": group.macs}


def difference_rows(pairs: list[Pair], a: TraceResult, b: TraceResult) -> list[dict[str, Any]]:
    """One row per aligned slot (A's stage, B's stage, B − A), then the totals."""
    rows = []
    for pair in pairs:
        row = {**_cells("A", pair.a), **_cells("B", pair.b)}
        pa, pb = (pair.a.params if pair.a else 0), (pair.b.params if pair.b else 0)
        ma, mb = (pair.a.macs if pair.a else 0), (pair.b.macs if pair.b else 0)
        row["Δ parameters (B − A)"] = pb - pa
        row["Δ MACs (B − A)"] = mb - ma
        rows.append(row)
    rows.append({"A stage": "total", "A output": shape_text(a.output_shape), "A parameters": a.total_params,
                 "A MACs": a.total_macs, "B stage": "total", "B output": shape_text(b.output_shape),
                 "B parameters": b.total_params, "B MACs": b.total_macs,
                 "Δ parameters (B − A)": b.total_params - a.total_params,
                 "Δ MACs (B − A)": b.total_macs - a.total_macs})
    return rows


def biggest_differences(pairs: list[Pair], n: int = 3) -> list[str]:
    """The slots where the two differ most in parameters, in words ("layer3 vs block4: +1.2M parameters")."""
    scored = []
    for pair in pairs:
        pa, pb = (pair.a.params if pair.a else 0), (pair.b.params if pair.b else 0)
        if pa != pb:
            label = f"{pair.a.name if pair.a else '—'} vs {pair.b.name if pair.b else '—'}"
            scored.append((abs(pb - pa), label, pb - pa))
    return [f"{label}: {delta:+,} parameters" for _, label, delta in sorted(scored, reverse=True)[:n]]
