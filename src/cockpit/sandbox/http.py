"""A small HTTP/1.1 server on asyncio streams: keep-alive, Content-Length and chunked bodies,
and chunked streaming responses (watches, followed logs) that stop when the client goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)
MAX_HEADER_LINES = 200
MAX_BODY = 64 * 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def client_gone(self) -> bool:
        """True once the client closed its side (a streaming response should end)."""
        if self.writer is not None and self.writer.is_closing():
            return True
        if self.reader is None:
            return False
        return self.reader.at_eof() or self.reader.exception() is not None  # EOF, or reset


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    stream: AsyncIterator[bytes] | None = None  # sent chunked when set
    upgraded: bool = False  # 101 Switching Protocols: the stream's bytes go raw, then the connection closes


HANDSHAKE_SECONDS = 10.0

Handler = Callable[[Request], Awaitable[Response]]


class HttpServer:
    def __init__(self, handler: Handler, ssl_context: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        # TLS is started inside each connection's task (not by start_server), so that stopping can
        # cancel a connection still in its handshake instead of leaving it to the closed loop.
        self._server = await asyncio.start_server(self._serve, host, port, limit=1 << 20)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and drop every connection at once (open watches and log streams too):
        nothing is left for the loop's garbage to close after the loop has gone."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            if self.ssl_context is not None:
                await writer.start_tls(self.ssl_context, ssl_handshake_timeout=HANDSHAKE_SECONDS)
            while True:
                request = await self._read_request(reader)
                if request is None:
                    break
                request.writer = writer
                keep_alive = request.header("connection").lower() != "close"
                response = await self.handler(request)
                await self._write(writer, request, response, keep_alive)
                if response.upgraded or not keep_alive:
                    break
                if response.stream is not None and request.client_gone():
                    break
        except (
            ConnectionError,
            TimeoutError,
            asyncio.IncompleteReadError,
            ssl.SSLError,
            asyncio.LimitOverrunError,
        ):
            pass  # the client went away, never finished its handshake or spoke nonsense
        except asyncio.CancelledError:
            pass  # the server is stopping
        finally:
            self._connections.discard(task)
            await self._hang_up(writer)

    async def _hang_up(self, writer: asyncio.StreamWriter) -> None:
        """Close politely (a TLS close_notify) unless the server is stopping; abort when stopping or
        when the peer does not finish the close within a moment, so no transport outlives its task."""
        if not self._closing:
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 0.5)
                return
            except (Exception, asyncio.CancelledError):
                pass
        writer.transport.abort()

    async def _read_request(self, reader: asyncio.StreamReader) -> Request | None:
        line = await reader.readline()
        if not line.strip():
            return None
        try:
            method, target, _version = line.decode("latin-1").split()
        except ValueError:
            return None
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADER_LINES):
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    await reader.readline()
                    break
                parts.append(await reader.readexactly(size))
                await reader.readline()
            body = b"".join(parts)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_BODY:
                return None
            body = await reader.readexactly(length)
        url = urlsplit(target)
        return Request(
            method.upper(),
            unquote(url.path),
            parse_qs(url.query, keep_blank_values=True),
            headers,
            body,
            reader,
        )

    async def _write(
        self, writer: asyncio.StreamWriter, request: Request, response: Response, keep: bool
    ) -> None:
        reason = (
            HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else ""
        )
        head = [f"HTTP/1.1 {response.status} {reason}"]
        if not response.upgraded:
            head += [f"Content-Type: {response.content_type}", "Cache-Control: no-cache, private"]
        head += [f"{k}: {v}" for k, v in response.headers.items()]
        if response.upgraded and response.stream is not None:
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            try:
                async for chunk in response.stream:
                    writer.write(chunk)
                    await writer.drain()
            finally:
                aclose = getattr(response.stream, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()
            return
        if response.stream is None:
            head.append(f"Content-Length: {len(response.body)}")
            if not keep:
                head.append("Connection: close")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            if request.method != "HEAD":
                writer.write(response.body)
            await writer.drain()
            return
        head.append("Transfer-Encoding: chunked")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        stream = response.stream
        try:
            async for chunk in stream:
                if not chunk:
                    continue
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
