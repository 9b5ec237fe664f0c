"""Lecture tour page (AppTest, issue 16): every step renders, Next walks the lecture in order, ?step= links."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from viz.formatting import user_value
from viz.tour.steps import STEPS
from viz.tour.view import step_label

PAGE = str(Path(__file__).resolve().parents[2] / "viz" / "pages" / "lecture_tour.py")
TIMEOUT = 120


def _open(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> tuple[str, str]:
    """The step heading and the headline the page shows."""
    heading = next(m.value for m in at.markdown if m.value.startswith("## "))
    return heading[3:], at.success[0].value


def test_next_walks_every_step_in_order_without_exception():
    at = _open()
    assert at.button(key="tour_prev").disabled and "step" not in at.query_params  # the first step: a short link
    for index, step in enumerate(STEPS):
        heading, headline = _shown(at)
        assert heading == step_label(step.id) and headline.strip("*"), (step.id, heading, headline)
        if index:
            assert at.query_params["step"] in (step.id, [step.id])
        assert at.get("link_button")[0].proto.url.startswith("./"), step.id
        if index < len(STEPS) - 1:
            at.button(key="tour_next").click().run()
            assert not at.exception, (step.id, [e.value for e in at.exception])
    assert at.button(key="tour_next").disabled
    at.button(key="tour_prev").click().run()
    assert _shown(at)[0] == step_label(STEPS[-2].id)


def test_a_step_link_opens_that_step_with_its_settings():
    at = _open({"step": "inception-bottleneck", "i_r5": "32"})
    heading, headline = _shown(at)
    # 28·28·32·192 + 28·28·32·25·32 = 4,816,896 + 20,070,400 with a 32-wide bottleneck (the lecture's arithmetic)
    assert heading == "8. Inception: the motivation" and "120,422,400 vs 24,887,296" in headline
    assert at.get("link_button")[0].proto.url == "./blocks?lab=inception&i_r5=32"
    assert not at.warning


def test_a_bad_step_in_a_link_says_so_and_shows_the_first():
    at = _open({"step": "inception-bottle"})
    assert user_value("inception-bottle") in at.warning[0].value
    assert _shown(at)[0] == step_label(STEPS[0].id)
    assert "step" not in at.query_params
