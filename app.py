"""CNN Case Studies Explorer: page config and navigation, nothing else."""

import streamlit as st

from viz.compute import configure_threads

st.set_page_config(
    page_title="CNN Case Studies Explorer",
    page_icon=":material/deployed_code:",
    layout="wide",
)
configure_threads()

pages = [
    st.Page("viz/pages/network_explorer.py", title="Network Explorer", icon=":material/account_tree:",
            default=True, url_path="explorer"),
    st.Page("viz/pages/block_lab.py", title="Block Lab", icon=":material/view_in_ar:", url_path="blocks"),
    st.Page("viz/pages/augmentation_lab.py", title="Augmentation Lab", icon=":material/photo_filter:",
            url_path="augmentation"),
    st.Page("viz/pages/training_lab.py", title="Training Lab", icon=":material/monitoring:",
            url_path="training"),
]
st.navigation(pages).run()
