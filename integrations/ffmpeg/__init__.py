"""FFmpeg: finds the binary (config path, the system's, or the one in the imageio-ffmpeg wheel), reads what it can
do once per boot, and shares that as an FfmpegInfo with the transcoder integrations (`get_ffmpeg(hub)`).

Modules the transcoder integrations use: `argv` (request validation and the argv pieces every backend shares:
input, audio, rate control, keyframes, subtitle burn-in, HLS output), `hardware` (what VAAPI/NVENC/QSV share),
`backend` (detection cached per process), `probe` (running ffmpeg: probes and test encodes), `devices` (render
nodes, NVIDIA GPUs).
"""

from __future__ import annotations

import asyncio
from typing import Any

import voluptuous as vol

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.streaming import FfmpegInfo

from .locate import FfmpegNotFound, is_executable_file, locate_ffmpeg
from .probe import FfmpegProbeError, probe_ffmpeg_cached

DOMAIN = "ffmpeg"
_KEY = "ffmpeg"
_PROBE_KEY = "ffmpeg_probe"


def _executable_file(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise vol.Invalid("expected the absolute path of the ffmpeg executable")
    if not value.startswith("/") or any(ch in value for ch in "\0\n\r"):
        raise vol.Invalid(f"'{value}' is not an absolute path")
    if not is_executable_file(value):
        raise vol.Invalid(f"'{value}' does not exist, is not a file, or is not executable")
    return value


CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("path"): _executable_file,
        vol.Optional("prefer", default="system"): vol.In(["system", "bundled"]),
    }
)


def get_ffmpeg(hub: Any) -> FfmpegInfo:
    """The FfmpegInfo read at setup. `hub` is an integration's scope or the Hub itself.

    Raises RuntimeError when the ffmpeg integration is not set up (declare `"dependencies": ["ffmpeg"]`).
    """
    root = getattr(hub, "root", hub)
    info = vars(root).get(_KEY)
    if not isinstance(info, FfmpegInfo):
        raise RuntimeError("the ffmpeg integration is not set up")
    return info


async def ready_ffmpeg(hub: Any) -> FfmpegInfo:
    """The full FfmpegInfo (encoders, filters, hwaccels), waiting for the start-up probe if it still runs."""
    root = getattr(hub, "root", hub)
    probe = vars(root).get(_PROBE_KEY)
    if probe is not None:
        await asyncio.shield(probe)
    return get_ffmpeg(hub)


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    try:
        located = await hub.run_in_executor(locate_ffmpeg, config.get("path"), config["prefer"])
    except (FfmpegNotFound, OSError) as err:
        raise RuntimeError(str(err)) from None
    if config.get("path"):  # a binary the user named: check it before declaring the integration set up
        try:
            await probe_ffmpeg_cached(located.path, located.source)
        except (FfmpegProbeError, OSError) as err:
            raise RuntimeError(str(err)) from None
    # The probe (five ffmpeg runs, ~0.3 s) runs in the background; callers that only need the binary's path
    # can use it at once, the others wait for the full picture with ready_ffmpeg().
    hub.root.__dict__[_KEY] = FfmpegInfo(path=located.path, version="", source=located.source)
    hub.root.__dict__[_PROBE_KEY] = hub.create_task(_probe(hub, located), name="ffmpeg-probe")
    hub.on_unload(lambda: [hub.root.__dict__.pop(key, None) for key in (_KEY, _PROBE_KEY)])
    return True


async def _probe(hub: IntegrationScope, located: Any) -> None:
    try:
        info = await probe_ffmpeg_cached(located.path, located.source)
    except (FfmpegProbeError, OSError) as err:
        hub.logger.error("ffmpeg at %s can't be used: %s", located.path, err)
        hub.notify("ffmpeg unusable", str(err), "error")
        return
    hub.logger.info(
        "Using ffmpeg %s at %s (%s): %d encoders, %d filters, hwaccels: %s",
        info.version,
        info.path,
        info.source,
        len(info.encoders),
        len(info.filters),
        ", ".join(sorted(info.hwaccels)) or "none",
    )
    hub.root.__dict__[_KEY] = info


@hookimpl
def system_info(hub: IntegrationScope) -> dict[str, Any] | None:
    info = vars(hub.root).get(_KEY)
    if not isinstance(info, FfmpegInfo):
        return None
    return {"path": info.path, "version": info.version, "source": info.source, "hwaccels": sorted(info.hwaccels)}
