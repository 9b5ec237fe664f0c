"""Block Lab: change a number in one of the lecture's blocks and see shapes and cost change.

Thin page: widgets → viz.blocklab (pure: builds the block from architectures.blocks,
traces a real forward pass, works the lecture's formulas) → render. The chosen lab
lives in the URL (``?lab=inception``) so a teacher can share it.
"""

from __future__ import annotations

import time

import streamlit as st

from viz import block_charts as charts
from viz import blocklab as bl
from viz.compute import ServerBusy, run_heavy

# Every widget of a lab is bound to the URL (its key is the query parameter), so a teacher
# can share a lab with its settings, e.g. ?lab=inception&i_r5on=false; defaults stay out of the URL.
LABS = {
    "1x1": "1×1 convolution",
    "inception": "Inception module",
    "residual": "Residual block",
    "separable": "Depthwise-separable",
    "mobilenet_v2": "MobileNet v2 bottleneck",
    "efficientnet": "EfficientNet scaling",
}


@st.cache_data(max_entries=256, show_spinner=False)
def _compute(fn_name: str, **settings):
    """A lab's result, computed on the shared worker (one heavy job at a time) and cached."""
    return run_heavy(getattr(bl, fn_name), **settings)


@st.cache_data(max_entries=1, show_spinner="Tracing EfficientNet B0–B7 (once per server)…")
def _presets() -> list[bl.NetworkCost]:
    return [run_heavy(bl.preset_cost, v) for v in bl.PRESETS]


def compute(fn_name: str, **settings):
    """The result, or ``None`` after showing the problem as an error (never a traceback)."""
    try:
        return _compute(fn_name, **settings)
    except (ValueError, ServerBusy) as error:
        st.error(str(error))
        return None


def _slider(label: str, rng: tuple, key: str, help: str | None = None, step=None):
    lo, hi, default = rng
    return st.slider(label, lo, hi, default, step=step, key=key, help=help, bind="query-params")


def _number(label: str, rng: tuple, key: str, help: str | None = None):
    lo, hi, default = rng
    return st.number_input(label, lo, hi, default, step=1, key=key, help=help, bind="query-params")


def _agreement(result) -> None:
    if result.agrees:
        st.caption(":green[✓ The lecture's formula and the count from the traced module agree on every stage.]")
    else:
        st.warning("The formula and the traced count disagree — please report this.")


def _shapes_and_counts(res, first: str = "input", last: str = "output") -> None:
    """The block's input → output shapes as a headline, then its parameters and multiply-adds."""
    st.markdown(f"### {first} {bl.shape_text(res.input_shape)} → {last} **{bl.shape_text(res.output_shape)}**")
    b, c = st.columns(2)
    b.metric("Parameters", bl.num(res.params))
    c.metric("Multiply-adds", bl.num(res.macs))


def _stage_table(stages) -> None:
    st.dataframe(charts.stage_table(stages), hide_index=True, width="stretch")


# ============================================================================ 1. 1×1


def lab_one_by_one() -> None:
    st.subheader("One channel: a 1×1 filter just multiplies")
    value = st.columns([1, 4])[0].number_input("The 1×1 filter's value", *bl.GRID_VALUE, step=1.0, key="g_value", bind="query-params")
    grid = compute("one_by_one_grid", value=value)
    if grid:
        c1, c2, c3, c4, c5 = st.columns([3, 0.6, 1, 0.6, 3], vertical_alignment="center")
        c1.html(charts.grid_html(grid.image, "6 × 6 × 1 image"))
        c2.markdown("## ∗")
        c3.html(charts.grid_html([[grid.value]], "1 × 1 filter"))
        c4.markdown("## =")
        c5.html(charts.grid_html(grid.output, "6 × 6 × 1 output (a real 1×1 conv)"))
    st.subheader("Many channels: a 1×1 filter is a small fully connected layer on every pixel")
    left, right = st.columns([1, 2.4], gap="large")
    with left:
        r = bl.ONE_BY_ONE
        n = _slider("n (n_H = n_W)", r["n"], "o_n")
        n_c = _slider("n_C (input channels)", r["n_c"], "o_nc")
        filters = _slider("#filters (each 1 × 1 × n_C)", r["filters"], "o_f")
        relu = st.checkbox("ReLU after the conv", True, key="o_relu", bind="query-params")
        st.caption("The lecture's pictures: 6 × 6 × 32 → 6 × 6 × #filters, and "
                   "28 × 28 × 192 → 28 × 28 × 32 (the defaults).")
    with right:
        res = compute("one_by_one", n=n, n_c=n_c, filters=filters, relu=relu)
        if res:
            _shapes_and_counts(res)
            conv = res.stages[0]
            st.markdown(
                f"n_H and n_W stay **{n} × {n}**; n_C goes from **{n_c}** to **{filters}**"
                f" ({'shrinking' if filters < n_c else 'growing' if filters > n_c else 'keeping'} n_C). "
                f"At each of the {n}·{n} positions, each filter takes the {n_c} numbers of that pixel, "
                f"multiplies them by its {n_c} weights and adds them up"
                f"{', then ReLU' if relu else ''}.\n\n"
                f"Cost: {conv.formula} multiplies. Parameters: {n_c}·{filters} weights + {filters} biases "
                f"= {bl.num(conv.params_formula)}."
            )
            _stage_table(res.stages)
            _agreement(res)


# ============================================================================ 2. Inception


def lab_inception() -> None:
    r = bl.INCEPTION
    top = st.columns([1, 1, 2.2])
    n = top[0].slider("n (n_H = n_W)", *r["n"], key="i_n", bind="query-params")
    n_c = top[1].slider("n_C (input channels)", *r["n_c"], key="i_nc", bind="query-params")
    top[2].caption("Defaults: GoogLeNet's inception (3a) on 28 × 28 × 192 (Szegedy et al. 2015, Table 1). "
                   "Switch a bottleneck off to get the naive module.")
    cols = st.columns(4)
    with cols[0]:
        st.markdown("**1×1 branch**")
        ch1 = _number("#1×1", r["ch1x1"], "i_c1")
    with cols[1]:
        st.markdown("**3×3 branch**")
        red3_on = st.toggle("1×1 bottleneck", True, key="i_r3on", bind="query-params")
        red3 = _number("#3×3 reduce", r["ch3x3red"], "i_r3")
        ch3 = _number("#3×3", r["ch3x3"], "i_c3")
    with cols[2]:
        st.markdown("**5×5 branch**")
        red5_on = st.toggle("1×1 bottleneck", True, key="i_r5on", bind="query-params")
        red5 = _number("#5×5 reduce", r["ch5x5red"], "i_r5")
        ch5 = _number("#5×5", r["ch5x5"], "i_c5")
    with cols[3]:
        st.markdown("**max-pool branch**")
        proj_on = st.toggle("1×1 projection after the pool", True, key="i_pon", bind="query-params")
        proj = _number("pool proj", r["pool_proj"], "i_p")
    res = compute("inception", n=n, n_c=n_c, ch1x1=ch1, ch3x3red=red3, ch3x3=ch3, ch5x5red=red5, ch5x5=ch5,
                  pool_proj=proj, reduce_3x3=red3_on, reduce_5x5=red5_on, use_pool_proj=proj_on)
    if not res:
        return
    _shapes_and_counts(res)
    st.plotly_chart(charts.inception_diagram(res), width="stretch", config={"displayModeBar": False})
    channels = " + ".join(str(s[0]) for _, s in res.branch_outputs)
    st.markdown(f"Every branch keeps **{n} × {n}** (\"same\" convolutions and pooling); the channels "
                f"are stacked: {channels} = **{res.output_shape[0]}**, so the output is "
                f"**{bl.shape_text(res.output_shape)}**.")
    per_branch = {}
    for s in res.stages:
        per_branch[s.branch] = per_branch.get(s.branch, 0) + s.macs
    st.markdown("**Cost of each branch** (multiply-adds): "
                + " · ".join(f"{name}: **{bl.num(m)}**" for name, m in per_branch.items())
                + f" — total {bl.num(res.macs)}.")
    _stage_table(res.stages)
    _agreement(res)

    c = res.comparison
    st.subheader("The lecture's comparison: the 5×5 branch with and without the 1×1 bottleneck")
    a, b = st.columns(2)
    with a:
        st.markdown(f"**Direct 5×5 conv, {ch5} filters** on {n} × {n} × {n_c}:  \n"
                    f"{n}·{n}·{ch5} outputs × 5·5·{n_c} multiplies each = **{bl.num(c.direct)}** "
                    f"(~{bl.short(c.direct)})")
    with b:
        st.markdown(f"**1×1 to {red5} first, then 5×5 to {ch5}**:  \n"
                    f"{n}·{n}·{red5}·1·1·{n_c} = {bl.num(c.reduce)}  \n"
                    f"{n}·{n}·{ch5}·5·5·{red5} = {bl.num(c.expand)}  \n"
                    f"total **{bl.num(c.bottlenecked)}** (~{bl.short(c.bottlenecked)}) — "
                    f"**{c.saving:.1f}× cheaper**")
    curve = bl.bottleneck_saving_curve(n, n_c, ch5, tuple(range(1, max(n_c, red5) + 1)))
    st.plotly_chart(charts.saving_chart(curve, red5, c.direct), width="stretch")


# ============================================================================ 3. Residual


def lab_residual() -> None:
    r = bl.RESIDUAL
    left, right = st.columns([1.15, 2.6], gap="large")
    with left:
        n = _slider("n (n_H = n_W of a[l])", r["n"], "r_n")
        cin = _slider("channels of a[l]", r["in_channels"], "r_cin")
        cout = _slider("channels of a[l+2]", r["out_channels"], "r_cout")
        stride = st.radio("stride of the first conv", (1, 2), horizontal=True, key="r_stride", bind="query-params")
        residual = st.toggle("shortcut (residual block)", True, key="r_res", bind="query-params",
                             help="Off: the plain block, the same two layers without the shortcut.")
        projection = st.toggle("projection W_s if shapes differ", True, key="r_proj", bind="query-params",
                               help="A 1×1 conv on the shortcut, needed when stride 2 or a change of "
                                    "channels makes a[l] and z[l+2] different shapes.")
        zero = st.toggle("zero W[l+2] and b[l+2]", True, key="r_zero", bind="query-params",
                         help="Sets the second layer's weights and biases to 0, as in the lecture.")
    with right:
        res = compute("residual_block", n=n, in_channels=cin, out_channels=cout, stride=stride,
                      residual=residual, projection=projection, zero_second=zero)
        if not res:
            return
        st.plotly_chart(charts.residual_diagram(res), width="stretch", config={"displayModeBar": False})
        st.latex(r"a^{[l+2]} = g\big(z^{[l+2]} + a^{[l]}\big) = g\big(W^{[l+2]} a^{[l+1]} + b^{[l+2]} + a^{[l]}\big)")
        st.markdown(f"A real forward pass of a[l] = ReLU(random) — so a[l] ≥ 0 (smallest value "
                    f"{res.input_min:g}) — through the block, and through the plain block with the same weights:")
        a, b = st.columns(2)
        with a:
            st.markdown("**Residual block**")
            if res.max_diff is None:
                st.info(f"a[l] is {bl.shape_text(res.input_shape)} but a[l+2] is "
                        f"{bl.shape_text(res.output_shape)}: the shortcut is the projection W_s a[l], so "
                        "a[l+2] = g(W_s a[l]) when the second layer is zero — not a[l] itself.")
            else:
                text = f"max |a[l+2] − a[l]| = {res.max_diff:g}"
                if res.zeroed and res.max_diff == 0:
                    st.success(f"{text}: with W[l+2] = 0 and b[l+2] = 0, a[l+2] = g(a[l]) = a[l]. "
                               "The block can always fall back to the identity.")
                else:
                    st.info(text)
        with b:
            st.markdown("**Plain block** (no shortcut)")
            if res.zeroed:
                st.warning(f"max |a[l+2]| = {res.max_plain:g}: without the shortcut, zeroing the second "
                           "layer gives all zeros — the input is lost.")
            else:
                st.info(f"max |a[l+2]| = {res.max_plain:g}"
                        + (f", max |a[l+2] − a[l]| = {res.max_diff_plain:g}" if res.max_diff_plain is not None
                           else ""))
        _shapes_and_counts(res, "a[l]", "a[l+2]")
        _stage_table(res.stages)
        _agreement(res)


# ============================================================================ 4. Separable


def lab_separable() -> None:
    r = bl.SEPARABLE
    left, right = st.columns([1.15, 2.6], gap="large")
    with left:
        n = _slider("n (input n × n × n_c)", r["n"], "s_n")
        n_c = _slider("n_c (input channels)", r["n_c"], "s_nc")
        f = _slider("f (filter size)", r["f"], "s_f")
        n_out = _slider("n_c' (output channels = #filters)", r["n_c_out"], "s_nco")
        stride = _slider("stride", r["stride"], "s_s")
        padding = st.radio("padding", bl.PADDINGS, horizontal=True, key="s_pad", bind="query-params")
        st.caption("Defaults: the lecture's 6 × 6 × 3 input, 3 × 3 filters, 5 outputs.")
    with right:
        res = compute("separable", n=n, n_c=n_c, f=f, n_c_out=n_out, stride=stride, padding=padding)
        if not res:
            return
        c = res.comparison
        a, b = st.columns(2)
        with a:
            st.markdown("#### Normal convolution")
            st.markdown(f"{bl.shape_text(res.normal.input_shape)} ∗ {n_out} filters {f} × {f} × {n_c} → "
                        f"**{bl.shape_text(res.normal.output_shape)}**")
            st.metric("Multiplies", bl.num(res.normal.macs))
            st.caption(res.normal.stages[0].formula)
        with b:
            st.markdown("#### Depthwise-separable")
            dw, pw = res.separable.stages
            st.markdown(f"{bl.shape_text(dw.input_shape)} → depthwise → {bl.shape_text(dw.output_shape)} → "
                        f"pointwise → **{bl.shape_text(pw.output_shape)}**")
            st.metric("Multiplies", bl.num(res.separable.macs),
                      f"depthwise {bl.num(dw.macs)} + pointwise {bl.num(pw.macs)}", delta_color="off", delta_arrow="off")
            st.caption(f"depthwise: {dw.formula}  \npointwise: {pw.formula}")
        st.markdown(
            f"### Ratio: {bl.num(c.separable)} / {bl.num(c.normal)} = **{res.ratio:.2f}**  \n"
            f"Formula 1/n_c' + 1/f² = 1/{n_out} + 1/{f}² = **{res.ratio_formula:.3f}** "
            f"→ about **{1 / res.ratio:.1f}× cheaper**."
        )
        big = bl.costs.separable_ratio_formula(512, f)
        st.caption(f"In a real network n_c' is large: at n_c' = 512, f = {f}: 1/512 + 1/{f}² = {big:.3f}, "
                   f"roughly {1 / big:.0f}× cheaper.")
        curve = bl.separable_ratio_curve(f, n_c, c.out_size)
        st.plotly_chart(charts.ratio_chart(curve, n_out, res.ratio, f), width="stretch")
        _stage_table(res.normal.stages + res.separable.stages)
        _agreement(res)


# ============================================================================ 5. MobileNet v2


def lab_mobilenet_v2() -> None:
    r = bl.MOBILENET_V2
    left, right = st.columns([1.15, 2.6], gap="large")
    with left:
        n = _slider("n (input n × n × n_c)", r["n"], "m_n")
        cin = _slider("n_c (input channels)", r["in_channels"], "m_cin")
        t = _slider("expansion factor t", r["expand_ratio"], "m_t")
        cout = _slider("output channels", r["out_channels"], "m_cout")
        stride = st.radio("stride (depthwise)", (1, 2), horizontal=True, key="m_s", bind="query-params")
        k = st.radio("depthwise kernel", bl.KERNELS, horizontal=True, key="m_k", bind="query-params")
        residual = st.toggle("residual connection", True, key="m_res", bind="query-params",
                             help="Added only when stride is 1 and input and output channels match.")
        st.caption("Defaults: the lecture's picture n × n × 3 → n × n × 18 → n × n × 18 → n × n × 3 "
                   "(t = 6), here with n = 6.")
    with right:
        res = compute("mobilenet_v2", n=n, in_channels=cin, expand_ratio=t, out_channels=cout,
                      stride=stride, kernel_size=k, residual=residual)
        if not res:
            return
        chain = [bl.shape_text(res.block.input_shape)] + [bl.shape_text(s.output_shape) for s in res.block.stages]
        names = ["input"] + [s.label.split(" ")[0] for s in res.block.stages]
        st.markdown("### " + " → ".join(chain))
        st.caption(" → ".join(names) + (" (t = 1: no expansion layer)" if t == 1 else ""))
        st.markdown(f"**Residual connection:** {res.residual_reason}")
        m = st.columns(3)
        m[0].metric("v2 bottleneck", f"{bl.num(res.block.macs)} MACs", f"{bl.num(res.block.params)} params",
                    delta_color="off", delta_arrow="off")
        m[1].metric("v1 block (same in/out)", f"{bl.num(res.v1.macs)} MACs", f"{bl.num(res.v1.params)} params",
                    delta_color="off", delta_arrow="off")
        m[2].metric(f"normal {k}×{k} conv (same in/out)", f"{bl.num(res.normal.macs)} MACs",
                    f"{bl.num(res.normal.params)} params", delta_color="off", delta_arrow="off")
        st.plotly_chart(charts.mobilenet_cost_chart(res), width="stretch")
        n_out = res.block.output_shape[1]
        wide = bl.costs.conv_macs(res.hidden, res.hidden, k, n_out, n_out)
        vs_normal = res.block.macs / res.normal.macs
        st.markdown(
            f"The v2 block costs **{vs_normal:.2f}×** a normal {k}×{k} conv with the same input and output. "
            f"What it buys is a representation of {res.hidden} channels inside the block (t × n_c = {t} × {cin}), "
            f"filtered cheaply by the depthwise conv: a normal {k}×{k} conv at that width "
            f"({res.hidden} → {res.hidden} channels) would cost **{bl.num(wide)}** multiply-adds, "
            f"{wide / res.block.macs:.1f}× the whole bottleneck block."
        )
        st.markdown(
            f"**Memory.** The expanded activation takes **{bl.num(res.expanded_bytes)} bytes** "
            f"({bl.data_size(res.expanded_bytes)}, float32) — {res.expanded_bytes / res.input_bytes:.1f}× the input's "
            f"{bl.num(res.input_bytes)}. The block computes in this larger space, but the projection brings it back "
            f"down to {bl.num(res.output_bytes)} bytes, so what is passed to (and stored for) the next block stays small."
        )
        st.plotly_chart(charts.memory_chart(res), width="stretch")
        _stage_table(res.block.stages)
        _agreement(res)


# ============================================================================ 6. EfficientNet


def lab_efficientnet() -> None:
    r = bl.EFFICIENTNET
    left, right = st.columns([1.15, 2.6], gap="large")
    with left:
        mode = st.radio("Scale B0 by", ("compound coefficient φ", "a preset B0–B7", "free d, w, r"), key="e_mode", bind="query-params")
        settings: dict = {}
        if mode == "compound coefficient φ":
            phi = st.slider("φ", *r["phi"], step=0.5, key="e_phi", bind="query-params")
            d, w, res_px = bl.compound(phi)
            st.markdown(f"d = 1.2^φ = **{d:.3f}**  \nw = 1.1^φ = **{w:.3f}**  \n"
                        f"r = 1.15^φ = **{res_px / 224:.3f}** → {res_px} × {res_px} input")
            settings = {"phi": phi}
        elif mode == "a preset B0–B7":
            preset = st.radio("preset", bl.PRESETS, format_func=lambda v: v.upper(), horizontal=True,
                              key="e_preset", bind="query-params")
            settings = {"preset": preset}
            st.caption("B1–B7 use the official implementation's hand-set coefficients, not the rule exactly.")
        else:
            d = _slider("depth d (× layers per stage)", r["depth"], "e_d", step=0.1)
            w = _slider("width w (× channels)", r["width"], "e_w", step=0.1)
            res_px = _slider("resolution (pixels)", r["resolution"], "e_r", step=8)
            settings = {"depth": d, "width": w, "resolution": res_px}
    with right:
        with st.spinner("Tracing the network…"):
            res = compute("efficientnet", **settings)
            presets = _presets()
        if not res:
            return
        c = res.chosen
        st.markdown(f"### d = {c.depth:.2f}, w = {c.width:.2f}, input {c.resolution} × {c.resolution} × 3 "
                    f"— {c.blocks} MBConv blocks")
        m = st.columns(2)
        m[0].metric("Parameters", bl.num(c.params), f"{c.params / res.b0.params:.2f}× B0", delta_color="off",
                    delta_arrow="off")
        m[1].metric("Multiply-adds", bl.num(c.macs), f"{res.factor:.2f}× B0", delta_color="off",
                    delta_arrow="off")
        st.markdown(
            f"The rule: cost ∝ d · w² · r² = {c.depth:.2f} · {c.width:.2f}² · {c.resolution / 224:.2f}² = "
            f"**{res.predicted_factor:.2f}× B0**"
            + (f" (≈ 2^φ = {2 ** res.phi:.2f})" if res.phi is not None else "")
            + f"; counted from the traced network: **{res.factor:.2f}× B0**."
            + (" They differ because layers per stage round up (⌈d·n⌉) and channels round to multiples of 8."
               if abs(res.factor - res.predicted_factor) > 0.005 else "")
        )
        rule = _rule_points(res.b0)
        st.plotly_chart(charts.efficientnet_chart(presets, res, rule), width="stretch")
        _real_pass(res, settings)
        with st.expander("Stages of this network (traced shapes)"):
            _stage_table(c.stages)
        _agreement(c)


def _rule_points(b0: bl.NetworkCost) -> list[bl.NetworkCost]:
    """The compound rule's prediction from B0 for φ = 0…7: params × d·w², MACs × d·w²·r²."""
    points = []
    for phi in range(8):
        d, w, r = bl.costs.compound_coefficients(phi)
        points.append(bl.NetworkCost(f"rule φ = {phi}", d, w, round(224 * r), round(b0.params * d * w * w),
                                     round(b0.macs * bl.costs.scaling_cost_factor(d, w, r)), 0, 0, (), 0))
    return points


def _real_pass(res: bl.EfficientNetResult, settings: dict) -> None:
    c = res.chosen
    if not res.real_pass_fits:
        st.info(f"A real forward pass of this network ({bl.short(c.macs)} multiply-adds at "
                f"{c.resolution} × {c.resolution}) would take too long on this server (the limit is "
                f"{bl.short(bl.REAL_PASS_MAX_MACS)}, about B2); the counts above come from an exact shapes-only pass.")
        return
    if st.button(f"Run a real forward pass at {c.resolution} × {c.resolution}", key="e_run"):
        try:
            with st.spinner("Running the network on the CPU…"):
                out = run_heavy(bl.efficientnet_real_pass, **settings)
        except (ValueError, ServerBusy) as error:
            st.error(str(error))
            return
        st.success(f"Real forward pass: {out.seconds:.2f} s on the CPU, output {out.output_shape[1]:,} class "
                   f"scores; counted {bl.num(out.macs)} multiply-adds and {bl.num(out.params)} parameters "
                   f"({'same as' if (out.macs, out.params) == (c.macs, c.params) else 'DIFFERENT from'} "
                   "the shapes-only pass).")


# ============================================================================ page

_started = time.perf_counter()
st.title("Block Lab")
st.caption("Each lab builds the lecture's block from the same PyTorch classes the model zoo uses, runs a real "
           "forward pass, and counts parameters and multiply-adds (MACs: weight × input multiplications; "
           "FLOPs = 2 × MACs) — next to the lecture's formula.")
# The chosen lab is kept in the URL by its short id (?lab=inception), so a teacher can share it.
if st.session_state.get("lab") not in LABS:
    st.session_state["lab"] = st.query_params.get("lab") if st.query_params.get("lab") in LABS else "1x1"
lab = st.segmented_control("Lab", list(LABS), format_func=LABS.get, key="lab", required=True,
                           label_visibility="collapsed")
st.query_params["lab"] = lab or "1x1"
{
    "1x1": lab_one_by_one,
    "inception": lab_inception,
    "residual": lab_residual,
    "separable": lab_separable,
    "mobilenet_v2": lab_mobilenet_v2,
    "efficientnet": lab_efficientnet,
}.get(lab or "1x1", lab_one_by_one)()
# This run's server time (script start to end), read by benchmarks/blocklab_bench.py.
st.session_state["blocklab_run_ms"] = (time.perf_counter() - _started) * 1000
