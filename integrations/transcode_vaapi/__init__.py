"""Hardware transcoding through VAAPI (Intel and AMD GPUs, /dev/dri render nodes): h264_vaapi/hevc_vaapi,
scale_vaapi and tonemap_vaapi. Implements the `transcoders` hook."""

from __future__ import annotations

from typing import Any

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.streaming import TranscoderBackend

from .backend import VaapiBackend

DOMAIN = "transcode_vaapi"
BACKEND = VaapiBackend()


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    return True


@hookimpl
def transcoders() -> list[TranscoderBackend]:
    return [BACKEND]
