"""The transcoder integrations in a real hub: four backends through the `transcoders` hook, each detected."""

from __future__ import annotations

from core.setup import State
from integrations.ffmpeg import ready_ffmpeg
from integrations.ffmpeg.devices import render_nodes
from plugin_sdk.streaming import TranscoderInfo

DOMAINS = ["ffmpeg", "transcode_software", "transcode_vaapi", "transcode_nvenc", "transcode_qsv"]


async def test_backends_are_collected_and_detected(marquee_hub):
    running = await marquee_hub(only=DOMAINS)
    records = running.hub.integrations.records
    assert all(records[d].state is State.LOADED for d in DOMAINS), {d: records[d].reason for d in DOMAINS}
    results = running.hub.hooks.hook.transcoders()  # a list of lists, one per integration
    backends = [backend for result in results for backend in result]
    assert sorted(backend.name for backend in backends) == ["nvenc", "qsv", "software", "vaapi"]
    ffmpeg = await ready_ffmpeg(running.hub)
    infos = {backend.name: await backend.detect(ffmpeg) for backend in backends}
    assert all(isinstance(info, TranscoderInfo) and info.name == name for name, info in infos.items())
    assert infos["software"].available, infos["software"].reason
    assert "h264" in infos["software"].video_encoders
    for name in ("vaapi", "nvenc", "qsv"):
        info = infos[name]
        assert info.available or info.reason, f"{name} is unavailable without a reason"
    if not render_nodes():
        assert infos["vaapi"].reason == "no /dev/dri/renderD* device"
        assert not infos["qsv"].available
