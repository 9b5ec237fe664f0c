"""Hostile links on every page, in Chromium (issue 12): what the student's browser really renders.

For each page a handful of links — HTML and Markdown in the page's main key, Streamlit
directives / control and right-to-left characters / a 3,000-character value beside a
valid main value, a key given twice — and for each: no traceback, no script ran (no
dialog), nothing fetched from the attacker's host, no link or image of theirs in the
DOM, every piece of the hostile text inside a ``<code>`` element, and the valid part of
the link kept (on screen and in the URL). One browser context per page, reused across
its links. tests/app/test_hostile_links.py covers every key of every page under AppTest.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~75 s on 2 cores (5 pages × up to 6 links)

HTML = "<img src=x onerror=alert(1)><script>alert('pwn')</script>"
MARKDOWN = "**pwn** [log in](https://evil.example) ![x](https://evil.example/track.png)"
DIRECTIVES = ":red[pwn] :material/warning: $\\frac{pwn}{2}$"
UNICODE = "pwn\u202eevil\u200b 🙂 \x00 ẞ 中文"
LONG = "pwn" + "x" * 3000

# page path → (main key, a valid non-default value, another key it reads, how the kept value shows)
PAGES = {
    "": ("net", "resnet18", "res", "ResNet-18"),
    "blocks": ("lab", "inception", "i_n", "28 × 28 × 256"),  # inception (3a)'s output (Szegedy et al. 2015)
    "training": ("experiment", "transfer", "network", "computed once and saved to disk"),  # the freeze planner
    "augmentation": ("seed", "7", "net", None),  # the seed's own box holds 7 (checked below)
    "inside": ("digit", "7", "style", "Test digit #7"),
}

# Every text node that mentions the marker, outside <code>: what rendered as the app's own voice.
_LOOSE_TEXT = """() => {
  const bad = [];
  for (const root of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]')) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.nodeValue.includes('pwn') && !n.parentElement.closest('code')) bad.push(n.parentElement.outerHTML.slice(0, 200));
    }
  }
  return bad;
}"""


def _links(path: str) -> list[tuple[str, dict]]:
    main, keep, other, _ = PAGES[path]
    if main is None:  # a page that reads no key: junk keys, ignored
        return [("junk", {other: HTML, "x": MARKDOWN})]
    return [
        ("html", {main: HTML}),
        ("markdown", {main: MARKDOWN}),
        ("beside a valid one", {main: keep, other: DIRECTIVES}),
        ("unicode", {main: keep, other: UNICODE}),
        ("long", {main: keep, other: LONG}),
        ("twice", {main: [MARKDOWN, keep]}),
    ]


@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p or "explorer")
def test_hostile_links_render_as_code_and_keep_the_rest(page, app_url, path):
    dialogs, fetched = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: fetched.append(r.url) if urlsplit(r.url).hostname == "evil.example" else None)
    main_key, keep, _, kept_text = PAGES[path]
    for name, query in _links(path):
        page.goto(f"{app_url}/{path}?{urlencode(query, doseq=True)}")
        wait_for_run(page)
        assert_no_exception(page)
        main = page.locator('[data-testid="stMain"]')
        assert page.evaluate(_LOOSE_TEXT) == [], (path, name)
        for selector in ('img[src="x"]', "img[onerror]", 'a[href*="evil.example"]', 'img[src*="evil.example"]'):
            assert page.locator(selector).count() == 0, (path, name, selector)
        assert not any("x" * 300 in t for t in main.locator("code").all_inner_texts()), "quoted in full"
        value = query.get(main_key)
        if keep is not None and (value == keep or isinstance(value, list) and value[-1] == keep):
            if kept_text is None:
                assert page.get_by_role("spinbutton", name="Seed").input_value() == keep, (path, name)
            else:
                assert main.get_by_text(kept_text).count() > 0 or page.locator(
                    '[data-testid="stSidebar"]').get_by_text(kept_text).count() > 0, (path, name, kept_text)
            if main_key != "seed":  # the seed's link is rewritten as the page draws it
                page.wait_for_url(lambda url: f"{main_key}={keep}" in url)
        if name in ("markdown", "junk"):  # one picture a page to look at (a full-page shot costs ~0.5 s)
            screenshot(page, f"hostile_{path or 'explorer'}_{name.replace(' ', '_')}")
    assert dialogs == [] and fetched == []
