"""POST /api/v1/items/{id}/playback-info: per media source, how this client should play it, and the URLs."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from core.request_data import BadRequest, nullable
from integrations.playback.compatibility import SubtitleDelivery
from integrations.playback.decision import PlaybackDecision, PlayMethod, decide
from integrations.playback.errors import DecisionError
from integrations.playback.profiles import BUILTIN_PROFILES, DeviceProfile, ProfileError, resolve_profile
from integrations.playback.renditions import bitrate_ladder
from integrations.playback.targets import video_bitrate
from integrations.streaming.sessions import PlaySession

REQUEST = vol.Schema(
    {
        vol.Optional("profile"): nullable(vol.In(sorted(BUILTIN_PROFILES))),
        vol.Optional("device_profile"): nullable(dict),
        vol.Optional("media_source_id"): nullable(vol.All(str, vol.Length(max=64))),
        vol.Optional("audio_index"): nullable(vol.All(int, vol.Range(min=0, max=1000))),
        vol.Optional("subtitle_index"): nullable(vol.All(int, vol.Range(min=0, max=1000))),
        vol.Optional("start_ticks", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional("max_bitrate"): nullable(vol.All(int, vol.Range(min=64_000, max=10_000_000_000))),
        vol.Optional("burn_in_subtitles", default=False): bool,
    }
)


def profile_for(body: dict[str, Any]) -> DeviceProfile:
    try:
        return resolve_profile(body.get("profile"), body.get("device_profile"))
    except ProfileError as err:
        raise BadRequest("Invalid device profile", [str(err)]) from None


def decide_for(source: dict[str, Any], profile: DeviceProfile, body: dict[str, Any]) -> PlaybackDecision:
    try:
        return decide(
            source,
            profile,
            audio_index=body.get("audio_index"),
            subtitle_index=body.get("subtitle_index"),
            max_bitrate=body.get("max_bitrate"),
            start_ticks=body["start_ticks"],
            burn_in_subtitles=body["burn_in_subtitles"],
        )
    except DecisionError as err:
        raise BadRequest(str(err)) from None


def ladder_for(source: dict[str, Any], decision: PlaybackDecision, profile: DeviceProfile) -> list[Any]:
    if decision.video_stream is None or decision.method is PlayMethod.DIRECT_PLAY:
        return []
    video = dict(decision.video_stream)
    if not video.get("bitrate"):  # Matroska keeps no per-stream bitrate: without one no copy rung is offered
        video["bitrate"] = video_bitrate(video, source)
    rungs = bitrate_ladder(video, profile, decision.max_bitrate)
    if not decision.video_copy:  # burn-in, tone mapping, a codec the client lacks: every rung is an encode
        rungs = [r for r in rungs if not r.copy]
    if decision.video_copy and not any(r.copy for r in rungs):
        return []  # the decision says copy: one rendition of the source, not a ladder of re-encodes
    return rungs


def describe(session: PlaySession, base: str) -> dict[str, Any]:
    """What the client needs to start playing one media source."""
    decision, source = session.decision, session.source
    body: dict[str, Any] = {
        "id": source["id"],
        "version_label": source.get("version_label"),
        "container": decision.container,
        "size": source.get("size"),
        "duration_ticks": source.get("duration_ticks"),
        "play_session_id": session.id,
        **{k: v for k, v in decision.as_dict().items() if k in ("method", "reasons", "protocol", "output_container",
                                                                "video_copy", "audio_copy", "tone_map")},
    }  # fmt: skip
    item_id = session.item["id"]
    if decision.method is PlayMethod.DIRECT_PLAY:
        body["direct_play_url"] = f"{base}/items/{item_id}/stream{session.query(source_id=source['id'])}"
    elif decision.protocol == "http":
        body["stream_url"] = f"{base}/items/{item_id}/audio/universal{session.query(source_id=source['id'])}"
    else:
        body["hls_url"] = f"{base}/hls/{session.id}/master.m3u8{session.query()}"
        body["dash_url"] = f"{base}/dash/{session.id}/manifest.mpd{session.query()}"
    stream = decision.subtitle_stream
    if stream is not None and decision.subtitle_delivery is not None:
        subtitle: dict[str, Any] = {"index": stream["index"], "delivery": str(decision.subtitle_delivery)}
        if decision.subtitle_delivery is SubtitleDelivery.SIDECAR:
            offset = decision.subtitle_offset_ticks
            subtitle["url"] = (
                f"{base}/items/{item_id}/subtitles/{source['id']}/{stream['index']}.vtt{session.query(offset_ticks=offset)}"
            )
        body["subtitle"] = subtitle
    return body
