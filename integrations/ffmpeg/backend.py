"""A base for TranscoderBackend implementations: detection cached per process (per ffmpeg binary)."""

from __future__ import annotations

from plugin_sdk.streaming import FfmpegInfo, TranscodeRequest, TranscoderInfo


class CachedBackend:
    """Subclasses set `name` and implement `_detect` and `build_argv`. `detect` runs `_detect` once per FfmpegInfo
    for the life of the object (the integrations keep one object per process)."""

    name = "base"

    def __init__(self) -> None:
        self._detected: dict[FfmpegInfo, TranscoderInfo] = {}

    async def detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        info = self._detected.get(ffmpeg)
        if info is None:
            info = await self._detect(ffmpeg)
            self._detected[ffmpeg] = info
        return info

    def forget(self) -> None:
        """Drop cached detection results (a new GPU, a new driver)."""
        self._detected.clear()

    async def _detect(self, ffmpeg: FfmpegInfo) -> TranscoderInfo:
        raise NotImplementedError

    def unavailable(self, reason: str) -> TranscoderInfo:
        return TranscoderInfo(name=self.name, available=False, reason=reason)

    def build_argv(self, request: TranscodeRequest, ffmpeg: FfmpegInfo) -> list[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
