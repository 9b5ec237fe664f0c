"""The Network Builder's forward pass (issue 17): every row kind, every message, the zoo's networks as designs."""

from __future__ import annotations

import pytest
import torch

import architectures
from viz.builder import design as design_module
from viz.builder.design import Design, build_model, evaluate, module_paths, receptive_text
from viz.builder.rows import KINDS, Row, check, normalise, parse_inception
from viz.builder.start import design_from_zoo
from viz.trace import trace, trace_network
from viz.trace.receptive import trace_fields


def rows(*specs) -> tuple[Row, ...]:
    return tuple(normalise(dict(kind=kind, **values)) for kind, values in specs)


def run(input_size, *specs):
    return evaluate(Design(tuple(input_size), rows(*specs)))


def only(result):
    """The one row's outcome, which must have worked."""
    (outcome,) = result.rows
    assert outcome.status == "ok", outcome.message
    return outcome


def records_under(result, path):
    return [r for r in result.result.records if r.name == path or r.name.startswith(path + ".")]


# ------------------------------------------------------------------------- each row kind


def test_conv_the_lectures_example():
    # Lecture: 6×6×3 * 3×3×3 (5 filters, valid) → 4×4×5, 2,160 multiplies (= 4·4·5 positions × 27).
    out = only(run((3, 6, 6), ("conv", dict(c=5, k=3, p=0, bn=False, act="none"))))
    assert out.output_shape == (1, 5, 4, 4) and out.macs == 2_160
    assert out.params == 5 * (3 * 3 * 3 + 1)  # with biases (no batch norm)
    assert out.receptive == (3, 3)


def test_conv_same_padding_stride_groups_and_batch_norm():
    out = only(run((64, 56, 56), ("conv", dict(c=128, k=3, s=2, groups=2))))  # p blank: same (1)
    assert out.output_shape == (1, 128, 28, 28)
    assert out.params == 128 * (64 // 2) * 9 + 2 * 128  # grouped weights, BN's γ and β, no bias
    assert out.macs == 28 * 28 * 128 * (64 // 2) * 9


def test_conv1x1_the_lectures_example():
    # Lecture (1×1 convolutions): 28×28×192 → 32 filters of 1×1×192: 28·28·32·192 = 4,816,896 multiplies.
    out = only(run((192, 28, 28), ("conv1x1", dict(c=32, bn=False))))
    assert out.output_shape == (1, 32, 28, 28) and out.macs == 4_816_896
    assert out.params == 192 * 32 + 32


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
def test_pools_halve_the_map(kind):
    # VGG's 2×2/2 max-pool: 224 → 112 (Simonyan & Zisserman 2015, §2.1); no parameters.
    out = only(run((64, 224, 224), (kind, dict(k=2))))
    assert (out.output_shape, out.params, out.macs) == ((1, 64, 112, 112), 0, 0)
    assert out.receptive == (2, 2)


def test_pool_ceil_mode_as_googlenet():
    # GoogLeNet's 3×3/2 pools with Caffe's rounding up: 112 → 56 (Szegedy et al. 2015, Table 1); floor: 55.
    assert only(run((64, 112, 112), ("maxpool", dict(k=3, s=2, ceil=True)))).output_shape == (1, 64, 56, 56)
    assert only(run((64, 112, 112), ("maxpool", dict(k=3, s=2)))).output_shape == (1, 64, 55, 55)


def test_global_average_pool_flatten_fc_dropout_activation():
    result = run((512, 7, 7), ("gap", {}), ("flatten", {}), ("fc", dict(c=1000)), ("dropout", dict(drop=0.2)),
                 ("act", dict(act="relu")))
    gap, flatten, fc, dropout, act = result.rows
    assert gap.output_shape == (1, 512, 1, 1) and gap.receptive is None  # the whole map: "all"
    assert flatten.output_shape == (1, 512)
    assert (fc.output_shape, fc.params, fc.macs) == ((1, 1000), 512 * 1000 + 1000, 512 * 1000)
    assert dropout.output_shape == act.output_shape == (1, 1000)
    assert receptive_text(fc.receptive) == "all"


def test_lrn_keeps_the_shape():
    out = only(run((96, 55, 55), ("lrn", {})))  # AlexNet's (Krizhevsky et al. 2012, §3.3): no parameters
    assert (out.output_shape, out.params, out.macs) == ((1, 96, 55, 55), 0, 0)


def test_inception_3a():
    # Szegedy et al. 2015, Table 1, inception (3a) on 28×28×192: 64 + 128 + 32 + 32 = 256 channels.
    result = run((192, 28, 28), ("inception", dict(inception="64 96 128 16 32 32")))
    out = only(result)
    assert out.output_shape == (1, 256, 28, 28)
    # The lecture's 5×5 branch with its 1×1 bottleneck to 16: 2,408,448 + 10,035,200 = 12,443,648 multiplies.
    branch = sum(r.macs for r in records_under(result, "inception.branch3"))
    assert branch == 12_443_648
    positions = 28 * 28
    assert out.macs == positions * (192 * 64 + 192 * 96 + 96 * 9 * 128 + 192 * 16 + 16 * 25 * 32 + 192 * 32)


def test_inception_naive_module():
    # Fig. 2(a): no reduces, no pool projection: the pooled 192 channels pass on (64 + 128 + 32 + 192).
    out = only(run((192, 28, 28), ("inception", dict(inception="64 0 128 0 32 0"))))
    assert out.output_shape == (1, 416, 28, 28)


@pytest.mark.parametrize("kind, zoo, block, input_size, values", [
    # ResNet-18's layer2.0 (basic, stride 2, projection) and ResNet-50's layer1.0 (bottleneck, projection to 256),
    # He et al. 2016, Table 1: the same parameters and multiply-adds as the zoo's blocks.
    ("basic", "resnet18", "layer2.0", (64, 56, 56), dict(c=128, s=2)),
    ("bottleneck", "resnet50", "layer1.0", (64, 56, 56), dict(c=64)),
    # MobileNet v2's first t = 6 bottleneck (Sandler et al. 2018, Table 2: 112²×16 → 56²×24) and
    # EfficientNet-B0's stage 3 MBConv6 5×5 (Tan & Le 2019, Table 1: 56²×24 → 28²×40).
    ("mbv2", "mobilenet_v2", "stage2.0", (16, 112, 112), dict(t=6, c=24, s=2)),
    ("mbconv", "efficientnet_b0", "stage3.0", (24, 56, 56), dict(t=6, c=40, s=2, k=5)),
])
def test_blocks_equal_the_zoos(kind, zoo, block, input_size, values):
    out = only(run(input_size, (kind, values)))
    expected = next(g for g in trace_network(zoo).group(1) if g.name == block)
    assert (out.output_shape, out.params, out.macs) == (tuple(expected.output_shape), expected.params, expected.macs)


def test_residual_shortcut_none_is_the_plain_block():
    with_skip = only(run((64, 56, 56), ("basic", dict(c=128, s=2))))
    plain = only(run((64, 56, 56), ("basic", dict(c=128, s=2, shortcut="none"))))
    assert with_skip.params - plain.params == 64 * 128 + 2 * 128  # the 1×1 projection W_s and its batch norm


def test_depthwise_separable_the_lectures_example():
    # Lecture: depthwise 3×3 on 6×6×3 → 4×4×3 (432), pointwise 1×1 with 5 filters (240): 672, vs 2,160.
    out = only(run((3, 6, 6), ("dwsep", dict(c=5, k=3, p=0, bn=False, act="none"))))
    assert out.output_shape == (1, 5, 4, 4) and out.macs == 432 + 240


def test_every_kind_has_a_test_above():
    tested = {"conv", "conv1x1", "maxpool", "avgpool", "gap", "lrn", "inception", "basic", "bottleneck", "dwsep",
              "mbv2", "mbconv", "act", "flatten", "fc", "dropout"}
    assert tested == set(KINDS)


# ------------------------------------------------------------------------------ messages


def messages(result):
    return [f"row {r.number}: {r.message}" for r in result.rows if r.status == "error"]


def test_a_pool_on_a_map_too_small_names_the_row_and_the_fix():
    result = run((3, 8, 8), ("conv", dict(c=8, k=3, s=2)), ("maxpool", dict(k=2)), ("maxpool", dict(k=3)),
                 ("fc", dict(c=10)))
    assert messages(result) == ["row 3: a 3×3 pool on a 2×2 map (padding 0) leaves nothing; use padding 1, or a "
                                "kernel of at most 2, or remove a pool or a stride earlier."]
    assert [r.status for r in result.rows] == ["ok", "ok", "error", "waiting"]
    assert [r.output_shape for r in result.rows[:2]] == [(1, 8, 4, 4), (1, 8, 2, 2)]  # the rows above keep theirs
    assert result.result.output_shape == (1, 8, 2, 2) and result.working_rows == 2


def test_a_conv_whose_kernel_is_larger_than_the_map():
    (message,) = messages(run((3, 4, 4), ("conv", dict(c=8, k=7, p=0))))
    assert message == ("row 1: a 7×7 conv on a 4×4 map (padding 0) leaves nothing; use padding 2 (or leave p "
                       "blank: 'same'), or a kernel of at most 4, or remove a pool or a stride earlier.")


def test_pool_padding_more_than_half_the_kernel():
    (message,) = messages(run((3, 8, 8), ("maxpool", dict(k=3, p=2))))
    assert message == "row 1: padding 2 is more than half the 3×3 pool: use at most 1."


def test_groups_that_do_not_divide():
    (message,) = messages(run((3, 32, 32), ("conv", dict(c=64, groups=2))))
    assert message == "row 1: groups 2 must divide both the 3 input channels and the 64 filters; try 1."
    (message,) = messages(run((32, 32, 32), ("conv", dict(c=32, groups=3))))
    assert "try 1, 2, 4, 8, 16, 32 (depthwise: groups = c = 32)" in message


def test_an_identity_shortcut_between_different_shapes():
    (message,) = messages(run((64, 56, 56), ("basic", dict(c=128, s=2, shortcut="identity"))))
    assert message == ("row 1: an identity shortcut adds the 56 × 56 × 64 input to the block's 28 × 28 × 128 "
                       "output, a different shape; use shortcut projection (a 1×1 conv where the shapes change, "
                       "He et al. 2016's option B), or stride 1 and c = 64.")
    assert only(run((256, 56, 56), ("bottleneck", dict(c=64, shortcut="identity")))).output_shape == (1, 256, 56, 56)


def test_fully_connected_before_flatten_and_conv_after_it():
    (message,) = messages(run((16, 5, 5), ("fc", dict(c=120))))
    assert message == ("row 1: a fully connected layer needs a vector of features, but its input is a 5 × 5 × 16 "
                       "map; add a FLATTEN row above it (or a GLOBAL AVG POOL, then a FLATTEN).")
    (message,) = messages(run((16, 5, 5), ("flatten", {}), ("conv", dict(c=8))))
    assert message.startswith("row 2: a CONV needs a map (n_H × n_W × n_C), but its input is 400 features")
    assert "move this row above the flatten" in message


def test_values_that_are_not_allowed_are_all_named():
    result = evaluate(Design((3, 32, 32), rows(("conv", dict(c=0)), ("maxpool", dict(k=40)))
                             + (Row(), normalise(dict(kind="inception", inception="64 96")))))
    assert messages(result) == [
        "row 1: c must be an integer from 1 to 8192; got `0`.",
        "row 2: f must be an integer from 1 to 15; got `40`.",
        "row 3: choose a layer in the 'layer' column.",
        "row 4: an inception module needs six whole numbers (#1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool "
        "proj), e.g. 64 96 128 16 32 32 for (3a); 0 for a reduce or pool proj means none; got `64 96`.",
    ]
    assert result.result is None


def test_text_in_a_message_is_a_code_span():
    with pytest.raises(ValueError, match=r"got `\*\*x\*\* <b>`"):
        check(normalise(dict(kind="conv", act="**x** <b>")))


def test_an_inverted_residual_has_no_projection_shortcut():
    (message,) = messages(run((16, 8, 8), ("mbv2", dict(c=24, shortcut="projection"))))
    assert "no projection shortcut" in message and "use identity" in message


def test_too_many_rows_are_cut_with_a_note():
    result = evaluate(Design((3, 8, 8), rows(*[("act", {})] * (design_module.MAX_ROWS + 5))))
    assert len(result.rows) == design_module.MAX_ROWS
    assert result.notes == (f"Only the first {design_module.MAX_ROWS} rows are used ({design_module.MAX_ROWS + 5} "
                            "given).",)


def test_inception_numbers():
    assert parse_inception("64, 96, 128, 16, 32, 32") == (64, 96, 128, 16, 32, 32)
    assert parse_inception("64 0 128 0 32 0") == (64, None, 128, None, 32, None)
    for bad in ("64 96 128 16 32", "a b c d e f", "0 96 128 16 32 32", "64 96 128 16 32 1e9", "64 96 128 16 32 3.5"):
        with pytest.raises(ValueError, match="inception module"):
            parse_inception(bad)


# -------------------------------------------------------------------------------- names


def test_module_paths():
    table = rows(("conv", dict(stage="block1")), ("conv", dict(stage="block1")), ("maxpool", dict(stage="block1")),
                 ("conv", {}), ("maxpool", {}), ("conv", {}), ("flatten", {}), ("fc", dict(stage="forward")),
                 ("fc", dict(stage="Block 1!")), ("fc", dict(stage="block1")))
    assert module_paths(table) == ["block1.conv1", "block1.conv2", "block1.pool", "conv1", "pool", "conv2",
                                   "flatten", "forward_", "block_1", "block1_2"]


# ------------------------------------------------------------------- the zoo as designs


@pytest.mark.parametrize("name", list(architectures.NETWORKS))
def test_every_zoo_network_as_a_design_traces_to_the_zoos_counts(name):
    result = evaluate(design_from_zoo(name))
    zoo = trace_network(name)
    assert result.ok, result.errors
    assert result.result.total_params == zoo.total_params - zoo.extra["params_not_called"]
    assert result.result.total_macs == zoo.total_macs
    stages = [(g.name, g.params, g.macs, g.output_shape) for g in result.result.group(0)]
    assert stages == [(g.name, g.params, g.macs, g.output_shape) for g in zoo.group(0)]


def test_the_lectures_networks_as_designs():
    assert evaluate(design_from_zoo("lenet5")).result.total_params == 61_706  # LeCun et al. 1998; lecture ~60K
    assert evaluate(design_from_zoo("vgg16")).result.total_params == 138_357_544  # Simonyan & Zisserman, Table 2
    assert len(design_from_zoo("mobilenet_v2").rows) == 1 + 17 + 1 + 4  # stem, 17 bottlenecks, 1×1, head


@pytest.mark.parametrize("name", ["lenet5", "googlenet", "resnet18", "mobilenet_v2", "efficientnet_b0"])
def test_rows_traced_one_by_one_equal_the_whole_models_trace(name):
    # Records row by row, assembled = viz.trace.trace on the built nn.Sequential; receptive fields composed
    # row by row = trace_fields on the whole model.
    result = evaluate(design_from_zoo(name))
    model = build_model(result, device="meta")
    whole = trace(model, result.design.input)
    assert whole.records == result.result.records
    assert (whole.total_params, whole.total_macs, whole.output_shape) == (
        result.result.total_params, result.result.total_macs, result.result.output_shape)
    fields = trace_fields(model, torch.zeros(1, *result.design.input, device="meta"))
    for outcome in result.rows:
        field = fields[outcome.path].field
        assert outcome.receptive == (field.size if field.grid else None), outcome.path


def test_receptive_fields_of_vgg16():
    # Araujo, Norris & Sim, Distill 2019: VGG-16's conv5_3 sees 196 × 196 pixels, its last max-pool 212 × 212.
    result = evaluate(design_from_zoo("vgg16"))
    by_path = {o.path: o for o in result.rows}
    assert by_path["block5.conv3"].receptive == (196, 196)
    assert by_path["block5.pool"].receptive == (212, 212)


def test_an_edit_traces_only_the_rows_it_changes(monkeypatch):
    design = design_from_zoo("resnet18")
    evaluate(design)
    traced = []
    original = design_module._trace_row
    monkeypatch.setattr(design_module, "_trace_row", lambda layer, shape: traced.append(layer) or original(layer, shape))
    assert evaluate(design).ok and traced == []  # every row from the cache
    changed = list(design.rows)
    changed[4] = normalise({**changed[4].__dict__, "bn": False})  # layer1's second block without batch norm
    result = evaluate(Design(design.input, tuple(changed)))
    assert len(traced) == 1 and result.ok  # its output shape is the same: nothing below is traced again
