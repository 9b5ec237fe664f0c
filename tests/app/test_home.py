"""The home page (app.py's default page, the Network Explorer) gives a newcomer a first step (issue 15)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from architectures import NETWORKS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 180  # the Explorer traces VGG-16 on a shared 2-core machine


def first_step(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.value.startswith("**New here?**")]


def test_a_fresh_visit_opens_with_the_first_step_in_two_lines():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    (step,) = first_step(at)
    assert "LeNet-5" in step and "sidebar" in step
    assert "lenet5" in NETWORKS and NETWORKS["lenet5"].title == "LeNet-5"  # the network it names exists
    first, second, title = list(at.main)[1:4]  # the two lines, then the page's own title
    assert first.type == "info" and first.value == step
    assert second.type == "page_link" and second.proto.page == "blocks"
    assert second.proto.label == "Next: change a number in the Block Lab"
    assert title.value == "Network Explorer"
    at.switch_page("viz/pages/block_lab.py").run()
    assert not first_step(at)  # only on the home page


def test_a_shared_link_opens_on_what_it_shares_without_it():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["net"] = "resnet50"
    at.run()
    assert not at.exception and not first_step(at)
