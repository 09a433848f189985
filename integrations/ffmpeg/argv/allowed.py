"""What a value in a transcode request may be: the fixed tables and bounds it is checked against, and the
streams hardware decoders take."""

from __future__ import annotations

from plugin_sdk.media import StreamInfo
from plugin_sdk.streaming import AUDIO_CODECS, VIDEO_CODECS

# -- fixed tables ---------------------------------------------------------------------------------------------

PROFILES: dict[str, frozenset[str]] = {
    "h264": frozenset({"baseline", "main", "high", "high10"}),
    "hevc": frozenset({"main", "main10"}),
    "av1": frozenset({"main"}),
    "vp9": frozenset(),
}
TEN_BIT_PROFILES = frozenset({"high10", "main10"})
# Levels in tenths ("4.1" -> 41), as the codecs define them. AV1 and VP9 take no level here.
LEVELS: dict[str, frozenset[int]] = {
    "h264": frozenset({10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62}),
    "hevc": frozenset({10, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62}),
}

AUDIO_ENCODERS = {"aac": "aac", "mp3": "libmp3lame", "opus": "libopus", "ac3": "ac3", "eac3": "eac3", "flac": "flac"}
AUDIO_MAX_CHANNELS = {"aac": 8, "mp3": 2, "opus": 8, "ac3": 6, "eac3": 8, "flac": 8}
SAMPLE_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000})
OPUS_SAMPLE_RATES = frozenset({8000, 12000, 16000, 24000, 48000})
# What each segment container can carry.
CONTAINER_VIDEO = {"fmp4": frozenset(VIDEO_CODECS), "mpegts": frozenset({"h264", "hevc"})}
CONTAINER_AUDIO = {"fmp4": frozenset(AUDIO_CODECS), "mpegts": frozenset({"aac", "mp3", "opus", "ac3", "eac3"})}
SEGMENT_EXTENSIONS = {"fmp4": "m4s", "mpegts": "ts"}
INIT_FILENAME = "init.mp4"

# Subtitle codecs as the probe (ffmpeg) and find_external_subtitles name them. ".sub" files are read as MicroDVD.
TEXT_SUBTITLE_CODECS = frozenset(
    {
        "subrip",
        "srt",
        "ass",
        "ssa",
        "webvtt",
        "mov_text",
        "text",
        "microdvd",
        "sub",
        "subviewer",
        "subviewer1",
        "sami",
        "realtext",
        "mpl2",
        "vplayer",
        "pjs",
        "jacosub",
        "stl",
    }
)
IMAGE_SUBTITLE_CODECS = frozenset(
    {"hdmv_pgs_subtitle", "pgssub", "dvd_subtitle", "dvdsub", "dvb_subtitle", "dvbsub", "xsub"}
)

# -- bounds ---------------------------------------------------------------------------------------------------

MIN_SIZE, MAX_WIDTH, MAX_HEIGHT = 16, 7680, 4320
VIDEO_BITRATE = (32_000, 400_000_000)
AUDIO_BITRATE = (8_000, 1_536_000)
SEGMENT_SECONDS = (0.5, 60.0)
KEYFRAME_SECONDS = (0.25, 60.0)
MAX_START_SECONDS = 1_000_000.0  # ~277 hours
MAX_START_NUMBER = 10_000_000
MAX_STREAM_INDEX = 4095
MAX_THREADS = 128
MAX_PATH = 4096


# 4:2:0 pixel formats hardware decoders take (None: the probe did not say).
HW_DECODABLE_PIXEL_FORMATS = frozenset({None, "yuv420p", "yuvj420p", "nv12", "yuv420p10le", "p010le"})


def hw_decodable(stream: StreamInfo, max_bit_depth: dict[str, int]) -> bool:
    """Whether a hardware decoder is expected to take this stream: codec listed, 4:2:0, bit depth within reach."""
    limit = max_bit_depth.get(stream.codec or "")
    if limit is None or stream.pixel_format not in HW_DECODABLE_PIXEL_FORMATS:
        return False
    return (stream.bit_depth or 8) <= limit
