"""Training Lab page under AppTest: stored defaults, the freeze planner's numbers, bad inputs, a live run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from architectures import build
from viz.training.settings import DepthSettings
from viz.training.store import load_stored
from viz.training.verdicts import depth_verdict, ensemble_verdict
from viz.training.view import human_bytes

PAGE = str(Path(__file__).resolve().parents[2] / "viz" / "pages" / "training_lab.py")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """These networks are tiny: one intra-op thread is as fast, and far steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _app(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _text(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.success, *at.warning, *at.info])


def test_defaults_show_the_stored_depth_run_without_training():
    at = _app()
    stored = load_stored("depth")
    assert "Precomputed results" in _text(at)
    # Issue 15: the command that made them is developer detail, folded away.
    (dev,) = [e for e in at.expander if e.label == "For developers"]
    assert "python -m viz.training precompute" in dev.caption[0].value
    assert sum("python -m viz.training" in c.value for c in at.caption) == 1
    assert at.button(key="train_depth").disabled  # nothing to train: the defaults are stored
    assert not at.get("progress")
    curves = _charts(at)[0]
    # One line per network (plain and residual at each default depth), each as long as the run.
    assert len(curves["data"]) == len(stored.runs) == 2 * len(DepthSettings().depths)
    assert all(len(trace["y"]) == DepthSettings().steps for trace in curves["data"])
    # The verdict sentence is computed from the stored numbers, whichever way it goes.
    shown, text = depth_verdict(stored)
    assert text in [str(e.value) for e in (at.success if shown else at.warning)]


def test_transfer_defaults_and_freeze_planner_match_the_zoo():
    at = _app(experiment="transfer")
    assert "Precomputed results" in _text(at)
    metrics = {m.label: m.value for m in at.metric}
    stored = load_stored("transfer")
    assert metrics["Time saved by precomputing"] == f"{stored.time_saved_seconds:.2f} s"

    # Freeze planner, ResNet-18 frozen through layer3: the zoo's own parameter sums.
    model = build("resnet18", device="meta")
    children = [n for n, _ in model.named_children()]
    frozen = sum(p.numel() for n in children[: children.index("layer3") + 1]
                 for p in getattr(model, n).parameters())
    total = sum(p.numel() for p in model.parameters())
    cut = at.selectbox(key="fp_cut_resnet18")
    at = cut.set_value(cut.options.index(next(o for o in cut.options if o.startswith("layer3 ")))).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Frozen parameters"] == f"{frozen:,}"
    assert metrics["Trainable parameters"] == f"{total - frozen:,}"
    # He et al. 2016, Table 1: conv4_x gives 14×14 with 256 filters; 10,000 images in float32.
    assert metrics["Feature per image"] == "14 × 14 × 256"
    assert metrics["Features for 10,000 images"] == human_bytes(14 * 14 * 256 * 4 * 10_000)


def test_freeze_planner_for_vgg16_from_the_link():
    at = _app(experiment="transfer", network="vgg16")
    metrics = {m.label: m.value for m in at.metric}
    # Default cut: the last convolutional block. Simonyan & Zisserman 2015, Table 1 (D): the 13 convolutions
    # hold 14,714,688 of the 138,357,544 parameters; the fully connected layers the rest.
    assert metrics["Frozen parameters"] == "14,714,688"
    assert metrics["Trainable parameters"] == f"{138_357_544 - 14_714_688:,}"
    assert metrics["Feature per image"] == "7 × 7 × 512"


def test_ensemble_defaults_load_stored():
    at = _app(experiment="ensemble")
    stored = load_stored("ensemble")
    assert ensemble_verdict(stored) in [s.value for s in at.success]
    assert len(_charts(at)) == 1


@pytest.mark.parametrize("query, message", [
    ({"experiment": "bogus"}, "Unknown experiment `bogus`"),
    ({"experiment": "transfer", "network": "resnet9000"}, "Unknown network `resnet9000`"),
])
def test_bad_links_give_clear_errors(query, message):
    at = _app(**query)
    assert any(message in e.value for e in at.error)


def test_no_depth_selected_is_an_error_not_a_traceback():
    at = _app()
    at = at.multiselect(key="depth_depths").set_value([]).run()
    assert not at.exception
    assert any("choose from 1 to 6 depths" in e.value for e in at.error)


def test_a_small_live_run_trains_then_comes_from_the_cache():
    at = _app(experiment="ensemble")
    at.slider(key="ens_k").set_value(2)
    at.select_slider(key="ens_steps").set_value(50)
    at.select_slider(key="ens_n").set_value(100)
    at.run()
    assert any("Not trained yet" in i.value for i in at.info)
    at = at.button(key="train_ensemble").click().run()
    assert not at.exception
    assert "Trained just now" in _text(at)
    chart = _charts(at)[0]
    assert len(chart["data"][0]["y"]) == 2  # two members' bars
    at.run()  # the same settings again: the server's cache, no retraining
    assert "cached" in _text(at) and at.button(key="train_ensemble").disabled
