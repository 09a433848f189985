"""Pieces the hardware backends (VAAPI, NVENC, QSV) share: encoder and profile checks, the filter chain around
decode/upload/scale/download, and the render-node test encode loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest

from . import argv as shared

# The codecs hardware decoders are counted on for, with the deepest bit depth (4:2:0 only). AV1 decoding needs
# recent GPUs and can't be checked without opening the device, so AV1 sources are decoded in software.
HW_DECODE_BIT_DEPTH = {"h264": 8, "hevc": 10, "vp9": 10, "mpeg2video": 8, "vc1": 8}


@dataclass(frozen=True, slots=True)
class HardwareCodecs:
    """One backend's encoders and the profile names its encoders take for ours."""

    backend: str
    encoders: dict[str, str]  # our codec -> ffmpeg encoder
    profiles: dict[str, dict[str, str]]  # our codec -> our profile -> the encoder's profile name

    def encoder(self, request: TranscodeRequest, ffmpeg: FfmpegInfo) -> str:
        video = request.video
        assert video is not None
        encoder = self.encoders.get(video.codec)
        if encoder is None:
            codecs = " and ".join(sorted(self.encoders))
            raise ValueError(f"video.codec: the {self.backend} backend encodes {codecs} only, not {video.codec}")
        shared.require_encoder(ffmpeg, encoder)
        if video.bit_depth == 10 and video.codec != "hevc":
            raise ValueError(f"video.bit_depth: {encoder} encodes 8-bit video only")
        return encoder

    def profile_level_args(self, request: TranscodeRequest, checked: shared.Checked) -> list[str]:
        video = request.video
        assert video is not None
        args: list[str] = []
        if video.profile is not None:
            name = self.profiles.get(video.codec, {}).get(video.profile)
            if name is None:
                raise ValueError(f"video.profile: the {self.backend} backend can't encode {video.profile!r}")
            args += ["-profile:v", name]
        if checked.level is not None:
            args += ["-level", str(shared.level_idc(video.codec, checked.level))]
        return args

    def available(self, ffmpeg: FfmpegInfo) -> frozenset[str]:
        return frozenset(codec for codec, encoder in self.encoders.items() if encoder in ffmpeg.encoders)


def frames_format(request: TranscodeRequest) -> str:
    """The hardware frames' format after scaling: p010 for 10-bit output, else nv12 (also after tone mapping)."""
    assert request.video is not None
    return "p010" if request.video.bit_depth == 10 and not request.video.tone_map else "nv12"


def upload_format(request: TranscodeRequest) -> str:
    """What software-decoded frames are converted to before upload: 10-bit when the output or tone mapping needs it."""
    assert request.video is not None
    return "p010" if request.video.bit_depth == 10 or request.video.tone_map else "nv12"


def hardware_chain(
    request: TranscodeRequest,
    checked: shared.Checked,
    *,
    hw_decoded: bool,
    upload: list[str],
    scale: list[str],
    after_burn_in: list[str],
) -> tuple[list[str], list[str]]:
    """(before, after) for shared.video_graph_args.

    Frames are uploaded when decoded in software, scaled (and tone mapped) on the GPU, and, when subtitles are
    burned in, downloaded at the target size for the CPU filters and handed back with `after_burn_in`.
    """
    before = ([] if hw_decoded else list(upload)) + list(scale)
    if checked.subtitle is None:
        return before, []
    fmt = frames_format(request)
    return [*before, "hwdownload", f"format={fmt}"], [f"format={fmt}", *after_burn_in]


def hw_decodable(request: TranscodeRequest) -> bool:
    assert request.video_stream is not None
    return shared.hw_decodable(request.video_stream, HW_DECODE_BIT_DEPTH)


async def first_working_node(
    nodes: list[str], trial: Callable[[str], Awaitable[str | None]], limit: int = 4
) -> tuple[str | None, str | None]:
    """(the first render node whose test encode works, None) or (None, the first failure)."""
    first_failure = None
    for node in nodes[:limit]:
        failure = await trial(node)
        if failure is None:
            return node, None
        first_failure = first_failure or f"{node}: {failure}"
    return None, first_failure
