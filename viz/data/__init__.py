"""Datasets shipped in the repository (see README.md here for sources and licences).

:mod:`viz.data.mnist`: 5,000 real MNIST digits and the one train / test split.
"""
