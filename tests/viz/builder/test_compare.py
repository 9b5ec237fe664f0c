"""Two networks side by side (issue 17): stages aligned, and where parameters and multiply-adds differ."""

from __future__ import annotations

from dataclasses import replace

from viz.builder.compare import align, biggest_differences, difference_rows
from viz.builder.design import evaluate
from viz.builder.rows import normalise
from viz.builder.start import design_from_zoo
from viz.trace import trace_network


def test_vgg16_and_vgg19_pair_by_name_and_differ_where_vgg19_has_more_convs():
    # Simonyan & Zisserman 2015, Table 1: D and E differ by one 3×3 conv in blocks 3, 4 and 5.
    a, b = trace_network("vgg16"), trace_network("vgg19")
    pairs, by = align(a, b)
    assert by == "name"
    assert [(p.a.name, p.b.name) for p in pairs] == [(n, n) for n in
                                                     ("block1", "block2", "block3", "block4", "block5", "fc6", "fc7",
                                                      "fc8")]
    rows = difference_rows(pairs, a, b)
    deltas = {r["A stage"]: r["Δ parameters (B − A)"] for r in rows}
    assert deltas["block3"] == 256 * 256 * 9 + 256 and deltas["block4"] == deltas["block5"] == 512 * 512 * 9 + 512
    assert deltas["block1"] == deltas["fc6"] == 0
    assert deltas["total"] == 143_667_240 - 138_357_544  # Table 2: 144M vs 138M
    assert sum(r["Δ parameters (B − A)"] for r in rows[:-1]) == deltas["total"]
    assert sum(r["Δ MACs (B − A)"] for r in rows[:-1]) == b.total_macs - a.total_macs


def test_vgg16_and_resnet50_pair_by_map_size():
    a, b = trace_network("vgg16"), trace_network("resnet50")
    pairs, by = align(a, b)
    assert by == "map size"
    slots = [(p.a.name if p.a else None, p.b.name if p.b else None) for p in pairs]
    # Each stage beside the one that ends at the same map size (28×28: VGG's block3, ResNet's layer2); the
    # first stages side by side though they end at 112 and 56; VGG's two extra FC layers beside a gap.
    assert slots == [("block1", "stem"), ("block2", "layer1"), ("block3", "layer2"), ("block4", "layer3"),
                     ("block5", "layer4"), ("fc6", "head"), ("fc7", None), ("fc8", None)]
    rows = difference_rows(pairs, a, b)
    assert sum(r["A parameters"] or 0 for r in rows[:-1]) == a.total_params
    assert sum(r["B MACs"] or 0 for r in rows[:-1]) == b.total_macs


def test_a_design_started_from_a_network_differs_only_where_it_was_edited():
    design = design_from_zoo("resnet18")
    edited = list(design.rows)
    index = next(i for i, r in enumerate(edited) if r.stage == "layer4")
    edited[index] = normalise({**edited[index].__dict__, "c": 256})  # layer4's first block: 256 instead of 512
    ours = evaluate(replace(design, rows=tuple(edited))).result
    pairs, _ = align(trace_network("resnet18"), evaluate(design).result)
    assert all(p.a.params == p.b.params and p.a.macs == p.b.macs for p in pairs)
    pairs, by = align(trace_network("resnet18"), ours)
    changed = [p.a.name for p in pairs if p.a.params != p.b.params]
    assert by == "name" and changed == ["layer4"]  # the stage holding the edited row (the rest of layer4 too)
    assert biggest_differences(pairs)[0].startswith("layer4 vs layer4: -")
