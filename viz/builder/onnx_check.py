"""The onnx package's "light" test models opened here, beside the zoo's figures for the same network.

Run ``python -m viz.builder.onnx_check``: one line per light model shipped in the onnx wheel
(``onnx/backend/test/data/light``; files no one here wrote, their weights made by
``ConstantOfShape`` nodes), with the parameters and multiply-adds :func:`open_onnx` counts,
the zoo network of the same architecture traced by :func:`viz.trace.trace_network`, and why
the two differ where they do. Every number is computed on the spot; only the reasons are
words, each checked by ``tests/viz/builder/test_onnx_model.py`` layer by layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import onnx

from viz.builder.onnx_model import open_onnx
from viz.formatting import approx, shape_text
from viz.trace import trace_network

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"

# Light model → (zoo network, its options, why the counts differ); None: no such network in the zoo.
ZOO_TWINS: dict[str, tuple[str, dict, str] | None] = {
    "vgg19": ("vgg19", {}, "the same network (Simonyan & Zisserman 2015, Table 1 E)"),
    "resnet50": ("resnet50", {"variant": "v1.5"},
                 "the same as the zoo's v1.5 (stride in the 3×3 conv); the paper's v1 (He et al. 2016, Table 1) "
                 "strides the first 1×1: same weights, 3.86G MACs"),
    "bvlc_alexnet": ("alexnet", {}, "same weights; BVLC's file takes 224×224 (no conv1 padding): maps 54/26/12 "
                                    "where the zoo's 227×227 gives 55/27/13; its last pool pads to 6×6 again"),
    "inception_v1": ("googlenet", {}, "same weights; its pools floor (112 → 55 → 27 → 13 → 6) where Caffe and "
                                      "the paper's Table 1 round up (56, 28, 14, 7): smaller maps"),
    "squeezenet": None,  # v1.1: the fire modules of Iandola et al. 2016, Table 1 (recomputed below)
    "densenet121": None, "inception_v2": None, "shufflenet": None, "zfnet512": None,
}

# SqueezeNet v1.1 (the authors' repository): conv1 64 × 3×3/2, then fire2–fire9 as (squeeze s1×1, expand
# e1×1, expand e3×3) of Iandola et al. 2016, Table 1, and conv10 (1×1 to 1000 classes); biases included.
SQUEEZENET_FIRES = ((16, 64, 64), (16, 64, 64), (32, 128, 128), (32, 128, 128),
                    (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256))


def squeezenet_v1_1_params() -> int:
    """SqueezeNet v1.1's parameters from its layer sizes (1,235,496)."""
    total, channels = 3 * 3 * 3 * 64 + 64, 64
    for squeeze, e1, e3 in SQUEEZENET_FIRES:
        total += channels * squeeze + squeeze + squeeze * e1 + e1 + 9 * squeeze * e3 + e3
        channels = e1 + e3
    return total + channels * 1000 + 1000


@dataclass(frozen=True)
class Line:
    """One light model: our counts, the zoo's (or a reference), and why they differ."""

    model: str
    input: str
    params: int
    macs: int
    zoo: str = ""
    zoo_input: str = ""
    zoo_params: int | None = None
    zoo_macs: int | None = None
    why: str = ""

    @property
    def verdict(self) -> str:
        if self.zoo_params is None:
            return "—"
        if self.params == self.zoo_params and self.macs == self.zoo_macs:
            return "equal"
        if self.params == self.zoo_params and self.zoo_macs is None:
            return "parameters equal"
        if self.params == self.zoo_params:
            return f"parameters equal, MACs {100 * (self.macs - self.zoo_macs) / self.zoo_macs:+.1f}%"
        return f"parameters {self.params - self.zoo_params:+,}"


def lines() -> list[Line]:
    """Every light model of the installed onnx package, opened, beside its zoo twin."""
    out = []
    for name, twin in ZOO_TWINS.items():
        path = LIGHT / f"light_{name}.onnx"
        if not path.exists():
            continue
        result = open_onnx(path).result
        ours = dict(model=f"light_{name}", input=shape_text(result.input_size), params=result.total_params,
                    macs=result.total_macs)
        if twin is not None:
            network, options, why = twin
            zoo = trace_network(network, options)
            label = network + "".join(f" ({k} {v})" for k, v in options.items())
            out.append(Line(**ours, zoo=label, zoo_input=shape_text(zoo.input_size), zoo_params=zoo.total_params,
                            zoo_macs=zoo.total_macs, why=why))
        elif name == "squeezenet":
            out.append(Line(**ours, zoo="not in the zoo: v1.1 by Table 1", zoo_params=squeezenet_v1_1_params(),
                            why="SqueezeNet v1.1 (64 3×3/2 conv1, pools earlier), fire modules of Table 1"))
        else:
            out.append(Line(**ours, why="not in the zoo"))
    return out


def table(rows: list[Line]) -> str:
    """The lines as a Markdown table (for the note)."""
    head = ("| light model | input | parameters | MACs | zoo network | zoo input | zoo parameters | zoo MACs "
            "| verdict | why |\n|---|---|--:|--:|---|---|--:|--:|---|---|")
    body = [f"| {r.model} | {r.input} | {r.params:,} | {r.macs:,} ({approx(r.macs)}) | {r.zoo or '—'} | "
            f"{r.zoo_input or '—'} | {'—' if r.zoo_params is None else f'{r.zoo_params:,}'} | "
            f"{'—' if r.zoo_macs is None else f'{r.zoo_macs:,} ({approx(r.zoo_macs)})'} | {r.verdict} | {r.why} |"
            for r in rows]
    return "\n".join([head, *body])


def main() -> None:
    print(f"onnx {onnx.__version__}: {LIGHT}")
    print(table(lines()))


if __name__ == "__main__":
    main()
