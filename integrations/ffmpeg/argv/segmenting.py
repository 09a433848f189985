"""Segment length and keyframe placement for the HLS muxer.

ffmpeg's `-hls_init_time` does not give a short first segment with an EVENT (or VOD) playlist: the hls
muxer only switches from init_time to hls_time once the first "list size" entries exist, and with an unlimited
list (hls_list_size 0, implied by EVENT) that never happens, so every segment gets init_time (seen in 5.1.9 and in
the 9.0.2 imageio-ffmpeg build). Instead, when a video transcode wants a short first segment, `-hls_time` is set to
the first segment's length and keyframes are forced only at segment boundaries (0, F, F+S, F+2S...): the muxer
cuts at the first keyframe past each multiple of hls_time, so it cuts at every boundary keyframe and nowhere else,
giving F, S, S... Without a short first segment, keyframes are forced every `keyframe_seconds` (which must divide
the segment length) and `-hls_time` is the segment length. Remuxes and audio-only jobs can't place keyframes, so
they get uniform segments (their first segment is quick anyway: nothing is encoded).
"""

from __future__ import annotations

import math

from plugin_sdk.streaming import TranscodeRequest

from .fields import fail, format_seconds

DEFAULT_FRAME_RATE = 60.0


def segmenting(request: TranscodeRequest) -> tuple[float, str | None]:
    """(-hls_time, -force_key_frames value or None). See the module docstring for why."""
    output, video = request.output, request.video
    segment = float(output.segment_seconds)
    if video is None:
        return segment, None
    first = output.first_segment_seconds
    if first is not None and first < segment:
        return float(first), f"expr:gte(t,{format_seconds(first)}+(n_forced-1)*{format_seconds(segment)})"
    keyframe = float(video.keyframe_seconds)
    ratio = segment / keyframe
    if abs(ratio - round(ratio)) > 1e-6:
        raise fail(
            "video.keyframe_seconds",
            f"{keyframe:g} does not divide output.segment_seconds ({segment:g}); segments would be uneven",
        )
    return segment, f"expr:gte(t,n_forced*{format_seconds(keyframe)})"


def gop_frames(request: TranscodeRequest) -> int:
    """A GOP longer than two segments, so the encoder never adds a keyframe of its own: forced keyframes decide."""
    rate = request.video_stream.frame_rate if request.video_stream is not None else None
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not math.isfinite(rate) or not 1 <= rate <= 300:
        rate = DEFAULT_FRAME_RATE
    return max(2, math.ceil(2 * float(request.output.segment_seconds) * rate))
