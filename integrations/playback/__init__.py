"""Playback decisions: device profiles, DirectPlay / DirectStream / Transcode decisions with encode targets and
HLS renditions, and text subtitles converted to WebVTT. Pure modules that the streaming integration calls:

- profiles: DeviceProfile, PROFILE_SCHEMA, BUILTIN_PROFILES, resolve_profile(), validate_profile()
- decision: decide(), PlaybackDecision, PlayMethod (errors: DecisionError)
- sources: container_for(), source_streams(), source_bitrate(): a media source as the decisions read it
- compatibility: video_reasons(), audio_reasons(), subtitle_delivery(), TranscodeReason, SubtitleDelivery
- targets: encode targets (sizes, bitrates, codecs) for a transcode
- renditions: bitrate_ladder(), Rendition, RFC 6381 codec strings of streams and targets
- subtitles: to_webvtt(), file_to_webvtt(), stream_to_webvtt(), is_text_subtitle(), is_image_subtitle()
"""

from __future__ import annotations

from core.scope import IntegrationScope

DOMAIN = "playback"


async def async_setup(hub: IntegrationScope, config: dict) -> bool:
    return True
