"""Block Lab views: each lab's settings → a :class:`viz.view.View` of everything it shows.

One view function per lab (``one_by_one_view``, ``inception_view``, ``residual_view``,
``separable_view``, ``mobilenet_v2_view``, ``efficientnet_view``): settings by their
option names (missing ones take their defaults) → headline, figures, formula text,
tables and the formula-vs-count agreement, as plain blocks. ``View.headline`` is the
lecture's number for that lab and ``View.figure`` the key of its main figure, so the
lecture tour shows the same thing the lab does. A setting no block can have gives a
view holding one error callout that says what was wrong and what is allowed.

Every lab's view has a ``lead``: the lecture's point, its numbers as big metrics and one
sentence saying what they mean, which the page draws first — above the lab's controls —
so the lecture's number is the first thing on screen at any width.

``LABS`` is the registry the page draws from: lab id → title, sections (each its
controls, how they are laid out, and its view function) and an optional action.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from architectures.registry import Option
from viz import urlstate
from viz import view as v
from viz.blocklab import cost as lab_cost
from viz.blocklab import efficientnet, figures, inception, mobilenet_v2, one_by_one, residual, separable
from viz.blocklab.common import LabResult, data_size, short
from viz.compute import Cost
from viz.controls import Control, resolve
from viz.formatting import num, shape_text

Settings = Mapping[str, Any]


def _errors_as_callout(view_fn: Callable[[Settings], v.View]) -> Callable[[Settings], v.View]:
    """A setting no block can have (ValueError) becomes a view of one error callout, not an exception."""
    @functools.wraps(view_fn)
    def wrapper(settings: Settings | None = None) -> v.View:
        try:
            return view_fn(settings or {})
        except ValueError as error:
            return v.View((v.Callout("error", str(error)),))
    return wrapper


# ---------------------------------------------------------------- blocks every lab uses


def stage_table(stages) -> v.Table:
    """A table of stages: shapes the lecture's way, counts with separators, formula agreement."""
    return v.Table(tuple(
        {"stage": s.label, "input": shape_text(s.input_shape), "output": shape_text(s.output_shape),
         "params": num(s.params), "multiply-adds": num(s.macs),
         "= formula": "✓" if s.agrees else f"✗ {num(s.params_formula)}, {num(s.macs_formula)}",
         "the formula": s.formula or num(s.macs_formula)}
        for s in stages
    ))


def agreement(result) -> v.Block:
    if result.agrees:
        return v.Caption(":green[✓ The lecture's formula and the count from the traced module agree on every stage.]")
    return v.Callout("warning", "The formula and the traced count disagree — please report this.")


def shapes_and_counts(res: LabResult, first: str = "input", last: str = "output") -> tuple[v.Block, ...]:
    """The block's input → output shapes as a heading, then its parameters and multiply-adds."""
    return (v.Heading(f"{first} {shape_text(res.input_shape)} → {last} **{shape_text(res.output_shape)}**"),
            v.Metrics((v.Metric("Parameters", num(res.params)), v.Metric("Multiply-adds", num(res.macs)))))


def lead(*items: v.Metric, text: str = "") -> tuple[v.Block, ...]:
    """The lecture's point, shown first: its numbers big (metrics), then one sentence."""
    return (v.Metrics(items),) + ((v.Text(text),) if text else ())


def _conv_column(title: str, flow: str, macs: int, note: str, formula: str) -> tuple[v.Block, ...]:
    """One convolution's column: its title, input → output, its multiplies and the arithmetic behind them."""
    return v.Heading(title, 4), v.Text(flow), v.Metrics((v.Metric("Multiplies", num(macs), note),)), v.Caption(formula)


# ---------------------------------------------------------------- 1. 1×1 convolution


@_errors_as_callout
def grid_view(settings: Settings) -> v.View:
    """One channel: the slide's 6×6 image ∗ a 1×1 filter = every pixel times the filter's value."""
    grid = one_by_one.one_by_one_grid(**resolve(one_by_one.GRID_CONTROLS, settings))
    return v.View((v.Columns((
        (v.Html(figures.grid_html(grid.image, "6 × 6 × 1 image")),),
        (v.Text("## ∗"),),
        (v.Html(figures.grid_html([[grid.value]], "1 × 1 filter")),),
        (v.Text("## ="),),
        (v.Html(figures.grid_html(grid.output, "6 × 6 × 1 output (a real 1×1 conv)")),),
    ), widths=(3, 0.6, 1, 0.6, 3), vertical_alignment="center"),),
        headline=f"every pixel × {grid.value:g}")


@_errors_as_callout
def channels_view(settings: Settings) -> v.View:
    """Many channels: n × n × n_C → #filters 1×1 filters → n × n × #filters."""
    s = resolve(one_by_one.CONTROLS, settings)
    res = one_by_one.one_by_one(**s)
    n, n_c, filters = s["n"], s["n_c"], s["filters"]
    conv = res.stages[0]
    grows = "shrinking" if filters < n_c else "growing" if filters > n_c else "keeping"
    text = (f"n_H and n_W stay **{n} × {n}**; n_C goes from **{n_c}** to **{filters}** ({grows} n_C). "
            f"At each of the {n}·{n} positions, each filter takes the {n_c} numbers of that pixel, "
            f"multiplies them by its {n_c} weights and adds them up{', then ReLU' if s['relu'] else ''}.\n\n"
            f"Cost: {conv.formula} multiplies. Parameters: {n_c}·{filters} weights + {filters} biases "
            f"= {num(conv.params_formula)}.")
    point = lead(v.Metric("Input", shape_text(res.input_shape)),
                 v.Metric(f"{filters} filters 1 × 1 × {n_c} →", shape_text(res.output_shape)),
                 v.Metric("Multiply-adds", num(res.macs)),
                 text=f"A 1×1 convolution keeps n_H × n_W and changes the number of channels ({grows} n_C, "
                      f"{n_c} → {filters}): a fully connected layer applied at every pixel.")
    return v.View((v.Text(text), stage_table(res.stages), agreement(res)),
                  headline=f"{shape_text(res.input_shape)} → {shape_text(res.output_shape)}", lead=point)


# ---------------------------------------------------------------- 2. Inception module


@_errors_as_callout
def inception_view(settings: Settings) -> v.View:
    """GoogLeNet's inception (3a): the four branches, their cost, and the 5×5 with and without its bottleneck."""
    s = resolve(inception.CONTROLS, settings)
    res = inception.inception(**s)
    n, n_c, ch5, red5 = s["n"], s["n_c"], s["ch5x5"], s["ch5x5red"]
    c = res.comparison
    channels = " + ".join(str(shape[0]) for _, shape in res.branch_outputs)
    branch_costs = " · ".join(f"{name}: **{num(m)}**" for name, m in res.branch_macs.items())
    module = (
        *shapes_and_counts(res),
        v.Figure(figures.inception_diagram(res), key="bl_inception_diagram"),
        v.Text(f"Every branch keeps **{n} × {n}** (\"same\" convolutions and pooling); the channels "
               f"are stacked: {channels} = **{res.output_shape[0]}**, so the output is "
               f"**{shape_text(res.output_shape)}**."),
        v.Text(f"**Cost of each branch** (multiply-adds): {branch_costs} — total {num(res.macs)}."),
        stage_table(res.stages),
        agreement(res),
    )
    if not s["reduce_5x5"]:  # the naive 5×5 branch: no saving to claim
        point = lead(v.Metric(f"5×5 branch: {ch5} filters 5 × 5 × {n_c}, no bottleneck", num(c.direct),
                              "multiplies"),
                     v.Metric("The whole module", num(res.macs), "multiply-adds"),
                     text=f"This module's 5×5 branch convolves all {n_c} input channels directly: "
                          f"{n}·{n}·{ch5} outputs × 5·5·{n_c} multiplies each. Switch its "
                          "“1×1 bottleneck” on to see the lecture's saving.")
        return v.View(module, headline=f"{num(c.direct)} multiplies (no bottleneck)",
                      figure="bl_inception_diagram", lead=point)
    point = lead(v.Metric(f"5×5 conv directly, {ch5} filters", num(c.direct), "multiplies"),
                 v.Metric(f"1×1 to {red5} first, then the 5×5", num(c.bottlenecked), "multiplies"),
                 v.Metric("The bottleneck's saving", f"{c.saving:.1f}× fewer"),
                 text=f"The lecture's point: on {n} × {n} × {n_c}, a 1×1 convolution down to {red5} channels "
                      f"before the 5×5 cuts its multiplies from ~{short(c.direct)} to ~{short(c.bottlenecked)}, "
                      "with the same output shape.")
    curve = inception.bottleneck_saving_curve(n, n_c, ch5, tuple(range(1, max(n_c, red5) + 1)))
    comparison = (
        v.Heading("The lecture's comparison: the 5×5 branch with and without the 1×1 bottleneck"),
        v.Columns((
            (v.Text(f"**Direct 5×5 conv, {ch5} filters** on {n} × {n} × {n_c}:  \n"
                    f"{n}·{n}·{ch5} outputs × 5·5·{n_c} multiplies each = **{num(c.direct)}** "
                    f"(~{short(c.direct)})"),),
            (v.Text(f"**1×1 to {red5} first, then 5×5 to {ch5}**:  \n"
                    f"{n}·{n}·{red5}·1·1·{n_c} = {num(c.reduce)}  \n"
                    f"{n}·{n}·{ch5}·5·5·{red5} = {num(c.expand)}  \n"
                    f"total **{num(c.bottlenecked)}** (~{short(c.bottlenecked)}) — "
                    f"**{c.saving:.1f}× cheaper**"),),
        )),
        v.Figure(figures.saving_chart(curve, red5, c.direct), key="bl_saving", toolbar="hover"),
    )
    return v.View(comparison + module, headline=f"{num(c.direct)} vs {num(c.bottlenecked)}", figure="bl_saving",
                  lead=point)


# ---------------------------------------------------------------- 3. Residual block


@_errors_as_callout
def residual_view(settings: Settings) -> v.View:
    """The residual block against the plain block with the same weights, from a real forward pass."""
    res = residual.residual_block(**resolve(residual.CONTROLS, settings))
    if res.max_diff is None:
        verdict = v.Callout("info", f"a[l] is {shape_text(res.input_shape)} but a[l+2] is "
                                    f"{shape_text(res.output_shape)}: the shortcut is the projection W_s a[l], so "
                                    "a[l+2] = g(W_s a[l]) when the second layer is zero — not a[l] itself.")
        headline = f"a[l] {shape_text(res.input_shape)} → a[l+2] {shape_text(res.output_shape)}"
    else:
        text = f"max |a[l+2] − a[l]| = {res.max_diff:g}"
        verdict = (v.Callout("success", f"{text}: with W[l+2] = 0 and b[l+2] = 0, a[l+2] = g(a[l]) = a[l]. "
                                        "The block can always fall back to the identity.")
                   if res.zeroed and res.max_diff == 0 else v.Callout("info", text))
        headline = ("W[l+2] = 0, b[l+2] = 0: " if res.zeroed else "") + text
    if res.zeroed:
        plain = v.Callout("warning", f"max |a[l+2]| = {res.max_plain:g}: without the shortcut, zeroing the second "
                                     "layer gives all zeros — the input is lost.")
    else:
        plain = v.Callout("info", f"max |a[l+2]| = {res.max_plain:g}"
                          + (f", max |a[l+2] − a[l]| = {res.max_diff_plain:g}" if res.max_diff_plain is not None
                             else ""))
    if res.max_diff is None:
        point = lead(v.Metric("a[l]", shape_text(res.input_shape)), v.Metric("a[l+2]", shape_text(res.output_shape)),
                     text="The shapes differ, so the shortcut needs the projection W_s: the block cannot fall "
                          "back to the identity here.")
    else:
        point = lead(v.Metric("Residual block: max |a[l+2] − a[l]|", f"{res.max_diff:g}"),
                     v.Metric("Plain block: max |a[l+2]|", f"{res.max_plain:g}"),
                     text=("With W[l+2] = 0 and b[l+2] = 0 the residual block passes a[l] on unchanged, the plain "
                           "block loses it: adding a residual block cannot make the network worse."
                           if res.zeroed else "A real forward pass through both blocks with the same weights."))
    blocks = (
        v.Figure(figures.residual_diagram(res), key="bl_residual_diagram"),
        v.Latex(r"a^{[l+2]} = g\big(z^{[l+2]} + a^{[l]}\big) = g\big(W^{[l+2]} a^{[l+1]} + b^{[l+2]} + a^{[l]}\big)"),
        v.Text(f"A real forward pass of a[l] = ReLU(random) — so a[l] ≥ 0 (smallest value "
               f"{res.input_min:g}) — through the block, and through the plain block with the same weights:"),
        v.Columns(((v.Text("**Residual block**"), verdict), (v.Text("**Plain block** (no shortcut)"), plain))),
        *shapes_and_counts(res, "a[l]", "a[l+2]"),
        stage_table(res.stages),
        agreement(res),
    )
    return v.View(blocks, headline=headline, figure="bl_residual_diagram", lead=point)


# ---------------------------------------------------------------- 4. Depthwise-separable


@_errors_as_callout
def separable_view(settings: Settings) -> v.View:
    """A normal conv next to the depthwise-separable one: their multiplies, ratio and the 1/n_c' + 1/f² rule."""
    s = resolve(separable.CONTROLS, settings)
    res = separable.separable(**s)
    n_c, f, n_out = s["n_c"], s["f"], s["n_c_out"]
    c = res.comparison
    dw, pw = res.separable.stages
    normal_column = _conv_column(
        "Normal convolution", f"{shape_text(res.normal.input_shape)} ∗ {n_out} filters {f} × {f} × {n_c} → "
                              f"**{shape_text(res.normal.output_shape)}**",
        res.normal.macs, "", res.normal.stages[0].formula)
    separable_column = _conv_column(
        "Depthwise-separable", f"{shape_text(dw.input_shape)} → depthwise → {shape_text(dw.output_shape)} → "
                               f"pointwise → **{shape_text(pw.output_shape)}**",
        res.separable.macs, f"depthwise {num(dw.macs)} + pointwise {num(pw.macs)}",
        f"depthwise: {dw.formula}  \npointwise: {pw.formula}")
    curve = separable.separable_ratio_curve(f, n_c, c.out_size)
    blocks = (
        v.Columns((normal_column, separable_column)),
        v.Text(f"### Ratio: {num(c.separable)} / {num(c.normal)} = **{res.ratio:.2f}**  \n"
               f"Formula 1/n_c' + 1/f² = 1/{n_out} + 1/{f}² = **{res.ratio_formula:.3f}** "
               f"→ about **{1 / res.ratio:.1f}× cheaper**."),
        v.Caption(f"In a real network n_c' is large: at n_c' = {separable.WIDE}, f = {f}: "
                  f"1/{separable.WIDE} + 1/{f}² = {res.wide_ratio:.3f}, roughly {1 / res.wide_ratio:.0f}× cheaper."),
        v.Figure(figures.ratio_chart(curve, n_out, res.ratio, f), key="bl_ratio", toolbar="hover"),
        stage_table(res.normal.stages + res.separable.stages),
        agreement(res),
    )
    headline = (f"{num(res.normal.macs)} vs {num(dw.macs)} + {num(pw.macs)} = {num(res.separable.macs)} "
                f"(ratio {res.ratio:.2f})")
    point = lead(v.Metric(f"Normal {f}×{f} conv", num(res.normal.macs), "multiplies"),
                 v.Metric("Depthwise-separable", num(res.separable.macs),
                          f"depthwise {num(dw.macs)} + pointwise {num(pw.macs)}"),
                 v.Metric("Ratio", f"{res.ratio:.2f}", f"1/{n_out} + 1/{f}² = {res.ratio_formula:.3f}"),
                 text=f"The same {shape_text(res.normal.output_shape)} output for about "
                      f"{1 / res.ratio:.1f}× fewer multiplies: filter each channel alone, then mix the channels "
                      "with 1×1 convolutions.")
    return v.View(blocks, headline=headline, figure="bl_ratio", lead=point)


# ---------------------------------------------------------------- 5. MobileNet v2 bottleneck


@_errors_as_callout
def mobilenet_v2_view(settings: Settings) -> v.View:
    """The v2 bottleneck's shapes, its cost next to a v1 block and a normal conv, and its memory."""
    s = resolve(mobilenet_v2.CONTROLS, settings)
    res = mobilenet_v2.mobilenet_v2(**s)
    t, cin, k = s["expand_ratio"], s["in_channels"], s["kernel_size"]
    chain = " → ".join([shape_text(res.block.input_shape)] + [shape_text(x.output_shape) for x in res.block.stages])
    names = " → ".join(["input"] + [x.label.split(" ")[0] for x in res.block.stages])
    blocks = (
        v.Heading(chain),
        v.Caption(names + (" (t = 1: no expansion layer)" if t == 1 else "")),
        v.Text(f"**Residual connection:** {res.residual_reason}"),
        v.Metrics((
            v.Metric("v2 bottleneck, MACs", num(res.block.macs), f"{num(res.block.params)} params"),
            v.Metric("v1 block (same in/out), MACs", num(res.v1.macs), f"{num(res.v1.params)} params"),
            v.Metric(f"normal {k}×{k} conv (same in/out), MACs", num(res.normal.macs),
                     f"{num(res.normal.params)} params"),
        )),
        v.Figure(figures.mobilenet_cost_chart(res), key="bl_mobilenet_cost", toolbar="hover"),
        v.Text(f"A normal {k}×{k} conv working at the block's width ({res.hidden} → {res.hidden} channels) would "
               f"cost **{num(res.wide_macs)}** multiply-adds, {res.wide_macs / res.block.macs:.1f}× the whole "
               f"bottleneck block: the depthwise conv filters the {res.hidden} channels (t × n_c = {t} × {cin}) "
               f"cheaply. A normal {k}×{k} conv from the block's input straight to its output is cheaper still "
               f"(the block costs {res.vs_normal:.2f}× that), but it never sees more than "
               f"{max(cin, s['out_channels'])} channels."),
        v.Text(f"**Memory.** The expanded activation takes **{num(res.expanded_bytes)} bytes** "
               f"({data_size(res.expanded_bytes)}, float32) — {res.expanded_bytes / res.input_bytes:.1f}× the "
               f"input's {num(res.input_bytes)}. The block computes in this larger space, but the projection brings "
               f"it back down to {num(res.output_bytes)} bytes, so what is passed to (and stored for) the next block "
               "stays small."),
        v.Figure(figures.memory_chart(res), key="bl_mobilenet_memory", toolbar="hover"),
        stage_table(res.block.stages),
        agreement(res),
    )
    wide = f"normal {k}×{k} conv, {res.hidden} → {res.hidden} channels"
    point = lead(v.Metric(f"v2 bottleneck: computes on {res.hidden} channels", f"{num(res.block.macs)} MACs",
                          "expand → depthwise → project"),
                 v.Metric(wide, f"{num(res.wide_macs)} MACs", f"{res.wide_macs / res.block.macs:.1f}× the bottleneck"),
                 v.Metric("Passed to the next block", shape_text(res.block.output_shape),
                          f"not {shape_text(res.block.stages[-2].output_shape)}"),
                 text=f"The lecture's point: the block works in a space of {res.hidden} channels (t × n_c = "
                      f"{t} × {cin}) for a fraction of what a normal convolution there would cost, and the "
                      "projection keeps what is stored and passed on small.")
    return v.View(blocks, headline=f"{num(res.block.macs)} vs {num(res.wide_macs)} MACs on {res.hidden} channels",
                  figure="bl_mobilenet_cost", lead=point)


# ---------------------------------------------------------------- 6. EfficientNet scaling


@_errors_as_callout
def efficientnet_view(settings: Settings) -> v.View:
    """B0 scaled by φ, a preset or free d, w, r: its counts, the d · w² · r² rule, and B0–B7 on one chart."""
    s = resolve(efficientnet.CONTROLS, settings)
    res = efficientnet.efficientnet(**efficientnet.scaling(**s))
    c = res.chosen
    point = lead(v.Metric("Depth d · width w · resolution", f"{c.depth:.2f} · {c.width:.2f} · {c.resolution}"),
                 v.Metric("Multiply-adds", short(c.macs), f"{res.factor:.2f}× B0"),
                 v.Metric("The rule d · w² · r² predicts", f"{res.predicted_factor:.2f}× B0"),
                 text="The lecture's point: scale depth, width and resolution together; the cost grows as "
                      "d · w² · r².")
    blocks: list[v.Block] = [v.Heading(f"d = {c.depth:.2f}, w = {c.width:.2f}, input {c.resolution} × "
                                       f"{c.resolution} × 3 — {c.blocks} MBConv blocks")]
    if s["mode"] == efficientnet.MODES[0]:
        blocks.append(v.Text(f"d = 1.2^φ = **{c.depth:.3f}**  \nw = 1.1^φ = **{c.width:.3f}**  \n"
                             f"r = 1.15^φ = **{c.resolution / 224:.3f}** → {c.resolution} × {c.resolution} input"))
    elif s["mode"] == efficientnet.MODES[1]:
        blocks.append(v.Caption("B1–B7 use the official implementation's hand-set coefficients, not the rule "
                                "exactly."))
    rule = (f"The rule: cost ∝ d · w² · r² = {c.depth:.2f} · {c.width:.2f}² · {c.resolution / 224:.2f}² = "
            f"**{res.predicted_factor:.2f}× B0**"
            + (f" (≈ 2^φ = {2 ** res.phi:.2f})" if res.phi is not None else "")
            + f"; counted from the traced network: **{res.factor:.2f}× B0**."
            + (" They differ because layers per stage round up (⌈d·n⌉) and channels round to multiples of 8."
               if abs(res.factor - res.predicted_factor) > 0.005 else ""))
    presets = [efficientnet.preset_cost(p) for p in efficientnet.PRESETS]
    blocks += [
        v.Metrics((v.Metric("Parameters", num(c.params), f"{c.params / res.b0.params:.2f}× B0"),
                   v.Metric("Multiply-adds", num(c.macs), f"{res.factor:.2f}× B0"))),
        v.Text(rule),
        v.Figure(figures.efficientnet_chart(presets, res, efficientnet.compound_rule(res.b0)), key="bl_efficientnet",
                 toolbar="hover"),
    ]
    if not res.real_pass_fits:
        blocks.append(v.Callout("info", f"A real forward pass of this network ({short(c.macs)} multiply-adds at "
                                        f"{c.resolution} × {c.resolution}) would take too long on this server (the "
                                        f"limit is {short(efficientnet.REAL_PASS_MAX_MACS)}, about B2); the counts above come "
                                        "from an exact shapes-only pass."))
    blocks += [v.Expander("Stages of this network (traced shapes)", (stage_table(c.stages),)), agreement(c)]
    headline = (f"d = {c.depth:.2f}, w = {c.width:.2f}, r = {c.resolution}: {num(c.macs)} multiply-adds "
                f"= {res.factor:.2f}× B0")
    return v.View(tuple(blocks), headline=headline, figure="bl_efficientnet", lead=point)


def real_pass_offer(settings: Settings) -> str | None:
    """The real-forward-pass button's label, or None when the network is too big to run here."""
    try:
        res = efficientnet.efficientnet(**efficientnet.scaling(**resolve(efficientnet.CONTROLS, settings)))
    except ValueError:
        return None
    c = res.chosen
    return f"Run a real forward pass at {c.resolution} × {c.resolution}" if res.real_pass_fits else None


@_errors_as_callout
def real_pass_view(settings: Settings) -> v.View:
    """One real forward pass of the chosen network, timed, with its counts checked against the shapes-only pass."""
    kwargs = efficientnet.scaling(**resolve(efficientnet.CONTROLS, settings))
    c = efficientnet.efficientnet(**kwargs).chosen
    out = efficientnet.efficientnet_real_pass(**kwargs)
    same = "same as" if (out.macs, out.params) == (c.macs, c.params) else "DIFFERENT from"
    return v.View((v.Callout("success", f"Real forward pass: {out.seconds:.2f} s on the CPU, output "
                                        f"{out.output_shape[1]:,} class scores; counted {num(out.macs)} multiply-adds "
                                        f"and {num(out.params)} parameters ({same} the shapes-only pass)."),),
                  headline=f"{out.seconds:.2f} s")


# ---------------------------------------------------------------- the registry the page draws from


@dataclass(frozen=True)
class Action:
    """A button under a lab: ``label(settings)`` (None: not offered), ``run(settings)`` its result,
    ``cost(settings)`` what running it costs (:mod:`viz.blocklab.cost`)."""

    key: str
    label: Callable[[Settings], str | None]
    run: Callable[[Settings], v.View]
    busy: str = ""
    cost: Callable[[Settings], Cost] = lab_cost.no_cost


@dataclass(frozen=True)
class Section:
    """Part of a lab: its controls, how they are laid out, and the view they feed.

    ``layout``: "side" — the controls in a column left of the view (``widths``);
    "above" — in a row above it, one column per control group. ``note`` is a caption
    with the controls (where the defaults come from); ``busy`` a spinner's text while
    a slow view is computed; ``action`` a button drawn under the view; ``cost`` what
    computing the view costs, estimated before it runs (:mod:`viz.blocklab.cost`).
    """

    view: Callable[[Settings], v.View]
    controls: tuple[Control, ...]
    heading: str = ""
    layout: str = "side"
    widths: tuple[float, float] = (1.15, 2.6)
    note: str = ""
    busy: str = ""
    action: Action | None = None
    cost: Callable[[Settings], Cost] = lab_cost.no_cost


@dataclass(frozen=True)
class Lab:
    id: str
    title: str
    view: Callable[[Settings], v.View]  # everything the lab shows (its sections in order)
    sections: tuple[Section, ...]

    @property
    def controls(self) -> tuple[Control, ...]:
        return tuple(c for s in self.sections for c in s.controls)


_ONE_CHANNEL = "One channel: a 1×1 filter just multiplies"
_MANY_CHANNELS = "Many channels: a 1×1 filter is a small fully connected layer on every pixel"
_1X1_SECTIONS = (
    Section(grid_view, one_by_one.GRID_CONTROLS, _ONE_CHANNEL, layout="above"),
    Section(channels_view, one_by_one.CONTROLS, _MANY_CHANNELS, widths=(1, 2.4), cost=lab_cost.one_by_one_cost,
            note="The lecture's pictures: 6 × 6 × 32 → 6 × 6 × #filters, and "
                 "28 × 28 × 192 → 28 × 28 × 32 (the defaults)."),
)


def in_sections(sections: tuple[Section, ...], settings: Settings) -> v.View:
    """The sections' views one after another under their headings; the headline and figure of the last,
    every section's lead first."""
    resolve((c for section in sections for c in section.controls), settings)  # unknown or bad: ValueError
    blocks: list[v.Block] = []
    leads: list[v.Block] = []
    for section in sections:
        names = {c.name for c in section.controls}
        part = section.view({k: value for k, value in settings.items() if k in names})
        blocks += [v.Heading(section.heading), *part.blocks] if section.heading else part.blocks
        leads += part.lead
    return v.View(tuple(blocks), headline=part.headline, figure=part.figure, lead=tuple(leads))


@_errors_as_callout
def one_by_one_view(settings: Settings) -> v.View:
    """The 1×1 lab: one channel (the slide's grid), then many channels (28 × 28 × 192 → 28 × 28 × 32)."""
    return in_sections(_1X1_SECTIONS, settings)


LABS: dict[str, Lab] = {lab.id: lab for lab in (
    Lab("1x1", "1×1 convolution", one_by_one_view, _1X1_SECTIONS),
    Lab("inception", "Inception module", inception_view, (
        Section(inception_view, inception.CONTROLS, layout="above", cost=lab_cost.inception_cost,
                note="Defaults: GoogLeNet's inception (3a) on 28 × 28 × 192 (Szegedy et al. 2015, Table 1). "
                     "Switch a bottleneck off to get the naive module."),)),
    Lab("residual", "Residual block", residual_view, (Section(residual_view, residual.CONTROLS,
                                                              cost=lab_cost.residual_cost),)),
    Lab("separable", "Depthwise-separable", separable_view, (
        Section(separable_view, separable.CONTROLS, cost=lab_cost.separable_cost,
                note="Defaults: the lecture's 6 × 6 × 3 input, 3 × 3 filters, 5 outputs."),)),
    Lab("mobilenet_v2", "MobileNet v2 bottleneck", mobilenet_v2_view, (
        Section(mobilenet_v2_view, mobilenet_v2.CONTROLS, cost=lab_cost.mobilenet_v2_cost,
                note="Defaults: the lecture's picture n × n × 3 → n × n × 18 → n × n × 18 → n × n × 3 "
                     "(t = 6), here with n = 6."),)),
    Lab("efficientnet", "EfficientNet scaling", efficientnet_view, (
        Section(efficientnet_view, efficientnet.CONTROLS, busy="Tracing the network…",
                action=Action("e_run", real_pass_offer, real_pass_view, busy="Running the network on the CPU…",
                              cost=lab_cost.efficientnet_real_pass_cost)),)),
)}
DEFAULT_LAB = "1x1"


LAB = Option("lab", "choice", DEFAULT_LAB, label="the lab", choices=tuple(LABS))


def lab_from_link(text: str | None) -> tuple[str, str]:
    """The lab a link asks for (``?lab=inception``), and a notice if it names none (then the first lab)."""
    parsed = urlstate.parse({} if text is None else {"lab": text}, [LAB])
    return parsed.values["lab"], " ".join(parsed.notices)
