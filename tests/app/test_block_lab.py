"""Block Lab page (AppTest): every lab shows the lecture's exact numbers at its defaults,
follows changed settings, and turns bad settings into an error message, not a traceback."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

# AppTest resolves a relative path against the calling file: give the repo-root path in full.
PAGE = str(Path(__file__).resolve().parents[2] / "viz" / "pages" / "block_lab.py")
TIMEOUT = 120  # building and tracing on a busy 2-core machine


def open_lab(lab: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if lab:
        at.query_params["lab"] = lab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    """Everything the page wrote, as one string (markdown, metrics, alerts, tables, HTML)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for kind in ("success", "info", "warning", "error"):
        parts += [e.value for e in getattr(at, kind)]
    parts += [h.proto.body for h in at.get("html")]
    parts += [df.value.to_string() for df in at.dataframe]
    return "\n".join(parts)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def widget(at: AppTest, kind: str, key: str):
    return next(w for w in getattr(at, kind) if w.key == key)


def test_default_is_the_1x1_lab_and_shows_the_grids():
    at = open_lab()
    assert at.query_params["lab"] == "1x1"
    page = text(at)
    # Lecture: 6×6 image * 1×1 filter "2": the first row 1 2 3 6 5 8 becomes 2 4 6 12 10 16.
    assert ">12</td>" in page and ">16</td>" in page
    assert "28 × 28 × 192" in page and "28 × 28 × 32" in page  # lecture: 28×28×192 → 28×28×32
    assert metric(at, "Multiply-adds") == "4,816,896"  # 28·28·192·32
    widget(at, "number_input", "g_value").set_value(3.0).run()
    assert ">24</td>" in text(at)  # 8 × 3 (last of the first row)
    widget(at, "slider", "o_f").set_value(64).run()
    assert "28 × 28 × 64" in text(at) and metric(at, "Multiply-adds") == f"{28 * 28 * 192 * 64:,}"


def test_inception_lab_lecture_numbers_and_changes():
    at = open_lab("inception")
    page = text(at)
    assert "28 × 28 × 256" in page  # lecture: inception (3a) output, 64 + 128 + 32 + 32
    assert "5×5: **12,443,648**" in page  # the 5×5 branch's cost with its bottleneck (lecture)
    for number in ("120,422,400", "2,408,448", "10,035,200", "12,443,648"):  # lecture's 5×5 comparison
        assert number in page
    widget(at, "toggle", "i_pon").set_value(False).run()  # no pool projection: the 192 pooled channels pass
    assert "28 × 28 × 416" in text(at)
    widget(at, "toggle", "i_r5on").set_value(False).run()  # naive 5×5 branch: the direct 120,422,400 is traced
    table = at.dataframe[0].value
    assert "120,422,400" in table[table["stage"].str.startswith("5×5")]["multiply-adds"].tolist()


def test_residual_lab_shows_the_identity_and_the_plain_blocks_zeros():
    at = open_lab("residual")
    page = text(at)
    # Lecture: W[l+2] = 0, b[l+2] = 0 → a[l+2] = g(a[l]) = a[l]; printed from the real forward pass.
    assert "max |a[l+2] − a[l]| = 0:" in page
    assert "max |a[l+2]| = 0:" in page  # the plain block outputs zeros
    widget(at, "toggle", "r_zero").set_value(False).run()
    assert "max |a[l+2] − a[l]| = 0:" not in text(at)


def test_residual_lab_projection_switched_off_is_an_error_and_the_page_stays_usable():
    at = open_lab("residual")
    widget(at, "toggle", "r_proj").set_value(False).run()
    widget(at, "radio", "r_stride").set_value(2).run()
    assert not at.exception
    assert any("projection W_s" in e.value for e in at.error)
    widget(at, "toggle", "r_proj").set_value(True).run()  # still usable: switch it back on
    assert not at.error and "28 × 28 × 64" in text(at)


def test_separable_lab_lecture_numbers_and_bad_filter():
    at = open_lab("separable")
    page = text(at)
    for number in ("2,160", "432", "240", "672", "0.31"):  # lecture: 2,160 vs 432 + 240 = 672, ratio 0.31
        assert number in page
    widget(at, "slider", "s_nco").set_value(512).run()
    assert "0.113" in text(at)  # lecture: 1/512 + 1/9 ≈ 0.113
    widget(at, "slider", "s_f").set_value(7).run()  # 7×7 on a 6×6 input without padding
    assert any("does not fit" in e.value for e in at.error) and not at.exception


def test_mobilenet_v2_lab_shapes_costs_and_memory():
    at = open_lab("mobilenet_v2")
    page = text(at)
    assert "6 × 6 × 3 → 6 × 6 × 18 → 6 × 6 × 18 → 6 × 6 × 3" in page  # lecture's picture with t = 6, n = 6
    assert "2,592 bytes" in page  # 6·6·18 float32 values of the expanded activation
    assert "yes" in page
    widget(at, "radio", "m_s").set_value(2).run()
    assert "stride 2 changes" in text(at) and "3 × 3 × 3" in text(at)


def test_efficientnet_lab_b0_and_a_preset():
    at = open_lab("efficientnet")
    assert metric(at, "Parameters") == "5,288,548"  # B0, torchvision.models.efficientnet_b0
    assert at.get("plotly_chart")  # presets chart drawn
    widget(at, "radio", "e_mode").set_value("a preset B0–B7").run()
    widget(at, "radio", "e_preset").set_value("b7").run()
    assert metric(at, "Parameters") == "66,347,960"  # torchvision.models.efficientnet_b7
    assert any("too long" in i.value for i in at.info)  # 37B multiply-adds: no real pass offered


def test_efficientnet_real_forward_pass_button():
    at = open_lab("efficientnet")
    widget(at, "radio", "e_mode").set_value("free d, w, r").run()
    widget(at, "slider", "e_d").set_value(0.5)
    widget(at, "slider", "e_w").set_value(0.5)
    widget(at, "slider", "e_r").set_value(64).run()
    at.button[0].click().run()
    assert any("Real forward pass" in s.value and "same as" in s.value for s in at.success)


def test_a_shared_link_carries_the_labs_settings():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["lab"] = "inception"
    at.query_params["i_r5on"] = "false"  # the naive 5×5 branch, as a teacher would share it
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    # Lecture: the direct 5×5 conv on 28×28×192 with 32 filters costs 120,422,400.
    assert "120,422,400" in table[table["stage"].str.startswith("5×5")]["multiply-adds"].tolist()


# Hostile or broken links (issue 12): every URL value is checked against the lab's controls
# before any widget exists; a bad one falls back to the default with a notice that shows the
# value as a code span (viz.formatting.user_value), never as a traceback or markup.
BAD_LINKS = [
    ("inception", "i_c1", "inf", "number_input", 64),  # was an OverflowError traceback (issue 12)
    ("inception", "i_c1", "1e999", "number_input", 64),
    ("inception", "i_c1", "-5", "number_input", 64),
    ("inception", "i_c1", "abc", "number_input", 64),
    ("inception", "i_n", "[log in](https://evil.example)", "slider", 28),
    ("mobilenet_v2", "m_k", "4", "radio", 3),  # kernels are 3, 5 or 7
    ("separable", "s_pad", "<b>full</b>", "radio", "valid"),
    ("efficientnet", "e_phi", "nan", "slider", 0.0),
]


def test_bad_link_values_fall_back_to_the_default_with_a_notice():
    from viz.formatting import user_value

    for lab, key, bad, kind, default in BAD_LINKS:
        at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
        at.query_params["lab"] = lab
        at.query_params[key] = bad
        at.run()
        assert not at.exception, (key, bad, [e.value for e in at.exception])
        assert widget(at, kind, key).value == default, (key, bad)
        notices = [w.value for w in at.warning]
        assert len(notices) == 1 and f"{key}={user_value(bad)}" in notices[0], notices
        assert key not in at.query_params  # dropped from the link
        assert not at.error  # the lab itself runs with the default


def test_a_bad_link_still_shows_the_lab_and_later_changes_work():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["lab"] = "inception"
    at.query_params["i_c1"] = "inf"
    at.run()
    assert "28 × 28 × 256" in text(at)  # lecture: inception (3a) at the defaults
    widget(at, "number_input", "i_c1").set_value(48).run()
    assert not at.exception and "28 × 28 × 240" in text(at)  # 48 + 128 + 32 + 32
    assert not at.warning  # the notice was shown once


def test_a_link_naming_no_lab_opens_the_first_with_a_notice():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["lab"] = "![x](http://host/track.png)"
    at.run()
    assert not at.exception and at.query_params["lab"] == "1x1"
    assert any("lab=`![x](http://host/track.png)`" in w.value for w in at.warning)
    assert metric(at, "Multiply-adds") == "4,816,896"  # the 1×1 lab's 28·28·192·32


def test_a_link_written_loosely_is_read_as_meant():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["lab"] = "inception"
    at.query_params["i_c1"] = "48.0"  # a whole number written as a float
    at.query_params["i_r5on"] = "0"  # off, written as 0
    at.run()
    assert not at.exception and not at.warning
    assert widget(at, "number_input", "i_c1").value == 48 and widget(at, "toggle", "i_r5on").value is False
    assert (at.query_params["i_c1"], at.query_params["i_r5on"]) == ("48", "false")  # as the widgets write them


def first_content(at: AppTest):
    """The first element after the lab selector (containers and columns looked into)."""
    elements = [e for e in at.main if type(e).__name__ not in ("SpecialBlock", "Block", "Column")]
    after = [type(e).__name__ for e in elements].index("ButtonGroup") + 1
    return elements[after]


# Issue 15: every lab opens with the lecture's number, above its controls. The numbers: the
# lecture's (1×1: 28·28·192·32; Inception: 28·28·32·5·5·192; separable: 6×6×3 → 4×4×5, 2,160;
# MobileNet v2: the 6 × 6 × 3 → 18 → 3 block, see tests/viz/blocklab/test_view.py).
FIRST = {"1x1": "28 × 28 × 192", "inception": "120,422,400", "residual": "0", "separable": "2,160",
         "mobilenet_v2": "9,720 MACs", "efficientnet": "1.00 · 1.00 · 224"}


def test_every_lab_opens_with_the_lectures_number_before_its_controls():
    for lab, value in FIRST.items():
        first = first_content(open_lab(lab))
        assert type(first).__name__ == "Metric" and first.value == value, (lab, first)


def test_without_the_5x5_bottleneck_its_width_is_disabled_and_no_saving_is_claimed():
    at = open_lab("inception")
    assert not widget(at, "number_input", "i_r5").disabled
    widget(at, "toggle", "i_r5on").set_value(False).run()
    reduce = widget(at, "number_input", "i_r5")
    assert reduce.disabled and "off" in reduce.help and reduce.value == 16  # kept for when it is back on
    first = first_content(at)
    assert (first.label, first.value) == ("5×5 branch: 32 filters 5 × 5 × 192, no bottleneck", "120,422,400")
    page = text(at)
    assert "cheaper" not in page and "12,443,648" not in page and "switch its “1×1 bottleneck” on" in page.lower()
    widget(at, "toggle", "i_r5on").set_value(True).run()
    assert not widget(at, "number_input", "i_r5").disabled and "9.7× fewer" in text(at)
