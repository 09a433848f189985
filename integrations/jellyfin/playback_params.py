"""PlaybackInfo's parameters, read as Jellyfin clients send them, and stream indexes checked against a source."""

from __future__ import annotations

from typing import Any

from integrations.jellyfin.protocol import JellyfinError, Query
from integrations.playback.sources import source_streams


class PlaybackInfoParams:
    """PlaybackInfo parameters: the JSON body (PlaybackInfoDto) first, then the query string; any case."""

    def __init__(self, query: Query, body: dict[str, Any]) -> None:
        self.query = query
        self.body = {k.lower(): v for k, v in body.items()}

    def raw(self, name: str) -> Any:
        value = self.body.get(name.lower())
        return value if value is not None else self.query.text(name)

    def integer(self, name: str, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
        value = self.raw(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise JellyfinError(400, f"{name} must be an integer")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise JellyfinError(400, f"{name} must be an integer") from None
        if not minimum <= number <= maximum:
            raise JellyfinError(400, f"{name} must be between {minimum} and {maximum}")
        return number

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise JellyfinError(400, f"{name} must be true or false")


def checked_stream_index(value: int | None, source: dict[str, Any], kind: str) -> int | None:
    """A stream index the client named, checked against the source (404 when it isn't there)."""
    if value is None or (kind == "subtitle" and value < 0):
        return None
    if not any(s["index"] == value and s.get("type") == kind for s in source_streams(source)):
        raise JellyfinError(404, f"No {kind} stream with index {value} in media source {source['id']}")
    return value
