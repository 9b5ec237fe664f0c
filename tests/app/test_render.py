"""The shared renderer draws every view block, and Option widgets keep their types."""

import json

from streamlit.testing.v1 import AppTest


def _script():
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from architectures.registry import Option
    from viz import view as v
    from viz.pages._render import render
    from viz.pages._widgets import option_widget

    blocks = (
        v.Heading("Title", 2), v.Text("Some **bold** text"), v.Caption("a caption"), v.Latex("a^2"),
        v.Metrics((v.Metric("Parameters", "61,706", "≈ 61.7K", caption="LeNet-5"),
                   v.Metric("MACs", "416,520"))),
        v.Callout("warning", "careful"), v.Callout("success", "done"),
        v.Figure(go.Figure(go.Bar(x=[1], y=[2])), key="fig"),
        v.Table(({"a": 1, "b": 2},), number_columns=("a",)), v.Table(({"a": "x"},), static=True),
        v.Image(np.zeros((4, 4, 3), dtype=np.uint8), caption="black"),
        v.Html("<b>grid</b>"), v.Code("print(1)"), v.Download("Get", "a,b", "t.csv", "text/csv"),
        v.Columns(((v.Text("left"),), (v.Text("right"),))),
        v.Expander("more", (v.Text("inside"),)),
    )
    render(blocks)
    st.session_state["values"] = (
        option_widget(Option("k", "choice", "b", label="Kind", choices=("a", "b")), "w_choice"),
        option_widget(Option("on", "bool", True), "w_bool"),
        option_widget(Option("n", "int", 3, minimum=1, maximum=9), "w_int"),
        option_widget(Option("x", "float", 0.5, minimum=0.0, maximum=1.0, step=0.25), "w_float"),
        option_widget(Option("nets", "subset", ("b",), choices=("a", "b", "c")), "w_subset"),
    )


def test_every_block_type_renders_and_option_widgets_start_at_their_defaults():
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception
    assert [h.value for h in at.markdown][:1] == ["## Title"]
    assert at.metric[0].value == "61,706" and at.metric[1].label == "MACs"
    assert at.warning[0].value == "careful" and at.success[0].value == "done"
    assert len(at.get("plotly_chart")) == 1
    assert len(at.dataframe) == 1 and len(at.table) == 1
    assert at.code[0].value == "print(1)"
    assert len(at.expander) == 1 and at.expander[0].markdown[0].value == "inside"
    assert at.session_state["values"] == ("b", True, 3, 0.5, ("b",))


def test_a_changed_option_widget_returns_the_new_value_with_its_type():
    at = AppTest.from_function(_script, default_timeout=60).run()
    at.number_input(key="w_int").set_value(7).run()
    at.selectbox(key="w_choice").set_value("a").run()
    at.multiselect(key="w_subset").set_value(["c", "a"]).run()
    assert at.session_state["values"][:3] == ("a", True, 7)
    assert at.session_state["values"][4] == ("c", "a")  # a subset comes back as a tuple, in the order chosen
    assert isinstance(at.session_state["values"][2], int)


def _indexed_table_script():
    import numpy as np

    from viz import view as v
    from viz.pages._render import render

    render((v.Table(({"component": "p1", "share": 0.75}, {"component": "p2", "share": 0.25}),
                    formats={"share": "percent"}, index="component"),
            v.Image(np.zeros((4, 4, 3), dtype=np.uint8), caption="jpeg", output_format="JPEG")))


def test_a_table_can_label_its_rows_by_a_column_and_format_numbers():
    at = AppTest.from_function(_indexed_table_script, default_timeout=60).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.index) == ["p1", "p2"] and list(table.columns) == ["share"]
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["share"]["type_config"]["format"] == "percent" and config["_index"]["hidden"] is False
    picture = at.get("image")[0].proto.imgs[0]
    assert picture.caption == "jpeg" and picture.url.endswith(".jpg")  # sent as JPEG, not PNG
