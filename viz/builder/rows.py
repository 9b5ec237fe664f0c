"""The rows of a designed network: which layers and blocks there are, their settings, their checks.

A design is a table, one row per layer or block of the zoo (``architectures.blocks`` and plain
``torch.nn`` layers). Every row has the same columns (:data:`FIELDS`); each kind of layer
(:data:`KINDS`) uses some of them and leaves the others blank:

=========== =================================================== =====================================
kind        what it builds                                      columns it uses
=========== =================================================== =====================================
conv        ``ConvBNAct`` (CONV → batch norm → activation)      c k s p groups act bn
conv1x1     the same with a 1×1 kernel (Lin et al. 2013)        c s groups act bn
maxpool     ``nn.MaxPool2d``                                    k s p ceil
avgpool     ``nn.AvgPool2d``                                    k s p ceil
gap         global average pool (``nn.AdaptiveAvgPool2d(1)``)  —
lrn         AlexNet's local response normalization (§3.3)      —
inception   ``InceptionModule``: Table 1's six columns          inception bn
basic       ResNet's basic block (two 3×3 convs, shortcut)      c s shortcut bn
bottleneck  ResNet's bottleneck block (1×1, 3×3, 1×1 ×4)        c s shortcut bn
dwsep       MobileNet v1's depthwise-separable convolution      c k s p act bn
mbv2        MobileNet v2's bottleneck (``InvertedResidual``)    t c s k act shortcut
mbconv      EfficientNet's MBConv (with squeeze-excite)         t c s k se act shortcut
act         an activation on its own                            act
flatten     ``nn.Flatten``                                      —
fc          fully connected (``nn.Linear``)                     c
dropout     ``nn.Dropout``                                      drop
=========== =================================================== =====================================

Input channels are never a column: each row takes the channels the row above gives it, as
``nn.LazyConv2d`` or Keras do. Blank columns a kind uses get its default
(:func:`normalise`: what the table then shows); columns it does not use are cleared. A
blank ``p`` of a convolution means "same" padding (``k // 2``), of a pool no padding.

:func:`check` turns a normalised row into :class:`Settings` (plain, validated values) or a
``ValueError`` naming the column and what is allowed; the row number is added by the caller.
The settings are declared once, as registry ``Option``\\ s (:data:`FIELDS`): their ranges
check the values, their labels and help text head the page's columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from architectures.blocks import ACTIVATIONS
from architectures.registry import Option
from viz.formatting import user_value

ACTIVATION_CHOICES = (*ACTIVATIONS, "none")
SHORTCUTS = ("projection", "identity", "none")
INCEPTION_COLUMNS = ("#1×1", "#3×3 reduce", "#3×3", "#5×5 reduce", "#5×5", "pool proj")  # Szegedy et al. 2015, Table 1


@dataclass(frozen=True)
class Kind:
    """One kind of row: its label in the table, the columns it uses, their defaults, its paper."""

    id: str
    label: str
    uses: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    slug: str = ""  # how its module is named inside a stage ("conv", "pool", "block" …)
    help: str = ""
    needs_map: bool = True  # it works on an n_H × n_W × n_C map (not on a vector of features)


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("conv", "CONV", ("c", "k", "s", "p", "groups", "act", "bn"),
         {"c": 64, "k": 3, "s": 1, "groups": 1, "act": "relu", "bn": True}, "conv",
         "A convolution (f × f, stride s, padding p), then batch norm and an activation."),
    Kind("conv1x1", "1×1 CONV", ("c", "s", "groups", "act", "bn"),
         {"c": 64, "s": 1, "groups": 1, "act": "relu", "bn": True}, "conv",
         "A 1×1 convolution: mixes the channels at each position (Lin et al. 2013, the lecture's 'network in "
         "network')."),
    Kind("maxpool", "MAX POOL", ("k", "s", "p", "ceil"), {"k": 2, "ceil": False}, "pool",
         "Max pooling, f × f with stride s (blank s: s = f)."),
    Kind("avgpool", "AVG POOL", ("k", "s", "p", "ceil"), {"k": 2, "ceil": False}, "pool",
         "Average pooling, f × f with stride s (blank s: s = f)."),
    Kind("gap", "GLOBAL AVG POOL", (), {}, "pool", "Averages each channel over the whole map: n_H × n_W × n_C → "
         "1 × 1 × n_C."),
    Kind("lrn", "LRN", (), {}, "lrn", "Local response normalization (Krizhevsky et al. 2012, §3.3: n = 5, "
         "α = 10⁻⁴, β = 0.75, k = 2); no parameters."),
    Kind("inception", "INCEPTION", ("inception", "bn"), {"inception": "64 96 128 16 32 32", "bn": False},
         "inception", "Szegedy et al. 2015, Table 1: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj "
         "(0 for a reduce or pool proj: none, Fig. 2(a)). Default: inception (3a)."),
    Kind("basic", "RESIDUAL (basic)", ("c", "s", "shortcut", "bn"),
         {"c": 64, "s": 1, "shortcut": "projection", "bn": True}, "block",
         "He et al. 2016, Fig. 5 left: two 3×3 convolutions and a shortcut."),
    Kind("bottleneck", "RESIDUAL (bottleneck)", ("c", "s", "shortcut", "bn"),
         {"c": 64, "s": 1, "shortcut": "projection", "bn": True}, "block",
         "He et al. 2016, Fig. 5 right: 1×1 to c, 3×3, 1×1 to 4c, and a shortcut."),
    Kind("dwsep", "DEPTHWISE-SEPARABLE", ("c", "k", "s", "p", "act", "bn"),
         {"c": 64, "k": 3, "s": 1, "act": "relu", "bn": True}, "dwsep",
         "Howard et al. 2017, Fig. 3: depthwise f × f (one filter per channel), then pointwise 1×1 to c."),
    Kind("mbv2", "MOBILENET V2 BOTTLENECK", ("t", "c", "s", "k", "act", "shortcut"),
         {"t": 6, "c": 24, "s": 1, "k": 3, "act": "relu6", "shortcut": "identity"}, "block",
         "Sandler et al. 2018, Table 1: 1×1 expansion ×t, depthwise 3×3 (stride s), linear 1×1 projection "
         "to c; the residual joins when stride is 1 and channels match."),
    Kind("mbconv", "MBCONV + SE", ("t", "c", "s", "k", "se", "act", "shortcut"),
         {"t": 6, "c": 40, "s": 1, "k": 3, "se": 0.25, "act": "silu", "shortcut": "identity"}, "block",
         "Tan & Le 2019: MobileNet v2's bottleneck with squeeze-excite (reducing to the input channels × se) "
         "and SiLU."),
    Kind("act", "ACTIVATION", ("act",), {"act": "relu"}, "act", "An activation on its own (e.g. after a pool, "
         "as LeNet-5 squashes its subsampled maps).", needs_map=False),
    Kind("flatten", "FLATTEN", (), {}, "flatten", "n_H × n_W × n_C → one vector of n_H·n_W·n_C features.",
         needs_map=False),
    Kind("fc", "FULLY CONNECTED", ("c",), {"c": 10}, "fc", "Every output unit sees every input feature "
         "(needs a flatten or a global pool before it).", needs_map=False),
    Kind("dropout", "DROPOUT", ("drop",), {"drop": 0.5}, "dropout", "Drops units at random in training "
         "(none at inference); no parameters.", needs_map=False),
)}
KIND_BY_LABEL = {k.label: k.id for k in KINDS.values()}

# The columns every row has, declared once: their Option checks the value and labels the column.
# Ranges: as wide as the zoo needs (EfficientNet-B7's 3,840-channel head, AlexNet's 11×11 kernel) with room.
FIELDS: dict[str, Option] = {o.name: o for o in (
    Option("c", "int", None, "c", "Filters of a conv, units of a fully connected layer, output channels of a "
           "block (a bottleneck's width: its output is 4c).", minimum=1, maximum=8192),
    Option("k", "int", None, "f", "Kernel size f (f × f).", minimum=1, maximum=15),
    Option("s", "int", None, "s", "Stride.", minimum=1, maximum=8),
    Option("p", "int", None, "p", "Padding. Blank: 'same' for a conv (f // 2), none for a pool.",
           minimum=0, maximum=15),
    Option("groups", "int", None, "groups", "Grouped convolution: the input channels and the filters are split "
           "into this many groups (AlexNet's two GPUs: 2; depthwise: all channels).", minimum=1, maximum=8192),
    Option("t", "float", None, "t", "Expansion factor of an inverted residual (MobileNet v2: 6).",
           minimum=1, maximum=12),
    Option("se", "float", None, "SE", "Squeeze-excite: reduce to the block's input channels × this "
           "(EfficientNet: 0.25).", minimum=0.01, maximum=1),
    Option("act", "choice", None, "act", "Activation after the layer (none: linear).",
           choices=ACTIVATION_CHOICES),
    Option("bn", "bool", None, "BN", "Batch norm after each convolution (a conv then has no bias)."),
    Option("shortcut", "choice", None, "shortcut", "projection: identity where shapes match, else a 1×1 "
           "conv (the paper's option B); identity: shapes must match; none: a plain block.",
           choices=SHORTCUTS),
    Option("ceil", "bool", None, "ceil", "Round a pool's output size up, as Caffe did (GoogLeNet: 112 → 56)."),
    Option("drop", "float", None, "p drop", "Dropout probability.", minimum=0, maximum=0.99),
    # Text, checked by parse_inception (Option.validate has no text kind).
    Option("inception", "text", None, "inception (Table 1)", "Six numbers: " + ", ".join(INCEPTION_COLUMNS)
           + " (e.g. 64 96 128 16 32 32 for (3a)); 0 for a reduce or pool proj: none."),
)}
COLUMNS = tuple(FIELDS)  # the order of the table's settings columns
MAX_STAGE_CHARS = 24


@dataclass(frozen=True)
class Row:
    """One row of the table as the user left it (after :func:`normalise`): raw values, None for blank.

    ``kind`` is a :data:`KINDS` id (or whatever was typed, checked by :func:`check`);
    ``stage`` groups consecutive rows into one stage of the network (the diagram's boxes).
    """

    kind: str | None = None
    stage: str = ""
    c: Any = None
    k: Any = None
    s: Any = None
    p: Any = None
    groups: Any = None
    t: Any = None
    se: Any = None
    act: Any = None
    bn: Any = None
    shortcut: Any = None
    ceil: Any = None
    drop: Any = None
    inception: Any = None

    def values(self) -> dict[str, Any]:
        """The settings columns that are not blank."""
        return {name: getattr(self, name) for name in COLUMNS if getattr(self, name) is not None}


ROW_FIELDS = tuple(f.name for f in fields(Row))


@dataclass(frozen=True)
class Settings:
    """A row's checked values: every column its kind uses, valid; the others None.

    ``inception`` is the six Table 1 numbers (a reduce or pool proj of 0 → None).
    """

    kind: str
    stage: str
    c: int | None = None
    k: int | None = None
    s: int | None = None
    p: int | None = None
    groups: int | None = None
    t: float | None = None
    se: float | None = None
    act: str | None = None
    bn: bool | None = None
    shortcut: str | None = None
    ceil: bool | None = None
    drop: float | None = None
    inception: tuple[int, int | None, int, int | None, int, int | None] | None = None

    @property
    def kind_info(self) -> Kind:
        return KINDS[self.kind]


# ----------------------------------------------------------------------------- normalising


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _plain(value: Any) -> Any:
    """A table cell as a plain Python value: NaN and blank text → None, 64.0 → 64, numpy → Python."""
    if _blank(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy / pandas scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def kind_id(value: Any) -> str | None:
    """A kind from the table: its id, or its label as the table shows it; else the text as given."""
    value = _plain(value)
    if value is None:
        return None
    text = str(value)
    if text in KINDS:
        return text
    return KIND_BY_LABEL.get(text, KIND_BY_LABEL.get(text.upper(), text))


def normalise(row: Row | Mapping[str, Any]) -> Row:
    """The row with plain values, the columns its kind uses filled with defaults where blank,
    and the columns it does not use cleared. A row of no known kind keeps its values (to be
    reported by :func:`check`)."""
    given = dict(row.__dict__ if isinstance(row, Row) else row)
    kind = kind_id(given.get("kind"))
    stage = _plain(given.get("stage"))
    values = {name: _plain(given.get(name)) for name in COLUMNS}
    info = KINDS.get(kind) if kind is not None else None
    if info is not None:
        values = {name: (values[name] if values[name] is not None else info.defaults.get(name))
                  if name in info.uses else None for name in COLUMNS}
    return Row(kind=kind, stage="" if stage is None else str(stage), **values)


# ------------------------------------------------------------------------------- checking


def _label(name: str) -> str:
    return FIELDS[name].label


def _check_value(name: str, value: Any) -> Any:
    """``value`` checked by its column's Option (ints stay ints), else a ValueError quoting it as code."""
    option = FIELDS[name]
    try:
        if option.kind in ("int", "float") and (isinstance(value, str) or isinstance(value, bool)):
            raise ValueError  # a table cell holds numbers; "3" typed into a text cell is no number
        checked = option.validate(name, value)
    except ValueError:
        allowed = "on or off" if option.kind == "bool" else option.allowed()
        raise ValueError(f"{_label(name)} must be {allowed}; got {user_value(value)}.") from None
    return float(checked) if option.kind == "float" else checked


def parse_inception(value: Any) -> tuple[int, int | None, int, int | None, int, int | None]:
    """Table 1's six numbers from text ("64 96 128 16 32 32", commas allowed) or a sequence."""
    allowed = (f"six whole numbers ({', '.join(INCEPTION_COLUMNS)}), e.g. 64 96 128 16 32 32 for (3a); "
               "0 for a reduce or pool proj means none")
    parts = re.split(r"[\s,;/]+", value.strip()) if isinstance(value, str) else list(value) \
        if isinstance(value, (list, tuple)) else None
    if not parts or len(parts) != 6:
        raise ValueError(f"an inception module needs {allowed}; got {user_value(value)}.")
    numbers = []
    for part in parts:
        try:
            number = float(part)
        except (TypeError, ValueError):
            raise ValueError(f"an inception module needs {allowed}; got {user_value(value)}.") from None
        if not math.isfinite(number) or not number.is_integer() or not 0 <= number <= FIELDS["c"].maximum:
            raise ValueError(f"an inception module needs {allowed}; got {user_value(value)}.")
        numbers.append(int(number))
    ch1, red3, ch3, red5, ch5, pool = numbers
    if min(ch1, ch3, ch5) < 1:
        raise ValueError(f"an inception module's #1×1, #3×3 and #5×5 must be at least 1; got {user_value(value)}.")
    return ch1, red3 or None, ch3, red5 or None, ch5, pool or None


def stage_name(text: str) -> str:
    """A stage's text as a module name: lower-case letters, digits and _ (what a PyTorch name may hold)."""
    name = re.sub(r"[^a-z0-9_]+", "_", text.strip().lower()).strip("_")[:MAX_STAGE_CHARS]
    if name and name[0].isdigit():
        name = "s" + name
    return name


def check(row: Row) -> Settings:
    """A normalised row's :class:`Settings`, or ``ValueError`` saying which column is wrong and what is allowed."""
    if row.kind is None:
        raise ValueError("choose a layer in the 'layer' column.")
    info = KINDS.get(row.kind)
    if info is None:
        raise ValueError(f"{user_value(row.kind)} is not a layer here; choose one of "
                         f"{', '.join(k.label for k in KINDS.values())}.")
    if len(row.stage) > MAX_STAGE_CHARS:
        raise ValueError(f"a stage name has at most {MAX_STAGE_CHARS} characters; got {len(row.stage)}.")
    values: dict[str, Any] = {}
    for name in info.uses:
        value = getattr(row, name)
        option = FIELDS[name]
        if value is None:
            if name in ("p", "s"):  # blank padding: "same" / none; blank pool stride: = kernel
                values[name] = None
                continue
            raise ValueError(f"{info.label} needs a value in column {_label(name)} ({option.help})")
        values[name] = parse_inception(value) if name == "inception" else _check_value(name, value)
    if row.kind in ("conv", "conv1x1", "dwsep", "basic", "bottleneck", "mbv2", "mbconv") and values.get("s") is None:
        values["s"] = 1
    if row.kind in ("mbv2", "mbconv") and values.get("shortcut") == "projection":
        raise ValueError("an inverted residual has no projection shortcut (Sandler et al. 2018, Fig. 4): use "
                         "identity (added where stride is 1 and the channels match) or none.")
    return Settings(kind=row.kind, stage=row.stage, **values)


def with_values(row: Row, **values: Any) -> Row:
    """The row with some columns changed, normalised again."""
    return normalise(replace(row, **values))
