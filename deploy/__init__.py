"""Serving a class: N warm Streamlit replicas behind nginx (see deploy/README.md)."""
