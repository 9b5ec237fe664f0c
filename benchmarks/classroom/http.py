"""A small asyncio HTTP/1.1 client that behaves like one browser tab's network stack.

One :class:`Browser` per simulated student: its own cookie jar (nginx's session
affinity rides on a cookie, Streamlit's XSRF token too), up to six keep-alive
connections to the one host (what Chromium opens per host), ``Accept-Encoding: gzip``.
Bodies are read but not decompressed unless asked: a student's browser would
decompress, but on a 2-core machine the load generator's own CPU is taken from the
server under test, so it does only what the measurement needs.

Loopback only: :func:`check_loopback` refuses any other address, so this can never
be pointed at someone else's server.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import time
from dataclasses import dataclass, field

MAX_CONNECTIONS = 6  # Chromium's limit per host for HTTP/1.1
# uvicorn closes a keep-alive connection after 5 s idle; a browser retries a request the
# server closed under it on a new connection. Connections idle this long are not reused.
IDLE_REUSE_SECONDS = 4.0
USER_AGENT = "cnn-explorer-classroom-load/1 (simulated student)"


def check_loopback(host: str) -> str:
    """``host`` if it is a loopback address, else ``ValueError``."""
    if host == "localhost":
        return host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"{host!r} is not a loopback address: the classroom load only targets this machine "
                     "(127.0.0.0/8 or ::1)")


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes  # as received (still gzip-encoded if the server compressed it)

    def header(self, name: str, default: str = "") -> str:
        values = self.headers.get(name.lower())
        return values[-1] if values else default

    def text(self) -> str:
        data = self.body
        if self.header("content-encoding") == "gzip":
            data = gzip.decompress(data)
        return data.decode("utf-8", "replace")


@dataclass
class CookieJar:
    """Name → value for one host; enough for session cookies (no expiry, no domains)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def absorb(self, set_cookie_headers: list[str]) -> None:
        for line in set_cookie_headers:
            pair = line.split(";", 1)[0]
            if "=" in pair:
                name, value = pair.split("=", 1)
                self.cookies[name.strip()] = value.strip()

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


class HttpError(RuntimeError):
    pass


class Browser:
    """One student's HTTP side: a cookie jar and a small keep-alive connection pool."""

    def __init__(self, host: str, port: int, *, timeout: float = 60.0) -> None:
        self.host, self.port = check_loopback(host), port
        self.jar = CookieJar()
        self.timeout = timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)
        self.bytes_received = 0
        self.requests = 0

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> Response:
        async with self._slots:
            return await asyncio.wait_for(self._request(method, path, body, headers or {}), self.timeout)

    async def _request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"User-Agent: {USER_AGENT}",
                 "Accept: */*", "Accept-Encoding: gzip", "Connection: keep-alive"]
        if self.jar.cookies:
            lines.append(f"Cookie: {self.jar.header()}")
        if body or method in ("PUT", "POST"):
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        while True:  # a kept-alive connection the server closed under us: retry on a fresh one
            conn = self._reusable()
            reused = conn is not None
            reader, writer = conn if reused else await asyncio.open_connection(self.host, self.port)
            try:
                writer.write(raw)
                await writer.drain()
                response, keep = await self._read_response(reader, method)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                writer.close()
                if reused:
                    continue
                raise HttpError(f"{method} {path}: connection failed ({exc})") from None
            if keep:
                self._idle.append((reader, writer, time.monotonic()))
            else:
                writer.close()
            self.requests += 1
            self.bytes_received += len(response.body)
            self.jar.absorb(response.headers.get("set-cookie", []))
            return response
        raise AssertionError("unreachable")

    def _reusable(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        while self._idle:
            reader, writer, since = self._idle.pop()
            if time.monotonic() - since < IDLE_REUSE_SECONDS and not reader.at_eof():
                return reader, writer
            writer.close()
        return None

    async def _read_response(self, reader: asyncio.StreamReader, method: str) -> tuple[Response, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, list[str]] = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        keep = "close" not in ",".join(headers.get("connection", [])).lower()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"][-1]))
        else:
            body, keep = await reader.read(), False
        return Response(status, headers, body), keep

    async def close(self) -> None:
        while self._idle:
            _, writer, _ = self._idle.pop()
            writer.close()
