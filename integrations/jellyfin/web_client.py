"""Serving a jellyfin-web build at /web (when `jellyfin: web_path:` names its dist folder)."""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from core.http_context import SECURITY_HEADERS

# Marquee's policy, plus blob: workers: hls.js runs its demuxer in a worker made from a blob URL (without it, it
# falls back to the page's own thread). Google's Cast sender script stays blocked: allowing a whole CDN to run
# scripts in the page would undo the policy.
_BASE_POLICY = dict(SECURITY_HEADERS)[b"content-security-policy"]
WEB_CLIENT_POLICY = _BASE_POLICY + b"; worker-src 'self' blob:"


class WebClientFiles:
    """StaticFiles with index.html marked no-cache, so client upgrades show up at once, and a content security
    policy that lets the web client's player run."""

    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=directory, html=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        is_index = path.endswith("/") or path.endswith("index.html")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and is_index:
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"content-security-policy"]
                message["headers"] = [
                    *headers, (b"cache-control", b"no-cache"), (b"content-security-policy", WEB_CLIENT_POLICY)
                ]  # fmt: skip
            await send(message)

        await self.files(scope, receive, send_wrapper)
