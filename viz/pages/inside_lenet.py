"""Inside LeNet-5: the trained network at work on one digit — every layer, one unit's sum, its errors.

Thin page: widgets → :class:`viz.inside.view.InsideRequest` → ``inside_page`` → render.
A click on a unit of a map, or on a digit of a gallery, comes back as that picture's "unit"
event in ``st.session_state[key]`` (only in the run the click starts); ``clicked_unit``,
``picked_position`` and ``wrong_position`` read them. Retraining runs in this script's
thread through ``viz.inside.view.retrain`` (one run per server); the Stop button asks
Streamlit for a rerun, which interrupts the run at its next progress update.
The input, prediction, maps and C1's arithmetic are one ``st.fragment``: a stroke, a picked digit
or a click on a map reruns only it (the style, the source, the errors and the retrain form stay as
they are); any widget outside it reruns the whole page.
"""

from __future__ import annotations

import streamlit as st

from viz.inside import view as V
from viz.pages._render import draw_canvas, render
from viz.pages._session import alive_check

CANVAS_SIDE = 280
ss = st.session_state

st.title("Inside LeNet-5")
st.markdown(
    "LeNet-5 (LeCun et al., 1998) was built to read handwritten digits. This one has really been "
    "**trained** — on 4,000 real MNIST digits — so you can watch what each layer does with a digit: "
    "pick one, draw one or upload a photo, then look at every layer's output, click any unit to see "
    "which pixels it looks at, and see where the network goes wrong.")

# A session's first run takes the style and test digit from a shared link (checked; defaults stay out of it).
if "inside_style" not in ss and "inside_style_next" not in ss:
    link = V.read_link(st.query_params.to_dict())
    ss["inside_style"], ss["inside_test_position"] = link.values["style"], link.values["digit"]
    for notice in link.notices:
        st.warning(notice)

# A click on a misclassified digit (further down) opens it as the input: settle that before the widgets.
if "inside_style_next" in ss:
    ss["inside_style"] = ss.pop("inside_style_next")
wrong = V.wrong_position(ss.get(V.WRONG_KEY), V.InsideRequest(style=ss.get("inside_style", V.STYLES[0]),
                                                               user_state=ss.get("inside_trained")))
if wrong is not None:
    ss["inside_test_position"], ss["inside_source"] = wrong, V.SOURCES[0]

top = st.columns([1.4, 1, 1.6], vertical_alignment="bottom")
style = top[0].selectbox("Network style", V.STYLES, format_func=V.STYLE_LABELS.get, key="inside_style",
                         help="1998: tanh squashing and average subsampling, as in the paper. "
                              "modern: ReLU and max-pooling. Both trained the same way.")
source = top[1].radio("The digit", V.SOURCES, key="inside_source", horizontal=False)


@st.fragment
def digit_and_layers(style: str, source: str) -> None:
    """The input, the prediction, every layer's maps and C1's arithmetic: a stroke, a picked digit or a
    click on a map reruns only this — not app.py, the errors section or the retrain form."""
    left, right = st.columns([3, 2], gap="large")
    canvas = upload = None
    with left:
        if source == V.SOURCES[0]:
            picked = V.picked_position(ss.get(V.PICKER_KEY))
            if picked is not None:
                ss["inside_test_position"] = picked
            render(V.picker_view(ss.get("inside_test_position", 0)).blocks)
        elif source == V.SOURCES[1]:
            canvas = V.drawn_pixels(draw_canvas("inside_canvas", CANVAS_SIDE, label="Draw a digit here"))
            st.caption("Draw one digit, big, in the middle, with the mouse or a finger. Every stroke is read at once.")
        else:
            file = st.file_uploader("A photo of one handwritten digit", key="inside_upload",
                                    type=["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"])
            upload = (file.getvalue(), file.name) if file is not None else None
        steps = st.container()  # filled below, once the digit is read: messages and preprocessing steps

    # ---- which unit is explained: the last one clicked in any map
    unit = V.clicked_unit({stage: ss.get(key) for stage, key in V.MAP_KEYS.items()})
    if unit is not None:
        ss["inside_unit"] = unit

    request = V.InsideRequest(style=style, source=source, test_position=ss.get("inside_test_position", 0),
                              canvas=canvas, upload=upload, unit=ss.get("inside_unit"),
                              user_state=ss.get("inside_trained"), alive=alive_check())
    page = V.inside_page(request)
    shown = V.link_of(style, source, request.test_position)
    for key in ("style", "digit"):  # the link follows what is shown, so it can be shared as it is
        if key in shown and st.query_params.get(key) != shown[key]:
            st.query_params[key] = shown[key]
        elif key not in shown and key in st.query_params:
            del st.query_params[key]

    with steps:
        render(page.digit.blocks)
    with right:
        render(page.network.blocks)
        render(page.prediction.blocks)
    if page.ok:
        st.header("Every layer at work")
        render(page.layers.blocks)
        st.header("C1's filters, and one unit's arithmetic")
        render(page.kernels.blocks)


digit_and_layers(style, source)

st.header("Where the network is wrong")
render(V.errors_view(V.InsideRequest(style=style, user_state=ss.get("inside_trained"))).blocks)

# ---- retraining with the user's settings
st.header("Train it yourself")
st.markdown("Retrain LeNet-5 from scratch on the same 4,000 digits with your own settings (15 epochs take about "
            "20 seconds). Only one training runs on the server at a time.")
if ss.get("inside_stop"):
    st.warning("Training stopped: nothing was kept, the page still shows the previous network.")
with st.form("inside_retrain"):
    cols = st.columns(3)
    new_style = cols[0].selectbox("Style", V.STYLES, format_func=V.STYLE_LABELS.get, key="inside_train_style")
    epochs = cols[1].number_input("Epochs", min_value=1, max_value=50, value=15, step=1, key="inside_epochs")
    lr = cols[2].select_slider("Learning rate", options=[1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 3e-2, 0.1],
                               value=2e-3, key="inside_lr", help="Adam's step size; 0.002 is the stored runs'.")
    go = st.form_submit_button("Train", icon=":material/play_arrow:", type="primary")
if go:
    bar = st.progress(0.0, text="Starting…")
    st.button("Stop", key="inside_stop", icon=":material/stop_circle:")
    outcome = V.retrain(new_style, epochs, lr, lambda fraction, text: bar.progress(fraction, text=text))
    if outcome.kind == "finished":
        ss["inside_trained"], ss["inside_style_next"] = outcome.state, new_style
        st.rerun()
    elif outcome.kind == "busy":
        st.warning(outcome.message)
    else:
        st.error(outcome.message)
if ss.get("inside_trained"):
    st.success(f"You are looking at your retrained network ({ss['inside_trained']['style']} style).")
    if st.button("Back to the stored network", key="inside_forget"):
        del ss["inside_trained"]
        st.rerun()
