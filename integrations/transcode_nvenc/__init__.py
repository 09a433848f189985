"""Hardware transcoding on NVIDIA GPUs: NVDEC decoding, scale_cuda, h264_nvenc/hevc_nvenc.
Implements the `transcoders` hook."""

from __future__ import annotations

from typing import Any

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.streaming import TranscoderBackend

from .backend import NvencBackend

DOMAIN = "transcode_nvenc"
BACKEND = NvencBackend()


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    return True


@hookimpl
def transcoders() -> list[TranscoderBackend]:
    return [BACKEND]
