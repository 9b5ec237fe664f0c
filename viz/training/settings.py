"""Every setting of every Training Lab experiment, declared once as a :class:`viz.controls.Control`.

A settings dataclass lists its controls in ``CONTROLS`` (one per field, the field's name
is the control's option name); the control's ``key`` is its widget's key and its name in
a shared link (``?experiment=depth&d_steps=25&d_depths=8&d_depths=56``). Validation
(:meth:`_Settings.validated`), the page's widgets (``_render.draw_controls``, bound to
the URL) and the check of a shared link (``_render.check_shared_link``) all read the
same controls, so the three cannot drift apart — a link with ``d_steps=25`` comes back
as 25 steps (issue 14).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, ClassVar

from architectures.resnet_cifar import DEPTHS
from viz.controls import Control, by_name, choice, ints, members
from viz.formatting import user_value

SEED_MAX = 2**31 - 1
MAX_DEPTHS = 6  # depths per run (a plain and a residual network each)

# Filters per stage (the paper's are 16 / 32 / 64, He et al. 2016 §4.2), as written in a link.
WIDTHS = ("4/8/16", "8/16/32", "16/32/64")


def stage_widths(text: str) -> tuple[int, int, int]:
    """``"4/8/16"`` → ``(4, 8, 16)``."""
    return tuple(int(w) for w in text.split("/"))  # type: ignore[return-value]


def _in(group: str, *controls: Control) -> tuple[Control, ...]:
    """``controls`` under one heading: the page draws each group as a column."""
    return tuple(replace(c, group=group) for c in controls)


def _seed(key: str, label: str = "Seed", maximum: int = SEED_MAX) -> Control:
    return ints(key, "seed", label, 0, maximum, 0, widget="number",
                help="Same seed, same result: the initial weights and the order of the minibatches.")


class _Settings:
    """What every settings dataclass shares: validation by its controls, dict form, URL keys."""

    CONTROLS: ClassVar[tuple[Control, ...]] = ()

    @classmethod
    def control(cls, name: str) -> Control:
        return by_name(cls.CONTROLS)[name]

    def validated(self):
        """A copy with every value checked by its control (``ValueError`` saying what is allowed)."""
        checked = {f.name: self.control(f.name).check(getattr(self, f.name)) for f in fields(self)}
        return type(self)(**self._rules(checked))

    @staticmethod
    def _rules(values: dict[str, Any]) -> dict[str, Any]:
        """Rules across values, or on a value beyond its control's (a settings class's own)."""
        return values

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]):
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(sorted(names))}.")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}).validated()


def _sorted_members(name: str, values: tuple, most: int) -> tuple:
    if not 1 <= len(values) <= most:
        raise ValueError(f"choose from 1 to {most} {name}; got {user_value(', '.join(map(str, values)) or 'none')}.")
    return tuple(sorted(values))


# --------------------------------------------------------------------------- plain vs residual


@dataclass(frozen=True)
class DepthSettings(_Settings):
    """Plain vs residual at several depths, on the 14×14 digits. The defaults run in under a minute.

    The learning rate is divided by 10 at half and at three quarters of the steps — He et
    al. 2016 §4.2's schedule (0.1, divided by 10 at 32k and 48k of 64k iterations), scaled.
    """

    depths: tuple[int, ...] = (8, 20, 56)
    widths: str = "4/8/16"
    steps: int = 200
    batch_size: int = 32
    lr: float = 0.1  # He et al. 2016 §4.2 start at 0.1
    seed: int = 0

    CONTROLS: ClassVar[tuple[Control, ...]] = _in("Networks",
        members("d_depths", "depths", "Depths (6n + 2 weighted layers)", DEPTHS, (8, 20, 56),
                help=f"Up to {MAX_DEPTHS}; each is trained plain and with shortcuts."),
        choice("d_widths", "widths", "Filters per stage", WIDTHS, "4/8/16", widget="select",
               help="The paper's are 16/32/64 (He et al. 2016 §4.2); narrower trains faster."),
    ) + _in("Training",
        choice("d_steps", "steps", "Steps", (25, 50, 100, 200, 300, 500), 200, widget="select_slider"),
        choice("d_batch", "batch_size", "Batch size", (16, 32, 64, 128), 32, widget="select_slider"),
        choice("d_lr", "lr", "Learning rate", (0.01, 0.02, 0.05, 0.1, 0.2), 0.1, widget="select_slider"),
        _seed("d_seed"),
    )

    @staticmethod
    def _rules(values):
        return {**values, "depths": _sorted_members("depths", values["depths"], MAX_DEPTHS)}

    @property
    def stage_widths(self) -> tuple[int, int, int]:
        return stage_widths(self.widths)


# --------------------------------------------------------------------------- transfer learning

ALL = 400  # every training digit of a class (viz.data.mnist.TRAIN_PER_CLASS)
SIZES = (1, 2, 5, 10, 20, 50, 100, ALL)


@dataclass(frozen=True)
class TransferSettings(_Settings):
    """LeNet-5 pre-trained on digits 0–4; then 5–9 learnt from ``sizes`` labelled examples per class."""

    sizes: tuple[int, ...] = (1, 5, 20, 100, ALL)
    seeds: int = 3
    steps: int = 100
    finetune_lr: float = 1e-3
    seed: int = 0

    CONTROLS: ClassVar[tuple[Control, ...]] = _in("Data",
        members("tl_sizes", "sizes", "Labelled examples per class (5–9)", SIZES, (1, 5, 20, 100, ALL),
                help=f"{ALL} = every training digit of the class."),
        ints("tl_seeds", "seeds", "Seeds per point", 1, 5, 3,
             help="Each point is the mean over this many seeds (the labelled examples and the new layers' "
                  "initial weights); the bars show the lowest and highest."),
    ) + _in("Training",
        choice("tl_steps", "steps", "Steps per run", (50, 100, 150, 300), 100, widget="select_slider"),
        choice("tl_ft_lr", "finetune_lr", "Fine-tuning learning rate (Adam)", (1e-4, 3e-4, 1e-3), 1e-3,
               widget="select_slider", help="The small learning rate of the pre-trained layers that learn."),
        _seed("tl_seed", "First seed", SEED_MAX - 5),
    )

    @staticmethod
    def _rules(values):
        return {**values, "sizes": _sorted_members("sizes", values["sizes"], len(SIZES))}


# --------------------------------------------------------------------------- augmentation

DISTORTIONS = ("random crop", "rotation", "shearing", "local warping")  # the Augmentation Lab's step labels


@dataclass(frozen=True)
class AugmentSettings(_Settings):
    """LeNet-5 on ``per_class`` digits of each class, with and without the Augmentation Lab's distortions."""

    per_class: int = 10
    distortions: tuple[str, ...] = DISTORTIONS
    seeds: int = 3
    steps: int = 300
    seed: int = 0

    CONTROLS: ClassVar[tuple[Control, ...]] = _in("Data",
        choice("aug_n", "per_class", "Training digits per class", (5, 10, 20, 50, 100), 10,
               widget="select_slider"),
        members("aug_steps_on", "distortions", "Distortions", DISTORTIONS, DISTORTIONS,
                help="The Augmentation Lab's own functions. No mirroring: a mirrored 2 or 7 is no digit."),
    ) + _in("Training",
        ints("aug_seeds", "seeds", "Seeds", 1, 5, 3),
        choice("aug_steps", "steps", "Steps per network", (100, 200, 300, 500), 300, widget="select_slider"),
        _seed("aug_seed", "First seed", SEED_MAX - 5),
    )


# --------------------------------------------------------------------------- ensembling, multi-crop


@dataclass(frozen=True)
class EnsembleSettings(_Settings):
    """``k`` LeNet-5s trained from different seeds on the same ``per_class`` digits of each class."""

    k: int = 5
    per_class: int = 50
    steps: int = 300
    seed: int = 0

    CONTROLS: ClassVar[tuple[Control, ...]] = _in("Ensemble",
        ints("ens_k", "k", "k (networks)", 1, 7, 5),
        choice("ens_n", "per_class", "Training digits per class", (20, 50, 100, ALL), 50, widget="select_slider"),
    ) + _in("Training",
        choice("ens_steps", "steps", "Steps per network", (100, 200, 300, 500), 300, widget="select_slider"),
        _seed("ens_seed", "First seed", SEED_MAX - 7),  # members use seed … seed + k - 1
    )


CROPS = (1, 5, 9)  # 1: the centre; 5: centre + 4 corners (10-crop without mirroring); 9: every shift


@dataclass(frozen=True)
class MultiCropSettings(_Settings):
    """The stored, trained LeNet-5 on several shifted views of each test digit, probabilities averaged."""

    style: str = "modern"
    crops: int = 5
    shift: int = 1

    CONTROLS: ClassVar[tuple[Control, ...]] = _in("Network",
        choice("mc_style", "style", "LeNet-5", ("modern", "1998"), "modern", widget="radio"),
    ) + _in("Views",
        choice("mc_crops", "crops", "Views per digit", CROPS, 5, widget="radio",
               help="5: the centre and the 4 corners (the lecture's 10-crop without its mirrored half); "
                    "9: every shift of {−s, 0, s} in both directions."),
        ints("mc_shift", "shift", "Shift s (pixels)", 1, 3, 1),
    )


ALL_SETTINGS = (DepthSettings, TransferSettings, AugmentSettings, EnsembleSettings, MultiCropSettings)
