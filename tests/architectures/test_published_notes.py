"""Every published-figure note says exactly what the modules count (issue 11's list).

Each number a note quotes is recomputed here from a module, so a note can't drift from
the zoo; the published figures themselves are pinned with their sources.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import NETWORKS
from architectures.inception import INCEPTION_TABLE
from viz.trace import trace_network


def _note(name: str) -> str:
    return NETWORKS[name].extra["published"]["note"]


def _one_weird_trick_alexnet() -> nn.Module:
    """torchvision's alexnet layers (Krizhevsky 2014, "One weird trick…"): 64-192-384-256-256."""
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d(6),
        nn.Flatten(), nn.Linear(256 * 36, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, 1000),
    )


def test_alexnet_torchvision_cost_is_its_exact_count():
    model = _one_weird_trick_alexnet()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    macs = counter.get_total_flops() // 2
    assert sum(p.numel() for p in model.parameters()) == 61_100_840  # torchvision's alexnet model card
    assert macs == 714_188_480  # torchvision's card: 0.71 GFLOPS (multiply-adds)
    published = NETWORKS["alexnet"].extra["published"]
    assert published["torchvision_macs"] == macs
    assert "714,188,480" in _note("alexnet")


def test_googlenet_note_quotes_each_module_against_table_1():
    # Szegedy et al. 2015, Table 1, params column (K = 1024 weights, no biases).
    table_k = {"inception4c": 463, "inception4d": 580, "inception5a": 1072, "inception5b": 1388}
    note = _note("googlenet")
    for name, table in table_k.items():
        cin, c1, r3, c3, r5, c5, pp = INCEPTION_TABLE[name]
        weights = cin * c1 + cin * r3 + 9 * r3 * c3 + cin * r5 + 25 * r5 * c5 + cin * pp
        ours_k = weights / 1024
        shown = f"{ours_k:,.1f}K".replace(".0K", "K")
        assert shown in note, (name, shown)
        assert f"{(ours_k - table) / table:+.1%}".replace("-", "−") in note
    result = trace_network("googlenet")
    macs_5a = sum(r.macs for r in result.records if r.name.startswith("inception5a."))
    assert f"{macs_5a / 1e6:.1f}M" == "51.1M" and "51.1M" in note  # Table 1 says 54M for 5a


def test_mobilenet_v2_note_has_both_widths_exactly():
    note = _note("mobilenet_v2")
    one = trace_network("mobilenet_v2")
    wide = trace_network("mobilenet_v2", {"width": 1.4})
    assert f"{one.total_params:,}" in note and f"{one.total_macs:,}" in note
    assert f"{wide.total_params:,}" in note and f"{wide.total_macs:,}" in note
    assert "rounds the count" not in note  # 3,504,872 rounds to 3.5M, not the paper's 3.4M


@pytest.mark.parametrize("variant, paper, decimals", [
    ("b1", "0.70B", 3), ("b4", "4.2B", 2), ("b5", "9.9B", 2), ("b7", "37B", 2),
])
def test_efficientnet_notes_say_where_table_2_differs(variant, paper, decimals):
    note = _note(f"efficientnet_{variant}")
    macs = trace_network(f"efficientnet_{variant}").total_macs
    assert paper in note  # Tan & Le 2019, Table 2
    assert f"{macs / 1e9:.{decimals}f} B" in note  # the official model's count, as torchvision's


def test_efficientnet_b2_note_gives_the_unrounded_parameters():
    note = _note("efficientnet_b2")
    params = trace_network("efficientnet_b2").total_params
    assert f"{params:,}" in note and "9.2M" in note  # Table 2 says 9.2M


def test_resnet34_note_says_the_papers_figure_is_the_option_a_baseline():
    note = _note("resnet34")
    plain = trace_network("resnet34", {"residual": False}).total_macs
    option_b = trace_network("resnet34").total_macs
    assert f"{plain:,}" in note and f"{option_b:,}" in note
    assert "option A" in note and "§3.3" in note
    assert abs(plain - 3.6e9) < abs(option_b - 3.6e9)  # He et al. 2016, Table 1: 3.6×10⁹
