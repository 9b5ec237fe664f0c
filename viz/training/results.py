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

from viz.training.settings import DepthSettings, EnsembleSettings, TransferSettings, _Settings

SCHEMA = 2  # bump when a record changes shape, then rerun `python -m viz.training precompute`

# Transfer-learning methods in the order they run, with how the page names them.
METHODS = {
    "scratch": "from scratch",
    "frozen": "frozen + precomputed features",
    "frozen_full": "frozen, forward pass every step",
    "finetune": "fine-tune last stage (small lr)",
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
    """One network of a depth run; ``train_error``/``test_error`` once it has finished."""

    depth: int
    residual: bool
    layers: int  # weighted layers on the main path (He et al.'s count)
    params: int
    loss: tuple[float, ...] = ()  # per minibatch
    error: tuple[float, ...] = ()  # per minibatch, measured before the update
    seconds: float = 0.0  # training steps only
    train_error: float | None = None  # whole training set, eval mode (batch norm's running statistics)
    test_error: float | None = None

    @property
    def name(self) -> str:
        return f"{'residual' if self.residual else 'plain'}-{self.depth}"

    @property
    def final_error(self) -> float:
        """The whole-training-set error if finished, else the mean of its last 20 minibatches."""
        if self.train_error is not None:
            return float(self.train_error)
        return float(np.mean(self.error[-20:] or (float("nan"),)))


@dataclass(frozen=True)
class DepthResult(_Result):
    EXPERIMENT = "depth"
    _NESTED = {"settings": DepthSettings.from_dict, "runs": _many(DepthRun)}

    settings: DepthSettings
    runs: tuple[DepthRun, ...]
    steps_done: int = 0
    stopped: bool = False
    seconds: float | None = None  # the whole training loop, once finished
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
    loss: tuple[float, ...]
    source_test_accuracy: float  # on the test images of the source digits
    images: int


@dataclass(frozen=True)
class TransferMethod(_Record):
    """One way of learning the target digits (a key of :data:`METHODS`)."""

    name: str
    seconds: float  # training only; the frozen method's includes computing the features
    loss: tuple[float, ...]
    test_accuracy: float
    trainable_params: int
    params: int
    precompute_seconds: float | None = None  # the frozen method's: computing the features once
    feature_shape: tuple[int, ...] | None = None
    feature_bytes: int | None = None

    @property
    def label(self) -> str:
        return METHODS[self.name]


@dataclass(frozen=True)
class TransferResult(_Result):
    EXPERIMENT = "transfer"
    _NESTED = {"settings": TransferSettings.from_dict, "pretrain": _optional(Pretraining),
               "methods": _many(TransferMethod)}

    settings: TransferSettings
    n_train: int
    n_test: int
    pretrain: Pretraining | None = None  # None while pre-training
    methods: tuple[TransferMethod, ...] = ()  # those finished, in the order of METHODS
    stopped: bool = False
    computed_with: Provenance | None = None

    def method(self, name: str) -> TransferMethod | None:
        return next((m for m in self.methods if m.name == name), None)

    @property
    def time_saved_seconds(self) -> float | None:
        """What precomputing the frozen features saved over a forward pass at every step."""
        frozen, full = self.method("frozen"), self.method("frozen_full")
        if frozen is None or full is None:
            return None
        return round(full.seconds - frozen.seconds, 4)

    @property
    def seconds(self) -> float:
        """Training time of every phase (pre-training and each method)."""
        return (self.pretrain.seconds if self.pretrain else 0.0) + sum(m.seconds for m in self.methods)


# --------------------------------------------------------------------------- ensembling


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
    predict_seconds_one: float | None = None  # the test set, one member
    predict_seconds_all: float | None = None  # the test set, the whole ensemble
    computed_with: Provenance | None = None

    @property
    def finished_members(self) -> tuple[EnsembleMember, ...]:
        return tuple(m for m in self.members if m.finished)

    @property
    def ensemble_macs_per_image(self) -> int | None:
        return None if self.macs_per_image is None else self.macs_per_image * len(self.finished_members)

    @property
    def seconds(self) -> float:
        return sum(m.seconds for m in self.members)


Result = DepthResult | TransferResult | EnsembleResult
