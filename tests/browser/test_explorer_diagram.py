"""The Explorer's figures as a browser draws them: no two labels overlap, at any network or width.

One page for the whole run: the network changes through the URL without a reload (a
``popstate``, as the browser's back button does, so the session and its caches stay), and
the width changes by resizing the window — the page then shows the wide or the narrow
diagram by itself (a CSS container query). Every visible SVG text of every chart is
measured with ``getBoundingClientRect``.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from architectures import NETWORKS
from tests.browser.conftest import ROOT, assert_no_exception, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not NETWORKS, reason="the model zoo is empty")]

WIDTHS = (1400, 1280, 390)  # a laptop, a projector, a phone

# Every visible text of each chart in the main area: pairs that intersect (by more than a
# pixel), texts that stick out of their chart, and font sizes.
MEASURE = """() => {
  const found = {overlaps: [], outside: [], small: [], charts: 0};
  for (const chart of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const frame = chart.getBoundingClientRect();
    if (getComputedStyle(chart).visibility === 'hidden' || frame.width === 0) continue;
    found.charts += 1;
    const texts = [...chart.querySelectorAll('svg text')]
      .filter(t => t.textContent.trim() && getComputedStyle(t).visibility !== 'hidden')
      .map(t => ({text: t.textContent, r: t.getBoundingClientRect(), size: parseFloat(getComputedStyle(t).fontSize)}))
      .filter(t => t.r.width > 0);
    for (let i = 0; i < texts.length; i++) {
      const a = texts[i].r;
      if (a.left < frame.left - 1 || a.right > frame.right + 1 || a.top < frame.top - 1 || a.bottom > frame.bottom + 1)
        found.outside.push(texts[i].text);
      if (texts[i].size < 14) found.small.push(texts[i].text + ' ' + texts[i].size);
      for (let j = i + 1; j < texts.length; j++) {
        const b = texts[j].r;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
          found.overlaps.push(texts[i].text + ' | ' + texts[j].text);
      }
    }
  }
  return found;
}"""


# Plotly has redrawn every visible chart at its element's new width (Streamlit resizes it).
REDRAWN = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')].every(el => {
  const gd = el.querySelector('.js-plotly-plot'), r = el.getBoundingClientRect();
  if (!gd || getComputedStyle(el).visibility === 'hidden' || !r.width) return true;
  return gd._fullLayout && Math.abs(gd._fullLayout.width - r.width) < 2;
})"""


def _show(page, query: str, title: str) -> None:
    """Open ``?query`` in the running session (no reload) and wait for its diagram."""
    page.evaluate("q => { history.pushState({}, '', '/?' + q); dispatchEvent(new PopStateEvent('popstate')); }", query)
    page.get_by_test_id("stMain").locator("h2", has_text=title).first.wait_for(timeout=180_000)
    wait_for_run(page, 180_000)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stMain\"] .js-plotly-plot').length >= 5",
                           timeout=60_000)
    assert_no_exception(page)


# By blocks as well: the networks whose blocks crowd the diagram most in each family (issue 15 saw
# EfficientNet-B7's labels collide and ResNet-50's unreadable at 390 px).
BY_BLOCKS = ("resnet18", "resnet50", "resnet152", "mobilenet_v1", "mobilenet_v2", "efficientnet_b0",
             "efficientnet_b7")


def _cases():
    """Every network at its default level (a stage per box), :data:`BY_BLOCKS` by blocks, and
    GoogLeNet with its side classifiers. The layout test (tests/viz/explorer/test_diagram.py)
    checks every network at both levels with estimated text widths; this one checks the estimates
    against the text a browser draws."""
    for name, spec in NETWORKS.items():
        yield f"net={name}", spec.title
    for name in BY_BLOCKS:
        if name in NETWORKS:
            yield f"net={name}&diagram=blocks", NETWORKS[name].title
    yield "net=googlenet&aux_logits=true", NETWORKS["googlenet"].title


@pytest.mark.slow  # ~2 s a case on 2 cores (the first trace of each network and five charts drawn)
def test_no_label_overlaps_for_any_network_at_any_width(browser, app_url):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?net=lenet5")
        wait_for_run(page, 120_000)
        problems, started, checked = [], time.monotonic(), 0
        for query, title in _cases():
            _show(page, query, title)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_function(REDRAWN, timeout=10_000)
                found = page.evaluate(MEASURE)
                checked += found["charts"]
                assert found["charts"] == 3, (query, width, found["charts"])  # diagram, growth, cost
                for kind in ("overlaps", "outside") + (("small",) if width == 1280 else ()):
                    problems += [f"{query} @ {width}px {kind}: {item}" for item in found[kind]]
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        print(f"{checked} charts checked in {time.monotonic() - started:.0f} s")
        if problems:
            (ROOT / ".pytest_cache" / "label-overlaps.txt").write_text("\n".join(problems))
        assert not problems, "\n".join(problems[:40])
    finally:
        context.close()


# Box ``key`` of the visible volume diagram scrolled to the middle of the screen (a marker at its
# centre, in plotly's own axes, is scrolled into view), then its centre in page pixels.
BOX_CENTRE = """key => {
  for (const gd of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    if (getComputedStyle(gd).visibility === 'hidden' || !gd.getBoundingClientRect().width) continue;
    const trace = gd.data && gd.data[0];
    const i = trace && trace.customdata ? trace.customdata.indexOf(key) : -1;
    if (i < 0) continue;
    const L = gd._fullLayout, x = L._size.l + L.xaxis.l2p(trace.x[i]), y = L._size.t + L.yaxis.l2p(trace.y[i]);
    const mark = document.createElement('div');
    mark.style.cssText = `position: absolute; left: ${x}px; top: ${y}px; width: 1px; height: 1px;`;
    gd.querySelector('.svg-container').appendChild(mark);
    mark.scrollIntoView({block: 'center', inline: 'center'});
    const r = mark.getBoundingClientRect();
    mark.remove();
    return {x: r.left, y: r.top};
  }
  return null;
}"""


def click_box(page, key: str) -> None:
    centre = page.evaluate(BOX_CENTRE, key)
    assert centre, f"no box {key} in the diagram"
    page.mouse.move(centre["x"], centre["y"])
    page.wait_for_timeout(150)  # plotly finds the hovered point first
    page.mouse.click(centre["x"], centre["y"])
    wait_for_run(page, 120_000)


@pytest.mark.parametrize("width", [1400, 390])
def test_a_click_on_a_box_opens_its_details(browser, app_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/?net=alexnet")
        wait_for_run(page, 120_000)
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stMain\"] .js-plotly-plot').length >= 3")
        click_box(page, "conv1")
        assert_no_exception(page)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("conv1 — ").first).to_be_visible(timeout=60_000)
        # Krizhevsky et al. 2012 / the lecture: CONV 11×11, s = 4 on 227×227×3 → 55×55×96;
        # (11·11·3 + 1)·96 = 34,944 parameters, 11·11·3 · 55·55 · 96 = 105,415,200 multiply-adds;
        # then LRN and a 3×3/2 max-pool give the stage's 27×27×96.
        expect(main.get_by_test_id("stMetricValue").filter(has_text="27 × 27 × 96")).to_be_visible()
        expect(main.get_by_text("n_H × n_W × n_C, from 227 × 227 × 3")).to_be_visible()
        formula = main.get_by_text("conv 11×11, s = 4, p = 0: 227 × 227 × 3 → 55 × 55 × 96").first
        expect(formula).to_contain_text("⌊(227 + 2·0 − 11)/4⌋ + 1 = 55")
        expect(formula).to_contain_text("parameters (11·11·3 + 1)·96 = 34,944")
        expect(formula).to_contain_text("multiply-adds 11·11·3 · 55·55 · 96 = 105,415,200")
        expect(formula).to_contain_text("receptive field 11×11", timeout=60_000)
        expect(main.get_by_test_id("stDataFrame").first).to_be_visible()  # every layer of the box
    finally:
        context.close()


def test_the_diagram_downloads_as_svg_and_png_for_slides(page, app_url):
    page.goto(f"{app_url}/?net=resnet50&diagram=blocks")
    wait_for_run(page, 120_000)
    main = page.get_by_test_id("stMain")
    with page.expect_download(timeout=60_000) as svg_download:
        main.get_by_role("button", name="Download the diagram (SVG, for slides)").click()
    assert svg_download.value.suggested_filename == "resnet50_blocks_224px.svg"
    svg = Path(svg_download.value.path()).read_text()
    # The picture a slide gets: 1920 px wide, the title and He et al.'s five identity blocks of layer3 in it.
    assert svg.startswith("<svg") and 'width="1920"' in svg
    assert "ResNet-50: the volume after each block" in svg and "identity ×5" in svg

    # The PNG: plotly.js draws it in the browser (no kaleido on the server) from the camera button.
    chart = main.locator(".js-plotly-plot").first
    chart.hover()
    with page.expect_download(timeout=60_000) as png_download:
        chart.locator('.modebar-btn[data-title^="Download plot"]').click()
    assert png_download.value.suggested_filename == "resnet50_blocks_224px.png"
    data = Path(png_download.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == 1920 and height > 400
