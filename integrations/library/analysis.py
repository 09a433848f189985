"""Everything learned about one media file, gathered in a worker thread through the hooks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from integrations.library.walker import FileEntry
from plugin_sdk.media import ItemMetadata, LocalImage, ParsedName, ProbeError, ProbeResult, StreamInfo

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class Analysis:
    entry: FileEntry
    probe: ProbeResult | None = None
    error: str | None = None
    parsed: ParsedName | None = None
    metadata: ItemMetadata | None = None
    images: list[LocalImage] = field(default_factory=list)
    subtitles: list[StreamInfo] = field(default_factory=list)


def analyse(hook: Any, entry: FileEntry, library_type: str) -> Analysis:
    """Probe, parse the name, read local metadata. Blocking; never raises (a bad file gets `error`)."""
    result = Analysis(entry)
    try:
        result.probe = hook.probe_file(path=entry.path)
        if result.probe is None:
            result.error = "no probe integration could read this file"
            return result
    except ProbeError as err:
        result.error = str(err) or "not a media file"
        return result
    except Exception as err:  # a probe bug must not stop the scan
        _LOGGER.exception("Probe of %s failed", entry.path)
        result.error = f"probe failed: {type(err).__name__}: {err}"
        return result
    kind = "track" if _audio_only(result.probe) else "video"
    try:
        if kind != "track":
            result.parsed = hook.parse_path(path=entry.path, library_type=library_type)
        item_type = "track" if kind == "track" else (result.parsed.kind if result.parsed else "movie")
        result.metadata = hook.read_local_metadata(path=entry.path, item_type=item_type)
        result.images = [
            image for found in hook.find_local_images(path=entry.path, item_type=item_type) for image in found
        ]
        if kind != "track":
            result.subtitles = [sub for found in hook.find_external_subtitles(media_path=entry.path) for sub in found]
    except Exception as err:
        _LOGGER.exception("Identification of %s failed", entry.path)
        result.error = f"identification failed: {type(err).__name__}: {err}"
    return result


def _audio_only(probe: ProbeResult) -> bool:
    return not any(s.type == "video" for s in probe.streams) and any(s.type == "audio" for s in probe.streams)


@dataclass(slots=True)
class FolderInfo:
    metadata: ItemMetadata | None
    images: list[LocalImage]


def analyse_folder(hook: Any, folder: str, item_type: str) -> FolderInfo:
    """Metadata and artwork kept in an item's folder (series, season, album, artist). Blocking."""
    try:
        metadata = hook.read_local_metadata(path=folder, item_type=item_type)
        images = [image for found in hook.find_local_images(path=folder, item_type=item_type) for image in found]
    except Exception:
        _LOGGER.exception("Reading folder metadata of %s failed", folder)
        return FolderInfo(None, [])
    return FolderInfo(metadata, images)
