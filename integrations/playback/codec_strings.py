"""Codec facts the playback decisions need: profile names and their order, levels, RFC 6381 codec strings.

Profile names are compared in a normalised form: lowercase letters and digits only, as ffmpeg (and so the probe)
names them ("High 10" -> "high10", "Main 10" -> "main10", "Profile 2" -> "profile2"). Levels are handled in
tenths ("4.1" -> 41) whatever the codec's own coding is: ffmpeg reports H.264 levels as level_idc (41), HEVC as
general_level_idc (30 x level: 123), AV1 as seq_level_idx (9 for 4.1) and VP9 as 10 x level when known.
"""

from __future__ import annotations

import math
import re

# Each codec's profiles, in order: a client that plays one plays those ranked below it.
PROFILE_RANKS: dict[str, dict[str, int]] = {
    "h264": {
        "constrainedbaseline": 0,
        "baseline": 1,
        "main": 2,
        "extended": 3,
        "high": 4,
        "high10": 5,
        "high10intra": 5,
        "high422": 6,
        "high422intra": 6,
        "high444": 7,
        "high444predictive": 7,
        "high444intra": 7,
        "cavlc444": 7,
        "cavlc444intra": 7,
    },
    "hevc": {"main": 0, "mainstillpicture": 0, "main10": 1, "main10stillpicture": 1, "rext": 2, "scc": 3},
    "vp9": {"profile0": 0, "profile1": 1, "profile2": 2, "profile3": 3},
    "av1": {"main": 0, "high": 1, "professional": 2},
}
# The levels each codec defines, in tenths.
LEVELS: dict[str, tuple[int, ...]] = {
    "h264": (10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62),
    "hevc": (10, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62),
    "vp9": (10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62),
    "av1": tuple(major * 10 + minor for major in range(2, 8) for minor in range(4)),
}
# Per level (tenths): max frame size, max sample (or macroblock) rate, max bitrate (bps).
# H.264 (Table A-1): macroblocks per frame, macroblocks per second, MaxBR of the Main profile.
_H264_LIMITS = (
    (10, 99, 1485, 64_000),
    (11, 396, 3000, 192_000),
    (12, 396, 6000, 384_000),
    (13, 396, 11880, 768_000),
    (20, 396, 11880, 2_000_000),
    (21, 792, 19800, 4_000_000),
    (22, 1620, 20250, 4_000_000),
    (30, 1620, 40500, 10_000_000),
    (31, 3600, 108000, 14_000_000),
    (32, 5120, 216000, 20_000_000),
    (40, 8192, 245760, 20_000_000),
    (41, 8192, 245760, 50_000_000),
    (42, 8704, 522240, 50_000_000),
    (50, 22080, 589824, 135_000_000),
    (51, 36864, 983040, 240_000_000),
    (52, 36864, 2073600, 240_000_000),
    (60, 139264, 4177920, 240_000_000),
    (61, 139264, 8355840, 480_000_000),
    (62, 139264, 16711680, 800_000_000),
)
# HEVC (Table A.8/A.9, Main tier): luma samples per picture, luma samples per second, MaxBR.
_HEVC_LIMITS = (
    (10, 36864, 552960, 128_000),
    (20, 122880, 3686400, 1_500_000),
    (21, 245760, 7372800, 3_000_000),
    (30, 552960, 16588800, 6_000_000),
    (31, 983040, 33177600, 10_000_000),
    (40, 2228224, 66846720, 12_000_000),
    (41, 2228224, 133693440, 20_000_000),
    (50, 8912896, 267386880, 25_000_000),
    (51, 8912896, 534773760, 40_000_000),
    (52, 8912896, 1069547520, 60_000_000),
    (60, 35651584, 1069547520, 60_000_000),
    (61, 35651584, 2139095040, 120_000_000),
    (62, 35651584, 4278190080, 240_000_000),
)
# AV1 (Annex A.3, Main tier): MaxPicSize, MaxDisplayRate, MaxBitrate.
_AV1_LIMITS = (
    (20, 147456, 4423680, 1_500_000),
    (21, 278784, 8363520, 3_000_000),
    (30, 665856, 19975680, 6_000_000),
    (31, 1065024, 31950720, 10_000_000),
    (40, 2359296, 70778880, 12_000_000),
    (41, 2359296, 141557760, 20_000_000),
    (50, 8912896, 267386880, 30_000_000),
    (51, 8912896, 534773760, 40_000_000),
    (52, 8912896, 1069547520, 60_000_000),
    (53, 8912896, 1069547520, 60_000_000),
    (60, 35651584, 1069547520, 60_000_000),
    (61, 35651584, 2139095040, 100_000_000),
    (62, 35651584, 4278190080, 160_000_000),
    (63, 35651584, 4278190080, 160_000_000),
)
# VP9 (webmproject.org/vp9/levels): MaxLumaPictureSize, MaxLumaSampleRate, MaxBitrate.
_VP9_LIMITS = (
    (10, 36864, 829440, 200_000),
    (11, 73728, 2764800, 800_000),
    (20, 122880, 4608000, 1_800_000),
    (21, 245760, 9216000, 3_600_000),
    (30, 552960, 20736000, 7_200_000),
    (31, 983040, 36864000, 12_000_000),
    (40, 2228224, 83558400, 18_000_000),
    (41, 2228224, 160432128, 30_000_000),
    (50, 8912896, 311951360, 60_000_000),
    (51, 8912896, 588251136, 120_000_000),
    (52, 8912896, 1176502272, 180_000_000),
    (60, 35651584, 1176502272, 180_000_000),
    (61, 35651584, 2353004544, 240_000_000),
    (62, 35651584, 4706009088, 480_000_000),
)
_LIMITS = {"h264": _H264_LIMITS, "hevc": _HEVC_LIMITS, "av1": _AV1_LIMITS, "vp9": _VP9_LIMITS}

# avc1.PPCCLL: profile_idc and constraint flags for each H.264 profile.
_AVC_PROFILE_BYTES = {
    "constrainedbaseline": (0x42, 0xE0),
    "baseline": (0x42, 0x00),
    "main": (0x4D, 0x40),
    "extended": (0x58, 0x00),
    "high": (0x64, 0x00),
    "high10": (0x6E, 0x00),
    "high10intra": (0x6E, 0x10),
    "high422": (0x7A, 0x00),
    "high422intra": (0x7A, 0x10),
    "high444": (0xF4, 0x00),
    "high444predictive": (0xF4, 0x00),
    "high444intra": (0xF4, 0x10),
    "cavlc444": (0x2C, 0x00),
    "cavlc444intra": (0x2C, 0x10),
}
# hvc1.<profile_idc>.<compatibility flags, bit-reversed hex>: Main, Main 10, Range extensions.
_HEVC_PROFILE_FIELDS = {"main": "1.6", "mainstillpicture": "3.8", "main10": "2.4", "rext": "4.10", "scc": "9.200"}
_AAC_OBJECT_TYPES = {"lc": 2, "he": 5, "heaac": 5, "hev2": 29, "heaacv2": 29, "main": 1, "ssr": 3, "ltp": 4}
AUDIO_CODEC_STRINGS = {
    "mp3": "mp4a.40.34",
    "ac3": "ac-3",
    "eac3": "ec-3",
    "opus": "opus",
    "flac": "fLaC",
    "alac": "alac",
    "dts": "dtsc",
    "truehd": "mlpa",
    "vorbis": "vorbis",
}
_LEVEL_TEXT = re.compile(r"^\d(\.\d)?$")


def normalize_profile(value: str | None) -> str | None:
    """ "High 10" -> "high10"; None or an empty name -> None. VP9 profiles may be given as bare digits."""
    if value is None:
        return None
    name = re.sub(r"[^a-z0-9]", "", value.lower())
    if name.isdigit():
        name = f"profile{name}"
    if name == "sccextensions" or name == "screencontentcoding":
        name = "scc"
    return name or None


def profile_rank(codec: str, profile: str | None) -> int | None:
    """Where a profile sits among its codec's profiles; None for a codec or profile we don't rank."""
    name = normalize_profile(profile)
    return PROFILE_RANKS.get(codec, {}).get(name) if name else None


def parse_level(text: str) -> int | None:
    """ "4.1" -> 41, "5" -> 50; None for anything else."""
    if not isinstance(text, str) or not _LEVEL_TEXT.match(text):
        return None
    major, _, minor = text.partition(".")
    return int(major) * 10 + int(minor or 0)


def format_level(tenths: int) -> str:
    """41 -> "4.1", 50 -> "5" (the form VideoTarget.level uses: digits and at most one dot)."""
    major, minor = divmod(tenths, 10)
    return f"{major}.{minor}" if minor else str(major)


def source_level(codec: str | None, level: int | None) -> int | None:
    """A stream's level in tenths from ffmpeg's raw value, or None when unknown or not meaningful."""
    if level is None or level <= 0 or codec not in LEVELS:
        return None
    if codec == "hevc":
        return round(level / 3)
    if codec == "av1":
        if level > 23:  # 31: "no level constraints"
            return None
        return (2 + level // 4) * 10 + level % 4
    return level


def required_level(codec: str, width: int, height: int, frame_rate: float | None, bitrate: int | None) -> int | None:
    """The lowest level (tenths) whose limits hold a stream of this size, frame rate and bitrate."""
    limits = _LIMITS.get(codec)
    if limits is None:
        return None
    fps = frame_rate if frame_rate and frame_rate > 0 else 30.0
    size = math.ceil(width / 16) * math.ceil(height / 16) if codec == "h264" else width * height  # MBs or samples
    rate = size * fps
    for tenths, max_size, max_rate, max_bitrate in limits:
        if size <= max_size and rate <= max_rate and (bitrate is None or bitrate <= max_bitrate):
            return tenths
    return limits[-1][0]


def video_codec_string(codec: str, profile: str | None, level: int | None, bit_depth: int | None = None) -> str | None:
    """RFC 6381 / ISO BMFF codec string for CODECS= (level in tenths). None for codecs HLS can't carry."""
    name = normalize_profile(profile)
    if codec == "h264":
        profile_idc, constraints = _AVC_PROFILE_BYTES.get(name or "high", _AVC_PROFILE_BYTES["high"])
        return f"avc1.{profile_idc:02x}{constraints:02x}{(level or 40):02x}"
    if codec == "hevc":
        if name not in _HEVC_PROFILE_FIELDS:
            name = "main10" if (bit_depth or 8) > 8 else "main"
        return f"hvc1.{_HEVC_PROFILE_FIELDS[name]}.L{(level or 120) * 3}.B0"
    if codec == "vp9":
        vp9_profile = PROFILE_RANKS["vp9"].get(name or "", 2 if (bit_depth or 8) > 8 else 0)
        return f"vp09.{vp9_profile:02d}.{(level or 40):02d}.{bit_depth or 8:02d}"
    if codec == "av1":
        av1_profile = PROFILE_RANKS["av1"].get(name or "", 0)
        tenths = level or 40
        seq_level_idx = (tenths // 10 - 2) * 4 + tenths % 10
        return f"av01.{av1_profile}.{seq_level_idx:02d}M.{bit_depth or 8:02d}"
    return None


def audio_codec_string(codec: str, profile: str | None = None) -> str | None:
    """RFC 6381 codec string of an audio codec ("mp4a.40.2" for AAC-LC, "ac-3", "opus"); None when unknown."""
    if codec == "aac":
        name = normalize_profile(profile) or "lc"
        return f"mp4a.40.{_AAC_OBJECT_TYPES.get(name, 2)}"
    return AUDIO_CODEC_STRINGS.get(codec)
