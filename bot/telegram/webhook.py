"""Webhook mode: Telegram POSTs each update to us, behind a reverse proxy.

A small HTTP/1.1 server on asyncio streams (no web framework: it serves one path
with one method). Every request must carry Telegram's secret-token header with the
configured secret; a wrong or missing one gets 403 and nothing else is read. An
update is answered 200 only once it is in the inbox (sealed, committed): if we die
first, Telegram delivers it again. It then goes the same way as a polled update.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from storage.faults import DiskFault

logger = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name
MAX_BODY = 1 << 20  # an update is far smaller; anything larger is refused
HEADER_TIMEOUT = 10.0

Accept = Callable[[Sequence[Mapping[str, object]]], Awaitable[None]]


def _response(status: int, reason: str, body: bytes = b"") -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class WebhookServer:
    def __init__(self, accept: Accept, *, secret: str, path: str) -> None:
        self.accept = accept
        self.secret = secret.encode("utf-8")
        self.path = path or "/"
        self.server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        self.server = await asyncio.start_server(self._serve, host, port)
        sock = self.server.sockets[0]
        return int(sock.getsockname()[1])

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await asyncio.wait_for(self._answer(reader), HEADER_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError):
            status = (400, "Bad Request")
        with contextlib.suppress(ConnectionError):
            writer.write(_response(*status, b"{}" if status[0] == 200 else b""))
            await writer.drain()
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[int, str]:
        request = (await reader.readline()).decode("latin-1").split()
        headers: dict[str, str] = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        given = headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, self.secret):
            logger.warning("webhook: a request without the right secret was refused")
            return 403, "Forbidden"
        if len(request) < 2 or request[0] != "POST" or request[1].split("?")[0] != self.path:
            return 404, "Not Found"
        length = int(headers.get("content-length", "0"))
        if not 0 < length <= MAX_BODY:
            return 413, "Payload Too Large"
        data = json.loads(await reader.readexactly(length))
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return 400, "Bad Request"
        try:
            await self.accept([data])  # in the inbox, committed: only now may Telegram forget it
        except DiskFault as exc:
            # Not stored: any answer but 200 makes Telegram post it again later.
            logger.error("webhook: storing an update failed: %s", type(exc).__name__)
            return 503, "Service Unavailable"
        return 200, "OK"
