"""The software backend: decode, scale, tone map and encode on the CPU."""

from __future__ import annotations

from integrations.ffmpeg.argv.command import assemble, copy_video_args, hevc_tag_args, keyframe_args, rate_args
from integrations.ffmpeg.argv.fields import format_level
from integrations.ffmpeg.argv.filters import has_software_tonemap, software_tonemap_filters, video_graph_args
from integrations.ffmpeg.argv.validation import Checked, validate_request
from integrations.ffmpeg.backend import CachedBackend
from integrations.ffmpeg.probe import trial_encode, trial_source_args
from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest, TranscoderInfo

PRESET = "veryfast"
# AV1: libaom-av1 first. libsvtav1 before ffmpeg 6 ignores forced keyframes (one endless segment).
VIDEO_ENCODERS: dict[str, tuple[str, ...]] = {
    "h264": ("libx264",),
    "hevc": ("libx265",),
    "av1": ("libaom-av1", "libsvtav1"),
    "vp9": ("libvpx-vp9",),
}


def pick_encoder(codec: str, ffmpeg: FfmpegInfo) -> str | None:
    return next((name for name in VIDEO_ENCODERS.get(codec, ()) if name in ffmpeg.encoders), None)


class SoftwareBackend(CachedBackend):
    name = "software"

    async def _detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        if "libx264" not in ffmpeg.encoders:
            return self.unavailable(f"this ffmpeg ({ffmpeg.path}) has no libx264 encoder")
        if "testsrc2" not in ffmpeg.filters:
            return self.unavailable("this ffmpeg has no testsrc2 source for the test encode")
        failure = await trial_encode(ffmpeg, [*trial_source_args(), "-c:v", "libx264"])
        if failure is not None:
            return self.unavailable(f"the libx264 test encode failed: {failure}")
        codecs = frozenset(codec for codec in VIDEO_ENCODERS if pick_encoder(codec, ffmpeg))
        return TranscoderInfo(
            name=self.name,
            available=True,
            video_encoders=codecs,
            ten_bit="libx265" in ffmpeg.encoders,
            tone_mapping=has_software_tonemap(ffmpeg),
            hardware=False,
        )

    def build_argv(self, request: TranscodeRequest, ffmpeg: FfmpegInfo) -> list[str]:
        checked = validate_request(request)
        video_args = copy_video_args(request) if request.video is None else self._video_args(request, ffmpeg, checked)
        return assemble(request, ffmpeg, checked, before_input=[], video_args=video_args)

    def _video_args(self, request: TranscodeRequest, ffmpeg: FfmpegInfo, checked: Checked) -> list[str]:
        video = request.video
        assert video is not None
        encoder = pick_encoder(video.codec, ffmpeg)
        if encoder is None:
            wanted = " or ".join(VIDEO_ENCODERS[video.codec])
            raise ValueError(f"video.codec: this ffmpeg ({ffmpeg.path}) has no {wanted} encoder")
        ten_bit = video.bit_depth == 10
        before = [f"scale=w={video.width}:h={video.height}"]
        if video.tone_map:
            before += software_tonemap_filters(ffmpeg)  # ends in format=yuv420p
            after: list[str] = []
        else:
            after = ["format=yuv420p10le" if ten_bit else "format=yuv420p"]
        graph = video_graph_args(request, checked, before, after, overlay_format="yuv420p10" if ten_bit else "yuv420")
        return [*graph, *self._encoder_args(encoder, request, checked)]

    @staticmethod
    def _encoder_args(encoder: str, request: TranscodeRequest, checked: Checked) -> list[str]:
        video = request.video
        assert video is not None
        rate = rate_args(video)
        keyframes = keyframe_args(request, checked)
        if encoder == "libx264":
            args = ["-c:v", encoder, "-preset", PRESET]
            if video.profile:
                args += ["-profile:v", video.profile]
            if checked.level is not None:
                args += ["-level", format_level(checked.level)]
            return [*args, *rate, *keyframes, "-sc_threshold", "0"]
        if encoder == "libx265":
            params = ["log-level=error", "scenecut=0", "open-gop=0"]
            if checked.level is not None:
                params.append(f"level-idc={format_level(checked.level)}")
            args = ["-c:v", encoder, "-preset", PRESET]
            if video.profile:
                args += ["-profile:v", video.profile]
            args += [*rate, *keyframes, "-forced-idr", "1", "-x265-params", ":".join(params)]
            return [*args, *hevc_tag_args(request)]
        if encoder == "libaom-av1":
            return ["-c:v", encoder, "-usage", "realtime", "-cpu-used", "8", "-row-mt", "1", *rate, *keyframes]
        if encoder == "libsvtav1":  # SVT-AV1 refuses a max bitrate equal to the target: target only
            return ["-c:v", encoder, "-preset", "10", "-b:v", str(video.bitrate), *keyframes]
        return ["-c:v", encoder, "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", *rate, *keyframes]
