"""Real forward pass → one record per layer: shapes, parameters, multiply-adds.

How it works. For the length of one forward pass every module's ``forward`` is
wrapped (an instance attribute, removed afterwards — cheaper than forward hooks,
which send every call through ``Module.__call__``'s slow path). The wrapper
reserves the module's record slot the moment the module is entered (so records
come out in pre-order: a container before its children, the order the network
runs) and notes its input shape, then the output shape. It does nothing else — no
arithmetic, no parameter walks — so tracing costs little more than the bare
forward pass; parameters and multiply-adds are worked out from the recorded shapes
afterwards. (Like hooks, the wrappers see module calls only; see below.)

Counting convention (DESIGN.md): multiply-adds (MACs) are the multiplications of
weights by inputs in convolutions and fully connected layers — the lecture's
``#filter params × #filter positions × #filters`` — with no bias adds and no
element-wise work (batch norm, activations, pooling, residual adds, the
squeeze-excite scaling). That is exactly ``torch.utils.flop_counter``'s count
divided by 2, the "GFLOPS" torchvision publishes. torchinfo 1.8 adds, per layer,
the bias (``C_out·H·W`` per convolution, ``out_features`` per linear layer) and
``2·C`` per batch norm; the tests pin both relations.

What is counted, precisely:

* ``nn.Conv1d/2d/3d``: ``N · prod(output spatial) · weight.numel()`` — any stride,
  padding, dilation and groups (depthwise included), since ``weight.numel()`` is
  ``C_out · C_in/groups · k_h · k_w``. ``nn.ConvTranspose*``: the same with the
  *input* spatial size (each input position scatters one filter).
* ``nn.Linear``: ``(input elements / in_features) · in_features · out_features``,
  so a linear layer on an ``(N, T, F)`` input counts all ``N · T`` rows.
* Any other module: 0. Functional calls inside a ``forward`` (``F.relu``,
  ``torch.flatten``, ``x + y``, ``torch.cat``) get no record of their own; they
  have no multiply-adds by the convention, so no cost goes missing. A *functional
  convolution or matrix product* (``F.conv2d``, ``F.linear``, ``x @ w``) inside a
  custom ``forward`` would not be counted: the zoo writes every such layer as a
  module, and the tests check our totals against ``FlopCounterMode`` (which sees
  every ATen op) on every network of the zoo, so a hidden one would be caught.

Modules called more than once get one record per call (``call`` = 0, 1, …),
each with its own MACs; a parameter is counted once, at the first record of the
first module (in execution order) that owns it — also when two modules share a
weight. ``total_params`` is always ``sum(p.numel() for p in model.parameters())``
(PyTorch's own de-duplicated count); parameters of modules the forward pass never
entered (e.g. GoogLeNet's auxiliary heads in eval mode) or owned by the model
object itself are reported in ``TraceResult.extra``.

Entry points:

* :func:`trace` — trace a model the caller built (properly initialised weights,
  or on the meta device: then the pass only propagates shapes — note that
  PyTorch's meta kernels import ``torch._dynamo`` on first use, seconds once).
* :func:`trace_network` — the page-facing fast path for a zoo network: build on
  the meta device (the skeleton is kept for the next call), give it zero weights on
  the CPU — views of one ``calloc``'d zero block, so at most the largest tensor's
  size and in practice almost no resident memory (no NaN, no denormals, batch norm
  running variance 1) — one real forward pass, then the weights are dropped.
  :func:`cheap_network` lends the same model to other tools inside a ``with`` block.
* :func:`group` / :meth:`TraceResult.group` — records grouped by stage (depth 0)
  or block (depth 1), for "where the cost lives" and volume charts.

Bad input never escapes as a torch traceback: a malformed input size, a wrong
channel count, or an input too small for the network raises ``ValueError`` with a
message saying what is allowed (for a too-small input: the layer where the
feature map collapses and the smallest square input that works, found by a
doubling-then-bisecting search of small real forward passes — on the zero weights
for a zoo network — whose answers are remembered per network).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import prod
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

# trace_network's limit on batch × height × width: VGG's first two 64-channel maps at
# 1024×1024 already take 0.5 GB, half a free hosting tier's memory.
MAX_PIXELS = 1024 * 1024

# The largest side the search for a working input size tries (pixels), where no size is known to work.
_SEARCH_LIMIT = 1024


class LayerRecord(NamedTuple):
    """One traced layer call (an immutable named tuple: a pass makes hundreds of them).

    name          qualified module name, e.g. ``"layer1.0.conv1.conv"`` (the path of
                  attribute names from the model; the model itself has no record,
                  unless it has no children: a bare layer is one record named after
                  its class, e.g. ``"Conv2d"``)
    layer_type    the module's class name, e.g. ``"Conv2d"``, ``"Bottleneck"``
    depth         nesting depth: 0 for a child of the model (the zoo's stages),
                  1 for its children (the zoo's blocks) …; ``name.count(".")``
    input_shape   shape of the first tensor input, PyTorch order ``(N, C, H, W)``;
                  ``()`` if the module got no tensor
    output_shape  shape of the output tensor (the first one if several); ``()`` if none
    params        number of parameters owned directly by this module (not by its
                  children), each parameter counted once in the whole trace: at the
                  first call of the first module that owns it. So summing ``params``
                  over all records never counts a weight twice; containers own none
                  in the zoo, so their rows show 0 (group sums are in :func:`group`)
    macs          multiply-adds of this call alone: convolution / linear weights ×
                  inputs, no bias, no element-wise work, for the whole batch ``N``;
                  0 for containers and parameter-free layers. Summing over all
                  records gives ``TraceResult.total_macs``
    output_bytes  size of the output activation in bytes (``numel × element size``)
    is_leaf       True when the module has no children (leaf rows hold all the cost
                  in the zoo; container rows are there for structure and shapes)
    call          0 for a module's first call in the pass, 1 for its second …
    """

    name: str
    layer_type: str
    depth: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    output_bytes: int
    is_leaf: bool
    call: int = 0


@dataclass(frozen=True)
class Group:
    """Records under one module path at a given depth (a stage or a block).

    name          the module path at that depth, e.g. ``"layer1"``, ``"layer1.0"``,
                  ``"inception4a"``; a record shallower than the depth (e.g. the
                  classifier when grouping blocks) is its own group
    layer_type    class name of the module at that path
    depth         the grouping depth
    input_shape   input of the module at that path (else of the group's first record)
    output_shape  output of the module at that path (else of the group's last record)
    params        sum of ``params`` over the group's records (each weight once)
    macs          sum of ``macs`` over the group's records
    output_bytes  bytes of ``output_shape`` in the traced dtype
    records       the records, in execution order
    """

    name: str
    layer_type: str
    depth: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int
    output_bytes: int
    records: tuple[LayerRecord, ...]


@dataclass
class TraceResult:
    """Everything one traced forward pass found.

    records           one :class:`LayerRecord` per module call, in execution order
                      (pre-order: a container before its children)
    input_size        the traced input, ``(N, C, H, W)``
    output_shape      shape of the model's output (first tensor if several)
    total_params      ``sum(p.numel() for p in model.parameters())``: shared weights once
    trainable_params  the same for parameters with ``requires_grad``
    total_macs        multiply-adds of the whole pass (sum over records)
    extra             ``params_not_called`` (parameters of modules the pass never
                      entered, e.g. auxiliary heads in eval mode),
                      ``modules_not_called`` (their names), ``params_of_model``
                      (parameters owned by the model object itself), ``dtype``
    """

    records: list[LayerRecord]
    input_size: tuple[int, ...]
    output_shape: tuple[int, ...]
    total_params: int
    trainable_params: int
    total_macs: int
    extra: dict = field(default_factory=dict)

    def leaves(self) -> list[LayerRecord]:
        """The records of modules without children, in execution order."""
        return [r for r in self.records if r.is_leaf]

    def group(self, depth: int = 0) -> list[Group]:
        """Records grouped by their module path at ``depth``; see :func:`group`."""
        return group(self, depth)


# --------------------------------------------------------------------------- counting


def _conv_macs(module: nn.modules.conv._ConvNd, in_shape: Sequence[int], out_shape: Sequence[int]) -> int:
    """``N · positions · weight.numel()``; positions of the output (of the input if transposed)."""
    spatial = in_shape[2:] if module.transposed else out_shape[2:]
    return int(out_shape[0] * prod(spatial) * module.weight.numel())


def _linear_macs(module: nn.Linear, in_shape: Sequence[int]) -> int:
    """Every row of the input (all leading dimensions) times ``in × out``."""
    return int(prod(in_shape) * module.out_features)


def layer_macs(module: nn.Module, in_shape: Sequence[int], out_shape: Sequence[int]) -> int:
    """Multiply-adds of one call of ``module`` from its input and output shapes."""
    if not in_shape or not out_shape:
        return 0
    if isinstance(module, nn.modules.conv._ConvNd):
        return _conv_macs(module, in_shape, out_shape)
    if isinstance(module, nn.Linear):
        return _linear_macs(module, in_shape)
    return 0


# ------------------------------------------------------------------------ input sizes


def normalise_input_size(input_size: Any) -> tuple[int, int, int, int]:
    """``(C, H, W)`` or ``(N, C, H, W)`` of positive integers → ``(N, C, H, W)``; else ValueError."""
    allowed = "an input size is (C, H, W) or (N, C, H, W), each a positive whole number, e.g. (3, 224, 224)"
    if isinstance(input_size, (str, bytes)) or not isinstance(input_size, Iterable):
        raise ValueError(f"{allowed}; got {input_size!r}.")
    size = tuple(input_size)
    if len(size) not in (3, 4):
        raise ValueError(f"{allowed}; got {len(size)} number(s): {input_size!r}.")
    out = []
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, float)) and not hasattr(s, "__index__"):
            raise ValueError(f"{allowed}; got {input_size!r}.")
        try:
            value = int(s)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{allowed}; got {input_size!r}.") from None
        if value != s or value < 1:
            raise ValueError(f"{allowed}; got {input_size!r}.")
        out.append(value)
    if len(out) == 3:
        out.insert(0, 1)
    return tuple(out)  # type: ignore[return-value]


def _lecture_shape(shape: Sequence[int]) -> str:
    """``(N, C, H, W)`` → ``"a H×W×C map"``, the lecture's order; ``(N, F)`` → ``"F features"``."""
    if len(shape) == 4:
        return f"a {shape[2]}×{shape[3]}×{shape[1]} map"
    if len(shape) == 2:
        return f"{shape[1]} features"
    return "an input of shape " + "×".join(str(s) for s in shape[1:])


def _describe(module: nn.Module) -> str:
    """A short description of a layer: its type and, for windows, kernel and stride."""
    text = type(module).__name__
    if isinstance(module, nn.Linear):
        return f"{text} {module.in_features}→{module.out_features}"
    kernel = getattr(module, "kernel_size", None)
    if kernel is not None:
        k = tuple(kernel) if isinstance(kernel, (tuple, list)) else (kernel, kernel)
        text += f" {'×'.join(str(v) for v in k)}"
        stride = getattr(module, "stride", None)
        if stride is not None:
            s = tuple(stride) if isinstance(stride, (tuple, list)) else (stride,)
            if any(v != 1 for v in s):
                text += f", stride {s[0] if len(set(s)) == 1 else '×'.join(map(str, s))}"
    return text


# ----------------------------------------------------------------------- the pass


class _Recorder:
    """The instruments of one traced pass: per module call, one row of shapes.

    Each module's ``forward`` is wrapped for the length of the pass (an instance
    attribute shadowing the class's method, removed afterwards) rather than hooked:
    ``Module.__call__`` keeps its fast path (any hook sends every call through the
    slow one), the wrapper costs one Python call, and nothing outside this model
    is touched — other threads' models run as usual.
    """

    __slots__ = ("rows", "wrap")

    def __init__(self) -> None:
        # [module, name, input_shape, output_shape, itemsize]; output_shape stays None while
        # the module runs, so after a failure the last row without one is the failing module.
        rows: list[list] = []
        self.rows = rows
        add_row, tensor = rows.append, torch.Tensor

        def wrap(module: nn.Module, name: str, inner):
            def forward(*args, **kwargs):
                inp = args[0] if args else None
                row = [module, name, inp.shape if isinstance(inp, tensor) else _shape_of((args, kwargs)),
                       None, 0]
                add_row(row)
                output = inner(*args, **kwargs)
                out = output if isinstance(output, tensor) else _first_tensor(output)
                if out is None:
                    row[3] = ()
                else:
                    row[3] = out.shape
                    row[4] = out.element_size()
                return output

            return forward

        self.wrap = wrap


def _first_tensor(obj: Any) -> torch.Tensor | None:
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, (tuple, list)):
        for item in obj:
            found = _first_tensor(item)
            if found is not None:
                return found
    if isinstance(obj, dict):
        for item in obj.values():
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def _shape_of(obj: Any) -> tuple[int, ...]:
    t = _first_tensor(obj)
    return tuple(t.shape) if t is not None else ()


class _ForwardFailed(Exception):
    """The forward pass raised. Keeps only plain facts about the innermost running module
    (no tensors, modules or tracebacks), so the caller can free the model at once."""

    def __init__(self, error: BaseException, name: str | None, module: nn.Module | None,
                 input_shape: tuple[int, ...]):
        self.first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        super().__init__(self.first_line)
        self.name = name
        self.description = _describe(module) if module is not None else None
        self.conv_in_channels = module.in_channels if isinstance(module, nn.modules.conv._ConvNd) else None
        self.input_shape = tuple(input_shape)


def _model_device(model: nn.Module) -> torch.device:
    for t in model.parameters():
        return t.device
    for t in model.buffers():
        return t.device
    return torch.device("cpu")


def _set_eval(modules: Iterable[nn.Module]) -> list[nn.Module]:
    """Eval mode without ``Module.train``'s recursion and ``__setattr__``; returns what to restore."""
    switched = [m for m in modules if m.training]
    for m in switched:
        m.__dict__["training"] = False
    return switched


def _restore_training(switched: list[nn.Module]) -> None:
    for m in switched:
        m.__dict__["training"] = True


_NO_ATTR = object()


def _run(model: nn.Module, size: tuple[int, ...], dtype: torch.dtype,
         named: list[tuple[str, nn.Module]]) -> tuple[Any, _Recorder]:
    """One forward pass in eval mode under inference_mode, recording every module call.

    A failure inside the network is re-raised as :class:`_ForwardFailed` *outside*
    the ``except`` block, so no traceback keeps the model's frames and tensors alive.
    """
    targets = [(module, name) for name, module in named if name]
    if not targets:  # a bare layer traced on its own: it is its own (only) record
        targets = [(model, type(model).__name__)]
    recorder = _Recorder()
    wrap = recorder.wrap
    patched = []
    for module, name in targets:
        own = module.__dict__.get("forward", _NO_ATTR)  # someone's instance-level forward: wrap and restore it
        patched.append((module, own))
        module.__dict__["forward"] = wrap(module, name, module.forward)
    switched = _set_eval(module for _, module in named)
    failure = None
    try:
        with torch.inference_mode():
            output = model(torch.zeros(size, dtype=dtype, device=_model_device(model)))
    except Exception as error:  # any failure inside the network becomes a ValueError later
        running = [row for row in recorder.rows if row[3] is None]
        if running:
            row = running[-1]
            failure = _ForwardFailed(error, row[1], row[0], tuple(row[2]))
        else:
            failure = _ForwardFailed(error, None, None, tuple(size))
    finally:
        for module, own in patched:
            if own is _NO_ATTR:
                del module.__dict__["forward"]
            else:
                module.__dict__["forward"] = own
        _restore_training(switched)
    if failure is not None:
        recorder.rows.clear()
        raise failure
    return output, recorder


def _result(model: nn.Module, named: list[tuple[str, nn.Module]], rows: list[list],
            size: tuple[int, ...], output: Any, dtype: torch.dtype) -> TraceResult:
    """Rows of shapes → records with parameters (each counted once) and MACs, and the totals."""
    seen: set[int] = set()
    calls: dict[int, int] = {}  # id(module) -> calls so far
    records = []
    add = records.append
    total_macs = 0
    for module, name, in_shape, out_shape, itemsize in rows:
        call = calls.get(id(module), 0)
        calls[id(module)] = call + 1
        params = 0
        if call == 0:
            for p in module._parameters.values():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    params += p.numel()
        in_shape = tuple(in_shape)
        out_shape = tuple(out_shape) if out_shape is not None else ()
        macs = layer_macs(module, in_shape, out_shape)
        total_macs += macs
        children = module._modules
        add(LayerRecord(
            name, type(module).__name__, name.count("."), in_shape, out_shape, params, macs,
            prod(out_shape) * itemsize if out_shape else 0,
            not children or all(child is None for child in children.values()),
            call,
        ))
    # Parameters no record owns: modules never entered, and the model object's own.
    not_called, params_not_called, params_of_model = [], 0, 0
    for name, module in named:
        if name and id(module) in calls:
            continue
        own = [p for p in module._parameters.values() if p is not None and id(p) not in seen]
        for p in own:
            seen.add(id(p))
        if not name:
            params_of_model = sum(p.numel() for p in own)
        elif own:
            not_called.append(name)
            params_not_called += sum(p.numel() for p in own)
    # Every parameter once, as model.parameters() gives them (de-duplicated by identity),
    # without its second walk of the module tree.
    unique: dict[int, torch.Tensor] = {}
    for _, module in named:
        for p in module._parameters.values():
            if p is not None:
                unique.setdefault(id(p), p)
    params = list(unique.values())
    out = _first_tensor(output)
    return TraceResult(
        records=records,
        input_size=size,
        output_shape=tuple(out.shape) if out is not None else (),
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        total_macs=total_macs,
        extra={"params_not_called": params_not_called, "modules_not_called": not_called,
               "params_of_model": params_of_model, "dtype": str(dtype).removeprefix("torch.")},
    )


def trace(model: nn.Module, input_size: Any, *, dtype: torch.dtype = torch.float32,
          name: str | None = None) -> TraceResult:
    """Run one real forward pass of ``model`` on zeros of ``input_size`` and record every layer.

    ``input_size`` is ``(C, H, W)`` (batch 1) or ``(N, C, H, W)``. The pass runs in
    eval mode (batch norm uses its running statistics, dropout is off; each module's
    mode is restored afterwards) under ``torch.inference_mode()``, on the device of
    the model's parameters — on the meta device it propagates shapes only. The
    forward wrappers are removed afterwards, also on failure. Don't trace a model
    another thread is running at the same time (e.g. one shared through
    ``st.cache_resource``): work on a copy or build anew.

    Raises ``ValueError`` for a malformed input size, a wrong channel count, or an
    input too small (naming the layer where the feature map collapses and the
    smallest square input that works); ``name`` labels those messages.
    """
    size = normalise_input_size(input_size)
    named = list(model.named_modules())
    try:
        output, recorder = _run(model, size, dtype, named)
    except _ForwardFailed as failure:
        problem = failure
    else:
        return _result(model, named, recorder.rows, size, output, dtype)
    raise _explain(problem, name or type(model).__name__, size, _prober(model, size, dtype),
                   known_good=None) from None


# ------------------------------------------------------------------ explaining failures


def _prober(model: nn.Module, size: tuple[int, ...], dtype: torch.dtype, memo: dict[int, bool] | None = None):
    """A function ``side -> bool``: does ``model`` run on a ``(1, C, side, side)`` input?

    A real forward pass without hooks, batch 1 (shapes don't depend on the batch),
    on the model's device; answers are kept in ``memo`` (per network skeleton, so a
    second error on the same network costs nothing). Not on the meta device: shape
    propagation there is slower than a small real pass and imports torch._dynamo
    (seconds, and tens of MB).
    """
    device = _model_device(model)
    memo = {} if memo is None else memo

    def probe(side: int) -> bool:
        if side in memo:
            return memo[side]
        switched = _set_eval(model.modules())
        try:
            with torch.inference_mode():
                model(torch.zeros((1, size[1], side, side), dtype=dtype, device=device))
            ok = True
        except Exception:  # any failure means "this size does not work"
            ok = False
        finally:
            _restore_training(switched)
        memo[side] = ok
        return ok

    return probe


def _smallest_working(probe, lo_fail: int, known_good: int | None) -> int | None:
    """Smallest square side that runs, above ``lo_fail`` (assumed not to run).

    Feature maps only shrink when the input does, so "runs" is monotone in the side
    up to the largest working size. The search keeps its probes cheap: it doubles
    from ``lo_fail`` while the side stays under half of ``known_good`` (a side
    known to run, the network's default; a pass there costs under 1/4 of a full
    one) — networks with adaptive pooling run at small sizes, found here — and
    otherwise gallops down from ``known_good`` (−1, −2, −4 …): networks with
    fixed-size layers only run near their default. Without ``known_good`` it doubles
    up to ``_SEARCH_LIMIT`` (None if nothing runs). Then it bisects.
    """
    n, hi = max(lo_fail, 1), None
    while hi is None:
        n *= 2
        if known_good is not None and 2 * n > known_good:
            break
        if known_good is None and n > _SEARCH_LIMIT:
            return None
        if probe(n):
            hi = n
        else:
            lo_fail = n
    if hi is None:
        hi, step = known_good, 1
        while hi - step > lo_fail:
            if not probe(hi - step):
                lo_fail = hi - step
                break
            hi -= step
            step *= 2
    while hi - lo_fail > 1:
        mid = (lo_fail + hi) // 2
        if probe(mid):
            hi = mid
        else:
            lo_fail = mid
    return hi


def _largest_working(probe, lo_good: int, hi_fail: int) -> int:
    """Largest square side that runs, between a working ``lo_good`` and a failing ``hi_fail``.

    Gallops up from ``lo_good`` (+1, +2, +4 …) before bisecting: networks with
    fixed-size layers only take a narrow band of sizes, so the probes stay close
    to sizes that run, never near a huge requested one.
    """
    step = 1
    while lo_good + step < hi_fail:
        if not probe(lo_good + step):
            hi_fail = lo_good + step
            break
        lo_good += step
        step *= 2
    while hi_fail - lo_good > 1:
        mid = (lo_good + hi_fail) // 2
        if probe(mid):
            lo_good = mid
        else:
            hi_fail = mid
    return lo_good


def _explain(failure: _ForwardFailed, label: str, size: tuple[int, ...], probe,
             known_good: int | None) -> ValueError:
    """Turn a failed forward pass into a ValueError that says what went wrong and what works.

    ``probe(side)`` tells whether a ``side × side`` input runs; ``known_good`` is a
    side known to run (the network's default), if any.
    """
    n, c, h, w = size
    where = failure.name or "the model's own forward"
    layer = where
    if failure.description:
        layer += f" ({failure.description} on {_lecture_shape(failure.input_shape)})"

    # A convolution that gets the wrong number of channels.
    if failure.conv_in_channels is not None and len(failure.input_shape) >= 2 \
            and failure.input_shape[1] != failure.conv_in_channels:
        return ValueError(
            f"{label}: layer {where} expects {failure.conv_in_channels} input channels but receives "
            f"{failure.input_shape[1]} (input size {tuple(size[1:])}); give an input with the channel "
            f"count the network was built for."
        )

    side = min(h, w)
    if known_good is not None and side >= known_good:
        # At least a size known to work: a network with fixed-size layers (no adaptive pooling)?
        high = _largest_working(probe, known_good, max(h, w)) if max(h, w) > known_good else max(h, w)
        if high < max(h, w):
            low = _smallest_working(probe, 0, known_good)
            return ValueError(
                f"{label}: a {h}×{w} input does not fit: the pass fails at {layer}: {failure.first_line}. "
                f"This network takes square inputs from {low}×{low} to {high}×{high}."
            )
    else:
        smallest = _smallest_working(probe, max(side - 1, 0), known_good)
        if smallest is not None and smallest > side:
            what = "the feature map collapses at" if len(failure.input_shape) == 4 else "the pass fails at"
            return ValueError(
                f"{label}: a {h}×{w} input is too small: {what} {layer}; "
                f"the smallest input that works is {smallest}×{smallest}."
            )
    return ValueError(
        f"{label}: the forward pass failed at {layer} for input {tuple(size)}: {failure.first_line}"
    )


# ------------------------------------------------------------------------ grouping


def group(result: TraceResult, depth: int = 0) -> list[Group]:
    """Records grouped by module path at ``depth``, in execution order.

    ``depth=0`` gives the model's children — the zoo's stages (VGG's pool stages,
    ResNet's ``layer1``…``layer4``, GoogLeNet's ``inception3a``…); ``depth=1`` their
    children — the blocks. A leaf shallower than ``depth`` (e.g. the classifier when
    grouping blocks) forms its own group; a container shallower than ``depth`` is left
    out, its children being the groups (unless it owns parameters itself). So the groups
    together hold every leaf record once: their ``params`` and ``macs`` add up to
    the totals (less ``extra["params_not_called"]`` and ``extra["params_of_model"]``).
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"group depth must be a whole number ≥ 0; got {depth!r}.")
    buckets: dict[str, list[LayerRecord]] = {}
    for r in result.records:
        if r.depth < depth and not r.is_leaf and not r.params and not r.macs:
            continue  # a container above the grouping depth: its children form the groups
        key = ".".join(r.name.split(".")[: depth + 1])
        buckets.setdefault(key, []).append(r)
    itemsize = torch.empty((), dtype=getattr(torch, result.extra.get("dtype", "float32"))).element_size()
    groups = []
    for key, recs in buckets.items():
        own = next((r for r in recs if r.name == key), None)
        if own is not None:
            in_shape, out_shape, kind = own.input_shape, own.output_shape, own.layer_type
        else:
            in_shape, out_shape, kind = recs[0].input_shape, recs[-1].output_shape, recs[0].layer_type
        groups.append(Group(
            name=key,
            layer_type=kind,
            depth=depth,
            input_shape=in_shape,
            output_shape=out_shape,
            params=sum(r.params for r in recs),
            macs=sum(r.macs for r in recs),
            output_bytes=prod(out_shape) * itemsize if out_shape else 0,
            records=tuple(recs),
        ))
    return groups


# ---------------------------------------------------------------- the zoo's fast path


class _Skeleton:
    """A zoo network built once on the meta device (modules and shapes, no storage).

    Building a network is mostly Python (constructing hundreds of modules), so the
    skeletons of recent (network, options) pairs are kept — a few MB at most — and
    a lock keeps two threads from materialising the same one at once.
    """

    def __init__(self, model: nn.Module):
        self.named = list(model.named_modules())
        for _, module in self.named:  # eval mode (traced so anyway), without train()'s recursion
            module.__dict__["training"] = False
        self.model = model
        self.lock = threading.RLock()
        self.runs: dict[int, bool] = {}  # side -> does a side × side input run (memo of the size search)
        self.plan = _ZeroPlan(self.named)


_SKELETONS: OrderedDict[tuple, _Skeleton] = OrderedDict()
_SKELETONS_MAX = 16
_SKELETONS_LOCK = threading.Lock()


def _skeleton(name: str, resolved: dict) -> _Skeleton:
    from architectures import build

    key = (name, tuple(sorted((k, repr(v)) for k, v in resolved.items())))
    with _SKELETONS_LOCK:
        found = _SKELETONS.get(key)
        if found is not None:
            _SKELETONS.move_to_end(key)
            return found
    skeleton = _Skeleton(build(name, device="meta", **resolved))
    with _SKELETONS_LOCK:
        _SKELETONS[key] = skeleton
        while len(_SKELETONS) > _SKELETONS_MAX:
            _SKELETONS.popitem(last=False)
    return skeleton


def clear_cache() -> None:
    """Forget the meta-device skeletons kept by :func:`trace_network` (for benchmarks: a cold start)."""
    with _SKELETONS_LOCK:
        _SKELETONS.clear()


# numpy dtypes for which np.zeros gives memory torch can share.
_NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64, torch.float16: np.float16,
                 torch.int64: np.int64, torch.int32: np.int32, torch.uint8: np.uint8, torch.bool: np.bool_}


def _filled_block(dtype: torch.dtype, n: int, value: int) -> torch.Tensor:
    """``n`` elements of ``value`` (0 or 1). Zeros come from ``np.zeros``, i.e. ``calloc``:
    a large block is fresh pages the kernel maps to its shared zero page until written,
    so a forward pass reads zeros without the memory being filled or even resident
    (411 MB for VGG's first FC weights cost nothing; ``torch.zeros`` writes every page)."""
    if value == 0 and dtype in _NUMPY_DTYPES:
        return torch.from_numpy(np.zeros(n, dtype=_NUMPY_DTYPES[dtype]))
    return torch.full((n,), value, dtype=dtype)


class _ZeroPlan:
    """Where a meta-device model's tensors go, worked out once per skeleton so that each
    materialisation is one view and one assignment per tensor (~4 µs; EfficientNet-B0
    has ~500 tensors)."""

    def __init__(self, named: list[tuple[str, nn.Module]]):
        # (table, key, meta tensor, shape, strides, block (dtype, fill), a Parameter?, requires_grad)
        self.slots: list[tuple] = []
        self.largest: dict[tuple[torch.dtype, int], int] = {}
        for _, module in named:
            for table in (module._parameters, module._buffers):
                for key, t in table.items():
                    if t is None:
                        continue
                    fill = 1 if table is module._buffers and key == "running_var" else 0
                    block = (t.dtype, fill)
                    self.largest[block] = max(self.largest.get(block, 0), t.numel())
                    self.slots.append((table, key, t, tuple(t.shape), _contiguous_strides(t.shape),
                                       block, isinstance(t, nn.Parameter), t.requires_grad))


def _contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


@contextmanager
def _materialised(plan: _ZeroPlan):
    """Give a meta-device model CPU tensors of zeros for the duration of the block.

    Cheap and safe: every parameter and buffer becomes a view of *one* zero block
    per dtype, as long as the largest of them (values don't matter for shapes,
    parameters or costs, and a forward pass never writes its weights), so the memory
    is at most that of the largest tensor — and, as the block comes from ``calloc``
    (:func:`_filled_block`), in practice only the pages actually written. Zeros keep
    every activation finite — no NaN, inf or denormals — and batch norm's running
    variance gets ones (``x / sqrt(var + eps)``). Shared parameters stay shared. The
    meta tensors are put back afterwards, which frees the zeros.
    """
    blocks = {k: _filled_block(k[0], n, k[1]) for k, n in plan.largest.items()}
    made: dict[int, torch.Tensor] = {}
    make_parameter = torch.Tensor._make_subclass
    try:
        for table, key, t, shape, strides, block, is_parameter, requires_grad in plan.slots:
            new = made.get(id(t))
            if new is None:
                new = blocks[block].as_strided(shape, strides)
                if is_parameter:
                    new = make_parameter(nn.Parameter, new, requires_grad)
                made[id(t)] = new
            table[key] = new
        yield
    finally:
        for table, key, t, *_ in plan.slots:
            table[key] = t


def _prepare(name: str, options: dict | None, input_size: Any):
    """Validate a zoo request: (resolved options, default (C, H, W), normalised input size)."""
    from architectures import get_spec

    spec = get_spec(name)
    resolved = spec.resolve(dict(options or {}))  # ValueError naming the allowed options/values
    default = spec.input_size_for(resolved)
    size = normalise_input_size(input_size if input_size is not None else default)
    if size[1] != default[0]:
        raise ValueError(
            f"{name} takes {default[0]}-channel images: input size ({default[0]}, H, W) or "
            f"(N, {default[0]}, H, W); got {size[1]} channels in {tuple(input_size)}."
        )
    if size[0] * size[2] * size[3] > MAX_PIXELS:
        raise ValueError(
            f"{name}: an input of {size[0]} × {size[2]}×{size[3]} is too large to trace here: at most "
            f"{MAX_PIXELS:,} pixels in all (batch × height × width, e.g. 1024×1024 at batch 1)."
        )
    return resolved, default, size


@contextmanager
def cheap_network(name: str, options: dict | None = None):
    """The zoo network ``name`` with zero weights on the CPU, for the duration of the block.

    The same cheap materialisation :func:`trace_network` uses (every value is zero;
    shapes, parameter counts and costs are those of the real network), for
    comparisons with other tools (torchinfo, ``FlopCounterMode``) and benchmarks.
    Don't keep a reference to the model or its tensors after the block.
    """
    resolved, _, _ = _prepare(name, options, None)
    skeleton = _skeleton(name, resolved)
    with skeleton.lock, _materialised(skeleton.plan):
        yield skeleton.model


def trace_network(
    name: str, options: dict | None = None, input_size: Any = None
) -> TraceResult:
    """Trace zoo network ``name`` with ``options`` at ``input_size`` — the pages' fast path.

    ``input_size`` defaults to the spec's size for those options. The network is built
    on the meta device (kept as a skeleton for the next call), given zero weights on
    the CPU only for the duration of one real forward pass (see :func:`_materialised`),
    and those are freed before returning. Use :func:`trace` on a properly built model
    where values matter (activations, identities).

    Raises ``ValueError`` (never a torch error) for an unknown network or option, a
    malformed input size, a channel count other than the network's, an input larger
    than ``MAX_PIXELS``, an input too small (naming the collapsing layer and the
    smallest size that works) or one a fixed-size network can't take.
    """
    resolved, default, size = _prepare(name, options, input_size)
    skeleton = _skeleton(name, resolved)
    model, named = skeleton.model, skeleton.named
    with skeleton.lock:
        problem = None
        with _materialised(skeleton.plan):
            try:
                output, recorder = _run(model, size, torch.float32, named)
            except _ForwardFailed as failure:
                problem = failure
                # Search for sizes that work while the zero weights exist (small real passes).
                error = _explain(problem, name, size, _prober(model, size, torch.float32, skeleton.runs),
                                 known_good=min(default[1:]))
            else:
                result = _result(model, named, recorder.rows, size, output, torch.float32)
                del output, recorder
    if problem is not None:
        raise error from None
    return result
