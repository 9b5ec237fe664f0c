"""The registry's contract (DESIGN.md): NETWORKS by name, build() validating names and options.

Bad input must raise ValueError naming what is allowed; values from a URL (strings) are coerced.
"""

import math

import pytest
from torch import nn

from architectures import NETWORKS, Option, build, get_spec

# DESIGN.md's names, in the lecture's order (zooA's networks come first).
CLASSIC_AND_RESIDUAL = ["lenet5", "alexnet", "vgg11", "vgg13", "vgg16", "vgg19",
                        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]


def test_names_and_order():
    assert list(NETWORKS)[: len(CLASSIC_AND_RESIDUAL)] == CLASSIC_AND_RESIDUAL
    for name, spec in NETWORKS.items():
        assert spec.name == name


# --- unknown network --------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["vgg17", "VGG16", "", "resnet-50", None, 16])
def test_unknown_network_names_the_valid_ones(bad):
    with pytest.raises(ValueError) as err:
        build(bad, device="meta")
    message = str(err.value)
    assert repr(bad) in message
    for name in CLASSIC_AND_RESIDUAL:  # every valid name is listed
        assert name in message


def test_get_spec_unknown_name():
    with pytest.raises(ValueError, match="choose one of: lenet5, alexnet"):
        get_spec("vgg17")


# --- bad option values ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "name, options, allowed",
    [
        ("alexnet", {"groups": 3}, "one of 2, 1"),
        ("alexnet", {"groups": "two"}, "one of 2, 1"),
        ("alexnet", {"groups": True}, "one of 2, 1"),  # a bool is not the int 1
        ("alexnet", {"lrn": "maybe"}, "True or False"),
        ("vgg16", {"batch_norm": 2}, "True or False"),
        ("vgg16", {"batch_norm": None}, "True or False"),
        ("lenet5", {"style": "1989"}, "one of '1998', 'modern'"),
        ("resnet50", {"variant": "v2"}, "one of 'paper', 'v1.5'"),
        ("resnet50", {"residual": "yes"}, "True or False"),
        ("lenet5", {"num_classes": 0}, "an integer from 1 to 1000"),
        ("lenet5", {"num_classes": 1001}, "an integer from 1 to 1000"),
        ("lenet5", {"num_classes": 2.5}, "an integer from 1 to 1000"),
        ("lenet5", {"num_classes": "ten"}, "an integer from 1 to 1000"),
        ("lenet5", {"num_classes": True}, "an integer from 1 to 1000"),
        ("lenet5", {"num_classes": math.nan}, "an integer from 1 to 1000"),
        ("vgg16", {"num_classes": -1}, "an integer from 1 to 10000"),
        ("resnet18", {"num_classes": [10]}, "an integer from 1 to 10000"),
    ],
)
def test_bad_option_value_names_what_is_allowed(name, options, allowed):
    with pytest.raises(ValueError) as err:
        build(name, device="meta", **options)
    message = str(err.value)
    (option, value), = options.items()
    assert message.startswith(f"{name}: option {option}={value!r} is not allowed")
    assert allowed in message


@pytest.mark.parametrize(
    "name, options, allowed",
    [
        ("vgg16", {"colour": "red"}, "batch_norm, num_classes"),
        # ResNet-18/34 are built from basic blocks: no stride variant to choose.
        ("resnet18", {"variant": "paper"}, "num_classes, residual"),
        ("lenet5", {"groups": 2}, "num_classes, style"),
        ("alexnet", {"batchnorm": True, "lrn": False}, "groups, lrn, num_classes"),
    ],
)
def test_unknown_option_names_the_allowed_ones(name, options, allowed):
    with pytest.raises(ValueError) as err:
        build(name, device="meta", **options)
    message = str(err.value)
    assert "unknown option" in message and f"allowed options: {allowed}" in message
    for unknown in set(options) - set(NETWORKS[name].defaults()):
        assert unknown in message


# --- values from a URL ------------------------------------------------------------------------

def test_url_strings_are_coerced_by_build():
    model = build("alexnet", device="meta", groups="1", lrn="false", num_classes="10")
    assert model.conv2.conv.groups == 1  # "1" → the int choice 1
    assert not any(isinstance(m, nn.LocalResponseNorm) for m in model.modules())  # "false" → False
    assert model.fc8.fc.out_features == 10  # "10" → 10

    model = build("resnet50", device="meta", residual="0", variant="v1.5")
    assert not model.layer1[0].residual
    assert model.layer2[0].conv2.conv.stride == (2, 2)


@pytest.mark.parametrize(
    "text, expected", [("true", True), ("True", True), ("1", True), ("false", False), ("FALSE", False), ("0", False)]
)
def test_bool_option_coercion(text, expected):
    assert Option("flag", "bool", False).validate("net", text) is expected


def test_bool_option_rejects_other_text():
    for text in ("yes", "on", "", "2"):
        with pytest.raises(ValueError, match="True or False"):
            Option("flag", "bool", False).validate("net", text)


def test_int_option_coercion():
    option = Option("n", "int", 10, minimum=1, maximum=100)
    assert option.validate("net", "42") == 42 and type(option.validate("net", "42")) is int
    assert option.validate("net", 42.0) == 42 and type(option.validate("net", 42.0)) is int
    assert option.validate("net", "1") == 1 and option.validate("net", "100") == 100  # bounds included
    for bad in ("42.5", "0", "101", "inf", "nan", "", "4 2"):
        with pytest.raises(ValueError, match="an integer from 1 to 100"):
            option.validate("net", bad)


def test_float_option_coercion():
    option = Option("phi", "float", 0.0, minimum=0.0, maximum=3.0)
    assert option.validate("net", "1.5") == 1.5
    assert option.validate("net", 2) == 2.0
    for bad in ("3.01", "-0.5", "inf", "-inf", "nan", "x", True):
        with pytest.raises(ValueError, match="a number from 0.0 to 3.0"):
            option.validate("net", bad)


def test_choice_option_coercion():
    widths = Option("alpha", "choice", 1.0, choices=(1.0, 0.75, 0.5, 0.25))
    assert widths.validate("net", "0.75") == 0.75  # a float choice from a URL
    assert widths.validate("net", 0.5) == 0.5
    with pytest.raises(ValueError, match="one of 1.0, 0.75, 0.5, 0.25"):
        widths.validate("net", "0.6")
    ints = Option("groups", "choice", 2, choices=(2, 1))
    assert ints.validate("net", "2") == 2 and type(ints.validate("net", "2")) is int
    with pytest.raises(ValueError):
        ints.validate("net", "2.0")  # not the text of an int
    with pytest.raises(ValueError):
        ints.validate("net", True)  # bool is never taken for 1
    strings = Option("variant", "choice", "paper", choices=("paper", "v1.5"))
    assert strings.validate("net", "v1.5") == "v1.5"
    with pytest.raises(ValueError, match="one of 'paper', 'v1.5'"):
        strings.validate("net", "V1.5")


def test_subset_option_coercion():
    nets = Option("compare", "subset", ("vgg16",), choices=("lenet5", "vgg16", "resnet50"))
    # From a URL: comma-separated, spaces and empty parts ignored, each member once, in the order given.
    assert nets.validate("page", "resnet50, lenet5,,resnet50") == ("resnet50", "lenet5")
    assert nets.validate("page", ["vgg16", "lenet5"]) == ("vgg16", "lenet5")  # from a widget
    assert nets.validate("page", "") == () and nets.validate("page", ()) == ()  # none chosen is allowed
    for bad in ("vgg16,nonet", "VGG16", ["vgg16", 16], 16, None, {"vgg16": 1}):
        with pytest.raises(ValueError, match=r"any of 'lenet5', 'vgg16', 'resnet50' \(separated by commas\)"):
            nets.validate("page", bad)
    # Members are checked as a "choice" is: "2" from a URL is the int choice 2, True is never 1.
    ints = Option("groups", "subset", (), choices=(1, 2, 4))
    assert ints.validate("net", "4,1") == (4, 1) and type(ints.validate("net", "4")[0]) is int
    with pytest.raises(ValueError):
        ints.validate("net", [True])


def test_resolve_overlays_defaults():
    spec = NETWORKS["resnet50"]
    assert spec.resolve({}) == {"residual": True, "variant": "paper", "num_classes": 1000}
    assert spec.resolve({"variant": "v1.5", "residual": "false"}) == {
        "residual": False, "variant": "v1.5", "num_classes": 1000}


# --- every registered network keeps the contract ----------------------------------------------

@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_spec_builds_on_meta_with_its_defaults(name):
    spec = NETWORKS[name]
    assert spec.title and spec.paper and spec.summary
    c, h, w = spec.input_size_for({})
    assert c in (1, 3) and h == w and h >= 32
    for option in spec.options:  # every default is itself allowed
        assert option.validate(name, option.default) == option.default
    model = build(name, device="meta")
    assert all(p.is_meta for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) > 0
    # No in-place activations (the tracer's hooks must see each output intact).
    assert not any(getattr(m, "inplace", False) for m in model.modules())


@pytest.mark.parametrize("name", CLASSIC_AND_RESIDUAL)
def test_top_level_children_are_stages_run_in_order(name):
    model = build(name, device="meta")
    # An nn.Sequential whose forward is not overridden runs its named children one after another,
    # which the tracer and the Network Explorer's stage view rely on.
    assert isinstance(model, nn.Sequential) and type(model).forward is nn.Sequential.forward
    stages = [n for n, _ in model.named_children()]
    assert not any(n.isdigit() for n in stages)  # named stages, not 0, 1, 2 …
    assert all(len(list(stage.children())) >= 1 for stage in model.children())
    expected_first_last = {"lenet5": ("c1", "output"), "alexnet": ("conv1", "fc8")}.get(
        name, ("block1", "fc8") if name.startswith("vgg") else ("stem", "head"))
    assert (stages[0], stages[-1]) == expected_first_last


# --- the meta build skips initialisation on meta tensors, and nothing else -------------------

def _plain_attributes(module):
    return {k: v for k, v in vars(module).items()
            if not k.startswith("_") and not isinstance(v, (nn.Module, nn.Parameter)) and k != "training"}


@pytest.mark.parametrize("name", ["lenet5", "alexnet", "resnet18", "googlenet", "mobilenet_v2", "efficientnet_b0"])
def test_meta_build_matches_a_plain_meta_device_build(name):
    import torch

    spec = NETWORKS[name]
    with torch.device("meta"):
        plain = spec.builder(**spec.resolve({}))
    fast = build(name, device="meta")
    assert [(n, p.shape) for n, p in fast.named_parameters()] == [(n, p.shape) for n, p in plain.named_parameters()]
    assert [(n, b.shape, b.dtype) for n, b in fast.named_buffers()] == \
        [(n, b.shape, b.dtype) for n, b in plain.named_buffers()]
    assert all(t.is_meta for t in [*fast.parameters(), *fast.buffers()])
    # Same classes and the same plain attributes (stride, padding, eps, momentum …) everywhere.
    pairs = list(zip(fast.named_modules(), plain.named_modules(), strict=True))
    assert all(a[0] == b[0] and type(a[1]) is type(b[1]) for a, b in pairs)
    assert all(_plain_attributes(a[1]) == _plain_attributes(b[1]) for a, b in pairs)


def test_meta_build_leaves_nn_init_working_on_real_tensors():
    import torch
    from torch.nn.modules.batchnorm import _NormBase
    from torch.nn.modules.conv import _ConvNd

    from architectures.registry import meta_device

    originals = {n: getattr(nn.init, n) for n in ("kaiming_uniform_", "zeros_", "normal_")}
    resets = (_ConvNd.reset_parameters, nn.Linear.reset_parameters, _NormBase.reset_running_stats)
    with meta_device():
        # Inside a meta build (or from another thread meanwhile) a real tensor is still initialised.
        real = nn.init.constant_(torch.empty(3, device="cpu"), 2.0)
        assert real.tolist() == [2.0, 2.0, 2.0]
        conv = nn.Conv2d(3, 4, 3, device="cpu")
        assert float(conv.weight.detach().abs().sum()) > 0 and float(conv.bias.detach().abs().sum()) > 0
        bn = nn.BatchNorm2d(4, device="cpu")
        bn.running_var.fill_(5.0)
        bn.reset_running_stats()  # on real tensors the shortcut calls through
        assert bn.running_var.tolist() == [1.0] * 4 and bn.weight.tolist() == [1.0] * 4
    build("lenet5", device="meta")
    assert {n: getattr(nn.init, n) for n in originals} == originals  # put back afterwards
    assert (_ConvNd.reset_parameters, nn.Linear.reset_parameters, _NormBase.reset_running_stats) == resets
    torch.manual_seed(0)
    weights = next(build("lenet5").parameters()).detach()
    assert float(weights.abs().sum()) > 0  # a CPU build is still randomly initialised


def test_meta_build_calls_through_and_puts_back_whatever_was_in_place(monkeypatch):
    # A patch made after import (a test's spy, say) is what a real tensor reaches and what
    # is there again afterwards.
    import torch

    from architectures.meta_build import meta_device

    seen = []
    original = nn.init.kaiming_uniform_

    def spy(tensor, *args, **kwargs):
        seen.append(tensor.device.type)
        return original(tensor, *args, **kwargs)

    monkeypatch.setattr(nn.init, "kaiming_uniform_", spy)
    with meta_device():
        nn.init.kaiming_uniform_(torch.empty(2, 2, device="cpu"))
        nn.init.kaiming_uniform_(torch.empty(2, 2))  # meta here: skipped before the spy
    # The CPU tensor reaches the spy (twice: inside the device context nn.init dispatches
    # through the mode, which calls the function by its patched name again); the meta one never.
    assert seen and set(seen) == {"cpu"}
    assert nn.init.kaiming_uniform_ is spy


def test_concurrent_meta_and_cpu_builds():
    # The Streamlit server builds from several threads: overlapping meta builds must not leave
    # nn.init patched, and a CPU build meanwhile must still get random weights.
    from concurrent.futures import ThreadPoolExecutor

    original = nn.init.kaiming_uniform_
    with ThreadPoolExecutor(4) as pool:
        metas = [pool.submit(build, "mobilenet_v2", device="meta") for _ in range(3)]
        cpu = pool.submit(build, "lenet5")
        assert all(p.is_meta for f in metas for p in f.result().parameters())
        assert all(float(p.detach().abs().sum()) > 0 for n, p in cpu.result().named_parameters() if "weight" in n)
    assert nn.init.kaiming_uniform_ is original
