"""Network Builder in a real browser: typing into the table's cell reruns the forward pass (issue 17)."""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run
from viz.builder import codec
from viz.builder.start import design_from_zoo

pytestmark = pytest.mark.browser

ROW_HEIGHT, HEADER_HEIGHT = 35, 36  # st.data_editor's rows and header, in CSS pixels
F_COLUMN = 8  # columns to the right of "#": layer, output, parameters, MACs, receptive field, stage, c, f
OUTPUT, PARAMETERS = 3, 4  # glide-data-grid's column numbers ("#" is 1)


def cell(page, column: int, row: int):
    """A cell of the editor's accessibility table (glide-data-grid's: columns from 1, rows from 0)."""
    return page.locator(f'[data-testid="stDataFrame"] [data-testid="glide-cell-{column}-{row}"]')


def test_editing_a_kernel_cell_changes_the_shape_column(page, app_url):
    page.goto(f"{app_url}/builder?d={codec.to_link(design_from_zoo('lenet5'))}")
    wait_for_run(page)
    # LeCun et al. 1998: C1 5×5 on 32×32 → 28×28×6, S2 → 14×14×6.
    assert cell(page, OUTPUT, 0).inner_text() == "28 × 28 × 6" and cell(page, OUTPUT, 1).inner_text() == "14 × 14 × 6"
    canvas = page.locator('[data-testid="stDataFrame"] [data-testid="data-grid-canvas"]').first
    box = canvas.bounding_box()
    # Select row 1's "#" cell (past the row-marker column), walk to its f cell, type 3, commit.
    page.mouse.click(box["x"] + 60, box["y"] + HEADER_HEIGHT + ROW_HEIGHT // 2)
    for _ in range(F_COLUMN):
        page.keyboard.press("ArrowRight")
    page.keyboard.type("3")  # opens the cell's editor with the 3 in it
    page.wait_for_function("() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)")
    page.keyboard.press("Enter")
    # A 3×3 C1 (no padding): 30 × 30 × 6, then 15 × 15 × 6; its 6·(3·3 + 1) = 60 parameters.
    page.wait_for_function(f"() => document.querySelector('[data-testid=\"glide-cell-{OUTPUT}-0\"]')"
                           "?.textContent === '30 × 30 × 6'", timeout=60_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert cell(page, OUTPUT, 1).inner_text() == "15 × 15 × 6" and cell(page, PARAMETERS, 0).inner_text() == "60"
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "61,610"  # 61,706 − 156 + 60
    shared = codec.from_link(parse_qs(urlparse(page.url).query)["d"][0])
    assert shared.rows[0].k == 3 and shared.rows[1:] == design_from_zoo("lenet5").rows[1:]
    screenshot(page, "network_builder_edited")
