"""The Network Explorer's pure logic: page state, numbers as the lecture says them, tables.

Everything the explorer page shows is computed here (or in :mod:`viz.charts`)
from the zoo's specs and the tracer's records, so it can be tested without a
Streamlit server. The page only reads widgets, calls these functions and renders.

* :func:`parse_state` / :func:`state_to_params`: the page's state in the URL, so a
  teacher can share a link; bad values fall back to defaults with a notice.
* :func:`params_headline`, :func:`format_macs`: "138,357,544 ≈ 138M as in the
  lecture"; multiply-adds (MACs) or FLOPs = 2 × MACs.
* :func:`table_rows`, :func:`rows_to_csv`: the layer table, collapsible by depth.
* :func:`stage_groups`, :func:`op_label`, :func:`branch_channels`, :func:`skip_count`:
  what the volume diagram and cost chart draw, one entry per stage or block.
* :func:`module_source`, :func:`pretrained_note`, :func:`published_rows`: the code
  expander and the published-figures table.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from architectures import FAMILIES, NETWORKS, NetworkSpec

# Networks the Compare chart starts with (the lecture's milestones), when they exist.
DEFAULT_COMPARE = ("alexnet", "vgg16", "resnet50", "googlenet", "mobilenet_v2", "efficientnet_b0")
DEFAULT_NETWORK = "vgg16"
UNITS = ("MACs", "FLOPs")
DIAGRAM_LEVELS = ("stages", "blocks")
# Input resolutions a widget may ask for; the network itself may allow fewer
# (too small: a feature map collapses; fixed FC layers: only sizes near the default).
RESOLUTION_MIN, RESOLUTION_MAX = 8, 1024
# URL keys the page itself uses; a network option with one of these names is
# written as "opt_<name>" instead.
RESERVED_KEYS = ("net", "res", "unit", "rows", "diagram", "compare")
MAX_TABLE_DEPTH = 6

FAMILY_TITLES = {
    "classic": "Classic networks",
    "residual": "Residual networks",
    "inception": "Inception",
    "mobile": "MobileNets",
    "efficient": "EfficientNet",
}


# --------------------------------------------------------------------------- state


@dataclass
class ExplorerState:
    """What a shared link pins down: network, options, resolution and view choices.

    ``resolution=None`` means the spec's default for the chosen options.
    ``notices`` explains any URL value that was ignored.
    """

    network: str
    options: dict[str, Any] = field(default_factory=dict)
    resolution: int | None = None
    unit: str = "MACs"
    table_depth: int = 1
    diagram: str = "stages"
    compare: tuple[str, ...] = ()
    notices: list[str] = field(default_factory=list)


def default_network() -> str | None:
    if DEFAULT_NETWORK in NETWORKS:
        return DEFAULT_NETWORK
    return next(iter(NETWORKS), None)


def default_compare(current: str | None = None) -> tuple[str, ...]:
    names = [n for n in DEFAULT_COMPARE if n in NETWORKS]
    if current and current in NETWORKS and current not in names:
        names.append(current)
    return tuple(names)


def networks_by_family() -> dict[str, list[str]]:
    """The zoo's names grouped by family, families in the lecture's order."""
    grouped: dict[str, list[str]] = {family: [] for family in FAMILIES}
    for name, spec in NETWORKS.items():
        grouped.setdefault(spec.family, []).append(name)
    return {family: names for family, names in grouped.items() if names}


def network_label(name: str) -> str:
    """"VGG-16 · classic" style label for the picker."""
    spec = NETWORKS[name]
    return f"{spec.title}  ({FAMILY_TITLES.get(spec.family, spec.family)})"


def option_key(name: str) -> str:
    return f"opt_{name}" if name in RESERVED_KEYS else name


def _first(value: Any) -> Any:
    # st.query_params gives the last value for a repeated key; a plain dict may hold lists.
    if isinstance(value, (list, tuple)):
        return value[-1] if value else ""
    return value


def parse_state(params: Mapping[str, Any]) -> ExplorerState:
    """Page state from URL query parameters; anything malformed or unknown falls back
    to its default, and ``notices`` says what was ignored and what is allowed."""
    params = {str(k): _first(v) for k, v in params.items()}
    notices: list[str] = []
    name = default_network()
    raw_net = params.pop("net", None)
    if raw_net is not None and raw_net != "":
        if raw_net in NETWORKS:
            name = raw_net
        else:
            notices.append(
                f"The link asks for network {raw_net!r}, which is not in the zoo; showing "
                f"{NETWORKS[name].title if name else 'nothing'} instead. "
                f"Networks: {', '.join(NETWORKS)}."
            )
    state = ExplorerState(network=name or "", notices=notices)
    if name is None:
        return state
    spec = NETWORKS[name]

    for opt in spec.options:
        key = option_key(opt.name)
        if key not in params:
            continue
        raw = params.pop(key)
        try:
            value = opt.validate(name, raw)
        except ValueError:
            notices.append(
                f"Ignored {key}={raw!r} from the link: {opt.label or opt.name} must be "
                f"{opt.allowed()}; using the default, {opt.default!r}."
            )
            continue
        if value != opt.default:
            state.options[opt.name] = value

    raw_res = params.pop("res", None)
    if raw_res not in (None, "") and spec.resolution_from is not None:
        notices.append(
            f"Ignored res={raw_res!r} from the link: {spec.title}'s input resolution is set by its options "
            f"({', '.join(option_key(o.name) for o in spec.options)})."
        )
    elif raw_res not in (None, ""):
        try:
            res = int(str(raw_res))
            if not RESOLUTION_MIN <= res <= RESOLUTION_MAX:
                raise ValueError
            state.resolution = res
        except ValueError:
            notices.append(
                f"Ignored res={raw_res!r} from the link: the input resolution must be a whole "
                f"number of pixels from {RESOLUTION_MIN} to {RESOLUTION_MAX}; using the network's default."
            )
    if state.resolution is not None and state.resolution == default_resolution(name, state.options):
        state.resolution = None

    raw_unit = params.pop("unit", None)
    if raw_unit not in (None, ""):
        match = [u for u in UNITS if u.lower() == str(raw_unit).lower()]
        if match:
            state.unit = match[0]
        else:
            notices.append(f"Ignored unit={raw_unit!r} from the link: it must be one of {', '.join(UNITS)}.")

    raw_rows = params.pop("rows", None)
    if raw_rows not in (None, ""):
        try:
            rows = int(str(raw_rows))
            if not 0 <= rows <= MAX_TABLE_DEPTH:
                raise ValueError
            state.table_depth = rows
        except ValueError:
            notices.append(
                f"Ignored rows={raw_rows!r} from the link: the table depth must be a whole number "
                f"from 0 to {MAX_TABLE_DEPTH}."
            )

    raw_diagram = params.pop("diagram", None)
    if raw_diagram not in (None, ""):
        if raw_diagram in DIAGRAM_LEVELS:
            state.diagram = raw_diagram
        else:
            notices.append(
                f"Ignored diagram={raw_diagram!r} from the link: it must be one of {', '.join(DIAGRAM_LEVELS)}."
            )

    raw_compare = params.pop("compare", None)
    if raw_compare is None:
        state.compare = default_compare(name)
    else:
        wanted = [n.strip() for n in str(raw_compare).split(",") if n.strip()]
        unknown = [n for n in wanted if n not in NETWORKS]
        if unknown:
            notices.append(
                f"Ignored unknown network(s) {', '.join(map(repr, unknown))} in compare= from the link."
            )
        state.compare = tuple(dict.fromkeys(n for n in wanted if n in NETWORKS))

    if params:
        notices.append(
            f"Ignored parameter(s) {', '.join(sorted(params))} from the link: {spec.title} has "
            f"{'options ' + ', '.join(option_key(o.name) for o in spec.options) if spec.options else 'no options'}."
        )
    return state


def state_to_params(state: ExplorerState) -> dict[str, str]:
    """URL query parameters for ``state``; defaults are left out so links stay short."""
    out: dict[str, str] = {"net": state.network}
    spec = NETWORKS.get(state.network)
    if spec is not None:
        for opt in spec.options:
            if opt.name in state.options and state.options[opt.name] != opt.default:
                value = state.options[opt.name]
                out[option_key(opt.name)] = str(value).lower() if isinstance(value, bool) else str(value)
    if state.resolution is not None:
        out["res"] = str(state.resolution)
    if state.unit != "MACs":
        out["unit"] = state.unit
    if state.table_depth != 1:
        out["rows"] = str(state.table_depth)
    if state.diagram != "stages":
        out["diagram"] = state.diagram
    if tuple(state.compare) != default_compare(state.network):
        out["compare"] = ",".join(state.compare)
    return out


def default_resolution(name: str, options: Mapping[str, Any] | None = None) -> int:
    """The input resolution that goes with ``options`` (MobileNet's, EfficientNet's variant …)."""
    return int(NETWORKS[name].input_size_for(dict(options or {}))[1])


def options_key(options: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A small hashable cache key: the options as a sorted tuple."""
    return tuple(sorted(options.items()))


# --------------------------------------------------------------------------- numbers

_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))


def approx(n: float, digits: int = 3) -> str:
    """``138357544 -> "138M"``, ``61706 -> "61.7K"``, ``4231976 -> "4.23M"`` (3 significant digits)."""
    n = float(n)
    for scale, suffix in _SI:
        if abs(n) >= scale:
            value = n / scale
            decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
            text = f"{value:.{decimals}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return f"{n:.0f}"


def parse_approx(text: str) -> float | None:
    """``"138M" -> 138e6``; None if ``text`` is not such a number."""
    match = re.fullmatch(r"\s*~?\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)\s*", text or "")
    if not match:
        return None
    scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}[match.group(2)]
    return float(match.group(1)) * scale


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


UNIT_NOTE = (
    "MACs = multiply-adds: the weight × input multiplications of convolutions and fully "
    "connected layers, counted as in the lecture (#filter params × #filter positions × #filters; "
    "no bias, batch norm or activations). FLOPs count the multiply and the add separately: "
    "FLOPs = 2 × MACs."
)


# --------------------------------------------------------------------------- shapes


def shape_nhwc(shape: Sequence[int]) -> tuple[int, int, int] | None:
    """PyTorch's ``(N, C, H, W)`` as the lecture's ``(n_H, n_W, n_C)``; an FC output
    ``(N, F)`` as ``1 × 1 × F``; None for anything else."""
    if len(shape) == 4:
        return (int(shape[2]), int(shape[3]), int(shape[1]))
    if len(shape) == 3:  # (C, H, W) without the batch
        return (int(shape[1]), int(shape[2]), int(shape[0]))
    if len(shape) == 2:
        return (1, 1, int(shape[1]))
    return None


def shape_label(shape: Sequence[int]) -> str:
    """``(1, 256, 56, 56) -> "56 × 56 × 256"``; an FC output ``(1, 4096) -> "4096"``."""
    if len(shape) == 4:
        return f"{shape[2]} × {shape[3]} × {shape[1]}"
    if len(shape) == 3:
        return f"{shape[1]} × {shape[2]} × {shape[0]}"
    if len(shape) == 2:
        return f"{shape[1]}"
    return " × ".join(str(s) for s in shape[1:]) or "—"


# --------------------------------------------------------------------------- records


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


@dataclass(frozen=True)
class Group:
    """One stage or block: what :func:`viz.trace.group` returns, duplicated here so the
    page also works with a tracer that lacks it."""

    name: str
    layer_type: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    records: tuple[Any, ...]


def _group_fallback(records: Sequence[Any], depth: int) -> list[Group]:
    ordered = preorder(records)
    totals = subtree_totals(ordered)
    groups = []
    for rec in ordered:
        if rec.depth != depth:
            continue
        inside = tuple(r for r in ordered if r.name == rec.name or r.name.startswith(rec.name + "."))
        params, macs = totals[rec.name]
        groups.append(Group(rec.name, rec.layer_type, tuple(rec.input_shape), tuple(rec.output_shape),
                            params, macs, inside))
    return groups


def group_records(result: Any, depth: int = 0) -> list[Any]:
    """Records grouped by the modules at ``depth`` (0: the model's stages, 1: blocks)."""
    try:
        from viz.trace import group
    except ImportError:
        return _group_fallback(result.records, depth)
    return list(group(result, depth))


# Block classes of the zoo and what the lecture calls them.
BLOCK_NAMES = {
    "BasicBlock": "residual block",
    "Bottleneck": "bottleneck",
    "InceptionModule": "inception",
    "Inception": "inception",
    "DepthwiseSeparable": "depthwise-separable",
    "InvertedResidual": "inverted residual",
    "MBConv": "MBConv",
    "SqueezeExcite": "squeeze-excite",
}
_SKIP_BLOCKS = ("BasicBlock", "Bottleneck")
_SKIP_IF_SAME_SHAPE = ("InvertedResidual", "MBConv")
_SILENT = ("BatchNorm2d", "BatchNorm1d", "ReLU", "ReLU6", "Tanh", "Sigmoid", "SiLU", "Dropout",
           "Identity", "Flatten", "LocalResponseNorm", "Softmax", "LogSoftmax", "Hardswish")


def conv_kernel(rec: Any) -> tuple[int, int, int] | None:
    """(kernel, stride, groups) of a traced Conv2d, recovered from its shapes and cost
    (macs = C_out · (C_in / groups) · k² · H_out · W_out)."""
    if len(rec.input_shape) != 4 or len(rec.output_shape) != 4:
        return None
    n, c_out, h, w = rec.output_shape
    c_in, h_in = rec.input_shape[1], rec.input_shape[2]
    positions = n * h * w * c_out
    if positions == 0 or rec.macs % positions:
        return None
    per_filter = rec.macs // positions  # (C_in / groups) · k²
    for groups in (1, c_in, 2, 4, 8):
        if groups <= 0 or c_in % groups:
            continue
        k2, rem = divmod(per_filter, c_in // groups)
        if rem == 0 and k2 > 0 and math.isqrt(k2) ** 2 == k2:
            k = math.isqrt(k2)
            return k, _stride(h_in, h, k), groups
    return None


def _stride(n_in: int, n_out: int, k: int) -> int:
    """The smallest stride s for which some padding p ≤ k/2 gives ⌊(n + 2p − k)/s⌋ + 1 = n_out."""
    for s in range(1, max(2, n_in + 1)):
        if any((n_in + 2 * p - k) // s + 1 == n_out for p in range(0, k // 2 + 1)):
            return s
    return 1


def _leaf_op(rec: Any) -> str | None:
    t = rec.layer_type
    if t in _SILENT:
        return None
    if t == "Conv2d":
        kernel = conv_kernel(rec)
        if kernel is None:
            return "CONV"
        k, s, g = kernel
        name = "DW CONV" if g > 1 and g == rec.input_shape[1] else "CONV"
        return f"{name} {k}×{k}" + (f" s{s}" if s > 1 else "")
    if t == "Linear":
        return "FC"
    if "MaxPool" in t:
        return "MAX POOL"
    if "AvgPool" in t:
        return "AVG POOL"
    return None


def _compress(ops: Iterable[str]) -> list[str]:
    out: list[tuple[str, int]] = []
    for op in ops:
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + 1)
        else:
            out.append((op, 1))
    return [f"{op} ×{n}" if n > 1 else op for op, n in out]


def op_label(group: Any) -> str:
    """What an arrow into this stage/block says: "CONV 3×3 ×2, MAX POOL", "3 × bottleneck" …"""
    base_depth = min((r.depth for r in group.records), default=0)
    with_se = {r.name.rsplit(".", 1)[0] for r in group.records if r.layer_type == "SqueezeExcite"}

    def block_name(rec: Any) -> str:
        # MobileNet v2's block with squeeze-excite is EfficientNet's MBConv (Tan & Le 2019).
        if rec.layer_type == "InvertedResidual" and rec.name in with_se:
            return "MBConv"
        return BLOCK_NAMES[rec.layer_type]

    tops = [r for r in group.records if r.depth == base_depth]
    if len(tops) > 1 and all(r.layer_type in BLOCK_NAMES for r in tops):
        # A run of identical blocks merged into one box (see diagram_groups).
        return f"{len(tops)} × {block_name(tops[0])}"
    if group.layer_type in BLOCK_NAMES:
        own = [r for r in group.records if r.name == group.name]
        return block_name(own[0]) if own else BLOCK_NAMES[group.layer_type]
    children = [r for r in group.records if r.depth == base_depth + 1]
    blocks = [r for r in children if r.layer_type in BLOCK_NAMES]
    if blocks and len(blocks) == len([r for r in children if r.layer_type not in _SILENT]):
        kinds = _compress(block_name(r) for r in blocks)
        return ", ".join(k if "×" not in k else f"{k.split(' ×')[1]} × {k.split(' ×')[0]}" for k in kinds)
    ops = [op for r in group.records if r.is_leaf for op in [_leaf_op(r)] if op]
    steps = _compress(ops)
    if len(steps) > 3:
        # A long stem (GoogLeNet's: conv, pool, conv, conv, pool) summarised by kind.
        kinds = {}
        for op in ops:
            kind = "POOL" if op.endswith("POOL") else op.split()[0] if op != "FC" else "FC"
            kinds[kind] = kinds.get(kind, 0) + 1
        steps = [f"{kind} ×{n}" if n > 1 else kind for kind, n in kinds.items()]
    return ", ".join(steps) or group.layer_type


def branch_channels(group: Any) -> list[tuple[str, int]]:
    """An inception module's branches and the channels each adds to the concatenation
    (e.g. 3a: 64 + 128 + 32 + 32 = 256); empty when the group is not a branching module."""
    base_depth = min((r.depth for r in group.records), default=0)
    out = group.output_shape
    if len(out) != 4:
        return []
    modules = [r for r in group.records if r.layer_type in ("InceptionModule", "Inception")]
    if not modules:
        return []
    if len(modules) > 1 or modules[0].depth != base_depth:
        return []
    module = modules[0]
    kids = [r for r in group.records if r.depth == module.depth + 1 and r.name.startswith(module.name + ".")]
    kids = [r for r in kids if len(r.output_shape) == 4 and tuple(r.output_shape[2:]) == tuple(out[2:])]
    if len(kids) >= 2 and sum(r.output_shape[1] for r in kids) == out[1]:
        return [(r.name.rsplit(".", 1)[-1], int(r.output_shape[1])) for r in kids]
    return []


def skip_count(group: Any, residual: bool = True) -> int:
    """Blocks in this stage/block with a skip connection: ResNet's blocks (unless the
    "plain" option removed them) and MobileNet v2 / MBConv blocks whose input and
    output shapes match (Sandler et al. 2018, Fig. 4)."""
    count = 0
    for rec in group.records:
        if rec.layer_type in _SKIP_BLOCKS and residual:
            count += 1
        elif rec.layer_type in _SKIP_IF_SAME_SHAPE and tuple(rec.input_shape) == tuple(rec.output_shape):
            count += 1
    return count


def _merge_repeats(blocks: Sequence[Any]) -> list[Any]:
    """Runs of identical blocks that keep their input's shape (ResNet's identity blocks after
    a stage's first, MobileNet v2's repeats) become one box: "layer3.1–5", 5 × bottleneck."""
    out: list[Any] = []
    run: list[Any] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            first, last = run[0], run[-1]
            out.append(Group(
                name=f"{first.name}–{last.name.rsplit('.', 1)[-1]}",
                layer_type=first.layer_type,
                input_shape=tuple(first.input_shape),
                output_shape=tuple(last.output_shape),
                params=sum(b.params for b in run),
                macs=sum(b.macs for b in run),
                records=tuple(r for b in run for r in b.records),
            ))
        run.clear()

    for block in blocks:
        same = tuple(block.input_shape) == tuple(block.output_shape)
        if run and same and block.layer_type == run[-1].layer_type \
                and tuple(block.output_shape) == tuple(run[-1].output_shape):
            run.append(block)
            continue
        flush()
        if same and block.layer_type in BLOCK_NAMES:
            run.append(block)
        else:
            out.append(block)
    flush()
    return out


def diagram_groups(result: Any, level: str = "stages") -> list[Any]:
    """Groups worth a box: stages (depth 0) or blocks (depth 1, stages without blocks
    stay whole; a run of identical shape-keeping blocks is merged into one box).
    Groups that change nothing (dropout, an activation) or only flatten are left out."""
    stages = group_records(result, 0)
    if level == "blocks":
        blocks = group_records(result, 1)
        by_stage: dict[str, list[Any]] = {}
        for b in blocks:
            by_stage.setdefault(b.name.split(".")[0], []).append(b)
        expanded = []
        for stage in stages:
            inner = by_stage.get(stage.name, [])
            if any(b.layer_type in BLOCK_NAMES for b in inner):
                expanded.extend(_merge_repeats(inner))
            else:
                expanded.append(stage)
        stages = expanded
    kept = []
    previous = tuple(result.input_size)
    for g in stages:
        out = tuple(g.output_shape)
        if not out:
            continue
        if g.layer_type == "Flatten" or (out == previous and g.params == 0 and g.macs == 0):
            continue
        kept.append(g)
        previous = out
    return kept


def weight_layers(records: Sequence[Any]) -> tuple[int, int, int]:
    """(depth, all weight layers, projection shortcuts), counting convolutions and FC layers.

    depth is the lecture's and the papers' count: weight layers along the longest path,
    so parallel branches count once (their longest), and side paths — projection
    shortcuts, squeeze-excite — not at all: VGG-16 16, ResNet-50 50, GoogLeNet 22
    ("22 layers deep when counting only layers with parameters", Szegedy et al. 2015 §5).
    """
    weighted = [r for r in records if r.is_leaf and r.layer_type in ("Conv2d", "Linear")]
    shortcuts = [r for r in weighted if "shortcut" in r.name or "downsample" in r.name]
    side = {r.name for r in shortcuts} | {r.name for r in weighted if ".se." in f".{r.name}."}
    modules = [r.name for r in records if r.layer_type in ("InceptionModule", "Inception")]
    depth = 0
    branches: dict[str, dict[str, int]] = {}
    for rec in weighted:
        if rec.name in side:
            continue
        module = next((m for m in modules if rec.name.startswith(m + ".")), None)
        if module is None:
            depth += 1
        else:
            branch = rec.name[len(module) + 1:].split(".")[0]
            counts = branches.setdefault(module, {})
            counts[branch] = counts.get(branch, 0) + 1
    depth += sum(max(counts.values()) for counts in branches.values())
    return depth, len(weighted), len(shortcuts)


# --------------------------------------------------------------------------- table

INDENT = "\u2003"  # an em space: indentation a table keeps (leading spaces are stripped)


def table_rows(result: Any, max_depth: int = 1, unit: str = "MACs") -> list[dict[str, Any]]:
    """One row per traced module down to ``max_depth``, containers first; each row counts
    everything inside it, so the rows of any one depth (with the leaves above it) add
    up to the network's totals. Names are indented by depth."""
    ordered = preorder(result.records)
    totals = subtree_totals(ordered)
    cost = "FLOPs" if unit == "FLOPs" else "MACs"
    rows = []
    for rec in ordered:
        if rec.depth > max_depth:
            continue
        params, macs = totals[rec.name]
        rows.append({
            "layer": INDENT * 2 * rec.depth + rec.name,
            "type": rec.layer_type,
            "depth": rec.depth,
            "output (n_H × n_W × n_C)": shape_label(rec.output_shape),
            "parameters": int(params),
            cost: int(macs_in(macs, unit)),
        })
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


# --------------------------------------------------------------------------- code and papers


def module_source(name: str) -> tuple[str, str]:
    """(file path relative to the repo, source) of the module that defines network ``name``."""
    spec = NETWORKS[name]
    module = importlib.import_module(spec.builder.__module__)
    path = inspect.getsourcefile(module) or ""
    rel = path[path.find("architectures/"):] if "architectures/" in path else path
    return rel, inspect.getsource(module)


def published(spec: NetworkSpec) -> dict[str, Any]:
    extra = spec.extra or {}
    value = extra.get("published", {})
    return dict(value) if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _params_text(value: Any) -> str:
    number = _number(value)
    if number is not None:
        return f"{int(number):,} ≈ {approx(number)}"
    return str(value) if value not in (None, "") else "—"


def _macs_text(value: Any, unit: str) -> str:
    number = _number(value)
    if number is not None:
        return format_macs(int(number), unit)
    return str(value) if value not in (None, "") else "—"


def published_rows(spec: NetworkSpec, params: int, macs: int, unit: str = "MACs") -> list[dict[str, str]]:
    """Our exact counts beside the paper's and torchvision's published ones.

    Numbers from the zoo's ``extra["published"]`` are converted by the MACs/FLOPs
    switch; a published figure the zoo keeps as text (a range, several variants)
    is shown as written.
    """
    cost_col = "FLOPs" if unit == "FLOPs" else "multiply-adds"
    rows = [{"source": "This app (exact, counted from the module)", "parameters": f"{params:,} ≈ {approx(params)}",
             cost_col: format_macs(macs, unit)}]
    pub = published(spec)
    if not pub:
        return rows
    if "params" in pub or "macs" in pub:
        rows.append({"source": str(pub.get("source") or spec.paper), "parameters": _params_text(pub.get("params")),
                     cost_col: _macs_text(pub.get("macs"), unit)})
    if "torchvision_params" in pub or "torchvision_macs" in pub:
        builder = pub.get("torchvision") or str(pub.get("builder", "")).replace("torchvision.models.", "")
        label = f"torchvision {builder}" if builder else "torchvision"
        params_text = _params_text(pub.get("torchvision_params"))
        if "torchvision_bn_params" in pub:
            params_text += f" ({int(pub['torchvision_bn_params']):,} with batch norm)"
        rows.append({"source": label, "parameters": params_text,
                     cost_col: _macs_text(pub.get("torchvision_macs"), unit)})
    return rows


def published_note(spec: NetworkSpec) -> str:
    """The zoo's sentence on why its count and the published ones differ (if they do)."""
    return str(published(spec).get("note", ""))


def pretrained_note(spec: NetworkSpec) -> str:
    """Where to get this network with pretrained weights (torchvision or timm builder)."""
    pub = published(spec)
    tv = pub.get("torchvision")
    builder = str(pub.get("builder", "") or "")
    if isinstance(tv, str) and tv:
        return (f"With ImageNet weights: `torchvision.models.{tv}(weights=\"DEFAULT\")` "
                "(downloaded by torchvision on first use; this app downloads nothing).")
    if builder.startswith("torchvision.models."):
        return (f"With ImageNet weights: `{builder}(weights=\"DEFAULT\")` "
                "(downloaded by torchvision on first use; this app downloads nothing).")
    if builder.startswith("timm:"):
        rest = builder.split(":", 1)[1].strip()
        name, _, why = rest.partition(" ")
        return (f"With ImageNet weights: `timm.create_model(\"{name}\", pretrained=True)` {why}".rstrip())
    if builder:
        return f"Pretrained weights: {builder}."
    return "No standard pretrained version of this network is published in torchvision or timm."
