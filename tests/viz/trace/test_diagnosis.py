"""viz.trace.diagnosis: a failed pass on a hand-made model becomes a ValueError that names the
layer and says what works. (The zoo's networks: test_zoo.py.)
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tests.viz.trace.helpers import Branchy
from viz.trace import trace
from viz.trace.diagnosis import _SEARCH_LIMIT, _largest_working, _prober, _smallest_working


def test_wrong_channel_count_names_the_layer():
    with pytest.raises(ValueError, match=r"stem\.conv expects 3 input channels but receives 1"):
        trace(Branchy(), (1, 32, 32))


def test_too_small_input_names_the_layer_and_smallest_size():
    # Two valid 5×5 convolutions and a 2×2 pool between: n → n − 4 → ⌊(n − 4)/2⌋ → that − 4 ≥ 1,
    # so the smallest side is 14 (14 → 10 → 5 → 1).
    model = nn.Sequential(nn.Conv2d(3, 4, 5), nn.MaxPool2d(2), nn.Conv2d(4, 4, 5))
    with pytest.raises(ValueError) as info:
        trace(model, (3, 12, 12), name="toy")
    message = str(info.value)
    assert message.startswith("toy: a 12×12 input is too small")
    assert "collapses at 2 (Conv2d 5×5 on a 4×4×4 map)" in message
    assert message.endswith("the smallest input that works is 14×14.")
    assert trace(model, (3, 14, 14)).output_shape == (1, 4, 1, 1)
    with pytest.raises(ValueError):
        trace(model, (3, 13, 13))


def test_other_failures_become_value_errors():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 1)

        def forward(self, x):
            raise RuntimeError("something odd")

    with pytest.raises(ValueError, match="something odd"):
        trace(Broken(), (3, 4, 4))


# ------------------------------------------------------------- the size search, on its own


def band(lo: int, hi: int):
    """A probe for a network that runs on sides lo…hi only, and the sides it was asked about."""
    asked: list[int] = []

    def probe(side: int) -> bool:
        asked.append(side)
        return lo <= side <= hi

    return probe, asked


def test_smallest_working_doubles_then_bisects_without_a_known_size():
    probe, asked = band(37, 10**6)
    assert _smallest_working(probe, 8, None) == 37
    assert asked == [16, 32, 64, 48, 40, 36, 38, 37]  # doubling from 8, then bisecting 32…64


def test_smallest_working_gallops_down_from_a_known_size():
    # A network with fixed-size layers runs only near its default (e.g. VGG-16's classifier
    # takes 7×7×512 only): the probes stay at and below the size known to run.
    probe, asked = band(193, 224)
    assert _smallest_working(probe, 99, 224) == 193
    assert max(asked) < 224 and asked[:5] == [223, 221, 217, 209, 193]


def test_smallest_working_gives_up_at_the_search_limit():
    probe, asked = band(10**6, 10**7)
    assert _smallest_working(probe, 8, None) is None
    assert max(asked) == _SEARCH_LIMIT


def test_largest_working_gallops_up_without_probing_near_a_huge_size():
    probe, asked = band(1, 255)
    assert _largest_working(probe, 224, 10_000) == 255
    assert max(asked) < 2 * 255


def test_prober_remembers_its_answers_and_restores_the_mode():
    model = nn.Sequential(nn.Conv2d(3, 4, 5), nn.MaxPool2d(2), nn.Conv2d(4, 4, 5))  # smallest side 14
    passes = []
    model.register_forward_pre_hook(lambda module, args: passes.append(args[0].shape))
    memo: dict[int, bool] = {}
    probe = _prober(model, (1, 3, 32, 32), torch.float32, memo)
    assert probe(14) is True and probe(13) is False and probe(14) is True
    assert memo == {14: True, 13: False}
    assert passes == [(1, 3, 14, 14), (1, 3, 13, 13)]  # the repeated side cost no pass
    assert all(m.training for m in model.modules())  # eval for the probes, then restored
