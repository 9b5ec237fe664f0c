"""The Network Builder's settings, declared once as :class:`viz.controls.Control`\\ s.

The design itself (input and rows) lives in the link as one compact parameter
(:mod:`viz.builder.codec`), so these widgets are not bound to the URL: the input size is
part of the design, the other settings only say what to show or where to start.
"""

from __future__ import annotations

from dataclasses import replace

from architectures import NETWORKS
from viz.builder.design import DEFAULT_INPUT, INPUT_LIMITS
from viz.controls import Control, choice, ints

EMPTY = "empty"

INPUT = (
    ints("in_c", "channels", "Input channels", *INPUT_LIMITS["channels"], DEFAULT_INPUT[0], widget="number"),
    ints("in_h", "height", "Height", *INPUT_LIMITS["side"], DEFAULT_INPUT[1], widget="number"),
    ints("in_w", "width", "Width", *INPUT_LIMITS["side"], DEFAULT_INPUT[2], widget="number"),
)



def input_controls(size: tuple[int, int, int], version: int) -> tuple[Control, ...]:
    """The input widgets for a design of input ``size``: their defaults are its values, their keys
    carry the design's version, so a newly loaded design gets fresh widgets showing its input."""
    return tuple(replace(c, key=f"{c.key}_{version}", option=replace(c.option, default=value))
                 for c, value in zip(INPUT, size))


START = choice("start", "start", "Start from", (EMPTY, *NETWORKS), EMPTY, widget="select",
               labels=("an empty table", *(f"{spec.title}'s stages" for spec in NETWORKS.values())),
               help="Replaces the table with the network's stages, one row per layer or block "
                    "(its default options and input size).")

DIAGRAM = choice("diagram", "level", "Diagram shows", ("stages", "blocks"), "stages",
                 help="stages: one box per stage; blocks: each residual, inception or inverted-residual block.")

# Compare: what each side shows.
SOURCES = ("zoo", "design", "file", "onnx")
SOURCE_LABELS = ("a zoo network", "the design on the Build tab", "a design file (.json)", "the ONNX model opened")


def side_controls(side: str, default_source: str, default_network: str) -> tuple[Control, Control]:
    """The source and the zoo network of one side ("a" or "b") of the comparison."""
    return (choice(f"cmp_{side}", "source", f"Network {side.upper()}", SOURCES, default_source, widget="select",
                   labels=SOURCE_LABELS),
            choice(f"cmp_{side}_net", "network", "Zoo network", tuple(NETWORKS), default_network, widget="select",
                   labels=tuple(spec.title for spec in NETWORKS.values()), shown_if=("source", "zoo")))


COMPARE_A = side_controls("a", "zoo", "vgg16")
COMPARE_B = side_controls("b", "design", "resnet50")
