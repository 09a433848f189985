"""Software transcoding on the CPU with ffmpeg (libx264, libx265, libaom-av1/libsvtav1, libvpx-vp9; zscale tone
mapping): implements the `transcoders` hook."""

from __future__ import annotations

from typing import Any

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.streaming import TranscoderBackend

from .backend import SoftwareBackend

DOMAIN = "transcode_software"
BACKEND = SoftwareBackend()


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    return True


@hookimpl
def transcoders() -> list[TranscoderBackend]:
    return [BACKEND]
