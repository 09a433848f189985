"""The VAAPI backend: decode, scale (and tone map) and encode on an Intel or AMD GPU through a DRM render node."""

from __future__ import annotations

from integrations.ffmpeg import argv as shared
from integrations.ffmpeg import hardware
from integrations.ffmpeg.backend import CachedBackend
from integrations.ffmpeg.devices import DRI_DIR, render_nodes
from integrations.ffmpeg.probe import trial_encode, trial_source_args
from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest, TranscoderInfo

CODECS = hardware.HardwareCodecs(
    backend="vaapi",
    encoders={"h264": "h264_vaapi", "hevc": "hevc_vaapi"},
    profiles={
        "h264": {"baseline": "constrained_baseline", "main": "main", "high": "high"},
        "hevc": {"main": "main", "main10": "main10"},
    },
)
TONEMAP = "tonemap_vaapi=format=nv12:p=bt709:t=bt709:m=bt709"


def device_args(node: str) -> list[str]:
    """A VAAPI device named "va" on the render node, also used by the filters (hwupload)."""
    return ["-init_hw_device", f"vaapi=va:{node}", "-filter_hw_device", "va"]


class VaapiBackend(CachedBackend):
    name = "vaapi"

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

    async def _detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        nodes = [self._device] if self._device else render_nodes(self.dri_dir)
        if not nodes:
            return self.unavailable(f"no {self.dri_dir.rstrip('/')}/renderD* device")
        if "vaapi" not in ffmpeg.hwaccels:
            return self.unavailable(f"this ffmpeg ({ffmpeg.path}) was built without VAAPI")
        if "h264_vaapi" not in ffmpeg.encoders:
            return self.unavailable(f"this ffmpeg ({ffmpeg.path}) has no h264_vaapi encoder")

        async def trial(node: str) -> str | None:
            args = [*device_args(node), *trial_source_args(), "-vf", "format=nv12,hwupload", "-c:v", "h264_vaapi"]
            return await trial_encode(ffmpeg, args)

        node, failure = await hardware.first_working_node(nodes, trial)
        if node is None:
            return self.unavailable(f"the h264_vaapi test encode failed on {failure}")
        self._device = node
        return TranscoderInfo(
            name=self.name,
            available=True,
            video_encoders=CODECS.available(ffmpeg),
            ten_bit="hevc_vaapi" in ffmpeg.encoders,
            tone_mapping="tonemap_vaapi" in ffmpeg.filters,
            hardware=True,
        )

    def build_argv(self, request: TranscodeRequest, ffmpeg: FfmpegInfo) -> list[str]:
        checked = shared.validate_request(request)
        if request.video is None:
            return shared.assemble(
                request, ffmpeg, checked, before_input=[], video_args=shared.copy_video_args(request)
            )
        video = request.video
        encoder = CODECS.encoder(request, ffmpeg)
        profile_level = CODECS.profile_level_args(request, checked)
        hw_decoded = hardware.hw_decodable(request)
        before_input = device_args(self.device)
        if hw_decoded:
            before_input += ["-hwaccel", "vaapi", "-hwaccel_device", "va", "-hwaccel_output_format", "vaapi"]
        if video.tone_map:
            if "tonemap_vaapi" not in ffmpeg.filters:
                raise ValueError(f"video.tone_map: this ffmpeg ({ffmpeg.path}) has no tonemap_vaapi filter")
            scale = [f"scale_vaapi=w={video.width}:h={video.height}", TONEMAP]
        else:
            scale = [f"scale_vaapi=w={video.width}:h={video.height}:format={hardware.frames_format(request)}"]
        before, after = hardware.hardware_chain(
            request,
            checked,
            hw_decoded=hw_decoded,
            upload=[f"format={hardware.upload_format(request)}", "hwupload"],
            scale=scale,
            after_burn_in=["hwupload"],
        )
        video_args = [
            *shared.video_graph_args(request, checked, before, after),
            "-c:v",
            encoder,
            "-rc_mode",
            "VBR",
            *profile_level,
            *shared.rate_args(video),
            *shared.keyframe_args(request, checked),
            *shared.hevc_tag_args(request),
        ]
        return shared.assemble(request, ffmpeg, checked, before_input=before_input, video_args=video_args)
