"""Hardware transcoding with Intel Quick Sync (oneVPL/libmfx): qsv decoders, vpp_qsv, h264_qsv/hevc_qsv.
Implements the `transcoders` hook."""

from __future__ import annotations

from typing import Any

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.streaming import TranscoderBackend

from .backend import QsvBackend

DOMAIN = "transcode_qsv"
BACKEND = QsvBackend()


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    return True


@hookimpl
def transcoders() -> list[TranscoderBackend]:
    return [BACKEND]
