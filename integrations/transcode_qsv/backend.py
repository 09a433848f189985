"""The Quick Sync backend: qsv decoders, vpp_qsv scaling and h264_qsv/hevc_qsv on an Intel GPU.

The QSV device is derived from a VAAPI device on the render node (how it works on Linux). Decoding uses the
`*_qsv` decoders by name, which both ffmpeg 5.x (where `-hwaccel qsv` needs them) and later versions accept.
Tone mapping is not offered here (vpp_qsv has no tone mapping in ffmpeg 5.1): HDR to SDR goes to VAAPI or software.
"""

from __future__ import annotations

from integrations.ffmpeg import argv as shared
from integrations.ffmpeg import hardware
from integrations.ffmpeg.backend import CachedBackend
from integrations.ffmpeg.devices import DRI_DIR, render_nodes
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


class QsvBackend(CachedBackend):
    name = "qsv"

    def __init__(self, dri_dir: str = DRI_DIR, device: str | None = None) -> None:
        super().__init__()
        self.dri_dir = dri_dir
        self._device = device

    @property
    def device(self) -> str:
        if self._device:
            return self._device
        nodes = render_nodes(self.dri_dir)
        return nodes[0] if nodes else f"{self.dri_dir.rstrip('/')}/renderD128"

    async def _detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        if "qsv" not in ffmpeg.hwaccels:
            return self.unavailable(f"this ffmpeg ({ffmpeg.path}) was built without QSV")
        if "h264_qsv" not in ffmpeg.encoders:
            return self.unavailable(f"this ffmpeg ({ffmpeg.path}) has no h264_qsv encoder")
        nodes = [self._device] if self._device else render_nodes(self.dri_dir)
        if not nodes:
            return self.unavailable(f"no {self.dri_dir.rstrip('/')}/renderD* device")

        async def trial(node: str) -> str | None:
            upload = "format=nv12,hwupload=extra_hw_frames=64"
            return await trial_encode(
                ffmpeg, [*device_args(node), *trial_source_args(), "-vf", upload, "-c:v", "h264_qsv"]
            )

        node, failure = await hardware.first_working_node(nodes, trial)
        if node is None:
            return self.unavailable(f"the h264_qsv test encode failed on {failure}")
        self._device = node
        return TranscoderInfo(
            name=self.name,
            available=True,
            video_encoders=CODECS.available(ffmpeg),
            ten_bit="hevc_qsv" in ffmpeg.encoders,
            tone_mapping=False,
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
        if video.tone_map:
            raise ValueError("video.tone_map: the qsv backend can't tone map HDR to SDR (use vaapi or software)")
        assert request.video_stream is not None
        decoder = DECODERS.get(request.video_stream.codec or "")
        hw_decoded = hardware.hw_decodable(request) and decoder is not None and decoder in ffmpeg.decoders
        before_input = device_args(self.device)
        if hw_decoded:
            assert decoder is not None
            before_input += ["-hwaccel", "qsv", "-hwaccel_output_format", "qsv", "-c:v", decoder]
        fmt = hardware.frames_format(request)
        before, after = hardware.hardware_chain(
            request,
            checked,
            hw_decoded=hw_decoded,
            upload=[f"format={hardware.upload_format(request)}", "hwupload=extra_hw_frames=64"],
            scale=[f"vpp_qsv=w={video.width}:h={video.height}:format={fmt}"],
            after_burn_in=[],  # the QSV encoders take frames from system memory
        )
        video_args = [
            *shared.video_graph_args(request, checked, before, after),
            "-c:v",
            encoder,
            "-preset",
            "veryfast",
            *profile_level,
            *shared.rate_args(video),
            *shared.keyframe_args(request, checked),
            "-forced_idr",
            "1",
            *shared.hevc_tag_args(request),
        ]
        return shared.assemble(request, ffmpeg, checked, before_input=before_input, video_args=video_args)
