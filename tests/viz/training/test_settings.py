"""Every setting is a Control: defaults agree, bad values are refused, and every one round-trips in a URL."""

from __future__ import annotations

from dataclasses import fields

import pytest

from viz.controls import check_link
from viz.training.settings import ALL_SETTINGS, DepthSettings, TransferSettings

HOSTILE = ("abc", "1e309", "-1", "nan", "inf", "<script>x</script>", "`) ![p](http://evil.example/t.png)", "")


@pytest.mark.parametrize("cls", ALL_SETTINGS, ids=lambda c: c.__name__)
def test_one_control_per_field_with_the_same_default(cls):
    assert [f.name for f in fields(cls)] == [c.name for c in cls.CONTROLS]
    assert all(getattr(cls(), c.name) == c.default for c in cls.CONTROLS)
    assert cls().validated() == cls()
    keys = [c.key for s in ALL_SETTINGS for c in s.CONTROLS]
    assert len(keys) == len(set(keys))  # one page: every URL key once


def _other_value(control):
    """A valid value that is not the default."""
    o = control.option
    if o.kind == "subset":
        return tuple(c for c in o.choices if c not in o.default)[:1] or o.choices[:1]
    if o.kind == "choice":
        return next(c for c in o.choices if c != o.default)
    return o.maximum if o.default != o.maximum else o.minimum


@pytest.mark.parametrize("cls", ALL_SETTINGS, ids=lambda c: c.__name__)
def test_every_setting_round_trips_in_the_url(cls):
    for control in cls.CONTROLS:
        value = _other_value(control)
        text = control.to_url(value)
        link = check_link(cls.CONTROLS, {control.key: text})
        assert link.notices == () and link.changes == {}, control.key  # read back as it was written
        assert control.check(value) == value
    # issue 14's bug: steps=25 must come back as 25, not the default.
    assert check_link(DepthSettings.CONTROLS, {"d_steps": "25"}).changes == {}


@pytest.mark.parametrize("cls", ALL_SETTINGS, ids=lambda c: c.__name__)
def test_hostile_values_fall_back_with_a_notice_quoting_them_as_code(cls):
    for control in cls.CONTROLS:
        for raw in HOSTILE:
            link = check_link(cls.CONTROLS, {control.key: raw})
            if raw == "" and control.option.kind != "subset":
                assert link.notices == ()  # empty: as if absent
                continue
            if control.option.kind == "subset":
                assert link.changes.get(control.key, "kept") in (None, [""], "kept")
            else:
                assert link.changes == {control.key: None}, (control.key, raw)  # dropped: the default
            for notice in link.notices:
                assert "`" in notice and "<script>" not in notice.replace("`<script>x</script>`", "")


def test_rules_beyond_one_value():
    assert DepthSettings(depths=(56, 8)).validated().depths == (8, 56)
    with pytest.raises(ValueError, match="from 1 to 6 depths"):
        DepthSettings(depths=()).validated()
    with pytest.raises(ValueError, match="Depths"):
        DepthSettings(depths=(8, 9)).validated()  # 9 is not 6n + 2
    with pytest.raises(ValueError, match="Steps"):
        DepthSettings(steps=7).validated()
    with pytest.raises(ValueError, match="Seed"):
        DepthSettings(seed=-1).validated()
    assert TransferSettings.from_dict(TransferSettings().to_dict()) == TransferSettings()
    with pytest.raises(ValueError, match="unknown setting"):
        TransferSettings.from_dict({"nope": 1})
