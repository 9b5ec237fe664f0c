"""Designs shared by the builder's tests: one with every kind of row, small enough to run for real."""

from __future__ import annotations

from viz.builder.design import Design
from viz.builder.rows import KINDS, normalise

# 64×64×3 → 10, one row of each kind, each fitting the shape the row above gives it.
EVERY_KIND = Design((3, 64, 64), tuple(normalise(dict(kind=kind, **values)) for kind, values in (
    ("conv", dict(c=16, stage="stem")),
    ("conv1x1", dict(c=32, groups=2, stage="stem")),
    ("maxpool", dict(k=3, s=2, p=1, ceil=True, stage="stem")),  # 64 → 32
    ("lrn", dict(stage="stem")),
    ("inception", dict(inception="16 16 24 8 8 8")),  # 16 + 24 + 8 + 8 = 56 channels
    ("basic", dict(c=64, s=2, stage="res")),  # 32 → 16, projection
    ("bottleneck", dict(c=16, shortcut="identity", stage="res")),  # 64 → 64: the identity fits
    ("dwsep", dict(c=96, s=2)),  # 16 → 8
    ("mbv2", dict(t=6, c=96)),  # stride 1, 96 → 96: with its residual
    ("mbconv", dict(t=4, c=128, s=2, k=5, se=0.25)),  # 8 → 4
    ("avgpool", dict(k=2)),  # 4 → 2
    ("act", dict(act="silu")),
    ("gap", dict(stage="head")),
    ("flatten", dict(stage="head")),
    ("dropout", dict(drop=0.3, stage="head")),
    ("fc", dict(c=10, stage="head")),
)), "every_kind")
assert {r.kind for r in EVERY_KIND.rows} == set(KINDS)
