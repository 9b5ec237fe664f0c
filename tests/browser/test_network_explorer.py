"""The Network Explorer in a real browser: charts drawn by plotly.js, a widget change, a shared link.

The explorer is the app's default page, so it lives at the root URL ("/?net=…").
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from architectures import NETWORKS
from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")]

CHARTS = ".js-plotly-plot"  # a figure plotly.js has actually drawn


def open_explorer(page, app_url: str, query: str) -> None:
    page.goto(f"{app_url}/?{query}")
    wait_for_run(page, 120_000)
    assert_no_exception(page)


def wait_for_charts(page, n: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('{CHARTS}').length >= {n}", timeout=60_000)


def test_vgg16_draws_its_charts_and_follows_the_flops_switch(page, app_url):
    open_explorer(page, app_url, "net=vgg16")
    wait_for_charts(page, 3)  # volume diagram, channel growth, cost per stage
    main = page.get_by_test_id("stMain")
    # VGG-16: 138,357,544 parameters (torchvision's vgg16; the lecture's "~138M").
    expect(main.get_by_text("138,357,544 ≈ 138M as in the lecture")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").nth(1)).to_have_text("15.5G MACs")

    page.get_by_test_id("stSidebar").get_by_text("FLOPs", exact=True).click()
    # FLOPs = 2 × MACs: 15.47 G multiply-adds are 30.9 GFLOPs.
    expect(page.get_by_test_id("stMetricValue").nth(1)).to_have_text("30.9 GFLOPs", timeout=60_000)
    wait_for_run(page)
    assert_no_exception(page)
    wait_for_charts(page, 3)
    assert "unit=FLOPs" in page.url  # the shared link carries the switch
    screenshot(page, "explorer-vgg16-flops")


@pytest.mark.parametrize("name, marker", [
    ("resnet50", "identity ×5"),  # He et al. 2016, Table 1: layer3's 6 blocks, 1 projection + 5 identity
    ("googlenet", "4 branches"),  # Szegedy et al. 2015: every inception module has 4 branches
])
def test_resnet_and_googlenet_diagrams(page, app_url, name, marker):
    open_explorer(page, app_url, f"net={name}")
    wait_for_charts(page, 3)
    expect(page.locator(CHARTS).first.get_by_text(marker).first).to_be_attached()
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 5  # diagram and growth: wide + narrow


def test_bad_link_falls_back_with_a_notice_and_compare_tab_draws(page, app_url):
    # Compare networks the earlier tests have already traced on this server (plus tiny LeNet-5).
    open_explorer(page, app_url, "net=vgg17&res=abc&compare=lenet5,vgg16,resnet50")
    expect(page.get_by_test_id("stAlertContentWarning").first).to_contain_text("not in the zoo")
    wait_for_charts(page, 3)
    page.get_by_role("tab", name="Compare").click()
    wait_for_charts(page, 1)
    expect(page.get_by_test_id("stMain").locator(CHARTS)).to_have_count(1, timeout=120_000)
    wait_for_run(page, 120_000)
    assert_no_exception(page)
    assert "view=compare" in page.url


def test_a_link_in_the_link_is_shown_as_code_in_the_browser(page, app_url):
    # ?net=[log in](https://evil.example): the value appears in the warning as code, never as a live link.
    open_explorer(page, app_url, "net=%5Blog%20in%5D(https://evil.example)")
    warning = page.get_by_test_id("stAlertContentWarning").first
    expect(warning).to_contain_text("[log in](https://evil.example)")
    assert warning.locator("a").count() == 0
    assert warning.locator("code").filter(has_text="evil.example").count() == 1


def _open_tab(page, label: str) -> None:
    page.get_by_role("tab", name=label).click()
    wait_for_run(page, 120_000)
    assert_no_exception(page)


def test_every_tab_click_opens_its_tab(page, app_url):
    # Issue 15: the tabs ignored every second click (Layer table → Published figures stayed on
    # Layer table; Compare → Overview stayed on Compare), clicks 1.5 s apart.
    open_explorer(page, app_url, "net=lenet5&compare=lenet5")
    main = page.get_by_test_id("stMain")
    for label, marker in [("Layer table", "Show layers down to depth"),
                          ("Published figures & code", "The code"),
                          ("Compare", "Networks to compare"),
                          ("Overview", "What is new in LeNet-5")]:
        page.wait_for_timeout(1500)
        _open_tab(page, label)
        expect(page.get_by_role("tab", name=label)).to_have_attribute("aria-selected", "true")
        expect(main.get_by_text(marker).first).to_be_visible()


def _query(page) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(page.url).query))


def test_a_shared_link_round_trips_and_stays_short(browser, page, app_url):
    # A teacher's link: ResNet-50 by blocks, in FLOPs, on the layer table two levels deep.
    link = {"net": "resnet50", "diagram": "blocks", "unit": "FLOPs", "view": "layers", "rows": "2"}
    open_explorer(page, app_url, urlencode(link))
    sidebar = page.get_by_test_id("stSidebar")
    expect(page.get_by_role("tab", name="Layer table")).to_have_attribute("aria-selected", "true")
    expect(sidebar.get_by_role("radio", name="FLOPs")).to_be_checked()
    expect(sidebar.get_by_role("radio", name="blocks")).to_be_checked()
    assert _query(page) == link  # nothing added, nothing lost

    # A switch to another network: the link says what changed and nothing else (issue 15: it
    # gained the whole Compare list).
    sidebar.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Network", exact=True)).first.click()
    page.get_by_role("option", name="ResNet-18").click()
    page.wait_for_url("**net=resnet18**", timeout=120_000)
    wait_for_run(page, 120_000)
    assert_no_exception(page)
    expect(page.get_by_test_id("stMain").locator("h2", has_text="ResNet-18")).to_be_visible()
    shared = _query(page)
    assert shared == {"net": "resnet18", "diagram": "blocks", "unit": "FLOPs", "view": "layers", "rows": "2"}

    # A student opens it: the same page.
    student = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        open_explorer(student, app_url, urlencode(shared))
        expect(student.get_by_role("tab", name="Layer table")).to_have_attribute("aria-selected", "true")
        expect(student.get_by_test_id("stMain").locator("h2", has_text="ResNet-18 at 224 × 224 × 3")).to_be_visible()
        assert _query(student) == shared
    finally:
        student.context.close()
