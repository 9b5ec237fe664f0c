""""Inside LeNet-5" as plain view blocks: what the page shows for one request.

The page reads its widgets into an :class:`InsideRequest`, calls :func:`inside_page` and
lays out the sections of the :class:`InsidePage` it gets back with
``viz.pages._render.render``. Everything made of pixels is a :class:`viz.view.Tiles`: a click on
a unit of a map, or on a digit of a gallery, arrives as the "unit" event of its component
(``st.session_state[key]``, in the run the click starts); :func:`clicked_unit`,
:func:`picked_position` and :func:`wrong_position` read them. The lecture tour's LeNet step
shows :func:`lenet_step_view` (one test digit's prediction and C1's maps).
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from torch import nn

from architectures.registry import Option
from viz import images, trained, urlstate
from viz import view as v
from viz.compute import ServerBusy
from viz.data import mnist
from viz.formatting import user_value
from viz.inside import errors, figures, network, pictures
from viz.inside.preprocess import NoDigit, prepare

SOURCES = ("A test digit", "Draw one", "Upload a photo")
STYLES = ("modern", "1998")
STYLE_LABELS = {"modern": "modern (ReLU, max-pool)", "1998": "1998 (tanh, average subsampling)"}
PICKER_PER_CLASS = 6
MAP_STAGES = ("c1", "s2", "c3", "s4", "c5", "f6")
MAP_KEYS = {stage: f"inside_map_{stage}" for stage in MAP_STAGES}
SHAPES = {"c1": (6, 28, 28), "s2": (6, 14, 14), "c3": (16, 10, 10), "s4": (16, 5, 5), "c5": (120, 1, 1),
          "f6": (84, 1, 1)}
# How each layer's maps are tiled (maps to a row) and enlarged (screen pixels per unit, at
# most): every picture about 260 pixels wide, three to a row on a 1280-pixel screen.
COLUMNS = {"c1": 3, "s2": 3, "c3": 4, "s4": 4, "c5": 12, "f6": 12}
SCALES = {"c1": 3, "s2": 6, "c3": 6, "s4": 11, "c5": 11, "f6": 11}
PICKER_KEY = "inside_pick"
WRONG_KEY = "inside_wrong"
FIELD_KEY = "inside_field"
# Uploads: a real 28 × 28 MNIST digit must pass, and a tightly cropped "1" (tall and thin).
UPLOAD_MIN_SIDE = 8
# What a shared link may set on this page (checked by viz.urlstate; defaults stay out of the link):
# the network's style and which test digit is shown — a drawing or an upload cannot travel in a link.
LINK_OPTIONS = (
    Option("style", "choice", STYLES[0], label="Network style", choices=STYLES),
    Option("digit", "int", 0, label="Test digit", minimum=0, maximum=len(mnist.CLASSES) * mnist.TEST_PER_CLASS - 1),
)
UPLOAD_MAX_ASPECT = 10


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
    canvas: np.ndarray | None = None  # what was drawn (drawn_pixels): RGB, or RGBA
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
    hovers = tuple(f"Test digit #{p}, a {test.labels[p]}: click to look inside the network with it" for p in order)
    picker = pictures.gallery_tiles(test.images[order], PICKER_KEY, "Click a test digit", columns=10, hovers=hovers,
                                    marked=int(at[0]) if len(at) else None,
                                    hint="The digits the network never saw while it learned: one column per digit "
                                         "0–9.")
    return v.View((picker,), figure=PICKER_KEY)


def clicked_tile(state: Any, count: int) -> int | None:
    """The tile clicked in this run in a gallery's component ``state`` (its "unit" event), if any."""
    try:
        index = int(state["unit"]["map"])
    except (KeyError, TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def picked_position(state: Any) -> int | None:
    """The test position of the digit clicked in :func:`picker_view`, if any."""
    positions = _picker_order()
    index = clicked_tile(state, len(positions))
    return None if index is None else int(positions[index])


def wrong_position(state: Any, request: InsideRequest) -> int | None:
    """The test position of the misclassified digit clicked in the errors section."""
    model, which = _model(request)
    wrong = _errors(request, model, which).wrong[:WRONG_SHOWN]
    index = clicked_tile(state, len(wrong))
    return None if index is None else int(wrong[index])


DRAWING_PREFIX = "data:image/png;base64,"
DRAWING_MAX_CHARS = 2_000_000  # a 280 × 280 drawing is ~10–30 kB as a PNG data URL


def drawn_pixels(drawing: Any) -> np.ndarray | None:
    """The pixels of what the drawing square sent (``{"png": data URL, "strokes": n}``), or None.

    The value comes from the browser, so it is checked like an upload: a PNG data URL of
    bounded size, decoded by :func:`viz.images.load_bytes` (never unpickled, never trusted).
    Anything else — nothing drawn, a cleared square, a tampered value — is None.
    """
    try:
        url = drawing["png"]
    except (KeyError, TypeError, IndexError):
        return None
    if not isinstance(url, str) or not url.startswith(DRAWING_PREFIX) or len(url) > DRAWING_MAX_CHARS:
        return None
    try:
        data = base64.b64decode(url[len(DRAWING_PREFIX):], validate=True)
        return images.load_bytes(data, "your drawing", min_side=UPLOAD_MIN_SIDE, max_aspect=UPLOAD_MAX_ASPECT).pixels
    except (binascii.Error, images.ImageError):
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
            return None, [v.Callout("info", "Upload a photo or scan of one handwritten digit (PNG, JPEG …), "
                                            "from a real 28 × 28 MNIST digit up to a phone photo. Dark ink on light "
                                            "paper works; it is inverted to MNIST's light on dark.")], "upload"
        data, filename = request.upload
        try:
            # The file name goes into the message only as a code span (user text is never markup).
            loaded = images.decode_upload(data, "the file", min_side=UPLOAD_MIN_SIDE, max_aspect=UPLOAD_MAX_ASPECT,
                                          alive=request.alive)
        except (images.ImageError, ServerBusy) as exc:
            return None, [v.Callout("error", f"{user_value(filename)}: {exc} The rest of the page still shows the "
                                             "stored network's errors; upload another picture to look inside.")], filename
        pixels, name, notes = loaded.pixels, f"the photo {user_value(filename)}", loaded.notes
    try:
        prepared = prepare(pixels)
    except NoDigit as exc:
        message = str(exc)
        if any(note.startswith("Transparency") for note in notes):  # viz.images flattens onto white
            message += (" Its transparent parts were made white: a white digit on a transparent background "
                        "disappears that way — save it on black or on white paper instead.")
        return None, [v.Callout("warning", message)], name
    blocks: list[v.Block] = [v.Caption(note) for note in notes]
    if prepared.inverted:
        blocks.append(v.Callout("info", "Inverted: MNIST digits are light on dark, and this one was dark on "
                                        "light — black and white were swapped (step 2).", icon=":material/invert_colors:"))
    blocks.append(_steps_view(prepared.steps))
    return prepared.digit, blocks, name


def _steps_view(steps) -> v.Expander:
    """The preprocessing steps as one numbered strip of pictures, what each did in a numbered list beneath."""
    strip = pictures.steps_strip([step.image for step in steps])
    notes = v.Text("\n".join(f"{k}. **{step.title.split('. ', 1)[1]}.** {step.note}" for k, step in enumerate(steps, 1)))
    return v.Expander(f"How the picture was made to look like an MNIST digit ({len(steps)} steps)",
                      (v.Image(pictures.png(strip), width=strip.shape[1]), notes), expanded=True)


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
        v.Html(pictures.probabilities_html(result.probabilities, result.prediction)),
        v.Caption(f"For {name}. The output layer gives 10 numbers; softmax turns them into probabilities that add "
                  "up to 100%. The tallest bar is the answer."),
    ), headline=f"LeNet-5 says {result.prediction} ({top:.0%})")


def _explain(style: str) -> dict[str, str]:
    """Each layer in plain words (LeCun et al. 1998, §II.B), for a student who has never seen a CNN."""
    pool = ("keeping the largest value of each 2 × 2 block (max-pooling)" if style == "modern" else
            "averaging each 2 × 2 block (the paper's subsampling), then squashing with tanh")
    return {
        "c1": "C1 slides 6 learned 5 × 5 filters over the input; each filter makes one map, bright where the "
              "input looks like the filter. 28 × 28: a 5 × 5 window fits 28 times across 32 pixels.",
        "s2": f"S2 halves each map to 14 × 14, {pool}: it keeps *that* a pattern is there, less exactly *where*.",
        "c3": "C3 has 16 filters, each 5 × 5 over all 6 maps of S2 at once: it combines strokes into parts of "
              "digits (curves, corners, line ends). 10 × 10 maps.",
        "s4": f"S4 halves again, {pool}: 16 maps of 5 × 5.",
        "c5": "C5 has 120 filters as big as S4's whole 5 × 5 × 16 stack: one number each (one square here). "
              "Every C5 unit sees the whole digit.",
        "f6": "F6: 84 numbers, each a weighted sum of all 120 of C5. The output layer weighs these 84 into the "
              "10 digit scores behind the bar chart.",
    }


def _unit_name(unit: Unit) -> str:
    name = network.TITLES[unit.stage].split(" ·")[0]
    if unit.stage in network.MAP_STAGES:
        return f"{name}, map {unit.map + 1}, row {unit.row}, column {unit.col}"
    return f"{name}, unit {unit.map + 1}"


def _layers_view(request: InsideRequest, result: network.Forward, unit: Unit) -> v.View:
    relu = request.style == "modern"
    words = _explain(request.style)
    tiles = {}
    for stage in MAP_STAGES:
        maps = result.maps[stage]
        shaped = maps if maps.ndim == 3 else maps.reshape(-1, 1, 1)
        marked = (unit.map, unit.row, unit.col) if stage == unit.stage else None
        hint = (f"Outlined: {_unit_name(unit)}. Its receptive field is outlined on the input." if marked else
                "Point at a unit to read its value; click it to see what it looks at.")
        tiles[stage] = pictures.maps_tiles(shaped, MAP_KEYS[stage], network.TITLES[stage], relu, COLUMNS[stage],
                                           SCALES[stage], marked, "map" if maps.ndim == 3 else "unit", hint)
    box = network.field_box(request.style, unit.stage, unit.row, unit.col)
    size = network.fields(request.style)[unit.stage].size
    whole = " — the whole input" if size[0] >= mnist.LENET_SIDE else ""
    field_tiles = pictures.digit_tiles(result.input32, FIELD_KEY, "The input (32 × 32) and what the unit sees", box,
                                       hint="Point at a pixel to read its value.")
    colours = ("Colours: black = 0 (the filter found nothing there) up to pale yellow = the layer's largest value "
               "(ReLU never gives less than 0)." if relu else
               "Colours: blue = −1, white = 0, red = +1 (tanh squashes every value into −1 … +1).")

    def column(stage: str) -> tuple[v.Block, ...]:
        return tiles[stage], v.Caption(words[stage])

    return v.View((
        v.Text("Each layer turns the digit into new pictures called **feature maps**, one per learned filter: a "
               "bright spot means “this filter's pattern is here”. Going deeper, the maps get smaller and more "
               "numerous. **Click any unit** of any map to see which input pixels it looks at — its **receptive "
               "field**, outlined in green on the input."),
        v.Caption(colours),
        v.Columns(((field_tiles,
                    v.Callout("success", f"**{_unit_name(unit)}** sees **{int(size[0])} × {int(size[1])}** input "
                                         f"pixels{whole}."),
                    v.Caption("Deeper units see more: C1 5 × 5, S2 6 × 6, C3 14 × 14, S4 16 × 16, C5 and beyond the "
                              "whole 32 × 32 input. Computed from the layer stack (each layer's kernel, stride and "
                              "padding).")),
                   column("c1"), column("s2"))),
        v.Columns((column("c3"), column("s4"), column("c5") + column("f6"))),
    ), figure=MAP_KEYS["c1"])


def _signed(x: float, digits: int = 2) -> str:
    """``+0.12`` / ``−0.12`` with a true minus sign (easier to read than a hyphen)."""
    return f"{x:+.{digits}f}".replace("-", "−")


def _kernels_view(model: nn.Module, result: network.Forward, unit: Unit) -> v.View:
    weights, _ = network.c1_kernels(model)
    if unit.stage == "c1":
        m, r, c = unit.map, unit.row, unit.col
    else:
        m, r, c = 0, 14, 14
    s = network.c1_unit(model, result, m, r, c)
    products = s.inputs * s.weights
    shown = result.maps["c1"][m, r, c]
    return v.View((
        v.Columns(((pictures.kernels_tiles(weights, "inside_kernels", marked=m),), (
            v.Text("Each C1 filter is 25 **weights** that C1 slides over the input, one step at a time. Red "
                   "weights reward ink, blue weights punish it: a filter answers most where the input looks like its "
                   "red part. Training chose these numbers; nobody drew them."),
            v.Text(f"**One unit of C1, by hand** — filter {m + 1} at row {r}, column {c} (click a C1 unit above to "
                   f"choose another; its filter is outlined). It looks at the 5 × 5 input pixels at rows {r}–{r + 4}, "
                   f"columns {c}–{c + 4} of the 32 × 32 input, multiplies each by the filter's weight for that spot, "
                   "and adds the 25 products:"),
        )), widths=(2, 3)),
        v.Html(pictures.unit_sum_html(s.inputs, s.weights, products)),
        v.Latex(rf"z = \sum_{{i=1}}^{{25}} x_i w_i + b, \qquad a = \mathrm{{{s.activation}}}(z)"),
        v.Text(f"The 25 products add up to **{_signed(products.sum(), 3)}**.  \n"
               f"Add the filter's bias b = **{_signed(s.bias, 3)}**: z = **{_signed(s.total, 3)}**.  \n"
               + (f"ReLU keeps a positive z and turns a negative one into 0: a = **{s.output:.3f}**."
                  if s.activation == "ReLU" else
                  f"tanh squashes z into −1 … +1: a = tanh({_signed(s.total, 3)}) = **{_signed(s.output, 3)}**.")),
        v.Caption(f"The network's own value in C1's map {m + 1} at row {r}, column {c}: {shown:.3f} — the same "
                  "number."),
    ), figure="inside_kernels")


WRONG_SHOWN = 24


def _errors_view(report: errors.ErrorReport) -> v.View:
    test = mnist.test()
    wrong = report.wrong[:WRONG_SHOWN]
    blocks: list[v.Block] = [
        v.Text(f"The network gets **{len(report.wrong)}** of the 1,000 test digits wrong. Here are the "
               f"{len(wrong)} it was most sure about (under each: the true label → what LeNet-5 said); click one to "
               "look inside it."),
    ]
    if len(wrong):
        captions = tuple(f"{test.labels[p]} → {report.predictions[p]}" for p in wrong)
        hovers = tuple(f"Test digit #{p}: a {test.labels[p]}, but LeNet-5 said {report.predictions[p]} "
                       f"({report.confidence[p]:.0%} sure). Click to look inside." for p in wrong)
        blocks.append(pictures.gallery_tiles(test.images[wrong], WRONG_KEY, "Misclassified test digits", columns=8,
                                             captions=captions, hovers=hovers, scale=3))
    blocks += [v.Figure(figures.confusion_figure(report.confusion), key="inside_confusion"),
               v.Caption("Each row is a true digit, each column what the network said; the green numbers on the "
                         "diagonal are the digits it got right, the red cells off it are its mistakes (the darker, "
                         "the more).")]
    return v.View(tuple(blocks), figure="inside_confusion")


@functools.lru_cache(maxsize=2)
def _stored_errors_view(style: str) -> v.View:
    return _errors_view(_stored_errors(style))


def clicked_unit(states: Mapping[str, Any]) -> Unit | None:
    """The unit clicked in this run, from the maps' component states (by stage), if any.

    A click is the "unit" event ``{"map", "row", "col"}`` of one map's component, present
    only in the run the click starts. Anything else — no click, a unit outside the
    layer, a malformed value from a tampered browser — is None.
    """
    for stage, state in states.items():
        try:
            event = state["unit"]
            map_, row, col = (int(event[k]) for k in ("map", "row", "col"))
        except (KeyError, TypeError, ValueError):
            continue
        count, h, w = SHAPES[stage]
        if 0 <= map_ < count and 0 <= row < h and 0 <= col < w:
            return Unit(stage, map_, row, col)
    return None


DEFAULT_UNIT = Unit("c3", 0, 5, 5)


def errors_view(request: InsideRequest) -> v.View:
    """The errors section alone: the page draws it outside the fragment a stroke reruns (it depends
    only on the network, not on the digit)."""
    model, which = _model(request)
    return _stored_errors_view(request.style) if which == "stored" else _errors_view(_errors(request, model, which))


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
    """For the lecture tour: one test digit, LeNet-5's answer, and C1's six maps of it.

    Small enough for a 1280 × 720 projector under a heading: two metrics, then the input
    and C1's maps side by side (pictures at most ~260 pixels tall). Headline: the
    prediction and the test accuracy.
    """
    model = network.stored_model(style)
    report = _stored_errors(style)
    test = mnist.test()
    position = min(max(int(test_position), 0), len(test) - 1)
    result = network.forward(model, test.images[position])
    top = result.probabilities[result.prediction]
    relu = style == "modern"
    c1 = pictures.maps_tiles(result.maps["c1"], "tour_lenet_c1", "C1: its 6 feature maps of this digit", relu,
                             COLUMNS["c1"], SCALES["c1"], hint="Bright where the input looks like the filter.")
    digit = pictures.digit_tiles(result.input32, "tour_lenet_input", f"Test digit #{position}: a "
                                 f"{int(test.labels[position])}", scale=6)
    return v.View((
        v.Metrics((v.Metric("LeNet-5 says", str(result.prediction), note=f"{top:.0%} sure"),
                   v.Metric("Test accuracy", f"{report.accuracy:.1%}",
                            note=f"{int(np.trace(report.confusion))} / 1,000 test digits")), widths=(1, 1)),
        v.Columns(((digit,), (c1,)), widths=(2, 3)),
        v.Caption(f"LeNet-5 ({STYLE_LABELS[style]}), trained on {mnist.TRAIN_PER_CLASS * 10:,} real MNIST digits. "
                  "Each C1 map is one learned 5 × 5 filter slid over the input."),
    ), headline=f"LeNet-5 says {result.prediction} ({top:.0%} sure) · {report.accuracy:.1%} of test digits right",
        figure="tour_lenet_c1")


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


def read_link(params: Mapping[str, Any]) -> urlstate.Parsed:
    """A shared link's style and test digit, checked: bad values fall back with a notice."""
    return urlstate.parse(params, LINK_OPTIONS)


def link_of(style: str, source: str, test_position: int) -> dict[str, str]:
    """The link for what is shown: the style, and the test digit while a test digit is shown."""
    return urlstate.encode({"style": style, "digit": int(test_position) if source == SOURCES[0] else 0},
                           LINK_OPTIONS)
