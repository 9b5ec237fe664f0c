"""The note's table of the onnx package's light models beside the zoo (python -m viz.builder.onnx_check)."""

from __future__ import annotations

from viz.builder import onnx_check


def test_the_light_models_beside_the_zoo():
    lines = {line.model: line for line in onnx_check.lines()}
    assert set(lines) == {f"light_{name}" for name in onnx_check.ZOO_TWINS}  # every file of onnx 1.23.2
    # Exact twins: VGG-19 (Simonyan & Zisserman 2015, Table 1 E) and ResNet-50 as the zoo's v1.5.
    assert lines["light_vgg19"].verdict == lines["light_resnet50"].verdict == "equal"
    assert lines["light_resnet50"].params == 25_557_032  # He et al. 2016; torchvision's resnet50
    # Same weights, smaller maps (224 vs 227 input; floored pools): fewer MACs, by the figures of test_onnx_model.
    assert lines["light_bvlc_alexnet"].verdict == "parameters equal, MACs -9.6%"
    assert (lines["light_bvlc_alexnet"].macs, lines["light_bvlc_alexnet"].zoo_macs) == (654_560_384, 724_406_816)
    assert lines["light_inception_v1"].verdict == "parameters equal, MACs -9.5%"
    # SqueezeNet v1.1 (Iandola et al. 2016, Table 1's fire modules) recomputed from its sizes.
    assert lines["light_squeezenet"].verdict == "parameters equal" and lines["light_squeezenet"].params == 1_235_496
    assert lines["light_zfnet512"].verdict == "—" and lines["light_zfnet512"].zoo_params is None
    text = onnx_check.table(list(lines.values()))
    assert text.count("\n") == len(lines) + 1 and "| light_vgg19 | 224 × 224 × 3 | 143,667,240 |" in text
