""""Inside LeNet-5" as plain view blocks: what the page shows for one request.

The page reads its widgets into an :class:`InsideRequest`, calls :func:`inside_page` and
lays out the sections of the :class:`InsidePage` it gets back with
``viz.pages._render.render``. Clicks on the maps arrive as Streamlit selection states;
:func:`clicked_unit` turns them into the unit to explain. The lecture tour's LeNet step
can show :func:`lenet_step_view` (the prediction and the C1 maps of one test digit).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image as PILImage
from torch import nn

from viz import images, trained
from viz import view as v
from viz.compute import ServerBusy
from viz.data import mnist
from viz.formatting import user_value
from viz.inside import errors, figures, network
from viz.inside.preprocess import NoDigit, prepare

SOURCES = ("A test digit", "Draw one", "Upload a photo")
STYLES = ("modern", "1998")
STYLE_LABELS = {"modern": "modern (ReLU, max-pool)", "1998": "1998 (tanh, average subsampling)"}
PICKER_PER_CLASS = 6
COLUMNS = {"c1": 3, "s2": 3, "c3": 4, "s4": 4, "c5": 12, "f6": 12}
MAP_KEYS = {stage: f"inside_map_{stage}" for stage in COLUMNS}
PICKER_KEY = "inside_pick"
WRONG_KEY = "inside_wrong"


@dataclass(frozen=True)
class Unit:
    """One unit of one stage: (map, row, col); for C5 / F6 the map is the unit's number."""

    stage: str
    map: int
    row: int = 0
    col: int = 0


@dataclass(frozen=True)
class InsideRequest:
    style: str = "modern"
    source: str = SOURCES[0]
    test_position: int = 0  # into mnist.test()
    canvas: np.ndarray | None = None  # RGBA from the drawing canvas
    upload: tuple[bytes, str] | None = None  # (file bytes, file name)
    unit: Unit | None = None  # the clicked unit
    user_state: Mapping[str, Any] | None = None  # weights retrained in this session (else the stored ones)
    alive: Callable[[], bool] | None = None  # the session's liveness, for the shared worker (viz.compute)


@dataclass(frozen=True)
class InsidePage:
    network: v.View  # which weights, their accuracy
    digit: v.View  # messages about the input, the preprocessing steps
    prediction: v.View
    layers: v.View
    kernels: v.View
    errors: v.View
    ok: bool = True  # False: no digit to show (the message is in ``digit``)
    notes: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------- the network and the digit

def _model(request: InsideRequest) -> tuple[nn.Module, str]:
    state = request.user_state
    if state and state.get("style") == request.style:
        return trained.model_from_state(request.style, state["weights"]), "yours"
    return network.stored_model(request.style), "stored"


@functools.lru_cache(maxsize=4)
def _stored_errors(style: str) -> errors.ErrorReport:
    return errors.error_report(network.stored_model(style))


def _errors(request: InsideRequest, model: nn.Module, which: str) -> errors.ErrorReport:
    if which == "stored":
        return _stored_errors(request.style)
    return request.user_state.get("report") or errors.error_report(model)


def picker_positions() -> np.ndarray:
    """The test digits offered in the picker: the first few of each class, class by class."""
    labels = mnist.test().labels
    return np.concatenate([np.flatnonzero(labels == c)[:PICKER_PER_CLASS] for c in mnist.CLASSES])


def _picker_order() -> np.ndarray:
    """Picker positions in grid order: row by row, one column per class."""
    return picker_positions().reshape(10, PICKER_PER_CLASS).T.reshape(-1)


@functools.lru_cache(maxsize=64)
def picker_view(chosen: int | None = None) -> v.View:
    """A grid of test digits to click on (never seen in training); ``chosen`` is outlined."""
    order = _picker_order()
    test = mnist.test()
    at = np.flatnonzero(order == chosen)
    fig = figures.gallery_figure(test.images[order], [f"#{p}" for p in order], columns=10,
                                 title="Click a test digit", height=360, marked=int(at[0]) if len(at) else None)
    return v.View((v.Figure(fig, key=PICKER_KEY, selectable=True),
                   v.Caption("Test digits: the network never saw them while it learned. One column per digit "
                             "0–9.")), figure=PICKER_KEY)


def picked_position(selection: Any) -> int | None:
    """The test position of the digit clicked in :func:`picker_view`, if any."""
    index = _point_index(selection)
    if index is None:
        return None
    positions = _picker_order()
    return int(positions[index]) if 0 <= index < len(positions) else None


def wrong_position(selection: Any, request: InsideRequest) -> int | None:
    """The test position of the misclassified digit clicked in the errors section."""
    index = _point_index(selection)
    model, which = _model(request)
    wrong = _errors(request, model, which).wrong[:WRONG_SHOWN]
    return int(wrong[index]) if index is not None and 0 <= index < len(wrong) else None


def _point_index(selection: Any) -> int | None:
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        if point.get("curve_number", 1) == 1 and "point_index" in point:
            return int(point["point_index"])
    return None


def _digit(request: InsideRequest) -> tuple[np.ndarray | None, list[v.Block], str]:
    """The 28×28 digit to show, the blocks explaining where it came from, and its name."""
    if request.source == SOURCES[0]:
        test = mnist.test()
        position = min(max(int(request.test_position), 0), len(test) - 1)
        label = int(test.labels[position])
        return test.images[position], [v.Caption(
            f"Test digit #{position}, labelled **{label}** — already in MNIST's format (28 × 28, light on dark), "
            "so no preprocessing is needed.")], f"test digit #{position} (a {label})"
    if request.source == SOURCES[1]:
        if request.canvas is None:
            return None, [v.Callout("info", "Draw a digit on the black square with the mouse (or a finger), "
                                            "as large as the square allows.")], "drawing"
        pixels, name, notes = request.canvas, "your drawing", []
    else:
        if request.upload is None:
            return None, [v.Callout("info", "Upload a photo of one handwritten digit (PNG, JPEG …). Dark ink "
                                            "on light paper works; it is inverted to MNIST's light on dark.")], "upload"
        data, filename = request.upload
        try:
            # The file name goes into the message only as a code span (user text is never markup).
            loaded = images.decode_upload(data, "the file", alive=request.alive)  # on the bounded worker
        except images.ImageError as exc:
            return None, [v.Callout("error", f"{user_value(filename)}: {exc} The rest of the page still shows the "
                                             "stored network's errors; upload another picture to look inside.")], filename
        except ServerBusy as exc:
            return None, [v.Callout("warning", str(exc))], filename
        pixels, name, notes = loaded.pixels, f"the photo {user_value(filename)}", loaded.notes
    try:
        prepared = prepare(pixels)
    except NoDigit as exc:
        return None, [v.Callout("warning", str(exc))], name
    blocks: list[v.Block] = [v.Caption(note) for note in notes]
    if prepared.inverted:
        blocks.append(v.Callout("info", "Inverted: MNIST digits are light on dark, and this one was dark on "
                                        "light — black and white were swapped (step 2).", icon=":material/invert_colors:"))
    steps = [(_enlarged(step.image), f"{step.title}. {step.note}") for step in prepared.steps]
    blocks.append(v.Expander("How the picture was made to look like an MNIST digit (6 steps)", (
        v.Columns(tuple((v.Image(img, caption=cap, width="content"),) for img, cap in steps[:3])),
        v.Columns(tuple((v.Image(img, caption=cap, width="content"),) for img, cap in steps[3:])),
    ), expanded=True))
    return prepared.digit, blocks, name


def _enlarged(image: np.ndarray, side: int = 140) -> np.ndarray:
    """A small grey image scaled up with square pixels (so 20 × 20 looks like 20 × 20)."""
    h, w = image.shape
    scale = max(1, side // max(h, w))
    if max(h, w) * scale > side:  # a big picture: shown at most ``side`` pixels a side, like the rest
        return images.fit_within(np.stack([image] * 3, -1), side)
    return np.asarray(PILImage.fromarray(image).resize((w * scale, h * scale), PILImage.Resampling.NEAREST))


# ---------------------------------------------------------------- the sections

def _network_view(request: InsideRequest, which: str, report: errors.ErrorReport) -> v.View:
    if which == "yours":
        info = request.user_state["info"]
        text = (f"**Your retrained LeNet-5** ({STYLE_LABELS[request.style]}): {info['epochs']} epochs at learning "
                f"rate {info['lr']:g}, {info['seconds']:.0f} s of training.")
    else:
        info = trained.stored_info(request.style)
        text = (f"**The stored LeNet-5** ({STYLE_LABELS[request.style]}), trained on {mnist.TRAIN_PER_CLASS * 10:,} "
                f"MNIST digits for {info['epochs']} epochs in {info['seconds']:.0f} s on one CPU core.")
    return v.View((v.Metrics((
        v.Metric("Test accuracy", f"{report.accuracy:.1%}",
                 note=f"{int(np.trace(report.confusion))} / {int(report.confusion.sum()):,} test digits"),
        v.Metric("Parameters", "61,706", note="“about 60K”")), widths=(1, 1)),
        v.Caption(text)), headline=f"{report.accuracy:.1%} of test digits right")


def _prediction_view(result: network.Forward, name: str) -> v.View:
    top = result.probabilities[result.prediction]
    return v.View((
        v.Metrics((v.Metric("LeNet-5 says", str(result.prediction), note=f"{top:.0%} sure"),), widths=(1,)),
        v.Figure(figures.probabilities_figure(result.probabilities, result.prediction), key="inside_probabilities"),
        v.Caption(f"For {name}. The output layer gives 10 numbers; softmax turns them into probabilities that add "
                  "up to 100%. The tallest bar is the answer."),
    ), headline=f"LeNet-5 says {result.prediction} ({top:.0%})", figure="inside_probabilities")


def _layers_view(request: InsideRequest, result: network.Forward, unit: Unit) -> v.View:
    relu = request.style == "modern"
    marked = {unit.stage: (unit.map, unit.row, unit.col)}
    figs = {}
    for stage, columns in COLUMNS.items():
        maps = result.maps[stage]
        shaped = maps if maps.ndim == 3 else maps.reshape(-1, 1, 1)
        tall = {"c1": 330, "s2": 330, "c3": 360, "s4": 360, "c5": 230, "f6": 190}[stage]
        figs[stage] = v.Figure(figures.maps_figure(shaped, network.TITLES[stage], relu, columns, tall,
                                                   marked.get(stage), "map" if maps.ndim == 3 else "unit"),
                               key=MAP_KEYS[stage], selectable=True)
    box = network.field_box(request.style, unit.stage, unit.row, unit.col)
    size = network.fields(request.style)[unit.stage].size
    stage_name = network.TITLES[unit.stage].split(" ·")[0].split(":")[0]
    where = (f"{stage_name}, map {unit.map + 1}, row {unit.row}, column {unit.col}" if unit.stage in network.MAP_STAGES
             else f"{stage_name}, unit {unit.map + 1}")
    field_fig = figures.digit_figure(result.input32, "The input (32 × 32) and what the unit sees", box)
    colours = ("Colours: black = 0 (the filter found nothing there) up to pale yellow = the layer's largest value "
               "(ReLU never gives less than 0)." if relu else
               "Colours: blue = −1, white = 0, red = +1 (tanh squashes every value into −1 … +1).")
    return v.View((
        v.Text("Each layer turns the digit into new pictures, one per learned filter (a **feature map**). "
               "A bright spot means “this filter's pattern is here”. Click any unit of any map to see which input "
               "pixels it looks at — its **receptive field**, outlined in green."),
        v.Caption(colours),
        v.Columns(((figs["c1"],), (figs["s2"],))),
        v.Columns(((figs["c3"],), (figs["s4"],))),
        v.Columns(((figs["c5"], figs["f6"]), (
            v.Figure(field_fig, key="inside_field"),
            v.Callout("success", f"**{where}** sees **{int(size[0])} × {int(size[1])}** input pixels"
                                 + (" — the whole 32 × 32 input" if size[0] >= 32 else "") + "."),
            v.Caption("Deeper units see more: C1 5 × 5, S2 6 × 6, C3 14 × 14, S4 16 × 16, C5 and beyond the whole "
                      "32 × 32 input. Computed from the layer stack (kernel, stride, padding of each layer)."),
        )), widths=(3, 2)),
    ), figure=MAP_KEYS["c1"])


def _kernels_view(model: nn.Module, result: network.Forward, unit: Unit) -> v.View:
    weights, _ = network.c1_kernels(model)
    if unit.stage == "c1":
        m, r, c = unit.map, unit.row, unit.col
    else:
        m, r, c = 0, 14, 14
    s = network.c1_unit(model, result, m, r, c)
    rows = tuple({"": f"row {r + i}", **{f"column {c + j}": f"{s.inputs[i, j]:+.2f} × {s.weights[i, j]:+.2f}"
                                         for j in range(5)}} for i in range(5))
    products = s.inputs * s.weights
    return v.View((
        v.Figure(figures.kernels_figure(weights, marked=m), key="inside_kernels"),
        v.Caption("Each C1 filter is 25 weights that C1 slides over the input. Red weights reward ink, blue "
                  "weights punish it: the filter responds to the pattern drawn in red."),
        v.Text(f"**One unit of C1, by hand** — filter {m + 1} at row {r}, column {c} (click a C1 unit above to "
               f"choose another). It looks at the 5 × 5 input pixels at rows {r}–{r + 4}, columns {c}–{c + 4} of the "
               "32 × 32 input; each cell below is *input pixel × weight*:"),
        v.Table(rows, static=True),
        v.Latex(rf"z = \sum_{{25}} x_i w_i + b = {products.sum():+.3f} {s.bias:+.3f} = {s.total:+.3f}"),
        v.Latex(rf"a = \mathrm{{{s.activation}}}(z) = {s.output:.3f}"),
        v.Caption(f"The value shown in C1's map {m + 1} at row {r}, column {c} is "
                  f"{result.maps['c1'][m, r, c]:.3f}: the same number, computed by the network."),
    ), figure="inside_kernels")


WRONG_SHOWN = 24


def _errors_view(report: errors.ErrorReport) -> v.View:
    test = mnist.test()
    wrong = report.wrong[:WRONG_SHOWN]
    captions = [f"{test.labels[p]} → {report.predictions[p]}" for p in wrong]
    blocks: list[v.Block] = [
        v.Text(f"The network gets **{len(report.wrong)}** of the 1,000 test digits wrong. Here they are, the most "
               "confidently wrong first (true label → what LeNet-5 said); click one to look inside it."),
    ]
    if len(wrong):
        blocks.append(v.Figure(figures.gallery_figure(test.images[wrong], captions, columns=12,
                                                      title="Misclassified test digits", caption_colour="#b42318"),
                               key=WRONG_KEY, selectable=True))
    blocks += [v.Figure(figures.confusion_figure(report.confusion), key="inside_confusion"),
               v.Caption("Each row is a true digit, each column what the network said; the green numbers on the "
                         "diagonal are the digits it got right, the red cells off it are its mistakes.")]
    return v.View(tuple(blocks), figure="inside_confusion")


@functools.lru_cache(maxsize=2)
def _stored_errors_view(style: str) -> v.View:
    return _errors_view(_stored_errors(style))


def clicked_unit(selections: Mapping[str, Any], previous: Mapping[str, Any]) -> tuple[Unit | None, dict]:
    """The unit most recently clicked in the maps: the one whose chart's selection changed.

    ``selections`` are the maps' current selection states (by stage); ``previous`` what
    this returned as its second value last time. Returns the new unit (None if no chart
    changed) and the states to pass next time.
    """
    remembered = dict(previous)
    unit = None
    for stage, state in selections.items():
        index = _point_index(state)
        if index != remembered.get(stage):
            remembered[stage] = index
            if index is not None:
                shape = {"c1": (6, 28, 28), "s2": (6, 14, 14), "c3": (16, 10, 10), "s4": (16, 5, 5),
                         "c5": (120, 1, 1), "f6": (84, 1, 1)}[stage]
                if index < shape[0] * shape[1] * shape[2]:
                    unit = Unit(stage, *figures.unit_of_point(index, shape))
    return unit, remembered


DEFAULT_UNIT = Unit("c3", 0, 5, 5)


def inside_page(request: InsideRequest) -> InsidePage:
    """Everything the page shows for ``request``."""
    if request.style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}")
    model, which = _model(request)
    report = _errors(request, model, which)
    network_view = _network_view(request, which, report)
    digit, digit_blocks, name = _digit(request)
    errors_view = _stored_errors_view(request.style) if which == "stored" else _errors_view(report)
    empty = v.View(())
    if digit is None:
        return InsidePage(network_view, v.View(tuple(digit_blocks)), empty, empty, empty, errors_view, ok=False)
    result = network.forward(model, digit)
    unit = request.unit or DEFAULT_UNIT
    return InsidePage(network_view, v.View(tuple(digit_blocks)), _prediction_view(result, name),
                      _layers_view(request, result, unit), _kernels_view(model, result, unit), errors_view)


def lenet_step_view(style: str = "modern", test_position: int = 0) -> v.View:
    """For the lecture tour: one test digit's prediction and C1's maps, with the accuracy as headline."""
    page = inside_page(InsideRequest(style=style, test_position=test_position))
    c1 = next(b for b in v.walk(page.layers.blocks) if isinstance(b, v.Figure) and b.key == MAP_KEYS["c1"])
    return v.View(page.network.blocks + page.prediction.blocks + (v.Figure(c1.figure, key="tour_lenet_c1"),),
                  headline=page.network.headline, figure="tour_lenet_c1")


# ---------------------------------------------------------------- retraining

@dataclass(frozen=True)
class RetrainOutcome:
    kind: str  # "finished", "busy", "invalid"
    message: str
    state: dict | None = None  # for InsideRequest.user_state


def retrain(style: str, epochs: int, lr: float, on_progress: Callable[[float, str], None]) -> RetrainOutcome:
    """Train a LeNet-5 with the user's settings, calling ``on_progress(fraction, text)`` as it goes.

    Holds the server's one training slot (else says it is busy). If ``on_progress`` raises
    (Streamlit stops a script this way when the user presses Stop), the slot is released.
    """
    try:
        config = trained.TrainConfig(style=style, epochs=int(epochs), lr=float(lr)).check()
    except ValueError as exc:
        return RetrainOutcome("invalid", f"Cannot train with these settings: {exc}.")
    try:
        with trained.exclusive():
            for event in trained.train_lenet(config):
                if isinstance(event, trained.Progress):
                    on_progress(event.fraction, f"Epoch {event.epoch} of {event.epochs}: loss {event.loss:.3f} "
                                                f"({event.seconds:.0f} s)")
                elif isinstance(event, trained.EpochDone):
                    on_progress(event.fraction, f"Epoch {event.epoch} of {event.epochs} done: "
                                                f"{event.test_accuracy:.1%} of the test digits right "
                                                f"({event.seconds:.0f} s)")
                elif isinstance(event, trained.Finished):
                    result = event.result
                    model = trained.model_from_state(style, result.state)
                    state = {"style": style, "weights": result.state, "info": result.info(),
                             "report": errors.error_report(model)}
                    return RetrainOutcome("finished", f"Retrained in {result.seconds:.0f} s: "
                                                      f"{result.test_accuracy:.1%} of the test digits right. The "
                                                      "page now shows your network.", state)
    except trained.TrainerBusy as exc:
        return RetrainOutcome("busy", str(exc))
    raise AssertionError("training ended without a result")
