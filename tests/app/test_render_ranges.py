"""Widgets drawn from a declared Range: a select slider of its notches, a slider or a number box to the page's end."""

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from viz.pages._widgets import range_widget
    from viz.training.settings import Range

    st.session_state["values"] = (
        range_widget(Range("steps", 5, 2000, label="Steps", notches=(25, 50, 200)), 50, "w_notches"),
        range_widget(Range("examples", 1, 100, label="Examples", page_maximum=20), 5, "w_slider"),
        range_widget(Range("seed", 0, 2**31 - 1, label="Seed", widget="number", page_maximum=9999), 3, "w_seed"),
    )


def test_each_kind_of_range_draws_its_widget_at_the_default():
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception
    assert at.session_state["values"] == (50, 5, 3)
    assert list(at.select_slider(key="w_notches").options) == ["25", "50", "200"]
    assert at.slider(key="w_slider").max == 20  # the page's end, not validation's 100
    assert at.number_input(key="w_seed").max == 9999


def test_a_moved_widget_returns_a_value_of_the_range_s_type():
    at = AppTest.from_function(_script, default_timeout=60).run()
    at.select_slider(key="w_notches").set_value(200).run()
    at.number_input(key="w_seed").set_value(42).run()
    values = at.session_state["values"]
    assert values[0] == 200 and values[2] == 42 and isinstance(values[2], int)
