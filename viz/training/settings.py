"""The experiments' settings, each allowed range declared once.

Every field of a settings dataclass carries its :class:`Range` (in the field's
metadata): validation reads it, the page draws its widget from it (label, the
notches a select slider offers, the ends of a slider), and a URL value is parsed
with it — so the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import numpy as np

from architectures.resnet_cifar import DEPTHS, blocks_per_stage
from viz.formatting import user_value
from viz.training.data import TRAIN_SIZE

Number = int | float


@dataclass(frozen=True)
class Range:
    """The values one setting may take, and how the page offers them.

    ``name`` is how messages call the setting, ``label`` how its widget does.
    Validation allows every value from ``minimum`` to ``maximum``; the page offers
    ``notches`` (a select slider) when given, else a slider (or, with
    ``widget="number"``, a number box) from ``minimum`` to ``page_maximum``.
    ``check`` is a further rule (e.g. depths of the form 6n + 2) that raises ValueError.
    """

    name: str
    minimum: Number
    maximum: Number
    label: str = ""
    integer: bool = True
    notches: tuple[Number, ...] = ()
    page_maximum: Number | None = None
    widget: Literal["slider", "number"] = "slider"
    step: Number | None = None
    check: Callable[[Any], Any] | None = None

    def __post_init__(self):
        offered = [*self.notches, *([] if self.page_maximum is None else [self.page_maximum])]
        if any(not self.minimum <= n <= self.maximum for n in offered):
            raise ValueError(f"{self.name}: the page would offer values outside {self.allowed()}.")

    @property
    def page_range(self) -> tuple[Number, Number]:
        """The ends of the page's slider or number box."""
        return self.minimum, self.maximum if self.page_maximum is None else self.page_maximum

    def allowed(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        return f"{kind} from {self.minimum} to {self.maximum}"

    def validate(self, value: Any) -> Number:
        """``value`` as an int (or float), or ValueError saying what is allowed."""
        types = (int, np.integer) if self.integer else (int, float)
        wrong_type = isinstance(value, bool) or not isinstance(value, types)
        if wrong_type or not self.minimum <= value <= self.maximum:
            raise ValueError(f"{self.name} must be {self.allowed()}; got {user_value(value)}.")
        value = int(value) if self.integer else float(value)
        if self.check is not None:
            self.check(value)
        return value

    def parse(self, text: str) -> Number:
        """A value typed or sent as text (a URL value), validated."""
        try:
            number = float(text)
            value = int(number) if self.integer and number.is_integer() else number
        except (TypeError, ValueError):
            value = text
        return self.validate(value)


def _setting(default: Any, allowed: Range, many: Callable[[Range, Any], tuple] | None = None):
    """A settings field: its default, its range, and for a tuple the rule for the whole tuple."""
    return field(default=default, metadata={"range": allowed, "many": many})


MAX_DEPTHS = 6  # depths per run (a plain and a residual network each)


def depth_list(each: Range, values: Any) -> tuple[int, ...]:
    """1 to :data:`MAX_DEPTHS` distinct depths, each allowed by ``each``, in increasing order."""
    if not isinstance(values, (tuple, list)) or not 1 <= len(values) <= MAX_DEPTHS:
        raise ValueError(f"choose from 1 to {MAX_DEPTHS} depths; got {user_value(values)}.")
    return tuple(sorted({each.validate(d) for d in values}))


def stage_widths(each: Range, values: Any) -> tuple[int, int, int]:
    """Three filter counts, one per stage."""
    if not isinstance(values, (tuple, list)) or len(values) != 3:
        raise ValueError(f"widths must be three whole numbers (one per stage); got {user_value(values)}.")
    return tuple(each.validate(w) for w in values)  # type: ignore[return-value]


# The page's choices of filters per stage (the paper's are 16 / 32 / 64, He et al. 2016 §4.2).
WIDTH_PRESETS = {"4 / 8 / 16": (4, 8, 16), "8 / 16 / 32": (8, 16, 32),
                 "16 / 32 / 64 (the paper's)": (16, 32, 64)}
WIDTH = Range("each width", 1, 64, label="Filters per stage")
BATCH = Range("batch size", 4, 512)
SEED_MAX = 2**31 - 1


def _depth(name: str, maximum: int, **page) -> Range:
    return Range(name, 8, maximum, check=blocks_per_stage, **page)  # blocks_per_stage names the 6n + 2 rule


def _seed(maximum: int = SEED_MAX, label: str = "Seed") -> Range:
    return Range("seed", 0, maximum, label=label, widget="number", page_maximum=9999)


def _lr(minimum: float, notches: tuple[float, ...] = (), name: str = "learning rate") -> Range:
    return Range(name, minimum, 1.0, label="Learning rate", integer=False, notches=notches)


class _Settings:
    """What every settings dataclass shares: validation from the declared ranges, and dict form."""

    @classmethod
    def range(cls, name: str) -> Range:
        """The declared range of setting ``name``."""
        return {f.name: f.metadata["range"] for f in fields(cls)}[name]

    def validated(self):
        """A copy with every value checked against its range (``ValueError`` if one is not allowed)."""
        checked = {}
        for f in fields(self):
            allowed, many = f.metadata["range"], f.metadata["many"]
            value = getattr(self, f.name)
            checked[f.name] = many(allowed, value) if many else allowed.validate(value)
        return type(self)(**checked)

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]):
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(sorted(names))}.")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}).validated()


@dataclass(frozen=True)
class DepthSettings(_Settings):
    """Plain vs residual at several depths. Defaults run in about a minute on 2 cores."""

    depths: tuple[int, ...] = _setting(
        (8, 20, 32, 56), _depth("each depth", 110, label="Depths (6n + 2 weighted layers)", notches=DEPTHS),
        depth_list)
    widths: tuple[int, int, int] = _setting((8, 16, 32), WIDTH, stage_widths)
    steps: int = _setting(200, Range("steps", 5, 2000, label="Steps", notches=(25, 50, 100, 200, 300, 500)))
    batch_size: int = _setting(64, BATCH)
    lr: float = _setting(0.1, _lr(1e-4, (0.01, 0.02, 0.05, 0.1, 0.2)))  # He et al. 2016 §4.2 start at 0.1
    seed: int = _setting(0, _seed())


@dataclass(frozen=True)
class TransferSettings(_Settings):
    """Pre-train on digits 0–4, then learn 5–9 from ``per_class`` examples per class."""

    per_class: int = _setting(
        5, Range("examples per class", 1, 100, label="Labelled examples per class (5–9)", page_maximum=20))
    depth: int = _setting(14, _depth("depth", 56))
    widths: tuple[int, int, int] = _setting((8, 16, 32), WIDTH, stage_widths)
    pretrain_steps: int = _setting(300, Range("pre-training steps", 1, 5000))
    steps: int = _setting(
        150, Range("steps", 1, 5000, label="Steps per method", notches=(25, 50, 100, 150, 300)))
    lr: float = _setting(0.05, _lr(1e-5))  # scratch and the softmax layer
    # "a small learning rate" for the unfrozen layers
    finetune_lr: float = _setting(0.005, _lr(1e-6, name="fine-tuning learning rate"))
    seed: int = _setting(0, _seed())


@dataclass(frozen=True)
class EnsembleSettings(_Settings):
    """``k`` networks trained from different seeds on the same ``train_size`` images."""

    k: int = _setting(5, Range("k (number of networks)", 1, 5, label="k (networks)"))
    train_size: int = _setting(
        200, Range("training images", 20, TRAIN_SIZE, label="Training images",
                   notches=(100, 200, 500, TRAIN_SIZE)))
    depth: int = _setting(8, _depth("depth", 56))
    widths: tuple[int, int, int] = _setting((8, 16, 32), WIDTH, stage_widths)
    steps: int = _setting(
        150, Range("steps", 1, 5000, label="Steps per network", notches=(50, 100, 150, 300)))
    batch_size: int = _setting(32, BATCH)
    lr: float = _setting(0.05, _lr(1e-5))
    seed: int = _setting(0, _seed(SEED_MAX - 5, label="First seed"))  # members use seed … seed + k - 1
