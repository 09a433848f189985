"""The NVENC backend: NVDEC decoding, scale_cuda, and h264_nvenc/hevc_nvenc on an NVIDIA GPU.

Not every NVIDIA GPU has NVENC: data-centre parts such as the A100, H100 and H200 have NVDEC but no encoder.
ffmpeg still lists h264_nvenc (the encoder is built in, the hardware decides), so only a test encode tells;
its failure is reported as "no NVENC encoder on this GPU".
"""

from __future__ import annotations

from integrations.ffmpeg import hardware
from integrations.ffmpeg.argv.validation import Checked
from integrations.ffmpeg.devices import NVIDIA_DEVICE, nvidia_present
from integrations.ffmpeg.probe import trial_encode, trial_source_args
from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest, TranscoderInfo

CODECS = hardware.HardwareCodecs(
    backend="nvenc",
    encoders={"h264": "h264_nvenc", "hevc": "hevc_nvenc"},
    profiles={
        "h264": {"baseline": "baseline", "main": "main", "high": "high"},
        "hevc": {"main": "main", "main10": "main10"},
    },
)
# tonemap_cuda is not in upstream ffmpeg (Jellyfin's build has it); without it HDR sources can't be tone mapped here.
TONEMAP = "tonemap_cuda=tonemap=hable:desat=0:format=nv12:p=bt709:t=bt709:m=bt709"

_NO_ENCODER = ("no capable devices found", "no encode device", "unsupported device", "openencodesessionex failed")


def explain_failure(message: str) -> str:
    """A test encode's first error line, said plainly."""
    lowered = message.lower()
    if any(marker in lowered for marker in _NO_ENCODER):
        return f"no NVENC encoder on this GPU ({message})"
    if "libnvidia-encode" in lowered:
        return (
            f"the NVIDIA driver's encoder library is missing ({message}); in a container, enable the 'video' capability"
        )
    if "libcuda" in lowered:
        return f"the NVIDIA driver (libcuda) is not installed ({message})"
    if "driver does not support the required nvenc api version" in lowered:
        return f"the NVIDIA driver is too old for this ffmpeg ({message})"
    return f"the h264_nvenc test encode failed: {message}"


class NvencBackend(hardware.HardwareBackend):
    name = "nvenc"
    codecs = CODECS
    hwaccel = "cuda"
    label = "CUDA"
    encoder_options = ("-preset", "p4", "-tune", "ll", "-rc", "vbr")
    idr_options = ("-forced-idr", "1")

    def __init__(self, device: str = NVIDIA_DEVICE, smi: str = "nvidia-smi") -> None:
        super().__init__()
        self.device = device
        self.smi = smi

    async def _detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        unsupported = self.unsupported(ffmpeg)
        if unsupported is not None:
            return unsupported
        if not await nvidia_present(self.device, self.smi):
            return self.unavailable(f"no NVIDIA GPU ({self.device} is missing and {self.smi} lists none)")
        failure = await trial_encode(ffmpeg, [*trial_source_args(), "-c:v", "h264_nvenc"])
        if failure is not None:
            return self.unavailable(explain_failure(failure))
        return self.detected(ffmpeg, tone_mapping="tonemap_cuda" in ffmpeg.filters)

    def _pipeline(
        self, request: TranscodeRequest, ffmpeg: FfmpegInfo, checked: Checked
    ) -> tuple[list[str], list[str], list[str]]:
        hw_decoded = hardware.hw_decodable(request)
        before_input = ["-hwaccel", "cuda", "-hwaccel_output_format", "cuda"] if hw_decoded else []
        scale = hardware.scale_filters(
            request, ffmpeg, "scale_cuda", TONEMAP, ", so the nvenc backend can't tone map HDR to SDR"
        )
        before, after = hardware.hardware_chain(
            request,
            checked,
            hw_decoded=hw_decoded,
            upload=[f"format={hardware.upload_format(request)}", "hwupload_cuda"],
            scale=scale,
            after_burn_in=[],  # NVENC takes frames from system memory
        )
        return before_input, before, after
