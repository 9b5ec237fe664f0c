"""What the experiments return: frozen records, partial while a run goes on, then final.

A run yields a fresh record at every progress event (a stopped run's last
record is partial: the fields it never reached are ``None`` or empty). Every
record turns into plain JSON with ``to_json()`` and back with ``from_json()``;
a result's JSON carries its experiment and :data:`SCHEMA`, and ``from_json``
refuses another schema, so stored files of an older shape are never misread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from typing import Any

import numpy as np

from viz.training.settings import (
    AugmentSettings,
    DepthSettings,
    EnsembleSettings,
    MultiCropSettings,
    TransferSettings,
    _Settings,
)

SCHEMA = 3  # bump when a record changes shape, then rerun `python -m viz.training precompute`

# Transfer-learning methods, from least to most trained, with how the page names them (the lecture's advice:
# little data — freeze all but the softmax and precompute; more — fine-tune more layers; lots — train
# everything, starting from the pre-trained weights).
METHODS = {
    "scratch": "from scratch",
    "frozen": "frozen + precomputed features",
    "finetune_last": "fine-tune the last stage",
    "finetune_all": "fine-tune all (small lr)",
}


class SchemaMismatch(ValueError):
    """Stored JSON of another schema (or another experiment) than this code reads."""


def _plain(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_json()
    if isinstance(value, _Settings):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def _many(record: type[_Record]) -> Callable[[Any], tuple]:
    return lambda items: tuple(record.from_json(item) for item in items)


def _optional(record: type[_Record]) -> Callable[[Any], Any]:
    return lambda item: None if item is None else record.from_json(item)


class _Record:
    """JSON for the frozen record dataclasses: tuples become lists and back; nested records by ``_NESTED``."""

    _NESTED: Mapping[str, Callable[[Any], Any]] = {}  # field → how to read it back (else lists → tuples)

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]):
        if not isinstance(data, Mapping):
            raise ValueError(f"{cls.__name__}: expected a JSON object; got {type(data).__name__}.")
        names = {f.name for f in fields(cls)}
        required = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
        unknown, missing = sorted(set(data) - names), sorted(required - set(data))
        if unknown or missing:
            raise ValueError(f"{cls.__name__}: unknown fields {unknown}, missing fields {missing}.")
        readers = cls._readers()
        return cls(**{k: readers.get(k, _tupled)(v) for k, v in data.items()})

    @classmethod
    def _readers(cls) -> Mapping[str, Callable[[Any], Any]]:
        return cls._NESTED


@dataclass(frozen=True)
class Provenance(_Record):
    """How a stored result was computed."""

    torch: str
    threads: int
    wall_seconds: float


class _Result(_Record):
    """A whole experiment's result: its JSON names the experiment and the schema."""

    EXPERIMENT = ""

    def to_json(self) -> dict[str, Any]:
        return {"experiment": self.EXPERIMENT, "schema": SCHEMA, **super().to_json()}

    def as_stopped(self):
        """This (partial) result marked as stopped: what is left of a run that was interrupted here."""
        return replace(self, stopped=True)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]):
        found = (data.get("experiment"), data.get("schema")) if isinstance(data, Mapping) else data
        if found != (cls.EXPERIMENT, SCHEMA):
            raise SchemaMismatch(f"expected a {cls.EXPERIMENT!r} result of schema {SCHEMA}; got {found!r}.")
        return super().from_json({k: v for k, v in data.items() if k not in ("experiment", "schema")})

    @classmethod
    def _readers(cls) -> Mapping[str, Callable[[Any], Any]]:
        return {"computed_with": _optional(Provenance), **cls._NESTED}  # every result has a provenance


# --------------------------------------------------------------------------- plain vs residual


@dataclass(frozen=True)
class DepthRun(_Record):
    """One network of a depth run.

    ``checkpoint_error[i]``: the error at step ``DepthResult.checkpoints[i]`` on the fixed
    training digits, in evaluation mode — the run's one measure of training error (the
    chart's markers, the table's number). ``error``: each minibatch's error as it trained.
    """

    depth: int
    residual: bool
    layers: int  # weighted layers on the main path (He et al.'s count)
    params: int
    loss: tuple[float, ...] = ()  # per minibatch
    error: tuple[float, ...] = ()  # per minibatch, measured before the update (batch statistics)
    checkpoint_error: tuple[float, ...] = ()  # eval mode, at the result's checkpoints
    seconds: float = 0.0  # training steps only
    test_error: float | None = None  # once finished (or stopped): the 1,000 test digits

    @property
    def name(self) -> str:
        return f"{'residual' if self.residual else 'plain'}-{self.depth}"

    @property
    def train_error(self) -> float | None:
        """The training error at the last checkpoint (the table's figure, the chart's last marker)."""
        return self.checkpoint_error[-1] if self.checkpoint_error else None


@dataclass(frozen=True)
class DepthResult(_Result):
    EXPERIMENT = "depth"
    _NESTED = {"settings": DepthSettings.from_dict, "runs": _many(DepthRun)}

    settings: DepthSettings
    runs: tuple[DepthRun, ...]
    checkpoints: tuple[int, ...] = ()  # the steps at which checkpoint_error was measured
    steps_done: int = 0
    stopped: bool = False
    seconds: float | None = None  # the whole run (training and measuring), once finished
    computed_with: Provenance | None = None

    def of_kind(self, residual: bool) -> tuple[DepthRun, ...]:
        """The plain (or residual) runs, shallowest first."""
        return tuple(sorted((r for r in self.runs if r.residual == residual), key=lambda r: r.depth))

    @property
    def depths(self) -> tuple[int, ...]:
        return tuple(sorted({r.depth for r in self.runs}))


# --------------------------------------------------------------------------- transfer learning


@dataclass(frozen=True)
class Pretraining(_Record):
    seconds: float
    images: int  # training digits 0–4
    source_test_accuracy: float  # on the test digits 0–4


@dataclass(frozen=True)
class TransferPoint(_Record):
    """One run: a method (a key of :data:`METHODS`), labelled examples per class, a seed."""

    method: str
    per_class: int
    seed: int
    test_accuracy: float  # the 500 test digits 5–9
    seconds: float  # training only; the frozen method's includes computing its features


@dataclass(frozen=True)
class FeatureTiming(_Record):
    """The lecture's tip, measured: training the softmax on precomputed features vs a forward pass each step."""

    images: int
    steps: int
    precompute_seconds: float  # the frozen layers' output for every image, once
    precomputed_seconds: float  # precompute + training the softmax on the stored features
    full_pass_seconds: float  # the same training, the frozen layers' forward pass at every step
    max_logit_difference: float  # the two ways' logits on the test digits (0 up to rounding)
    feature_values: int  # per image

    @property
    def saved_seconds(self) -> float:
        return self.full_pass_seconds - self.precomputed_seconds

    @property
    def speedup(self) -> float:
        return self.full_pass_seconds / max(self.precomputed_seconds, 1e-9)


@dataclass(frozen=True)
class TransferResult(_Result):
    EXPERIMENT = "transfer"
    _NESTED = {"settings": TransferSettings.from_dict, "pretrain": _optional(Pretraining),
               "points": _many(TransferPoint), "timing": _optional(FeatureTiming)}

    settings: TransferSettings
    n_test: int
    pretrain: Pretraining | None = None  # None while pre-training
    points: tuple[TransferPoint, ...] = ()
    timing: FeatureTiming | None = None
    stopped: bool = False
    computed_with: Provenance | None = None

    def accuracies(self, method: str, per_class: int) -> tuple[float, ...]:
        return tuple(p.test_accuracy for p in self.points if p.method == method and p.per_class == per_class)

    def summary(self, method: str) -> tuple[tuple[int, float, float, float], ...]:
        """(examples per class, mean, lowest, highest test accuracy) for each size this method finished."""
        rows = []
        for n in self.settings.sizes:
            accs = self.accuracies(method, n)
            if accs:
                rows.append((n, float(np.mean(accs)), min(accs), max(accs)))
        return tuple(rows)

    def best(self, per_class: int) -> str | None:
        """The method with the highest mean accuracy at ``per_class`` (None if none finished)."""
        means = {m: float(np.mean(a)) for m in METHODS if (a := self.accuracies(m, per_class))}
        return max(means, key=means.get) if means else None

    @property
    def seconds(self) -> float:
        return (self.pretrain.seconds if self.pretrain else 0.0) + sum(p.seconds for p in self.points)


# --------------------------------------------------------------------------- augmentation


@dataclass(frozen=True)
class AugmentRun(_Record):
    distorted: bool
    seed: int
    test_accuracy: float
    train_accuracy: float  # on the undistorted training slice
    seconds: float


@dataclass(frozen=True)
class AugmentResult(_Result):
    EXPERIMENT = "augment"
    _NESTED = {"settings": AugmentSettings.from_dict, "runs": _many(AugmentRun)}

    settings: AugmentSettings
    n_train: int
    n_test: int
    runs: tuple[AugmentRun, ...] = ()
    stopped: bool = False
    computed_with: Provenance | None = None

    def accuracies(self, distorted: bool) -> tuple[float, ...]:
        return tuple(r.test_accuracy for r in self.runs if r.distorted == distorted)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)


# --------------------------------------------------------------------------- ensembling, multi-crop


@dataclass(frozen=True)
class EnsembleMember(_Record):
    seed: int
    loss: tuple[float, ...] = ()
    seconds: float = 0.0
    test_accuracy: float | None = None  # once trained

    @property
    def finished(self) -> bool:
        return self.test_accuracy is not None


@dataclass(frozen=True)
class EnsembleResult(_Result):
    EXPERIMENT = "ensemble"
    _NESTED = {"settings": EnsembleSettings.from_dict, "members": _many(EnsembleMember)}

    settings: EnsembleSettings
    n_test: int
    members: tuple[EnsembleMember, ...] = ()  # trained, and the one training now
    stopped: bool = False
    ensemble_accuracy: tuple[float, ...] = ()  # [j]: the average of the first j + 1 members
    macs_per_image: int | None = None  # one member (traced)
    computed_with: Provenance | None = None

    @property
    def finished_members(self) -> tuple[EnsembleMember, ...]:
        return tuple(m for m in self.members if m.finished)

    @property
    def seconds(self) -> float:
        return sum(m.seconds for m in self.members)


@dataclass(frozen=True)
class MultiCropResult(_Result):
    EXPERIMENT = "multicrop"
    _NESTED = {"settings": MultiCropSettings.from_dict}

    settings: MultiCropSettings
    n_test: int
    views: tuple[tuple[int, int], ...] = ()  # (dy, dx) of each view
    single_accuracy: float | None = None  # the centre view alone
    view_accuracy: tuple[float, ...] = ()  # each view alone
    multi_accuracy: float | None = None  # the views' probabilities averaged
    fixed: int = 0  # test digits the average gets right and the centre alone wrong
    broken: int = 0  # … and the other way round
    macs_per_image: int | None = None  # one view (traced)
    seconds_single: float | None = None
    seconds_multi: float | None = None
    stopped: bool = False
    computed_with: Provenance | None = None

    @property
    def seconds(self) -> float:
        return (self.seconds_single or 0.0) + (self.seconds_multi or 0.0)


Result = DepthResult | TransferResult | AugmentResult | EnsembleResult | MultiCropResult
