"""Node names → module-like paths: the rules of viz.builder.onnx_names, one case each."""

from viz.builder.onnx_names import NameSource, scope_names


def _names(sources):
    return [name for name, _ in scope_names(sources)]


def test_torch_export_scopes_become_the_module_paths():
    sources = [
        NameSource("/layer1/layer1.0/conv1/conv/Conv", "layer1.0.conv1.conv.weight", "Conv"),
        NameSource("/layer1/layer1.0/conv1/bn/BatchNormalization", "layer1.0.conv1.bn.weight",
                   "BatchNormalization", producers=(0,)),
        NameSource("/layer1/layer1.0/Add", "", "Add", producers=(1,)),
        NameSource("/fc/Gemm", "fc.weight", "Gemm", producers=(2,)),
    ]
    # The Add sits in the block itself, which is also a group: it gets its op type.
    assert _names(sources) == ["layer1.0.conv1.conv", "layer1.0.conv1.bn", "layer1.0.Add", "fc"]


def test_one_module_exported_as_two_ops_keeps_its_path_with_call_numbers():
    sources = [NameSource("/stem/act/Sigmoid", "", "Sigmoid"), NameSource("/stem/act/Mul", "", "Mul", producers=(0,))]
    assert scope_names(sources) == [("stem.act", 0), ("stem.act", 1)]


def test_weight_names_without_the_shared_prefix_and_the_weight_ending():
    sources = [NameSource("", "gpu_0/conv1_w_0", "Conv"),
               NameSource("", "gpu_0/res2_0_branch2a_w_0", "Conv", producers=(0,)),
               NameSource("", "gpu_0/res2_0_branch2a_bn_s_0", "BatchNormalization", producers=(1,))]
    # The conv is also the group of its batch norm: it gets its op type.
    assert _names(sources) == ["conv1", "res2.0.branch2a.Conv", "res2.0.branch2a.bn"]


def test_counting_node_names_are_no_places():
    sources = [NameSource("n0", "conv1_1_w_0", "Conv"), NameSource("n1", "", "Relu", producers=(0,)),
               NameSource("n2", "conv1_2_w_0", "Conv", producers=(1,)), NameSource("n3", "", "Relu", producers=(2,)),
               NameSource("n4", "", "MaxPool", producers=(3,))]
    assert scope_names(sources) == [("conv1.1", 0), ("conv1.Relu", 0), ("conv1.2", 0), ("conv1.Relu", 1),
                                    ("conv1.MaxPool", 0)]


def test_a_top_level_layer_and_what_follows_it_make_a_group():
    sources = [NameSource("", "conv1_w_0", "Conv"), NameSource("", "", "Relu", producers=(0,)),
               NameSource("", "", "MaxPool", producers=(1,), consumers=(3,), flattens=False),
               NameSource("", "", "Reshape", producers=(2,), consumers=(4,), flattens=True),
               NameSource("", "fc6_w_0", "Gemm", producers=(3,))]
    # AlexNet's conv1 = Conv, Relu, pool; the flatten joins the FC layer it feeds.
    assert _names(sources) == ["conv1.Conv", "conv1.Relu", "conv1.MaxPool", "fc6.Reshape", "fc6.Gemm"]


def test_a_residual_sum_joins_its_block():
    sources = [
        NameSource("", "res3_0_branch2c_w_0", "Conv", consumers=(1, 3)),  # 0: end of block res3.0
        NameSource("", "res3_1_branch2a_w_0", "Conv", producers=(0,), consumers=(2,)),  # 1
        NameSource("", "res3_1_branch2c_w_0", "Conv", producers=(1,), consumers=(3,)),  # 2
        NameSource("", "", "Sum", producers=(2, 0)),  # 3: block output + block input
    ]
    assert _names(sources)[-1] == "res3.1.Sum"


def test_a_branch_into_a_group_begun_elsewhere_joins_that_group():
    # Inception: the pool branch reads the previous stage's output but feeds this module's pool_proj.
    sources = [
        NameSource("", "conv2/3x3_w_0", "Conv", consumers=(1, 2)),  # 0
        NameSource("", "inception_3a/1x1_w_0", "Conv", producers=(0,), consumers=(4,)),  # 1
        NameSource("", "", "MaxPool", producers=(0,), consumers=(3,)),  # 2
        NameSource("", "inception_3a/pool_proj_w_0", "Conv", producers=(2,), consumers=(4,)),  # 3
        NameSource("", "", "Concat", producers=(1, 3)),  # 4
    ]
    assert _names(sources) == ["conv2.3x3", "inception_3a.1x1", "inception_3a.MaxPool", "inception_3a.pool_proj",
                               "inception_3a.Concat"]


def test_a_prefix_gathering_separate_places_is_no_group():
    # ShuffleNet-like: gconv1_* and gconv3_* alternate, so "gconv1" would not be one run of nodes.
    sources = [NameSource("", f"gpu_0/{kind}_{i}_w_0", "Conv") for i in range(2) for kind in ("gconv1", "gconv3")]
    assert _names(sources) == ["gconv1_0", "gconv3_0", "gconv1_1", "gconv3_1"]
