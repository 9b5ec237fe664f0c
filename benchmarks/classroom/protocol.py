"""Streamlit's browser protocol, spoken by a script: one :class:`Session` is one open tab.

Read from Streamlit 1.67's own sources (``frontend/connection/src/WebsocketConnection.tsx``,
``ForwardMessageCache.ts``; ``web/server/starlette/starlette_websocket.py``,
``runtime/app_session.py``):

* Before the socket: ``GET /_stcore/health`` and ``GET /_stcore/host-config`` (the
  server sets the ``_streamlit_xsrf`` cookie on both).
* The socket ``/_stcore/stream`` carries the tokens in ``Sec-WebSocket-Protocol``:
  ``["streamlit", <xsrf cookie or "PLACEHOLDER_AUTH_TOKEN">, <last session id on a
  reconnect>]``; the server answers with the subprotocol ``streamlit``. Cookies and
  ``Origin`` go with the handshake like a browser's.
* Every run is asked for with a ``BackMsg.rerun_script`` (a ``ClientState``: the URL's
  query string, the widget states, the page's script hash — or on the first load the
  page name from the URL path — the hashes of the messages the client has cached, and
  the browser context). The server answers with ``ForwardMsg``s: ``new_session`` (the
  session id, the cache's max age), ``navigation`` (the pages), ``delta``s (elements),
  ``page_info_changed`` (the URL's new query string), ``script_finished``.
* Message cache: a ``ForwardMsg`` marked ``metadata.cacheable`` is kept under its
  ``hash``; the next request lists the kept hashes and the server sends just a
  ``ref_hash`` for those. Entries expire after ``max_cached_message_age`` runs unused.
* A widget change is a rerun whose ``widget_states`` hold the new value under the
  widget's id (radio/selectbox: the option's label as ``string_value``; segmented
  control: ``string_array_value``; slider: ``double_array_value``).
* Images arrive as ``/media/<hash>.<ext>`` URLs the browser then fetches over HTTP:
  those live in the memory of the process that ran the script, hence sticky sessions.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

from .http import Browser

WIDGET_TYPES = ("radio", "selectbox", "slider", "button_group", "number_input", "checkbox", "button",
                "file_uploader", "text_input")
_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class ProtocolError(RuntimeError):
    pass


@dataclass
class RunResult:
    """What one script run sent back, and how long it took from the client's side."""

    seconds: float = 0.0  # rerun sent → script_finished received
    first_message_seconds: float = 0.0  # rerun sent → first ForwardMsg
    messages: int = 0
    bytes: int = 0  # websocket payload bytes (after permessage-deflate)
    bytes_by_element: Counter = field(default_factory=Counter)
    ref_hits: int = 0  # messages replaced by a reference to the client's cache
    errors: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    element_types: set[str] = field(default_factory=set)
    timeline: list[tuple[float, str, int]] = field(default_factory=list)  # (s after the request, kind, bytes)


@dataclass
class Widget:
    id: str
    type: str
    proto: object

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "")

    @property
    def options(self) -> list[str]:
        opts = getattr(self.proto, "options", [])
        return [o.content if hasattr(o, "content") else str(o) for o in opts]


class Session:
    """One browser tab's websocket session (the HTTP side is the student's :class:`Browser`)."""

    def __init__(self, browser: Browser, *, run_timeout: float = 120.0) -> None:
        self.browser = browser
        self.run_timeout = run_timeout
        self.session_id = ""
        self.query_string = ""
        self.path = "/"
        self.pages: dict[str, str] = {}  # url_pathname ("" for the default page) → page_script_hash
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}
        self.widget_states: dict[str, WidgetState] = {}
        self._cache: dict[str, tuple[bytes, int]] = {}  # hash → (encoded message, run count last used)
        self._run_count = 0
        self._max_age = 2
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._result: RunResult | None = None
        self._finished = asyncio.Event()
        self._sent_at = 0.0
        self._elements: dict[tuple, Widget | None] = {}

    # ------------------------------------------------------------------ connection

    async def connect(self, *, reconnect: bool = False) -> None:
        health, _ = await asyncio.gather(self.browser.get("/_stcore/health"),
                                         self.browser.get("/_stcore/host-config"))
        if health.status != 200:
            raise ProtocolError(f"/_stcore/health answered {health.status}")
        tokens = ["streamlit", self.browser.jar.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")]
        if reconnect and self.session_id:
            tokens.append(self.session_id)
        headers = {"Origin": self.browser.origin}
        if self.browser.jar.cookies:
            headers["Cookie"] = self.browser.jar.header()
        self._ws = await websockets.connect(
            f"ws://{self.browser.host}:{self.browser.port}/_stcore/stream", subprotocols=tokens,
            additional_headers=headers, max_size=None, open_timeout=self.browser.timeout,
            user_agent_header=None, ping_interval=None)
        self._reader = asyncio.create_task(self._read_forever())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    # ------------------------------------------------------------------ runs

    async def open(self, path_and_query: str) -> RunResult:
        """The first run of a tab opened at ``path_and_query`` (e.g. ``/?net=vgg16``)."""
        path, _, query = path_and_query.partition("?")
        self.path, self.query_string = path or "/", query
        return await self.run(page_name=self.path.strip("/"))

    async def switch_page(self, url_pathname: str) -> RunResult:
        """Click a page in the navigation (the URL's query string is dropped, as the frontend does)."""
        if url_pathname not in self.pages:
            raise ProtocolError(f"no page {url_pathname!r}; the app has {sorted(self.pages)}")
        self.path, self.query_string = "/" + url_pathname, ""
        return await self.run(page_hash=self.pages[url_pathname])

    async def set_widget(self, widget: Widget, **value) -> RunResult:
        """Change ``widget`` (e.g. ``string_value="ResNet"``) and wait for the rerun."""
        state = WidgetState(id=widget.id, **value)
        self.widget_states[widget.id] = state
        return await self.run(page_hash=self.page_hash)

    async def run(self, *, page_hash: str = "", page_name: str = "") -> RunResult:
        if self._ws is None:
            raise ProtocolError("not connected")
        self._result, self._elements = RunResult(), {}
        self._finished.clear()
        msg = BackMsg(rerun_script=ClientState(
            query_string=self.query_string, page_script_hash=page_hash, page_name=page_name,
            widget_states=WidgetStates(widgets=list(self.widget_states.values())),
            cached_message_hashes=list(self._cache),
            context_info=ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US", is_embedded=False,
                                     url=self.browser.origin + self.path
                                     + ("?" + self.query_string if self.query_string else ""),
                                     color_scheme="light")))
        self._sent_at = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._finished.wait(), self.run_timeout)
        except TimeoutError:
            self._result.errors.append(f"timeout: no script_finished within {self.run_timeout:.0f} s")
        result = self._result
        result.seconds = time.perf_counter() - self._sent_at
        self.widgets = {w.id: w for w in self._elements.values() if w is not None}
        # The frontend forgets the states of widgets that are no longer drawn.
        self.widget_states = {k: v for k, v in self.widget_states.items() if k in self.widgets}
        return result

    def find(self, kind: str, label: str = "", option: str | tuple[str, ...] = ()) -> Widget:
        """The first widget of ``kind`` whose label contains ``label`` and, if given, has an option
        containing ``option`` (or one of several spellings)."""
        for w in self.widgets.values():
            if w.type == kind and label.lower() in w.label.lower() and (
                    not option or any(_matches(o, option) for o in w.options)):
                return w
        seen = sorted(f"{w.type}:{w.label!r}" for w in self.widgets.values())
        raise ProtocolError(f"no {kind} labelled {label!r}" + (f" with option {option!r}" if option else "")
                            + f" on this page; widgets: {seen}")

    @staticmethod
    def option(widget: Widget, contains: str | tuple[str, ...]) -> str:
        return next(o for o in widget.options if _matches(o, contains))

    # ------------------------------------------------------------------ receiving

    async def _read_forever(self) -> None:
        try:
            async for data in self._ws:
                self._handle(data)
        except websockets.ConnectionClosed as exc:
            self._fail(f"websocket closed: {exc}")
        except Exception as exc:  # a bug in this client must show up as an error, not a hang
            self._fail(f"client error: {type(exc).__name__}: {exc}")
        else:
            self._fail("websocket closed by the server")

    def _fail(self, text: str) -> None:
        if self._result is not None and not self._finished.is_set():
            self._result.errors.append(text)
            self._finished.set()

    def _handle(self, data: bytes) -> None:
        result = self._result if self._result is not None else RunResult()
        if result.messages == 0:
            result.first_message_seconds = time.perf_counter() - self._sent_at
        result.messages += 1
        result.bytes += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        result.timeline.append((time.perf_counter() - self._sent_at, kind, len(data)))
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                result.errors.append(f"ForwardMsg cache miss for {msg.ref_hash}")
                return
            self._cache[msg.ref_hash] = (cached[0], self._run_count)
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.ParseFromString(cached[0])
            msg.metadata.CopyFrom(metadata)
            kind = msg.WhichOneof("type")
            result.ref_hits += 1
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (data, self._run_count)
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            result.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
            exc = msg.session_event.script_compilation_exception
            result.errors.append(f"{exc.type}: {exc.message}")
        elif kind == "delta":
            self._delta(msg, len(data), result)
        elif kind == "script_finished":
            self._run_count += 1
            self._cache = {h: v for h, v in self._cache.items() if self._run_count - v[1] <= self._max_age}
            if msg.script_finished in _DONE:
                self._finished.set()

    def _delta(self, msg: ForwardMsg, size: int, result: RunResult) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        etype = element.WhichOneof("type")
        result.element_types.add(etype)
        result.bytes_by_element[etype] += size
        path = tuple(msg.metadata.delta_path)
        self._elements[path] = None
        if etype == "exception":
            e = element.exception
            result.errors.append(f"{e.type}: {e.message}".strip())
        elif etype == "imgs":
            result.media += [i.url for i in element.imgs.imgs if i.url]
        elif etype in WIDGET_TYPES:
            proto = getattr(element, etype)
            self._elements[path] = Widget(proto.id, etype, proto)


def _matches(text: str, contains: str | tuple[str, ...]) -> bool:
    spellings = (contains,) if isinstance(contains, str) else contains
    return any(c.lower() in text.lower() for c in spellings)


def media_path(url: str) -> str:
    """A media URL as the browser resolves it against the app's root."""
    if url.startswith("http://") or url.startswith("https://"):
        url = "/" + url.split("/", 3)[3]
    return url if url.startswith("/") else "/" + quote(url, safe="/?=&.")
