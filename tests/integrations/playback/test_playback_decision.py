"""Playback decisions for a matrix of sources x built-in profiles, caps, subtitles, HDR, the HLS ladder and
codec strings. Sources are media source dicts as the library stores them (None/False fields dropped)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from integrations.playback.codec_strings import (
    audio_codec_string,
    required_level,
    source_level,
    video_codec_string,
)
from integrations.playback.compatibility import SubtitleDelivery
from integrations.playback.decision import PlayMethod, decide
from integrations.playback.errors import DecisionError
from integrations.playback.profiles import BUILTIN_PROFILES, DeviceProfile, validate_profile
from integrations.playback.renditions import Rendition, bitrate_ladder, stream_codec_string, target_codec_string
from integrations.playback.sources import container_for, source_bitrate, source_streams
from plugin_sdk.media import TICKS_PER_SECOND
from plugin_sdk.streaming import AudioTarget, VideoTarget

P = BUILTIN_PROFILES
MKV = "matroska,webm"
MP4 = "mov,mp4,m4a,3gp,3g2,mj2"

H264_1080P = {
    "index": 0, "type": "video", "codec": "h264", "profile": "High", "level": 41, "width": 1920, "height": 1080,
    "frame_rate": 23.976, "bit_depth": 8, "pixel_format": "yuv420p", "hdr": "SDR",
}  # fmt: skip
HEVC_4K_HDR10 = {
    "index": 0, "type": "video", "codec": "hevc", "profile": "Main 10", "level": 153, "width": 3840, "height": 2160,
    "frame_rate": 23.976, "bit_depth": 10, "pixel_format": "yuv420p10le", "color_transfer": "smpte2084",
    "color_primaries": "bt2020", "hdr": "HDR10",
}  # fmt: skip
AAC_STEREO = {
    "index": 1, "type": "audio", "codec": "aac", "profile": "LC", "channels": 2, "channel_layout": "stereo",
    "sample_rate": 48000, "bitrate": 192_000, "language": "eng", "is_default": True,
}  # fmt: skip
EAC3_51 = {
    "index": 1, "type": "audio", "codec": "eac3", "channels": 6, "channel_layout": "5.1(side)", "sample_rate": 48000,
    "bitrate": 640_000, "language": "eng", "is_default": True,
}  # fmt: skip

SOURCES: dict[str, dict[str, Any]] = {
    "h264_mkv": {
        "id": "s1", "path": "/media/Movie (2020)/Movie.mkv", "size": 9_000_000_000, "container": MKV,
        "duration_ticks": 7200 * TICKS_PER_SECOND, "bitrate": 10_000_000,
        "streams": [
            H264_1080P, AAC_STEREO,
            {"index": 2, "type": "subtitle", "codec": "subrip", "language": "eng"},
            {"index": -1, "type": "subtitle", "codec": "subrip", "language": "fre", "is_external": True,
             "path": "/media/Movie (2020)/Movie.fr.srt"},
        ],
        "chapters": [],
    },
    "hevc_hdr_4k": {
        "id": "s2", "path": "/media/Film/Film.2160p.mkv", "size": 50_000_000_000, "container": MKV,
        "duration_ticks": 7200 * TICKS_PER_SECOND, "bitrate": 60_000_000,
        "streams": [HEVC_4K_HDR10, EAC3_51],
        "chapters": [],
    },
    "h264_mp4_mov_text": {
        "id": "s3", "path": "/media/Show/S01E01.mp4", "size": 700_000_000, "container": MP4,
        "duration_ticks": 1300 * TICKS_PER_SECOND, "bitrate": 4_300_000,
        "streams": [
            {**H264_1080P, "width": 1280, "height": 720, "level": 31, "bitrate": 4_000_000},
            {**AAC_STEREO, "bitrate": 128_000},
            {"index": 2, "type": "subtitle", "codec": "mov_text", "language": "eng"},
        ],
        "chapters": [],
    },
    "mp3": {
        "id": "s4", "path": "/music/Artist/Album/01 Song.mp3", "size": 8_000_000, "container": "mp3",
        "duration_ticks": 200 * TICKS_PER_SECOND, "bitrate": 320_000,
        "streams": [{"index": 0, "type": "audio", "codec": "mp3", "channels": 2, "sample_rate": 44100,
                     "bitrate": 320_000}],
        "chapters": [],
    },
    "vp9_webm": {
        "id": "s5", "path": "/media/Clip.webm", "size": 300_000_000, "container": MKV,
        "duration_ticks": 600 * TICKS_PER_SECOND, "bitrate": 3_000_000,
        "streams": [
            {"index": 0, "type": "video", "codec": "vp9", "profile": "Profile 0", "width": 1920, "height": 1080,
             "frame_rate": 30.0, "bit_depth": 8, "hdr": "SDR"},
            {"index": 1, "type": "audio", "codec": "opus", "channels": 2, "sample_rate": 48000, "is_default": True},
        ],
        "chapters": [],
    },
    "pgs": {
        "id": "s6", "path": "/media/BluRay/BluRay.mkv", "size": 20_000_000_000, "container": MKV,
        "duration_ticks": 7000 * TICKS_PER_SECOND, "bitrate": 12_000_000,
        "streams": [
            H264_1080P,
            {"index": 1, "type": "audio", "codec": "ac3", "channels": 6, "sample_rate": 48000, "bitrate": 448_000},
            {"index": 2, "type": "subtitle", "codec": "hdmv_pgs_subtitle", "language": "eng"},
        ],
        "chapters": [],
    },
}  # fmt: skip
SUBTITLE = {"h264_mkv": 2, "h264_mp4_mov_text": 2, "pgs": 2}

CNS, VCNS, HDR = "ContainerNotSupported", "VideoCodecNotSupported", "HdrNotSupported"
ACNS, ACH, BTH = "AudioCodecNotSupported", "AudioChannelsNotSupported", "BitrateTooHigh"
RES, BURN = "VideoResolutionNotSupported", "SubtitleBurnIn"
DP, DS, TC = "DirectPlay", "DirectStream", "Transcode"
NATIVE, SIDECAR, BURN_IN = "Native", "Sidecar", "BurnIn"

# source, profile -> method, reasons, protocol/output, video copy, audio copy, subtitle delivery
MATRIX = [
    ("h264_mkv", "browser", DS, [CNS], "hls/fmp4", True, True, SIDECAR),
    ("h264_mkv", "safari", DS, [CNS], "hls/fmp4", True, True, SIDECAR),
    ("h264_mkv", "android", DP, [], "file/mkv", True, True, NATIVE),
    ("h264_mkv", "tv", DP, [], "file/mkv", True, True, NATIVE),
    ("h264_mkv", "audio", DS, [CNS, VCNS], "hls/mpegts", False, True, None),
    ("hevc_hdr_4k", "browser", TC, [CNS, VCNS, HDR, ACNS], "hls/fmp4", False, False, None),
    ("hevc_hdr_4k", "safari", DS, [CNS], "hls/fmp4", True, True, None),
    ("hevc_hdr_4k", "android", TC, [RES, HDR, ACNS, BTH], "hls/fmp4", False, False, None),
    ("hevc_hdr_4k", "tv", DP, [], "file/mkv", True, True, None),
    ("hevc_hdr_4k", "audio", TC, [CNS, VCNS, ACNS, ACH], "hls/mpegts", False, False, None),
    ("h264_mp4_mov_text", "browser", DP, [], "file/mp4", True, True, SIDECAR),
    ("h264_mp4_mov_text", "safari", DP, [], "file/mp4", True, True, NATIVE),
    ("h264_mp4_mov_text", "android", DP, [], "file/mp4", True, True, SIDECAR),
    ("h264_mp4_mov_text", "tv", DP, [], "file/mp4", True, True, SIDECAR),
    ("h264_mp4_mov_text", "audio", DS, [CNS, VCNS], "hls/mpegts", False, True, None),
    ("mp3", "browser", DP, [], "file/mp3", False, True, None),
    ("mp3", "safari", DP, [], "file/mp3", False, True, None),
    ("mp3", "android", DP, [], "file/mp3", False, True, None),
    ("mp3", "tv", DP, [], "file/mp3", False, True, None),
    ("mp3", "audio", DP, [], "file/mp3", False, True, None),
    ("vp9_webm", "browser", DP, [], "file/webm", True, True, None),
    ("vp9_webm", "safari", TC, [CNS, VCNS, ACNS], "hls/fmp4", False, False, None),
    ("vp9_webm", "android", DP, [], "file/webm", True, True, None),
    ("vp9_webm", "tv", TC, [CNS, VCNS, ACNS], "hls/fmp4", False, False, None),
    ("vp9_webm", "audio", DS, [CNS, VCNS], "http/ogg", False, True, None),
    ("pgs", "browser", TC, [CNS, ACNS, BURN], "hls/fmp4", False, False, BURN_IN),
    ("pgs", "safari", TC, [CNS, BURN], "hls/fmp4", False, True, BURN_IN),
    ("pgs", "android", TC, [BURN], "hls/fmp4", False, True, BURN_IN),
    ("pgs", "tv", DP, [], "file/mkv", True, True, NATIVE),
    ("pgs", "audio", TC, [CNS, VCNS, ACNS, ACH], "hls/mpegts", False, False, None),
]


def seconds(value: float) -> int:
    return round(value * TICKS_PER_SECOND)


@pytest.mark.parametrize(
    ("source", "profile", "method", "reasons", "output", "video_copy", "audio_copy", "delivery"), MATRIX
)
def test_matrix(
    source: str,
    profile: str,
    method: str,
    reasons: list[str],
    output: str,
    video_copy: bool,
    audio_copy: bool,
    delivery: str | None,
) -> None:
    decision = decide(SOURCES[source], P[profile], subtitle_index=SUBTITLE.get(source))
    assert decision.method == method
    assert list(decision.reasons) == reasons
    assert f"{decision.protocol}/{decision.output_container}" == output
    assert (decision.video_copy, decision.audio_copy) == (video_copy, audio_copy)
    assert decision.subtitle_delivery == delivery
    assert (decision.video is None) == (video_copy or decision.video_stream is None)
    assert (decision.audio is None) == audio_copy
    orjson.dumps(decision.as_dict())  # JSON-ready for the API


def test_direct_stream_keeps_everything() -> None:
    decision = decide(SOURCES["h264_mkv"], P["browser"], subtitle_index=2, start_ticks=seconds(600))
    assert decision.container == "mkv"
    assert decision.video_stream == H264_1080P
    assert decision.audio_stream == AAC_STEREO
    assert decision.subtitle_stream == {"index": 2, "type": "subtitle", "codec": "subrip", "language": "eng"}
    assert (decision.video, decision.audio, decision.tone_map) == (None, None, False)
    assert decision.subtitle_offset_ticks == seconds(600)
    assert decision.max_bitrate == 120_000_000
    assert decision.source_bitrate == 10_000_000
    assert decide(SOURCES["h264_mkv"], P["tv"], subtitle_index=2, start_ticks=seconds(600)).subtitle_offset_ticks == 0


def test_hdr_tone_mapped_for_browser() -> None:
    decision = decide(SOURCES["hevc_hdr_4k"], P["browser"])
    assert decision.tone_map is True
    assert decision.video == VideoTarget(
        codec="h264", width=3840, height=2160, bitrate=20_000_000, max_bitrate=20_000_000, profile="high",
        level="5.1", bit_depth=8, tone_map=True,
    )  # fmt: skip
    assert decision.audio == AudioTarget(codec="aac", bitrate=384_000, channels=6)


def test_resolution_and_bitrate_caps_for_android() -> None:
    decision = decide(SOURCES["hevc_hdr_4k"], P["android"])
    assert decision.video == VideoTarget(
        codec="h264", width=1920, height=1080, bitrate=8_000_000, max_bitrate=8_000_000, profile="high", level="4",
        bit_depth=8, tone_map=True,
    )  # fmt: skip
    assert decision.audio == AudioTarget(codec="ac3", bitrate=448_000, channels=6)
    assert decision.max_bitrate == 40_000_000


def test_hdr_kept_when_the_client_shows_it() -> None:
    decision = decide(SOURCES["hevc_hdr_4k"], P["tv"], max_bitrate=20_000_000)
    assert (decision.method, decision.reasons) == (PlayMethod.TRANSCODE, ("BitrateTooHigh",))
    assert decision.audio_copy is True
    assert decision.tone_map is False
    # 20 Mbps less the copied E-AC-3 (640 kbps) for the video; still 4K at that budget
    assert decision.video == VideoTarget(
        codec="hevc", width=3840, height=2160, bitrate=19_360_000, max_bitrate=19_360_000, profile="main10",
        level="5", bit_depth=10, tone_map=False,
    )  # fmt: skip


def test_dolby_vision_is_tone_mapped_where_only_hdr10_is_shown() -> None:
    source = {**SOURCES["hevc_hdr_4k"], "streams": [{**HEVC_4K_HDR10, "hdr": "DolbyVision"}, EAC3_51]}
    decision = decide(source, P["tv"])
    assert decision.reasons == ("HdrNotSupported",)
    assert decision.video is not None
    assert (decision.video.codec, decision.video.bit_depth, decision.tone_map) == ("h264", 8, True)
    assert decide(source, P["safari"]).method == PlayMethod.DIRECT_STREAM


def test_bitrate_cap() -> None:
    decision = decide(SOURCES["h264_mkv"], P["android"], max_bitrate=4_000_000, subtitle_index=2)
    assert (decision.method, decision.reasons) == (PlayMethod.TRANSCODE, ("BitrateTooHigh",))
    assert (decision.protocol, decision.output_container) == ("hls", "fmp4")
    assert (decision.video_copy, decision.audio_copy, decision.audio) == (False, True, None)
    # 4 Mbps less the copied AAC (192 kbps): 720p
    assert decision.video == VideoTarget(
        codec="h264", width=1280, height=720, bitrate=3_808_000, max_bitrate=3_808_000, profile="high", level="3.1",
    )  # fmt: skip
    assert decision.subtitle_delivery == SubtitleDelivery.SIDECAR  # not direct play: no longer in-band
    assert decision.max_bitrate == 4_000_000
    low = decide(SOURCES["h264_mkv"], P["android"], max_bitrate=1_000_000)
    assert low.video is not None
    assert (low.video.width, low.video.height, low.video.bitrate) == (640, 360, 800_000)
    assert decide(SOURCES["h264_mkv"], P["android"], max_bitrate=10_000_000).method == PlayMethod.DIRECT_PLAY


def test_profile_bitrate_cap() -> None:
    profile = validate_profile({**P["tv"].as_dict(), "max_bitrate": 5_000_000})
    decision = decide(SOURCES["h264_mkv"], profile)
    assert decision.reasons == ("BitrateTooHigh",)
    assert decision.max_bitrate == 5_000_000
    assert decide(SOURCES["h264_mkv"], profile, max_bitrate=2_000_000).max_bitrate == 2_000_000


def test_audio_only_bitrate_cap() -> None:
    decision = decide(SOURCES["mp3"], P["audio"], max_bitrate=128_000)
    assert (decision.method, decision.reasons) == (PlayMethod.TRANSCODE, ("BitrateTooHigh",))
    assert (decision.protocol, decision.output_container) == ("hls", "mpegts")
    assert decision.audio == AudioTarget(codec="aac", bitrate=128_000, channels=2)


def test_resolution_cap_keeps_aspect_ratio() -> None:
    profile = validate_profile(
        {
            "video_containers": ["mkv"],
            "video_codecs": {"h264": {}},
            "audio_codecs": ["aac"],
            "max_width": 1280,
            "max_height": 720,
            "hls": True,
        }
    )
    scope = {**H264_1080P, "height": 800, "bitrate": 6_000_000}
    source = {**SOURCES["h264_mkv"], "streams": [scope, AAC_STEREO]}
    decision = decide(source, profile)
    assert decision.reasons == ("VideoResolutionNotSupported",)
    assert (decision.protocol, decision.output_container) == ("hls", "mpegts")
    assert decision.video == VideoTarget(
        codec="h264", width=1280, height=534, bitrate=4_000_000, max_bitrate=4_000_000, profile="high", level="3.1"
    )


def test_level_limit_lowers_the_resolution() -> None:
    profile = validate_profile(
        {"video_codecs": {"h264": {"max_profile": "main", "max_level": "3.1"}}, "audio_codecs": ["aac"], "hls": True}
    )
    source = {**SOURCES["hevc_hdr_4k"], "streams": [{**HEVC_4K_HDR10, "width": 1920, "height": 1080}, AAC_STEREO]}
    decision = decide(source, profile)
    assert decision.reasons == ("ContainerNotSupported", "VideoCodecNotSupported", "HdrNotSupported")
    assert decision.video == VideoTarget(
        codec="h264", width=1280, height=720, bitrate=4_000_000, max_bitrate=4_000_000, profile="main", level="3.1",
        tone_map=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"profile": "High 10", "bit_depth": 10}, ["VideoProfileNotSupported", "VideoBitDepthNotSupported"]),
        ({"level": 52}, ["VideoLevelNotSupported"]),
        ({"width": 4096, "height": 2304}, ["VideoResolutionNotSupported"]),
        ({"hdr": "HLG"}, ["HdrNotSupported"]),
        ({"profile": "Main", "level": 40}, []),
        ({"codec": "mpeg4", "profile": "Simple Profile"}, ["VideoCodecNotSupported"]),
    ],
)
def test_video_reasons_in_mp4_on_browser(changes: dict[str, Any], reasons: list[str]) -> None:
    source = {"container": MP4, "path": "/m/a.mp4", "streams": [{**H264_1080P, **changes}, AAC_STEREO]}
    decision = decide(source, P["browser"])
    assert list(decision.reasons) == reasons
    assert decision.method == (PlayMethod.DIRECT_PLAY if not reasons else PlayMethod.TRANSCODE)


def test_audio_channels() -> None:
    source = {"container": MP4, "path": "/m/a.mp4", "streams": [H264_1080P, {**AAC_STEREO, "channels": 8}]}
    decision = decide(source, P["browser"])
    assert (decision.method, decision.reasons) == (PlayMethod.TRANSCODE, ("AudioChannelsNotSupported",))
    assert decision.video_copy is True
    assert decision.audio == AudioTarget(codec="aac", bitrate=192_000, channels=6)  # capped at the source's rate


def test_audio_target_follows_the_client() -> None:
    opus_only = validate_profile(
        {"video_codecs": {"h264": {}}, "audio_codecs": ["opus"], "hls": True, "hls_fmp4": True}
    )
    decision = decide(SOURCES["h264_mkv"], opus_only)
    assert decision.audio == AudioTarget(codec="opus", bitrate=128_000, channels=2, sample_rate=48_000)
    flac = {"index": 0, "type": "audio", "codec": "flac", "channels": 2, "sample_rate": 96_000}
    hires = {**SOURCES["mp3"], "container": "flac", "bitrate": 3_000_000, "streams": [flac]}
    decision = decide(hires, P["safari"], max_bitrate=320_000)
    assert decision.audio == AudioTarget(codec="aac", bitrate=192_000, channels=2, sample_rate=48_000)


def test_audio_stream_choice() -> None:
    french = {**AAC_STEREO, "index": 2, "language": "fre", "is_default": False}
    ac3 = {**EAC3_51, "codec": "ac3", "bitrate": 448_000}
    source = {"container": MP4, "path": "/m/a.mp4", "streams": [H264_1080P, ac3, french]}
    assert decide(source, P["browser"]).audio_stream == ac3  # the default stream
    assert decide(source, P["browser"]).reasons == ("AudioCodecNotSupported",)
    chosen = decide(source, P["browser"], audio_index=2)
    assert (chosen.method, chosen.audio_stream) == (PlayMethod.DIRECT_PLAY, french)
    with pytest.raises(DecisionError, match=r"^no audio stream with index 0$"):
        decide(source, P["browser"], audio_index=0)


# --- subtitles -----------------------------------------------------------------------------------------------------


def with_subtitle(source: dict[str, Any], subtitle: dict[str, Any]) -> dict[str, Any]:
    return {**source, "streams": [*source["streams"], subtitle]}


def test_external_subtitles() -> None:
    mp4 = SOURCES["h264_mp4_mov_text"]
    srt = {"index": -1, "type": "subtitle", "codec": "subrip", "is_external": True, "path": "/media/Show/a.srt"}
    vtt = {**srt, "codec": "webvtt", "path": "/media/Show/a.vtt"}
    source = with_subtitle(with_subtitle(mp4, srt), vtt)
    assert [s["index"] for s in source_streams(source)] == [0, 1, 2, 3, 4]
    as_srt = decide(source, P["browser"], subtitle_index=3)
    assert as_srt.subtitle_stream == {**srt, "index": 3}
    assert (as_srt.method, as_srt.subtitle_delivery) == (PlayMethod.DIRECT_PLAY, SubtitleDelivery.SIDECAR)
    assert decide(source, P["browser"], subtitle_index=4).subtitle_delivery == SubtitleDelivery.NATIVE
    assert decide(source, P["android"], subtitle_index=3).subtitle_delivery == SubtitleDelivery.NATIVE
    capped = decide(source, P["android"], subtitle_index=3, max_bitrate=1_000_000)
    assert capped.subtitle_delivery == SubtitleDelivery.SIDECAR


def test_subtitle_burn_in_when_asked() -> None:
    decision = decide(SOURCES["h264_mkv"], P["android"], subtitle_index=2, burn_in_subtitles=True)
    assert (decision.method, decision.reasons) == (PlayMethod.TRANSCODE, ("SubtitleBurnIn",))
    assert decision.subtitle_delivery == SubtitleDelivery.BURN_IN
    assert (decision.video_copy, decision.audio_copy) == (False, True)
    assert decision.video is not None
    assert (decision.video.width, decision.video.height) == (1920, 1080)


def test_image_subtitles_burned_in_once_not_direct_play() -> None:
    decision = decide(SOURCES["pgs"], P["tv"], subtitle_index=2, max_bitrate=8_000_000)
    assert decision.reasons == ("BitrateTooHigh", "SubtitleBurnIn")
    assert decision.subtitle_delivery == SubtitleDelivery.BURN_IN


def test_ass_on_tv_is_a_sidecar() -> None:
    source = with_subtitle(SOURCES["h264_mkv"], {"index": 5, "type": "subtitle", "codec": "ass"})
    decision = decide(source, P["tv"], subtitle_index=5)
    assert (decision.method, decision.subtitle_delivery) == (PlayMethod.DIRECT_PLAY, SubtitleDelivery.SIDECAR)


def test_text_subtitles_burned_in_without_webvtt() -> None:
    profile = validate_profile({"video_containers": ["mkv"], "video_codecs": {"h264": {}}, "audio_codecs": ["aac"]})
    decision = decide(SOURCES["h264_mkv"], profile, subtitle_index=2)
    assert (decision.method, decision.reasons) == (PlayMethod.TRANSCODE, ("SubtitleBurnIn",))
    assert (decision.protocol, decision.output_container) == ("http", "mkv")


def test_no_subtitles_for_audio_only_clients() -> None:
    decision = decide(SOURCES["pgs"], P["audio"], subtitle_index=2)
    assert (decision.subtitle_stream, decision.subtitle_delivery, decision.audio_only) == (None, None, True)
    assert "SubtitleBurnIn" not in decision.reasons


def test_bad_arguments() -> None:
    source = SOURCES["h264_mkv"]
    with pytest.raises(DecisionError, match=r"^no subtitle stream with index 9$"):
        decide(source, P["browser"], subtitle_index=9)
    with pytest.raises(DecisionError, match=r"^no subtitle stream with index 1$"):
        decide(source, P["browser"], subtitle_index=1)
    with pytest.raises(DecisionError, match=r"^start_ticks must not be negative$"):
        decide(source, P["browser"], start_ticks=-1)
    with pytest.raises(DecisionError, match=r"^max_bitrate must be positive$"):
        decide(source, P["browser"], max_bitrate=0)
    with pytest.raises(DecisionError, match=r"^max_bitrate must be an integer \(bits per second\)$"):
        decide(source, P["browser"], max_bitrate=1.5)  # type: ignore[arg-type]
    with pytest.raises(DecisionError, match=r"^the source has no audio or video stream$"):
        decide({**source, "streams": []}, P["browser"])
    with pytest.raises(DecisionError, match=r"^the client plays no stream of this source"):
        decide({**source, "streams": [H264_1080P]}, P["audio"])


# --- containers and streams ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("demuxer", "path", "streams", "expected"),
    [
        (MKV, "/a.mkv", [("video", "h264"), ("audio", "aac")], "mkv"),
        (MKV, "/a.webm", [("video", "vp9"), ("audio", "opus")], "webm"),
        (MKV, "/a.mkv", [("video", "av1"), ("audio", "opus"), ("subtitle", "webvtt")], "webm"),
        (MKV, "/a.webm", [("video", "vp9"), ("audio", "opus"), ("subtitle", "subrip")], "mkv"),
        (MKV, "/a.mka", [("audio", "flac")], "mkv"),
        (MP4, "/a.mp4", [("video", "h264"), ("audio", "aac")], "mp4"),
        (MP4, "/a.MOV", [("video", "h264"), ("audio", "aac")], "mov"),
        (MP4, "/a.m4v", [("video", "h264")], "m4v"),
        (MP4, "/a.m4b", [("audio", "aac")], "m4a"),
        (MP4, "/a.mp4", [("audio", "aac")], "m4a"),
        ("mpegts", "/a.ts", [("video", "h264")], "ts"),
        ("mp3", "/a.mp3", [("audio", "mp3")], "mp3"),
        ("ogg", "/a.opus", [("audio", "opus")], "ogg"),
        ("flac", "/a.flac", [("audio", "flac")], "flac"),
        ("avi", "/a.avi", [("video", "mpeg4")], "avi"),
        ("wav", "/a.wav", [("audio", "pcm_s16le")], "wav"),
        ("xwma,asf", "/a.x", [("audio", "wmav2")], "xwma"),
    ],
)
def test_container_for(demuxer: str, path: str, streams: list[tuple[str, str]], expected: str) -> None:
    source = {
        "container": demuxer,
        "path": path,
        "streams": [{"index": i, "type": kind, "codec": codec} for i, (kind, codec) in enumerate(streams)],
    }
    assert container_for(source) == expected


def test_external_subtitles_ignored_by_container_for() -> None:
    source = SOURCES["vp9_webm"]
    srt = {"index": -1, "type": "subtitle", "codec": "subrip", "is_external": True, "path": "/media/Clip.srt"}
    assert container_for(with_subtitle(source, srt)) == "webm"


def test_source_streams_numbering() -> None:
    # an attached picture left a gap at 1 in the probe's indexes; external files come after the last index
    streams = [
        {"index": 0, "type": "video"},
        {"index": 2, "type": "audio"},
        {"index": -1, "type": "subtitle", "is_external": True, "path": "/a.en.srt"},
        {"index": -1, "type": "subtitle", "is_external": True, "path": "/a.fr.srt"},
    ]
    assert [s["index"] for s in source_streams({"streams": streams})] == [0, 2, 3, 4]
    assert streams[2]["index"] == -1  # not modified in place


def test_source_bitrate() -> None:
    assert source_bitrate({"bitrate": 5_000_000}) == 5_000_000
    assert source_bitrate({"streams": [{"bitrate": 4_000_000}, {"bitrate": 128_000}]}) == 4_128_000
    assert source_bitrate({"size": 1_000_000, "duration_ticks": seconds(8), "streams": []}) == 1_000_000
    assert source_bitrate({"streams": []}) is None


# --- codec strings -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "profile", "level", "depth", "expected"),
    [
        ("h264", "High", 40, 8, "avc1.640028"),
        ("h264", "High", 41, 8, "avc1.640029"),
        ("h264", "Main", 31, 8, "avc1.4d401f"),
        ("h264", "Constrained Baseline", 30, 8, "avc1.42e01e"),
        ("h264", "High 10", 51, 10, "avc1.6e0033"),
        ("hevc", "Main 10", 41, 10, "hvc1.2.4.L123.B0"),
        ("hevc", "Main", 51, 8, "hvc1.1.6.L153.B0"),
        ("hevc", None, 40, 10, "hvc1.2.4.L120.B0"),
        ("vp9", "Profile 0", 41, 8, "vp09.00.41.08"),
        ("vp9", "Profile 2", 51, 10, "vp09.02.51.10"),
        ("av1", "Main", 40, 8, "av01.0.08M.08"),
        ("av1", "Main", 51, 10, "av01.0.13M.10"),
        ("mpeg2video", "Main", None, 8, None),
    ],
)
def test_video_codec_strings(codec: str, profile: str | None, level: int | None, depth: int, expected: str) -> None:
    assert video_codec_string(codec, profile, level, depth) == expected


@pytest.mark.parametrize(
    ("codec", "profile", "expected"),
    [
        ("aac", "LC", "mp4a.40.2"),
        ("aac", None, "mp4a.40.2"),
        ("aac", "HE-AAC", "mp4a.40.5"),
        ("aac", "HE-AACv2", "mp4a.40.29"),
        ("mp3", None, "mp4a.40.34"),
        ("ac3", None, "ac-3"),
        ("eac3", None, "ec-3"),
        ("opus", None, "opus"),
        ("flac", None, "fLaC"),
        ("wmav2", None, None),
    ],
)
def test_audio_codec_strings(codec: str, profile: str | None, expected: str | None) -> None:
    assert audio_codec_string(codec, profile) == expected


def test_stream_and_target_codec_strings() -> None:
    assert stream_codec_string(HEVC_4K_HDR10) == "hvc1.2.4.L153.B0"
    assert stream_codec_string(AAC_STEREO) == "mp4a.40.2"
    assert stream_codec_string(EAC3_51) == "ec-3"
    no_level = {k: v for k, v in H264_1080P.items() if k != "level"}
    assert stream_codec_string({**no_level, "bitrate": 5_000_000}) == "avc1.640028"
    av1 = {"type": "video", "codec": "av1", "profile": "Main", "level": 8, "bit_depth": 8}
    assert stream_codec_string(av1) == "av01.0.08M.08"
    assert stream_codec_string({"type": "subtitle", "codec": "subrip"}) is None
    target = VideoTarget(codec="h264", width=1920, height=1080, bitrate=8_000_000, profile="high", level="4.1")
    assert target_codec_string(target) == "avc1.640029"
    assert target_codec_string(AudioTarget(codec="ac3", bitrate=448_000, channels=6)) == "ac-3"


def test_levels() -> None:
    assert required_level("h264", 1920, 1080, 30, 8_000_000) == 40
    assert required_level("h264", 1920, 1080, 60, 8_000_000) == 42
    assert required_level("h264", 3840, 2160, 24, 20_000_000) == 51
    assert required_level("h264", 1280, 720, None, 4_000_000) == 31
    assert required_level("hevc", 3840, 2160, 60, 40_000_000) == 51
    assert required_level("hevc", 1920, 1080, 30, None) == 40
    assert required_level("vp9", 1920, 1080, 30, 5_000_000) == 40
    assert required_level("av1", 1920, 1080, 30, 5_000_000) == 40
    assert required_level("mpeg4", 640, 480, 30, None) is None
    assert [source_level("hevc", 153), source_level("h264", 41), source_level("av1", 8)] == [51, 41, 40]
    assert [source_level("av1", 31), source_level("vp9", None), source_level("h264", 0)] == [None, None, None]


# --- HLS ladder ----------------------------------------------------------------------------------------------------


def ladder(
    video: dict[str, Any], profile: DeviceProfile, cap: int | None = None, **audio: Any
) -> list[tuple[str, int, int, int, str, bool]]:
    return [
        (r.name, r.width, r.height, r.bitrate, r.codecs, r.copy) for r in bitrate_ladder(video, profile, cap, **audio)
    ]


AAC_AUDIO = {"audio_codecs": "mp4a.40.2", "audio_bitrate": 192_000}


def test_ladder_with_source_copy() -> None:
    video = {**H264_1080P, "bitrate": 9_800_000}
    renditions = bitrate_ladder(video, P["browser"], None, **AAC_AUDIO)
    assert renditions[0] == Rendition(
        name="source", width=1920, height=1080, bitrate=9_800_000, bandwidth=9_992_000,
        codecs="avc1.640029,mp4a.40.2", copy=True, video=None, frame_rate=23.976,
    )  # fmt: skip
    assert ladder(video, P["browser"], **AAC_AUDIO) == [
        ("source", 1920, 1080, 9_800_000, "avc1.640029,mp4a.40.2", True),
        ("720p", 1280, 720, 4_000_000, "avc1.64001f,mp4a.40.2", False),
        ("480p", 854, 480, 1_500_000, "avc1.64001e,mp4a.40.2", False),
    ]
    assert renditions[1].bandwidth == 4_192_000
    assert renditions[1].video == VideoTarget(
        codec="h264", width=1280, height=720, bitrate=4_000_000, max_bitrate=4_000_000, profile="high", level="3.1"
    )


def test_ladder_under_a_cap() -> None:
    video = {**H264_1080P, "bitrate": 9_800_000}
    # 6 Mbps less audio: the source doesn't fit, 1080p is encoded at the cap
    assert ladder(video, P["browser"], 6_000_000, **AAC_AUDIO) == [
        ("1080p", 1920, 1080, 5_808_000, "avc1.640028,mp4a.40.2", False),
        ("720p", 1280, 720, 4_000_000, "avc1.64001f,mp4a.40.2", False),
        ("480p", 854, 480, 1_500_000, "avc1.64001e,mp4a.40.2", False),
    ]
    assert ladder(video, P["browser"], 4_000_000) == [
        ("720p", 1280, 720, 4_000_000, "avc1.64001f", False),
        ("480p", 854, 480, 1_500_000, "avc1.64001e", False),
    ]
    assert ladder(video, P["browser"], 1_000_000, **AAC_AUDIO) == [
        ("480p", 854, 480, 808_000, "avc1.64001e,mp4a.40.2", False),
    ]


def test_ladder_hdr() -> None:
    video = {**HEVC_4K_HDR10, "bitrate": 59_000_000}
    renditions = bitrate_ladder(video, P["browser"])
    assert [(r.name, r.width, r.height, r.bitrate, r.codecs) for r in renditions] == [
        ("1080p", 1920, 1080, 8_000_000, "avc1.640028"),
        ("720p", 1280, 720, 4_000_000, "avc1.64001f"),
        ("480p", 854, 480, 1_500_000, "avc1.64001e"),
    ]
    assert all(r.video is not None and r.video.tone_map for r in renditions)
    assert ladder(video, P["tv"], audio_codecs="ec-3", audio_bitrate=640_000) == [
        ("source", 3840, 2160, 59_000_000, "hvc1.2.4.L153.B0,ec-3", True),
        ("1080p", 1920, 1080, 8_000_000, "hvc1.2.4.L120.B0,ec-3", False),
        ("720p", 1280, 720, 4_000_000, "hvc1.2.4.L93.B0,ec-3", False),
        ("480p", 854, 480, 1_500_000, "hvc1.2.4.L90.B0,ec-3", False),
    ]
    tv = bitrate_ladder(video, P["tv"])
    assert all(r.video is not None and not r.video.tone_map and r.video.bit_depth == 10 for r in tv[1:])
    # no copy without knowing the bitrate under a cap
    assert ladder(HEVC_4K_HDR10, P["tv"], 100_000_000)[0][0] == "1080p"


def test_ladder_keeps_aspect_ratio_and_profile_limits() -> None:
    scope = {**HEVC_4K_HDR10, "width": 1920, "height": 800, "hdr": "SDR", "bit_depth": 8, "profile": "Main"}
    assert [(r[0], r[1], r[2]) for r in ladder(scope, P["browser"])] == [
        ("1080p", 1920, 800),
        ("720p", 1280, 534),
        ("480p", 854, 356),
    ]
    small = validate_profile({**P["browser"].as_dict(), "max_width": 1280, "max_height": 720})
    assert [r[0] for r in ladder({**H264_1080P, "bitrate": 6_000_000}, small)] == ["720p", "480p"]


def test_ladder_small_sources() -> None:
    tiny = {**H264_1080P, "width": 640, "height": 360, "level": 30, "bitrate": 700_000}
    assert ladder(tiny, P["browser"]) == [("source", 640, 360, 700_000, "avc1.64001e", True)]
    tiny_hevc = {**tiny, "codec": "hevc", "profile": "Main", "level": 90}
    assert ladder(tiny_hevc, P["browser"]) == [("360p", 640, 360, 800_000, "avc1.64001e", False)]


def test_ladder_needs_a_video_client() -> None:
    with pytest.raises(DecisionError, match=r"^the audio profile plays no video$"):
        bitrate_ladder(H264_1080P, P["audio"])
