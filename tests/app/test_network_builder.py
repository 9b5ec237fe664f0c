"""Network Builder page (AppTest, issue 17): every row kind through the table, every message, the round trips
(JSON file, link, exported PyTorch file), opening ONNX models good and bad, and Compare."""

from __future__ import annotations

import base64
import random
import re
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit
from onnx import TensorProto, helper
from streamlit.testing.v1 import AppTest

from tests.viz.builder.designs import EVERY_KIND
from tests.viz.builder.helpers import light, model_bytes, value
from viz.builder import codec
from viz.builder.design import Design
from viz.builder.rows import KINDS, normalise
from viz.builder.start import design_from_zoo

PAGE = str(Path(__file__).resolve().parents[2] / "viz" / "pages" / "network_builder.py")
TIMEOUT = 120


def open_page(design: Design | None = None, link: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if design is not None or link is not None:
        at.query_params["d"] = link if link is not None else codec.to_link(design)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def edit(at: AppTest, edited=None, added=(), deleted=()) -> AppTest:
    """Commit an edit of the table, as the browser's data editor sends it."""
    key = f"nb_rows_{at.session_state['nb_version']}"
    at.session_state[key] = {"edited_rows": edited or {}, "added_rows": list(added), "deleted_rows": list(deleted)}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest):
    return at.data_editor[0].value


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def design_in_link(at: AppTest) -> Design:
    return codec.from_link(at.query_params["d"][0] if isinstance(at.query_params["d"], list) else at.query_params["d"])


def test_the_page_starts_empty_and_says_what_to_do():
    at = open_page()
    assert [i.value for i in at.info][0].startswith("The table is empty")
    assert len(table(at)) == 0 and "d" not in at.query_params


def test_start_from_lenet5_and_share_it():
    at = open_page()
    next(w for w in at.selectbox if w.key == "start").set_value("lenet5").run()
    next(b for b in at.button if b.label == "Start").click().run()
    assert not at.exception
    rows = table(at)
    assert len(rows) == 11 and list(rows["output"][:2]) == ["28 × 28 × 6", "14 × 14 × 6"]  # LeCun et al. 1998
    assert metric(at, "Parameters") == "61,706"  # the lecture's "about 60K"
    assert design_in_link(at) == design_from_zoo("lenet5")
    assert [w.value for w in at.number_input] == [1, 32, 32]  # the input widgets show the design's input


# Each kind added to an empty 224 × 224 × 3 design through the table, with its defaults (viz.builder.rows.KINDS).
_KIND_ROWS = {
    "conv": ([], "224 × 224 × 64"), "conv1x1": ([], "224 × 224 × 64"), "maxpool": ([], "112 × 112 × 3"),
    "avgpool": ([], "112 × 112 × 3"), "gap": ([], "1 × 1 × 3"), "lrn": ([], "224 × 224 × 3"),
    "inception": ([], "224 × 224 × 256"),  # (3a)'s 64 + 128 + 32 + 32 (Szegedy et al. 2015, Table 1)
    "basic": ([], "224 × 224 × 64"), "bottleneck": ([], "224 × 224 × 256"),  # 4 × 64 (He et al. 2016)
    "dwsep": ([], "224 × 224 × 64"), "mbv2": ([], "224 × 224 × 24"), "mbconv": ([], "224 × 224 × 40"),
    "act": ([], "224 × 224 × 3"), "flatten": ([], "150528"), "fc": (["flatten"], "10"),
    "dropout": ([], "224 × 224 × 3"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_row_kind_added_in_the_table(kind):
    before, expected = _KIND_ROWS[kind]
    at = edit(open_page(), added=[{"layer": KINDS[k].label} for k in (*before, kind)])
    rows = table(at)
    assert rows["layer"].iloc[-1] == KINDS[kind].label and rows["output"].iloc[-1] == expected
    assert not at.error
    assert design_in_link(at).rows[-1] == normalise(dict(kind=kind))  # the defaults, in the link too


def test_editing_a_cell_changes_the_shape_and_the_totals():
    at = open_page(design_from_zoo("lenet5"))
    edit(at, edited={0: {"f": 3}})  # C1 with 3×3 filters (valid): 30 × 30 × 6
    rows = table(at)
    assert list(rows["output"][:2]) == ["30 × 30 × 6", "15 × 15 × 6"] and rows["parameters"][0] == 6 * (9 + 1)
    assert design_in_link(at).rows[0].k == 3
    edit(at, deleted=[1, 2])  # drop S2 (pool and its tanh)
    assert len(table(at)) == 9 and table(at)["output"][1] == "26 × 26 × 16"


_ERRORS = [
    (Design((3, 8, 8), (normalise(dict(kind="conv", c=8, s=2)), normalise(dict(kind="maxpool", k=2)),
                        normalise(dict(kind="maxpool", k=3)))),
     "row 3: a 3×3 pool on a 2×2 map (padding 0) leaves nothing; use padding 1, or a kernel of at most 2, or remove "
     "a pool or a stride earlier."),
    (Design((3, 32, 32), (normalise(dict(kind="conv", c=64, groups=2)),)),
     "row 1: groups 2 must divide both the 3 input channels and the 64 filters; try 1."),
    (Design((64, 56, 56), (normalise(dict(kind="basic", c=128, s=2, shortcut="identity")),)),
     "row 1: an identity shortcut adds the 56 × 56 × 64 input to the block's 28 × 28 × 128 output, a different "
     "shape; use shortcut projection (a 1×1 conv where the shapes change, He et al. 2016's option B), or stride 1 "
     "and c = 64."),
    (Design((16, 5, 5), (normalise(dict(kind="fc", c=120)),)),
     "row 1: a fully connected layer needs a vector of features, but its input is a 5 × 5 × 16 map; add a FLATTEN "
     "row above it (or a GLOBAL AVG POOL, then a FLATTEN)."),
    (Design((16, 5, 5), (normalise(dict(kind="flatten")), normalise(dict(kind="dwsep")))),
     "row 2: a DEPTHWISE-SEPARABLE needs a map (n_H × n_W × n_C), but its input is 400 features (a vector), after a "
     "flatten or a fully connected layer; move this row above the flatten, or remove the flatten."),
    (Design((3, 8, 8), (normalise(dict(kind="maxpool", k=3, p=2)),)),
     "row 1: padding 2 is more than half the 3×3 pool: use at most 1."),
    (Design((3, 8, 8), (normalise(dict(kind="conv", c=0)),)), "row 1: c must be an integer from 1 to 8192; got `0`."),
    (Design((3, 8, 8), (normalise(dict(kind="inception", inception="64 96")),)),
     "row 1: an inception module needs six whole numbers (#1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj), "
     "e.g. 64 96 128 16 32 32 for (3a); 0 for a reduce or pool proj means none; got `64 96`."),
    (Design((16, 8, 8), (normalise(dict(kind="mbv2", shortcut="projection")),)),
     "row 1: an inverted residual has no projection shortcut (Sandler et al. 2018, Fig. 4): use identity (added "
     "where stride is 1 and the channels match) or none."),
]


@pytest.mark.parametrize("design, message", _ERRORS, ids=["collapse", "groups", "identity", "fc-map", "map-vector",
                                                           "pool-padding", "value", "inception", "mbv2-projection"])
def test_each_error_names_the_row_and_the_fix(design, message):
    at = open_page(design)
    assert [e.value for e in at.error] == [message]
    assert "✗ see below" in list(table(at)["output"])


def test_a_new_blank_row_asks_for_its_layer_and_the_rows_above_keep_their_shapes():
    at = edit(open_page(design_from_zoo("lenet5")), added=[{"stage": "extra"}])
    assert [e.value for e in at.error] == ["row 12: choose a layer in the 'layer' column."]
    assert table(at)["output"].iloc[10] == "10"
    assert metric(at, "Parameters") == "61,706"


def packed(text: bytes) -> str:
    """A link parameter holding ``text`` as the codec packs a design (zlib, base64url, version tag)."""
    return "1." + base64.urlsafe_b64encode(zlib.compress(text)).decode().rstrip("=")


@pytest.mark.parametrize("link", [
    "garbage", "1.!!!", "1.eJxLz8_PTgUACO0C2Q", "1." + "A" * 3000, codec.to_link(EVERY_KIND).replace("1.", "2.", 1),
    packed(b" " * 1_000_000),  # a decompression bomb within the link's 2,000 characters (cut off at 256 KB)
    packed(b"[" * 200_000),  # JSON nested past Python's recursion limit
    packed(b'{"input": [3, 224, 224], "rows": {"layer": "conv"}}'),  # rows not a list
    packed(b'{"input": [3, 1e400, 224], "rows": []}'),  # an infinite height
])
def test_a_hostile_or_damaged_link_is_a_notice_and_the_table_is_kept(link):
    at = open_page(link=link)
    (warning,) = at.warning
    assert "The table was left as it was." in warning.value and not at.exception
    assert len(table(at)) == 0 and "d" not in at.query_params  # the bad value is gone from the address


def test_a_link_with_markup_shows_it_only_as_code():
    at = open_page(link=packed(b'{"input": [3, 8, 8], "rows": [{"layer": "[x](https://evil.example) **b**"}]}'))
    assert "`[x](https://evil.example) **b**`" in at.warning[0].value
    assert len(table(at)) == 0


def _downloads(monkeypatch) -> dict[str, object]:
    """The data each download button of the next run offers, by file name."""
    offered: dict[str, object] = {}
    original = streamlit.download_button

    def record(label, data, file_name=None, **kwargs):
        offered[file_name] = data
        return original(label, data, file_name=file_name, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", record)
    return offered


def test_json_round_trip_download_then_load(monkeypatch):
    offered = _downloads(monkeypatch)
    at = open_page(EVERY_KIND)
    text = offered["every_kind.json"]
    assert codec.from_json(text) == EVERY_KIND
    fresh = open_page()
    fresh.file_uploader[0].set_value(("every_kind.json", text.encode(), "application/json")).run()
    assert not fresh.exception
    assert design_in_link(fresh) == EVERY_KIND and len(table(fresh)) == len(EVERY_KIND.rows)
    assert list(table(fresh)["output"]) == list(table(at)["output"])


def test_a_bad_design_file_is_a_notice():
    at = open_page(design_from_zoo("lenet5"))
    at.file_uploader[0].set_value(("x.json", b'{"input": [3, 8, 8], "rows": [{"layer": "conv", "evil": 1}]}',
                                   "application/json")).run()
    assert "Row 1 has unknown key(s) `evil`" in at.warning[0].value
    assert len(table(at)) == 11  # LeNet-5 stays


def test_link_round_trip_an_edited_design_opens_the_same_elsewhere():
    at = edit(open_page(design_from_zoo("alexnet")), edited={1: {"f": 5}})  # a 5×5 conv1, the rest AlexNet's
    link = at.query_params["d"]
    link = link[0] if isinstance(link, list) else link
    other = open_page(link=link)  # a student opening the shared address
    assert list(table(other)["output"]) == list(table(at)["output"])
    assert metric(other, "Parameters") == metric(at, "Parameters") and metric(other, "Multiply-adds") == \
        metric(at, "Multiply-adds")
    assert other.query_params["d"] in (link, [link])


def _too_large_for_a_link() -> Design:
    """100 conv rows with random widths, kernels and stage names: past the link's 2,000 characters."""
    rng = random.Random(17)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return Design((3, 32, 32), tuple(normalise(dict(
        kind="conv", c=rng.randint(1, 64), k=rng.choice([1, 3, 5]),
        stage="".join(rng.choice(letters) for _ in range(20)))) for _ in range(100)), "big")


def test_a_design_too_large_for_a_link_says_so_and_is_shared_as_a_file(monkeypatch):
    big = _too_large_for_a_link()
    with pytest.raises(ValueError, match="too large for a link"):
        codec.to_link(big)
    offered = _downloads(monkeypatch)
    at = open_page(design_from_zoo("lenet5"))
    at.file_uploader[0].set_value(("big.json", codec.to_json(big).encode(), "application/json")).run()
    assert not at.exception and len(table(at)) == 100
    (warning,) = at.warning
    assert re.fullmatch(r"This design is too large for a link \(2,\d{3} characters; at most 2,000\): share the "
                        r"design file instead \(the 'Design \(\.json\)' download below\)\.", warning.value)
    assert "d" not in at.query_params  # no stale LeNet-5 left in the address
    assert codec.from_json(offered["big.json"]) == big


def test_exported_file_from_the_page_runs(monkeypatch, tmp_path):
    offered = _downloads(monkeypatch)
    at = open_page(design_from_zoo("lenet5"))
    path = tmp_path / "lenet5.py"
    path.write_text(offered["lenet5.py"])
    done = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.stdout == "output (1, 10) parameters 61706\n", done.stderr[-2000:]
    assert metric(at, "Parameters") == "61,706"


def onnx_page(data: bytes, name: str = "model.onnx") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["nb_tab"] = "Open ONNX"
    at.run()
    at.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_open_the_onnx_packages_light_resnet50():
    at = onnx_page(light("resnet50").read_bytes(), "light_resnet50.onnx")
    assert metric(at, "Parameters") == "25,557,032"  # He et al. 2016; torchvision's resnet50
    assert metric(at, "Multiply-adds") == "4.09G MACs"  # the "v1.5" strides of this file (tests/viz/builder)
    nodes = at.dataframe[0].value
    assert list(nodes.columns) == ["#", "node", "ONNX op", "output (n_H × n_W × n_C)", "parameters", "MACs",
                                   "receptive field"]
    assert nodes["ONNX op"].iloc[0] == "Conv" and nodes["output (n_H × n_W × n_C)"].iloc[0] == "112 × 112 × 64"
    # The volume diagram and channel growth, each wide and narrow (the browser shows one), the cost chart.
    assert [c.key for c in at.get("plotly_chart")] == ["onnx_volume", "onnx_volume_narrow", "onnx_growth",
                                                     "onnx_growth_narrow", "onnx_cost"]


_NO_INPUT_SHAPE = model_bytes([helper.make_node("Relu", ["x"], ["y"])],
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)], [value("y", [1, 3, 8, 8])])
_UNKNOWN_OP = model_bytes([helper.make_node("FancyOp", ["x"], ["y"], domain="my.domain", name="fancy1")],
                          [value("x", [1, 3, 8, 8])], [value("y", [1, 3, 8, 8])], extra_opsets=[("my.domain", 1)])
_UNREGISTERED_OP = model_bytes([helper.make_node("NotAnOp", ["x"], ["y"])], [value("x", [1, 3])], [value("y", [1, 3])])


@pytest.mark.parametrize("data, match", [
    (b"this is not a model" * 50, "not an ONNX model"),
    (light("bvlc_alexnet").read_bytes()[:1500], "not an ONNX model|not a valid ONNX model"),  # truncated
    (_NO_INPUT_SHAPE, r"input `x` has no shape.*fixed input size"),
    (_UNKNOWN_OP, r"can't be worked out.*`my\.domain\.FancyOp` \(node `fancy1`\)"),
    (_UNREGISTERED_OP, r"not a valid ONNX model: onnx.checker says `No Op registered for NotAnOp"),
    # 200 MiB, past the upload cap (server.maxUploadSize = 20 MB): refused from its size, unread.
    (bytes(200 * 1024 * 1024), r"The file is 209\.7 MB: too large to open here.*at most 21\.0 MB \(20 MiB\)"),
], ids=["not-onnx", "truncated", "no-input-shape", "unknown-op", "unregistered-op", "200MB"])
def test_bad_onnx_files_are_a_message_and_the_page_keeps_working(data, match):
    at = onnx_page(data)
    (error,) = at.error
    assert re.search(match, error.value), error.value
    at.file_uploader[0].set_value(("ok.onnx", light("squeezenet").read_bytes(), "application/octet-stream")).run()
    assert not at.error and metric(at, "Parameters") == "1,235,496"  # Iandola et al. 2016 v1.1 (tests/viz/builder)


def test_compare_a_zoo_network_with_the_design():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["d"] = codec.to_link(design_from_zoo("vgg19"))
    at.session_state["nb_tab"] = "Compare"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    diff = at.dataframe[0].value
    assert diff["Δ parameters (B − A)"].iloc[-1] == 143_667_240 - 138_357_544  # VGG-19 − VGG-16, Table 2
    assert len(at.get("plotly_chart")) == 3
    next(s for s in at.selectbox if s.key == "cmp_b").set_value("onnx").run()
    assert "open a model on the Open ONNX tab" in at.warning[0].value


def compare_page(design: Design | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if design is not None:
        at.query_params["d"] = codec.to_link(design)
    at.session_state["nb_tab"] = "Compare"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose(at: AppTest, key: str, value: str) -> AppTest:
    next(s for s in at.selectbox if s.key == key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_compare_two_zoo_networks_stage_by_stage():
    at = choose(compare_page(), "cmp_b", "zoo")
    choose(at, "cmp_b_net", "resnet50")
    diff = at.dataframe[0].value
    # VGG-16 beside ResNet-50, each stage beside the one ending at the same map size (VGG's block3 and
    # ResNet's layer2 at 28 × 28); totals: Simonyan & Zisserman 2015 Table 2 (138M), He et al. 2016 (25.6M).
    assert list(diff["A stage"][:5]) == ["block1", "block2", "block3", "block4", "block5"]
    assert list(diff["B stage"][:5]) == ["stem", "layer1", "layer2", "layer3", "layer4"]
    assert diff["A output"].iloc[2] == "28 × 28 × 256" and diff["B output"].iloc[2] == "28 × 28 × 512"
    assert diff["Δ parameters (B − A)"].iloc[-1] == 25_557_032 - 138_357_544
    assert any("paired by map size" in c.value for c in at.caption)
    assert [m.value for m in at.metric if m.label == "Parameters"] == ["138M", "25.6M"]  # half a page wide


def test_compare_two_designs_the_build_tabs_and_a_file():
    mine = design_from_zoo("mobilenet_v2")
    ten = tuple(replace(r, c=10) if r.stage == "head" and r.kind == "fc" else r for r in mine.rows)
    theirs = replace(mine, rows=ten, name="mobilenet_v2_10_classes")
    at = choose(compare_page(mine), "cmp_a", "file")
    at.file_uploader[0].set_value(("theirs.json", codec.to_json(theirs).encode(), "application/json")).run()
    assert not at.exception and not at.warning
    diff = at.dataframe[0].value
    changed = diff[diff["Δ parameters (B − A)"] != 0]
    # Only the classifier differs: 1280 × (1000 − 10) weights and 990 biases (Sandler et al. 2018, Table 2).
    assert list(changed["A stage"]) == ["head", "total"] and set(changed["Δ parameters (B − A)"]) == {1280 * 990 + 990}
    assert diff["Δ MACs (B − A)"].iloc[-1] == 1280 * 990
    assert [h.value for h in at.markdown if h.value.startswith("#### ")][:2] == [
        "#### A: mobilenet_v2_10_classes", "#### B: mobilenet_v2"]


def test_compare_a_bad_file_named_with_markup_is_a_notice_in_code():
    at = choose(compare_page(), "cmp_a", "file")
    at.file_uploader[0].set_value(("[x](https://evil.example).json", b"{not json", "application/json")).run()
    assert not at.exception
    file_side, build_side = at.warning  # B: the Build tab's design, empty here
    assert file_side.value.startswith("`[x](https://evil.example).json`: The file is not a design")
    assert build_side.value == "my_network: it has no rows yet."


def test_compare_an_onnx_model_named_with_markup_is_escaped_in_the_figures():
    at = onnx_page(light("squeezenet").read_bytes(), '<a href="https://evil.example">x</a>.onnx')
    at.session_state["nb_tab"] = "Compare"
    choose(at.run(), "cmp_b", "onnx")
    assert any(h.value == '#### B: `<a href="https://evil.example">x</a>.onnx`' for h in at.markdown)
    specs = " ".join(chart.proto.spec for chart in at.get("plotly_chart"))
    assert "evil.example" in specs and '<a href=\\"https' not in specs and "&lt;a href" in specs
