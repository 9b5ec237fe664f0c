"""GoogLeNet's inception module (Szegedy et al. 2015, Fig. 2, Table 1 row "inception (3a)").

The defaults are the lecture's: 28×28×192 with 64 / 96→128 / 16→32 / pool→32 →
28×28×256; the 5×5 branch costs 120,422,400 multiplies directly and
2,408,448 + 10,035,200 = 12,443,648 with the 1×1 bottleneck to 16.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from architectures import costs
from architectures.blocks import InceptionModule
from viz.blocklab.common import LabResult, Stage, collect, conv_cost, device, lab_result, stage
from viz.controls import flag, ints
from viz.trace import trace

BRANCH_NAMES = ("1×1", "3×3", "5×5", "max-pool")
_B1, _B3, _B5, _BP = (f"{name} branch" for name in BRANCH_NAMES)

N = ints("i_n", "n", "n (n_H = n_W)", 1, 64, 28)
N_C = ints("i_nc", "n_c", "n_C (input channels)", 1, 512, 192)
CH1X1 = ints("i_c1", "ch1x1", "#1×1", 1, 256, 64, widget="number", group=_B1)
REDUCE_3X3 = flag("i_r3on", "reduce_3x3", "1×1 bottleneck", group=_B3)
CH3X3RED = ints("i_r3", "ch3x3red", "#3×3 reduce", 1, 256, 96, widget="number", group=_B3,
               enabled_if=("reduce_3x3", True))
CH3X3 = ints("i_c3", "ch3x3", "#3×3", 1, 256, 128, widget="number", group=_B3)
REDUCE_5X5 = flag("i_r5on", "reduce_5x5", "1×1 bottleneck", group=_B5)
CH5X5RED = ints("i_r5", "ch5x5red", "#5×5 reduce", 1, 256, 16, widget="number", group=_B5,
               enabled_if=("reduce_5x5", True))
CH5X5 = ints("i_c5", "ch5x5", "#5×5", 1, 256, 32, widget="number", group=_B5)
USE_POOL_PROJ = flag("i_pon", "use_pool_proj", "1×1 projection after the pool", group=_BP)
POOL_PROJ = ints("i_p", "pool_proj", "pool proj", 1, 256, 32, widget="number", group=_BP,
                 enabled_if=("use_pool_proj", True))
CONTROLS = (N, N_C, CH1X1, REDUCE_3X3, CH3X3RED, CH3X3, REDUCE_5X5, CH5X5RED, CH5X5, USE_POOL_PROJ, POOL_PROJ)


@dataclass(frozen=True)
class InceptionResult(LabResult):
    comparison: costs.BottleneckComparison | None = None
    branch_outputs: tuple[tuple[str, tuple[int, ...]], ...] = field(default=())

    @property
    def branch_macs(self) -> dict[str, int]:
        """Multiply-adds of each branch (counted from the trace), in the module's order."""
        totals: dict[str, int] = {}
        for s in self.stages:
            totals[s.branch] = totals.get(s.branch, 0) + s.macs
        return totals


def inception(n: int = N.default, n_c: int = N_C.default, ch1x1: int = CH1X1.default,
              ch3x3red: int = CH3X3RED.default, ch3x3: int = CH3X3.default, ch5x5red: int = CH5X5RED.default,
              ch5x5: int = CH5X5.default, pool_proj: int = POOL_PROJ.default,
              reduce_3x3: bool = REDUCE_3X3.default, reduce_5x5: bool = REDUCE_5X5.default,
              use_pool_proj: bool = USE_POOL_PROJ.default, real: bool = True) -> InceptionResult:
    """GoogLeNet's inception module on n×n×n_C (Szegedy et al. 2015, Fig. 2(b), Table 1 row 3a).

    ``reduce_*=False`` drops that 1×1 bottleneck (the naive module, Fig. 2(a));
    ``use_pool_proj=False`` passes the pooled input on with all its n_C channels.
    ``comparison`` is the lecture's arithmetic for the 5×5 branch: the direct 5×5
    conv vs the 1×1 bottleneck to ``ch5x5red`` and then the 5×5.
    """
    n, n_c, ch1x1 = N.check(n), N_C.check(n_c), CH1X1.check(ch1x1)
    ch3x3red, ch3x3 = CH3X3RED.check(ch3x3red), CH3X3.check(ch3x3)
    ch5x5red, ch5x5 = CH5X5RED.check(ch5x5red), CH5X5.check(ch5x5)
    pool_proj = POOL_PROJ.check(pool_proj)
    reduce_3x3, reduce_5x5 = REDUCE_3X3.check(reduce_3x3), REDUCE_5X5.check(reduce_5x5)
    use_pool_proj = USE_POOL_PROJ.check(use_pool_proj)
    torch.manual_seed(0)
    with device(real):
        block = InceptionModule(n_c, ch1x1, ch3x3red if reduce_3x3 else None, ch3x3,
                                ch5x5red if reduce_5x5 else None, ch5x5, pool_proj if use_pool_proj else None)
    result = trace(block, (n_c, n, n), name="inception module")

    stages: list[Stage] = []
    p, m, t = conv_cost(n_c, ch1x1, 1, n)
    stages.append(stage(result, "branch1.conv", f"1×1 conv, {ch1x1}", p, m, t, BRANCH_NAMES[0]))
    for branch, (red_on, red, out, f, name) in enumerate(
        ((reduce_3x3, ch3x3red, ch3x3, 3, BRANCH_NAMES[1]), (reduce_5x5, ch5x5red, ch5x5, 5, BRANCH_NAMES[2])),
        start=2,
    ):
        prefix = f"branch{branch}"
        if red_on:
            p, m, t = conv_cost(n_c, red, 1, n)
            stages.append(stage(result, f"{prefix}.0.conv", f"1×1 conv, {red} (bottleneck)", p, m, t, name))
            p, m, t = conv_cost(red, out, f, n)
            stages.append(stage(result, f"{prefix}.1.conv", f"{f}×{f} conv same, {out}", p, m, t, name))
        else:
            p, m, t = conv_cost(n_c, out, f, n)
            stages.append(stage(result, f"{prefix}.0.conv", f"{f}×{f} conv same, {out}", p, m, t, name))
    stages.append(stage(result, "branch4.0", "3×3 max-pool same, stride 1", 0, 0, "no multiplies",
                        BRANCH_NAMES[3]))
    if use_pool_proj:
        p, m, t = conv_cost(n_c, pool_proj, 1, n)
        stages.append(stage(result, "branch4.1.conv", f"1×1 conv, {pool_proj}", p, m, t, BRANCH_NAMES[3]))

    branch_outputs = tuple((name, collect(result, f"branch{i}")[1]) for i, name in enumerate(BRANCH_NAMES, 1))
    base = lab_result("Inception module", block, result, stages)
    return InceptionResult(**base.__dict__, comparison=costs.bottleneck_comparison(n, n_c, ch5x5, 5, ch5x5red),
                           branch_outputs=branch_outputs)


def bottleneck_saving_curve(n: int = 28, n_c: int = 192, ch5x5: int = 32,
                            widths: tuple[int, ...] | None = None) -> list[tuple[int, int, float]]:
    """(bottleneck width, multiplies with the bottleneck, times cheaper than the direct 5×5) per width."""
    widths = widths or tuple(range(1, n_c + 1))
    out = []
    for w in widths:
        c = costs.bottleneck_comparison(n, n_c, ch5x5, 5, w)
        out.append((w, c.bottlenecked, c.saving))
    return out
