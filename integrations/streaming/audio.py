"""`universal` audio: the file itself when the client takes its container and codec, else a transcode to
MP3 / AAC / Opus at an allow-listed bitrate, streamed progressively."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import voluptuous as vol

from integrations.playback.sources import container_for, source_streams
from plugin_sdk.streaming import FfmpegInfo

TARGETS = {  # codec -> (encoder, muxer, media type)
    "mp3": ("libmp3lame", "mp3", "audio/mpeg"),
    "aac": ("aac", "adts", "audio/aac"),
    "opus": ("libopus", "ogg", "audio/ogg"),
}
_LIST = vol.All(str, vol.Length(max=200), lambda v: [p.strip().lower() for p in v.split(",") if p.strip()])

UNIVERSAL_PARAMS = vol.Schema(
    {
        vol.Optional("source_id"): vol.All(str, vol.Length(max=64)),
        vol.Optional("container", default="mp3,aac,flac,ogg,m4a,opus"): _LIST,
        vol.Optional("audio_codec", default="mp3,aac,flac,opus,vorbis"): _LIST,
        vol.Optional("transcode_codec", default="mp3"): vol.In(sorted(TARGETS)),
        vol.Optional("max_bitrate", default=320_000): vol.All(vol.Coerce(int), vol.Range(min=32_000, max=1_536_000)),
    },
    extra=vol.REMOVE_EXTRA,
)


def _audio(source: dict[str, Any]) -> dict[str, Any] | None:
    return next((s for s in source_streams(source) if s.get("type") == "audio"), None)


def universal_direct(source: dict[str, Any], params: dict[str, Any]) -> bool:
    audio = _audio(source)
    if audio is None:
        return False
    bitrate = source.get("bitrate") or 0
    return (
        container_for(source) in params["container"]
        and str(audio.get("codec")) in params["audio_codec"]
        and bitrate <= params["max_bitrate"] * 1.05
    )


def universal_argv(
    ffmpeg: FfmpegInfo, path: str, source: dict[str, Any], params: dict[str, Any]
) -> tuple[list[str], str]:
    encoder, muxer, media_type = TARGETS[params["transcode_codec"]]
    audio = _audio(source)
    channels = min(int((audio or {}).get("channels") or 2), 2)
    bitrate = int(params["max_bitrate"])
    argv = [
        ffmpeg.path, "-hide_banner", "-nostdin", "-loglevel", "error", "-i", path, "-map", "0:a:0", "-vn",
        "-c:a", encoder, "-b:a", str(bitrate), "-ac", str(channels), "-f", muxer, "pipe:1",
    ]  # fmt: skip
    return argv, media_type


async def pipe_ffmpeg(argv: list[str]) -> AsyncIterator[bytes]:
    """Stream ffmpeg's stdout; the process dies with the response (client gone, or finished)."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert process.stdout is not None
    try:
        while chunk := await process.stdout.read(1 << 16):
            yield chunk
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
