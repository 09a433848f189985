"""The four backends' argv builders against expected argvs and filter chains (no ffmpeg run here)."""

from __future__ import annotations

import dataclasses

import pytest

from integrations.transcode_nvenc.backend import NvencBackend
from integrations.transcode_qsv.backend import QsvBackend
from integrations.transcode_software.backend import SoftwareBackend
from integrations.transcode_vaapi.backend import VaapiBackend
from plugin_sdk.media import StreamInfo
from plugin_sdk.streaming import (
    AudioTarget,
    FfmpegInfo,
    SegmentOutput,
    SubtitleBurnIn,
    TranscodeRequest,
    VideoTarget,
)
from tests.integrations.transcoders.transcode_helpers import audio_stream, option, video_stream

FFMPEG = FfmpegInfo(
    path="/usr/bin/ffmpeg",
    version="5.1.9",
    encoders=frozenset(
        {
            "libx264",
            "libx265",
            "libaom-av1",
            "libsvtav1",
            "libvpx-vp9",
            "aac",
            "libopus",
            "libmp3lame",
            "ac3",
            "eac3",
            "flac",
            "h264_vaapi",
            "hevc_vaapi",
            "h264_nvenc",
            "hevc_nvenc",
            "h264_qsv",
            "hevc_qsv",
        }
    ),
    decoders=frozenset({"h264", "hevc", "av1", "h264_qsv", "hevc_qsv", "vp9_qsv", "mpeg2_qsv", "vc1_qsv"}),
    hwaccels=frozenset({"vaapi", "cuda", "qsv"}),
    filters=frozenset(
        {
            "scale",
            "format",
            "zscale",
            "tonemap",
            "colorspace",
            "subtitles",
            "overlay",
            "setpts",
            "scale_vaapi",
            "tonemap_vaapi",
            "hwupload",
            "hwdownload",
            "scale_cuda",
            "hwupload_cuda",
            "vpp_qsv",
            "testsrc2",
        }
    ),
)
HEAD = ["/usr/bin/ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats", "-progress", "pipe:1"]
INPUT = "/media/Movies/Heat (1995)/Heat (1995).mkv"
JOB = "/var/lib/marquee/transcodes/job 1"
HLS_TAIL = [
    "-hls_segment_type",
    "fmp4",
    "-hls_fmp4_init_filename",
    "init.mp4",
    "-start_number",
    "0",
    "-hls_flags",
    "independent_segments+temp_file",
    "-hls_playlist_type",
    "event",
    "-hls_segment_filename",
    f"{JOB}/seg_%05d.m4s",
    f"{JOB}/ffmpeg.m3u8",
]
AUDIO_AAC = ["-map", "0:1", "-c:a", "aac", "-b:a", "128000", "-ac", "2"]
TONEMAP_CHAIN = (
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
    "zscale=t=bt709:m=bt709:r=tv,format=yuv420p"
)
HDR10 = {
    "codec": "hevc",
    "width": 3840,
    "height": 2160,
    "bit_depth": 10,
    "pixel_format": "yuv420p10le",
    "color_transfer": "smpte2084",
    "color_primaries": "bt2020",
    "hdr": "HDR10",
}


def request(**changes: object) -> TranscodeRequest:
    base = TranscodeRequest(
        input_path=INPUT,
        video_stream=video_stream(),
        audio_stream=audio_stream(),
        video=VideoTarget("h264", 1280, 720, 3_000_000, max_bitrate=4_000_000, profile="high", level="4.1"),
        audio=AudioTarget("aac", 128_000, channels=2),
        output=SegmentOutput(JOB),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def video(**changes: object) -> VideoTarget:
    base = VideoTarget("h264", 1280, 720, 3_000_000, max_bitrate=4_000_000, profile="high", level="4.1")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


BACKENDS = [
    SoftwareBackend(),
    VaapiBackend(device="/dev/dri/renderD128"),
    NvencBackend(),
    QsvBackend(device="/dev/dri/renderD128"),
]


# -- complete argvs ---------------------------------------------------------------------------------------------------


def test_software_h264_720p_with_a_short_first_segment():
    assert SoftwareBackend().build_argv(request(), FFMPEG) == [
        *HEAD,
        "-i",
        INPUT,
        *("-map", "0:0", "-vf", "scale=w=1280:h=720,format=yuv420p"),
        *("-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-level", "4.1"),
        *("-b:v", "3000000", "-maxrate", "4000000", "-bufsize", "8000000"),
        *("-force_key_frames", "expr:gte(t,2+(n_forced-1)*6)", "-g", "288", "-sc_threshold", "0"),
        *AUDIO_AAC,
        *("-max_muxing_queue_size", "2048", "-f", "hls", "-hls_time", "2"),
        *HLS_TAIL,
    ]


def test_vaapi_hardware_decode_scale_and_encode():
    assert VaapiBackend(device="/dev/dri/renderD128").build_argv(request(), FFMPEG) == [
        *HEAD,
        *("-init_hw_device", "vaapi=va:/dev/dri/renderD128", "-filter_hw_device", "va"),
        *("-hwaccel", "vaapi", "-hwaccel_device", "va", "-hwaccel_output_format", "vaapi"),
        "-i",
        INPUT,
        *("-map", "0:0", "-vf", "scale_vaapi=w=1280:h=720:format=nv12"),
        *("-c:v", "h264_vaapi", "-rc_mode", "VBR", "-profile:v", "high", "-level", "41"),
        *("-b:v", "3000000", "-maxrate", "4000000", "-bufsize", "8000000"),
        *("-force_key_frames", "expr:gte(t,2+(n_forced-1)*6)", "-g", "288"),
        *AUDIO_AAC,
        *("-max_muxing_queue_size", "2048", "-f", "hls", "-hls_time", "2"),
        *HLS_TAIL,
    ]


def test_nvenc_cuda_decode_scale_cuda_and_p4_low_latency():
    assert NvencBackend().build_argv(request(), FFMPEG) == [
        *HEAD,
        *("-hwaccel", "cuda", "-hwaccel_output_format", "cuda"),
        "-i",
        INPUT,
        *("-map", "0:0", "-vf", "scale_cuda=w=1280:h=720:format=nv12"),
        *("-c:v", "h264_nvenc", "-preset", "p4", "-tune", "ll", "-rc", "vbr", "-profile:v", "high", "-level", "41"),
        *("-b:v", "3000000", "-maxrate", "4000000", "-bufsize", "8000000"),
        *("-force_key_frames", "expr:gte(t,2+(n_forced-1)*6)", "-g", "288", "-forced-idr", "1"),
        *AUDIO_AAC,
        *("-max_muxing_queue_size", "2048", "-f", "hls", "-hls_time", "2"),
        *HLS_TAIL,
    ]


def test_qsv_decoder_vpp_and_encoder():
    assert QsvBackend(device="/dev/dri/renderD128").build_argv(request(), FFMPEG) == [
        *HEAD,
        *("-init_hw_device", "vaapi=va:/dev/dri/renderD128", "-init_hw_device", "qsv=qs@va"),
        *("-filter_hw_device", "qs", "-hwaccel", "qsv", "-hwaccel_output_format", "qsv", "-c:v", "h264_qsv"),
        "-i",
        INPUT,
        *("-map", "0:0", "-vf", "vpp_qsv=w=1280:h=720:format=nv12"),
        *("-c:v", "h264_qsv", "-preset", "veryfast", "-profile:v", "high", "-level", "41"),
        *("-b:v", "3000000", "-maxrate", "4000000", "-bufsize", "8000000"),
        *("-force_key_frames", "expr:gte(t,2+(n_forced-1)*6)", "-g", "288", "-forced_idr", "1"),
        *AUDIO_AAC,
        *("-max_muxing_queue_size", "2048", "-f", "hls", "-hls_time", "2"),
        *HLS_TAIL,
    ]


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_remux_copies_video_and_audio_with_uniform_segments(backend):
    argv = backend.build_argv(request(video=None, audio=None), FFMPEG)
    assert argv == [
        *HEAD,
        "-i",
        INPUT,
        *("-map", "0:0", "-c:v", "copy", "-map", "0:1", "-c:a", "copy"),
        *("-max_muxing_queue_size", "2048", "-f", "hls", "-hls_time", "6"),
        *HLS_TAIL,
    ]
    assert "-force_key_frames" not in argv and "-hwaccel" not in argv


def test_remux_of_hevc_into_fmp4_is_tagged_hvc1_and_mpegts_is_not():
    hevc = video_stream(codec="hevc")
    argv = SoftwareBackend().build_argv(request(video_stream=hevc, video=None), FFMPEG)
    assert argv[argv.index("copy") - 3 : argv.index("copy") + 3] == ["-map", "0:0", "-c:v", "copy", "-tag:v", "hvc1"]
    ts = request(video_stream=hevc, video=None, output=SegmentOutput(JOB, container="mpegts"))
    argv = SoftwareBackend().build_argv(ts, FFMPEG)
    assert "-tag:v" not in argv and "-hls_fmp4_init_filename" not in argv
    assert option(argv, "-hls_segment_type") == "mpegts"
    assert option(argv, "-hls_segment_filename") == f"{JOB}/seg_%05d.ts"


def test_audio_only_request_maps_no_video():
    argv = SoftwareBackend().build_argv(request(video_stream=None, video=None), FFMPEG)
    assert "-vf" not in argv and "0:0" not in argv
    assert argv[argv.index("-map") : argv.index("-map") + 8] == AUDIO_AAC
    assert option(argv, "-hls_time") == "6"


# -- start offsets and segmenting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_start_offset_seeks_before_the_input_and_offsets_output_timestamps(backend):
    argv = backend.build_argv(request(start_seconds=754.25, output=SegmentOutput(JOB, start_number=125)), FFMPEG)
    at = argv.index("-i")
    assert argv[at - 2 : at + 2] == ["-ss", "754.25", "-i", INPUT]
    assert option(argv, "-output_ts_offset") == "754.25"
    assert option(argv, "-start_number") == "125"


def test_start_seconds_are_formatted_from_the_float():
    for value, text in [
        (1e-4, None),
        (0.5, "0.5"),
        (1 / 3, "0.333"),
        (7200, "7200"),
        (12.0, "12"),
        (90061.5, "90061.5"),
    ]:
        argv = SoftwareBackend().build_argv(request(start_seconds=value), FFMPEG)
        if text is None:  # rounds to zero milliseconds: no seek, no "1e-04"
            assert "-ss" not in argv or option(argv, "-ss") == "0"
        else:
            assert option(argv, "-ss") == text
        assert not any("e-" in arg for arg in argv)


def test_uniform_segments_force_keyframes_every_keyframe_seconds():
    argv = SoftwareBackend().build_argv(
        request(output=SegmentOutput(JOB, segment_seconds=6.0, first_segment_seconds=None)), FFMPEG
    )
    assert option(argv, "-hls_time") == "6"
    assert option(argv, "-force_key_frames") == "expr:gte(t,n_forced*2)"
    argv = SoftwareBackend().build_argv(
        request(
            video=video(keyframe_seconds=1.5), output=SegmentOutput(JOB, segment_seconds=3.0, first_segment_seconds=3.0)
        ),
        FFMPEG,
    )
    assert option(argv, "-hls_time") == "3"  # a first segment as long as the others is no short first segment
    assert option(argv, "-force_key_frames") == "expr:gte(t,n_forced*1.5)"


def test_short_first_segment_sets_hls_time_and_keyframes_at_segment_boundaries():
    argv = SoftwareBackend().build_argv(
        request(output=SegmentOutput(JOB, segment_seconds=4.0, first_segment_seconds=1.5)), FFMPEG
    )
    assert option(argv, "-hls_time") == "1.5"
    assert option(argv, "-force_key_frames") == "expr:gte(t,1.5+(n_forced-1)*4)"
    assert "-hls_init_time" not in argv
    assert option(argv, "-g") == str(2 * 4 * 24)  # two segments of the source's 24 fps


def test_gop_falls_back_to_60_fps_when_the_frame_rate_is_unknown():
    argv = SoftwareBackend().build_argv(request(video_stream=video_stream(frame_rate=None)), FFMPEG)
    assert option(argv, "-g") == str(2 * 6 * 60)


def test_keyframe_interval_must_divide_the_segment_length():
    with pytest.raises(ValueError, match=r"video.keyframe_seconds: 4 does not divide output.segment_seconds \(6\)"):
        SoftwareBackend().build_argv(
            request(video=video(keyframe_seconds=4.0), output=SegmentOutput(JOB, first_segment_seconds=None)), FFMPEG
        )


def test_threads_and_custom_names():
    output = SegmentOutput(JOB, playlist_name="main.m3u8", segment_pattern="part%d", start_number=3)
    argv = SoftwareBackend().build_argv(request(threads=4, output=output), FFMPEG)
    assert option(argv, "-threads") == "4"
    assert argv[-3:] == ["-hls_segment_filename", f"{JOB}/part%d.m4s", f"{JOB}/main.m3u8"]


# -- codecs, profiles, levels -----------------------------------------------------------------------------------------


def test_software_hevc_main10_uses_x265_params_and_hvc1():
    argv = SoftwareBackend().build_argv(
        request(video=video(codec="hevc", profile="main10", level="5.1", bit_depth=10)), FFMPEG
    )
    assert option(argv, "-c:v") == "libx265"
    assert option(argv, "-profile:v") == "main10"
    assert option(argv, "-vf") == "scale=w=1280:h=720,format=yuv420p10le"
    assert option(argv, "-x265-params") == "log-level=error:scenecut=0:open-gop=0:level-idc=5.1"
    assert option(argv, "-forced-idr") == "1"
    assert option(argv, "-tag:v") == "hvc1"
    assert "-level" not in argv


def test_software_av1_prefers_libaom_and_vp9_uses_libvpx():
    argv = SoftwareBackend().build_argv(request(video=video(codec="av1", profile=None, level=None)), FFMPEG)
    assert argv[argv.index("-c:v") : argv.index("-c:v") + 8] == [
        *("-c:v", "libaom-av1", "-usage", "realtime", "-cpu-used", "8", "-row-mt", "1"),
    ]
    svt_only = dataclasses.replace(FFMPEG, encoders=FFMPEG.encoders - {"libaom-av1"})
    argv = SoftwareBackend().build_argv(request(video=video(codec="av1", profile=None, level=None)), svt_only)
    assert option(argv, "-c:v") == "libsvtav1" and "-maxrate" not in argv
    argv = SoftwareBackend().build_argv(request(video=video(codec="vp9", profile=None, level=None)), FFMPEG)
    assert option(argv, "-c:v") == "libvpx-vp9" and option(argv, "-deadline") == "realtime"


def test_missing_encoder_is_a_value_error():
    no_x265 = dataclasses.replace(FFMPEG, encoders=FFMPEG.encoders - {"libx265"})
    with pytest.raises(ValueError, match=r"video.codec: .* has no libx265 encoder"):
        SoftwareBackend().build_argv(request(video=video(codec="hevc", profile="main", level=None)), no_x265)
    no_opus = dataclasses.replace(FFMPEG, encoders=FFMPEG.encoders - {"libopus"})
    with pytest.raises(ValueError, match=r"audio.codec: .* has no libopus encoder"):
        SoftwareBackend().build_argv(request(audio=AudioTarget("opus", 128_000)), no_opus)


@pytest.mark.parametrize(
    ("backend", "codec", "level", "expected"),
    [
        (SoftwareBackend(), "h264", "4.1", "4.1"),
        (SoftwareBackend(), "h264", "5", "5.0"),
        (VaapiBackend(device="/dev/dri/renderD128"), "h264", "4", "40"),
        (VaapiBackend(device="/dev/dri/renderD128"), "hevc", "4.1", "123"),
        (NvencBackend(), "h264", "6.2", "62"),
        (NvencBackend(), "hevc", "5.1", "153"),
        (QsvBackend(device="/dev/dri/renderD128"), "hevc", "3.1", "93"),
    ],
)
def test_levels_are_written_in_each_encoders_form(backend, codec, level, expected):
    profile = "main" if codec == "hevc" else "high"
    argv = backend.build_argv(request(video=video(codec=codec, profile=profile, level=level)), FFMPEG)
    assert option(argv, "-level") == expected


@pytest.mark.parametrize(
    ("backend", "profile", "expected"),
    [
        (SoftwareBackend(), "baseline", "baseline"),
        (VaapiBackend(device="/dev/dri/renderD128"), "baseline", "constrained_baseline"),
        (NvencBackend(), "main", "main"),
        (QsvBackend(device="/dev/dri/renderD128"), "high", "high"),
    ],
)
def test_profiles_map_to_each_encoders_names(backend, profile, expected):
    argv = backend.build_argv(request(video=video(profile=profile)), FFMPEG)
    assert option(argv, "-profile:v") == expected


@pytest.mark.parametrize("backend", BACKENDS[1:], ids=lambda b: b.name)
def test_hardware_backends_refuse_10_bit_h264_and_av1(backend):
    with pytest.raises(ValueError, match=r"video.bit_depth: .* encodes 8-bit video only"):
        backend.build_argv(request(video=video(profile="high10", bit_depth=10)), FFMPEG)
    with pytest.raises(ValueError, match=r"video.codec: the .* backend encodes h264 and hevc only, not av1"):
        backend.build_argv(request(video=video(codec="av1", profile=None, level=None)), FFMPEG)


@pytest.mark.parametrize("backend", BACKENDS[1:], ids=lambda b: b.name)
def test_hardware_hevc_main10_keeps_10_bit_frames(backend):
    argv = backend.build_argv(request(video=video(codec="hevc", profile="main10", level=None, bit_depth=10)), FFMPEG)
    assert ":format=p010" in option(argv, "-vf")
    assert option(argv, "-profile:v") == "main10"
    assert option(argv, "-tag:v") == "hvc1"


# -- software decoding on hardware backends ---------------------------------------------------------------------------


def test_vaapi_decodes_in_software_and_uploads_when_the_source_is_not_hw_decodable():
    for source in (video_stream(codec="av1"), video_stream(bit_depth=10, pixel_format="yuv420p10le")):
        argv = VaapiBackend(device="/dev/dri/renderD128").build_argv(request(video_stream=source), FFMPEG)
        assert "-hwaccel" not in argv
        assert argv[argv.index("-i") - 4 : argv.index("-i")] == [
            *("-init_hw_device", "vaapi=va:/dev/dri/renderD128", "-filter_hw_device", "va"),
        ]
        assert option(argv, "-vf") == "format=nv12,hwupload,scale_vaapi=w=1280:h=720:format=nv12"


def test_nvenc_and_qsv_upload_software_decoded_frames():
    av1 = video_stream(codec="av1")
    argv = NvencBackend().build_argv(request(video_stream=av1), FFMPEG)
    assert "-hwaccel" not in argv
    assert option(argv, "-vf") == "format=nv12,hwupload_cuda,scale_cuda=w=1280:h=720:format=nv12"
    argv = QsvBackend(device="/dev/dri/renderD128").build_argv(request(video_stream=av1), FFMPEG)
    assert "-hwaccel" not in argv and argv.count("-c:v") == 1
    assert option(argv, "-vf") == "format=nv12,hwupload=extra_hw_frames=64,vpp_qsv=w=1280:h=720:format=nv12"


def test_qsv_uses_software_decoding_when_this_ffmpeg_lacks_the_qsv_decoder():
    no_vc1 = dataclasses.replace(FFMPEG, decoders=FFMPEG.decoders - {"vc1_qsv"})
    argv = QsvBackend(device="/dev/dri/renderD128").build_argv(request(video_stream=video_stream(codec="vc1")), no_vc1)
    assert "-hwaccel" not in argv
    argv = QsvBackend(device="/dev/dri/renderD128").build_argv(request(video_stream=video_stream(codec="vc1")), FFMPEG)
    assert option(argv, "-hwaccel") == "qsv" and argv[argv.index("-i") - 1] == "vc1_qsv"


# -- HDR to SDR -------------------------------------------------------------------------------------------------------


def test_software_tone_mapping_chain_with_zscale():
    argv = SoftwareBackend().build_argv(request(video_stream=video_stream(**HDR10), video=video(tone_map=True)), FFMPEG)
    assert option(argv, "-vf") == f"scale=w=1280:h=720,{TONEMAP_CHAIN}"


def test_software_tone_mapping_falls_back_to_colorspace_without_zscale():
    no_zscale = dataclasses.replace(FFMPEG, filters=FFMPEG.filters - {"zscale"})
    argv = SoftwareBackend().build_argv(
        request(video_stream=video_stream(**HDR10), video=video(tone_map=True)), no_zscale
    )
    assert option(argv, "-vf") == "scale=w=1280:h=720,colorspace=all=bt709:iall=bt2020:format=yuv420p"


def test_vaapi_tone_mapping_with_tonemap_vaapi():
    backend = VaapiBackend(device="/dev/dri/renderD128")
    argv = backend.build_argv(request(video_stream=video_stream(**HDR10), video=video(tone_map=True)), FFMPEG)
    assert option(argv, "-hwaccel") == "vaapi"
    assert option(argv, "-vf") == "scale_vaapi=w=1280:h=720,tonemap_vaapi=format=nv12:p=bt709:t=bt709:m=bt709"
    av1_hdr = video_stream(**{**HDR10, "codec": "av1"})
    argv = backend.build_argv(request(video_stream=av1_hdr, video=video(tone_map=True)), FFMPEG)
    assert option(argv, "-vf") == (
        "format=p010,hwupload,scale_vaapi=w=1280:h=720,tonemap_vaapi=format=nv12:p=bt709:t=bt709:m=bt709"
    )
    no_tonemap = dataclasses.replace(FFMPEG, filters=FFMPEG.filters - {"tonemap_vaapi"})
    with pytest.raises(ValueError, match=r"video.tone_map: .* has no tonemap_vaapi filter"):
        backend.build_argv(request(video_stream=video_stream(**HDR10), video=video(tone_map=True)), no_tonemap)


def test_nvenc_tone_maps_only_with_tonemap_cuda():
    hdr = request(video_stream=video_stream(**HDR10), video=video(tone_map=True))
    with pytest.raises(ValueError, match=r"video.tone_map: .* no tonemap_cuda filter"):
        NvencBackend().build_argv(hdr, FFMPEG)
    with_tonemap_cuda = dataclasses.replace(FFMPEG, filters=FFMPEG.filters | {"tonemap_cuda"})
    argv = NvencBackend().build_argv(hdr, with_tonemap_cuda)
    assert option(argv, "-vf") == (
        "scale_cuda=w=1280:h=720,tonemap_cuda=tonemap=hable:desat=0:format=nv12:p=bt709:t=bt709:m=bt709"
    )


def test_qsv_does_not_tone_map():
    with pytest.raises(ValueError, match=r"video.tone_map: the qsv backend can't tone map"):
        QsvBackend(device="/dev/dri/renderD128").build_argv(
            request(video_stream=video_stream(**HDR10), video=video(tone_map=True)), FFMPEG
        )


# -- subtitle burn-in -------------------------------------------------------------------------------------------------


def external_text(path: str = "/media/Movies/Heat (1995)/Heat (1995).en.srt") -> SubtitleBurnIn:
    return SubtitleBurnIn(StreamInfo(index=-1, type="subtitle", codec="subrip", is_external=True, path=path))


def embedded_image(index: int = 3) -> SubtitleBurnIn:
    return SubtitleBurnIn(StreamInfo(index=index, type="subtitle", codec="hdmv_pgs_subtitle"))


def test_text_subtitle_path_is_escaped_inside_the_filter():
    path = "/media/it's [a], b; c: d\\e =f%.srt"
    argv = SoftwareBackend().build_argv(request(subtitle=external_text(path)), FFMPEG)
    assert option(argv, "-vf") == (
        "scale=w=1280:h=720,"
        "subtitles=filename=\\'/media/it\\'\\\\\\'\\'s \\[a\\]\\, b\\; c: d\\\\e =f%.srt\\',"
        "format=yuv420p"
    )


def test_text_subtitles_are_timed_in_file_time_after_a_seek():
    argv = SoftwareBackend().build_argv(request(subtitle=external_text("/subs/a.srt"), start_seconds=90.5), FFMPEG)
    assert option(argv, "-vf") == (
        "scale=w=1280:h=720,setpts=PTS+90.5/TB,subtitles=filename=\\'/subs/a.srt\\',setpts=PTS-90.5/TB,format=yuv420p"
    )


def test_embedded_image_subtitles_are_overlaid_at_the_target_size():
    argv = SoftwareBackend().build_argv(request(subtitle=embedded_image(3)), FFMPEG)
    assert "-vf" not in argv
    assert option(argv, "-filter_complex") == (
        "[0:0]scale=w=1280:h=720[main];[0:3]scale=w=1280:h=720[sub];"
        "[main][sub]overlay=eof_action=pass:repeatlast=0:format=yuv420,format=yuv420p[vout]"
    )
    assert argv[argv.index("-filter_complex") + 2 : argv.index("-filter_complex") + 4] == ["-map", "[vout]"]
    assert argv.count("-map") == 2  # [vout] and the audio


def test_image_subtitles_on_tone_mapped_video_are_overlaid_after_tone_mapping():
    argv = SoftwareBackend().build_argv(
        request(video_stream=video_stream(**HDR10), video=video(tone_map=True), subtitle=embedded_image(2)), FFMPEG
    )
    assert option(argv, "-filter_complex") == (
        f"[0:0]scale=w=1280:h=720,{TONEMAP_CHAIN}[main];[0:2]scale=w=1280:h=720[sub];"
        "[main][sub]overlay=eof_action=pass:repeatlast=0:format=yuv420[vout]"
    )


def test_hardware_burn_in_downloads_scaled_frames_and_uploads_them_again():
    text = request(subtitle=external_text("/subs/a.srt"))
    argv = VaapiBackend(device="/dev/dri/renderD128").build_argv(text, FFMPEG)
    assert option(argv, "-vf") == (
        "scale_vaapi=w=1280:h=720:format=nv12,hwdownload,format=nv12,subtitles=filename=\\'/subs/a.srt\\',"
        "format=nv12,hwupload"
    )
    argv = NvencBackend().build_argv(request(subtitle=embedded_image(4)), FFMPEG)
    assert option(argv, "-filter_complex") == (
        "[0:0]scale_cuda=w=1280:h=720:format=nv12,hwdownload,format=nv12[main];[0:4]scale=w=1280:h=720[sub];"
        "[main][sub]overlay=eof_action=pass:repeatlast=0:format=yuv420,format=nv12[vout]"
    )
    argv = QsvBackend(device="/dev/dri/renderD128").build_argv(text, FFMPEG)
    assert option(argv, "-vf").endswith("hwdownload,format=nv12,subtitles=filename=\\'/subs/a.srt\\',format=nv12")


def test_burn_in_needs_a_video_transcode_and_embedded_text_must_be_extracted():
    with pytest.raises(ValueError, match=r"subtitle: burning in subtitles needs a video transcode"):
        SoftwareBackend().build_argv(request(video=None, subtitle=external_text()), FFMPEG)
    embedded_text = SubtitleBurnIn(StreamInfo(index=2, type="subtitle", codec="subrip"))
    with pytest.raises(ValueError, match=r"subtitle.stream: embedded text subtitles must be extracted"):
        SoftwareBackend().build_argv(request(subtitle=embedded_text), FFMPEG)
    external_image = SubtitleBurnIn(
        StreamInfo(index=-1, type="subtitle", codec="pgssub", is_external=True, path="/s.sup")
    )
    with pytest.raises(ValueError, match=r"subtitle.stream: external image subtitles"):
        SoftwareBackend().build_argv(request(subtitle=external_image), FFMPEG)
    unknown = SubtitleBurnIn(StreamInfo(index=2, type="subtitle", codec="eia_608"))
    with pytest.raises(ValueError, match=r"subtitle.stream.codec: 'eia_608' can't be burned in"):
        SoftwareBackend().build_argv(request(subtitle=unknown), FFMPEG)


# -- audio ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audio", "expected"),
    [
        (AudioTarget("aac", 192_000, channels=6), ["-c:a", "aac", "-b:a", "192000", "-ac", "6"]),
        (
            AudioTarget("mp3", 320_000, sample_rate=44100),
            ["-c:a", "libmp3lame", "-b:a", "320000", "-ac", "2", "-ar", "44100"],
        ),
        (
            AudioTarget("opus", 256_000, channels=6),
            ["-c:a", "libopus", "-b:a", "256000", "-ac", "6", "-mapping_family", "1"],
        ),
        (AudioTarget("eac3", 640_000, channels=6), ["-c:a", "eac3", "-b:a", "640000", "-ac", "6"]),
        (AudioTarget("flac", 0 + 8_000, channels=2), ["-c:a", "flac", "-ac", "2"]),
    ],
)
def test_audio_encoders(audio, expected):
    argv = SoftwareBackend().build_argv(request(audio=audio), FFMPEG)
    start = argv.index("-c:a")
    assert argv[start - 2 : start + len(expected)] == ["-map", "0:1", *expected]
