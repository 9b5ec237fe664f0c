"""EfficientNet's compound scaling (Tan & Le 2019, eq. 3): d = 1.2^φ, w = 1.1^φ, r = 1.15^φ.

B0 scaled by depth d, width w and input resolution — by the compound rule φ, by one of
the official B0–B7 presets, or freely — built on the meta device (shapes only) and traced;
the paper's rule predicts cost ∝ d · w² · r² (§3.3), ≈ 2^φ × B0's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from architectures import build, costs
from architectures import efficientnet as eff
from architectures.blocks import InvertedResidual
from architectures.meta_build import meta_device
from viz.blocklab.common import Stage, short
from viz.controls import choice, floats, ints
from viz.trace import trace
from viz.trace.estimate import shapes_only

PRESETS = ("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7")
MODES = ("compound coefficient φ", "a preset B0–B7", "free d, w, r")

MODE = choice("e_mode", "mode", "Scale B0 by", MODES, MODES[0], widget="radio-vertical")
PHI = floats("e_phi", "phi", "φ", -2.0, 7.0, 0.0, step=0.5, shown_if=("mode", MODES[0]))
PRESET = choice("e_preset", "preset", "preset", PRESETS, "b0", labels=tuple(p.upper() for p in PRESETS),
                shown_if=("mode", MODES[1]))
DEPTH = floats("e_d", "depth", "depth d (× layers per stage)", 0.5, 4.0, 1.0, step=0.1, shown_if=("mode", MODES[2]))
WIDTH = floats("e_w", "width", "width w (× channels)", 0.5, 2.5, 1.0, step=0.1, shown_if=("mode", MODES[2]))
RESOLUTION = ints("e_r", "resolution", "resolution (pixels)", 32, 640, 224, step=8, shown_if=("mode", MODES[2]))
CONTROLS = (MODE, PHI, PRESET, DEPTH, WIDTH, RESOLUTION)

# A real forward pass of a scaled EfficientNet is offered up to this many multiply-adds:
# B0 (0.39B) took 0.3–2.5 s on the shared 2-core machine, so about 1B (B2) stays within a few seconds.
REAL_PASS_MAX_MACS = 1_000_000_000


@dataclass(frozen=True)
class NetworkCost:
    """A traced EfficientNet: per-stage rows and totals."""

    label: str
    depth: float
    width: float
    resolution: int
    params: int
    macs: int
    params_formula: int  # summed per layer with architectures.costs from the traced shapes
    macs_formula: int
    stages: tuple[Stage, ...]
    blocks: int  # MBConv blocks

    @property
    def agrees(self) -> bool:
        return self.params == self.params_formula and self.macs == self.macs_formula


@dataclass(frozen=True)
class EfficientNetResult:
    chosen: NetworkCost
    b0: NetworkCost
    predicted_factor: float  # d · w² · r² (r = resolution / 224), the paper's cost rule
    phi: float | None

    @property
    def factor(self) -> float:
        """Counted MACs relative to B0's."""
        return self.chosen.macs / self.b0.macs

    @property
    def real_pass_fits(self) -> bool:
        return self.chosen.macs <= REAL_PASS_MAX_MACS


def _layer_formula(module: nn.Module, out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> tuple[int, int]:
    """(params, MACs) of one leaf layer by the formulas of architectures.costs."""
    if isinstance(module, nn.Conv2d):
        k = module.kernel_size[0]
        return (costs.conv_params(module.in_channels, module.out_channels, k, module.groups,
                                  bias=module.bias is not None),
                costs.conv_macs(module.in_channels, module.out_channels, module.kernel_size,
                                out_shape[2], out_shape[3], module.groups))
    if isinstance(module, nn.Linear):
        return (module.in_features * module.out_features + (module.out_features if module.bias is not None else 0),
                costs.linear_macs(module.in_features, module.out_features))
    if isinstance(module, nn.BatchNorm2d):
        return 2 * module.num_features if module.affine else 0, 0
    return sum(p.numel() for p in module.parameters(recurse=False)), 0


def _network_cost(label: str, model: nn.Module, resolution: int, depth: float, width: float) -> NetworkCost:
    with shapes_only(model):
        result = trace(model, (3, resolution, resolution), name=label)
    modules = dict(model.named_modules())
    stages = []
    for g in result.group(0):
        pf = mf = 0
        for r in g.records:
            if r.is_leaf and r.call == 0:
                p, m = _layer_formula(modules[r.name], r.output_shape, r.input_shape)
                pf, mf = pf + p, mf + m
        stages.append(Stage(g.name, g.name, tuple(g.input_shape[1:]), tuple(g.output_shape[1:]), g.params, g.macs,
                            pf, mf))
    blocks = sum(1 for m in model.modules() if isinstance(m, InvertedResidual))
    return NetworkCost(label, depth, width, resolution, result.total_params, result.total_macs,
                       sum(s.params_formula for s in stages), sum(s.macs_formula for s in stages),
                       tuple(stages), blocks)


@lru_cache(maxsize=16)
def preset_cost(variant: str) -> NetworkCost:
    """B0–B7 with the official coefficients, traced on the meta device (shapes only)."""
    variant = PRESET.check(variant)
    width, depth, resolution, _ = eff.VARIANTS[variant]
    model = build(f"efficientnet_{variant}", device="meta")
    return _network_cost(f"B{variant[1]}", model, resolution, depth, width)


def compound(phi: float) -> tuple[float, float, int]:
    """(depth d, width w, resolution in pixels) for compound coefficient φ (Tan & Le 2019, eq. 3)."""
    phi = PHI.check(phi)
    d, w, r = costs.compound_coefficients(phi)
    return d, w, int(round(224 * r))


def compound_rule(b0: NetworkCost, phis: range = range(8)) -> list[NetworkCost]:
    """The compound rule's prediction from B0 for φ = 0…7: params × d·w², MACs × d·w²·r²."""
    points = []
    for phi in phis:
        d, w, r = costs.compound_coefficients(phi)
        points.append(NetworkCost(f"rule φ = {phi}", d, w, round(224 * r), round(b0.params * d * w * w),
                                  round(b0.macs * costs.scaling_cost_factor(d, w, r)), 0, 0, (), 0))
    return points


def scaling(mode: str = MODE.default, phi: float = PHI.default, preset: str = PRESET.default,
            depth: float = DEPTH.default, width: float = WIDTH.default,
            resolution: int = RESOLUTION.default) -> dict:
    """The keyword arguments of :func:`efficientnet` for the lab's settings: those of the chosen ``mode``."""
    mode = MODE.check(mode)
    if mode == MODES[0]:
        return {"phi": phi}
    if mode == MODES[1]:
        return {"preset": preset}
    return {"depth": depth, "width": width, "resolution": resolution}


def efficientnet(depth: float = DEPTH.default, width: float = WIDTH.default, resolution: int = RESOLUTION.default,
                 phi: float | None = None, preset: str | None = None) -> EfficientNetResult:
    """B0 scaled by depth d, width w and input resolution; or by φ (the compound rule); or a preset.

    Built on the meta device (shapes only: no weights allocated) and traced; per-stage
    formula counts are summed layer by layer with :mod:`architectures.costs` from the
    traced shapes. The paper's rule predicts cost ∝ d · w² · r² (§3.3): ≈ 2^φ × B0's.
    Results are kept for the last few settings (the page asks again for its button);
    :func:`clear_cache` forgets them (for benchmarks).
    """
    if preset is not None:
        return _scaled(None, None, None, None, PRESET.check(preset))
    if phi is not None:
        return _scaled(None, None, None, PHI.check(phi), None)
    return _scaled(DEPTH.check(depth), WIDTH.check(width), RESOLUTION.check(resolution), None, None)


@lru_cache(maxsize=32)
def _scaled(depth: float | None, width: float | None, resolution: int | None, phi: float | None,
            preset: str | None) -> EfficientNetResult:
    """:func:`efficientnet` of settings already checked (exactly one of preset, φ, or d, w, r)."""
    if preset is not None:
        chosen = preset_cost(preset)
    elif phi is not None:
        depth, width, resolution = compound(phi)
        model = build("efficientnet", device="meta", phi=float(phi))
        chosen = _network_cost(f"φ = {phi:g}", model, resolution, depth, width)
    else:
        with meta_device():  # torch.device("meta"), without the initialisation busywork
            model = eff.EfficientNet(width=width, depth=depth)
        chosen = _network_cost(f"d = {depth:g}, w = {width:g}, {resolution}²", model, resolution, depth, width)
    b0 = preset_cost("b0")
    factor = costs.scaling_cost_factor(chosen.depth, chosen.width, chosen.resolution / 224)
    return EfficientNetResult(chosen, b0, factor, phi)


def clear_cache() -> None:
    """Forget the costed networks kept by :func:`efficientnet` (the B0–B7 presets stay)."""
    _scaled.cache_clear()


@dataclass(frozen=True)
class RealPass:
    seconds: float
    output_shape: tuple[int, ...]
    macs: int
    params: int


def efficientnet_real_pass(depth: float = DEPTH.default, width: float = WIDTH.default,
                           resolution: int = RESOLUTION.default, phi: float | None = None,
                           preset: str | None = None) -> RealPass:
    """One real forward pass (random weights, a zero image) of the chosen network on the CPU.

    Raises ValueError when the network costs more than ``REAL_PASS_MAX_MACS``.
    """
    costed = efficientnet(depth, width, resolution, phi, preset).chosen
    if costed.macs > REAL_PASS_MAX_MACS:
        raise ValueError(
            f"{costed.label} needs {short(costed.macs)} multiply-adds per image: too slow for a real "
            f"forward pass here (the limit is {short(REAL_PASS_MAX_MACS)}, about B2). The counts above come "
            "from a shapes-only pass, which is exact."
        )
    torch.manual_seed(0)
    if preset is not None:
        model = build(f"efficientnet_{preset}")
    elif phi is not None:
        model = build("efficientnet", phi=float(phi))
    else:
        model = eff.EfficientNet(width=costed.width, depth=costed.depth)
    start = time.perf_counter()
    result = trace(model, (3, costed.resolution, costed.resolution), name=costed.label)
    seconds = time.perf_counter() - start
    return RealPass(seconds, tuple(result.output_shape), result.total_macs, result.total_params)
