"""The model zoo's registry: every network by name, with its options.

Each paper's module (``lenet.py``, ``vgg.py`` …) exposes ``SPECS``, a list of
:class:`NetworkSpec`. ``NETWORKS`` collects them in the lecture's order, and
:func:`build` validates options against the spec before calling its builder, so
pages can draw widgets from ``spec.options`` and trust that whatever the widgets
allow either builds or raises a ``ValueError`` that names what is allowed.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from architectures.meta_build import meta_device

# Families, in the order the lecture meets them; pages group the picker by these.
FAMILIES = ("classic", "residual", "inception", "mobile", "efficient")

# Modules in the lecture's order; each holds SPECS.
_MODULES = ("lenet", "alexnet", "vgg", "resnet", "inception", "mobilenet", "efficientnet")


@dataclass(frozen=True)
class Option:
    """One option of a network: what a widget may set, and its default.

    kind: "choice" (one of ``choices``), "bool", "int" or "float" (within
    ``[minimum, maximum]``), "subset" (any of ``choices``, none to all: a tuple in the
    order given, e.g. the networks a chart compares; from a URL, comma-separated), or
    "range" (a pair of numbers ``(low, high)``, low ≤ high, both within ``[minimum,
    maximum]``, e.g. a random crop's area fraction; from a URL, "low,high").
    """

    name: str
    kind: str
    default: Any
    label: str = ""
    help: str = ""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "True or False"
        if self.kind == "subset":
            return "any of " + ", ".join(repr(c) for c in self.choices) + " (separated by commas)"
        if self.kind == "range":
            return f"two numbers low,high with low ≤ high, both from {self.minimum:g} to {self.maximum:g}"
        return f"a{'n integer' if self.kind == 'int' else ' number'} from {self.minimum} to {self.maximum}"

    def validate(self, network: str, value: Any) -> Any:
        """Return ``value`` coerced to this option's type, or raise ``ValueError``."""
        def bad() -> ValueError:
            return ValueError(
                f"{network}: option {self.name}={value!r} is not allowed; "
                f"it must be {self.allowed()}."
            )

        if self.kind == "subset":
            return self._subset(network, value, bad)
        if self.kind == "range":
            return self._range(network, value, bad)
        if self.kind == "choice":
            for choice in self.choices:
                if isinstance(value, bool) != isinstance(choice, bool):
                    continue
                if value == choice:
                    return choice
                # Allow "0.75" from a URL for a float choice, "2" for an int choice.
                if isinstance(value, str) and not isinstance(choice, str):
                    try:
                        if type(choice)(value) == choice:
                            return choice
                    except (TypeError, ValueError):
                        pass
            raise bad()
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            raise bad()
        try:
            if isinstance(value, bool):
                raise TypeError
            number = float(value)
        except (TypeError, ValueError):
            raise bad() from None
        if not math.isfinite(number):
            raise bad()
        if self.kind == "int":
            if number != int(number):
                raise bad()
            number = int(number)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise bad()
        return number

    def _subset(self, network: str, value: Any, bad: Callable[[], ValueError]) -> tuple:
        """Members in the order given, each once, each checked as a "choice" would be;
        text is split at commas (``"vgg16,resnet50"``)."""
        if isinstance(value, str):
            members: Any = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, (list, tuple)):
            members = value
        else:
            raise bad()
        one = replace(self, kind="choice")
        chosen = []
        for member in members:
            try:
                chosen.append(one.validate(network, member))
            except ValueError:
                raise bad() from None
        return tuple(dict.fromkeys(chosen))

    def _range(self, network: str, value: Any, bad: Callable[[], ValueError]) -> tuple[float, float]:
        """``(low, high)`` as floats, each checked as a "float" would be, low ≤ high;
        text is split at the comma (``"0.08,1"``)."""
        ends = value.split(",") if isinstance(value, str) else value
        if not isinstance(ends, (list, tuple)) or len(ends) != 2:
            raise bad()
        one = replace(self, kind="float")
        try:
            low, high = (one.validate(network, end.strip() if isinstance(end, str) else end) for end in ends)
        except ValueError:
            raise bad() from None
        if low > high:
            raise bad()
        return float(low), float(high)


@dataclass(frozen=True)
class NetworkSpec:
    """A network of the zoo.

    ``input_size`` is the default ``(C, H, W)``; ``input_size_for(options)`` gives
    the one that goes with a choice of options (MobileNet's resolution,
    EfficientNet's variant) and defaults to ``input_size``.
    ``lecture_params`` is the lecture's rounded claim (e.g. "138M") where it makes one.
    """

    name: str
    title: str
    family: str
    paper: str
    builder: Callable[..., nn.Module]
    input_size: tuple[int, int, int]
    options: tuple[Option, ...] = ()
    summary: str = ""
    lecture_params: str = ""
    resolution_from: Callable[[Mapping[str, Any]], int] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Option:
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {opt.name: opt.default for opt in self.options}

    def resolve(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``options``, each validated."""
        known = {opt.name for opt in self.options}
        unknown = sorted(set(options) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise ValueError(
                f"{self.name}: unknown option(s) {', '.join(unknown)}; allowed options: {allowed}."
            )
        resolved = self.defaults()
        for opt in self.options:
            if opt.name in options:
                resolved[opt.name] = opt.validate(self.name, options[opt.name])
        return resolved

    def input_size_for(self, options: Mapping[str, Any] | None = None) -> tuple[int, int, int]:
        if self.resolution_from is None:
            return self.input_size
        resolution = self.resolution_from(self.resolve(options or {}))
        return (self.input_size[0], resolution, resolution)


def _collect() -> dict[str, NetworkSpec]:
    networks: dict[str, NetworkSpec] = {}
    for module_name in _MODULES:
        module = importlib.import_module(f"architectures.{module_name}")
        for spec in module.SPECS:
            if spec.family not in FAMILIES:
                raise ValueError(f"{spec.name}: unknown family {spec.family!r}")
            networks[spec.name] = spec
    return networks


NETWORKS: dict[str, NetworkSpec] = _collect()


def get_spec(name: str) -> NetworkSpec:
    """The spec called ``name``, or ``ValueError`` listing the valid names."""
    try:
        return NETWORKS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown network {name!r}; choose one of: {', '.join(NETWORKS)}."
        ) from None


def build(name: str, *, device: str | torch.device | None = None, **options: Any) -> nn.Module:
    """Build network ``name`` with ``options`` (validated against its spec).

    ``device="meta"`` builds without allocating or initialising weights: shapes,
    parameter counts and costs need nothing more.
    """
    spec = get_spec(name)
    resolved = spec.resolve(options)
    if device is None:
        return spec.builder(**resolved)
    if torch.device(device).type == "meta":
        with meta_device():
            return spec.builder(**resolved)
    with torch.device(device):
        return spec.builder(**resolved)
