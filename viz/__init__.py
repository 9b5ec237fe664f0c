"""Streamlit-free visualisation helpers: tracing, charts, images, augmentation."""
