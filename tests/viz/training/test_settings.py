"""Settings: each range declared once, read by validation and by the page's widgets alike."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from viz.training.experiments import EXPERIMENTS
from viz.training.settings import DepthSettings, EnsembleSettings, Range, TransferSettings

SETTINGS = [e.settings for e in EXPERIMENTS.values()]


@pytest.mark.parametrize("make, match", [
    (lambda: DepthSettings(depths=()), "choose from 1 to 6 depths"),
    (lambda: DepthSettings(depths=(8, 21)), "6n"),
    (lambda: DepthSettings(steps=0), "steps must be a whole number from 5 to 2000"),
    (lambda: DepthSettings(lr=5.0), "learning rate"),
    (lambda: TransferSettings(per_class=0), "examples per class"),
    (lambda: TransferSettings(depth=20.0), "depth must be a whole number"),
    (lambda: EnsembleSettings(k=6), "k"),
    (lambda: EnsembleSettings(widths=(8, 16)), "widths"),
    (lambda: EnsembleSettings(seed=True), "seed"),
])
def test_bad_settings_raise_value_errors_that_say_what_is_allowed(make, match):
    with pytest.raises(ValueError, match=match):
        make().validated()


def test_validation_normalises_depths_sorted_and_distinct():
    assert DepthSettings(depths=[20, 8, 20]).validated().depths == (8, 20)


def test_settings_round_trip_through_json():
    for cls in SETTINGS:
        s = cls()
        assert cls.from_dict(json.loads(json.dumps(s.to_dict()))) == s.validated()
    with pytest.raises(ValueError, match="unknown setting"):
        DepthSettings.from_dict({"depth": 3})


@pytest.mark.parametrize("cls", SETTINGS)
def test_every_field_declares_a_range_and_the_page_can_show_each_default(cls):
    defaults = cls()
    assert defaults.validated() == defaults  # the defaults are allowed by their own ranges
    for f in fields(cls):
        allowed = cls.range(f.name)
        default = getattr(defaults, f.name)
        for value in default if isinstance(default, tuple) else (default,):
            low, high = allowed.page_range
            assert low <= value <= high, f.name  # a slider or number box can show it
            if allowed.notches and f.name != "widths":
                assert value in allowed.notches, f.name  # a select slider (or multiselect) offers it


def test_the_page_never_offers_what_validation_refuses():
    with pytest.raises(ValueError, match="outside"):
        Range("steps", 5, 2000, notches=(1, 5))
    with pytest.raises(ValueError, match="outside"):
        Range("seed", 0, 10, page_maximum=11)


def test_a_value_from_a_link_is_parsed_with_the_same_range():
    steps = DepthSettings.range("steps")
    assert steps.parse("300") == 300 and isinstance(steps.parse("300"), int)
    assert DepthSettings.range("lr").parse("0.05") == 0.05
    for text in ("3", "2001", "abc", "20.5", "nan", ""):
        with pytest.raises(ValueError, match="steps must be a whole number from 5 to 2000"):
            steps.parse(text)
    with pytest.raises(ValueError, match="6n"):
        TransferSettings.range("depth").parse("21")
