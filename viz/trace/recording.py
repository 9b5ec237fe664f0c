"""The traced pass: every module's ``forward`` wrapped for one real forward pass, then the records.

:func:`trace` runs it on a model the caller built (how it works: the docstring of
:mod:`viz.trace`). The wrappers only note shapes (:class:`_Recorder`, :func:`_run`);
:func:`_result` then works out parameters and multiply-adds
(:func:`viz.trace.counting.layer_macs`). A failure inside the pass is explained by
:mod:`viz.trace.diagnosis`.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import prod
from typing import Any

import torch
from torch import nn

from viz.trace.counting import layer_macs
from viz.trace.diagnosis import _explain, _ForwardFailed, _prober
from viz.trace.geometry import window_of
from viz.trace.modes import _model_device, _restore_training, _set_eval
from viz.trace.records import LayerRecord, TraceResult

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
            window_of(module),
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

