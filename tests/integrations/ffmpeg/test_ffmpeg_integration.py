"""The ffmpeg integration in a real hub: it shares an FfmpegInfo, honours its config, and fails clearly."""

from __future__ import annotations

import pytest

from core.setup import State
from integrations.ffmpeg import get_ffmpeg, locate, ready_ffmpeg
from plugin_sdk.streaming import FfmpegInfo
from plugin_sdk.testing import ConfigurationRejected

TRANSCODERS = ["transcode_software", "transcode_vaapi", "transcode_nvenc", "transcode_qsv"]


async def test_setup_shares_what_ffmpeg_can_do(marquee_hub, ffmpeg_info):
    running = await marquee_hub(only=["ffmpeg"])
    assert get_ffmpeg(running.hub).path == ffmpeg_info.path  # the binary is known at once; its abilities soon after
    info = await ready_ffmpeg(running.hub)
    assert isinstance(info, FfmpegInfo)
    assert info.path == ffmpeg_info.path and info.source == ffmpeg_info.source
    assert "libx264" in info.encoders
    scope = running.hub.integrations.records["ffmpeg"].scope
    assert get_ffmpeg(scope) is info  # an integration's scope works too
    results = {r.owner: r.value for r in await running.hub.hooks.call_each("system_info", hub=scope)}
    assert results["ffmpeg"]["version"] == info.version and results["ffmpeg"]["path"] == info.path


async def test_prefer_bundled_uses_the_imageio_ffmpeg_binary(marquee_hub):
    bundled = locate.bundled_ffmpeg()
    assert bundled is not None and bundled != locate.system_ffmpeg()  # imageio-ffmpeg is a declared dependency
    running = await marquee_hub({"ffmpeg": {"prefer": "bundled"}}, only=["ffmpeg"])
    info = get_ffmpeg(running.hub)
    assert (info.path, info.source) == (bundled, "imageio-ffmpeg")


async def test_a_configured_path_is_used(marquee_hub, ffmpeg_info):
    running = await marquee_hub({"ffmpeg": {"path": ffmpeg_info.path}}, only=["ffmpeg"])
    assert (get_ffmpeg(running.hub).path, get_ffmpeg(running.hub).source) == (ffmpeg_info.path, "config")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/no/such/ffmpeg", "does not exist, is not a file, or is not executable"),
        ("relative/ffmpeg", "is not an absolute path"),
        ("/etc", "does not exist, is not a file, or is not executable"),
        ("{tmp}/not-executable", "does not exist, is not a file, or is not executable"),
    ],
)
async def test_a_bad_configured_path_is_a_config_error(marquee_hub, tmp_path, path, message):
    (tmp_path / "not-executable").write_text("#!/bin/sh\n")
    (tmp_path / "not-executable").chmod(0o644)
    path = path.format(tmp=tmp_path)
    with pytest.raises(ConfigurationRejected) as caught:
        await marquee_hub({"ffmpeg": {"path": path}}, only=["ffmpeg"])
    assert message in str(caught.value)


async def test_a_configured_file_that_is_not_ffmpeg_fails_setup_clearly(marquee_hub, tmp_path):
    impostor = tmp_path / "ffmpeg"
    impostor.write_bytes(b"\x00\x01 not a program")
    impostor.chmod(0o755)
    running = await marquee_hub({"ffmpeg": {"path": str(impostor)}}, only=["ffmpeg"])
    record = running.hub.integrations.records["ffmpeg"]
    assert record.state is State.FAILED
    assert f"{impostor} could not be run" in record.reason


async def test_prefer_must_be_system_or_bundled(marquee_hub):
    with pytest.raises(ConfigurationRejected, match="prefer"):
        await marquee_hub({"ffmpeg": {"prefer": "fastest"}}, only=["ffmpeg"])


async def test_setup_fails_with_a_clear_reason_when_there_is_no_ffmpeg(marquee_hub, monkeypatch):
    monkeypatch.setattr(locate, "system_ffmpeg", lambda: None)
    monkeypatch.setattr(locate, "bundled_ffmpeg", lambda: None)
    running = await marquee_hub(only=["ffmpeg", *TRANSCODERS])
    records = running.hub.integrations.records
    assert records["ffmpeg"].state is State.FAILED
    assert "no ffmpeg found: none on the PATH and no binary in the imageio-ffmpeg package" in records["ffmpeg"].reason
    for domain in TRANSCODERS:
        assert records[domain].state is State.FAILED
        assert records[domain].reason == "dependency 'ffmpeg' failed to set up"
    with pytest.raises(RuntimeError, match="the ffmpeg integration is not set up"):
        get_ffmpeg(running.hub)


async def test_unloading_removes_the_shared_info_and_the_transcoders(marquee_hub):
    running = await marquee_hub(only=["ffmpeg", *TRANSCODERS])
    assert len(running.hub.hooks.implementers("transcoders")) == 4
    await running.hub.integrations.unload("ffmpeg")
    with pytest.raises(RuntimeError):
        get_ffmpeg(running.hub)
    assert running.hub.hooks.implementers("transcoders") == []
    assert all(running.hub.integrations.records[d].state is State.NOT_LOADED for d in TRANSCODERS)
