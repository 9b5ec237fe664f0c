"""The Network Explorer page under AppTest: every network, defaults and one other setting.

Headline parameter counts are checked against the zoo itself (the sum of the
parameters of ``architectures.build(name, device="meta", ...)``), not against
copies of the numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from architectures import NETWORKS, build
from tests.markdown import outside_code_spans
from viz.explorer import state as ex
from viz.formatting import user_value

# AppTest resolves a relative path against the calling file, so give it the full path.
PAGE = str(Path(__file__).resolve().parents[2] / "viz" / "pages" / "network_explorer.py")
TIMEOUT = 180  # a cold trace of EfficientNet-B7 at 600×600 on a busy 2-core machine

pytestmark = pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")


_components = []


def _new_apptest() -> AppTest:
    """An AppTest of the page. Each AppTest scans every installed package for Streamlit
    components on its first run (~1 s of CPU here); the page uses none, so the scan is
    done once and shared (through a private attribute: if it disappears, tests only
    get slower)."""
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if hasattr(at, "_bidi_component_manager"):
        if not _components:
            from streamlit.components.v2.component_manager import BidiComponentManager

            manager = BidiComponentManager()
            manager.discover_and_register_components(start_file_watching=False)
            _components.append(manager)
        at._bidi_component_manager = _components[0]
    return at


def open_page(**query) -> AppTest:
    at = _new_apptest()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def zoo_params(name: str, options: dict) -> int:
    return sum(p.numel() for p in build(name, device="meta", **options).parameters())


def another_setting(name: str) -> tuple[str, object, dict, int | None]:
    """(widget key, new value, options it gives, resolution it gives): a cheap non-default choice."""
    spec = NETWORKS[name]
    for opt in spec.options:
        key = f"xp_opt_{name}_{opt.name}"
        if opt.kind == "bool":
            return key, not opt.default, {opt.name: not opt.default}, None
        if opt.kind == "choice":
            value = next(c for c in opt.choices if c != opt.default)
            return key, value, {opt.name: value}, None
        if opt.kind == "float":
            value = max(opt.minimum, opt.default - 1)
            return key, value, {opt.name: value}, None
    # No options (EfficientNet-B0…B7): a smaller input resolution instead (small, to keep the test quick).
    default = ex.default_resolution(name)
    return f"xp_res_{name}_{default}", 96, {}, 96


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_network_opens_with_defaults_and_another_setting(name):
    at = open_page(net=name)
    spec = NETWORKS[name]
    assert at.markdown[0].value.startswith(f"## Network Explorer: {spec.title} at ")
    assert int(metric(at, "Parameters").replace(",", "")) == zoo_params(name, {})
    # The volume diagram and channel growth, wide and narrow (the browser shows one of each), cost per stage.
    assert len(at.get("plotly_chart")) == 5
    assert not at.error

    key, value, options, resolution = another_setting(name)
    widget = at.sidebar.get("toggle") + at.sidebar.get("selectbox") + at.sidebar.get("number_input") \
        + at.sidebar.get("slider")
    next(w for w in widget if w.key == key).set_value(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert int(metric(at, "Parameters").replace(",", "")) == zoo_params(name, options)
    size = resolution or ex.default_resolution(name, options)
    assert at.markdown[0].value.startswith(f"## Network Explorer: {spec.title} at {size} × {size}")
    # The link now carries the change, so a teacher can share it.
    params = dict(at.query_params)
    assert params["net"] == name
    if options:
        opt_name, opt_value = next(iter(options.items()))
        assert ex.parse_state(params).options[opt_name] == opt_value
    else:
        assert params["res"] == str(resolution)


def test_vgg16_headline_says_the_lectures_figure_and_switches_to_flops():
    at = open_page(net="vgg16")
    captions = [c.value for c in at.caption]
    # VGG-16: 138,357,544 parameters (torchvision's vgg16; the lecture's "~138M").
    assert "138,357,544 ≈ 138M as in the lecture" in captions
    assert metric(at, "Depth") == "16"
    assert metric(at, "Output") == "1000"
    macs = metric(at, "Multiply-adds")
    at.sidebar.radio(key="xp_unit").set_value("FLOPs").run()
    # FLOPs = 2 × MACs: 15.47 G multiply-adds (torchvision model card) are 30.9 GFLOPs.
    assert macs == "15.5G MACs" and metric(at, "FLOPs") == "30.9 GFLOPs"
    assert at.query_params["unit"] == "FLOPs"


def test_bad_url_values_fall_back_with_notices_and_the_page_still_works():
    at = open_page(net="vgg17", res="abc", unit="bits", foo="1")
    warnings = " ".join(w.value for w in at.warning)
    # The link's values are shown as code (viz.formatting.user_value), never as markup.
    assert "`vgg17`, which is not in the zoo" in warnings and "Ignored res=`abc`" in warnings
    assert "Ignored unit=`bits`" in warnings and "Ignored parameter(s) `foo`" in warnings
    assert int(metric(at, "Parameters").replace(",", "")) == zoo_params("vgg16", {})
    assert len(at.get("plotly_chart")) == 5
    assert dict(at.query_params) == {"net": "vgg16"}  # the link is cleaned up


def test_a_link_in_the_link_is_shown_as_code_not_as_a_link():
    evil = "[log in](https://evil.example)"
    at = open_page(net=evil)
    warning, = [w.value for w in at.warning]
    # Only inside the code span: Streamlit renders it literally, so there is no link to click.
    assert user_value(evil) in warning
    assert "evil.example" not in outside_code_spans(warning) and "[log in]" not in outside_code_spans(warning)
    assert int(metric(at, "Parameters").replace(",", "")) == zoo_params("vgg16", {})


def test_bad_option_value_in_url_keeps_the_network():
    at = open_page(net="resnet50", residual="perhaps", variant="v1.5")
    assert any("Ignored residual=`perhaps`" in w.value for w in at.warning)
    assert at.sidebar.toggle(key="xp_opt_resnet50_residual").value is True
    assert at.sidebar.selectbox(key="xp_opt_resnet50_variant").value == "v1.5"


def test_too_small_resolution_shows_an_error_and_the_rest_of_the_page_works():
    at = open_page(net="lenet5", res="20")
    errors = [e.value for e in at.error]
    # LeNet-5 needs 32×32 (LeCun et al. 1998: C5 is a 5×5 conv on a 5×5 map).
    assert len(errors) == 1 and "too small" in errors[0] and "32×32" in errors[0]
    assert not at.get("plotly_chart")
    assert at.sidebar.selectbox(key="xp_net_classic").value == "lenet5"  # the sidebar is still there
    at.sidebar.number_input(key="xp_res_lenet5_32").set_value(32).run()
    assert not at.error and len(at.get("plotly_chart")) == 5


def test_layer_table_tab_collapses_by_depth_and_downloads_csv():
    at = open_page(net="resnet50", view="layers")
    table = at.dataframe[0].value
    assert list(table["depth"].unique()) == [0, 1]
    # The lecture's words and windows: ResNet-50's stem is a 7×7/2 conv (He et al. 2016, Table 1).
    stem = table[table["layer"].str.strip() == "stem.conv"].iloc[0]
    assert (stem["type"], stem["kernel"], stem["stride"], stem["padding"]) == ("conv", "7×7", "2", "3")
    assert stem["receptive field"] == "7×7"
    at.slider(key="xp_rows").set_value(0).run()
    table = at.dataframe[0].value
    # Depth 0: the stages; each counts everything inside: they add up to ResNet-50's 25,557,032 (He et al. 2016).
    assert list(table["depth"].unique()) == [0]
    assert table["parameters"].sum() == zoo_params("resnet50", {}) == 25_557_032
    assert at.get("download_button")
    assert at.query_params["rows"] == "0" and at.query_params["view"] == "layers"


def test_a_network_switch_keeps_the_link_short():
    # Issue 15: after a switch the page wrote its whole Compare list into the link.
    at = open_page(net="vgg16")
    at.sidebar.radio(key="xp_family").set_value("classic").run()
    at.sidebar.selectbox(key="xp_net_classic").set_value("lenet5").run()
    assert not at.exception
    assert dict(at.query_params) == {"net": "lenet5"}


def test_published_figures_and_code_tab():
    at = open_page(net="resnet50", view="code")
    published = at.table[0].value
    assert published["source"].iloc[0].startswith("This app")
    # torchvision's "v1.5" ResNet-50: 4.09 G multiply-adds (its model card) vs the paper's 3.8 G.
    assert "4.09G MACs" in list(published["multiply-adds"])
    assert any("v1.5" in m.value for m in at.markdown)
    assert "class Bottleneck" not in at.code[0].value  # resnet.py itself, not blocks.py
    assert "SPECS" in at.code[0].value and "def " in at.code[0].value


def test_compare_tab_plots_the_chosen_networks():
    at = open_page(net="lenet5", view="compare", compare="lenet5,alexnet")
    spec = __import__("json").loads(at.get("plotly_chart")[0].proto.spec)
    xs = sorted(x for trace in spec["data"] for x in trace["x"])
    assert len(xs) == 2
    assert spec["layout"]["xaxis"]["type"] == "log" and spec["layout"]["yaxis"]["type"] == "log"
    assert int(at.dataframe[0].value["parameters"].iloc[0]) == zoo_params("lenet5", {})
