"""The MediaSourceInfo PlaybackInfo answers for one media source: the library's DTO, with what Marquee decided
(`integrations.playback.decision.decide` on the Jellyfin DeviceProfile mapped to a Marquee profile, profile.py),
how each subtitle stream is delivered, and the TranscodingUrl when the source isn't played as it is."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from integrations.jellyfin.media_info import media_source
from integrations.jellyfin.play_session import JellyfinPlaySession, SourcePlan
from integrations.jellyfin.protocol import JellyfinError
from integrations.playback.compatibility import SubtitleDelivery, subtitle_delivery
from integrations.playback.decision import PlaybackDecision, PlayMethod, decide
from integrations.playback.errors import DecisionError
from integrations.playback.profiles import DeviceProfile
from integrations.playback.sources import source_streams
from integrations.playback.subtitles import is_text_subtitle


def decide_for_plan(source: dict[str, Any], plan: SourcePlan, force_stream: bool) -> PlaybackDecision:
    """Marquee's decision for this plan (force_stream: as if no container were direct-playable); a 400 when none."""
    profile = plan.profile
    if force_stream:  # the client refused the file as it is: no container is direct-playable
        profile = replace(profile, video_containers=frozenset(), audio_containers=frozenset())
    try:
        return decide(source, profile, audio_index=plan.audio_index, subtitle_index=plan.subtitle_index,
                      max_bitrate=plan.max_bitrate, start_ticks=plan.start_ticks,
                      burn_in_subtitles=plan.burn_in)  # fmt: skip
    except DecisionError as err:
        raise JellyfinError(400, f"No way to play this media source: {err}") from None


def media_source_dto(
    item: dict[str, Any], source: dict[str, Any], plan: SourcePlan, enable: dict[str, bool],
    session: JellyfinPlaySession, token: str,
) -> dict[str, Any]:  # fmt: skip
    """The MediaSourceInfo of `source` for this plan; `enable`: EnableDirectPlay/DirectStream/Transcoding."""
    decision = decide_for_plan(source, plan, False)
    direct = decision.method is PlayMethod.DIRECT_PLAY
    if direct and not (enable["DirectPlay"] or enable["DirectStream"]):
        decision, direct = decide_for_plan(source, plan, True), False
    # Plain copies: what follows may set members to None, which `respond` then drops (a Prepared it would keep).
    dto = dict(media_source(source, item))
    dto["MediaStreams"] = [dict(stream) for stream in dto["MediaStreams"]]
    dto["Container"] = decision.container
    dto["SupportsDirectPlay"] = direct and enable["DirectPlay"]
    dto["SupportsDirectStream"] = direct and enable["DirectStream"]
    dto["SupportsTranscoding"] = enable["Transcoding"]
    if decision.audio_stream is not None:
        dto["DefaultAudioStreamIndex"] = decision.audio_stream["index"]
    if decision.subtitle_stream is not None:
        dto["DefaultSubtitleStreamIndex"] = decision.subtitle_stream["index"]
    _subtitle_delivery(dto, item, source, plan.profile, decision, direct, token)
    if not direct and enable["Transcoding"]:
        _transcoding(dto, item, source, decision, session, token, plan)
    return dto


def _subtitle_delivery(
    dto: dict[str, Any], item: dict[str, Any], source: dict[str, Any], profile: DeviceProfile,
    decision: PlaybackDecision, direct: bool, token: str,
) -> None:  # fmt: skip
    chosen = (decision.subtitle_stream or {}).get("index")
    by_index = {s["index"]: s for s in source_streams(source) if s.get("type") == "subtitle"}
    for stream in dto["MediaStreams"]:
        if stream["Type"] != "Subtitle":
            continue
        original = by_index.get(stream["Index"])
        if original is None:
            continue
        if stream["Index"] == chosen and decision.subtitle_delivery is SubtitleDelivery.BURN_IN:
            stream["DeliveryMethod"] = "Encode"
            continue
        delivery = subtitle_delivery(original, profile, direct_play=direct)
        if delivery is SubtitleDelivery.NATIVE and not original.get("is_external"):
            stream["DeliveryMethod"] = "Embed"
        elif delivery is SubtitleDelivery.BURN_IN or not is_text_subtitle(original.get("codec")):
            stream["DeliveryMethod"] = "Encode"
        else:
            native_srt = (delivery is SubtitleDelivery.NATIVE and original.get("is_external")
                          and (original.get("codec") or "") in ("subrip", "srt"))  # fmt: skip
            fmt = "srt" if native_srt else "vtt"
            offset = 0 if direct or native_srt else decision.subtitle_offset_ticks
            stream["DeliveryMethod"] = "External"
            stream["DeliveryUrl"] = (
                f"/Videos/{item['id']}/{source['id']}/Subtitles/{stream['Index']}/{offset}/Stream.{fmt}"
                f"?api_key={quote(token)}"
            )
            stream["IsExternalUrl"] = False


def _transcoding(
    dto: dict[str, Any], item: dict[str, Any], source: dict[str, Any], decision: PlaybackDecision,
    session: JellyfinPlaySession, token: str, plan: SourcePlan,
) -> None:  # fmt: skip
    audio_only = decision.video_stream is None
    kind = "Audio" if audio_only else "Videos"
    if decision.protocol == "http" and audio_only:
        target = decision.audio.codec if decision.audio else (decision.audio_stream or {}).get("codec") or "mp3"
        params = {"UserId": session.user_id, "DeviceId": session.device_key or "", "MediaSourceId": source["id"],
                  "PlaySessionId": session.id, "api_key": token, "Container": decision.output_container,
                  "AudioCodec": target, "TranscodingContainer": decision.output_container,
                  "TranscodingProtocol": "http"}  # fmt: skip
        dto["TranscodingUrl"] = f"/Audio/{item['id']}/universal?{urlencode(params)}"
        dto["TranscodingSubProtocol"] = "http"
        dto["TranscodingContainer"] = decision.output_container
        return
    segment = "mp4" if decision.output_container == "fmp4" else "ts"
    video_codec = decision.video.codec if decision.video else (decision.video_stream or {}).get("codec")
    audio_codec = decision.audio.codec if decision.audio else (decision.audio_stream or {}).get("codec")
    params = {
        "DeviceId": session.device_key or "",
        "MediaSourceId": source["id"],
        "PlaySessionId": session.id,
        "api_key": token,
        "SegmentContainer": segment,
        "VideoCodec": video_codec or "",
        "AudioCodec": audio_codec or "",
        "AudioStreamIndex": (decision.audio_stream or {}).get("index", ""),
        "SubtitleStreamIndex": (decision.subtitle_stream or {}).get("index", ""),
        "StartTimeTicks": plan.start_ticks or "",
        "MaxStreamingBitrate": plan.max_bitrate or "",
        "TranscodeReasons": ",".join(decision.reasons),
    }
    clean = {k: v for k, v in params.items() if v not in ("", None) and (v or k == "AudioStreamIndex")}
    dto["TranscodingUrl"] = f"/{kind}/{item['id']}/master.m3u8?{urlencode(clean)}"
    dto["TranscodingSubProtocol"] = "hls"
    dto["TranscodingContainer"] = segment
