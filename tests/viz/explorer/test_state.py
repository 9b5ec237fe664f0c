"""The explorer's state in the URL: round trips, defaults left out, bad and hostile values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from architectures import NETWORKS
from tests.markdown import outside_code_spans
from viz.explorer import state as ex
from viz.formatting import user_value

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


def test_empty_url_gives_vgg16_and_no_notices():
    state = ex.parse_state({})
    assert state.network == "vgg16"
    assert state.options == {} and state.resolution is None and state.notices == []
    assert state.unit == "MACs" and state.diagram == "stages"
    assert state.compare == ex.default_compare() and state.table_depth == 1


def test_url_round_trip_keeps_network_options_and_view():
    state = ex.ExplorerState(network="resnet50", options={"residual": False, "variant": "v1.5"}, resolution=160,
                             unit="FLOPs", table_depth=2, diagram="blocks", compare=("vgg16", "lenet5"))
    params = ex.state_to_params(state)
    assert params["residual"] == "false" and params["variant"] == "v1.5" and params["res"] == "160"
    back = ex.parse_state(params)
    assert back.notices == []
    assert (back.network, back.options, back.resolution, back.unit, back.table_depth, back.diagram, back.compare) \
        == ("resnet50", {"residual": False, "variant": "v1.5"}, 160, "FLOPs", 2, "blocks", ("vgg16", "lenet5"))


def test_defaults_are_left_out_of_the_link():
    assert ex.state_to_params(ex.parse_state({"net": "vgg16"})) == {"net": "vgg16"}
    # 224 is VGG-16's default input (Simonyan & Zisserman 2015, §2.1): not written either.
    assert ex.parse_state({"net": "vgg16", "res": "224"}).resolution is None
    # After a network switch the Compare list (its default follows the network) stays out of the link.
    assert "compare" not in ex.state_to_params(ex.parse_state({"net": "lenet5"}))
    # The default list does not depend on the network: after a switch the link stays as short (issue 15).
    for name in NETWORKS:
        assert ex.compare_option(name).default == ex.default_compare()
        assert "compare" not in ex.state_to_params(ex.ExplorerState(network=name, compare=ex.default_compare()))


def test_an_empty_compare_list_is_kept_and_written():
    state = ex.parse_state({"net": "vgg16", "compare": ""})
    assert state.compare == () and state.notices == []
    assert ex.state_to_params(state) == {"net": "vgg16", "compare": ""}


@pytest.mark.parametrize("params, fragment", [
    ({"net": "vgg17"}, "`vgg17`, which is not in the zoo"),
    ({"net": "vgg16", "batch_norm": "maybe"}, "Ignored batch_norm=`maybe`"),
    ({"net": "vgg16", "num_classes": "0"}, "Ignored num_classes=`0`"),
    ({"net": "vgg16", "res": "abc"}, "Ignored res=`abc`"),
    ({"net": "vgg16", "res": "100000"}, "from 8 to 1024"),
    ({"net": "vgg16", "unit": "bits"}, "Ignored unit=`bits`"),
    ({"net": "vgg16", "rows": "-1"}, "Ignored rows=`-1`"),
    ({"net": "vgg16", "diagram": "cubes"}, "Ignored diagram=`cubes`"),
    ({"net": "vgg16", "compare": "vgg16,nonet"}, "`nonet`"),
    ({"net": "vgg16", "foo": "1"}, "Ignored parameter(s) `foo`"),
    ({"net": "mobilenet_v2", "res": "100"}, "set by its options"),
])
def test_bad_url_values_fall_back_to_defaults_with_a_notice(params, fragment):
    state = ex.parse_state(params)
    assert any(fragment in notice for notice in state.notices), state.notices
    assert state.network in NETWORKS
    # Everything that was ignored is at its default; the rest is kept.
    assert state.options == {} and state.resolution is None and state.unit == "MACs"


def test_a_notice_says_what_is_allowed_and_what_is_used_instead():
    notice, = ex.parse_state({"net": "vgg16", "res": "abc"}).notices
    # VGG-16 takes 224 × 224 (Simonyan & Zisserman 2015, §2.1).
    assert "must be an integer from 8 to 1024; using the default, 224." in notice
    notice, = ex.parse_state({"net": "vgg16", "unit": "bits"}).notices
    assert "one of 'MACs', 'FLOPs'" in notice


def test_compare_keeps_the_networks_it_knows():
    state = ex.parse_state({"net": "vgg16", "compare": "lenet5, nonet,vgg16,lenet5"})
    assert state.compare == ("lenet5", "vgg16")
    assert len(state.notices) == 1 and "`nonet`" in state.notices[0]


def test_text_choices_ignore_case_and_repeated_keys_count_with_their_last_value():
    assert ex.parse_state({"unit": "flops"}).unit == "FLOPs"
    state = ex.parse_state({"net": ["lenet5", "resnet50"], "rows": ["9", "2"]})
    assert (state.network, state.table_depth, state.notices) == ("resnet50", 2, [])


def test_unknown_network_notice_lists_the_allowed_names():
    notice = ex.parse_state({"net": "alexnet2"}).notices[0]
    assert all(name in notice for name in NETWORKS)


HOSTILE = [
    "[log in](https://evil.example)",
    "![x](http://host/track.png)",
    "<img src=x onerror=alert(1)>",
    ":red[danger] :material/warning:",
    "$\\frac{1}{0}$",
    "a`b``c",
    "**bold** _it_",
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("key", ["net", "res", "unit", "rows", "diagram", "compare", "batch_norm", "num_classes"])
def test_no_notice_shows_a_user_value_outside_a_code_span(key, value):
    state = ex.parse_state({"net": "vgg16", key: value} if key != "net" else {"net": value})
    assert state.notices
    for notice in state.notices:
        assert user_value(value) in notice
        rest = outside_code_spans(notice)
        for piece in ("evil.example", "track.png", "<img", ":red[", "\\frac", "**bold**", "b``c"):
            assert piece not in rest, notice


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_key_is_shown_as_code_too(value):
    notices = ex.parse_state({"net": "vgg16", value: "1"}).notices
    assert len(notices) == 1 and user_value(value) in notices[0]
    assert "evil.example" not in outside_code_spans(notices[0])


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.sampled_from(["net", "res", "unit", "rows", "diagram", "compare", "batch_norm",
                                        "residual", "width", "phi", "zz"]),
                       st.text(max_size=12)))
def test_any_url_parses_to_a_valid_state(params):
    state = ex.parse_state(params)
    spec = NETWORKS[state.network]
    assert spec.resolve(state.options) is not None  # every kept option is valid
    assert state.resolution is None or ex.RESOLUTION_MIN <= state.resolution <= ex.RESOLUTION_MAX
    assert state.unit in ex.UNITS and state.diagram in ex.DIAGRAM_LEVELS
    assert set(state.compare) <= set(NETWORKS)
    assert ex.parse_state(ex.state_to_params(state)).notices == []


def test_networks_grouped_by_family_in_lecture_order():
    grouped = ex.networks_by_family()
    assert list(grouped)[0] == "classic"
    assert sum(len(v) for v in grouped.values()) == len(NETWORKS)
    assert "vgg16" in grouped["classic"] and "resnet50" in grouped["residual"]


def test_widget_values_show_the_state_in_the_page_widgets():
    state = ex.parse_state({"net": "resnet50", "variant": "v1.5", "res": "160", "unit": "FLOPs"})
    values = ex.widget_values(state)
    assert values["xp_family"] == "residual" and values["xp_net_residual"] == "resnet50"
    assert values[ex.option_widget_key("resnet50", "variant")] == "v1.5"
    assert values[ex.option_widget_key("resnet50", "residual")] is True  # the default, not in the link
    # ResNet-50's default input is 224 × 224 (He et al. 2016, §3.4): the widget for that default shows 160.
    assert values[ex.resolution_widget_key("resnet50", 224)] == 160
    assert values["xp_unit"] == "FLOPs" and values["xp_compare"] == list(ex.default_compare())


def test_tabs_open_from_the_links_view():
    assert ex.tab_for_view("layers") == "Layer table" and ex.tab_for_view("compare") == "Compare"
    assert ex.tab_for_view("") == ex.tab_for_view("nonsense") == "Overview"


def test_link_params_write_the_open_tab_except_the_first():
    state = ex.parse_state({"net": "resnet50", "unit": "FLOPs"})
    assert ex.link_params(state, "Overview") == {"net": "resnet50", "unit": "FLOPs"}
    assert ex.link_params(state, "Layer table") == {"net": "resnet50", "unit": "FLOPs", "view": "layers"}
    assert ex.tab_for_view(ex.link_params(state, "Compare")["view"]) == "Compare"  # the link opens it again
