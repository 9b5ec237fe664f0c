"""Presenter mode and Share on every page, through app.py's navigation (issue 16), under AppTest.

Every page opens with ?present=1 without an exception and stays in presenter mode as the
pages switch; a bad value falls back to off with a notice quoting it as code; the sidebar
switch and the Exit button turn the mode on and off; Share shows the page's link with its
settings, and its QR code decodes back to it.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from deploy.settings import STREAMLIT_OPTIONS
from tests.app.test_hostile_links import HOSTILE, MARKERS
from tests.markdown import outside_code_spans
from viz.readable import PRESENT_PX, smallest_text
from viz.view import DEVELOPERS

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
PAGES = ("lecture_tour.py", "inside_lenet.py", "block_lab.py", "augmentation_lab.py", "training_lab.py", "network_builder.py")


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at.run()


def _errors(at: AppTest) -> list:
    return [e.value for e in at.exception]


def test_every_page_renders_in_presenter_mode_and_keeps_it_across_page_switches():
    at = _app(present="1", net="lenet5")  # LeNet-5: the Explorer's cheapest network
    assert not _errors(at)
    assert at.session_state["app_presenting"] is True
    assert at.query_params["present"] == "1" and at.query_params["net"] == "lenet5"  # both keys kept
    assert not at.warning  # ?present is known: no "ignored parameter" notice
    assert [b.label for b in at.button] == ["Share", "Exit"]  # the presenter bar; the sidebar's switch is not drawn
    assert not at.sidebar.toggle
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert charts and min(smallest_text(c)[0] for c in charts) >= PRESENT_PX  # drawn at 16 px otherwise
    assert not any("New here?" in c.value for c in at.caption)  # its "pick … in the sidebar": no sidebar here
    for page in PAGES:
        at.switch_page(f"viz/pages/{page}")
        del at.query_params["present"]  # as Streamlit's navigation drops the query string
        at.run()
        assert not _errors(at), page
        assert at.session_state["app_presenting"] is True, page
        assert at.query_params["present"] == "1", page  # put back from the session
        assert DEVELOPERS not in [e.label for e in at.expander], page  # developer detail: not for the room
        assert [b.key for b in at.button if b.label == "Share"] == ["app_share_presenting"], page  # the bar's only


@pytest.mark.parametrize("raw", ["<b>x</b>", *HOSTILE.values()], ids=["bold", *HOSTILE])
def test_a_bad_value_is_off_with_a_notice_and_the_rest_of_the_link_still_applies(raw):
    at = _app(present=raw, net="resnet18")
    assert not _errors(at)
    assert at.session_state["app_presenting"] is False
    assert "present" not in at.query_params and at.query_params["net"] == "resnet18"
    (notice,) = [w.value for w in at.warning]
    rest = outside_code_spans(notice)
    assert "present=" in rest and "<b>" not in rest and not any(m in rest for m in MARKERS)


def test_the_switch_and_exit_turn_presenter_mode_on_and_off_and_share_shows_the_link():
    at = _app(net="lenet5")
    assert any("New here?" in c.value for c in at.caption)  # the first-visit hint, outside presenter mode
    (switch,) = at.sidebar.toggle
    assert switch.label == "Presenter mode" and switch.value is False
    switch.set_value(True).run()
    assert at.session_state["app_presenting"] is True and at.query_params["present"] == "1"
    at.button(key="app_share_presenting").click().run()
    assert not _errors(at)
    (link,) = [c.value for c in at.code]
    assert link == "/?net=lenet5"  # AppTest has no browser URL nor Host: a path; presenter mode left out
    (picture,) = at.get("image")
    assert picture.value[0] and picture.captions[0].startswith("Scan")  # the QR code, served as media
    at.button(key="app_present_exit").click().run()
    assert at.session_state["app_presenting"] is False and "present" not in at.query_params
    assert at.sidebar.toggle[0].value is False
    at.switch_page("viz/pages/training_lab.py").run()
    assert DEVELOPERS in [e.label for e in at.expander]  # shown outside presenter mode (the check above can fail)
    at.switch_page("viz/pages/lecture_tour.py").run()
    assert {b.key for b in at.button if b.label == "Share"} == {"app_share", "tour_share_link"}  # sidebar, step


def test_students_never_see_the_deploy_button():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == STREAMLIT_OPTIONS["client.toolbarMode"] == "viewer"



def test_a_side_by_side_lab_folds_its_settings_above_its_figure_while_presenting():
    from viz.presenter import FOLD_SETTINGS
    for present, folded in (("1", True), ("0", False)):
        at = _app(present=present)
        at.switch_page("viz/pages/block_lab.py")
        at.query_params["lab"] = "separable"  # drawn beside its figure (layout "side") outside presenter mode
        at.run()
        assert not _errors(at)
        assert (FOLD_SETTINGS in [e.label for e in at.expander]) is folded, present
        assert at.slider  # the settings are there either way (folded: a click away)
