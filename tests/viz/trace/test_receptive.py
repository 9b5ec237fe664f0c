"""Receptive fields from the layer stack (viz/trace/receptive.py), checked against gradients."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

import architectures
from architectures.meta_build import meta_device
from viz.trace.receptive import INPUT_AXIS, Axis, trace_fields


@pytest.fixture(autouse=True)
def one_thread():
    """One intra-op thread: once another thread has run torch ops (viz.compute's worker, in
    tests before these), this test's many small parallel ops ran ~9× slower on 2 cores
    (MobileNet v2: 6 s alone, 55 s after tests/viz/augmentation/test_cost.py; 6 s with one
    thread either way)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def positive_copy(model: nn.Module) -> nn.Module:
    """A float64 copy in which every unit of a field has a non-zero gradient.

    Weights 1/fan-in (positive), small positive biases, batch norm the identity, and each
    max-pool swapped for an average pool of the same geometry (a max-pool's gradient reaches
    only the largest input of its window), each ReLU6 for a ReLU (positive sums grow past 6
    through residual adds, where ReLU6's gradient is zero).
    """
    model = copy.deepcopy(model).double().eval()
    for module in list(model.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.MaxPool2d):
                setattr(module, child_name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                                         ceil_mode=child.ceil_mode, count_include_pad=False))
            elif isinstance(child, nn.AdaptiveMaxPool2d):
                setattr(module, child_name, nn.AdaptiveAvgPool2d(child.output_size))
            elif isinstance(child, nn.ReLU6):
                setattr(module, child_name, nn.ReLU())
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                module.weight.fill_(1.0 / module.weight[0].numel())
                if module.bias is not None:
                    module.bias.fill_(0.01)
            elif isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.running_mean.zero_()
                module.running_var.fill_(1.0)
                module.weight.fill_(1.0)
                module.bias.zero_()
    return model


def measured_boxes(model: nn.Module, input_size, units_per_layer=((0, 0), (-1, -1), (None, None))):
    """{layer name: [(unit (row, col), nonzero-gradient box (y0, x0, y1, x1))]} on the real module.

    One input copy per unit, in one batch: in eval mode the batch's images never meet, so one
    backward pass gives unit k's field as the gradient on copy k (a backward per layer, not
    one per unit: the test's time is the passes' overhead at these small sizes)."""
    model = positive_copy(model)
    outputs: dict[str, torch.Tensor] = {}
    names = {id(m): n for n, m in model.named_modules()}
    hooks = [m.register_forward_hook(lambda mod, i, o: outputs.setdefault(names[id(mod)], o))
             for m in model.modules() if names[id(m)]]
    copies = len(units_per_layer)
    x = torch.ones((copies, *input_size), dtype=torch.float64, requires_grad=True)
    model(x)
    for h in hooks:
        h.remove()
    boxes: dict[str, list] = {}
    done: dict[int, list] = {}  # a container's output is often its last child's tensor: measure it once
    for name, out in outputs.items():
        if not isinstance(out, torch.Tensor):
            continue
        if id(out) in done:
            boxes[name] = done[id(out)]
            continue
        units, value = [], out.new_zeros(())
        for k, (row, col) in enumerate(units_per_layer):
            if out.dim() == 4:
                h, w = out.shape[-2:]
                r = h // 2 if row is None else row % h
                c = w // 2 if col is None else col % w
                # all channels: a concatenation's channels have different fields (Inception's
                # 1×1 branch sees less than its 5×5 branch); the tensor's field is their union
                value = value + out[k, :, r, c].sum()
            else:
                r = c = 0
                value = value + out[k].sum()
            units.append((r, c))
        (grad,) = torch.autograd.grad(value, x, retain_graph=True)
        found = []
        for k, (r, c) in enumerate(units):
            seen = grad[k].abs().sum(0) > 0
            rows = torch.nonzero(seen.any(1)).flatten()
            cols = torch.nonzero(seen.any(0)).flatten()
            box = (int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1]))
            # dense: every pixel in the box moves the unit (no holes in these networks)
            assert bool(seen[box[0]:box[2] + 1, box[1]:box[3] + 1].all()), (name, (r, c))
            found.append(((r, c), box))
        boxes[name] = done[id(out)] = found
    return boxes


def check_against_gradients(model: nn.Module, input_size):
    trace = trace_fields(copy.deepcopy(model).eval(), torch.zeros((1, *input_size)))
    measured = measured_boxes(model, input_size)
    checked = 0
    for layer in trace.layers:
        for unit, box in measured.get(layer.name, []):
            assert layer.field.box(*unit, trace.input_hw) == box, (layer.name, layer.kind, unit)
            checked += 1
    assert checked >= len(trace.layers)  # every module call was checked at least once
    return trace


def test_axis_rule_is_the_standard_arithmetic():
    # Araujo et al., Distill 2019: r_out = r_in + (k−1)·d·j_in, j_out = j_in·s,
    # start_out = start_in + ((k−1)/2·d − p)·j_in
    a = INPUT_AXIS.window(kernel=3, stride=2, padding=1)
    assert a == Axis(3, 2, 0)
    b = a.window(kernel=3, stride=1, padding=1, dilation=2)
    assert b == Axis(3 + 2 * 2 * 2, 2, 0 + (1 * 2 - 1) * 2)
    assert Axis(5, 1, 2).span(3) == (3, 7)


def test_lenet5_fields_match_gradients_and_the_classic_sizes():
    for style in ("modern", "1998"):
        trace = check_against_gradients(architectures.build("lenet5", style=style), (1, 32, 32))
        # C1 5×5, S2 6×6, C3 14×14, S4 16×16, C5 the whole 32×32 input (LeCun et al. 1998, §II.B)
        sizes = {name: trace[name].field.size[0] for name in ("c1", "s2", "c3", "s4", "c5")}
        assert sizes == {"c1": 5, "s2": 6, "c3": 14, "s4": 16, "c5": 32}
        assert trace["c1"].field.box(0, 0, (32, 32)) == (0, 0, 4, 4)
        assert trace["c3"].field.box(9, 9, (32, 32)) == (18, 18, 31, 31)
        assert not trace["f6"].field.grid and trace["f6"].field.box(0, 0, (32, 32)) == (0, 0, 31, 31)


def test_vgg16_conv5_3_sees_196_pixels_and_its_last_pool_212():
    # Araujo et al., "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019:
    # 3×3 convolutions add 2·j each, 2×2 pools add j and double it: 196 at conv5_3, 212 after pool5.
    with meta_device():
        model = architectures.build("vgg16")
    trace = trace_fields(model, torch.empty(1, 3, 224, 224, device="meta"))
    assert trace["block5.conv3"].field.size == (196, 196)
    assert trace["block5.pool"].field.size == (212, 212)
    assert trace["block5.pool"].field.y.jump == 32 and trace["block1.conv1"].field.size == (3, 3)


def test_vgg11_convolutional_part_matches_gradients():
    # VGG's classifier wants 7×7×512 (a 224 input); its five conv blocks take any size.
    model = architectures.build("vgg11")
    blocks = nn.Sequential(*[child for name, child in model.named_children() if name.startswith("block")])
    trace = check_against_gradients(blocks, (3, 32, 32))
    # by hand with the same arithmetic: conv 3, pool 4 | 8, pool 10 | 18, 26, pool 30 | 46, 62, pool 70 |
    # 102, 134, pool 150
    assert [trace[f"{b}.pool"].field.size[0] for b in range(5)] == [4, 10, 30, 70, 150]


@pytest.mark.slow  # 1–15 s each: a backward pass per layer
@pytest.mark.parametrize("name, size", [
    ("resnet18", (3, 64, 64)),  # residual adds, strided 1×1 shortcuts
    ("googlenet", (3, 64, 64)),  # Inception's concatenations of 1×1 / 3×3 / 5×5 / pool branches
    ("mobilenet_v2", (3, 32, 32)),  # depthwise convolutions, inverted residuals
    ("efficientnet_b0", (3, 32, 32)),  # squeeze-excite: a global scale on every map
])
def test_zoo_networks_match_gradients_on_small_inputs(name, size):
    check_against_gradients(architectures.build(name), size)


def test_resnet18_layer4_field():
    # ResNet-18 at 224: 435 pixels at the last residual stage (Araujo et al. 2019's table lists
    # ResNet-50's 483; ResNet-18's basic blocks have one 3×3 fewer per block: 435).
    with meta_device():
        model = architectures.build("resnet18")
    trace = trace_fields(model, torch.empty(1, 3, 224, 224, device="meta"))
    last_stage = [layer for layer in trace.layers if layer.output_shape[1:] == (512, 7, 7)][-1]
    assert last_stage.field.size == (435, 435) and last_stage.field.y.jump == 32


def test_hooks_are_removed_and_the_model_is_unchanged():
    model = architectures.build("lenet5")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trace_fields(model, torch.zeros(1, 1, 32, 32))
    assert all(not m._forward_hooks for m in model.modules())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
