"""ONNX node names → module-like paths (``"layer1.0.conv1.conv"``), so nodes group into stages.

The Explorer groups records by the dotted path of their names (depth 0: stages, depth 1:
blocks). An ONNX file has no modules, but its names usually say where a node belongs:

* ``torch.onnx.export`` names nodes by module scope, ``/layer1/layer1.0/conv1/conv/Conv``:
  the path is the module's, ``layer1.0.conv1.conv`` (the last segment names the op);
* files whose node names only count (``n7``, ``Relu_3``) or are empty — the onnx package's
  Caffe2-made test models — name their weights, ``gpu_0/res2_0_branch2a_w_0``: the path
  comes from the weight's name without its ending (``_w_0``, ``.weight``) and without the
  leading part every name shares (``gpu_0/``), split at ``/`` — or, if there is none, at
  ``.`` or ``_`` (``res2.0.branch2a``: stage ``res2``, block ``res2.0``);
* a node with no such name and no weight (an activation, a pool, a residual sum) joins the
  innermost group holding every node that feeds it, while that group is still running (a
  ReLU after ``conv1_1`` is ``conv1.Relu``; the sum of ``res2.0``'s branches ``res2.0.Sum``);
  a residual sum joins the block whose input and output it adds (``res3.1.Sum``, not ``res3``);
  a node feeding a group that has already begun elsewhere joins the group it feeds (the pool
  branch of an inception module); a reshape that flattens joins the layer it feeds. One
  that follows (or feeds) a top-level layer alone makes a group with it: AlexNet's
  ``conv1`` is its Conv, Relu, LRN and MaxPool, as in the zoo.

A group must be one contiguous run of nodes (a stage is drawn as one box): where a prefix
would gather nodes from separate places (ShuffleNet's ``gconv1_0`` … ``gconv1_31`` between
other layers), it is not a group and the name stays whole (``gconv1_0``). A node whose path
is also a group's gets its op type appended (``layer1.0.Add``); nodes sharing one path (a
SiLU exported as Sigmoid and Mul) keep it and are numbered by ``call`` (0, 1, …), as the
tracer numbers a module called twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Endings that name a weight rather than the layer holding it ("conv1_w_0", "fc.weight").
_WEIGHT_WORDS = ("w", "b", "s", "weight", "bias", "scale", "kernel", "weights", "biases", "gamma",
                 "beta", "W", "B", "filter", "filters")
_WEIGHT_ENDING = re.compile(rf"[._](?:{'|'.join(map(re.escape, sorted(_WEIGHT_WORDS, key=len, reverse=True)))})$")


@dataclass(frozen=True)
class NameSource:
    """What one node offers for naming.

    node_name   its name in the file ("" if none)
    weight_name the name of its first weight ("" if none)
    op_type     its op type
    producers   positions (in the same list) of the nodes producing its inputs
    consumers   positions of the nodes using its outputs
    flattens    True when its output has fewer dimensions than its input (a flatten)
    """

    node_name: str
    weight_name: str
    op_type: str
    producers: tuple[int, ...] = ()
    consumers: tuple[int, ...] = ()
    flattens: bool = False


def _segments_of_node_name(name: str, op_type: str) -> list[str]:
    segments = [s for s in name.split("/") if s]
    if len(segments) > 1 and re.fullmatch(rf"{re.escape(op_type)}(_\d+)?", segments[-1]):
        segments = segments[:-1]  # torch.onnx.export's last segment is the op ("Conv", "Mul_1")
    return segments


def _segments_of_weight_name(name: str) -> list[str]:
    stem = re.sub(r"_\d+$", "", name)  # Caffe2's blob version ("conv1_w_0")
    segments = [s for s in stem.split("/") if s]
    if not segments:
        return []
    if segments[-1] in _WEIGHT_WORDS and len(segments) > 1:  # "conv1/weights"
        return segments[:-1]
    segments[-1] = _WEIGHT_ENDING.sub("", segments[-1]) or segments[-1]
    return segments


def _segments(source: NameSource) -> list[str]:
    """The node's own name as ``/`` segments: its name if that has a hierarchy, else its weight's
    name; none for a flat node name (``n7``, ``Relu_3``, ``node_Conv_0``: a counter, not a place)."""
    if source.node_name and ("/" in source.node_name or "." in source.node_name):
        segments = _segments_of_node_name(source.node_name, source.op_type)
        if segments:
            return segments
    if source.weight_name:
        return _segments_of_weight_name(source.weight_name)
    return []


def _tokens(segments: Sequence[str]) -> list[str]:
    """Segments → path tokens. One segment splits at ``.`` (or else ``_``); several are the
    tokens, a qualified module name (``layer1.0`` after ``layer1``) continuing the path."""
    if len(segments) == 1:
        (only,) = segments
        return [t for t in re.split(r"[.]" if "." in only else r"_", only) if t]
    tokens: list[str] = []
    for segment in segments:
        parts = [p for p in segment.split(".") if p]
        if len(parts) > len(tokens) and parts[: len(tokens)] == tokens:
            tokens = parts
        else:
            tokens.extend(parts)
    return tokens


def _common_prefix(paths: Sequence[Sequence[str]]) -> list[str]:
    if not paths:
        return []
    first = list(paths[0])
    n = len(first)
    for p in paths[1:]:
        n = min(n, len(p))
        for i in range(n):
            if p[i] != first[i]:
                n = i
                break
    return first[:n]


def _flatten_scattered(paths: list[list[str]], active: Sequence[bool]) -> None:
    """Merge tokens (with ``_``) wherever a group prefix would gather non-adjacent nodes.

    A node whose whole path is a group's name counts as inside that group (it will be
    renamed into it); nodes that only share a name (not a group) are left as they are.
    """
    before = [0]  # before[i]: active nodes among the first i
    for flag in active:
        before.append(before[-1] + bool(flag))
    settled: set[tuple[str, ...]] = set()
    while True:
        spans: dict[tuple[str, ...], list[int]] = {}  # prefix -> [first, last, count]
        for i, path in enumerate(paths):
            if not active[i]:
                continue
            for k in range(1, len(path) + 1):
                span = spans.setdefault(tuple(path[:k]), [i, i, 0])
                span[1] = i
                span[2] += 1
        scattered = [p for p, (first, last, count) in spans.items()
                     if p not in settled and count != before[last + 1] - before[first]]
        if not scattered:
            return
        prefix = min(scattered, key=len)
        k = len(prefix)
        changed = False
        for i, path in enumerate(paths):
            if active[i] and len(path) > k and tuple(path[:k]) == prefix:
                paths[i] = path[: k - 1] + [f"{path[k - 1]}_{path[k]}"] + path[k + 1:]
                changed = True
        if not changed:
            settled.add(prefix)


def _labels(sources: Sequence[NameSource]) -> list[list[str]]:
    """Each node's own path tokens ([] for a node that has no name of its own)."""
    segments = [_segments(s) for s in sources]
    named = [i for i, seg in enumerate(segments) if seg]
    # The leading segments every name shares ("gpu_0") say nothing about where a node is.
    if len(named) > 1:
        shared = _common_prefix([segments[i] for i in named])
        if shared and all(len(segments[i]) > len(shared) for i in named):
            for i in named:
                segments[i] = segments[i][len(shared):]
    labels = [_tokens(seg) if seg else [] for seg in segments]
    _flatten_scattered(labels, [bool(t) for t in labels])
    return labels


def _into_running_child(scope: list[str], producers: list[int], i: int, paths, homes, sources) -> list[str]:
    """A residual sum's place: the group just run (``res3.1``) rather than the stage holding both its
    inputs (``res3``), when each input from outside that group is also that group's input."""
    previous = homes[i - 1] if i and homes[i - 1] is not None else []
    if len(previous) <= len(scope) or previous[: len(scope)] != scope:
        return scope
    child = previous[: len(scope) + 1]

    def inside(j: int) -> bool:
        return paths[j] is not None and paths[j][: len(child)] == child

    for p in producers:
        if homes[p][: len(child)] != child and not any(c < i and inside(c) for c in sources[p].consumers):
            return scope
    return child


def scope_names(sources: Sequence[NameSource]) -> list[tuple[str, int]]:
    """For each node (in execution order), its record name (dotted path) and call number."""
    labels = _labels(sources)
    paths: list[list[str] | None] = []
    # The group each node sits in (a named node's path less its own name); None while a node
    # waits for the nodes it feeds to be placed.
    homes: list[list[str] | None] = []
    waiting = []
    for i, source in enumerate(sources):
        if labels[i]:
            paths.append(labels[i])
            homes.append(labels[i][:-1])
            continue
        previous = next((p for p in reversed(paths) if p is not None), [])
        producers = [p for p in source.producers if 0 <= p < i and homes[p] is not None]
        scope = _common_prefix([homes[p] for p in producers]) if producers else []
        scope = _into_running_child(scope, producers, i, paths, homes, sources)
        if not scope and len(producers) == 1 and len(labels[producers[0]]) == 1:
            scope = list(labels[producers[0]])  # after a top-level layer alone: a group with it
        consumers = [c for c in source.consumers if c > i and labels[c]]
        feeds = _common_prefix([labels[c][:-1] for c in consumers]) if consumers else None
        if feeds == [] and len(consumers) == 1 and len(labels[consumers[0]]) == 1:
            feeds = list(labels[consumers[0]])  # before a top-level layer alone (a flatten before FC)
        running = previous[: len(scope)] == scope
        if feeds is not None and (source.flattens and feeds or not running):
            scope = feeds
        elif not running and producers:
            paths.append(None)
            homes.append(None)
            waiting.append(i)
            continue
        paths.append(scope + [source.op_type])
        homes.append(scope)
    for i in reversed(waiting):  # a branch into a group begun elsewhere: the group it feeds
        fed = [homes[c] for c in sources[i].consumers if c > i and homes[c] is not None]
        if fed:
            scope = _common_prefix(fed)
        else:
            producers = [p for p in sources[i].producers if 0 <= p < i and homes[p] is not None]
            scope = _common_prefix([homes[p] for p in producers])
        paths[i] = scope + [sources[i].op_type]
        homes[i] = scope
    _flatten_scattered(paths, [True] * len(paths))

    containers = {tuple(p[:k]) for p in paths for k in range(1, len(p))}
    for i, path in enumerate(paths):
        if tuple(path) in containers:
            paths[i] = path + [sources[i].op_type]
    calls: dict[str, int] = {}
    out = []
    for path in paths:
        name = ".".join(path)
        call = calls.get(name, 0)
        calls[name] = call + 1
        out.append((name, call))
    return out
