"""Presenter mode (issue 16): what changes on every page while a teacher projects it — decided here, no Streamlit.

A switch, also in the URL (``?present=1``), read by ``app.py`` on every page. While it is on:

* no sidebar and no Streamlit header (its toolbar, main menu and the developer's Deploy
  button): the page gets the whole screen (:func:`css`);
* large type: body text, captions and metrics bigger, every chart text at least
  :data:`viz.readable.PRESENT_PX` (18 px; ``viz.readable.enlarged`` raises a figure's
  sizes as it is drawn);
* less padding above the page's title, so its headline and main figure start above the
  fold of a 1280 × 720 projector;
* developer detail (``viz.view.for_developers``) is not drawn (:func:`hides`): commands
  and implementation notes are not for the room;
* a lab's settings drawn above its figure fold into a closed "Settings" expander
  (:data:`FOLD_SETTINGS`): the figure comes up to the first screen, the settings stay a
  click away (and in the link);
* a small bar fixed at the bottom right with a Pages menu, the Share button and the way out (the sidebar
  that holds them otherwise is gone).

The mode lives in the session as well as in the URL: Streamlit's navigation drops the
query string on a page switch, and :func:`decide` puts ``present=1`` back from the
session (``remembered``). A bad value in a link (``?present=<b>x</b>``) falls back to off
with a notice that quotes it as code (:mod:`viz.urlstate`'s rules, like every other key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from architectures.registry import Option
from viz import urlstate
from viz import view as v

KEY = "present"
OPTION = Option(KEY, "bool", False, "Presenter mode",
                "Large type, no sidebar or toolbar: for projecting in a lecture room.")
# Query keys the app reads on every page, before the page runs; pages keep them when they
# rewrite their own link and never name them as unknown.
APP_KEYS = (KEY,)
SESSION_KEY = "app_presenting"  # the session's mode: Streamlit's navigation drops ?present= on a page switch
ON = "1"  # how the URL says it: ?present=1


@dataclass(frozen=True)
class Presenter:
    """What this run does: ``on``; ``url`` — the text ``?present=`` should hold (None: the key
    left out, as every default is); ``notices`` — what was wrong with the link's value."""

    on: bool
    url: str | None
    notices: tuple[str, ...] = ()


def decide(raw: str | None, remembered: bool) -> Presenter:
    """The mode for a run whose URL holds ``present=raw`` (None: no such key) in a session
    that last had the mode ``remembered``.

    No key keeps what the session had (a page switch dropped the query string); a value
    in the URL wins ("1"/"true" on, "0"/"false"/"" off); a bad value is off, with a notice.
    """
    if raw is None:
        on, notices = remembered, ()
    else:
        parsed = urlstate.parse({KEY: raw}, (OPTION,))
        on, notices = parsed.values[KEY], parsed.notices
    return Presenter(on=on, url=ON if on else None, notices=notices)


def hides(block: v.Block) -> bool:
    """Whether presenter mode leaves ``block`` out: the "For developers" expander."""
    return isinstance(block, v.Expander) and block.label == v.DEVELOPERS


def with_mode(href: str, on: bool) -> str:
    """``href`` (a link into the app, e.g. a tour step's "open in the Block Lab") carrying
    ``present=1`` while presenting: a link opened in a new tab starts a new session, which
    has no mode to remember."""
    if not on:
        return href
    base, _, fragment = href.partition("#")
    path, _, query = base.partition("?")
    kept = [part for part in query.split("&") if part and part.partition("=")[0] != KEY]
    out = f"{path}?{'&'.join([*kept, f'{KEY}={ON}'])}"
    return f"{out}#{fragment}" if fragment else out


def without_app_keys(params: dict[str, str]) -> dict[str, str]:
    """A page's own part of a link: ``params`` less the app-wide keys."""
    return {k: value for k, value in params.items() if k not in APP_KEYS}


# Streamlit 1.67's test ids (its frontend's data-testid attributes).
_HIDDEN = ('[data-testid="stSidebar"]', '[data-testid="stSidebarCollapsedControl"]',
           '[data-testid="stExpandSidebarButton"]', '[data-testid="stHeader"]', '[data-testid="stToolbar"]',
           '[data-testid="stAppDeployButton"]', '[data-testid="stDecoration"]')
BAR_KEY = "presenter_bar"  # the container of the Share and Exit buttons (its class: st-key-presenter_bar)
FOLD_SETTINGS = "Settings"  # the expander's label for settings drawn above a figure
BODY_REM = 1.3  # body text: 1.3 × 16 px ≈ 21 px, read from the back of a room
CAPTION_REM = 1.1


def css(on: bool) -> str:
    """The style sheet presenter mode adds to a page (empty while it is off)."""
    if not on:
        return ""
    hidden = ", ".join(_HIDDEN)
    return (
        "<style>"
        f"{hidden} {{ display: none !important; }}"
        # The header is gone: the page starts at the top, as wide as the screen.
        '[data-testid="stMainBlockContainer"] { padding-top: 0.75rem !important; padding-left: 2rem; '
        "padding-right: 2rem; max-width: none; }"
        # Closer rows: the first screen holds the headline and the top of the main figure.
        '[data-testid="stVerticalBlock"] { gap: 0.6rem; }'
        f'[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {{ font-size: {BODY_REM}rem; }}'
        f'[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ font-size: {CAPTION_REM}rem; }}'
        # A metric's value is Markdown too: its own rule, after the body text's.
        '[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: 2.4rem; }'
        f'[data-testid="stMetricLabel"] p {{ font-size: {CAPTION_REM}rem; }}'
        f'[data-testid="stWidgetLabel"] p {{ font-size: {CAPTION_REM}rem; }}'
        # The Pages / Share / Exit bar: fixed at the bottom right, out of the page's flow (at the top right
        # it covered a page's own first row: the tour's Next button).
        f".st-key-{BAR_KEY} {{ position: fixed; bottom: 0.75rem; right: 1rem; z-index: 999990; width: auto; "
        "background: rgba(255, 255, 255, 0.9); border-radius: 0.5rem; padding: 0.15rem; }"
        "</style>"
    )


def page_params(params: Mapping[str, str], current: Mapping[str, str]) -> dict[str, str]:
    """A page's own link ``params`` (defaults left out) with the app-wide keys (:data:`APP_KEYS`,
    ``?present=1``) of the ``current`` URL kept."""
    return {**params, **{k: current[k] for k in APP_KEYS if k in current}}
