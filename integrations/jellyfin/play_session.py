"""What PlaybackInfo planned for each media source of an item (SourcePlan), kept in a play session that the HLS
routes find again by its PlaySessionId."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from integrations.playback.profiles import DeviceProfile


@dataclass(slots=True)
class SourcePlan:
    """What PlaybackInfo decided for one media source; the HLS routes open the Marquee session from it."""

    profile: DeviceProfile
    audio_index: int | None
    subtitle_index: int | None
    start_ticks: int
    max_bitrate: int | None
    burn_in: bool
    hls_url: str | None = None  # Marquee's master URL (with its media token) once opened
    rendition: str | None = None  # the first variant of Marquee's master, once read


@dataclass(slots=True)
class JellyfinPlaySession:
    id: str
    user_id: str
    device_key: str | None
    item_id: str
    sources: dict[str, SourcePlan] = field(default_factory=dict)
    created: float = field(default_factory=time.monotonic)
