"""Opening ONNX models (issue 17): bad input, counting, the onnx package's light models, round trips."""

from __future__ import annotations

import io
import os
from math import prod

import numpy as np
import pytest
from onnx import TensorProto, helper

from tests.viz.builder.helpers import LIGHT, export_zoo, light, model_bytes, value, weight, zoo_buffers
from viz.builder import onnx_file
from viz.builder.onnx_file import MAX_BYTES
from viz.builder.onnx_model import GROUP_TYPE, open_onnx
from viz.explorer.figures import channel_growth, volume_diagram
from viz.explorer.structure import diagram_groups, op_label, weight_layers
from viz.explorer.table import table_rows
from viz.formatting import shape_text, user_value
from viz.trace import LayerRecord, TraceResult, trace_network


def _conv_model(x_shape=(1, 3, 8, 8), w_shape=(4, 3, 3, 3), group: int = 1, name: str = "conv") -> bytes:
    n_out = w_shape[0]
    h = x_shape[2] - w_shape[2] + 1 if isinstance(x_shape[2], int) else 1
    return model_bytes(
        [helper.make_node("Conv", ["x", "w"], ["y"], name=name, group=group)],
        [value("x", list(x_shape))], [value("y", [1, n_out, h, h])], [weight("w", w_shape)])


def _weighted(records, types=("Conv2d", "Linear")):
    return [r for r in records if r.is_leaf and r.layer_type in types]


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes_are_not_an_onnx_model(seed):
    data = np.random.default_rng(seed).integers(0, 256, size=2000 + 500 * seed, dtype=np.uint8).tobytes()
    with pytest.raises(ValueError, match="not an ONNX model") as caught:
        open_onnx(data)
    assert "torch.onnx.export" in str(caught.value)  # says what is allowed


def test_text_and_other_protobufs_are_not_an_onnx_model():
    with pytest.raises(ValueError, match="not an ONNX model"):
        open_onnx(b"hello, this is a text file\n" * 10)
    # A tensor file from the same wheel: a valid protobuf, but no model.
    with pytest.raises(ValueError, match="not an ONNX model"):
        open_onnx(LIGHT / "light_vgg19_output_0.pb")


def test_empty_file():
    with pytest.raises(ValueError, match="empty"):
        open_onnx(b"")


def test_every_truncation_of_a_real_file_is_refused_clearly():
    data = light("bvlc_alexnet").read_bytes()
    cuts = sorted(set(range(1, len(data), 7)) | {len(data) - 1, len(data) // 2})
    for cut in cuts:
        with pytest.raises(ValueError) as caught:
            open_onnx(data[:cut])
        message = str(caught.value)
        assert "not an ONNX model" in message or "not a valid ONNX model" in message, (cut, message)


@pytest.mark.parametrize("name", ["bvlc_alexnet", "squeezenet"])
def test_damaged_bytes_in_a_real_file_give_a_value_error_or_a_model(name):
    # 1–3 random bytes overwritten: whatever protobuf, the checker or shape inference make of it,
    # the caller sees a ValueError (or, where the damage is harmless, a model) — never another error.
    data = light(name).read_bytes()
    rng = np.random.default_rng(7)
    outcomes = {"model": 0, "refused": 0}
    for _ in range(120):
        damaged = bytearray(data)
        for _ in range(int(rng.integers(1, 4))):
            damaged[int(rng.integers(0, len(damaged)))] = int(rng.integers(0, 256))
        try:
            open_onnx(bytes(damaged))
            outcomes["model"] += 1
        except ValueError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 60


def test_names_that_are_not_text():
    data = bytearray(model_bytes([helper.make_node("Relu", ["x"], ["y"], name="relu_name")],
                                 [value("x", [1, 3, 4, 4])], [value("y", [1, 3, 4, 4])]))
    at = data.index(b"relu_name")
    data[at:at + 2] = b"\xff\xfe"  # invalid UTF-8 inside the node's name
    with pytest.raises(ValueError, match="not UTF-8 text"):
        open_onnx(bytes(data))


def test_a_model_without_input_shape():
    data = model_bytes([helper.make_node("Relu", ["x"], ["y"])],
                       [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
                       [value("y", [1, 3, 8, 8])])
    with pytest.raises(ValueError, match=r"input `x` has no shape.*fixed input size"):
        open_onnx(data)
    # A rank but no sizes (dims neither fixed nor named): the batch could be taken as 1, the rest not.
    data = model_bytes([helper.make_node("Relu", ["x"], ["y"])], [value("x", [None, None, None, None])],
                       [value("y", [1, 3, 8, 8])])
    with pytest.raises(ValueError, match=r"input `x` has a size that is not fixed \(`1 × \? × \? × \?`\)"):
        open_onnx(data)


def test_a_symbolic_batch_is_counted_at_batch_1_and_said():
    fixed = open_onnx(_conv_model((1, 3, 8, 8)))
    symbolic = open_onnx(_conv_model(("N", 3, 8, 8)))
    assert symbolic.result.input_size == (1, 3, 8, 8)
    assert symbolic.result.total_macs == fixed.result.total_macs == 6 * 6 * 4 * 3 * 3 * 3
    assert any("batch" in note and "batch 1" in note and "`N`" in note for note in symbolic.notes)
    assert not fixed.notes


def test_a_symbolic_height_is_refused():
    data = model_bytes([helper.make_node("Relu", ["x"], ["y"])], [value("x", [1, 3, "H", "W"])],
                       [value("y", [1, 3, "H", "W"])])
    with pytest.raises(ValueError, match=r"not fixed.*only the batch"):
        open_onnx(data)


def test_an_op_shape_inference_cannot_handle_is_named_with_its_node():
    data = model_bytes(
        [helper.make_node("Relu", ["x"], ["a"], name="relu"),
         helper.make_node("FancyOp", ["a"], ["b"], domain="my.domain", name="fancy1"),
         helper.make_node("Relu", ["b"], ["y"], name="after")],
        [value("x", [1, 3, 8, 8])], [value("y", [1, 3, 8, 8])], extra_opsets=[("my.domain", 1)])
    with pytest.raises(ValueError, match="can't be worked out") as caught:
        open_onnx(data)
    message = str(caught.value)
    assert "`my.domain.FancyOp` (node `fancy1`)" in message
    assert "`Relu`" in message  # the ReLU after it has no shape either, and is named
    assert "standard ONNX operators" in message


def test_an_unregistered_standard_op_fails_the_checker():
    data = model_bytes([helper.make_node("NotAnOp", ["x"], ["y"])], [value("x", [1, 3])], [value("y", [1, 3])])
    with pytest.raises(ValueError, match=r"not a valid ONNX model: onnx.checker says `No Op registered for NotAnOp"):
        open_onnx(data)


def test_torchscript_lrn_export_is_refused_naming_the_ops():
    """torch.onnx.export writes nn.LocalResponseNorm as ~20 nodes: a Pad whose pads come from a
    Reshape/Slice/Transpose of constants, and an If; shape inference can't follow the Pad."""
    with pytest.raises(ValueError, match="can't be worked out") as caught:
        open_onnx(export_zoo("googlenet"))  # the zoo's GoogLeNet has LRN in its stem by default (Szegedy et al. 2015, Fig. 3)
    assert "`Pad` (node `/stem/lrn1/Pad`, `/stem/lrn2/Pad`)" in str(caught.value)
    assert "LocalResponseNorm" in str(caught.value)


def test_the_size_cap_is_stated_and_checked_before_reading(tmp_path):
    assert MAX_BYTES == 128 * 1024 * 1024  # a float32 ResNet-50 (≈102 MB) fits
    small = light("bvlc_alexnet").read_bytes()
    with pytest.raises(ValueError, match=r"too large.*at most 0\.0 MB"):
        open_onnx(small, max_bytes=1000)
    # A 200 MB file on disk (sparse: no 200 MB written) is refused from its size alone.
    big = tmp_path / "big.onnx"
    with open(big, "wb") as handle:
        handle.truncate(200_000_000)
    with pytest.raises(ValueError, match=r"The file is 200\.0 MB: too large.*134\.2 MB \(128 MiB\)"):
        open_onnx(big)

    class Upload(io.BytesIO):  # like Streamlit's UploadedFile: knows its size
        size = 200_000_000

        def read(self, *args):
            raise AssertionError("an over-size upload must not be read")

    with pytest.raises(ValueError, match="200.0 MB: too large"):
        open_onnx(Upload())


def test_a_file_object_that_lies_about_nothing_is_read_at_most_once_past_the_cap():
    data = light("vgg19").read_bytes()
    handle = io.BytesIO(data)
    assert open_onnx(handle).result.total_params == 143_667_240
    with pytest.raises(ValueError, match="larger than"):
        onnx_file.read_bytes(_Unsized(data), max_bytes=len(data) - 1)


class _Unsized:
    """A stream that can't tell its size (no seek): the cap is enforced on what is read."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, n: int = -1) -> bytes:
        return self.data[:n]


def test_external_data_is_refused_before_the_checker_looks_for_files():
    w = weight("w", (4, 3, 3, 3))
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    w.external_data.add(key="location", value="/etc/passwd")
    data = model_bytes([helper.make_node("Conv", ["x", "w"], ["y"])], [value("x", [1, 3, 8, 8])],
                       [value("y", [1, 4, 6, 6])], [w])
    with pytest.raises(ValueError, match=r"separate files \(ONNX external data: `w`\).*save_as_external_data=False"):
        open_onnx(data)


def test_channels_that_do_not_fit_a_convolution():
    with pytest.raises(ValueError, match=r"`conv` gets 3 input channels.*expects 5"):
        open_onnx(_conv_model((1, 3, 8, 8), (4, 5, 3, 3)))


def test_text_from_the_file_is_shown_as_code():
    name = "**bold** <b>x</b> `tick`"
    data = model_bytes([helper.make_node("Bad", ["x"], ["y"], domain="d", name=name)],
                       [value("x", [1, 3])], [value("y", [1, 3])], extra_opsets=[("d", 1)])
    with pytest.raises(ValueError) as caught:
        open_onnx(data)
    assert user_value(name) in str(caught.value)


def test_a_path_that_does_not_exist():
    with pytest.raises(ValueError, match="Could not open the file"):
        open_onnx("/nonexistent/model.onnx")


# ------------------------------------------------------------------------------ counting


def test_grouped_and_depthwise_convolutions():
    # 8 → 8 channels, 3×3, on 10×10 → 8×8 positions; weights C_out × C_in/groups × 3 × 3.
    for group in (1, 2, 8):
        model = open_onnx(_conv_model((1, 8, 10, 10), (8, 8 // group, 3, 3), group=group))
        (node,) = model.nodes
        assert node.record.params == 8 * (8 // group) * 9
        assert node.record.macs == 8 * 8 * 8 * (8 // group) * 9  # lecture: #filter params × positions × #filters
        assert node.group == group and node.kernel == (3, 3) and node.strides == (1, 1)
        assert node.record.output_shape == (1, 8, 8, 8) and shape_text(node.record.output_shape) == "8 × 8 × 8"


def test_lecture_depthwise_separable_example():
    # The lecture: 6×6×3 → depthwise 3×3 (432 multiplies) → pointwise 1×1 with 5 filters (240): 672 in all.
    data = model_bytes(
        [helper.make_node("Conv", ["x", "dw"], ["a"], group=3, name="depthwise"),
         helper.make_node("Conv", ["a", "pw"], ["y"], name="pointwise")],
        [value("x", [1, 3, 6, 6])], [value("y", [1, 5, 4, 4])], [weight("dw", (3, 1, 3, 3)), weight("pw", (5, 3, 1, 1))])
    model = open_onnx(data)
    assert [r.macs for r in model.result.leaves()] == [432, 240]
    assert model.result.total_macs == 672
    assert [n.receptive_field for n in model.nodes] == [(3, 3), (3, 3)]


def test_conv_transpose_counts_input_positions():
    # As viz.trace counts nn.ConvTranspose2d: each input position scatters one filter.
    data = model_bytes([helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2])],
                       [value("x", [1, 4, 5, 5])], [value("y", [1, 2, 11, 11])], [weight("w", (4, 2, 3, 3))])
    (node,) = open_onnx(data).nodes
    assert node.record.output_shape == (1, 2, 11, 11)
    assert node.record.macs == 5 * 5 * 4 * 2 * 9


def test_gemm_matmul_and_their_weights():
    data = model_bytes(
        [helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1, name="fc"),
         helper.make_node("Reshape", ["h", "shape"], ["t"], name="to_tokens"),
         helper.make_node("MatMul", ["t", "m"], ["y"], name="proj")],
        [value("x", [2, 16])], [value("y", [2, 4, 3])],
        [weight("w", (12, 16)), weight("b", (12,)),
         helper.make_tensor("shape", TensorProto.INT64, [3], [2, 4, 3]), weight("m", (3, 3))])
    model = open_onnx(data)
    fc, reshape, proj = model.nodes
    assert (fc.record.params, fc.record.macs) == (12 * 16 + 12, 2 * 16 * 12)  # no bias multiply-adds
    assert (reshape.record.params, reshape.record.macs) == (0, 0)  # an int64 shape is not a weight
    assert (proj.record.params, proj.record.macs) == (9, 2 * 4 * 3 * 3)
    assert model.result.total_params == 12 * 16 + 12 + 9


def test_batch_norm_statistics_and_clip_bounds_are_not_parameters():
    data = model_bytes(
        [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["a"], name="bn"),
         helper.make_node("Clip", ["a", "lo", "hi"], ["y"], name="relu6")],
        [value("x", [1, 16, 4, 4])], [value("y", [1, 16, 4, 4])],
        [weight("s", (16,)), weight("b", (16,)), weight("m", (16,)), weight("v", (16,)),
         helper.make_tensor("lo", TensorProto.FLOAT, [], [0.0]), helper.make_tensor("hi", TensorProto.FLOAT, [], [6.0])])
    model = open_onnx(data)
    assert [r.params for r in model.result.leaves()] == [32, 0]  # γ and β, as nn.BatchNorm2d's parameters
    assert model.result.extra["buffers"] == 32  # running mean and variance, as PyTorch's buffers


def test_a_shared_weight_is_counted_once_and_constant_of_shape_weights_count():
    shape = helper.make_tensor("w_shape", TensorProto.INT64, [4], [4, 4, 1, 1])
    data = model_bytes(
        [helper.make_node("ConstantOfShape", ["w_shape"], ["w"],
                          value=helper.make_tensor("v", TensorProto.FLOAT, [1], [0.02])),
         helper.make_node("Conv", ["x", "w"], ["a"], name="first"),
         helper.make_node("Conv", ["a", "w"], ["y"], name="second")],
        [value("x", [1, 4, 5, 5])], [value("y", [1, 4, 5, 5])], [shape])
    model = open_onnx(data)
    assert [r.params for r in model.result.leaves()] == [16, 0]
    assert [r.macs for r in model.result.leaves()] == [25 * 16, 25 * 16]
    assert model.result.extra["weight_nodes"] == 1  # the ConstantOfShape is no row
    assert model.nodes[0].weights == (("w", (4, 4, 1, 1)),)


def test_uncounted_ops_are_said():
    data = model_bytes([helper.make_node("Einsum", ["x", "w"], ["y"], equation="ij,jk->ik")],
                       [value("x", [2, 3])], [value("y", [2, 4])], [weight("w", (3, 4))])
    model = open_onnx(data)
    assert model.result.total_macs == 0 and model.result.extra["uncounted_ops"] == {"Einsum": 1}
    assert any("`Einsum`" in note and "not counted" in note for note in model.notes)


# ------------------------------------------------------------------ records the Explorer draws


def test_records_are_layer_records_in_a_trace_result_the_explorer_can_use():
    model = open_onnx(light("resnet50"))
    result = model.result
    assert isinstance(result, TraceResult)
    assert all(isinstance(r, LayerRecord) and r.depth == r.name.count(".") for r in result.records)
    assert [n.record for n in model.nodes] == result.leaves()
    names = [r.name for r in result.records]
    for r in result.records:  # pre-order: every container before its contents, its own rows contiguous
        if not r.is_leaf:
            assert r.layer_type == GROUP_TYPE and r.params == r.macs == 0
            inside = [i for i, n in enumerate(names) if n.startswith(r.name + ".")]
            assert inside and min(inside) == names.index(r.name) + 1
            assert inside == list(range(min(inside), max(inside) + 1))
    for depth in (0, 1):
        groups = result.group(depth)
        assert sum(g.params for g in groups) == result.total_params
        assert sum(g.macs for g in groups) == result.total_macs
    # ResNet's stages and blocks come from the weight names (gpu_0/res2_0_branch2a_w_0 …).
    assert [g.name for g in result.group(0)] == ["conv1", "res", "res2", "res3", "res4", "res5", "pred"]
    assert [g.name for g in result.group(1) if g.name.startswith("res3.")] == ["res3.0", "res3.1", "res3.2", "res3.3"]
    rows = table_rows(result, max_depth=1)
    assert rows[0]["layer"] == "conv1" and rows[0]["output (n_H × n_W × n_C)"] == "112 × 112 × 64"
    assert sum(row["parameters"] for row in rows if row["depth"] == 0) == result.total_params


def test_the_explorer_draws_an_onnx_vgg19_as_it_draws_the_zoos():
    # Same functions, same pictures: the diagram's boxes and arrow labels, the channel-growth points,
    # the depth count (Simonyan & Zisserman 2015, Table 1 E: 19 weight layers).
    model, zoo = open_onnx(light("vgg19")).result, trace_network("vgg19")
    ours, theirs = diagram_groups(model), diagram_groups(zoo)
    assert [shape_text(g.output_shape) for g in ours] == [shape_text(g.output_shape) for g in theirs]
    assert [op_label(g) for g in ours] == [op_label(g) for g in theirs]
    assert op_label(ours[0]) == "CONV 3×3 ×2, MAX POOL"
    assert weight_layers(model.records) == weight_layers(zoo.records) == (19, 19, 0)
    growth = channel_growth(model.records, model.input_size[1:])
    assert len(growth.data[0].x) == len(channel_growth(zoo.records, zoo.input_size[1:]).data[0].x)
    assert volume_diagram(ours, model.input_size[1:]).layout.shapes  # boxes drawn


# ------------------------------------------------------------- the onnx package's light models


def test_light_vgg19_equals_the_zoo():
    # Simonyan & Zisserman 2015, Table 1 column E, at 224×224: the same network, the same counts.
    model, zoo = open_onnx(light("vgg19")).result, trace_network("vgg19")
    assert model.total_params == zoo.total_params == 143_667_240
    assert model.total_macs == zoo.total_macs == 19_632_062_464
    assert [shape_text(g.output_shape) for g in model.group(0)] == [shape_text(g.output_shape) for g in zoo.group(0)]
    assert [g.name for g in model.group(0)] == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]


def test_light_resnet50_is_the_zoos_v1_5():
    # The light model puts stage strides on the 3×3 conv (branch2b), as ResNet "v1.5" does; the
    # paper (He et al. 2016, Table 1) puts them on the first 1×1 conv: same weights, more positions.
    model = open_onnx(light("resnet50"))
    v15, paper = trace_network("resnet50", {"variant": "v1.5"}), trace_network("resnet50")
    assert model.result.total_params == v15.total_params == paper.total_params == 25_557_032
    assert model.result.total_macs == v15.total_macs == 4_089_184_256
    assert paper.total_macs == 3_857_973_248
    strided = [n.record.name for n in model.nodes if n.strides == (2, 2) and n.op_type == "Conv"]
    assert strided == ["conv1", "res3.0.branch2b.Conv", "res3.0.branch1.Conv", "res4.0.branch2b.Conv",
                       "res4.0.branch1.Conv", "res5.0.branch2b.Conv", "res5.0.branch1.Conv"]
    assert model.result.extra["buffers"] == zoo_buffers("resnet50")  # batch-norm running statistics


def _same_layers_other_maps(light_result, zoo_result):
    """Same weight layers with the same weights; each layer's multiply-adds scale with its map."""
    ours, theirs = _weighted(light_result.records), _weighted(zoo_result.records)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.params == b.params, (a.name, b.name)
        assert a.macs * prod(b.output_shape[2:]) == b.macs * prod(a.output_shape[2:]), (a.name, b.name)
    return [a.output_shape[2] for a in ours if len(a.output_shape) == 4], \
        [b.output_shape[2] for b in theirs if len(b.output_shape) == 4]


def test_light_bvlc_alexnet_is_the_zoos_alexnet_on_smaller_maps():
    # Both are the two-GPU network with grouped conv2/4/5 (Krizhevsky et al. 2012, Fig. 2): the same
    # 60,965,224 weights. The BVLC file takes 224×224 with no padding in conv1, so its maps are
    # 54/26/12 where the zoo's 227×227 input gives 55/27/13; its last pool pads one row and
    # column (pads 0,0,1,1) to reach 6×6 again, so the FC layers are the same.
    model, zoo = open_onnx(light("bvlc_alexnet")).result, trace_network("alexnet")
    assert model.input_size == (1, 3, 224, 224) and zoo.input_size == (1, 3, 227, 227)
    assert model.total_params == zoo.total_params == 60_965_224
    ours, theirs = _same_layers_other_maps(model, zoo)
    assert ours == [54, 26, 12, 12, 12] and theirs == [55, 27, 13, 13, 13]
    assert model.total_macs == 654_560_384 and zoo.total_macs == 724_406_816
    assert [g.name for g in model.group(0)] == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]


def test_light_inception_v1_is_the_zoos_googlenet_with_floored_pools():
    # BVLC GoogLeNet (Szegedy et al. 2015, Table 1) with the same 6,998,552 weights (no auxiliary
    # heads). Caffe rounds pooled sizes up (112 → 56 → 28 → 14 → 7, the paper's Table 1); this
    # conversion floors them with no padding (112 → 55 → 27 → 13 → 6), so every layer after the
    # first pool runs on a smaller map; its 7×7 average pool pads (0,0,1,1) to still give 1×1.
    model, zoo = open_onnx(light("inception_v1")).result, trace_network("googlenet")
    assert model.total_params == zoo.total_params == 6_998_552
    ours, theirs = _same_layers_other_maps(model, zoo)
    assert sorted(set(ours), reverse=True) == [112, 55, 27, 13, 6]
    assert sorted(set(theirs), reverse=True) == [112, 56, 28, 14, 7]
    assert model.total_macs == 1_431_556_352 and zoo.total_macs == 1_582_671_872
    assert [g.name for g in model.group(0)][2:11] == [
        "inception_3a", "inception_3b", "inception_4a", "inception_4b", "inception_4c", "inception_4d",
        "inception_4e", "inception_5a", "inception_5b"]
    assert shape_text(model.group(0)[2].output_shape) == "27 × 27 × 256"  # 3a: 64 + 128 + 32 + 32


def test_light_squeezenet_is_v1_1():
    # Not in the zoo. It is SqueezeNet v1.1 (the authors' repository: conv1 64 × 3×3/2 instead of
    # v1.0's 96 × 7×7/2, pools moved earlier) with the fire modules of Iandola et al. 2016, Table 1
    # (squeeze s1×1, expand e1×1 + e3×3): parameters recomputed here from those sizes, biases included.
    fires = [(16, 64, 64), (16, 64, 64), (32, 128, 128), (32, 128, 128),
             (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256)]
    expected, c = 3 * 3 * 3 * 64 + 64, 64
    for s, e1, e3 in fires:
        expected += c * s + s + s * e1 + e1 + 9 * s * e3 + e3
        c = e1 + e3
    expected += c * 1000 + 1000  # conv10: 1×1, 1000 classes
    model = open_onnx(light("squeezenet")).result
    assert model.total_params == expected == 1_235_496
    assert [g.name for g in model.group(0)] == ["conv1"] + [f"fire{i}" for i in range(2, 10)] + ["conv10"]
    assert model.total_macs == 349_151_936


def test_light_receptive_fields():
    # Araujo, Norris & Sim, "Computing Receptive Fields of CNNs", Distill 2019: AlexNet's pool5 sees
    # 195 pixels, VGG-16's 212; VGG-19 adds one 3×3 conv in stages 3–5 at jumps 4, 8, 16: + 2·(4+8+16).
    alexnet = open_onnx(light("bvlc_alexnet"))
    assert [n.receptive_field[0] for n in alexnet.nodes if n.op_type == "MaxPool"] == [19, 67, 195]
    vgg = open_onnx(light("vgg19"))
    assert [n.receptive_field for n in vgg.nodes if n.op_type == "MaxPool"][-1] == (212 + 56, 212 + 56)
    assert [n.receptive_field for n in vgg.nodes if n.op_type == "Gemm"] == [None, None, None]


@pytest.mark.parametrize("name", ["densenet121", "inception_v2", "shufflenet", "zfnet512"])
def test_other_light_models_open_with_every_shape(name):
    model = open_onnx(light(name))
    result = model.result
    assert result.output_shape[:2] == (1, 1000)
    assert all(r.output_shape for r in result.records)
    assert result.total_params > 10**6 and result.total_macs > 10**8
    for n in model.nodes:  # every conv counted as N · positions · weight.numel()
        if n.op_type == "Conv":
            (w_name, w_shape), *_ = n.weights
            assert n.record.macs == prod(n.record.output_shape[2:]) * prod(w_shape)


def test_light_shufflenet_counts_its_grouped_convs():
    # ShuffleNet (Zhang et al. 2018) with g = 4 groups in its 1×1 convs, 3×3 depthwise convs.
    model = open_onnx(light("shufflenet"))
    groups = {n.group for n in model.nodes if n.op_type == "Conv"}
    assert {1, 4} <= groups and any(g > 4 for g in groups)  # depthwise: group = channels


# ------------------------------------------------------------------------- round trips


def _assert_round_trip(name: str, options: dict | None = None, max_bytes: int = MAX_BYTES):
    data = export_zoo(name, options)
    model = open_onnx(data, max_bytes=max_bytes)
    ours, zoo = model.result, trace_network(name, options)
    assert ours.total_params == zoo.total_params - zoo.extra["params_not_called"]
    assert ours.total_macs == zoo.total_macs
    assert ours.input_size == zoo.input_size and ours.output_shape == zoo.output_shape
    # torch.onnx.export names nodes by module scope, so the stages are the zoo's, stage by stage.
    stages = [(g.name, g.params, g.macs, g.output_shape) for g in ours.group(0)]
    assert stages == [(g.name, g.params, g.macs, g.output_shape) for g in zoo.group(0)]
    assert ours.extra["buffers"] == zoo_buffers(name, options)
    return model, zoo


def test_round_trip_lenet5():
    model, _ = _assert_round_trip("lenet5")
    assert model.result.total_params == 61_706  # LeCun et al. 1998 (the lecture: ~60K)


def test_round_trip_mobilenet_v2():
    model, _ = _assert_round_trip("mobilenet_v2")
    assert model.result.extra["ops"]["Clip"] == 35  # ReLU6 as Clip(0, 6): its bounds are no parameters


def test_round_trip_efficientnet_b0():
    model, _ = _assert_round_trip("efficientnet_b0")
    assert model.result.extra["ops"]["Sigmoid"] == model.result.extra["ops"]["Mul"]  # SiLU = x·σ(x) (+ SE gates)
    calls = [r for r in model.result.records if r.name == "stem.act"]
    assert [r.layer_type for r in calls] == ["Sigmoid", "Mul"] and [r.call for r in calls] == [0, 1]


def test_round_trip_googlenet_without_lrn():
    # LRN has no weights and, by the counting convention, no multiply-adds, so the zoo's counts
    # are the same with and without it; without it the TorchScript export has no LRN chain (see
    # test_torchscript_lrn_export_is_refused_naming_the_ops).
    with_lrn, without = trace_network("googlenet"), trace_network("googlenet", {"lrn": False})
    assert (with_lrn.total_params, with_lrn.total_macs) == (without.total_params, without.total_macs)
    _assert_round_trip("googlenet", {"lrn": False})


@pytest.mark.slow
def test_round_trip_resnet50():
    _assert_round_trip("resnet50")
    _assert_round_trip("resnet50", {"variant": "v1.5"})


@pytest.mark.slow
def test_round_trip_vgg16():
    # 138M float32 weights: a 553 MB file with real weights (these zero ones de-duplicate to ~513 MB),
    # over the page's cap, so opened here with a larger one.
    model, _ = _assert_round_trip("vgg16", max_bytes=2 * 1024**3)
    assert model.result.total_params == 138_357_544  # Simonyan & Zisserman 2015, Table 2 (138M)


def test_round_trip_file_on_disk(tmp_path):
    path = tmp_path / "lenet5.onnx"
    path.write_bytes(export_zoo("lenet5"))
    assert os.path.getsize(path) < MAX_BYTES
    assert open_onnx(path).result.total_macs == trace_network("lenet5").total_macs
