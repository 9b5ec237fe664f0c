"""A design as a runnable PyTorch file: an ``nn.Sequential`` of the design's stages, needing only PyTorch.

The file holds, in order: what the network is (input, output, parameters, multiply-adds); the
zoo's blocks — the source of ``architectures/blocks.py`` itself, read with :mod:`inspect`, so
the file builds with exactly the classes the page traced (no second copy of them to drift);
the network, one line per row of the design (the row's :class:`~viz.builder.layers.Layer`
written as its constructor call, with the row's number and output shape as a comment); and a
``__main__`` that builds it, runs a zero image through it and prints the output shape and the
parameter count, which the tests compare with the page's in a fresh interpreter.
"""

from __future__ import annotations

import ast
import inspect
import re

from architectures import blocks
from viz.builder.design import DesignResult, summary_of
from viz.formatting import num, shape_text


def class_name(name: str) -> str:
    """``"my_lenet-5"`` → ``"MyLenet5"`` (a valid Python class name)."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words) or "Network"
    return text if text[0].isalpha() else "Net" + text


def blocks_source() -> str:
    """``architectures/blocks.py`` without its docstring and ``__future__`` import (the file has its own)."""
    source = inspect.getsource(blocks)
    tree = ast.parse(source)
    first = tree.body[0]
    lines = source.splitlines()
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        lines = lines[first.end_lineno:]
    return "\n".join(line for line in lines if line.strip() != "from __future__ import annotations").strip() + "\n"


def _stage_lines(result: DesignResult) -> list[str]:
    shapes = {o.path: o for o in result.rows if o.status == "ok"}
    stages: dict[str, list[tuple[str, str]]] = {}
    for path, layer in zip(result.paths, result.layers):
        stage, _, child = path.partition(".")
        stages.setdefault(stage, []).append((child, layer.code(), path))
    lines = []
    for stage, children in stages.items():
        if children[0][0] == "":
            _, code, path = children[0]
            o = shapes[path]
            lines.append(f"            ({stage!r}, {code}),  # row {o.number}: {shape_text(o.output_shape)}")
            continue
        lines.append(f"            ({stage!r}, nn.Sequential(OrderedDict([")
        for child, code, path in children:
            o = shapes[path]
            lines.append(f"                ({child!r}, {code}),  # row {o.number}: {shape_text(o.output_shape)}")
        lines.append("            ]))),")
    return lines


def pytorch_file(result: DesignResult) -> str:
    """The runnable file of a design's working rows (the rows up to the first that fails)."""
    if result.result is None:
        raise ValueError("No row works yet: there is no network to export.")
    design, traced = result.design, result.result
    name = class_name(design.name)
    c, h, w = design.input
    skipped = len(result.rows) - result.working_rows
    note = f"\nRows {result.working_rows + 1}–{len(result.rows)} of the design don't work yet and are left out.\n" \
        if skipped else ""
    header = f'''"""{name}: a network designed in the CNN Case Studies Explorer's Network Builder.

{summary_of(design, result.rows)}: {num(traced.total_params)} parameters, {num(traced.total_macs)} multiply-adds
(MACs: weight × input multiplications of the convolutions and fully connected layers, as the
lecture counts them; FLOPs = 2 × MACs).{note}
Run ``python {design.name}.py``: it builds the network, passes a zero image through it and prints
the output shape and the number of parameters. It needs only PyTorch: the blocks below are the
Explorer's architectures/blocks.py, as they are.
"""

from __future__ import annotations

from collections import OrderedDict
'''
    body = [
        f"class {name}(nn.Sequential):",
        f'    """{design.name}: its stages in order, each line a row of the design (number and output shape)."""',
        "",
        "    def __init__(self):",
        "        super().__init__(OrderedDict([",
        *_stage_lines(result),
        "        ]))",
        "",
        "",
        f"INPUT_SIZE = ({c}, {h}, {w})  # channels, height, width",
        f"PARAMETERS = {traced.total_params}",
        f"OUTPUT_SHAPE = {tuple(traced.output_shape)!r}",
        "",
        "",
        'if __name__ == "__main__":',
        f"    model = {name}().eval()",
        "    with torch.no_grad():",
        "        output = model(torch.zeros(1, *INPUT_SIZE))",
        "    parameters = sum(p.numel() for p in model.parameters())",
        '    print(f"output {tuple(output.shape)} parameters {parameters}")',
        "",
    ]
    divider = "# " + "-" * 20 + " the zoo's blocks: architectures/blocks.py of the CNN Case Studies Explorer\n\n"
    end = "\n\n# " + "-" * 20 + " the network\n\n\n"
    return header + "\n" + divider + blocks_source() + end + "\n".join(body)
