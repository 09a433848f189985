"""Metadata stored beside the media: Kodi/Jellyfin NFO files, artwork files and external subtitles.

Implements `read_local_metadata`, `find_local_images` and `find_external_subtitles`; all three run in the
scanner's worker threads and only read the file system.
"""

from __future__ import annotations

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.media import ItemMetadata, LocalImage, StreamInfo

from . import images, nfo, subtitles

DOMAIN = "local_metadata"


async def async_setup(hub: IntegrationScope, config: dict) -> bool:
    return True


@hookimpl
def read_local_metadata(path: str, item_type: str) -> ItemMetadata | None:
    return nfo.read_local_metadata(path, item_type)


@hookimpl
def find_local_images(path: str, item_type: str) -> list[LocalImage] | None:
    return images.find_local_images(path, item_type)


@hookimpl
def find_external_subtitles(media_path: str) -> list[StreamInfo] | None:
    return subtitles.find_external_subtitles(media_path)
