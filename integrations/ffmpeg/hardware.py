"""Pieces the hardware backends (VAAPI, NVENC, QSV) share: encoder and profile checks, the filter chain around
decode/upload/scale/download, the render-node test encode loop, and a base class that assembles the argv."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest, TranscoderInfo

from .argv import allowed
from .argv.command import assemble, copy_video_args, hevc_tag_args, keyframe_args, rate_args
from .argv.fields import level_idc
from .argv.filters import video_graph_args
from .argv.validation import Checked, require_encoder, validate_request
from .backend import CachedBackend
from .devices import DRI_DIR, render_nodes

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
        require_encoder(ffmpeg, encoder)
        if video.bit_depth == 10 and video.codec != "hevc":
            raise ValueError(f"video.bit_depth: {encoder} encodes 8-bit video only")
        return encoder

    def profile_level_args(self, request: TranscodeRequest, checked: Checked) -> list[str]:
        video = request.video
        assert video is not None
        args: list[str] = []
        if video.profile is not None:
            name = self.profiles.get(video.codec, {}).get(video.profile)
            if name is None:
                raise ValueError(f"video.profile: the {self.backend} backend can't encode {video.profile!r}")
            args += ["-profile:v", name]
        if checked.level is not None:
            args += ["-level", str(level_idc(video.codec, checked.level))]
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


def scale_filters(
    request: TranscodeRequest,
    ffmpeg: FfmpegInfo,
    scaler: str,
    tonemap: str | None = None,
    missing_tonemap: str = "",
) -> list[str]:
    """The GPU scaler to the target size, and the tone mapping filter `tonemap` when the request asks for it.

    A tone mapping request is refused when this ffmpeg lacks the filter; `missing_tonemap` ends that message.
    """
    video = request.video
    assert video is not None
    if video.tone_map and tonemap is not None:
        name = tonemap.split("=", 1)[0]
        if name not in ffmpeg.filters:
            raise ValueError(f"video.tone_map: this ffmpeg ({ffmpeg.path}) has no {name} filter{missing_tonemap}")
        return [f"{scaler}=w={video.width}:h={video.height}", tonemap]
    return [f"{scaler}=w={video.width}:h={video.height}:format={frames_format(request)}"]


def hardware_chain(
    request: TranscodeRequest,
    checked: Checked,
    *,
    hw_decoded: bool,
    upload: list[str],
    scale: list[str],
    after_burn_in: list[str],
) -> tuple[list[str], list[str]]:
    """(before, after) for video_graph_args.

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
    return allowed.hw_decodable(request.video_stream, HW_DECODE_BIT_DEPTH)


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


class HardwareBackend(CachedBackend):
    """A backend that decodes, scales and encodes on a GPU. Subclasses set `name`, `codecs`, `hwaccel` and `label`
    (for detection messages), the encoder options, and implement `_detect` and `_pipeline`."""

    codecs: HardwareCodecs
    hwaccel: str  # as ffmpeg -hwaccels lists it
    label: str  # what the messages call it ("VAAPI")
    encoder_options: tuple[str, ...] = ()  # after "-c:v ENCODER", before the profile and level
    idr_options: tuple[str, ...] = ()  # after the keyframe options

    @property
    def trial_encoder(self) -> str:
        """The encoder detection checks for and test encodes with."""
        return self.codecs.encoders["h264"]

    def unsupported(self, ffmpeg: FfmpegInfo) -> TranscoderInfo | None:
        """Unavailable when this ffmpeg was built without the hwaccel or the test encoder, else None."""
        if self.hwaccel not in ffmpeg.hwaccels:
            return self.unavailable(f"this ffmpeg ({ffmpeg.path}) was built without {self.label}")
        if self.trial_encoder not in ffmpeg.encoders:
            return self.unavailable(f"this ffmpeg ({ffmpeg.path}) has no {self.trial_encoder} encoder")
        return None

    def detected(self, ffmpeg: FfmpegInfo, *, tone_mapping: bool) -> TranscoderInfo:
        return TranscoderInfo(
            name=self.name,
            available=True,
            video_encoders=self.codecs.available(ffmpeg),
            ten_bit=self.codecs.encoders["hevc"] in ffmpeg.encoders,
            tone_mapping=tone_mapping,
            hardware=True,
        )

    def _pipeline(
        self, request: TranscodeRequest, ffmpeg: FfmpegInfo, checked: Checked
    ) -> tuple[list[str], list[str], list[str]]:
        """(options before the input, filters before and after the subtitle burn-in) for a video transcode."""
        raise NotImplementedError

    def build_argv(self, request: TranscodeRequest, ffmpeg: FfmpegInfo) -> list[str]:
        checked = validate_request(request)
        if request.video is None:
            return assemble(request, ffmpeg, checked, before_input=[], video_args=copy_video_args(request))
        video = request.video
        encoder = self.codecs.encoder(request, ffmpeg)
        profile_level = self.codecs.profile_level_args(request, checked)
        before_input, before, after = self._pipeline(request, ffmpeg, checked)
        video_args = [
            *video_graph_args(request, checked, before, after),
            "-c:v",
            encoder,
            *self.encoder_options,
            *profile_level,
            *rate_args(video),
            *keyframe_args(request, checked),
            *self.idr_options,
            *hevc_tag_args(request),
        ]
        return assemble(request, ffmpeg, checked, before_input=before_input, video_args=video_args)


class RenderNodeBackend(HardwareBackend):
    """A hardware backend on a DRI render node: an explicit one, or the first whose test encode works."""

    def __init__(self, dri_dir: str = DRI_DIR, device: str | None = None) -> None:
        super().__init__()
        self.dri_dir = dri_dir
        self._device = device  # explicit, or the node whose test encode worked

    @property
    def device(self) -> str:
        if self._device:
            return self._device
        nodes = render_nodes(self.dri_dir)
        return nodes[0] if nodes else f"{self.dri_dir.rstrip('/')}/renderD128"

    def candidate_nodes(self) -> list[str]:
        return [self._device] if self._device else render_nodes(self.dri_dir)

    def no_nodes(self) -> TranscoderInfo:
        return self.unavailable(f"no {self.dri_dir.rstrip('/')}/renderD* device")

    async def detect_on_nodes(
        self,
        ffmpeg: FfmpegInfo,
        nodes: list[str],
        trial: Callable[[str], Awaitable[str | None]],
        *,
        tone_mapping: bool,
    ) -> TranscoderInfo:
        """Test encode on the nodes in turn; the first that works becomes the device."""
        node, failure = await first_working_node(nodes, trial)
        if node is None:
            return self.unavailable(f"the {self.trial_encoder} test encode failed on {failure}")
        self._device = node
        return self.detected(ffmpeg, tone_mapping=tone_mapping)
