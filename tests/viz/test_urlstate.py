"""Settings in the URL: every value checked by its Option, hostile links fall back safely, defaults stay out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from architectures.registry import Option
from tests.markdown import outside_code_spans
from viz import urlstate
from viz.formatting import user_value

OPTIONS = (
    Option("res", "int", 224, label="Input resolution", minimum=8, maximum=1024),
    Option("alpha", "float", 0.5, label="Mix", minimum=0.0, maximum=1.0),
    Option("unit", "choice", "MACs", label="The cost unit", choices=("MACs", "FLOPs")),
    Option("width", "choice", 1.0, label="Width", choices=(1.0, 0.75, 0.5)),
    Option("flip", "bool", False, label="Flip"),
    Option("nets", "subset", ("vgg16",), label="The Compare list", choices=("lenet5", "vgg16", "resnet50")),
)
DEFAULTS = {o.name: o.default for o in OPTIONS}


def test_no_link_gives_the_defaults():
    parsed = urlstate.parse({}, OPTIONS)
    assert parsed.values == DEFAULTS and parsed.changed == {} and parsed.notices == () and parsed.unknown == {}


def test_good_values_are_coerced_to_their_types():
    parsed = urlstate.parse({"res": "160", "alpha": "0.25", "unit": "FLOPs", "width": "0.75", "flip": "true",
                             "nets": "resnet50,lenet5"}, OPTIONS)
    assert parsed.notices == ()
    assert parsed.changed == {"res": 160, "alpha": 0.25, "unit": "FLOPs", "width": 0.75, "flip": True,
                              "nets": ("resnet50", "lenet5")}
    assert type(parsed.values["res"]) is int and type(parsed.values["width"]) is float


def test_values_equal_to_the_defaults_are_not_changes():
    parsed = urlstate.parse({"res": "224", "unit": "MACs", "nets": "vgg16"}, OPTIONS)
    assert parsed.changed == {} and parsed.notices == ()


@pytest.mark.parametrize("key, raw", [
    ("res", "inf"), ("res", "-inf"), ("res", "nan"), ("res", "1e999"), ("res", "-1"), ("res", "7"),
    ("res", "1025"), ("res", "9" * 400), ("res", str(10 ** 30)), ("res", "160.5"), ("res", "0x10"),
    ("res", "<b>160</b>"), ("alpha", "nan"), ("alpha", "1e999"), ("alpha", "-0.1"), ("alpha", "1.0001"),
    ("unit", "bits"), ("unit", "[FLOPs](https://evil.example)"), ("width", "0.6"), ("width", "inf"),
    ("flip", "yes"), ("flip", "2"),
])
def test_bad_values_fall_back_to_the_default_with_a_notice(key, raw):
    parsed = urlstate.parse({key: raw}, OPTIONS)
    assert parsed.values == DEFAULTS and parsed.changed == {}
    notice, = parsed.notices
    option = next(o for o in OPTIONS if o.name == key)
    # What was wrong (the value, as code), what is allowed, and what is used instead.
    assert notice.startswith(f"Ignored {key}={user_value(raw)} from the link: ")
    assert option.allowed() in notice and f"using the default, {option.default!r}." in notice


def test_an_empty_value_is_no_value_except_for_a_subset():
    parsed = urlstate.parse({"res": "", "unit": "", "flip": "", "nets": ""}, OPTIONS)
    assert parsed.notices == ()
    assert parsed.values == {**DEFAULTS, "nets": ()} and parsed.changed == {"nets": ()}


def test_a_repeated_key_counts_with_its_last_value():
    assert urlstate.parse({"res": ["abc", "96"]}, OPTIONS).changed == {"res": 96}
    parsed = urlstate.parse({"res": ["96", "abc"]}, OPTIONS)
    assert parsed.changed == {} and "`abc`" in parsed.notices[0]
    assert urlstate.parse({"res": []}, OPTIONS).changed == {}  # a key with no value at all


def test_text_matching_one_choice_ignoring_case_is_that_choice():
    assert urlstate.parse({"unit": "flops", "nets": "ResNet50"}, OPTIONS).changed == {
        "unit": "FLOPs", "nets": ("resnet50",)}


def test_a_subset_keeps_the_members_it_knows():
    parsed = urlstate.parse({"nets": "lenet5,nonet, lenet5 ,[x](http://e.example),vgg16"}, OPTIONS)
    assert parsed.values["nets"] == ("lenet5", "vgg16")
    notice, = parsed.notices
    assert notice.startswith(f"Ignored {user_value('nonet, [x](http://e.example)')} in nets= from the link: ")
    assert "e.example" not in outside_code_spans(notice)


def test_unknown_keys_are_handed_back_for_the_caller_to_name():
    parsed = urlstate.parse({"res": "96", "foo": "1", "[x](http://e.example)": "2"}, OPTIONS)
    assert parsed.unknown == {"foo": "1", "[x](http://e.example)": "2"}
    notice = urlstate.unknown_notice(parsed.unknown, "this page has res, alpha")
    assert notice == f"Ignored parameter(s) {user_value('[x](http://e.example)')}, `foo` from the link: " \
        "this page has res, alpha."
    assert "e.example" not in outside_code_spans(notice)


def test_keys_can_differ_from_option_names():
    parsed = urlstate.parse({"opt_res": "96", "res": "1"}, OPTIONS[:1], keys={"res": "opt_res"})
    assert parsed.changed == {"res": 96} and parsed.unknown == {"res": "1"}
    assert urlstate.encode({"res": 96}, OPTIONS[:1], keys={"res": "opt_res"}) == {"opt_res": "96"}


def test_encode_leaves_defaults_out_and_writes_what_parse_reads():
    values = {**DEFAULTS, "res": 96, "flip": True, "width": 0.75, "nets": ["resnet50", "lenet5"], "other": 1}
    params = urlstate.encode(values, OPTIONS)
    assert params == {"res": "96", "width": "0.75", "flip": "true", "nets": "resnet50,lenet5"}
    assert urlstate.encode(DEFAULTS, OPTIONS) == {}
    assert urlstate.encode({"nets": ()}, OPTIONS) == {"nets": ""}  # none chosen is not the default
    assert urlstate.parse(params, OPTIONS).values == {**DEFAULTS, "res": 96, "flip": True, "width": 0.75,
                                                      "nets": ("resnet50", "lenet5")}


HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["inf", "nan", "1e999", "-1", "9" * 5000, "", " ", ",", "[log in](https://evil.example)",
                     "![x](http://host/track.png)", "<script>alert(1)</script>", "`", "``x``", "a\nb", "\x00"]),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["res", "alpha", "unit", "width", "flip", "nets", "zz"]),
                       st.one_of(HOSTILE, st.lists(HOSTILE, max_size=3))))
def test_any_link_gives_valid_values_and_notices_that_show_user_text_only_as_code(params):
    parsed = urlstate.parse(params, OPTIONS)
    for option in OPTIONS:
        value = parsed.values[option.name]
        assert option.validate("test", value) == value  # every value is one its option allows
    for notice in parsed.notices:
        rest = outside_code_spans(notice)
        for marker in ("evil.example", "track.png", "<script", "\n", "\x00"):
            assert marker not in rest
    assert urlstate.parse(urlstate.encode(parsed.values, OPTIONS), OPTIONS).notices == ()
