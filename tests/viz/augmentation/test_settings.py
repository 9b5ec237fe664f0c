"""Every Augmentation Lab setting is declared once as a viz.controls.Control, with the lecture's defaults,
and a link written by its widgets reads back as it was."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from architectures import NETWORKS
from tests.viz.blocklab.helpers import PROPERTY, values
from viz import controls
from viz.augmentation import distortions as D
from viz.augmentation import settings as S
from viz.augmentation.distortions import STEP_TYPES
from viz.formatting import user_value


def test_keys_and_names_are_unique_and_every_default_is_allowed():
    keys = [c.key for c in S.CONTROLS]
    assert len(keys) == len(set(keys)) and len({c.name for c in S.CONTROLS}) == len(keys)  # one page, one URL
    for c in S.CONTROLS:
        assert c.check(c.default) == c.default, c.key


def test_defaults_are_the_lectures_and_the_papers():
    assert S.PCA_SIGMA.default == 0.1  # AlexNet §4.1: α ~ N(0, 0.1)
    assert tuple(c.default for c in S.COLOR_FIXED) == (20, -20, 20)  # the lecture's +20, −20, +20
    assert S.COST_CROPS.default == 10 and 144 in S.COST_CROPS.option.choices  # AlexNet's 10-crop; GoogLeNet §7's 144
    assert S.COST_MODELS.default == 7  # GoogLeNet's ILSVRC 2014 ensemble (Szegedy et al. 2015, §7)
    assert S.COST_NET.option.choices == tuple(NETWORKS) and S.COST_NET.default == "alexnet"
    assert S.PIPE_STEPS.option.choices == tuple(t.label for t in STEP_TYPES)
    assert S.ROT_PAD.to_url(S.ROT_PAD.default) == "black"  # shown, and written in a link, as its label
    assert S.CROP_SCALE.default == (0.08, 1.0)  # GoogLeNet's 8%–100% of the area (torchvision's default)


def test_every_step_is_built_from_its_own_controls():
    assert set(S.STEP_CONTROLS) == {t.label for t in STEP_TYPES}
    assert S.make_step("random crop", {"crop_scale": (0.2, 0.9)}) == D.RandomResizedCrop(224, (0.2, 0.9), (0.75, 1.33))
    assert S.make_step("rotation", {"rot_deg": 45, "rot_pad": "border"}) == D.Rotation(45.0, "border")
    assert S.make_step("PCA colour") == D.PCAColor(0.1)
    with pytest.raises(ValueError, match="Largest angle"):
        S.make_step("rotation", {"rot_deg": 400})
    assert [s.label for s in S.default_pipeline().steps] == list(S.PIPE_STEPS.default)


@PROPERTY
@given(data=st.data())
def test_a_link_the_widgets_wrote_is_read_back_as_it_is(data):
    control = data.draw(st.sampled_from(S.CONTROLS))
    value = data.draw(values(control))
    assert controls.check_link((control,), {control.key: control.to_url(value)}) == controls.LinkCheck({}, ())


def test_the_url_text_the_widgets_write():
    assert S.CROP_SCALE.to_url((0.2, 1.0)) == ["0.2", "1"]  # a range slider: a repeated key
    assert S.PIPE_STEPS.to_url(("mirroring", "rotation")) == ["mirroring", "rotation"]
    assert S.PIPE_STEPS.to_url(()) == [""]  # none: ?pipe_steps=
    assert S.CROP_SIZE.to_url(160) == "160" and S.WARP_GRID.to_url(False) == "false"


def test_a_link_written_by_hand_is_read_as_meant():
    link = controls.check_link(S.CONTROLS, {"crop_scale": "0.2,0.9", "pipe_steps": "mirroring, rotation",
                                            "rot_pad": "Edge pixels", "seed": "7.0"})
    assert link.notices == ()
    assert link.changes == {"crop_scale": ["0.2", "0.9"], "pipe_steps": ["mirroring", "rotation"],
                            "rot_pad": "edge pixels", "seed": "7"}  # a label, case aside, is its choice


@pytest.mark.parametrize("key, text", [("seed", "inf"), ("seed", "1e99"), ("seed", "-3"), ("mirror_p", "nan"),
                                       ("crop_scale", "0.9,0.2"), ("crop_scale", "0.5"), ("crop_size", "100"),
                                       ("rot_pad", "<b>x</b>"), ("cost_net", "[x](http://evil.example)")])
def test_a_hostile_value_is_dropped_with_a_notice_quoting_it_as_code(key, text):
    link = controls.check_link(S.CONTROLS, {key: text})
    assert link.changes == {key: None}
    (notice,) = link.notices
    assert f"{key}={user_value(text)}" in notice


def test_unknown_pipeline_steps_are_named_and_the_known_ones_kept():
    link = controls.check_link(S.CONTROLS, {"pipe_steps": ["mirroring", "<script>", "rotation"]})
    assert link.changes == {"pipe_steps": ["mirroring", "rotation"]}
    assert "`<script>`" in link.notices[0]
