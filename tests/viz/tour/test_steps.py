"""viz.tour: the lecture's steps in its order, each headline computed live and equal to the lecture's number."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from architectures import costs
from viz import view as v
from viz.blocklab.view import LABS
from viz.controls import check_link
from viz.formatting import user_value
from viz.tour import live
from viz.tour.steps import BY_ID, FIRST, STEPS, neighbour
from viz.tour.view import read_step, step_page

# The lecture's order (issue 16): why case studies; LeNet-5, AlexNet, VGG-16; residual blocks and why
# ResNets work; 1×1 convolutions; Inception's motivation, module and network; MobileNet (separable
# convolutions, v1, v2); EfficientNet; open-source code, transfer learning, data augmentation, the
# state of computer vision.
LECTURE_ORDER = [
    "case-studies", "lenet-5", "alexnet", "vgg-16", "residual-block", "why-resnets", "one-by-one",
    "inception-bottleneck", "inception-module", "inception-network", "depthwise-separable", "mobilenet-v1",
    "mobilenet-v2", "efficientnet", "open-source", "transfer-learning", "data-augmentation", "state-of-vision",
]

# Each step's headline must hold these numbers (each with its source).
LECTURE_NUMBERS = {
    "lenet-5": ["61,706", "60K"],  # LeNet-5 ~60K parameters (the lecture; LeCun et al. 1998's C1…F6 + output)
    "alexnet": ["60,965,224", "60M"],  # AlexNet ~60M parameters (the lecture; Krizhevsky et al. 2012 §1)
    # VGG-16: 138,357,544 ≈ 138M (Simonyan & Zisserman 2015, Table 2: 138M); the lecture's shapes and channels
    "vgg-16": ["138,357,544", "138M", "224 → 112 → 56 → 28 → 14 → 7", "64 → 128 → 256 → 512 → 512"],
    "residual-block": ["W[l+2] = 0, b[l+2] = 0", "max |a[l+2] − a[l]| = 0"],  # the lecture: a[l+2] = g(a[l]) = a[l]
    "one-by-one": ["28 × 28 × 192 → 28 × 28 × 32"],  # the lecture's 1×1 conv picture
    "inception-bottleneck": ["120,422,400", "12,443,648"],  # the lecture: 28·28·32·5·5·192 vs with a 16-wide 1×1
    "inception-module": ["28 × 28 × 256", "64 + 128 + 32 + 32"],  # Szegedy et al. 2015, Table 1, inception (3a)
    "inception-network": ["2 side classifiers"],  # Szegedy et al. 2015 §5: on inception (4a) and (4d)
    "depthwise-separable": ["2,160", "432 + 240 = 672", "0.31"],  # the lecture's 6×6×3 example
    "mobilenet-v1": ["13 depthwise-separable blocks"],  # Howard et al. 2017, Table 1; the lecture
    "mobilenet-v2": ["17 bottleneck blocks", "expansion → depthwise → projection"],  # Sandler et al. 2018, Table 2
    "efficientnet": ["d = 1.00, w = 1.00, r = 224"],  # Tan & Le 2019: B0 is φ = 0
    "state-of-vision": ["10 crops"],  # the lecture's 10-crop: centre + 4 corners, and the mirrored image's
}


@pytest.fixture(scope="module")
def views():
    """Every step's view at its defaults, computed once for the module."""
    return {step.id: step.view() for step in STEPS}


def test_steps_follow_the_lecture_and_say_little():
    assert [step.id for step in STEPS] == LECTURE_ORDER
    for step in STEPS:
        sentences = re.findall(r"[.!?](?:\s|$)", step.text)
        assert 2 <= len(sentences) <= 3, (step.id, step.text)
        assert len(step.controls) <= 2, step.id


@pytest.mark.parametrize("step_id", LECTURE_NUMBERS)
def test_every_headline_holds_the_lecture_number(views, step_id):
    headline = views[step_id].headline
    for number in LECTURE_NUMBERS[step_id]:
        assert number in headline, (step_id, number, headline)


def test_every_step_shows_something_and_has_a_headline(views):
    for step in STEPS:
        view = views[step.id]
        assert view.headline and view.blocks, step.id
        assert not any(isinstance(b, v.Callout) and b.kind == "error" for b in v.walk(view.blocks)), step.id


def test_the_first_step_compares_the_lecture_s_networks(views):
    headline = views["case-studies"].headline
    assert headline.startswith(f"{len(live.MILESTONES)} networks") and "1998–2019" in headline  # LeNet-5 … EfficientNet
    assert any(isinstance(b, v.Figure) and b.key == "xp_compare_chart" for b in views["case-studies"].blocks)


def test_headlines_follow_the_settings_not_typed_in():
    wide = BY_ID["inception-bottleneck"].headline({"ch5x5red": 32})
    # 28·28·32·1·1·192 + 28·28·32·5·5·32 with a 32-wide bottleneck (the lecture's arithmetic)
    assert f"{costs.bottleneck_comparison(28, 192, 32, 5, 32).bottlenecked:,}" in wide
    assert "120,422,400" in wide
    assert "1/512" not in BY_ID["depthwise-separable"].headline({"n_c_out": 512, "f": 3})
    assert "ratio 0.11" in BY_ID["depthwise-separable"].headline({"n_c_out": 512, "f": 3})  # 1/512 + 1/9 = 0.113
    assert "28 × 28 × 288" in BY_ID["inception-module"].headline({"ch1x1": 96})  # 96 + 128 + 32 + 32
    assert "no side classifiers" in BY_ID["inception-network"].headline({"aux_logits": False})
    assert "1.20" in BY_ID["efficientnet"].headline({"phi": 1.0})  # d = 1.2^φ (Tan & Le 2019, eq. 3)


def test_a_bad_setting_is_refused_with_what_is_allowed():
    with pytest.raises(ValueError, match="from 1 to 256"):
        BY_ID["inception-bottleneck"].settings({"ch5x5red": 0})


def test_links_carry_the_settings_in_the_target_page_s_keys():
    step = BY_ID["inception-bottleneck"]
    link = step.link(step.settings({"ch5x5red": 8}))
    assert link.href == "./blocks?lab=inception&i_r5=8"
    for step in STEPS:
        link = step.link(step.settings())
        params = dict(parse_qsl(urlsplit(link.href).query, keep_blank_values=True))
        if link.page == "blocks":
            lab = LABS[params.pop("lab")]
            assert not check_link(lab.controls, params).notices, step.id  # every value one the lab takes
            assert not params, (step.id, "defaults stay out of the link")
    link = BY_ID["inception-network"].link({"aux_logits": True})
    assert link.href == "./?net=googlenet&aux_logits=true" and link.label == "Open in the Network Explorer"
    assert BY_ID["lenet-5"].link({"style": "1998", "digit": 7}).href == "./inside?style=1998&digit=7"


def test_step_from_a_link():
    assert read_step(None) == (FIRST, "")
    assert read_step("inception-bottleneck") == ("inception-bottleneck", "")
    hostile = "<script>x</script>`"
    step, notice = read_step(hostile)
    assert step == FIRST and user_value(hostile) in notice and "inception-bottleneck" in notice
    assert neighbour(FIRST, -1) == FIRST and neighbour(STEPS[-1].id, 1) == STEPS[-1].id
    assert neighbour("alexnet", 1) == "vgg-16"


def test_a_missing_stored_run_says_what_the_step_will_show(monkeypatch):
    monkeypatch.setattr(live.store, "load_stored", lambda name: None)
    for step_id in ("why-resnets", "transfer-learning"):
        view = BY_ID[step_id].view()
        assert "will show" in view.blocks[0].text and "precompute" in view.blocks[0].text, step_id
    assert "not there yet" in BY_ID["state-of-vision"].view().blocks[0].text
    assert "not there yet" in BY_ID["data-augmentation"].view().blocks[-1].text


def test_practical_steps_quote_the_training_lab_s_stored_verdicts(views):
    from viz.training import store, verdicts
    said = views["data-augmentation"].blocks[-1].text  # the Training Lab's augmentation run on the digits
    assert verdicts.augment_verdict(store.load_stored("augment")) in said
    said = views["state-of-vision"].blocks[0].text  # its ensemble and multi-crop runs
    assert verdicts.ensemble_verdict(store.load_stored("ensemble")) in said
    assert verdicts.multicrop_verdict(store.load_stored("multicrop")) in said


def test_step_page_puts_the_headline_first(views):
    step = BY_ID["depthwise-separable"]
    page = step_page(step, step.settings(), views[step.id])
    assert page.intro[0].text == "11. MobileNet: depthwise-separable convolutions"
    assert "2,160" in page.headline[0].text and page.progress == "Step 11 of 18"
    assert page.link.href == "./blocks?lab=separable"
