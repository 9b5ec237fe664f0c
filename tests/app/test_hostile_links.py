"""Hostile links on every page (issue 12), under AppTest.

A shared link is attacker-controlled text. Whatever it carries — HTML, Markdown links and
images, Streamlit directives, a value thousands of characters long, control and
right-to-left characters, a key given twice — every page must

* run without an exception (no traceback reaches the student);
* never render the text as markup: anywhere the page writes it (alerts, markdown,
  captions, widget labels and help), it sits inside a code span
  (``viz.formatting.user_value``), so once code spans are cut out none of its
  markers is left;
* keep the rest of the link: the valid values beside the hostile one still apply.

Each page is opened twice per hostile value: once with it in the page's main key
(``net``, ``lab``, ``experiment``, ``seed``, ``step``), once with a valid main value and the hostile
value in every other key the page reads (the tour: its step's settings). tests/browser/test_hostile_links.py opens a few of
these links in Chromium and looks at the rendered DOM.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from architectures import NETWORKS
from tests.markdown import outside_code_spans
from viz.blocklab.view import LABS
from viz.tour.steps import BY_ID as TOUR_STEPS
from viz.training import freeze
from viz.training.settings import TransferSettings

PAGES = Path(__file__).resolve().parents[2] / "viz" / "pages"
TIMEOUT = 120

LONG = "pwn" + "x" * 6000  # longer than any message should quote (user_value cuts it)
HOSTILE = {
    "html": "<img src=x onerror=alert(1)><script>pwn()</script>",
    "markdown": "**pwn** [log in](https://evil.example) ![x](http://evil.example/track.png)",
    "directives": ":red[pwn] :material/warning: $\\frac{pwn}{2}$ <br> `pwn` ``",
    "long": LONG,
    "unicode": "pwn\u202eevil\u200b 🙂 \x00\n\t ẞ 中文 \ufeff",
    "numbers": "inf",  # Streamlit's number_input raised OverflowError on it (issue 12)
}
# What must not survive outside a code span (all hostile values carry one of these).
MARKERS = ("pwn", "onerror", "evil.example", "track.png", "<img", "<script")

EXPLORER_KEEP = "resnet18"
EXPLORER_KEYS = ("res", "unit", "rows", "diagram", "compare", "view",
                 *(o.name for o in NETWORKS[EXPLORER_KEEP].options))
BLOCK_KEEP = "inception"
BLOCK_KEYS = tuple(c.key for c in LABS[BLOCK_KEEP].controls)
TRAINING_KEYS = (*(c.key for c in (*TransferSettings.CONTROLS, *freeze.CONTROLS)),  # the transfer section's
                 f"fp_cut_{freeze.DEFAULT_NETWORK}")

# page file → (main key, a valid non-default main value, the other keys it reads, how to read back the state)
PAGE_LINKS = {
    "network_explorer.py": ("net", EXPLORER_KEEP, EXPLORER_KEYS,
                            lambda at: at.session_state["xp_net_residual"]),
    "block_lab.py": ("lab", BLOCK_KEEP, BLOCK_KEYS, lambda at: at.session_state["lab"]),
    "training_lab.py": ("experiment", "transfer", TRAINING_KEYS, lambda at: at.session_state["tl_section"]),
    "inside_lenet.py": ("digit", "7", ("style",), lambda at: str(at.session_state["inside_test_position"])),
    "lecture_tour.py": ("step", "inception-bottleneck", tuple(c.key for c in TOUR_STEPS["inception-bottleneck"].controls),
                        lambda at: at.session_state["tour_step"]),
    # This one reads no other key: theirs are keys of other pages, which it ignores.
    "augmentation_lab.py": ("seed", "7", ("upload", "net"), lambda at: str(at.session_state["seed"])),
}
IGNORES_OTHERS = ("augmentation_lab.py",)


def _open(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(node) -> list[str]:
    """Every string the page handed Streamlit to render as text or Markdown (bodies, labels, help,
    captions, options), walking the whole element tree (sidebar, columns, tabs, expanders)."""
    out = []
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ListFields"):
        for field, value in proto.ListFields():
            if field.name in ("body", "label", "help", "caption", "placeholder", "text"):
                out.append(str(value))
            elif field.name in ("options", "display_values"):  # repeated strings
                out += [str(v) for v in value]
    for child in getattr(node, "children", {}).values():
        out += _texts(child)
    return out


def _assert_no_markup(at: AppTest, case: str) -> None:
    for text in _texts(at._tree):
        left = outside_code_spans(text)
        for marker in MARKERS:
            assert marker not in left, (case, marker, text[:300])
        assert "x" * 300 not in text, (case, "a long value was quoted in full")


CASES = [(page, name) for page in PAGE_LINKS for name in HOSTILE]


@pytest.mark.parametrize("page, name", CASES, ids=[f"{p[:-3]}-{n}" for p, n in CASES])
def test_a_hostile_main_value_falls_back_without_markup(page, name):
    main, _, others, _ = PAGE_LINKS[page]
    key = main or others[0]
    at = _open(page, {key: HOSTILE[name]})
    _assert_no_markup(at, (page, key, name))


@pytest.mark.parametrize("page, name", CASES, ids=[f"{p[:-3]}-{n}" for p, n in CASES])
def test_hostile_values_beside_a_valid_one_keep_the_valid_one(page, name):
    main, keep, others, state = PAGE_LINKS[page]
    query = {key: HOSTILE[name] for key in others}
    if main:
        query[main] = keep
    at = _open(page, query)
    _assert_no_markup(at, (page, "others", name))
    if state:
        assert state(at) == keep, (page, name)
    if page not in IGNORES_OTHERS:  # a value the page reads and refuses is dropped from the link
        assert not any(HOSTILE[name] == v for v in at.query_params.values()), "a hostile value kept in the link"


@pytest.mark.parametrize("page", [p for p, (main, *_) in PAGE_LINKS.items() if main])
def test_a_key_given_twice_reads_the_last_and_shows_no_markup(page):
    main, keep, _, state = PAGE_LINKS[page]
    at = _open(page, {main: [HOSTILE["markdown"], keep]})  # ?net=<hostile>&net=resnet18
    _assert_no_markup(at, (page, "twice, valid last"))
    assert state(at) == keep
    at = _open(page, {main: [keep, HOSTILE["html"]]})  # ?net=resnet18&net=<hostile>
    _assert_no_markup(at, (page, "twice, hostile last"))


def test_every_block_lab_control_survives_a_number_it_cannot_hold():
    # inf, nan, 1e309 and a 5,000-digit integer (past Python's int-from-text limit) in every
    # control of every lab: each falls back to its default with a notice.
    for lab in LABS.values():
        for bad in ("nan", "1e309", "9" * 5000):
            at = _open("block_lab.py", {"lab": lab.id, **{c.key: bad for c in lab.controls}})
            assert at.session_state["lab"] == lab.id
            assert at.warning, (lab.id, bad)
            _assert_no_markup(at, (lab.id, bad))
