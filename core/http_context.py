"""The outermost HTTP middleware: request ids, trusted-proxy client address, access log, last-resort 500."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.responses import error_response

ACCESS_LOGGER = logging.getLogger("core.http.access")
_LOGGER = logging.getLogger(__name__)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_of(scope: Scope) -> str | None:
    return scope.get("state", {}).get("request_id")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str] = (), access_log: bool = True) -> None:
        self.app = app
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        self._apply_forwarded_for(scope, headers)
        started = time.perf_counter()
        status = 0
        sent_bytes = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                sent_bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _LOGGER.exception("Unhandled error on %s %s (request %s)", scope.get("method"), scope["path"], request_id)
            if status == 0 and scope["type"] == "http":
                status = 500
                await error_response(500, "Internal server error", request_id=request_id)(scope, receive, send_with_id)
        finally:
            if self.access_log and scope["type"] == "http":
                # The query string is left out on purpose: URLs for players may carry tokens.
                ACCESS_LOGGER.info(
                    '%s "%s %s" %s %dB %.1fms rid=%s',
                    (scope.get("client") or ("-",))[0],
                    scope.get("method"),
                    scope["path"],
                    status,
                    sent_bytes,
                    (time.perf_counter() - started) * 1000,
                    request_id,
                )

    def _apply_forwarded_for(self, scope: Scope, headers: dict[bytes, bytes]) -> None:
        """Honour X-Forwarded-For only when the peer is a configured trusted proxy."""
        client = scope.get("client")
        forwarded = headers.get(b"x-forwarded-for")
        if not (self.trusted and client and forwarded):
            return
        try:
            peer = ipaddress.ip_address(client[0])
        except ValueError:
            return
        if not any(peer in network for network in self.trusted):
            return
        # Walk right to left past our own proxies; the first untrusted hop is the client.
        for hop in reversed([h.strip() for h in forwarded.decode("latin-1").split(",") if h.strip()]):
            try:
                address = ipaddress.ip_address(hop)
            except ValueError:
                return
            if not any(address in network for network in self.trusted):
                scope["client"] = (str(address), client[1])
                return
