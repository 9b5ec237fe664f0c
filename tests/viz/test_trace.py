"""viz.trace on hand-made models: exact shapes and multiply-adds, records, groups, bad input.

The zoo-wide checks (FlopCounterMode, torchinfo, every network) are in test_trace_zoo.py.
"""

from __future__ import annotations

import pickle

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from architectures import costs
from architectures.blocks import ConvBNAct, InceptionModule, InvertedResidual
from viz.trace import LayerRecord, TraceResult, group, layer_macs, normalise_input_size, trace


def flop_counter_macs(model: nn.Module, size: tuple[int, ...]) -> int:
    """PyTorch's own count (torch.utils.flop_counter): FLOPs / 2 = multiply-adds."""
    model.eval()
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(size))
    return counter.get_total_flops() // 2


def only(result: TraceResult, layer_type: str) -> list[LayerRecord]:
    return [r for r in result.records if r.layer_type == layer_type]


# ----------------------------------------------------------------- the lecture's numbers


def test_lecture_5x5_same_conv_on_28x28x192():
    # Lecture (Inception, "the problem of computational cost"): 32 filters 5×5 "same" on
    # 28×28×192 → 28·28·32·5·5·192 = 120,422,400 multiplies.
    result = trace(nn.Conv2d(192, 32, 5, padding=2), (192, 28, 28))
    assert result.total_macs == 120_422_400
    assert result.output_shape == (1, 32, 28, 28)


def test_lecture_bottleneck_version():
    # Lecture: 1×1 conv to 16 channels (2,408,448) then the 5×5 to 32 (10,035,200) = 12,443,648.
    model = nn.Sequential(nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding=2))
    result = trace(model, (192, 28, 28))
    assert [r.macs for r in result.records] == [2_408_448, 10_035_200]
    assert result.total_macs == 12_443_648
    assert result.output_shape == (1, 32, 28, 28)


def test_lecture_depthwise_separable_example():
    # Lecture (MobileNet): 6×6×3 input, 3×3 filters, 5 of them → 4×4×5: normal conv 2,160;
    # depthwise 432 + pointwise 240 = 672.
    assert trace(nn.Conv2d(3, 5, 3), (3, 6, 6)).total_macs == 2_160
    separable = nn.Sequential(nn.Conv2d(3, 3, 3, groups=3), nn.Conv2d(3, 5, 1))
    result = trace(separable, (3, 6, 6))
    assert [r.macs for r in result.records] == [432, 240]
    assert result.output_shape == (1, 5, 4, 4)
    cmp = costs.separable_comparison()
    assert (cmp.normal, cmp.depthwise, cmp.pointwise) == (2_160, 432, 240)


def test_inception_3a_output_shape():
    # Lecture / Szegedy et al. 2015, Table 1: inception (3a) takes 28×28×192 to 28×28×256
    # (64 + 128 + 32 + 32 channels).
    module = InceptionModule(192, 64, 96, 128, 16, 32, 32)
    result = trace(module, (192, 28, 28))
    assert result.output_shape == (1, 256, 28, 28)
    assert result.total_macs == flop_counter_macs(module, (1, 192, 28, 28))


# ------------------------------------------------------------ hypothesis: any convolution


@st.composite
def convolutions(draw):
    groups = draw(st.integers(1, 4))
    in_c = groups * draw(st.integers(1, 3))
    out_c = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # Inputs at least as large as the dilated kernel, so the output exists.
    h = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]), 14))
    w = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]), 14))
    batch = draw(st.integers(1, 3))
    bias = draw(st.booleans())
    conv = nn.Conv2d(in_c, out_c, (kh, kw), stride, padding, dilation, groups, bias=bias)
    return conv, (batch, in_c, h, w)


@settings(max_examples=50, deadline=None)
@given(convolutions())
def test_any_convolution_macs_and_shape_exact(case):
    conv, size = case
    result = trace(conv, size)
    (record,) = result.records
    # Shapes: PyTorch's own forward pass, and the lecture's ⌊(n + 2p − d(f − 1) − 1)/s⌋ + 1.
    with torch.no_grad():
        expected = tuple(conv(torch.zeros(size)).shape)
    assert record.output_shape == expected == result.output_shape
    out_h = costs.conv_output_size(size[2], conv.kernel_size[0], conv.stride[0], conv.padding[0],
                                   conv.dilation[0])
    out_w = costs.conv_output_size(size[3], conv.kernel_size[1], conv.stride[1], conv.padding[1],
                                   conv.dilation[1])
    assert expected[2:] == (out_h, out_w)
    # MACs: #filter params × #filter positions × #filters (costs.conv_macs), per example × batch.
    formula = costs.conv_macs(conv.in_channels, conv.out_channels, conv.kernel_size, out_h, out_w,
                              groups=conv.groups)
    assert record.macs == size[0] * formula == result.total_macs
    assert record.macs == flop_counter_macs(conv, size)
    assert record.params == result.total_params == sum(p.numel() for p in conv.parameters())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.integers(1, 8), st.integers(1, 8))
def test_linear_on_4d_input_counts_every_row(n, c, h, w, out):
    # A Linear on (N, C, H, W) acts on the last dimension: N·C·H rows of w → out.
    model = nn.Sequential(nn.Linear(w, out))
    result = trace(model, (n, c, h, w))
    assert result.output_shape == (n, c, h, out)
    assert result.total_macs == n * c * h * w * out == flop_counter_macs(model, (n, c, h, w))


def test_depthwise_conv_counts_one_filter_per_channel():
    # Depthwise: groups = channels, each filter k·k·1: 3·3·32 weights at 56·56 positions.
    result = trace(nn.Conv2d(32, 32, 3, padding=1, groups=32), (32, 56, 56))
    assert result.total_macs == 3 * 3 * 32 * 56 * 56


def test_transposed_conv_matches_flop_counter():
    model = nn.Sequential(nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1))
    assert trace(model, (2, 4, 5, 7)).total_macs == flop_counter_macs(model, (2, 4, 5, 7))


def test_layer_macs_zero_for_elementwise_layers():
    for module in (nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2), nn.Identity()):
        assert layer_macs(module, (1, 4, 8, 8), (1, 4, 8, 8)) == 0


# ------------------------------------------------------------------ records and their order


class Branchy(nn.Module):
    """Stem, a two-stage body, a head: names like the zoo's (stages at depth 0, blocks at 1)."""

    def __init__(self):
        super().__init__()
        self.stem = ConvBNAct(3, 8, 3, 2)
        self.stage1 = nn.Sequential(InvertedResidual(8, 8, 1, 4, se_ratio=0.25), InvertedResidual(8, 16, 2, 4))
        self.stage2 = nn.Sequential(ConvBNAct(16, 16, 3), ConvBNAct(16, 24, 3, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.stage2(self.stage1(self.stem(x))))))


def test_records_are_in_pre_order_execution_order():
    model = Branchy()
    result = trace(model, (3, 32, 32))
    names = [r.name for r in result.records]
    # Every named module once, a container right before its first child, in the order they run.
    assert names == [name for name, _ in model.named_modules() if name]
    assert names.index("stage1") < names.index("stage1.0") < names.index("stage1.0.expand.conv")
    assert names.index("stage1.0.se.gate") < names.index("stage1.0.project")
    for r in result.records:
        assert r.depth == r.name.count(".")
        assert r.is_leaf == (next(model.get_submodule(r.name).children(), None) is None)


def test_record_fields_for_a_conv_layer():
    result = trace(Branchy(), (2, 3, 32, 32))
    stem = next(r for r in result.records if r.name == "stem.conv")
    assert stem.layer_type == "Conv2d" and stem.depth == 1 and stem.is_leaf and stem.call == 0
    assert stem.input_shape == (2, 3, 32, 32) and stem.output_shape == (2, 8, 16, 16)
    assert stem.params == 3 * 3 * 3 * 8  # no bias before batch norm (blocks.ConvBNAct)
    assert stem.macs == 2 * 3 * 3 * 3 * 8 * 16 * 16
    assert stem.output_bytes == 2 * 8 * 16 * 16 * 4  # float32
    container = next(r for r in result.records if r.name == "stem")
    assert not container.is_leaf and container.params == 0 and container.macs == 0
    assert container.output_shape == (2, 8, 16, 16)


def test_totals_equal_pytorch_and_flop_counter():
    model = Branchy()
    result = trace(model, (3, 32, 32))
    assert result.total_params == sum(p.numel() for p in model.parameters())
    assert sum(r.params for r in result.records) == result.total_params
    assert result.total_macs == sum(r.macs for r in result.leaves()) == flop_counter_macs(model, (1, 3, 32, 32))
    assert result.output_shape == (1, 10)
    assert result.input_size == (1, 3, 32, 32)


def test_trainable_params_and_mode_restored():
    model = Branchy()
    for p in model.stem.parameters():
        p.requires_grad_(False)
    model.train()
    result = trace(model, (3, 32, 32))
    frozen = sum(p.numel() for p in model.stem.parameters())
    assert result.trainable_params == result.total_params - frozen
    assert all(m.training for m in model.modules())  # trace runs in eval mode, then restores
    model.eval()
    trace(model, (3, 32, 32))
    assert not any(m.training for m in model.modules())


def test_trace_leaves_no_hooks_behind():
    model = Branchy()
    trace(model, (3, 32, 32))
    with pytest.raises(ValueError):
        trace(model, (1, 32, 32))  # wrong channel count: fails inside the pass
    from torch.nn.modules import module as module_mod

    assert not module_mod._global_forward_hooks and not module_mod._global_forward_pre_hooks
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    assert all("forward" not in m.__dict__ for m in model.modules())  # the wrappers are gone


def test_an_instance_level_forward_is_traced_and_restored():
    # Some callers patch a module's forward on the instance (e.g. a shape-only stand-in).
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
    calls = []

    def patched(x):
        calls.append(x.shape)
        return x

    model[1].forward = patched
    result = trace(model, (3, 8, 8))
    assert [r.name for r in result.records] == ["0", "1"] and calls == [(1, 4, 6, 6)]
    assert model[1].__dict__["forward"] is patched


def test_result_is_plain_picklable_data():
    # Pages cache results with st.cache_data, which pickles them.
    result = trace(Branchy(), (3, 32, 32))
    again = pickle.loads(pickle.dumps(result))
    assert again.records == result.records and again.total_macs == result.total_macs
    assert all(type(r.output_shape) is tuple for r in result.records)


def test_meta_device_model_gives_the_same_records():
    size = (3, 32, 32)
    torch.manual_seed(0)
    real = Branchy()
    with torch.device("meta"):
        torch.manual_seed(0)
        meta = Branchy()
    assert trace(meta, size).records == trace(real, size).records


# ------------------------------------------------------- sharing, repeated calls, functionals


class TwiceLinear(nn.Module):
    """One Linear applied twice (weights reused in a loop)."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(12, 12)

    def forward(self, x):
        return self.fc(self.fc(self.flatten(x)))


def test_module_called_twice_gets_two_records_params_once():
    model = TwiceLinear()
    result = trace(model, (3, 2, 2))
    fc = [r for r in result.records if r.name == "fc"]
    assert [r.call for r in fc] == [0, 1]
    assert [r.params for r in fc] == [12 * 12 + 12, 0]  # the weights once, at the first call
    assert [r.macs for r in fc] == [144, 144]  # the work twice
    assert result.total_params == 156 == sum(p.numel() for p in model.parameters())
    assert result.total_macs == 288 == flop_counter_macs(model, (1, 3, 2, 2))


class Tied(nn.Module):
    """Two Linear layers sharing one weight matrix (tied weights), separate biases."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.a = nn.Linear(8, 8)
        self.b = nn.Linear(8, 8)
        self.b.weight = self.a.weight

    def forward(self, x):
        return self.b(self.a(self.flatten(x)))


def test_shared_weight_counted_once():
    model = Tied()
    result = trace(model, (2, 2, 2))
    by_name = {r.name: r for r in result.records}
    assert by_name["a"].params == 64 + 8 and by_name["b"].params == 8  # b only adds its bias
    assert result.total_params == 64 + 8 + 8 == sum(p.numel() for p in model.parameters())
    assert by_name["a"].macs == by_name["b"].macs == 64  # the work is done twice


class Functional(nn.Module):
    """F.relu, torch.flatten and a residual add inside forward: no records, no cost lost."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 8 * 8, 4)

    def forward(self, x):
        return self.fc(torch.flatten(F.relu(self.conv(x)) + x, 1))


def test_functional_elementwise_ops_lose_no_cost():
    model = Functional()
    result = trace(model, (3, 8, 8))
    assert [r.name for r in result.records] == ["conv", "fc"]
    assert result.total_macs == flop_counter_macs(model, (1, 3, 8, 8)) == 3 * 3 * 3 * 3 * 64 + 192 * 4


class HiddenMatmul(nn.Module):
    """A weight applied with F.linear inside forward: the documented blind spot."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.weight = nn.Parameter(torch.zeros(5, 12))

    def forward(self, x):
        return F.linear(self.flatten(x), self.weight)


def test_functional_matmul_is_reported_as_documented():
    # viz/trace.py's docstring: a functional convolution / matrix product is not counted
    # (the zoo uses modules; the zoo-wide FlopCounterMode test would catch one). Its
    # parameters are still in the totals, reported as the model's own.
    model = HiddenMatmul()
    result = trace(model, (3, 2, 2))
    assert result.total_macs == 0 and flop_counter_macs(model, (1, 3, 2, 2)) == 60
    assert result.total_params == 60 and result.extra["params_of_model"] == 60


class Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Conv2d(1, 2, 3)
        self.aux = nn.Linear(10, 10)  # like GoogLeNet's auxiliary heads in eval mode

    def forward(self, x):
        return self.used(x)


def test_params_of_modules_never_called_are_reported():
    result = trace(Unused(), (1, 5, 5))
    assert result.total_params == 20 + 110
    assert sum(r.params for r in result.records) == 20
    assert result.extra["params_not_called"] == 110 and result.extra["modules_not_called"] == ["aux"]


def test_tuple_outputs_and_inputs():
    class Pair(nn.Module):
        def forward(self, x):
            return x, x.sum()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.pair = Pair()
            self.conv = nn.Conv2d(2, 2, 1)

        def forward(self, x):
            a, _ = self.pair(x)
            return self.conv(a)

    result = trace(Net(), (2, 3, 3))
    assert result.records[0].output_shape == (1, 2, 3, 3)


# ------------------------------------------------------------------------------- groups


def test_groups_by_stage_and_block():
    result = trace(Branchy(), (3, 64, 64))
    stages = group(result, 0)
    assert [g.name for g in stages] == ["stem", "stage1", "stage2", "pool", "flatten", "fc"]
    assert sum(g.macs for g in stages) == result.total_macs
    assert sum(g.params for g in stages) == result.total_params
    stage1 = stages[1]
    assert stage1.layer_type == "Sequential"
    assert stage1.input_shape == (1, 8, 32, 32) and stage1.output_shape == (1, 16, 16, 16)
    assert stage1.output_bytes == 16 * 16 * 16 * 4
    assert stage1.records[0].name == "stage1" and all(r.name.startswith("stage1") for r in stage1.records)
    blocks = result.group(1)
    names = [g.name for g in blocks]
    # Containers above depth 1 make way for their children; top-level leaves stay groups.
    assert names == ["stem.conv", "stem.bn", "stem.act", "stage1.0", "stage1.1", "stage2.0", "stage2.1",
                     "pool", "flatten", "fc"]
    assert sum(g.macs for g in blocks) == result.total_macs
    assert sum(g.params for g in blocks) == result.total_params
    block = blocks[names.index("stage1.1")]
    assert block.layer_type == "InvertedResidual" and block.output_shape == (1, 16, 16, 16)


def test_group_depth_must_be_a_natural_number():
    result = trace(Branchy(), (3, 32, 32))
    for bad in (-1, 1.5, "0", True):
        with pytest.raises(ValueError, match="depth"):
            group(result, bad)


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [(3, 32), (1, 1, 3, 32, 32), (3, 0, 32), (3, -4, 32), (3, 32.5, 32),
                                 "3,32,32", None, 7, (3, "a", 4), (True, 32, 32)])
def test_malformed_input_sizes_are_rejected_clearly(bad):
    with pytest.raises(ValueError, match=r"\(C, H, W\) or \(N, C, H, W\)"):
        normalise_input_size(bad)
    with pytest.raises(ValueError, match=r"\(C, H, W\) or \(N, C, H, W\)"):
        trace(Branchy(), bad)


def test_input_size_forms():
    assert normalise_input_size((3, 4, 5)) == (1, 3, 4, 5)
    assert normalise_input_size([2, 3, 4, 5]) == (2, 3, 4, 5)
    assert normalise_input_size(torch.Size([3, 4, 5])) == (1, 3, 4, 5)
    assert normalise_input_size((3.0, 4, 5)) == (1, 3, 4, 5)


def test_wrong_channel_count_names_the_layer():
    with pytest.raises(ValueError, match=r"stem\.conv expects 3 input channels but receives 1"):
        trace(Branchy(), (1, 32, 32))


def test_too_small_input_names_the_layer_and_smallest_size():
    # Two valid 5×5 convolutions and a 2×2 pool between: n → n − 4 → ⌊(n − 4)/2⌋ → that − 4 ≥ 1,
    # so the smallest side is 14 (14 → 10 → 5 → 1).
    model = nn.Sequential(nn.Conv2d(3, 4, 5), nn.MaxPool2d(2), nn.Conv2d(4, 4, 5))
    with pytest.raises(ValueError) as info:
        trace(model, (3, 12, 12), name="toy")
    message = str(info.value)
    assert message.startswith("toy: a 12×12 input is too small")
    assert "collapses at 2 (Conv2d 5×5 on a 4×4×4 map)" in message
    assert message.endswith("the smallest input that works is 14×14.")
    assert trace(model, (3, 14, 14)).output_shape == (1, 4, 1, 1)
    with pytest.raises(ValueError):
        trace(model, (3, 13, 13))


def test_other_failures_become_value_errors():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 1)

        def forward(self, x):
            raise RuntimeError("something odd")

    with pytest.raises(ValueError, match="something odd"):
        trace(Broken(), (3, 4, 4))
