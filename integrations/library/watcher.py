"""Keep libraries current without full scans: filesystem watching (debounced) and scheduled safety-net scans."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import watchfiles

from integrations.library.models import Library

_LOGGER = logging.getLogger(__name__)


class _HiddenFilter(watchfiles.DefaultFilter):
    """Ignore hidden files (partial downloads, editor swap files) on top of watchfiles' defaults."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return not name.startswith(".") and super().__call__(change, path)


async def watch_library(
    library: Library, on_change: Callable[[Library, int], None], debounce_ms: int, stop: asyncio.Event
) -> None:
    """Call `on_change(library, number_of_changes)` after each debounced burst of changes under its folders."""
    try:
        async for changes in watchfiles.awatch(
            *library.folders,
            watch_filter=_HiddenFilter(),
            # watchfiles yields once `step` ms pass without a change (the quiet period we want), or after
            # `debounce` ms at most; a long copy that keeps writing is still picked up within that bound.
            debounce=max(60_000, debounce_ms * 4),
            step=debounce_ms,
            stop_event=stop,
            recursive=True,
        ):
            _LOGGER.debug("Library '%s': %d filesystem changes", library.name, len(changes))
            on_change(library, len(changes))
    except (OSError, RuntimeError) as err:  # e.g. inotify watch limit reached: scheduled scans still run
        _LOGGER.warning("Watching library '%s' stopped: %s", library.name, err)


async def scan_every(library: Library, minutes: float, trigger: Callable[[Library], None]) -> None:
    while True:
        await asyncio.sleep(minutes * 60)
        trigger(library)
