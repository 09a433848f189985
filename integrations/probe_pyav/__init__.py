"""Media probing in-process with PyAV (libavformat): implements the `probe_file` hook."""

from __future__ import annotations

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.media import ProbeResult

DOMAIN = "probe_pyav"


async def async_setup(hub: IntegrationScope, config: dict) -> bool:
    return True


@hookimpl
def probe_file(path: str) -> ProbeResult | None:
    """Technical facts about one media file; raises ProbeError for a file that is not playable media."""
    from .probe import probe  # PyAV loads on the first probe, not at start-up

    return probe(path)
