"""Real forward pass → one record per layer: shapes, parameters, multiply-adds.

How it works. For the length of one forward pass every module's ``forward`` is
wrapped (an instance attribute, removed afterwards — cheaper than forward hooks,
which send every call through ``Module.__call__``'s slow path). The wrapper
reserves the module's record slot the moment the module is entered (so records
come out in pre-order: a container before its children, the order the network
runs) and notes its input shape, then the output shape. It does nothing else — no
arithmetic, no parameter walks — so tracing costs little more than the bare
forward pass; parameters and multiply-adds are worked out from the recorded shapes
afterwards. (Like hooks, the wrappers see module calls only; see below.)

Counting convention (DESIGN.md): multiply-adds (MACs) are the multiplications of
weights by inputs in convolutions and fully connected layers — the lecture's
``#filter params × #filter positions × #filters`` — with no bias adds and no
element-wise work (batch norm, activations, pooling, residual adds, the
squeeze-excite scaling). That is exactly ``torch.utils.flop_counter``'s count
divided by 2, the "GFLOPS" torchvision publishes. torchinfo 1.8 adds, per layer,
the bias (``C_out·H·W`` per convolution, ``out_features`` per linear layer) and
``2·C`` per batch norm; the tests pin both relations. What is counted, precisely —
each kind of layer, functional calls inside a ``forward`` (no record, no cost lost;
a functional convolution or matrix product would not be counted), modules called
twice, shared weights — is set out in :mod:`viz.trace.counting`.

Entry points:

* :func:`trace` — trace a model the caller built (properly initialised weights,
  or on the meta device: then the pass only propagates shapes — note that
  PyTorch's meta kernels import ``torch._dynamo`` on first use, seconds once).
* :func:`trace_network` — the page-facing fast path for a zoo network: build on
  the meta device (the skeleton is kept for the next call), give it zero weights on
  the CPU — views of one block of fresh zero pages, so at most the largest tensor's
  size and in practice almost no resident memory (no NaN, no denormals, batch norm
  running variance 1) — one real forward pass, then the weights are dropped
  (:mod:`architectures.skeleton`). :func:`cheap_network` lends the same model to
  other tools inside a ``with`` block.
* :func:`group` / :meth:`TraceResult.group` — records grouped by stage (depth 0)
  or block (depth 1), for "where the cost lives" and volume charts.

Bad input never escapes as a torch traceback: a malformed input size, a wrong
channel count, or an input too small for the network raises ``ValueError`` with a
message saying what is allowed (for a too-small input: the layer where the
feature map collapses and the smallest square input that works, found by a
doubling-then-bisecting search of small real forward passes — on the zero weights
for a zoo network — whose answers are remembered per network).

The package, split by job (as torchinfo splits its own):

* :mod:`~viz.trace.records`    what a trace returns: LayerRecord, TraceResult, Group, group()
* :mod:`~viz.trace.counting`   layer_macs: the convention, layer by layer
* :mod:`~viz.trace.recording`  the traced pass: forward wrappers, records, totals, trace()
* :mod:`~viz.trace.diagnosis`  a failed pass explained: the failing layer, the size search
* :mod:`~viz.trace.zoo`        trace_network / cheap_network on :mod:`architectures.skeleton`
* :mod:`~viz.trace.modes`      a model's device and eval mode, shared by the pass and the probes
* :mod:`~viz.trace.receptive`  receptive fields (size, jump, start) carried through a real pass
* :mod:`~viz.trace.geometry`   a layer's window (kernel, stride, padding, groups) read from its module
"""

from architectures.skeleton import clear_cache
from viz.trace.counting import layer_macs
from viz.trace.recording import normalise_input_size, trace
from viz.trace.records import Group, LayerRecord, TraceResult, group
from viz.trace.zoo import MAX_PIXELS, cheap_network, network_fields, trace_network

__all__ = [
    "MAX_PIXELS", "Group", "LayerRecord", "TraceResult", "cheap_network", "clear_cache", "group",
    "layer_macs", "network_fields", "normalise_input_size", "trace", "trace_network",
]
