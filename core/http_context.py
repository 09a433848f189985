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


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; "
        b"connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class BodyTooLarge(Exception):
    pass


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: Iterable[str] = (),
        access_log: bool = True,
        max_body_bytes: int = 1 << 20,
    ) -> None:
        self.app = app
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
        self.access_log = access_log
        self.max_body_bytes = max_body_bytes

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
        received = 0
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send, request_id)
            return

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                if scope.get("scheme") == "https":
                    extra.append(HSTS)
                message["headers"] = [*message.get("headers", []), *extra, (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                sent_bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive_limited, send_with_id)
        except BodyTooLarge:
            if status == 0:
                status = 413
                await self._too_large(scope, receive, send_with_id, request_id)
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

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        response = error_response(
            413, f"Request body is larger than {self.max_body_bytes} bytes", request_id=request_id
        )
        await response(scope, receive, send)

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
