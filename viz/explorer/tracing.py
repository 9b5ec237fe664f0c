"""What the Explorer traces for a network: its layers, its side classifiers, its receptive fields.

Each function is one piece of heavy work the page runs through the shared worker
(:func:`viz.compute.run_heavy`) and caches per network, options and resolution.

* :func:`explorer_trace`: :func:`viz.trace.trace_network`, plus each side branch the zoo
  declares (``extra["side_branches"]``: GoogLeNet's auxiliary classifiers, Szegedy et al.
  2015 §5). Those run only in training, so the eval-mode pass never enters them; each is
  traced on its own, on the zero weights, on the output of the stage it reads, so the
  diagram and the cost chart can draw what its 6.6M parameters are.
* :func:`receptive_fields`: every module's receptive field (:func:`viz.trace.network_fields`),
  as ``name -> (rows, columns)`` of input pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from architectures import NETWORKS
from viz.trace import Group, TraceResult, cheap_network, network_fields, trace, trace_network


@dataclass(frozen=True)
class SideBranch:
    """A module off the main path: where it reads from (``attach``, a stage name) and its records."""

    attach: str
    group: Group


def _as_group(path: str, result: TraceResult) -> Group:
    """A side module's own trace as one group named by its path (records renamed under it)."""
    prefix = path + "."
    depth = path.count(".") + 1
    records = tuple(r._replace(name=prefix + r.name, depth=r.depth + depth) for r in result.records)
    return Group(name=path, layer_type="AuxClassifier" if path.startswith("aux") else "Sequential", depth=0,
                 input_shape=result.input_size, output_shape=result.output_shape, params=result.total_params,
                 macs=result.total_macs, output_bytes=0, records=records)


def side_branches(name: str, options: dict, result: TraceResult) -> tuple[SideBranch, ...]:
    """The zoo's side branches of network ``name`` that exist with ``options``, each traced on
    the output of its stage (``result`` is the main trace)."""
    declared = dict((NETWORKS[name].extra or {}).get("side_branches", {}))
    if not declared:
        return ()
    outputs = {r.name: r.output_shape for r in result.records}
    found = []
    with cheap_network(name, options) as model:
        for path, attach in declared.items():
            try:
                module = model.get_submodule(path)
            except AttributeError:  # not built with these options (aux_logits=False)
                continue
            if attach in outputs:
                found.append(SideBranch(attach, _as_group(path, trace(module, outputs[attach]))))
    return tuple(found)


def explorer_trace(name: str, options: dict, input_size: Any) -> TraceResult:
    """:func:`viz.trace.trace_network` with ``extra["side_branches"]`` (a tuple of :class:`SideBranch`)."""
    result = trace_network(name, options, input_size)
    result.extra["side_branches"] = side_branches(name, options, result)
    return result


def receptive_fields(name: str, options: dict, input_size: Any) -> dict[str, tuple[float, float]]:
    """``module name -> (rows, columns)`` of input pixels one unit of its output sees
    (unclipped: past the image's edge it counts the padding, as Araujo et al. 2019 do)."""
    fields = network_fields(name, options, input_size)
    return {layer.name: layer.field.size for layer in fields.layers}
