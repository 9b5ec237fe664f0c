"""viz.controls, on the Block Lab's controls: checks, URL text both ways, shared-link checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.markdown import outside_code_spans
from tests.viz.blocklab.helpers import values
from viz import controls
from viz.blocklab.view import LABS
from viz.formatting import num, shape_text, user_value

ALL_CONTROLS = tuple(c for lab in LABS.values() for c in lab.controls)


def test_shapes_and_numbers_are_shown_the_lectures_way():
    # The Block Lab writes shapes and counts with viz.formatting (its own copies are gone).
    assert shape_text((1, 256, 28, 28)) == "28 × 28 × 256"  # N, C, H, W → n_H × n_W × n_C
    assert shape_text((192, 28, 28)) == "28 × 28 × 192"
    assert num(120422400) == "120,422,400"



def test_every_url_key_is_unique_across_the_labs():
    keys = [c.key for c in ALL_CONTROLS]  # one page, one URL: a key may mean one setting only
    assert len(keys) == len(set(keys))
    assert "lab" not in keys


def test_every_default_is_allowed_by_its_own_control():
    for control in ALL_CONTROLS:
        assert control.check(control.default) == control.default, control.key


@given(data=st.data())
def test_a_link_the_widgets_wrote_is_read_back_as_it_is(data):
    control = data.draw(st.sampled_from(ALL_CONTROLS))
    value = data.draw(values(control))
    link = controls.check_link((control,), {control.key: control.to_url(value)})
    assert link == controls.LinkCheck({}, ())  # a shared link keeps every setting, with no rerun needed


def test_url_text_the_widgets_write():
    inc = {c.key: c for c in LABS["inception"].controls}
    eff = {c.key: c for c in LABS["efficientnet"].controls}
    assert inc["i_r5on"].to_url(False) == "false" and inc["i_c1"].to_url(48) == "48"
    assert eff["e_preset"].to_url("b3") == "B3"  # a radio writes its shown label
    assert eff["e_phi"].to_url(1.5) == "1.5" and eff["e_phi"].to_url(2.0) == "2"


@pytest.mark.parametrize("text", ["inf", "1e999", "-5", "abc", "300", "nan", "64.5", "[x](http://evil.example)",
                                  "`` ![t](http://host/t.png) ``"])
def test_a_bad_url_value_is_dropped_with_a_notice_that_quotes_it_as_code(text):
    c1 = next(c for c in LABS["inception"].controls if c.key == "i_c1")
    link = controls.check_link((c1,), {"i_c1": text})
    assert link.changes == {"i_c1": None}  # dropped: the widget starts at its default
    (notice,) = link.notices
    assert f"i_c1={user_value(text)}" in notice  # the value only as a code span, never as markup
    assert text.strip("` ") not in outside_code_spans(notice)  # nothing of it renders as Markdown
    assert "an integer from 1 to 256" in notice and "default, 64" in notice  # what is allowed, and the default


def test_an_empty_value_is_dropped_quietly():
    c1 = next(c for c in LABS["inception"].controls if c.key == "i_c1")
    assert controls.check_link((c1,), {"i_c1": ""}) == controls.LinkCheck({"i_c1": None}, ())


def test_a_link_is_rewritten_only_where_the_widget_would_misread_it():
    inception = LABS["inception"].controls
    link = controls.check_link(inception, {"i_c1": "48.0", "i_r5on": "0", "i_c3": "128", "i_n": "20", "foo": "x"})
    assert link.changes == {"i_c1": "48", "i_r5on": "false"}  # as the widgets read them
    assert not link.notices  # "128" is the default as the widget writes it: it drops it itself
    assert controls.check_link(inception, {"i_c1": "64.0"}).changes == {"i_c1": None}  # a default stays out
    eff = LABS["efficientnet"].controls
    link = controls.check_link(eff, {"e_preset": "b3", "e_mode": "a preset b0–b7", "e_phi": "1.5"})
    assert link.changes == {"e_preset": "B3", "e_mode": "a preset B0–B7"}  # as the radios write them


def test_choices_must_be_one_of_them():
    m_k = next(c for c in LABS["mobilenet_v2"].controls if c.key == "m_k")
    link = controls.check_link((m_k,), {"m_k": "4"})
    assert link.changes == {"m_k": None} and "one of 3, 5, 7" in link.notices[0]
    assert controls.check_link((m_k,), {"m_k": "5"}).changes == {}


def test_resolve_fills_defaults_and_rejects_unknown_or_bad_settings():
    separable = LABS["separable"].controls
    assert controls.resolve(separable, {"f": 5})["f"] == 5
    assert controls.resolve(separable, {})["n_c_out"] == 5  # lecture: 5 filters
    with pytest.raises(ValueError, match="Unknown setting"):
        controls.resolve(separable, {"filters": 5})
    with pytest.raises(ValueError, match="from 1 to 7"):
        controls.resolve(separable, {"f": 9})


def test_checks_say_what_is_allowed():
    with pytest.raises(ValueError, match="whole number from 1 to 4"):
        controls.check_whole("n", float("inf"), 1, 4)
    with pytest.raises(ValueError, match="True or False"):
        controls.check_flag("ReLU", 1)
    assert controls.check_choice("stride", 2.0, (1, 2)) == 2 and type(controls.check_choice("s", 2.0, (1, 2))) is int
    with pytest.raises(ValueError, match="widget must be one of"):
        controls.ints("x", "x", "x", 1, 2, 1, widget="dial")



def test_a_control_is_hidden_while_its_shown_if_setting_has_another_value():
    from viz.blocklab.efficientnet import DEPTH, PHI  # shown_if=("mode", compound) / ("mode", by hand)
    compound, by_hand = PHI.shown_if[1], DEPTH.shown_if[1]
    assert controls.shown(PHI, {"mode": compound}) and not controls.shown(PHI, {"mode": by_hand})
    assert controls.shown(DEPTH, {"mode": by_hand}) and not controls.shown(DEPTH, {})  # its setting not drawn yet
    assert controls.shown(controls.ints("k", "k", "K", 0, 3, 1), {})  # no condition: always drawn


def test_a_greyed_out_control_says_which_setting_turns_it_on():
    from viz.blocklab.inception import (  # the 3×3 reduce width is used only with the bottleneck on
        CH3X3RED,
        REDUCE_3X3,
    )
    named = {REDUCE_3X3.name: REDUCE_3X3}
    assert controls.unused_because(CH3X3RED, {"reduce_3x3": True}, named) is None
    assert controls.unused_because(CH3X3RED, {"reduce_3x3": False}, named) == "Not used while “1×1 bottleneck” is off."
    by_mode = controls.Control("m_k", controls.ints("m_k", "k", "K", 0, 3, 1).option, enabled_if=("mode", "fast"))
    assert controls.unused_because(by_mode, {"mode": "slow"}, {}) == "Used only when “mode” is fast."
    assert controls.unused_because(by_mode, {"mode": "fast"}, {}) is None
