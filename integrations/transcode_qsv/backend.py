"""The Quick Sync backend: qsv decoders, vpp_qsv scaling and h264_qsv/hevc_qsv on an Intel GPU.

The QSV device is derived from a VAAPI device on the render node (how it works on Linux). Decoding uses the
`*_qsv` decoders by name, which both ffmpeg 5.x (where `-hwaccel qsv` needs them) and later versions accept.
Tone mapping is not offered here (vpp_qsv has no tone mapping in ffmpeg 5.1): HDR to SDR goes to VAAPI or software.
"""

from __future__ import annotations

from integrations.ffmpeg import hardware
from integrations.ffmpeg.argv.validation import Checked
from integrations.ffmpeg.probe import trial_encode, trial_source_args
from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest, TranscoderInfo

CODECS = hardware.HardwareCodecs(
    backend="qsv",
    encoders={"h264": "h264_qsv", "hevc": "hevc_qsv"},
    profiles={
        "h264": {"baseline": "baseline", "main": "main", "high": "high"},
        "hevc": {"main": "main", "main10": "main10"},
    },
)
DECODERS = {"h264": "h264_qsv", "hevc": "hevc_qsv", "vp9": "vp9_qsv", "mpeg2video": "mpeg2_qsv", "vc1": "vc1_qsv"}


def device_args(node: str) -> list[str]:
    """A VAAPI device on the render node, a QSV device derived from it ("qs"), used by the filters too."""
    return ["-init_hw_device", f"vaapi=va:{node}", "-init_hw_device", "qsv=qs@va", "-filter_hw_device", "qs"]


class QsvBackend(hardware.RenderNodeBackend):
    name = "qsv"
    codecs = CODECS
    hwaccel = "qsv"
    label = "QSV"
    encoder_options = ("-preset", "veryfast")
    idr_options = ("-forced_idr", "1")

    async def _detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        unsupported = self.unsupported(ffmpeg)
        if unsupported is not None:
            return unsupported
        nodes = self.candidate_nodes()
        if not nodes:
            return self.no_nodes()

        async def trial(node: str) -> str | None:
            upload = "format=nv12,hwupload=extra_hw_frames=64"
            return await trial_encode(
                ffmpeg, [*device_args(node), *trial_source_args(), "-vf", upload, "-c:v", "h264_qsv"]
            )

        return await self.detect_on_nodes(ffmpeg, nodes, trial, tone_mapping=False)

    def _pipeline(
        self, request: TranscodeRequest, ffmpeg: FfmpegInfo, checked: Checked
    ) -> tuple[list[str], list[str], list[str]]:
        assert request.video is not None
        if request.video.tone_map:
            raise ValueError("video.tone_map: the qsv backend can't tone map HDR to SDR (use vaapi or software)")
        assert request.video_stream is not None
        decoder = DECODERS.get(request.video_stream.codec or "")
        hw_decoded = hardware.hw_decodable(request) and decoder is not None and decoder in ffmpeg.decoders
        before_input = device_args(self.device)
        if hw_decoded:
            assert decoder is not None
            before_input += ["-hwaccel", "qsv", "-hwaccel_output_format", "qsv", "-c:v", decoder]
        before, after = hardware.hardware_chain(
            request,
            checked,
            hw_decoded=hw_decoded,
            upload=[f"format={hardware.upload_format(request)}", "hwupload=extra_hw_frames=64"],
            scale=hardware.scale_filters(request, ffmpeg, "vpp_qsv"),
            after_burn_in=[],  # the QSV encoders take frames from system memory
        )
        return before_input, before, after
