"""Find the ffmpeg binary: the path from the YAML config, else the system's, else the one in the imageio-ffmpeg wheel.

An explicit path only ever comes from the YAML config (validated when the config is checked), never from the API.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass

_LOGGER = logging.getLogger(__name__)

SOURCE_CONFIG = "config"
SOURCE_SYSTEM = "system"
SOURCE_BUNDLED = "imageio-ffmpeg"


class FfmpegNotFound(Exception):
    """No usable ffmpeg binary; the message says where we looked."""


@dataclass(frozen=True, slots=True)
class Located:
    path: str
    source: str  # config | system | imageio-ffmpeg


def is_executable_file(path: str) -> bool:
    return os.path.isabs(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def system_ffmpeg() -> str | None:
    """`ffmpeg` on the PATH, as an absolute path."""
    found = shutil.which("ffmpeg")
    return os.path.abspath(found) if found else None


def bundled_ffmpeg() -> str | None:
    """The binary shipped inside the imageio-ffmpeg wheel (None when the package or its binary is missing).

    imageio_ffmpeg.get_ffmpeg_exe() honours IMAGEIO_FFMPEG_EXE and may fall back to a bare "ffmpeg" on the PATH;
    the result is resolved to an absolute path so the argv never depends on the PATH.
    """
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as err:
        _LOGGER.debug("imageio-ffmpeg has no binary: %s", err)
        return None
    resolved = exe if os.path.isabs(exe) else shutil.which(exe)
    return resolved if resolved and is_executable_file(resolved) else None


def locate_ffmpeg(path: str | None = None, prefer: str = "system") -> Located:
    """The binary to use. Blocking (imageio-ffmpeg runs the binary once to check it): call it in an executor."""
    if path is not None:
        if not is_executable_file(path):
            raise FfmpegNotFound(f"the configured ffmpeg path {path} is not an executable file")
        return Located(path, SOURCE_CONFIG)
    finders = [(SOURCE_SYSTEM, system_ffmpeg), (SOURCE_BUNDLED, bundled_ffmpeg)]
    if prefer == "bundled":
        finders.reverse()
    for source, finder in finders:
        found = finder()
        if found:
            if source == SOURCE_BUNDLED and found == system_ffmpeg():
                source = SOURCE_SYSTEM  # imageio-ffmpeg fell back to the PATH
            return Located(found, source)
    raise FfmpegNotFound(
        "no ffmpeg found: none on the PATH and no binary in the imageio-ffmpeg package; install ffmpeg "
        "or set 'ffmpeg: path:' in configuration.yaml"
    )
