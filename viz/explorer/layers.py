"""One layer the lecture's way: its name in the lecture's words, its window, and its arithmetic with the numbers.

* :func:`layer_word`: "conv", "max-pool", "fc", "batch norm", "ReLU", "residual block",
  "inception module" … instead of ``Conv2d``, ``Sequential`` or ``BasicBlock``.
* :func:`window_text`: "11×11", "s = 4", "p = 2", "groups = 32 (depthwise)".
* :func:`params_formula`, :func:`macs_formula`, :func:`size_formula`: the lecture's
  arithmetic with the layer's own numbers, e.g. "(3·3·64 + 1)·128 = 73,856" and
  "3·3·64 · 112·112 · 128 = 924,844,032" (#filter params × #filter positions × #filters),
  "⌊(224 + 2·1 − 3)/1⌋ + 1 = 224". Each formula is checked against the record's counted
  value; one that does not give it is not shown (no formula is ever a guess).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from viz.explorer.structure import shape_nhwc

LEAF_WORDS = {
    "Conv2d": "conv", "Linear": "fc", "MaxPool2d": "max-pool", "AvgPool2d": "avg-pool",
    "AdaptiveAvgPool2d": "avg-pool", "AdaptiveMaxPool2d": "max-pool", "BatchNorm2d": "batch norm",
    "BatchNorm1d": "batch norm", "ReLU": "ReLU", "ReLU6": "ReLU6", "Tanh": "tanh", "Sigmoid": "sigmoid",
    "SiLU": "swish (SiLU)", "Hardswish": "hard swish", "Dropout": "dropout", "Flatten": "flatten",
    "LocalResponseNorm": "LRN", "Identity": "identity", "Softmax": "softmax",
    "LogSoftmax": "log-softmax",
}
BLOCK_WORDS = {
    "BasicBlock": "residual block", "Bottleneck": "bottleneck residual block",
    "InceptionModule": "inception module", "Inception": "inception module",
    "DepthwiseSeparable": "depthwise-separable conv", "InvertedResidual": "inverted residual block",
    "SqueezeExcite": "squeeze-excite", "AuxClassifier": "auxiliary classifier",
}


def layer_word(rec: Any, children: Sequence[Any] = (), has_se: bool = False) -> str:
    """What the lecture calls this layer (``children``: the records directly inside it)."""
    t = rec.layer_type
    last = rec.name.rsplit(".", 1)[-1]
    if last == "shortcut":
        return "identity shortcut" if t == "Identity" else "projection shortcut W_s"
    if t == "Conv2d":
        window = rec.window
        groups = window.groups if window else 1
        if groups > 1 and len(rec.input_shape) == 4 and groups == rec.input_shape[1]:
            return "depthwise conv"
        return f"grouped conv ({groups} groups)" if groups > 1 else "conv"
    if t in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d") and len(rec.output_shape) == 4 \
            and tuple(rec.output_shape[2:]) == (1, 1):
        return "global " + LEAF_WORDS[t]
    if t in LEAF_WORDS:
        return LEAF_WORDS[t]
    if t == "InvertedResidual" and has_se:
        return "MBConv block"  # MobileNet v2's block with squeeze-excite (Tan & Le 2019)
    if t in BLOCK_WORDS:
        return BLOCK_WORDS[t]
    kinds = [LEAF_WORDS.get(c.layer_type) for c in children]
    if kinds and all(kinds) and children[0].layer_type == "Conv2d":
        return " → ".join(layer_word(c) for c in children)  # ConvBNAct: "conv → batch norm → ReLU"
    if last.startswith("branch"):
        return "branch"
    return "stage" if rec.depth == 0 else "layers"


def words(records: Sequence[Any]) -> dict[str, str]:
    """Every record's :func:`layer_word`, by name."""
    children: dict[str, list[Any]] = {}
    for rec in records:
        if "." in rec.name:
            children.setdefault(rec.name.rsplit(".", 1)[0], []).append(rec)
    with_se = {r.name.rsplit(".", 1)[0] for r in records if r.layer_type == "SqueezeExcite"}
    return {r.name: layer_word(r, children.get(r.name, ()), r.name in with_se) for r in records}


def _pair(values: Sequence[int], sep: str = "×") -> str:
    return str(values[0]) if values[0] == values[1] and sep != "×" else sep.join(map(str, values))


def window_columns(rec: Any) -> dict[str, str]:
    """The table's kernel / stride / padding / groups cells ("11×11", "4", "2", "1"); blank where none."""
    w = rec.window
    if w is None:
        if rec.layer_type in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d") and len(rec.input_shape) == 4:
            return {"kernel": f"{rec.input_shape[2]}×{rec.input_shape[3]} (global)", "stride": "", "padding": "",
                    "groups": ""}
        return {"kernel": "", "stride": "", "padding": "", "groups": ""}
    groups = ""
    if rec.layer_type == "Conv2d":
        groups = str(w.groups) + (" (depthwise)" if w.groups > 1 and w.groups == rec.input_shape[1] else "")
    return {"kernel": _pair(w.kernel), "stride": _pair(w.stride, ","), "padding": _pair(w.padding, ","),
            "groups": groups}


def window_text(rec: Any) -> str:
    """"CONV 11×11, s = 4, p = 2" style: the window as the lecture writes it."""
    w = rec.window
    if w is None:
        return ""
    parts = [f"{_pair(w.kernel)}", f"s = {_pair(w.stride, ',')}", f"p = {_pair(w.padding, ',')}"]
    if rec.layer_type == "Conv2d" and w.groups > 1:
        parts.append(f"groups = {w.groups}")
    return ", ".join(parts)


# ---------------------------------------------------------------- formulas with the layer's numbers


def params_formula(rec: Any) -> str:
    """The parameter count as the lecture writes it, with this layer's numbers and its total."""
    t = rec.layer_type
    if t == "Conv2d" and rec.window and len(rec.input_shape) == 4 and len(rec.output_shape) == 4:
        (kh, kw), g = rec.window.kernel, rec.window.groups
        c_in, c_out = rec.input_shape[1] // g, rec.output_shape[1]
        weights = kh * kw * c_in * c_out
        if rec.params == weights:
            return f"{kh}·{kw}·{c_in}·{c_out} = {rec.params:,}"
        if rec.params == weights + c_out:
            return f"({kh}·{kw}·{c_in} + 1)·{c_out} = {rec.params:,}"
        return ""
    if t == "Linear" and len(rec.input_shape) >= 2:
        n_in, n_out = rec.input_shape[-1], rec.output_shape[-1]
        if rec.params == (n_in + 1) * n_out:
            return f"({n_in:,} + 1)·{n_out:,} = {rec.params:,}"
        if rec.params == n_in * n_out:
            return f"{n_in:,}·{n_out:,} = {rec.params:,}"
        return ""
    if t.startswith("BatchNorm") and len(rec.output_shape) >= 2 and rec.params == 2 * rec.output_shape[1]:
        return f"2·{rec.output_shape[1]} = {rec.params:,} (γ and β per channel)"
    if rec.is_leaf and rec.params == 0:
        return "0"
    return ""


def macs_formula(rec: Any) -> str:
    """The multiply-adds as the lecture counts them (#filter params × #filter positions ×
    #filters), with this layer's numbers; checked against the counted value."""
    t = rec.layer_type
    if t == "Conv2d" and rec.window and len(rec.output_shape) == 4 and rec.output_shape[0] == 1:
        (kh, kw), g = rec.window.kernel, rec.window.groups
        c_in = rec.input_shape[1] // g
        _, c_out, h, w = rec.output_shape
        if kh * kw * c_in * h * w * c_out == rec.macs:
            return f"{kh}·{kw}·{c_in} · {h}·{w} · {c_out} = {rec.macs:,}"
        return ""
    if t == "Linear" and len(rec.input_shape) == 2 and rec.input_shape[0] == 1:
        n_in, n_out = rec.input_shape[1], rec.output_shape[1]
        if n_in * n_out == rec.macs:
            return f"{n_in:,}·{n_out:,} = {rec.macs:,}"
        return ""
    if rec.is_leaf and rec.macs == 0:
        return "0 (not counted: no weights)" if t not in ("Identity",) else "0"
    return ""


def size_formula(rec: Any) -> str:
    """n_out = ⌊(n + 2p − f)/s⌋ + 1 (⌈ ⌉ for a ceil-mode pool; f → d·(f − 1) + 1 when dilated),
    with this layer's numbers, for the rows; checked against the traced output."""
    w = rec.window
    if w is None or len(rec.input_shape) != 4 or len(rec.output_shape) != 4:
        return ""
    n, out = rec.input_shape[2], rec.output_shape[2]
    f, s, p, d = w.kernel[0], w.stride[0], w.padding[0], w.dilation[0]
    span = d * (f - 1) + 1
    value = -(-(n + 2 * p - span) // s) if w.ceil_mode else (n + 2 * p - span) // s
    if w.ceil_mode and (value * s) >= n + p:  # PyTorch: the last window must start inside the input
        value -= 1
    if value + 1 != out:
        return ""
    f_text = str(f) if d == 1 else f"({d}·{f - 1} + 1)"
    left, right = ("⌈", "⌉") if w.ceil_mode else ("⌊", "⌋")
    return f"{left}({n} + 2·{p} − {f_text})/{s}{right} + 1 = {out}"


def shape_words(shape: Sequence[int]) -> str:
    """``56 × 56 × 256`` (an FC output: its count)."""
    nhwc = shape_nhwc(shape)
    if nhwc is None:
        return ""
    if len(shape) == 2:
        return f"{shape[1]:,}"
    return " × ".join(map(str, nhwc))


def field_text(fields: Mapping[str, tuple[float, float]] | None, name: str) -> str:
    """"196×196": the input pixels one unit of this layer's output sees; blank if unknown."""
    if not fields or name not in fields:
        return ""
    rows, cols = fields[name]
    return f"{rows:g}×{cols:g}"
