"""What a lab's computation costs, from the lecture's formulas, before it runs.

The page runs each lab section on the shared worker (:func:`viz.compute.run_heavy`),
which refuses work past its budget before running it; these functions give it the
estimate. They count the multiply-adds of every real forward pass a section's view
makes (the residual lab passes its block and the plain block; the MobileNet v2 lab
its bottleneck, a v1 block and a normal convolution) with
:mod:`architectures.costs`, from the settings alone. A setting no block can have
costs nothing here: the view itself says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from architectures import costs
from viz.blocklab import efficientnet, inception, mobilenet_v2, one_by_one, residual, separable
from viz.compute import Cost
from viz.controls import Control, resolve

Settings = Mapping[str, Any]


def no_cost(settings: Settings) -> Cost:
    """A section with nothing heavy in it (the 1×1 lab's 6 × 6 grid)."""
    return Cost()


def _from_formula(controls: tuple[Control, ...], macs: Callable[[dict[str, Any]], int],
                  sizes: tuple[str, ...]) -> Callable[[Settings], Cost]:
    """A cost function: the settings resolved against ``controls``, then ``macs`` of them; the
    advice names the settings (``sizes``, option names) whose lowering lowers the cost."""
    labels = {c.name: c.option.label or c.name for c in controls}
    advice = f"Use smaller values of {', '.join(labels[name] for name in sizes)}."

    def cost(settings: Settings) -> Cost:
        try:
            return Cost(macs=float(macs(resolve(controls, settings))), advice=advice)
        except ValueError:  # a setting no block can have: the view explains it, nothing runs
            return Cost()
    return cost


def _one_by_one(s: dict[str, Any]) -> int:
    return costs.conv_macs(s["n_c"], s["filters"], 1, s["n"], s["n"])


def _inception(s: dict[str, Any]) -> int:
    n, n_c = s["n"], s["n_c"]
    total = costs.conv_macs(n_c, s["ch1x1"], 1, n, n)
    for reduce_on, red, out, f in ((s["reduce_3x3"], s["ch3x3red"], s["ch3x3"], 3),
                                   (s["reduce_5x5"], s["ch5x5red"], s["ch5x5"], 5)):
        total += (costs.conv_macs(n_c, red, 1, n, n) + costs.conv_macs(red, out, f, n, n) if reduce_on
                  else costs.conv_macs(n_c, out, f, n, n))
    return total + (costs.conv_macs(n_c, s["pool_proj"], 1, n, n) if s["use_pool_proj"] else 0)


def _residual(s: dict[str, Any]) -> int:
    cin, cout = s["in_channels"], s["out_channels"]
    out = costs.conv_output_size(s["n"], 3, s["stride"], 1)
    block = costs.conv_macs(cin, cout, 3, out, out) + costs.conv_macs(cout, cout, 3, out, out)
    projection = costs.conv_macs(cin, cout, 1, out, out) if s["stride"] != 1 or cin != cout else 0
    # Traced once, then it and the plain block (same weights, no shortcut) run on a[l].
    return 3 * block + 2 * projection


def _separable(s: dict[str, Any]) -> int:
    c = costs.separable_comparison(s["n"], s["n_c"], s["f"], s["n_c_out"], s["stride"],
                                   separable.padding_pixels(s["padding"], s["f"]))
    return c.normal + c.separable


def _mobilenet_v2(s: dict[str, Any]) -> int:
    n, cin, cout, k = s["n"], s["in_channels"], s["out_channels"], s["kernel_size"]
    t = s["expand_ratio"]
    hidden = cin * t
    out = costs.conv_output_size(n, k, s["stride"], k // 2)
    block = ((costs.conv_macs(cin, hidden, 1, n, n) if t != 1 else 0)
             + costs.conv_macs(hidden, hidden, k, out, out, groups=hidden) + costs.conv_macs(hidden, cout, 1, out, out))
    v1 = costs.conv_macs(cin, cin, k, out, out, groups=cin) + costs.conv_macs(cin, cout, 1, out, out)
    return block + v1 + costs.conv_macs(cin, cout, k, out, out)


def _efficientnet_real_pass(s: dict[str, Any]) -> int:
    """The chosen network's multiply-adds (its shapes-only pass, kept from the view)."""
    return efficientnet.efficientnet(**efficientnet.scaling(**s)).chosen.macs


one_by_one_cost = _from_formula(one_by_one.CONTROLS, _one_by_one, ("n", "n_c", "filters"))
inception_cost = _from_formula(inception.CONTROLS, _inception, ("n", "n_c", "ch3x3", "ch5x5"))
residual_cost = _from_formula(residual.CONTROLS, _residual, ("n", "in_channels", "out_channels"))
separable_cost = _from_formula(separable.CONTROLS, _separable, ("n", "n_c", "f", "n_c_out"))
mobilenet_v2_cost = _from_formula(mobilenet_v2.CONTROLS, _mobilenet_v2, ("n", "in_channels", "expand_ratio",
                                                                          "out_channels", "kernel_size"))
efficientnet_real_pass_cost = _from_formula(efficientnet.CONTROLS, _efficientnet_real_pass,
                                            ("phi", "depth", "width", "resolution"))
