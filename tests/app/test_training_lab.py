"""Training Lab page under AppTest: stored defaults at once, every setting from and to the URL, bad links,
the freeze planner's numbers, a live run that fills the cache, a busy server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from architectures import build
from viz.training.experiments import EXPERIMENTS, NAMES
from viz.training.progress import training_slot
from viz.training.store import load_stored
from viz.training.verdicts import depth_verdict
from viz.training.view import human_bytes

PAGE = str(Path(__file__).resolve().parents[2] / "viz" / "pages" / "training_lab.py")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
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


@pytest.mark.parametrize("name", NAMES)
def test_every_experiment_shows_its_stored_defaults_without_training(name):
    at = _app(experiment=name)
    assert "Precomputed results" in _text(at)
    assert at.button(key=f"train_{name}").disabled and not at.get("progress")
    assert _charts(at)
    if name == "depth":
        stored = load_stored("depth")
        shown, text = depth_verdict(stored)
        assert shown and text in [str(e.value) for e in at.success]
        measured = [t for t in _charts(at)[0]["data"] if t["mode"] == "lines+markers"]
        assert [t["y"][-1] for t in measured] == [round(r.train_error * 100, 2) for r in stored.runs]


def test_a_shared_link_sets_every_setting():
    # Issue 14's bug: d_steps=25 came back as 200. Every depth setting, non-default, from a link.
    query = {"experiment": "depth", "d_depths": ["8", "14"], "d_widths": "8/16/32", "d_steps": "25",
             "d_batch": "64", "d_lr": "0.05", "d_seed": "7"}
    at = _app(**query)
    values = {c.name: at.session_state[c.key] for c in EXPERIMENTS["depth"].settings.CONTROLS}
    assert values == {"depths": [8, 14], "widths": "8/16/32", "steps": 25, "batch_size": 64, "lr": 0.05, "seed": 7}
    assert any("Not trained yet" in i.value for i in at.info) and not at.warning
    assert not at.button(key="train_depth").disabled  # these settings, not the stored defaults, are the run's


def test_hostile_values_fall_back_to_the_defaults_with_a_notice():
    at = _app(experiment="depth", d_steps="<script>alert(1)</script>", d_seed="1e309", d_depths=["8", "9"])
    notices = " ".join(w.value for w in at.warning)
    assert "`<script>alert(1)</script>`" in notices and "`1e309`" in notices and "`9`" in notices
    assert at.session_state["d_steps"] == 200 and at.session_state["d_seed"] == 0
    assert at.session_state["d_depths"] == [8]
    assert "d_steps" not in at.query_params


def test_bad_links_and_settings_give_clear_errors():
    at = _app(experiment="bogus")
    assert any("Unknown experiment `bogus`" in e.value for e in at.error)
    at = _app().multiselect(key="d_depths").set_value([]).run()
    assert not at.exception and any("choose from 1 to 6 depths" in e.value for e in at.error)


def test_freeze_planner_matches_the_zoo_and_reads_its_link():
    at = _app(experiment="transfer", network="vgg16", fp_images="20000")
    metrics = {m.label: m.value for m in at.metric}
    # Default cut: the last convolutional block. Simonyan & Zisserman 2015, Table 1 (D): the 13 convolutions
    # hold 14,714,688 of the 138,357,544 parameters.
    assert metrics["Frozen parameters"] == "14,714,688"
    assert metrics["Feature per image"] == "7 × 7 × 512"
    assert metrics["Features for 20,000 images"] == human_bytes(7 * 7 * 512 * 4 * 20_000)
    # ResNet-18 cut after layer3, from the link: the zoo's own parameter sums.
    at = _app(experiment="transfer", fp_cut_resnet18="layer3")
    model = build("resnet18", device="meta")
    children = [n for n, _ in model.named_children()]
    frozen = sum(p.numel() for n in children[: children.index("layer3") + 1] for p in getattr(model, n).parameters())
    metrics = {m.label: m.value for m in at.metric}
    assert at.selectbox(key="fp_cut_resnet18").value == "layer3"
    assert metrics["Frozen parameters"] == f"{frozen:,}"
    # He et al. 2016, Table 1: conv4_x gives 14×14 with 256 filters.
    assert metrics["Feature per image"] == "14 × 14 × 256"
    at = _app(experiment="transfer", fp_cut_resnet18="layer9<b>")
    assert any("`layer9<b>`" in w.value for w in at.warning)
    assert at.selectbox(key="fp_cut_resnet18").value == "layer4"  # the default cut


def test_a_live_run_trains_then_comes_from_the_cache_and_a_busy_server_says_so():
    at = _app(experiment="multicrop", mc_crops="9", mc_shift="3")
    assert any("Not trained yet" in i.value for i in at.info)
    with training_slot():  # another run holds the server's one training slot
        at = at.button(key="train_multicrop").click().run()
        assert any("Another training run" in w.value for w in at.warning) and not at.exception
    at = at.button(key="train_multicrop").click().run()
    assert not at.exception and "Trained just now" in _text(at)
    at.run()  # the same settings again: the server's cache, no retraining
    assert "cached" in _text(at) and at.button(key="train_multicrop").disabled
