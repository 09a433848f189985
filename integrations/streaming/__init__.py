"""Streaming: playback decisions per client, direct play with ranges, HLS and DASH through a transcode job
manager (hardware backends first, software as the fallback), WebVTT subtitles and universal audio."""

from __future__ import annotations

import logging
from typing import Any

import voluptuous as vol

from core.scope import IntegrationScope
from integrations.ffmpeg import ready_ffmpeg
from integrations.streaming.jobs import EVENT_JOB_FAILED, EVENT_JOB_FALLBACK, JobManager, Limits
from integrations.streaming.routes import StreamingRoutes
from plugin_sdk import hookimpl
from plugin_sdk.streaming import TranscoderBackend

_LOGGER = logging.getLogger(__name__)
DEFAULT_ORDER = ["vaapi", "qsv", "nvenc", "software"]  # backend names, hardware first

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("transcoders", default=DEFAULT_ORDER): vol.All([str], vol.Length(min=1)),
        vol.Optional("max_transcodes", default=4): vol.All(int, vol.Range(min=1, max=64)),
        vol.Optional("idle_timeout_seconds", default=60.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("segments_ahead", default=8): vol.All(int, vol.Range(min=2, max=100)),
        vol.Optional("segment_seconds", default=6.0): vol.All(vol.Coerce(float), vol.Range(min=1, max=20)),
        vol.Optional("first_segment_seconds", default=2.0): vol.All(vol.Coerce(float), vol.Range(min=0.5, max=20)),
        vol.Optional("segment_container", default="fmp4"): vol.In(["fmp4", "mpegts"]),
        # nginx serves direct-play bytes: Marquee answers with X-Accel-Redirect: <location>/<path below root>.
        vol.Optional("accel_redirect"): {vol.Required("location"): str, vol.Required("root"): str},
    }
)


@hookimpl
def websocket_events() -> list[str]:
    return [EVENT_JOB_FAILED, EVENT_JOB_FALLBACK]


async def usable_backends(hub: IntegrationScope, order: list[str]) -> list[TranscoderBackend]:
    """Transcoders in the configured order of preference that say they can run here."""
    found = {backend.name: backend for group in hub.root.hooks.hook.transcoders() for backend in group}
    ffmpeg = await ready_ffmpeg(hub)
    usable = []
    for name in order:
        backend = found.get(name)
        if backend is None:
            continue
        info = await backend.detect(ffmpeg)
        if info.available:
            usable.append(backend)
        else:
            _LOGGER.info("Transcoder %s unavailable: %s", name, info.reason)
    return usable


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    # Detection runs test encodes (about a second each): in the background, so start-up doesn't wait for it.
    detection = hub.create_task(_detect(hub, config["transcoders"]), name="streaming-detect-transcoders")
    limits = Limits(
        max_jobs=config["max_transcodes"], idle_seconds=config["idle_timeout_seconds"],
        segments_ahead=config["segments_ahead"],
    )  # fmt: skip
    jobs = JobManager(hub.data_dir / "transcodes", limits, hub.bus.fire)
    jobs.start()
    hub.on_unload(jobs.shutdown)
    StreamingRoutes(hub, config, jobs, detection).register()
    return True


async def _detect(hub: IntegrationScope, order: list[str]) -> list[TranscoderBackend]:
    backends = await usable_backends(hub, order)
    if not backends:
        hub.notify("No transcoder available", "Direct play works; anything needing a transcode will fail.", "warning")
    return backends
