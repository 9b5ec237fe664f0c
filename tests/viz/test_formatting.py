"""Shared formatting: the lecture's numbers and shapes, and user text that can't become markup."""

import pytest

from viz.formatting import approx, num, parse_approx, shape_text, user_value


@pytest.mark.parametrize("n, text", [
    (138_357_544, "138M"),  # VGG-16, the lecture's "~138M"
    (61_706, "61.7K"),  # LeNet-5, the lecture's "~60K"
    (4_231_976, "4.23M"),
    (15_470_264_320, "15.5G"),
    (999, "999"),
    (60_000_000, "60M"),  # AlexNet, the lecture's "~60M"
])
def test_approx_keeps_three_significant_digits(n, text):
    assert approx(n) == text
    assert parse_approx(text) == pytest.approx(float(text[:-1]) * {"K": 1e3, "M": 1e6, "G": 1e9}[text[-1]]
                                               if text[-1].isalpha() else float(text))


def test_num_and_shape_text():
    assert num(120_422_400) == "120,422,400"  # the lecture's naive 5×5 cost
    assert shape_text((1, 256, 56, 56)) == "56 × 56 × 256"
    assert shape_text((256, 28, 28)) == "28 × 28 × 256"
    assert shape_text((1, 4096)) == "4096"
    assert shape_text((120,)) == "120"
    assert shape_text(()) == "—"


@pytest.mark.parametrize("hostile", [
    "[log in](https://evil.example)",
    "![x](http://host/track.png)",
    "<img src=x onerror=alert(1)>",
    ":red[danger] :material/warning:",
    "$\\frac{1}{0}$",
    "``` code ```",
    "`",
    "a`b``c",
    "line\nbreak\r\x00",
])
def test_user_value_is_one_code_span_that_no_value_can_close(hostile):
    shown = user_value(hostile)
    fence = len(shown) - len(shown.lstrip("`"))
    assert shown.startswith("`" * fence) and shown.endswith("`" * fence)
    inner = shown[fence:-fence]
    # No run of backticks inside is as long as the fence, so the span cannot close early.
    assert "`" * fence not in inner
    assert "\n" not in shown and "\x00" not in shown


def test_user_value_cuts_long_text_and_quotes_non_strings():
    assert user_value("x" * 500).count("x") == 80
    assert user_value(12) == "`12`"
