"""The published-figures tab: our exact counts beside the paper's and torchvision's, the
zoo's note on why they differ, where to get pretrained weights, and the network's source."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Mapping
from typing import Any

from architectures import NETWORKS, NetworkSpec
from viz.explorer.numbers import format_macs
from viz.formatting import approx


def module_source(name: str) -> tuple[str, str]:
    """(file path relative to the repo, source) of the module that defines network ``name``."""
    spec = NETWORKS[name]
    module = importlib.import_module(spec.builder.__module__)
    path = inspect.getsourcefile(module) or ""
    rel = path[path.find("architectures/"):] if "architectures/" in path else path
    return rel, inspect.getsource(module)


def published(spec: NetworkSpec) -> dict[str, Any]:
    extra = spec.extra or {}
    value = extra.get("published", {})
    return dict(value) if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _params_text(value: Any) -> str:
    number = _number(value)
    if number is not None:
        return f"{int(number):,} ≈ {approx(number)}"
    return str(value) if value not in (None, "") else "—"


def _macs_text(value: Any, unit: str) -> str:
    number = _number(value)
    if number is not None:
        return format_macs(int(number), unit)
    return str(value) if value not in (None, "") else "—"


def published_rows(spec: NetworkSpec, params: int, macs: int, unit: str = "MACs") -> list[dict[str, str]]:
    """Our exact counts beside the paper's and torchvision's published ones.

    Numbers from the zoo's ``extra["published"]`` are converted by the MACs/FLOPs
    switch; a published figure the zoo keeps as text (a range, several variants)
    is shown as written.
    """
    cost_col = "FLOPs" if unit == "FLOPs" else "multiply-adds"
    rows = [{"source": "This app (exact, counted from the module)", "parameters": f"{params:,} ≈ {approx(params)}",
             cost_col: format_macs(macs, unit)}]
    pub = published(spec)
    if not pub:
        return rows
    if "params" in pub or "macs" in pub:
        rows.append({"source": str(pub.get("source") or spec.paper), "parameters": _params_text(pub.get("params")),
                     cost_col: _macs_text(pub.get("macs"), unit)})
    if "torchvision_params" in pub or "torchvision_macs" in pub:
        builder = pub.get("torchvision") or str(pub.get("builder", "")).replace("torchvision.models.", "")
        label = f"torchvision {builder}" if builder else "torchvision"
        params_text = _params_text(pub.get("torchvision_params"))
        if "torchvision_bn_params" in pub:
            params_text += f" ({int(pub['torchvision_bn_params']):,} with batch norm)"
        rows.append({"source": label, "parameters": params_text,
                     cost_col: _macs_text(pub.get("torchvision_macs"), unit)})
    return rows


_REFERENCE = re.compile(r"[\w.-]+/[\w.-]+#\d+")


def published_note(spec: NetworkSpec) -> str:
    """The zoo's sentence on why its count and the published ones differ (if they do), without
    issue numbers (:func:`references` has them, for developers)."""
    note = str(published(spec).get("note", ""))
    return re.sub(r"\s*\(" + _REFERENCE.pattern + r"\)", "", note)


def references(spec: NetworkSpec) -> list[str]:
    """Issue references in the zoo's note ("pytorch/vision#906"), for the developers' expander."""
    return _REFERENCE.findall(str(published(spec).get("note", "")))


def side_branch_note(spec: NetworkSpec, result: Any) -> str:
    """Why the count grows with side classifiers on, and how torchvision's differs (GoogLeNet §5)."""
    sides = result.extra.get("side_branches", ())
    if not sides:
        return ""
    side_params = sum(s.group.params for s in sides)
    names = " and ".join(f"{s.group.name.rsplit('.', 1)[-1]} on {s.attach}" for s in sides)
    text = (f"With the auxiliary classifiers on, {result.total_params:,} parameters: {side_params:,} of them are "
            f"the side heads ({names}: average pool, 1×1 conv with 128 filters, FC 1024, FC 1000 each). They are "
            "used only while training, so they add no multiply-adds at inference.")
    tv = published(spec).get("torchvision_params_aux")
    if tv:
        text += (f" torchvision's googlenet(aux_logits=True) has {int(tv):,}: its heads are the same size (batch norm "
                 "instead of the 1×1 conv's bias), but its nine inception modules use 3×3 convolutions where "
                 "the paper has 5×5, so its main path is smaller.")
    return text


def pretrained_note(spec: NetworkSpec) -> str:
    """Where to get this network with pretrained weights (torchvision or timm builder)."""
    pub = published(spec)
    tv = pub.get("torchvision")
    builder = str(pub.get("builder", "") or "")
    if isinstance(tv, str) and tv:
        return (f"With ImageNet weights: `torchvision.models.{tv}(weights=\"DEFAULT\")` "
                "(downloaded by torchvision on first use; this app downloads nothing).")
    if builder.startswith("torchvision.models."):
        return (f"With ImageNet weights: `{builder}(weights=\"DEFAULT\")` "
                "(downloaded by torchvision on first use; this app downloads nothing).")
    if builder.startswith("timm:"):
        rest = builder.split(":", 1)[1].strip()
        name, _, why = rest.partition(" ")
        return (f"With ImageNet weights: `timm.create_model(\"{name}\", pretrained=True)` {why}".rstrip())
    if builder:
        return f"Pretrained weights: {builder}."
    return "No standard pretrained version of this network is published in torchvision or timm."
