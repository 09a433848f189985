"""Play sessions: what playback-info decided for one viewing, looked up by the HLS/DASH/subtitle URLs."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from integrations.playback.decision import PlaybackDecision
from integrations.playback.profiles import DeviceProfile
from integrations.playback.renditions import Rendition

SESSION_TTL = 12 * 3600.0


@dataclass(slots=True)
class PlaySession:
    id: str
    user_id: str | None
    device_id: str | None
    item: dict[str, Any]
    source: dict[str, Any]
    decision: PlaybackDecision
    profile: DeviceProfile
    renditions: list[Rendition]
    media_token: str | None
    created: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)

    def query(self, **extra: Any) -> str:
        """Query string for URLs players fetch without headers."""
        params = {**({"api_key": self.media_token} if self.media_token else {}), **extra}
        return ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""


class SessionStore:
    def __init__(self) -> None:
        self._sessions: dict[str, PlaySession] = {}

    def add(self, **values: Any) -> PlaySession:
        self._expire()
        session = PlaySession(id=secrets.token_hex(16), **values)
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str, user_id: str | None) -> PlaySession | None:
        """A session belongs to the user who created it: anyone else gets None (a 404)."""
        session = self._sessions.get(session_id)
        if session is None or session.user_id != user_id:
            return None
        session.last_used = time.monotonic()
        return session

    def stopped_by(
        self, user_id: str, device_id: str | None, item_id: str, session_id: str | None
    ) -> list[PlaySession]:
        """The sessions a stop report ends: the one it names, else this device's sessions of that item."""
        return [
            s for s in self._sessions.values()
            if s.user_id == user_id and (s.id == session_id or (s.device_id == device_id and s.item["id"] == item_id))
        ]  # fmt: skip

    def remove(self, session_id: str) -> PlaySession | None:
        return self._sessions.pop(session_id, None)

    def _expire(self) -> None:
        cutoff = time.monotonic() - SESSION_TTL
        for key in [k for k, s in self._sessions.items() if s.last_used < cutoff]:
            del self._sessions[key]
