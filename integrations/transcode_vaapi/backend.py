"""The VAAPI backend: decode, scale (and tone map) and encode on an Intel or AMD GPU through a DRM render node."""

from __future__ import annotations

from integrations.ffmpeg import hardware
from integrations.ffmpeg.argv.validation import Checked
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


class VaapiBackend(hardware.RenderNodeBackend):
    name = "vaapi"
    codecs = CODECS
    hwaccel = "vaapi"
    label = "VAAPI"
    encoder_options = ("-rc_mode", "VBR")

    async def _detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        nodes = self.candidate_nodes()
        if not nodes:
            return self.no_nodes()
        unsupported = self.unsupported(ffmpeg)
        if unsupported is not None:
            return unsupported

        async def trial(node: str) -> str | None:
            args = [*device_args(node), *trial_source_args(), "-vf", "format=nv12,hwupload", "-c:v", "h264_vaapi"]
            return await trial_encode(ffmpeg, args)

        return await self.detect_on_nodes(ffmpeg, nodes, trial, tone_mapping="tonemap_vaapi" in ffmpeg.filters)

    def _pipeline(
        self, request: TranscodeRequest, ffmpeg: FfmpegInfo, checked: Checked
    ) -> tuple[list[str], list[str], list[str]]:
        hw_decoded = hardware.hw_decodable(request)
        before_input = device_args(self.device)
        if hw_decoded:
            before_input += ["-hwaccel", "vaapi", "-hwaccel_device", "va", "-hwaccel_output_format", "vaapi"]
        before, after = hardware.hardware_chain(
            request,
            checked,
            hw_decoded=hw_decoded,
            upload=[f"format={hardware.upload_format(request)}", "hwupload"],
            scale=hardware.scale_filters(request, ffmpeg, "scale_vaapi", TONEMAP),
            after_burn_in=["hwupload"],
        )
        return before_input, before, after
