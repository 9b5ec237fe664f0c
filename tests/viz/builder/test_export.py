"""The exported PyTorch file (issue 17): it runs in a fresh interpreter, anywhere, and builds what the page traced."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from tests.viz.builder.designs import EVERY_KIND
from viz.builder.design import Design, evaluate
from viz.builder.export import blocks_source, class_name, pytorch_file
from viz.builder.rows import normalise
from viz.builder.start import design_from_zoo


def _run_file(tmp_path, source: str, name: str) -> tuple[tuple[int, ...], int]:
    """Write the file outside the repository and run it with a fresh interpreter: (output shape, parameters)."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    done = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    match = re.fullmatch(r"output \(([\d, ]+)\) parameters (\d+)\n", done.stdout)
    assert match, done.stdout
    return tuple(int(n) for n in match.group(1).split(",") if n.strip()), int(match.group(2))


@pytest.mark.parametrize("design", [design_from_zoo("lenet5"), EVERY_KIND], ids=["lenet5", "every_kind"])
def test_the_exported_file_runs_and_counts_what_the_page_counts(tmp_path, design):
    result = evaluate(design)
    assert result.ok, result.errors
    shape, params = _run_file(tmp_path, pytorch_file(result), design.name)
    assert shape == result.result.output_shape
    assert params == result.result.total_params
    if design.name == "lenet5":
        assert params == 61_706  # LeCun et al. 1998 (the lecture: ~60K)


def test_efficientnet_b0_exported_runs(tmp_path):
    # Tan & Le 2019: B0's 5,288,548 parameters (torchvision's count), squeeze-excite and SiLU included.
    result = evaluate(design_from_zoo("efficientnet_b0"))
    assert _run_file(tmp_path, pytorch_file(result), "efficientnet_b0") == ((1, 1000), 5_288_548)


def test_a_design_that_fails_exports_its_working_rows(tmp_path):
    design = Design((1, 28, 28), tuple(normalise(dict(kind=k, **v)) for k, v in (
        ("conv", dict(c=8, k=5)), ("maxpool", dict(k=2)), ("fc", dict(c=10)))), "half_done")
    result = evaluate(design)
    assert [r.status for r in result.rows] == ["ok", "ok", "error"]
    source = pytorch_file(result)
    assert "Rows 3–3 of the design don't work yet and are left out." in source
    assert _run_file(tmp_path, source, "half_done") == ((1, 8, 14, 14), 8 * 25 + 2 * 8)


def test_nothing_to_export():
    with pytest.raises(ValueError, match="No row works yet"):
        pytorch_file(evaluate(Design()))


def test_the_file_reads_like_the_design():
    source = pytorch_file(evaluate(design_from_zoo("lenet5")))
    ast.parse(source)
    assert "class Lenet5(nn.Sequential):" in source
    assert "('c1', ConvBNAct(1, 6, 5, stride=1, padding=0, bn=False, act='tanh')),  # row 1: 28 × 28 × 6" in source
    assert blocks_source() in source  # the zoo's blocks as they are, not a copy kept elsewhere
    assert "class InvertedResidual(nn.Module):" in blocks_source()


def test_class_names():
    assert class_name("my_lenet-5") == "MyLenet5"
    assert class_name("5net") == "Net5net"
    assert class_name("../..") == "Network"
