"""Backend detection: the software backend really encodes here; the hardware ones say why they can't."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

import integrations.transcode_nvenc.backend as nvenc_module
import integrations.transcode_software.backend as software_module
from integrations.ffmpeg.devices import nvidia_present, render_nodes
from integrations.transcode_nvenc.backend import NvencBackend, explain_failure
from integrations.transcode_qsv.backend import QsvBackend
from integrations.transcode_software.backend import SoftwareBackend
from integrations.transcode_vaapi.backend import VaapiBackend

NO_RENDER_NODES = not render_nodes()
NO_NVIDIA = not os.path.exists("/dev/nvidia0")


async def test_software_is_available_after_a_real_test_encode(ffmpeg_info):
    info = await SoftwareBackend().detect(ffmpeg_info)
    assert info.available and info.reason is None and not info.hardware
    assert "h264" in info.video_encoders
    assert info.tone_mapping == ({"zscale", "tonemap"} <= ffmpeg_info.filters)
    assert info.ten_bit == ("libx265" in ffmpeg_info.encoders)


async def test_software_detection_is_cached_per_ffmpeg(ffmpeg_info, monkeypatch):
    calls = []
    real = software_module.trial_encode

    async def counting(ffmpeg, args, timeout=30.0):
        calls.append(args)
        return await real(ffmpeg, args, timeout)

    monkeypatch.setattr(software_module, "trial_encode", counting)
    backend = SoftwareBackend()
    first = await backend.detect(ffmpeg_info)
    assert await backend.detect(ffmpeg_info) is first
    assert len(calls) == 1
    backend.forget()
    await backend.detect(ffmpeg_info)
    assert len(calls) == 2


async def test_software_is_unavailable_without_libx264_or_when_the_test_encode_fails(ffmpeg_info, monkeypatch):
    no_x264 = dataclasses.replace(ffmpeg_info, encoders=ffmpeg_info.encoders - {"libx264"})
    info = await SoftwareBackend().detect(no_x264)
    assert not info.available and info.reason == f"this ffmpeg ({ffmpeg_info.path}) has no libx264 encoder"

    async def failing(ffmpeg, args, timeout=30.0):
        return "libx264: broken"

    monkeypatch.setattr(software_module, "trial_encode", failing)
    info = await SoftwareBackend().detect(ffmpeg_info)
    assert not info.available and info.reason == "the libx264 test encode failed: libx264: broken"


@pytest.mark.skipif(not NO_RENDER_NODES, reason="this machine has DRM render nodes")
async def test_vaapi_and_qsv_are_unavailable_without_a_render_node(ffmpeg_info):
    vaapi = await VaapiBackend().detect(ffmpeg_info)
    assert not vaapi.available and vaapi.reason == "no /dev/dri/renderD* device"
    qsv = await QsvBackend().detect(ffmpeg_info)
    assert not qsv.available
    if "qsv" in ffmpeg_info.hwaccels and "h264_qsv" in ffmpeg_info.encoders:
        assert qsv.reason == "no /dev/dri/renderD* device"


@pytest.mark.skipif(not NO_NVIDIA, reason="this machine has an NVIDIA device node")
async def test_nvenc_is_unavailable_without_an_nvidia_gpu(ffmpeg_info):
    info = await NvencBackend(smi="no-such-nvidia-smi").detect(ffmpeg_info)
    assert not info.available
    if {"cuda"} <= ffmpeg_info.hwaccels and "h264_nvenc" in ffmpeg_info.encoders:
        assert info.reason == "no NVIDIA GPU (/dev/nvidia0 is missing and no-such-nvidia-smi lists none)"


async def test_hardware_backends_check_the_ffmpeg_build_first(ffmpeg_info, tmp_path: Path):
    bare = dataclasses.replace(ffmpeg_info, hwaccels=frozenset(), encoders=frozenset({"libx264", "aac"}))
    (tmp_path / "renderD128").write_text("")
    vaapi = await VaapiBackend(dri_dir=str(tmp_path)).detect(bare)
    assert vaapi.reason == f"this ffmpeg ({ffmpeg_info.path}) was built without VAAPI"
    nvenc = await NvencBackend().detect(bare)
    assert nvenc.reason == f"this ffmpeg ({ffmpeg_info.path}) was built without CUDA"
    qsv = await QsvBackend(dri_dir=str(tmp_path)).detect(bare)
    assert qsv.reason == f"this ffmpeg ({ffmpeg_info.path}) was built without QSV"
    with_accels = dataclasses.replace(bare, hwaccels=frozenset({"vaapi", "cuda", "qsv"}))
    assert (await VaapiBackend(dri_dir=str(tmp_path)).detect(with_accels)).reason.endswith("has no h264_vaapi encoder")
    assert (await NvencBackend().detect(with_accels)).reason.endswith("has no h264_nvenc encoder")
    assert (await QsvBackend(dri_dir=str(tmp_path)).detect(with_accels)).reason.endswith("has no h264_qsv encoder")


async def test_a_render_node_that_does_not_work_fails_the_test_encode(ffmpeg_info, tmp_path: Path):
    """A fake render node (a plain file) gets as far as the test encode, which reports ffmpeg's error."""
    if not ({"vaapi", "qsv"} <= ffmpeg_info.hwaccels and {"h264_vaapi", "h264_qsv"} <= ffmpeg_info.encoders):
        pytest.skip("this ffmpeg has no VAAPI/QSV")
    (tmp_path / "renderD128").write_text("")
    vaapi = await VaapiBackend(dri_dir=str(tmp_path)).detect(ffmpeg_info)
    assert not vaapi.available
    assert vaapi.reason.startswith(f"the h264_vaapi test encode failed on {tmp_path}/renderD128: ")
    qsv = await QsvBackend(dri_dir=str(tmp_path)).detect(ffmpeg_info)
    assert not qsv.available
    assert qsv.reason.startswith(f"the h264_qsv test encode failed on {tmp_path}/renderD128: ")


async def test_nvenc_test_encode_failure_is_explained(ffmpeg_info, tmp_path: Path):
    """With a (fake) NVIDIA device node, detection runs the h264_nvenc test encode and explains its failure."""
    if not ("cuda" in ffmpeg_info.hwaccels and "h264_nvenc" in ffmpeg_info.encoders) or not NO_NVIDIA:
        pytest.skip("needs an ffmpeg with NVENC and no NVIDIA GPU")
    device = tmp_path / "nvidia0"
    device.write_text("")
    info = await NvencBackend(device=str(device)).detect(ffmpeg_info)
    assert not info.available
    assert info.reason.startswith(("the NVIDIA driver (libcuda) is not installed", "the h264_nvenc test encode failed"))


@pytest.mark.parametrize(
    ("stderr_line", "expected"),
    [
        # An H100/H200 (NVDEC, no NVENC): the session can't be opened on the GPU
        (
            "h264_nvenc: OpenEncodeSessionEx failed: unsupported device (2): (no details)",
            "no NVENC encoder on this GPU",
        ),
        ("h264_nvenc: No capable devices found", "no NVENC encoder on this GPU"),
        ("h264_nvenc: OpenEncodeSessionEx failed: no encode device (1): (no details)", "no NVENC encoder on this GPU"),
        ("h264_nvenc: Cannot load libnvidia-encode.so.1", "the NVIDIA driver's encoder library is missing"),
        ("h264_nvenc: Cannot load libcuda.so.1", "the NVIDIA driver (libcuda) is not installed"),
        (
            "h264_nvenc: Driver does not support the required nvenc API version. Required: 12.0 Found: 11.1",
            "the NVIDIA driver is too old for this ffmpeg",
        ),
        ("h264_nvenc: something else", "the h264_nvenc test encode failed: h264_nvenc: something else"),
    ],
)
def test_nvenc_failures_are_said_plainly(stderr_line, expected):
    assert explain_failure(stderr_line).startswith(expected)


async def test_explicit_device_is_used_in_the_argv_and_detection(ffmpeg_info, tmp_path: Path):
    assert VaapiBackend(device="/dev/dri/renderD129").device == "/dev/dri/renderD129"
    (tmp_path / "renderD130").write_text("")
    (tmp_path / "renderD129").write_text("")
    assert render_nodes(str(tmp_path)) == [f"{tmp_path}/renderD129", f"{tmp_path}/renderD130"]
    assert VaapiBackend(dri_dir=str(tmp_path)).device == f"{tmp_path}/renderD129"
    assert QsvBackend(dri_dir=str(tmp_path / "none")).device == f"{tmp_path}/none/renderD128"


def fake_smi(tmp_path: Path, body: str) -> str:
    script = tmp_path / "nvidia-smi"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


async def test_nvidia_present_reads_nvidia_smi(tmp_path: Path):
    missing = str(tmp_path / "nvidia0")
    listing = "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0000)"
    assert await nvidia_present(missing, fake_smi(tmp_path, f'echo "{listing}"'))
    assert not await nvidia_present(missing, fake_smi(tmp_path, "echo 'NVIDIA-SMI has failed' >&2; exit 9"))
    assert not await nvidia_present(missing, fake_smi(tmp_path, "exec sleep 30"), timeout=0.3)
    assert not await nvidia_present(missing, str(tmp_path / "no-such-tool"))
    (tmp_path / "nvidia0").write_text("")
    assert await nvidia_present(missing, str(tmp_path / "no-such-tool"))


async def test_a_gpu_without_nvenc_is_reported_as_such(ffmpeg_info, tmp_path: Path, monkeypatch):
    """An H100/H200: nvidia-smi lists the GPU, ffmpeg has h264_nvenc, the test encode can't open a session."""
    with_nvenc = dataclasses.replace(
        ffmpeg_info, hwaccels=ffmpeg_info.hwaccels | {"cuda"}, encoders=ffmpeg_info.encoders | {"h264_nvenc"}
    )

    async def no_encoder(ffmpeg, args, timeout=30.0):
        assert args[-2:] == ["-c:v", "h264_nvenc"]
        return "h264_nvenc: OpenEncodeSessionEx failed: unsupported device (2): (no details)"

    monkeypatch.setattr(nvenc_module, "trial_encode", no_encoder)
    smi = fake_smi(tmp_path, 'echo "GPU 0: NVIDIA H200 (UUID: GPU-1111)"')
    info = await NvencBackend(device=str(tmp_path / "nvidia0"), smi=smi).detect(with_nvenc)
    assert not info.available
    assert info.reason.startswith("no NVENC encoder on this GPU")
