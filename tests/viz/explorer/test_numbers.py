"""Counts as the lecture says them: the headline's agreement with the lecture, MACs and FLOPs."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from viz.explorer import numbers as ex

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def test_params_headline_matches_the_lecture():
    # 138,357,544: VGG-16 (torchvision's vgg16; Simonyan & Zisserman Table 2 "138M"), the lecture's "~138M".
    assert ex.params_headline(138_357_544, NETWORKS["vgg16"]) == "138,357,544 ≈ 138M as in the lecture"
    # LeNet-5's 61,706 (architectures/lenet.py table) is within 5 % of the lecture's "about 60K".
    assert ex.params_headline(61_706, NETWORKS["lenet5"]) == "61,706 ≈ 60K as in the lecture"
    # A width-0.5 variant is far from the claim: the headline says the claim is for the default.
    text = ex.params_headline(1_000_000, NETWORKS["vgg16"], is_default=False)
    assert "the lecture's 138M is for the default VGG-16" in text


def test_flops_are_twice_macs():
    # VGG-16: 15,470,264,320 multiply-adds (torchvision model card "15.47 GFLOPS", which are MACs).
    assert ex.macs_in(15_470_264_320, "FLOPs") == 30_940_528_640
    assert ex.format_macs(15_470_264_320) == "15.5G MACs"
    assert ex.format_macs(15_470_264_320, "FLOPs") == "30.9 GFLOPs"
    assert "FLOPs = 2 × MACs" in ex.UNIT_NOTE


def test_macs_caption_gives_the_exact_count_per_image():
    # VGG-16 at 224 × 224: 15,470,264,320 multiply-adds (torchvision model card, 15.47 G).
    size = (1, 3, 224, 224)
    assert ex.macs_caption(15_470_264_320, "MACs", size) == "15,470,264,320 multiply-adds per 224 × 224 image"
    assert ex.macs_caption(15_470_264_320, "FLOPs", size) == \
        "30,940,528,640 = 2 × 15,470,264,320 MACs per 224 × 224 image"
