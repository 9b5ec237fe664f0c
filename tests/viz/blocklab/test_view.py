"""viz.blocklab.view: each lab's default view shows the lecture's numbers, with its headline and main figure.

Sources: DESIGN.md's table of the lecture's numbers (Inception 120,422,400 vs
2,408,448 + 10,035,200 = 12,443,648; module (3a) 28 × 28 × 256; depthwise-separable
2,160 vs 432 + 240 = 672, ratio 0.31; the residual block with W[l+2] = 0, b[l+2] = 0).
"""

from __future__ import annotations

import inspect

import pytest

from viz import view as v
from viz.blocklab import view
from viz.blocklab.view import LABS


def text_of(result: v.View) -> str:
    """Every piece of text a view shows (headings, markdown, captions, metrics, callouts, tables, HTML)."""
    parts = [result.headline]
    for block in v.walk(result.lead + result.blocks):
        if isinstance(block, v.Heading | v.Caption | v.Callout):
            parts.append(block.text)
        elif isinstance(block, v.Text):
            parts.append(block.markdown)
        elif isinstance(block, v.Html):
            parts.append(block.html)
        elif isinstance(block, v.Metrics):
            parts += [f"{m.label} {m.value} {m.note}" for m in block.items]
        elif isinstance(block, v.Table):
            parts += [" | ".join(map(str, row.values())) for row in block.rows]
    return "\n".join(parts)


def figure_keys(result: v.View) -> list[str]:
    return [b.key for b in v.walk(result.blocks) if isinstance(b, v.Figure)]


def errors(result: v.View) -> list[str]:
    return [b.text for b in v.walk(result.blocks) if isinstance(b, v.Callout) and b.kind == "error"]


def test_inception_view_leads_with_the_lectures_comparison():
    result = view.inception_view()
    assert result.headline == "120,422,400 vs 12,443,648"  # lecture: 5×5 direct vs with the 1×1 bottleneck
    page = text_of(result)
    for number in ("2,408,448", "10,035,200", "12,443,648", "28 × 28 × 256"):  # lecture; module (3a)
        assert number in page
    assert "5×5: **12,443,648**" in page  # the 5×5 branch as counted from the traced module
    assert result.figure == "bl_saving" and result.figure in figure_keys(result)


def lead_numbers(result: v.View) -> list[tuple[str, str]]:
    (metrics, *_) = result.lead
    return [(m.label, m.value) for m in metrics.items]


def test_every_lab_leads_with_the_lectures_point():
    for lab_id, lab in LABS.items():
        result = lab.view({})
        assert isinstance(result.lead[0], v.Metrics) and result.lead[0].items, lab_id
        assert not set(map(id, result.lead)) & set(map(id, result.blocks)), lab_id  # not repeated below


def test_the_inception_lead_is_the_lectures_comparison_and_drops_the_saving_without_a_bottleneck():
    # Lecture: 28·28·32·5·5·192 = 120,422,400 directly; 2,408,448 + 10,035,200 = 12,443,648 with 16 first.
    assert lead_numbers(view.inception_view()) == [
        ("5×5 conv directly, 32 filters", "120,422,400"), ("1×1 to 16 first, then the 5×5", "12,443,648"),
        ("The bottleneck's saving", "9.7× fewer")]
    naive = view.inception_view({"reduce_5x5": False})
    assert lead_numbers(naive)[0] == ("5×5 branch: 32 filters 5 × 5 × 192, no bottleneck", "120,422,400")
    page = text_of(naive)
    assert "12,443,648" not in page and "cheaper" not in page and "saving" not in page.replace(
        "the lecture's saving", "")  # only the invitation to switch it on
    assert naive.headline == "120,422,400 multiplies (no bottleneck)" and naive.figure in figure_keys(naive)


def test_the_mobilenet_v2_lead_compares_the_block_with_a_normal_conv_on_as_many_channels():
    # Lecture's picture, n = 6, t = 6: 6·6·3·18 + 6·6·9·18 + 6·6·18·3 = 9,720 multiply-adds;
    # a normal 3×3 conv 18 → 18 on 6 × 6: 6·6·9·18·18 = 104,976.
    assert lead_numbers(view.mobilenet_v2_view()) == [
        ("v2 bottleneck: computes on 18 channels", "9,720 MACs"),
        ("normal 3×3 conv, 18 → 18 channels", "104,976 MACs"), ("Passed to the next block", "6 × 6 × 3")]
    assert view.mobilenet_v2_view().lead[0].items[1].note == "10.8× the bottleneck"


def test_the_mobilenet_cost_chart_tells_pointwise_from_projection():
    chart = next(b.figure for b in v.walk(view.mobilenet_v2_view().blocks)
                 if isinstance(b, v.Figure) and b.key == "bl_mobilenet_cost")
    colours = {bar.name: bar.marker.color for bar in chart.data}
    assert colours["pointwise"] != colours["projection"] and len(set(colours.values())) == len(colours)
    assert max(x for bar in chart.data for x in bar.x) == 104_976  # the normal conv at the expanded width


def test_inception_view_follows_its_settings():
    result = view.inception_view({"ch5x5red": 32})
    assert result.headline == f"120,422,400 vs {28 * 28 * 32 * 192 + 28 * 28 * 32 * 25 * 32:,}"
    assert "28 × 28 × 416" in text_of(view.inception_view({"use_pool_proj": False}))  # 64 + 128 + 32 + 192


def test_separable_view_has_the_lectures_numbers():
    result = view.separable_view()
    assert result.headline == "2,160 vs 432 + 240 = 672 (ratio 0.31)"  # lecture: normal vs depthwise-separable
    assert "1/5 + 1/3² = **0.311**" in text_of(result)  # lecture: 1/n_c' + 1/f²
    assert "0.113" in text_of(result)  # lecture: 1/512 + 1/9 at a real network's width
    assert result.figure in figure_keys(result)


def test_one_by_one_view_has_both_pictures():
    result = view.one_by_one_view()
    assert result.headline == "28 × 28 × 192 → 28 × 28 × 32"  # lecture: CONV 1×1 with 32 filters
    page = text_of(result)
    assert ">12</td>" in page and ">16</td>" in page  # the slide's first row 1 2 3 6 5 8, doubled
    assert "Multiply-adds 4,816,896" in page  # 28·28·192·32
    headings = [b.text for b in result.blocks if isinstance(b, v.Heading)]
    assert headings[:1] == ["One channel: a 1×1 filter just multiplies"]
    assert view.one_by_one_view({"value": 3.0, "filters": 64}).headline == "28 × 28 × 192 → 28 × 28 × 64"


def test_residual_view_shows_the_identity():
    result = view.residual_view()
    # Lecture: W[l+2] = 0, b[l+2] = 0 → a[l+2] = g(a[l]) = a[l], from a real forward pass.
    assert result.headline == "W[l+2] = 0, b[l+2] = 0: max |a[l+2] − a[l]| = 0"
    successes = [b.text for b in v.walk(result.blocks) if isinstance(b, v.Callout) and b.kind == "success"]
    assert successes and successes[0].startswith("max |a[l+2] − a[l]| = 0:")
    assert result.figure in figure_keys(result)


def test_mobilenet_v2_view_shapes_and_memory():
    result = view.mobilenet_v2_view()
    assert result.headline == "9,720 vs 104,976 MACs on 18 channels"
    page = text_of(result)
    assert "6 × 6 × 3 → 6 × 6 × 18 → 6 × 6 × 18 → 6 × 6 × 3" in page  # lecture's picture, t = 6
    assert "2,592 bytes" in page  # 6·6·18 float32 values of the expanded activation
    assert "v2 bottleneck, MACs 9,720" in page and "(same in/out), MACs 2,916" in page  # v2 vs a normal 3×3 conv
    assert set(figure_keys(result)) == {"bl_mobilenet_cost", "bl_mobilenet_memory"}


def test_efficientnet_view_b0_and_a_preset():
    result = view.efficientnet_view()
    assert "Parameters 5,288,548" in text_of(result)  # torchvision.models.efficientnet_b0
    assert result.headline.startswith("d = 1.00, w = 1.00, r = 224") and "= 1.00× B0" in result.headline
    b7 = view.efficientnet_view({"mode": "a preset B0–B7", "preset": "b7"})
    assert "Parameters 66,347,960" in text_of(b7)  # torchvision.models.efficientnet_b7
    assert "too long" in text_of(b7)  # 37B multiply-adds: no real pass offered


def test_the_real_pass_is_offered_only_where_it_fits():
    assert view.real_pass_offer({}) == "Run a real forward pass at 224 × 224"
    assert view.real_pass_offer({"mode": "a preset B0–B7", "preset": "b7"}) is None
    small = {"mode": "free d, w, r", "depth": 0.5, "width": 0.5, "resolution": 64}
    done = view.real_pass_view(small)
    assert "Real forward pass" in text_of(done) and "same as" in text_of(done)


@pytest.mark.parametrize("lab_id,settings,message", [
    ("residual", {"stride": 2, "projection": False}, "projection W_s"),
    ("separable", {"f": 7}, "does not fit"),  # a 7×7 filter on the 6×6 input, no padding
    ("inception", {"n_c": 0}, "from 1 to 512"),
    ("1x1", {"bogus": 1}, "Unknown setting"),
    ("efficientnet", {"preset": "b9"}, "preset must be one of"),
])
def test_a_setting_no_block_can_have_is_an_error_view(lab_id, settings, message):
    result = LABS[lab_id].view(settings)
    (error,) = errors(result)
    assert message in error and result.headline == ""


def test_the_registry_matches_the_lab_functions():
    from viz.blocklab import efficientnet, inception, mobilenet_v2, one_by_one, residual, separable

    functions = {"1x1": one_by_one.one_by_one, "inception": inception.inception,
                 "residual": residual.residual_block, "separable": separable.separable,
                 "mobilenet_v2": mobilenet_v2.mobilenet_v2, "efficientnet": efficientnet.scaling}
    for lab_id, lab in LABS.items():
        section = lab.sections[-1]  # the 1×1 lab's grid section has its own function, checked below
        parameters = inspect.signature(functions[lab_id]).parameters
        for control in section.controls:  # each setting is the function's keyword, with its default
            assert parameters[control.name].default == control.default, (lab_id, control.name)
        assert not errors(lab.view({})), lab_id
    assert inspect.signature(one_by_one.one_by_one_grid).parameters["value"].default == 2.0  # the slide's filter


def test_a_link_naming_no_lab_opens_the_default_with_a_notice():
    assert view.lab_from_link("inception") == ("inception", "")
    assert view.lab_from_link(None) == ("1x1", "")
    assert view.lab_from_link("Inception") == ("inception", "")  # as every page reads a choice
    lab_id, notice = view.lab_from_link("[log in](https://evil.example)")
    assert lab_id == "1x1" and "lab=`[log in](https://evil.example)`" in notice


def test_stage_table_rows():
    (row, relu) = view.stage_table(view.one_by_one.one_by_one().stages).rows
    assert row["output"] == "28 × 28 × 32" and row["multiply-adds"] == "4,816,896" and row["= formula"] == "✓"
    assert relu["the formula"] == "no multiplies"
