"""viz.trace.recording on hand-made models: records and their order, totals, modes and wrappers
restored, repeated calls and shared weights, modules never called, input sizes.
"""

from __future__ import annotations

import pickle

import pytest
import torch
from torch import nn

from tests.viz.trace.helpers import Branchy, flop_counter_macs
from viz.trace import normalise_input_size, trace

# ------------------------------------------------------------------ records and their order


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


# -------------------------------------------- sharing, repeated calls, modules never called


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


# -------------------------------------------------------------------------- input sizes


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
