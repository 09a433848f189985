"""In-process calls to Marquee's own HTTP API, with the caller's credential.

HLS play sessions live in the streaming integration's session store, and its only public door is
`POST /api/v1/items/{id}/playback-info` (and `DELETE /api/v1/hls/{session}`). Rather than reach into
streaming's objects, the Jellyfin surface calls those routes through the ASGI app itself: same guard, same
validation, same job manager, no network hop.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from integrations.auth.credentials import token_of
from integrations.jellyfin.protocol import JellyfinError


async def call(app: Any, request: Request, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """(status, parsed JSON or None) of `method path` answered by the hub's ASGI `app` (the HTTP bus), as the
    caller of `request` (the same token: header, or the api_key it came with)."""
    token = token_of(request, allow_query=True)
    if token is None:
        raise JellyfinError(401, "Authentication required")
    path, _, query = path.partition("?")
    payload = b"" if body is None else orjson.dumps(body)
    headers = [(b"authorization", f"Bearer {token}".encode()), (b"host", b"internal")]
    if body is not None:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": request.scope.get("client") or ("127.0.0.1", 0),
        "server": ("internal", 80),
    }
    sent = False
    status = 500
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    raw = b"".join(chunks)
    try:
        return status, orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return status, raw.decode(errors="replace")


def error_text(body: Any) -> str:
    """The message of a Marquee error body ({"error": {"message", "problems"}})."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return "; ".join(str(p) for p in [error.get("message"), *(error.get("problems") or [])] if p)
    return str(body)[:200]
