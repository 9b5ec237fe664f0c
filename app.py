"""CNN Case Studies Explorer: page config and navigation, nothing else."""

from pathlib import Path

import streamlit as st

from viz.compute import configure_threads
from viz.pages._app import app_controls
from viz.warm import warm_imports

st.set_page_config(
    page_title="CNN Case Studies Explorer",
    # A bundled file: a ":material/…:" page icon makes the browser fetch the favicon from a font CDN.
    page_icon=str(Path(__file__).parent / "viz" / "assets" / "icon.png"),
    layout="wide",
)
# One intra-op thread per computation: heavy forward passes queue on one shared
# worker (one core) while page scripts use the other; with torch's default of one
# thread per core, concurrent users oversubscribe 2 cores and everything slows 5-10x.
configure_threads(1)
warm_imports()  # heavy imports once, under a lock: no session thread meets a half-imported pandas (issue 12)

pages = [
    st.Page("viz/pages/network_explorer.py", title="Network Explorer", icon=":material/account_tree:",
            default=True),  # the default page lives at "/": Streamlit ignores its url_path
    # Second: the lecture in order, for a teacher to project (issue 16); the Explorer stays at "/",
    # so every link shared so far (/?net=vgg16) still opens it.
    st.Page("viz/pages/lecture_tour.py", title="Lecture tour", icon=":material/school:", url_path="tour"),
    st.Page("viz/pages/inside_lenet.py", title="Inside LeNet-5", icon=":material/neurology:", url_path="inside"),
    st.Page("viz/pages/block_lab.py", title="Block Lab", icon=":material/view_in_ar:", url_path="blocks"),
    st.Page("viz/pages/augmentation_lab.py", title="Augmentation Lab", icon=":material/photo_filter:",
            url_path="augmentation"),
    st.Page("viz/pages/training_lab.py", title="Training Lab", icon=":material/monitoring:",
            url_path="training"),
    st.Page("viz/pages/network_builder.py", title="Network Builder", icon=":material/construction:",
            url_path="builder"),
]
page = st.navigation(pages)
app_controls(page, pages)  # presenter mode (?present=1) and Share, on every page (issue 16)
page.run()
