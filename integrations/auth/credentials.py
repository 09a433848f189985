"""Where a request may carry its token: the Authorization header (Bearer, or Jellyfin's MediaBrowser form),
X-Emby-Token / X-MediaBrowser-Token, and, only on routes that allow it, the api_key query parameter."""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.requests import HTTPConnection

_PAIR = re.compile(r'(\w+)="([^"]*)"')
QUERY_NAMES = ("api_key", "ApiKey", "apikey")


def media_browser_fields(header: str) -> dict[str, str]:
    """`MediaBrowser Client="x", Device="y", DeviceId="z", Version="1", Token="t"` (values URL-encoded)."""
    return {key.lower(): unquote(value) for key, value in _PAIR.findall(header)}


def token_of(connection: HTTPConnection, *, allow_query: bool) -> str | None:
    headers = connection.headers
    authorization = headers.get("authorization", "")
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() == "bearer" and rest.strip():
        return rest.strip()
    for header in (authorization, headers.get("x-emby-authorization", "")):
        if header.lower().startswith(("mediabrowser", "emby")):
            token = media_browser_fields(header).get("token")
            if token:
                return token
    for name in ("x-emby-token", "x-mediabrowser-token"):
        if headers.get(name):
            return headers[name].strip()
    if allow_query:
        for name in QUERY_NAMES:
            if connection.query_params.get(name):
                return connection.query_params[name]
    return None


def client_ip(connection: HTTPConnection) -> str:
    """The peer address, already corrected for trusted proxies by the core's request middleware."""
    return connection.client.host if connection.client else "unknown"
