"""Counts as the lecture says them: "138,357,544 ≈ 138M as in the lecture", MACs or FLOPs."""

from __future__ import annotations

from typing import Any

from architectures import NetworkSpec
from viz.formatting import approx, parse_approx

UNIT_NOTE = (
    "MACs = multiply-adds: the weight × input multiplications of convolutions and fully "
    "connected layers, counted as in the lecture (#filter params × #filter positions × #filters; "
    "no bias, batch norm or activations). FLOPs count the multiply and the add separately: "
    "FLOPs = 2 × MACs."
)


def params_headline(exact: int, spec: NetworkSpec, is_default: bool = True) -> str:
    """"138,357,544 ≈ 138M as in the lecture": exact count, rounded, and the lecture's claim.

    The lecture rounds loosely ("60K" for LeNet-5's 61,706), so a count within 5 % of
    its claim is said to agree with it.
    """
    text = f"{exact:,} ≈ {approx(exact)}"
    claim = parse_approx(spec.lecture_params)
    if claim is None:
        return text
    if is_default and abs(exact - claim) <= 0.05 * claim:
        return f"{exact:,} ≈ {spec.lecture_params} as in the lecture"
    if is_default:
        return f"{text} (the lecture says about {spec.lecture_params})"
    return f"{text} (the lecture's {spec.lecture_params} is for the default {spec.title})"


def macs_in(macs: int, unit: str) -> int:
    """Multiply-adds in ``unit``: FLOPs count the multiply and the add, 2 × MACs."""
    return 2 * macs if unit == "FLOPs" else macs


def format_macs(macs: int, unit: str = "MACs") -> str:
    """``15470264320 -> "15.5G MACs"`` or, for FLOPs, ``"30.9 GFLOPs"``."""
    value = macs_in(macs, unit)
    short = approx(value)
    if unit == "FLOPs":
        return f"{short[:-1]} {short[-1]}FLOPs" if short[-1:].isalpha() else f"{short} FLOPs"
    return f"{short} MACs"


def macs_caption(macs: int, unit: str, input_size: tuple[int, ...]) -> str:
    """The exact count under the headline metric, per image of ``input_size`` ``(N, C, H, W)``."""
    per_image = f"per {input_size[2]} × {input_size[3]} image"
    if unit == "FLOPs":
        return f"{2 * macs:,} = 2 × {macs:,} MACs {per_image}"
    return f"{macs:,} multiply-adds {per_image}"


def network_totals(spec: NetworkSpec, result: Any) -> dict[str, Any]:
    """One network's point on the Compare chart: its totals at the traced resolution."""
    return dict(name=spec.name, title=spec.title, family=spec.family, params=result.total_params,
                macs=result.total_macs, resolution=int(result.input_size[2]))
