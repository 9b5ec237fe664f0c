"""Published figures beside ours, pretrained weights, and the source of every network."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from viz.explorer import published as ex

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_network_has_source_published_rows_and_a_pretrained_line(name):
    spec = NETWORKS[name]
    path, source = ex.module_source(name)
    # The file that defines the network's builder, whole (its SPECS included).
    assert path == spec.builder.__module__.replace(".", "/") + ".py" and "SPECS" in source
    rows = ex.published_rows(spec, 1_000, 2_000, "FLOPs")
    assert rows[0]["FLOPs"] == "4 KFLOPs"
    assert ex.pretrained_note(spec)


def test_published_rows_for_resnet50_show_the_v15_gap():
    rows = ex.published_rows(NETWORKS["resnet50"], 25_557_032, 3_857_973_248)
    # He et al. 2016 Table 1: 3.8 G; torchvision's v1.5: 4.09 G (its model card).
    assert [r["multiply-adds"] for r in rows] == ["3.86G MACs", "3.8G MACs", "4.09G MACs"]
    assert "v1.5" in ex.published_note(NETWORKS["resnet50"])
    assert "torchvision.models.resnet50" in ex.pretrained_note(NETWORKS["resnet50"])
