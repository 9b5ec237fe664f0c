"""Which static files a browser fetches for Streamlit's page, worked out from the files themselves.

* First load: ``index.html`` names the entry module, ~60 ``modulepreload`` chunks, the
  stylesheet and a preloaded font; the browser also follows each module's static
  ``import … from "./x.js"`` (the same set, closed under imports), and loads the fonts
  the page draws with (Source Sans, Source Code, Material Symbols for the icons).
* Per element type: Streamlit's frontend loads each element's component lazily
  (``lazy(() => import("./PlotlyChart.….js"), __vite__mapDeps([...]))``): the first
  plotly chart, slider or image fetches its chunk and the chunks it preloads.

The map is built once per run from the first student's responses (hashed file names
never change within one Streamlit version) and then shared: every student fetches the
same URLs, but only one spends client CPU parsing them.
"""

from __future__ import annotations

import asyncio
import posixpath
import re
from dataclasses import dataclass, field

from .http import Browser

_INDEX_REF = re.compile(r'(?:src|href)="\./([^"]+)"')
_STATIC_IMPORT = re.compile(r'(?:from|import)\s*"\./([A-Za-z0-9_.\-]+\.js)"')
_MAP_DEPS_FILES = re.compile(r"m\.f\|\|\(m\.f=\[([^\]]*)\]")
_LAZY_IMPORT = re.compile(r"import\(`\./([A-Za-z0-9_.\-]+\.js)`\)(?:\.then\([^)]*\))?,__vite__mapDeps\(\[([\d,]*)\]")
_CSS_FONT = re.compile(r"url\(\.\./media/([^)]+\.woff2)\)")
FONTS_DRAWN = ("SourceSansVF-Upright", "SourceCodeVF-Upright", "MaterialSymbols-Rounded")
# Element field names whose component chunk is not the field name in CamelCase.
_CHUNK_NAMES = {"imgs": "ImageList", "markdown": "StreamlitMarkdown", "code": "StreamlitSyntaxHighlighter"}


def chunk_name(element_type: str) -> str:
    """``plotly_chart`` → ``PlotlyChart`` (the name of its lazily loaded module)."""
    return _CHUNK_NAMES.get(element_type, "".join(p.capitalize() for p in element_type.split("_")))


@dataclass
class AssetMap:
    first_load: list[str] = field(default_factory=list)  # URL paths, e.g. /static/js/index.x.js
    lazy: dict[str, list[str]] = field(default_factory=dict)  # chunk name → URL paths

    def for_elements(self, element_types: set[str]) -> list[str]:
        urls: list[str] = []
        for t in sorted(element_types):
            urls += self.lazy.get(chunk_name(t), [])
        return urls


_built: AssetMap | None = None
_lock: asyncio.Lock | None = None


async def asset_map(browser: Browser, index_html: str) -> AssetMap:
    """The run's shared map (built on first call from ``browser``'s responses)."""
    global _built, _lock
    if _lock is None:
        _lock = asyncio.Lock()
    async with _lock:
        if _built is None:
            _built = await _build(browser, index_html)
    return _built


def current() -> AssetMap | None:
    """The map built so far in this run (None before the first student's page)."""
    return _built


def reset() -> None:
    """Forget the map (a new server set-up may run another Streamlit build)."""
    global _built, _lock
    _built, _lock = None, None


async def _build(browser: Browser, index_html: str) -> AssetMap:
    refs = ["/" + r for r in _INDEX_REF.findall(index_html) if not r.startswith("_stcore")]
    js = [r for r in refs if r.endswith(".js")]
    bodies: dict[str, str] = {}
    pending = list(js)
    while pending:  # close the entry set under static imports
        fetched = await asyncio.gather(*(browser.get(u) for u in pending))
        new: list[str] = []
        for url, resp in zip(pending, fetched):
            bodies[url] = resp.text() if resp.status == 200 else ""
            folder = url.rsplit("/", 1)[0]
            for dep in _STATIC_IMPORT.findall(bodies[url]):
                dep_url = f"{folder}/{dep}"
                if dep_url not in bodies and dep_url not in new and dep_url not in pending:
                    new.append(dep_url)
        pending = new
    fonts: list[str] = []
    for css in (r for r in refs if r.endswith(".css")):
        text = (await browser.get(css)).text()
        for font in _CSS_FONT.findall(text):
            url = f"/static/media/{font}"
            if font.startswith(FONTS_DRAWN) and url not in refs and url not in fonts:
                fonts.append(url)
    first = list(dict.fromkeys(refs + list(bodies) + fonts))
    lazy: dict[str, list[str]] = {}
    for url, text in bodies.items():
        files = _MAP_DEPS_FILES.search(text)
        if not files:
            continue
        names = [s.strip().strip('"') for s in files.group(1).split(",")]
        folder = url.rsplit("/", 1)[0]
        for chunk, deps in _LAZY_IMPORT.findall(text):
            idx = [int(i) for i in deps.split(",") if i]
            urls = [posixpath.normpath(f"{folder}/{names[i]}") for i in idx if i < len(names)]
            lazy[chunk.split(".", 1)[0]] = [u for u in dict.fromkeys([f"{folder}/{chunk}", *urls]) if u not in first]
    return AssetMap(first, lazy)
