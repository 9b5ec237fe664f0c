"""Every Augmentation Lab setting is declared once, with a default its own widget allows."""

from __future__ import annotations

import pytest

from architectures import NETWORKS
from viz.augmentation import settings as S
from viz.augmentation.distortions import STEP_TYPES


def test_keys_are_unique_and_every_default_is_allowed():
    keys = [c.key for c in S.CONTROLS]
    assert len(keys) == len(set(keys))
    for c in S.CONTROLS:
        if c.kind == "slider":
            values = c.default if isinstance(c.default, tuple) else (c.default,)
            assert all(c.minimum <= x <= c.maximum for x in values), c.key
        elif c.kind in ("select", "select_slider"):
            assert c.default in c.options, c.key
        elif c.kind == "multiselect":
            assert set(c.default) <= set(c.options), c.key
        else:
            assert c.kind == "checkbox" and isinstance(c.default, bool), c.key


def test_defaults_are_the_lectures_and_the_papers():
    assert S.PCA_SIGMA.default == 0.1  # AlexNet §4.1: α ~ N(0, 0.1)
    assert tuple(c.default for c in S.COLOR_FIXED) == (20, -20, 20)  # the lecture's +20, −20, +20
    assert S.COST_CROPS.default == 10 and 144 in S.COST_CROPS.options  # AlexNet's 10-crop; GoogLeNet §7's 144
    assert S.COST_MODELS.default == 7  # GoogLeNet's ILSVRC 2014 ensemble (Szegedy et al. 2015, §7)
    assert S.COST_NET.options == tuple(NETWORKS) and S.COST_NET.default == "alexnet"
    assert S.PIPE_STEPS.options == tuple(t.label for t in STEP_TYPES)
    assert S.ROT_PAD.labels[S.ROT_PAD.default] == "black"


@pytest.mark.parametrize("link, seed", [("5", 5), (7, 7), ("-5", 5), ("cat", 0), ("1.5", 0), (None, 0),
                                        ("", 0), (str(10**12), S.MAX_SEED)])
def test_seed_from_a_shared_link(link, seed):
    assert S.seed_from_link(link) == seed
