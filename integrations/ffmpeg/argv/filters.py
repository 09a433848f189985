"""Video filter chains: the path quoting filtergraphs need, subtitle burn-in (text as a filter, images as an
overlay), the video mapping around the backend's own filters, and software tone mapping."""

from __future__ import annotations

from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest

from .fields import format_seconds
from .validation import Checked


def escape_filter_path(path: str) -> str:
    """A path as a filter option value inside a filtergraph string (two levels of ffmpeg quoting).

    Level 1 (the filter's options): the value in single quotes, a quote written as '\\''. Level 2 (the graph):
    every one of \\ ' [ ] , ; backslash-escaped. Tested with real ffmpeg on names holding spaces, quotes,
    colons, commas, brackets, semicolons, backslashes and '%'. Control characters are rejected earlier.
    """
    quoted = "'" + path.replace("'", "'\\''") + "'"
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in quoted)


def text_subtitle_filters(request: TranscodeRequest) -> list[str]:
    """Burn in an external text subtitle file. The subtitles filter times cues by frame timestamps, which start at
    0 after `-ss`: shift them to file time around it."""
    assert request.subtitle is not None and request.subtitle.stream.path is not None
    burn = f"subtitles=filename={escape_filter_path(request.subtitle.stream.path)}"
    start = float(request.start_seconds)
    if start <= 0:
        return [burn]
    offset = format_seconds(start)
    return [f"setpts=PTS+{offset}/TB", burn, f"setpts=PTS-{offset}/TB"]


def video_graph_args(
    request: TranscodeRequest,
    checked: Checked,
    before: list[str],
    after: list[str],
    *,
    overlay_format: str = "yuv420",
) -> list[str]:
    """The video filters and the video mapping.

    `before` runs on the decoded video and, when subtitles are burned in, must leave frames in system memory at
    the target size; `after` runs after the burn-in (pixel format, hardware upload). Text subtitles are a filter
    in the chain (-vf); image subtitles are a second graph input overlaid with -filter_complex.
    """
    assert request.video is not None and request.video_stream is not None
    index = request.video_stream.index
    if checked.subtitle != "image":
        chain = list(before)
        if checked.subtitle == "text":
            chain += text_subtitle_filters(request)
        chain += after
        return ["-map", f"0:{index}", "-vf", ",".join(chain)] if chain else ["-map", f"0:{index}"]
    assert request.subtitle is not None
    video = request.video
    main = ",".join(before) or "null"
    overlay = f"overlay=eof_action=pass:repeatlast=0:format={overlay_format}"
    tail = ",".join([overlay, *after])
    graph = (
        f"[0:{index}]{main}[main];"
        f"[0:{request.subtitle.stream.index}]scale=w={video.width}:h={video.height}[sub];"
        f"[main][sub]{tail}[vout]"
    )
    return ["-filter_complex", graph, "-map", "[vout]"]


def software_tonemap_filters(ffmpeg: FfmpegInfo) -> list[str]:
    """HDR (PQ/HLG, BT.2020) to SDR BT.709 on the CPU: zscale + tonemap (hable) when this ffmpeg has zscale, else
    a plain colorspace conversion (no tone mapping: highlights clip, colours are close)."""
    if has_software_tonemap(ffmpeg):
        return [
            "zscale=t=linear:npl=100",
            "format=gbrpf32le",
            "zscale=p=bt709",
            "tonemap=tonemap=hable:desat=0",
            "zscale=t=bt709:m=bt709:r=tv",
            "format=yuv420p",
        ]
    return ["colorspace=all=bt709:iall=bt2020:format=yuv420p"]


def has_software_tonemap(ffmpeg: FfmpegInfo) -> bool:
    return {"zscale", "tonemap"} <= ffmpeg.filters
