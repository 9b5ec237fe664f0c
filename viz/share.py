"""Share a page with a class (issue 16): its full link, with every setting, and a QR code of it.

* :func:`base_url`: where the page is. The browser's address is not known to the server
  by itself; Streamlit 1.67 has ``st.context.url`` (the address the browser shows, without
  its query string, the page's path included), which the page passes in. Without it (a
  test, a client that sent none) the request's ``Host`` header is used, and failing that a
  path without a host (said on screen: a QR code of it opens nothing).
* :func:`page_link`: that address with the page's query parameters, every value
  percent-encoded (``<b>`` travels as ``%3Cb%3E``: a link's text is never markup).
  Presenter mode is left out: a student opening the teacher's link gets the normal page.
* :func:`qr_png`: the QR code, made here with ``segno`` (nothing is fetched): error
  correction M or better, the standard four-module quiet zone, each module a whole
  number of pixels so a projector shows crisp edges, about :data:`QR_PX` wide — big
  enough to scan from the back of a room.
* :func:`share_view`: the block a page draws (the picture, the link to copy).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

from viz import view as v
from viz.presenter import APP_KEYS

QR_PX = 400  # the picture's width: ≥ 300 px on a 1280 × 720 projector, scanned from the back of a room
QR_BORDER = 4  # modules of quiet zone on every side (ISO/IEC 18004 asks for 4)
QR_ERROR = "m"  # at least M (15 % of the code may be lost); segno raises it when the size allows
# A Host header we are willing to put in a link: a name or an IPv4/IPv6 address, and a port.
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:\d{1,5})?$")


def base_url(context_url: str | None, host: str | None = None, page_path: str = "", *,
             scheme: str = "http") -> str:
    """The page's address without a query: ``context_url`` (``st.context.url``) when it is an
    http(s) address; else ``scheme://host/page_path`` from a plausible ``Host`` header; else
    ``/page_path``."""
    if context_url:
        parts = urlsplit(context_url.strip())
        if parts.scheme in ("http", "https") and parts.netloc:
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    path = "/" + page_path.strip("/")
    if host and _HOST.match(host.strip()):
        return f"{scheme if scheme in ('http', 'https') else 'http'}://{host.strip()}{path}"
    return path


def page_link(base: str, params: Iterable[tuple[str, str]]) -> str:
    """``base`` with ``params`` (key, value pairs, a key repeated for several values) as its
    query string, each percent-encoded; the app-wide keys (presenter mode) left out."""
    query = urlencode([(str(k), str(value)) for k, value in params if k not in APP_KEYS])
    return f"{base}?{query}" if query else base


def qr_png(link: str, width: int = QR_PX) -> bytes:
    """``link`` as a QR code PNG about ``width`` pixels wide (whole pixels per module,
    dark on white, a four-module quiet zone)."""
    code = segno.make(link, error=QR_ERROR, micro=False)
    modules = code.symbol_size(scale=1, border=QR_BORDER)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, math.ceil(width / modules)), border=QR_BORDER, dark="#000000",
              light="#ffffff")
    return out.getvalue()


def is_reachable(link: str) -> bool:
    """Whether ``link`` names a host (a phone can open it), not just a path on this one."""
    return bool(urlsplit(link).netloc)


def share_view(link: str) -> v.View:
    """What the Share control shows for ``link`` (a page's full link, :func:`page_link`):
    a QR code to scan off the projector and the link to copy (a code block: never markup)."""
    blocks: list[v.Block] = [
        v.Image(qr_png(link), caption="Scan to open this page, with these settings.", width="content"),
        v.Code(link, language="text"),
        v.Caption("The link holds this page's settings; presenter mode stays out of it, so students "
                  "get the normal page."),
    ]
    if not is_reachable(link):
        blocks.insert(0, v.Callout("warning", "The server could not tell its own address, so this link is "
                                   "only a path: copy the address from the browser's bar instead."))
    return v.View(blocks=tuple(blocks), headline=link)
