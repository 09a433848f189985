"""Subtitle cues as Jellyfin's JSON track events (`Stream.js`): the format jellyfin-web's own subtitle renderer
fetches instead of WebVTT when it draws subtitles itself."""

from __future__ import annotations

from typing import Any

from integrations.playback.subtitles import Cue

TICKS_PER_MS = 10_000


def track_events(cues: list[Cue]) -> list[dict[str, Any]]:
    return [
        {"Id": str(number), "Text": cue.text, "StartPositionTicks": cue.start_ms * TICKS_PER_MS,
         "EndPositionTicks": cue.end_ms * TICKS_PER_MS}
        for number, cue in enumerate(cues, 1)
    ]  # fmt: skip
