"""A designed network: the input and the table of rows → a real forward pass, row by row.

:class:`Design` is plain data (the input ``(C, H, W)`` and the :class:`~viz.builder.rows.Row`\\ s);
:func:`evaluate` turns it into a :class:`DesignResult`: per row its output shape, parameters,
multiply-adds and receptive field, or a message naming the row and what would fix it — the
rows above a failing row keep their shapes, the rows below wait for it — and, for the rows
that work, a :class:`viz.trace.TraceResult` the Explorer's table, diagram and charts draw.

How the pass runs. Each row's module is built from the zoo's blocks (:mod:`viz.builder.layers`)
on the meta device (shapes, no storage: a design of VGG-16's 15 G multiply-adds costs what a
small one does), given the shape the row above produced, and traced alone with
:func:`viz.trace.trace` (its output shape, parameters, multiply-adds) and
:func:`viz.trace.receptive.trace_fields` (how it widens the receptive field); the next row
gets its real output shape. The traced rows are kept (by layer and input shape), so an edit
traces again only the rows whose layer or input changed — the rows below an edit whose output
shape did not change cost nothing. The records are put together under the names the whole
model has (:func:`build_model`): the result equals ``viz.trace.trace(build_model(design), …)``
record for record (tested), and receptive fields compose exactly (a window's rule
``r += (k − 1)·j``, ``j *= s`` is affine in the input's field).

Names. Consecutive rows with the same ``stage`` text are one stage (an ``nn.Sequential`` whose
children are named after their kind: ``conv1``, ``conv2``, ``pool``); a stage of one row is
that row's module itself (as MobileNet's ``block1`` is a block); a row without a stage is a
stage of its own, named after its kind (``conv1``, ``pool1``, ``fc1`` …).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from math import prod

import torch
from torch import nn

from architectures.meta_build import meta_device
from viz.builder.layers import Layer, RowProblem, layer_for
from viz.builder.rows import KINDS, Row, Settings, check, stage_name
from viz.formatting import approx, shape_text
from viz.trace import LayerRecord, TraceResult, trace
from viz.trace.receptive import Axis, Field, trace_fields

MAX_ROWS = 100  # ResNet-152 (55 rows) and EfficientNet-B7 (61) fit
# A block on a feature map (56 × 56 × 64) is an input too, hence up to 4,096 channels; 1024 × 1024 is
# viz.trace's MAX_PIXELS.
INPUT_LIMITS = {"channels": (1, 4096), "side": (1, 1024)}
DEFAULT_INPUT = (3, 224, 224)
_WRAPPED = "row"  # a row's module inside the wrapper it is traced in


@dataclass(frozen=True)
class Design:
    """A network as a table: ``input`` is ``(C, H, W)``; ``rows`` in order; ``name`` for files."""

    input: tuple[int, int, int] = DEFAULT_INPUT
    rows: tuple[Row, ...] = ()
    name: str = "my_network"


@dataclass(frozen=True)
class RowOutcome:
    """One row of the result table.

    number        1, 2, … as the table shows it
    path          the row's module name in the built network (``"block1.conv2"``)
    status        "ok", "error" (``message`` says why and what would fix it) or "waiting"
                  (a row above fails)
    output_shape, params, macs   of the row's module (params: everything inside it)
    receptive     (rows, columns) of input pixels one output unit sees; None once the
                  output has left the map (after a global pool or a flatten: every pixel)
    """

    number: int
    kind: str | None
    path: str
    status: str
    message: str = ""
    output_shape: tuple[int, ...] = ()
    params: int = 0
    macs: int = 0
    receptive: tuple[float, float] | None = None


@dataclass(frozen=True)
class DesignResult:
    """What a design gives: a row outcome per row, the trace of the rows that work, the layers built.

    ``result`` is None when no row works (an empty design, or row 1 fails). ``layers`` and
    ``paths`` are those of the working rows, in order (what :func:`build_model` and the
    exported file build). ``notes``: what a reader should know (e.g. a network too large to
    build for real).
    """

    design: Design
    rows: tuple[RowOutcome, ...]
    result: TraceResult | None
    layers: tuple[Layer, ...] = ()
    paths: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(f"row {r.number}: {r.message}" for r in self.rows if r.status == "error")

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(r.status == "ok" for r in self.rows)

    @property
    def working_rows(self) -> int:
        return sum(r.status == "ok" for r in self.rows)


# ------------------------------------------------------------------------------------ names


def _numbered(slugs: Sequence[str]) -> list[str]:
    """``conv, pool, conv`` → ``conv1, pool, conv2``: a slug used once stays plain."""
    counts: dict[str, int] = {}
    for slug in slugs:
        counts[slug] = counts.get(slug, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for slug in slugs:
        seen[slug] = seen.get(slug, 0) + 1
        out.append(f"{slug}{seen[slug]}" if counts[slug] > 1 else slug)
    return out


_RESERVED = set(dir(nn.Sequential()))  # names a child module can't take ("forward", "training" …)


def _free(name: str, taken: set[str]) -> str:
    base = name if name not in _RESERVED else name + "_"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def module_paths(rows: Sequence[Row]) -> list[str]:
    """Each row's module name in the built network (see the module docstring)."""
    slug = [KINDS[r.kind].slug if r.kind in KINDS else "layer" for r in rows]
    spans: list[tuple[str, list[int]]] = []  # (stage text, row indices), consecutive rows of one stage
    for i, row in enumerate(rows):
        name = stage_name(row.stage)
        if name and spans and spans[-1][0] == name:
            spans[-1][1].append(i)
        else:
            spans.append((name, [i]))
    loose = _numbered([slug[idx[0]] for name, idx in spans if not name])
    taken: set[str] = set()
    # Named stages claim their names first; rows without a stage get what is left.
    named = [_free(name, taken) if name else None for name, _ in spans]
    loose_iter = iter(loose)
    stage_names = [n if n is not None else _free(next(loose_iter), taken) for n in named]
    paths = [""] * len(rows)
    for stage, (_, idx) in zip(stage_names, spans):
        if len(idx) == 1:
            paths[idx[0]] = stage
            continue
        inner: set[str] = set()
        for i, child in zip(idx, _numbered([slug[i] for i in idx])):
            paths[i] = f"{stage}.{_free(child, inner)}"
    return paths


# ------------------------------------------------------------------------- one row's trace


@dataclass(frozen=True)
class _RowTrace:
    """A row's module traced alone: records named relative to the row ("" is the row itself)."""

    records: tuple[LayerRecord, ...]
    output_shape: tuple[int, ...]
    field: Field | None  # the output's field for a unit input field (None: input not a map)


_CACHE: OrderedDict[tuple, _RowTrace | str] = OrderedDict()
_CACHE_MAX = 4096
_CACHE_LOCK = threading.Lock()


def _wrapped(layer: Layer, shape: tuple[int, ...]) -> tuple[nn.Module, tuple[int, ...]]:
    """The row's module in a wrapper that takes a map: a vector ``(N, F)`` is fed as ``(N, F, 1, 1)``
    through a flatten (``viz.trace.trace`` takes image-shaped inputs)."""
    with meta_device():
        module = layer.build()
    if len(shape) == 4:
        return nn.Sequential(OrderedDict([(_WRAPPED, module)])), shape
    return nn.Sequential(OrderedDict([("flat", nn.Flatten()), (_WRAPPED, module)])), (*shape, 1, 1)


def _trace_row(layer: Layer, shape: tuple[int, ...]) -> _RowTrace | str:
    """Trace one row on the meta device: its records, output shape and field; or why it fails."""
    model, size = _wrapped(layer, shape)
    x = torch.zeros(size, device="meta")
    try:  # a plain pass first: trace() would search for input sizes that work, which a row doesn't need
        with torch.inference_mode():
            model.eval()(x)
    except Exception as error:  # any failure of the row's own forward becomes its message
        return (str(error).strip().splitlines() or [type(error).__name__])[0]
    traced = trace(model, size)
    records = tuple(r._replace(name=r.name[len(_WRAPPED) + 1:] if r.name != _WRAPPED else "")
                    for r in traced.records if r.name == _WRAPPED or r.name.startswith(_WRAPPED + "."))
    row_field = None
    if len(shape) == 4:
        row_field = trace_fields(model, x)[_WRAPPED].field
    return _RowTrace(records, tuple(records[0].output_shape), row_field)


def _cached_trace(layer: Layer, shape: tuple[int, ...]) -> _RowTrace | str:
    key = (layer, shape)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    traced = _trace_row(layer, shape)
    with _CACHE_LOCK:
        _CACHE[key] = traced
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    return traced


def clear_cache() -> None:
    """Forget the traced rows (benchmarks: a cold start)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _compose(outer: Axis, inner: Axis) -> Axis:
    """The field after a row whose own field (for a unit input) is ``inner``, on an input field ``outer``."""
    return Axis(outer.size + (inner.size - 1) * outer.jump, outer.jump * inner.jump,
                outer.start + inner.start * outer.jump)


def _next_field(incoming: Field, row: Field | None) -> Field:
    if row is None or not incoming.grid:
        return Field(incoming.y, incoming.x, False, incoming.exact)
    return Field(_compose(incoming.y, row.y), _compose(incoming.x, row.x), row.grid, incoming.exact and row.exact)


# ---------------------------------------------------------------------------- the design


def _failure_text(kind: str, shape: tuple[int, ...], reason: str) -> str:
    return (f"the {KINDS[kind].label} fails on {'a ' + shape_text(shape) + ' map' if len(shape) == 4 else 'its input'}"
            f" (PyTorch: {reason}).")


def evaluate(design: Design) -> DesignResult:
    """Every row's shape, parameters, multiply-adds and receptive field (see the module docstring)."""
    rows = design.rows[:MAX_ROWS]
    paths = module_paths(rows)
    checked: list[Settings | str] = []
    for row in rows:
        try:
            checked.append(check(row))
        except ValueError as error:
            checked.append(str(error))
    shape: tuple[int, ...] = (1, *design.input)
    incoming = Field(Axis(1.0, 1.0, 0.0), Axis(1.0, 1.0, 0.0))
    outcomes: list[RowOutcome] = []
    traces: list[_RowTrace] = []
    layers: list[Layer] = []
    failed = False
    for number, (row, path, settings) in enumerate(zip(rows, paths, checked), start=1):
        if failed:
            reason = settings if isinstance(settings, str) else "waits for the rows above to work."
            outcomes.append(RowOutcome(number, row.kind, path, "error" if isinstance(settings, str) else "waiting",
                                       reason))
            continue
        try:
            if isinstance(settings, str):
                raise RowProblem(settings)
            layer = layer_for(settings, shape)
            traced = _cached_trace(layer, shape)
            if isinstance(traced, str):
                raise RowProblem(_failure_text(settings.kind, shape, traced))
        except RowProblem as problem:
            outcomes.append(RowOutcome(number, row.kind, path, "error", str(problem)))
            failed = True
            continue
        incoming = _next_field(incoming, traced.field)
        outcomes.append(RowOutcome(number, row.kind, path, "ok", "", traced.output_shape,
                                   sum(r.params for r in traced.records), sum(r.macs for r in traced.records),
                                   incoming.size if incoming.grid else None))
        traces.append(traced)
        layers.append(layer)
        shape = traced.output_shape
    ok_paths = tuple(o.path for o in outcomes if o.status == "ok")
    result = _assemble(design, ok_paths, traces) if traces else None
    notes = []
    if len(design.rows) > MAX_ROWS:
        notes.append(f"Only the first {MAX_ROWS} rows are used ({len(design.rows)} given).")
    if result is not None and result.total_params > 250_000_000:
        notes.append(f"{approx(result.total_params)} parameters: {approx(4 * result.total_params)}B of float32 "
                     "weights to build this network for real (this page needs none: it traces on the meta device).")
    return DesignResult(design, tuple(outcomes), result, tuple(layers), ok_paths, tuple(notes))


def _container(name: str, first: LayerRecord, last: LayerRecord) -> LayerRecord:
    shape = last.output_shape
    return LayerRecord(name, "Sequential", name.count("."), first.input_shape, shape, 0, 0,
                       prod(shape) * 4 if shape else 0, False, 0)


def _assemble(design: Design, paths: Sequence[str], traces: Sequence[_RowTrace]) -> TraceResult:
    """The rows' records under the names of the whole model, stage containers first (pre-order)."""
    records: list[LayerRecord] = []
    by_stage: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        if "." in path:
            by_stage.setdefault(path.split(".")[0], []).append(i)
    for i, (path, traced) in enumerate(zip(paths, traces)):
        stage = path.split(".")[0]
        if "." in path and by_stage[stage][0] == i:
            last = traces[by_stage[stage][-1]].records[0]
            records.append(_container(stage, traced.records[0], last))
        for r in traced.records:
            name = f"{path}.{r.name}" if r.name else path
            records.append(r._replace(name=name, depth=name.count(".")))
    total_params = sum(r.params for r in records)
    return TraceResult(
        records=records, input_size=(1, *design.input), output_shape=tuple(traces[-1].output_shape),
        total_params=total_params, trainable_params=total_params, total_macs=sum(r.macs for r in records),
        extra={"params_not_called": 0, "modules_not_called": [], "params_of_model": 0, "dtype": "float32"},
    )


def build_model(result: DesignResult, device: str | torch.device | None = None) -> nn.Module:
    """The network of a design's working rows, as an ``nn.Sequential`` of stages (on ``device``;
    ``"meta"``: no storage). The exported file builds the same."""
    stages: OrderedDict[str, list[tuple[str, nn.Module]]] = OrderedDict()
    build = meta_device() if device is not None and torch.device(device).type == "meta" else \
        torch.device(device or "cpu")
    with build:
        for path, layer in zip(result.paths, result.layers):
            stage, _, child = path.partition(".")
            stages.setdefault(stage, []).append((child, layer.build()))
    model = OrderedDict()
    for stage, children in stages.items():
        model[stage] = children[0][1] if children[0][0] == "" else nn.Sequential(OrderedDict(children))
    return nn.Sequential(model)


def receptive_text(receptive: tuple[float, float] | None) -> str:
    """"212 × 212", or "all" once the output has left the map (every input pixel can reach it)."""
    if receptive is None:
        return "all"
    h, w = (int(v) if float(v).is_integer() else round(v, 1) for v in receptive)
    return f"{h} × {w}"


def summary_of(design: Design, rows: Sequence[RowOutcome]) -> str:
    """"7 rows, 224 × 224 × 3 → 1000" (for captions and file headers)."""
    out = next((r.output_shape for r in reversed(rows) if r.status == "ok"), ())
    c, h, w = design.input
    return (f"{len(rows)} row{'s' if len(rows) != 1 else ''}, {h} × {w} × {c}"
            + (f" → {shape_text(out)}" if out else ""))
