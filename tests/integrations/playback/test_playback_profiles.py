"""Device profiles: built-ins, resolve_profile, and validation of client-supplied profiles (exact messages)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol

import integrations.playback as playback
from core.manifest import read_manifest
from integrations.playback.profiles import (
    BUILTIN_PROFILES,
    CONTAINERS,
    PROFILE_SCHEMA,
    DeviceProfile,
    ProfileError,
    VideoCodecSupport,
    resolve_profile,
    validate_profile,
)

MINIMAL = {"audio_codecs": ["aac"]}
BITRATE = "max_bitrate: expected a bitrate in bits per second from 64000 to 10000000000, got"


def error_of(data: Any) -> str:
    with pytest.raises(ProfileError) as err:
        validate_profile(data)
    return str(err.value)


def test_manifest_and_setup() -> None:
    folder = Path(playback.__file__).parent
    manifest = read_manifest(folder, expected_domain="playback")
    assert (manifest.domain, manifest.name, manifest.version) == ("playback", "Playback decisions", "0.1.0")
    raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert raw["kind"] == "api"
    assert raw["codeowners"] == ["@marquee/core"]
    assert raw["quality"] == "internal"
    assert raw["documentation"] == "https://marquee.dev/integrations/playback"


async def test_async_setup() -> None:
    assert await playback.async_setup(None, {}) is True


def test_builtin_profiles() -> None:
    assert sorted(BUILTIN_PROFILES) == ["android", "audio", "browser", "safari", "tv"]
    browser = BUILTIN_PROFILES["browser"]
    assert browser.video_codecs["h264"] == VideoCodecSupport(max_profile="high", max_level="5.1", max_bit_depth=8)
    assert set(browser.video_codecs) == {"h264", "vp9", "av1"}
    assert browser.video_containers == {"mp4", "m4v", "webm"}
    assert browser.audio_codecs == {"aac", "mp3", "opus", "flac", "vorbis"}
    assert browser.external_subtitle_formats == {"webvtt"}
    assert (browser.hls, browser.hls_fmp4, browser.dash, browser.hdr) == (True, True, False, frozenset())
    safari = BUILTIN_PROFILES["safari"]
    assert safari.video_codecs["hevc"].max_profile == "main10"
    assert {"ac3", "eac3", "alac"} <= safari.audio_codecs
    assert safari.hdr == {"HDR10", "HLG", "DolbyVision"}
    assert BUILTIN_PROFILES["android"].subtitle_formats == {"subrip", "ass", "ssa", "webvtt"}
    tv = BUILTIN_PROFILES["tv"]
    assert (tv.max_width, tv.max_height, tv.video_codecs["hevc"].max_bit_depth) == (3840, 2160, 10)
    assert {"ac3", "eac3", "dts", "aac"} <= tv.audio_codecs
    assert "pgssub" in tv.subtitle_formats
    audio = BUILTIN_PROFILES["audio"]
    assert (audio.video_codecs, audio.video_containers) == ({}, frozenset())
    assert audio.audio_containers == {"mp3", "aac", "m4a", "flac", "ogg", "opus"}


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_builtin_profiles_round_trip_through_the_schema(name: str) -> None:
    profile = BUILTIN_PROFILES[name]
    assert validate_profile(json.loads(json.dumps(profile.as_dict()))) == profile


def test_resolve_profile() -> None:
    assert resolve_profile(None, None) is BUILTIN_PROFILES["browser"]
    assert resolve_profile("tv", None) is BUILTIN_PROFILES["tv"]
    capped = resolve_profile("tv", {"max_bitrate": 8_000_000})
    assert capped.max_bitrate == 8_000_000
    assert capped.name == "tv"
    assert capped.video_codecs == BUILTIN_PROFILES["tv"].video_codecs
    custom = resolve_profile(
        None, {"name": "kodi", "audio_codecs": ["AAC", "dts"], "video_codecs": {"HEVC": {}}, "hls": True}
    )
    assert custom == DeviceProfile(
        name="kodi", audio_codecs=frozenset({"aac", "dts"}), video_codecs={"hevc": VideoCodecSupport()}, hls=True
    )
    with pytest.raises(ProfileError, match=r"^unknown profile 'roku' \(expected one of: android, audio, browser, "):
        resolve_profile("roku", None)
    with pytest.raises(ProfileError, match=r"^max_width: expected a size in pixels from 16 to 16384, got 0$"):
        resolve_profile("browser", {"max_width": 0})
    with pytest.raises(ProfileError, match=r"^expected a JSON object$"):
        resolve_profile(None, ["aac"])  # type: ignore[arg-type]


def test_custom_profile_normalised() -> None:
    profile = validate_profile(
        {
            "name": "Living room",
            "video_containers": ["MKV", "mp4"],
            "audio_containers": [],
            "video_codecs": {
                "H264": {"max_profile": "High 10", "max_level": "5", "max_bit_depth": 10},
                "vp9": {"max_profile": "2"},
                "mpeg2video": {},
            },
            "audio_codecs": ["aac", "truehd"],
            "max_width": 1920,
            "max_height": 1080,
            "max_bitrate": 20_000_000,
            "max_audio_channels": 8,
            "subtitle_formats": ["subrip", "PGSSUB"],
            "external_subtitle_formats": ["webvtt"],
            "hdr": ["hdr10", "HLG"],
            "hls": True,
            "hls_fmp4": True,
            "dash": False,
        }
    )
    assert profile.video_containers == {"mkv", "mp4"}
    assert profile.video_codecs == {
        "h264": VideoCodecSupport(max_profile="high10", max_level="5", max_bit_depth=10),
        "vp9": VideoCodecSupport(max_profile="profile2"),
        "mpeg2video": VideoCodecSupport(),
    }
    assert profile.hdr == {"HDR10", "HLG"}
    assert profile.subtitle_formats == {"subrip", "pgssub"}
    assert profile.max_bitrate == 20_000_000
    assert isinstance(PROFILE_SCHEMA, vol.Schema)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "audio_codecs: is required"),
        ([], "expected a JSON object"),
        ({**MINIMAL, "max_bitrate": -5}, f"{BITRATE} -5"),
        ({**MINIMAL, "max_bitrate": "8M"}, f"{BITRATE} '8M'"),
        ({**MINIMAL, "max_bitrate": True}, f"{BITRATE} True"),
        ({**MINIMAL, "max_width": 0}, "max_width: expected a size in pixels from 16 to 16384, got 0"),
        ({**MINIMAL, "max_height": 1080.5}, "max_height: expected a size in pixels from 16 to 16384, got 1080.5"),
        ({**MINIMAL, "max_audio_channels": 0}, "max_audio_channels: expected a number of channels from 1 to 16, got 0"),
        ({**MINIMAL, "hls": "yes"}, "hls: expected true or false, got 'yes'"),
        ({**MINIMAL, "name": ""}, "name: expected a name of 1 to 64 printable characters"),
        ({**MINIMAL, "colour": "red"}, "colour: unknown field"),
        (
            {**MINIMAL, "video_containers": ["mp4", "my mkv"]},
            f"video_containers[1]: unknown container 'my mkv' (expected one of: {', '.join(sorted(CONTAINERS))})",
        ),
        ({**MINIMAL, "audio_containers": "mp3"}, "audio_containers: expected a list of container names"),
        ({**MINIMAL, "audio_containers": [3]}, "audio_containers[0]: expected a container name (a string), got 3"),
        (
            {"audio_codecs": ["aac", "mp3 "]},
            "audio_codecs[1]: unknown audio codec 'mp3 ' (expected one of: aac, ac3, alac, dts, eac3, flac, mp2, mp3, "
            "opus, pcm, truehd, vorbis, wmav2)",
        ),
        (
            {"audio_codecs": ["alac", "dts"]},
            "audio_codecs: must include at least one codec the server encodes (aac, ac3, eac3, flac, mp3, opus)",
        ),
        (
            {**MINIMAL, "video_codecs": {"h266": {}}},
            "video_codecs.h266: unknown video codec 'h266' (expected one of: av1, h264, hevc, mpeg2video, mpeg4, "
            "vc1, vp8, vp9)",
        ),
        (
            {**MINIMAL, "video_codecs": {"vp8": {}}},
            "video_codecs: must include at least one codec the server encodes (av1, h264, hevc, vp9)",
        ),
        (
            {**MINIMAL, "video_codecs": ["h264"]},
            "video_codecs: expected an object: codec name -> {max_profile, max_level, max_bit_depth}",
        ),
        (
            {**MINIMAL, "video_codecs": {"h264": "high"}},
            "video_codecs.h264: expected an object with max_profile, max_level, max_bit_depth",
        ),
        (
            {**MINIMAL, "video_codecs": {"h264": {"max_level": "abc"}}},
            "video_codecs.h264.max_level: expected a level such as '4.1', got 'abc'",
        ),
        (
            {**MINIMAL, "video_codecs": {"h264": {"max_level": 4.1}}},
            "video_codecs.h264.max_level: expected a level such as '4.1', got 4.1",
        ),
        (
            {**MINIMAL, "video_codecs": {"h264": {"max_level": "9.9"}}},
            "video_codecs.h264.max_level: '9.9' is not a level of h264 (1 to 6.2)",
        ),
        (
            {**MINIMAL, "video_codecs": {"hevc": {"max_profile": "ultra"}}},
            "video_codecs.hevc.max_profile: unknown hevc profile 'ultra' (expected one of: main, mainstillpicture, "
            "main10, main10stillpicture, rext, scc)",
        ),
        (
            {**MINIMAL, "video_codecs": {"h264": {}, "vp8": {"max_profile": "main"}}},
            "video_codecs.vp8.max_profile: profiles are not checked for vp8; leave it out",
        ),
        (
            {**MINIMAL, "video_codecs": {"h264": {"max_bit_depth": 9}}},
            "video_codecs.h264.max_bit_depth: expected one of 8, 10, 12, got 9",
        ),
        ({**MINIMAL, "video_codecs": {"h264": {"tier": "high"}}}, "video_codecs.h264.tier: unknown field"),
        (
            {**MINIMAL, "hdr": ["HDR10", "HDR11"]},
            "hdr[1]: unknown HDR format 'HDR11' (expected one of: HDR10, HLG, DolbyVision)",
        ),
        (
            {**MINIMAL, "subtitle_formats": ["subrip", "pdf"]},
            "subtitle_formats[1]: unknown subtitle format 'pdf' (expected one of: ass, dvb_subtitle, dvd_subtitle, "
            "mov_text, pgssub, ssa, subrip, ttml, webvtt)",
        ),
        ({**MINIMAL, "hls_fmp4": True}, "hls_fmp4: needs hls: true"),
        (
            {**MINIMAL, "video_codecs": {"h264": {}}},
            "video_containers: a client with video codecs needs video_containers, hls or dash",
        ),
        (
            {**MINIMAL, "max_width": -1, "max_height": 0, "colour": 1},
            "colour: unknown field; max_height: expected a size in pixels from 16 to 16384, got 0; "
            "max_width: expected a size in pixels from 16 to 16384, got -1",
        ),
    ],
)
def test_profile_validation_errors(data: Any, message: str) -> None:
    assert error_of(data) == message
