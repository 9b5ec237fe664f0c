"""Presenter mode's decisions (issue 16): the ?present= switch on every page, its style sheet,
and chart text raised to 18 px for a projector (viz.presenter, viz.readable.enlarged)."""

from __future__ import annotations

import copy

import pytest

from tests.markdown import outside_code_spans
from viz import presenter
from viz import view as v
from viz.blocklab.view import LABS
from viz.readable import PRESENT_PX, PRESENT_TITLE_PX, enlarged, smallest_text


@pytest.mark.parametrize("raw, remembered, on", [
    (None, False, False),  # a first visit: off
    (None, True, True),  # a page switch dropped the query string: the session's mode comes back
    ("1", False, True), ("true", False, True), ("TRUE", False, True),
    ("0", True, False), ("false", True, False), ("", True, False),  # the link says off: off
])
def test_the_link_wins_and_a_missing_key_keeps_the_sessions_mode(raw, remembered, on):
    mode = presenter.decide(raw, remembered)
    assert mode.on is on and mode.notices == ()
    assert mode.url == ("1" if on else None)  # written back as ?present=1, or left out (the default)


@pytest.mark.parametrize("raw", ["<b>x</b>", "yes", "2", "**pwn** [x](https://evil.example)", "1<script>"])
def test_a_bad_value_is_off_with_a_notice_quoting_it_as_code(raw):
    mode = presenter.decide(raw, remembered=True)
    assert mode.on is False and mode.url is None
    (notice,) = mode.notices
    assert "present=" in notice and "True or False" in notice
    rest = outside_code_spans(notice)
    assert raw not in rest and "<b>" not in rest and "evil.example" not in rest and "<script" not in rest


def test_the_style_sheet_hides_the_sidebar_and_the_toolbar_only_while_presenting():
    assert presenter.css(False) == ""
    sheet = presenter.css(True)
    for test_id in ("stSidebar", "stHeader", "stToolbar", "stAppDeployButton", "stExpandSidebarButton"):
        assert f'[data-testid="{test_id}"]' in sheet.split("{ display: none")[0]
    assert f".st-key-{presenter.BAR_KEY}" in sheet and "position: fixed" in sheet
    assert f"font-size: {presenter.BODY_REM}rem" in sheet and presenter.BODY_REM * 16 >= 20  # body text ≥ 20 px


def test_developer_detail_is_left_out_and_nothing_else():
    assert presenter.hides(v.for_developers(v.Text("`python -m viz.training precompute`")))
    assert not presenter.hides(v.Expander("The lecture's formula", (v.Text("x"),)))
    assert not presenter.hides(v.Text(v.DEVELOPERS))


@pytest.mark.parametrize("href, on, expected", [
    ("/blocks?lab=inception&i_c1=48", True, "/blocks?lab=inception&i_c1=48&present=1"),
    ("/blocks?lab=inception", False, "/blocks?lab=inception"),
    ("/inside", True, "/inside?present=1"),
    ("/?present=0&net=vgg16#top", True, "/?net=vgg16&present=1#top"),  # one present=, the mode's
])
def test_a_link_into_the_app_carries_the_mode_while_presenting(href, on, expected):
    assert presenter.with_mode(href, on) == expected


def test_a_pages_own_link_leaves_the_app_keys_out():
    assert presenter.without_app_keys({"net": "vgg16", "present": "1", "view": "table"}) == {"net": "vgg16",
                                                                                              "view": "table"}


def test_enlarged_raises_every_text_to_18_px_and_leaves_the_shared_figure_alone():
    bare = {"data": [{"type": "bar", "x": [1], "y": [2], "text": ["a"]}],
            "layout": {"xaxis": {"tickfont": {"size": 15, "color": "red"}, "title": {"text": "x"}},
                       "title": {"text": "t"},
                       "annotations": [{"text": "big", "font": {"size": 30}}, {"text": "small"}]}}
    before = copy.deepcopy(bare)
    big = enlarged(bare)
    assert bare == before  # the pages' figures are cached and shared: never changed
    assert smallest_text(big)[0] >= PRESENT_PX
    assert big["layout"]["xaxis"]["tickfont"] == {"size": PRESENT_PX, "color": "red"}  # the colour kept
    assert big["layout"]["title"]["font"]["size"] == PRESENT_TITLE_PX
    assert big["layout"]["annotations"][0]["font"]["size"] == 30  # larger text keeps its size


@pytest.mark.parametrize("lab_id", ["inception", "separable"])
def test_a_labs_real_charts_read_at_18_px_in_presenter_mode(lab_id):
    view = LABS[lab_id].view({})
    figures = [b.figure for b in v.walk(view.lead + view.blocks) if isinstance(b, v.Figure)]
    assert figures
    for figure in figures:
        raw = figure.to_plotly_json()
        assert smallest_text(raw)[0] < PRESENT_PX  # drawn smaller normally (16 px): the test can fail
        assert smallest_text(enlarged(raw))[0] >= PRESENT_PX, smallest_text(enlarged(raw))


def test_a_page_s_own_link_keeps_the_app_wide_keys_of_the_current_url():
    from viz.presenter import page_params
    assert page_params({"net": "vgg16"}, {"present": "1", "net": "lenet5", "res": "64"}) == {"net": "vgg16",
                                                                                            "present": "1"}
    assert page_params({"net": "vgg16"}, {"res": "64"}) == {"net": "vgg16"}  # nothing app-wide to keep
