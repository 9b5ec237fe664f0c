"""viz.blocklab.common: the lab's own number formatting."""

from viz.blocklab import common


def test_short_numbers_as_the_lecture_rounds_them():
    assert common.short(12443648) == "12.4M"  # the lecture's "~12.4M"
    assert common.short(120422400) == "120M"  # the lecture's "~120M"
    assert common.short(37e9) == "37B"  # EfficientNet-B7, Tan & Le 2019 Table 2: 37B FLOPS
    assert common.data_size(2592) == "2.5 KB" and common.data_size(100) == "100 bytes"
